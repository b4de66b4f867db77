// T5 scene-graph parser throughput (sentences/second) and an output dump for comparison with
// HF transformers. Needs only LibTorch, RapidJSON, the SentencePiece module and pgc_core /
// pgc_models / pgc_torch.
//
//   bench_t5 --random-base [--device cpu|cuda] [--batch N] [--sentences M] [--beams B] [--max-length L]
//   bench_t5 --model-dir DIR [--device ...] [--dump-json OUT]
//   bench_t5 --random-config tiny|base --save-random DIR   (config.json + model.safetensors, fp32)
//
// --random-base: a Flan-T5-base-sized model (d_model 768, 12+12 layers, 12 heads, d_ff 2048,
// vocab 32128, gated-GELU) with random weights and random prompts of 24-34 tokens (what a
// 15-25-word sentence plus "Generate Scene Graph: " becomes). Random weights rarely emit
// </s>, so every sentence decodes to max_length: the time per sentence is the worst case.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/json.hpp"
#include "models/safetensors.hpp"
#include "models/t5_tokenizer.hpp"
#include "models/torch/t5.hpp"
#include "bench_clock.hpp"

namespace fs = std::filesystem;
using pgc::t5::T5Config;
using pgc::t5::T5Model;

namespace {

const std::vector<std::string> kSentences = {
    "A man in a red shirt is riding a brown horse along the sandy beach at sunset.",
    "Two small dogs are playing with a yellow ball on the green grass in the park.",
    "The woman wearing a white dress holds a black umbrella while walking down the wet street.",
    "A wooden table with a blue vase full of fresh flowers stands next to the open window.",
    "Three children sit on a bench eating ice cream in front of a large stone fountain.",
    "A red double-decker bus drives past tall buildings on a busy city street.",
    "The cat is sleeping on a soft gray blanket near the warm fireplace.",
    "A plate of pasta with tomato sauce and basil leaves sits beside a glass of wine.",
    "Several boats are docked at the pier under a cloudy sky.",
    "An old man with a long white beard reads a newspaper on a park bench.",
};

struct Args {
  std::string model_dir, device = "cpu", dump_json, random_config, save_random;
  bool random_base = false;
  int batch = 8, sentences = 8, beams = 5, max_length = 128, threads = 0;
  bool beam_counts_start = true;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench_t5: %s\n"
               "usage: bench_t5 (--model-dir DIR | --random-base) [--device cpu|cuda (cpu)] [--batch N (8)]\n"
               "       [--sentences M (8)] [--beams B (5)] [--max-length L (128)] [--threads T (LibTorch default)]\n"
               "       [--beam-len-excludes-start] [--dump-json OUT (needs --model-dir)]\n"
               "       bench_t5 --random-config tiny|base --save-random DIR\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + k).c_str());
      return argv[++i];
    };
    if (k == "--model-dir") a.model_dir = value();
    else if (k == "--random-base") a.random_base = true;
    else if (k == "--device") a.device = value();
    else if (k == "--batch") a.batch = std::stoi(value());
    else if (k == "--sentences") a.sentences = std::stoi(value());
    else if (k == "--beams") a.beams = std::stoi(value());
    else if (k == "--max-length") a.max_length = std::stoi(value());
    else if (k == "--threads") a.threads = std::stoi(value());
    else if (k == "--dump-json") a.dump_json = value();
    else if (k == "--random-config") a.random_config = value();
    else if (k == "--save-random") a.save_random = value();
    else if (k == "--beam-len-excludes-start") a.beam_counts_start = false;
    else if (k == "--help" || k == "-h") usage("help");
    else usage(("unknown flag " + k).c_str());
  }
  if (a.save_random.empty() && a.random_base == !a.model_dir.empty()) usage("give --model-dir or --random-base");
  if (!a.dump_json.empty() && a.model_dir.empty()) usage("--dump-json needs --model-dir (a tokenizer)");
  if (a.batch < 1 || a.sentences < 1) usage("--batch and --sentences must be >= 1");
  return a;
}

T5Config base_config() {
  T5Config c;  // google/flan-t5-base
  c.vocab_size = 32128;
  c.d_model = 768;
  c.d_kv = 64;
  c.d_ff = 2048;
  c.num_layers = c.num_decoder_layers = 12;
  c.num_heads = 12;
  c.feed_forward_proj = "gated-gelu";
  c.tie_word_embeddings = false;
  return c;
}

