// all-mpnet-base-v2 (models/torch/mpnet.cpp) throughput on CAPTURE-style phrases, and the
// outputs the GPU check compares with sentence-transformers.
//   bench_mpnet --model-dir DIR | --random-base   [--device cpu|cuda] [--batch N] [--count N]
//               [--dump-json OUT [--texts FILE]]
// --random-base writes an mpnet-base-sized model (768 hidden, 12 layers, vocab 30527) with
// random weights to a temp folder first (speed only: its embeddings mean nothing);
// --save-random-base DIR writes it to DIR and keeps it.
// --dump-json writes, for a fixed built-in phrase list, the token ids and embeddings:
//   {"model": name, "device": d, "batch": n, "items": [{"text", "ids": [...], "embedding": [...]}]}
// --texts FILE (a JSON array of strings) replaces the built-in list for the dump.
// Python side: SentenceTransformer(DIR).encode(texts, batch_size=n) and
// model.tokenizer(texts)["input_ids"] (truncated at max_seq_length).
// Builds with LibTorch + RapidJSON + ICU + pgc_core / pgc_models / models/wordpiece only.
#include <sys/resource.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "models/device.hpp"
#include "models/torch/mpnet.hpp"
#include "bench_clock.hpp"

namespace fs = std::filesystem;

namespace {

// Phrases as CAPTURE's soft stage embeds them: objects, attributes, "subject relation object".
const std::vector<std::string> kPhrases = {
    "dog", "red", "traffic light", "a man", "wooden bench", "light blue", "Tennis racket", "stop sign",
    "man holding umbrella", "cat sitting on sofa", "car parked on street", "woman wearing hat",
    "clock tower", "dark green", "striped shirt", "child riding bicycle", "bird on branch",
    "plate next to cup", "surfboard", "snow-covered slope", "giraffe standing in field", "brown",
    "people walking on sidewalk", "pizza on table", "laptop", "the sky above the mountains",
    "café", "naïve", "fluffy white clouds", "person in front of building", "two zebras", "1950s car",
    "boat on river", "kite flying over beach", "refrigerator", "flower in vase", "old", "shiny",
    "train at platform", "horse pulling cart", "sign post", "bowl of fruit", "elephant near water",
    "kitchen counter", "helmet", "skier on slope", "dirty", "sandwich", "round", "lamp beside bed",
    // One detailed-caption sentence, long enough for relative distances beyond the exact buckets.
    "The image shows a busy city street on a rainy evening, with a red double-decker bus driving past tall "
    "brick buildings, pedestrians holding black umbrellas on the wet pavement, a yellow taxi waiting at the "
    "traffic light, and shop windows glowing with warm light under a cloudy grey sky."};

struct Args {
  std::string model_dir, device = "cpu", dump_json, texts, save_random_base;
  bool random_base = false;
  size_t batch = 32, count = 1024;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
      return argv[++i];
    };
    if (k == "--model-dir") a.model_dir = value();
    else if (k == "--random-base") a.random_base = true;
    else if (k == "--save-random-base") a.save_random_base = value();
    else if (k == "--device") a.device = value();
    else if (k == "--batch") a.batch = std::stoul(value());
    else if (k == "--count") a.count = std::stoul(value());
    else if (k == "--dump-json") a.dump_json = value();
    else if (k == "--texts") a.texts = value();
    else
      throw std::invalid_argument(
          "usage: bench_mpnet --model-dir DIR | --random-base [--device cpu|cuda] [--batch N (32)] "
          "[--count N phrases (1024)] [--dump-json OUT [--texts FILE]] [--save-random-base DIR]; unknown argument " + k);
  }
  if (!a.save_random_base.empty()) a.random_base = true;
  if (a.model_dir.empty() == !a.random_base) throw std::invalid_argument("give exactly one of --model-dir, --random-base");
  return a;
}