T5Config tiny_config() {
  T5Config c;
  c.vocab_size = 256;
  c.d_model = 64;
  c.d_kv = 16;
  c.d_ff = 96;
  c.num_layers = 2;
  c.num_decoder_layers = 3;
  c.num_heads = 4;
  c.relative_attention_num_buckets = 16;
  c.relative_attention_max_distance = 32;
  c.feed_forward_proj = "gated-gelu";
  c.tie_word_embeddings = false;
  return c;
}

std::string config_json(const T5Config& c) {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"architectures\": [\"T5ForConditionalGeneration\"], \"model_type\": \"t5\", \"vocab_size\": %lld, "
                "\"d_model\": %lld, \"d_kv\": %lld, \"d_ff\": %lld, \"num_layers\": %lld, \"num_decoder_layers\": %lld, "
                "\"num_heads\": %lld, \"relative_attention_num_buckets\": %lld, \"relative_attention_max_distance\": %lld, "
                "\"layer_norm_epsilon\": 1e-06, \"feed_forward_proj\": \"%s\", \"tie_word_embeddings\": %s, "
                "\"is_encoder_decoder\": true, \"dropout_rate\": 0.1, \"initializer_factor\": 1.0, "
                "\"decoder_start_token_id\": 0, \"eos_token_id\": 1, \"pad_token_id\": 0}\n",
                (long long)c.vocab_size, (long long)c.d_model, (long long)c.d_kv, (long long)c.d_ff,
                (long long)c.num_layers, (long long)c.num_decoder_layers, (long long)c.num_heads,
                (long long)c.relative_attention_num_buckets, (long long)c.relative_attention_max_distance,
                c.feed_forward_proj.c_str(), c.tie_word_embeddings ? "true" : "false");
  return buf;
}

void save_random(const T5Config& c, const std::string& dir) {
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / "config.json") << config_json(c);
  const T5Model model(c, "cpu", 1234);
  std::string header = "{", data;
  for (const auto& [name, tensor] : model.named_parameters()) {
    const at::Tensor t = tensor.contiguous();
    std::string shape;
    for (int64_t d : t.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t begin = data.size();
    data.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
    header += (header.size() > 1 ? "," : "") + std::string("\"") + name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  std::ofstream(fs::path(dir) / "model.safetensors", std::ios::binary) << bytes << header << data;
  std::fprintf(stderr, "bench_t5: wrote %s/config.json and model.safetensors (%zu MB)\n", dir.c_str(), data.size() >> 20);
}

using pgc_bench::cpu_seconds;

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

void add_ids(rapidjson::Value& obj, const char* key, const std::vector<int64_t>& ids, rapidjson::Document::AllocatorType& al) {
  rapidjson::Value arr(rapidjson::kArrayType);
  for (int64_t id : ids) arr.PushBack(static_cast<int64_t>(id), al);
  obj.AddMember(rapidjson::Value(key, al), arr, al);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  // Decoding allocates a few hundred MB of cache tensors per step; glibc would mmap and unmap
  // each (page faults: half the CPU time went to the kernel). Keep them in the heap.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  if (args.threads > 0) at::set_num_threads(args.threads);
  if (!args.save_random.empty()) {
    if (args.random_config != "tiny" && args.random_config != "base") usage("--random-config must be tiny or base");
    save_random(args.random_config == "tiny" ? tiny_config() : base_config(), args.save_random);
    return 0;
  }
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<T5Model> model;
  std::unique_ptr<pgc::T5Tokenizer> tokenizer;
  if (args.random_base) {
    model = std::make_unique<T5Model>(base_config(), args.device, 1234);
  } else {
    model = std::make_unique<T5Model>(pgc::t5::read_t5_config((fs::path(args.model_dir) / "config.json").string()),
                                      args.device);
    model->load(pgc::SafetensorsCheckpoint(pgc::hf_checkpoint_path(args.model_dir)));
    tokenizer = std::make_unique<pgc::T5Tokenizer>((fs::path(args.model_dir) / "spiece.model").string());
  }
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "bench_t5: model ready in %.2f s on %s, %d threads\n", load_s, args.device.c_str(),
               at::get_num_threads());

  // Encoder inputs for the timing run.
  std::vector<std::vector<int64_t>> inputs;
  at::Generator gen = at::detail::createCPUGenerator(7);
  for (int i = 0; i < args.sentences; ++i) {
    if (tokenizer) {
      inputs.push_back(pgc::scene_graph_parser_inputs(*tokenizer, {kSentences[static_cast<size_t>(i) % kSentences.size()]},
                                                      "v0.5")[0]);
    } else {
      const int64_t n = 24 + at::randint(0, 11, {1}, gen).item<int64_t>();
      const at::Tensor ids = at::randint(3, 32000, {n}, gen);
      inputs.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + n);
      inputs.back().push_back(1);
    }
  }
  pgc::t5::GenerationOptions g;
  g.num_beams = args.beams;
  g.max_length = args.max_length;
  g.length_counts_start = args.beam_counts_start;
  size_t generated_tokens = 0;
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  for (size_t begin = 0; begin < inputs.size(); begin += static_cast<size_t>(args.batch)) {
    const size_t end = std::min(inputs.size(), begin + static_cast<size_t>(args.batch));
    const std::vector<std::vector<int64_t>> chunk(inputs.begin() + static_cast<long>(begin),
                                                  inputs.begin() + static_cast<long>(end));
    const auto [ids, mask] = pgc::t5::pad_batch(chunk, 0, args.device);
    for (const auto& out : pgc::t5::generate(*model, ids, mask, g)) generated_tokens += out.tokens.size();
  }
  const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  const double run_cpu = cpu_seconds() - cpu0;
  std::printf("bench_t5: %s, device %s, %d threads, batch %d, beams %d, max_length %d: %d sentences in %.2f s = "
              "%.3f sentences/s (%.1f generated tokens/sentence; %.2f CPU s/sentence); load %.2f s; peak RSS %.0f MiB\n",
              args.random_base ? "random flan-t5-base" : args.model_dir.c_str(), args.device.c_str(),
              at::get_num_threads(), args.batch, args.beams, args.max_length, args.sentences, run_s,
              args.sentences / run_s, double(generated_tokens) / args.sentences, run_cpu / args.sentences, load_s,
              peak_rss_mib());

  if (!args.dump_json.empty()) {
    // Built-in sentences, v0.5 inputs, greedy and beam 5 (both length conventions), and the
    // teacher-forced logits of the greedy sequence (max |logit| for scale) for HF comparison.
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& al = doc.GetAllocator();
    rapidjson::Value items(rapidjson::kArrayType);
    for (const auto& sentence : kSentences) {
      const auto rows = pgc::scene_graph_parser_inputs(*tokenizer, {sentence}, "v0.5");
      const auto [ids, mask] = pgc::t5::pad_batch(rows, 0, args.device);
      rapidjson::Value item(rapidjson::kObjectType);
      item.AddMember("sentence", rapidjson::Value(sentence.c_str(), al), al);
      add_ids(item, "input_ids", rows[0], al);
      for (const auto& [key, beams, counts] : {std::tuple<const char*, int, bool>{"greedy", 1, true},
                                               {"beam5", 5, true}, {"beam5_len_excludes_start", 5, false}}) {
        pgc::t5::GenerationOptions o = g;
        o.num_beams = beams;
        o.length_counts_start = counts;
        const auto out = pgc::t5::generate(*model, ids, mask, o)[0];
        std::vector<int64_t> seq = {model->config().decoder_start_token_id};
        seq.insert(seq.end(), out.tokens.begin(), out.tokens.end());
        rapidjson::Value r(rapidjson::kObjectType);
        add_ids(r, "sequence", seq, al);
        r.AddMember("text", rapidjson::Value(tokenizer->decode(seq).c_str(), al), al);
        r.AddMember("score", out.score, al);
        if (beams == 1) {
          // Logits of the greedy sequence by full recomputation, as a flat row-major list.
          const at::Tensor dec = at::tensor(std::vector<int64_t>(seq.begin(), seq.end() - 1), at::kLong).unsqueeze(0);
          const at::Tensor logits =
              model->decode_full(model->encode(ids, mask), mask, dec.to(at::Device(args.device))).to(at::kCPU).contiguous();
          rapidjson::Value flat(rapidjson::kArrayType);
          const float* p = logits.data_ptr<float>();
          for (int64_t k = 0; k < logits.numel(); ++k) flat.PushBack(static_cast<double>(p[k]), al);
          r.AddMember("logits", flat, al);
          r.AddMember("logits_shape_vocab", logits.size(-1), al);
        }
        item.AddMember(rapidjson::Value(key, al), r, al);
      }
      items.PushBack(item, al);
    }
    doc.AddMember("model_dir", rapidjson::Value(args.model_dir.c_str(), al), al);
    doc.AddMember("max_length", args.max_length, al);
    doc.AddMember("items", items, al);
    std::ofstream(args.dump_json) << pgc::to_json(doc, false);
    std::fprintf(stderr, "bench_t5: wrote %s\n", args.dump_json.c_str());
  }
  return 0;
}