void write_text(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// An mpnet-base-sized sentence-transformers folder with random weights (std 0.02, HF's init).
fs::path write_random_base(const fs::path& dir) {
  pgc::MpnetConfig c;  // defaults = mpnet-base
  std::vector<std::string> vocab = {"<s>", "<pad>", "</s>", "<unk>", "[UNK]"};
  std::set<std::string> words;
  for (const auto& p : kPhrases) {
    std::string w;
    for (char ch : p + " ") {
      if (ch == ' ' || ch == '-') {
        if (!w.empty()) words.insert(w);
        w.clear();
      } else {
        w += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
  }
  words.insert("-");
  vocab.insert(vocab.end(), words.begin(), words.end());
  while (vocab.size() + 1 < static_cast<size_t>(c.vocab_size)) vocab.push_back("filler" + std::to_string(vocab.size()));
  vocab.push_back("<mask>");
  std::string v;
  for (const auto& t : vocab) v += t + "\n";
  write_text(dir / "vocab.txt", v);
  write_text(dir / "config.json", "{\"model_type\": \"mpnet\", \"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-05}");
  write_text(dir / "modules.json",
             R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])");
  write_text(dir / "1_Pooling" / "config.json", "{\"word_embedding_dimension\": 768, \"pooling_mode_mean_tokens\": true}");
  write_text(dir / "sentence_bert_config.json", "{\"max_seq_length\": 384, \"do_lower_case\": false}");

  pgc::MpnetModel shapes(c, "cpu");
  std::string header = "{", data;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  for (const auto& [name, t] : shapes.named_parameters()) {
    const bool norm = name.find("LayerNorm") != std::string::npos;
    at::Tensor r = norm ? (name.compare(name.size() - 6, 6, "weight") == 0 ? at::ones(t.sizes()) : at::zeros(t.sizes()))
                        : at::randn(t.sizes(), gen, at::TensorOptions().dtype(at::kFloat)) * 0.02;
    std::string shape;
    for (int64_t d : r.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t begin = data.size();
    data.append(static_cast<const char*>(r.data_ptr()), r.nbytes());
    header += (header.size() > 1 ? "," : "") + std::string("\"") + name + "\":{\"dtype\":\"F32\",\"shape\":[" +
              shape + "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string len;
  for (int i = 0; i < 8; ++i) len += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  std::ofstream(dir / "model.safetensors", std::ios::binary) << len << header << data;
  return dir;
}

using pgc_bench::seconds_since;
using pgc_bench::cpu_seconds;

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

std::vector<std::string> dump_texts(const Args& a) {
  if (a.texts.empty()) return kPhrases;
  pgc::JsonDoc doc = pgc::read_json_file(a.texts);
  if (!doc.IsArray()) throw std::invalid_argument(a.texts + ": expected a JSON array of strings");
  std::vector<std::string> out;
  for (const auto& v : doc.GetArray()) out.push_back(pgc::get_string(v, a.texts, "text " + std::to_string(out.size())));
  return out;
}

void dump(pgc::MpnetSentenceEncoder& enc, const Args& a, const std::string& path) {
  const std::vector<std::string> texts = dump_texts(a);
  std::vector<std::vector<float>> emb = enc.embed(texts);
  pgc::JsonDoc doc(rapidjson::kObjectType);
  auto& al = doc.GetAllocator();
  doc.AddMember("model", pgc::JsonValue(enc.name().c_str(), al), al);
  doc.AddMember("device", pgc::JsonValue(enc.device().c_str(), al), al);
  doc.AddMember("batch", static_cast<uint64_t>(a.batch), al);
  pgc::JsonValue items(rapidjson::kArrayType);
  for (size_t i = 0; i < texts.size(); ++i) {
    pgc::JsonValue item(rapidjson::kObjectType), ids(rapidjson::kArrayType), e(rapidjson::kArrayType);
    item.AddMember("text", pgc::JsonValue(texts[i].c_str(), al), al);
    for (int64_t id : enc.token_ids(texts[i])) ids.PushBack(id, al);
    for (float x : emb[i]) e.PushBack(static_cast<double>(x), al);
    item.AddMember("ids", ids, al);
    item.AddMember("embedding", e, al);
    items.PushBack(item, al);
  }
  doc.AddMember("items", items, al);
  std::ofstream(path, std::ios::binary) << pgc::to_json(doc, false) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse(argc, argv);
    const std::string device = pgc::resolve_device(a.device);
    fs::path tmp;
    std::string dir = a.model_dir;
    if (a.random_base) {
      auto t0 = std::chrono::steady_clock::now();
      if (a.save_random_base.empty()) {
        tmp = fs::temp_directory_path() / ("pgc_bench_mpnet_" + std::to_string(::getpid()));
        dir = write_random_base(tmp / "random-mpnet-base").string();
      } else {
        dir = write_random_base(a.save_random_base).string();  // kept (e.g. for pgc caption --capture-encoder)
      }
      std::printf("random mpnet-base written to %s in %.1f s\n", dir.c_str(), seconds_since(t0));
    }
    auto t0 = std::chrono::steady_clock::now();
    pgc::MpnetSentenceEncoder enc(dir, device);
    enc.set_batch_size(a.batch);
    std::printf("loaded %s on %s in %.2f s (dim %zu, max_seq_length %zu)\n", enc.name().c_str(), device.c_str(),
                seconds_since(t0), enc.dim(), enc.max_seq_length());

    std::vector<std::string> work;
    // The short phrases (not the long caption sentence at the end): what CAPTURE embeds.
    for (size_t i = 0; i < a.count; ++i) work.push_back(kPhrases[i % (kPhrases.size() - 1)]);
    enc.embed(std::vector<std::string>(work.begin(), work.begin() + std::min(work.size(), a.batch)));  // warm-up
    auto t1 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    std::vector<std::vector<float>> out = enc.embed(work);
    const double s = seconds_since(t1), cpu = cpu_seconds() - cpu0;
    double checksum = 0;
    for (const auto& e : out) checksum += e[0];
    std::printf("embed %zu phrases, batch %zu, %s, %d threads: %.3f s = %.1f phrases/s (process CPU time %.3f s; "
                "checksum %.6f)\n", work.size(), a.batch, device.c_str(), at::get_num_threads(), s, work.size() / s, cpu,
                checksum);
    if (!a.dump_json.empty()) {
      dump(enc, a, a.dump_json);
      std::printf("wrote %s\n", a.dump_json.c_str());
    }
    std::printf("peak RSS: %.1f MiB\n", peak_rss_mib());
    if (!tmp.empty()) fs::remove_all(tmp);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mpnet: %s\n", e.what());
    return 2;
  }
}
