// BERT sentence-encoder throughput (phrases/s) and a dump of token ids + embeddings for a fixed
// phrase list, to compare with HF transformers (GLaMM's get_bert_embedding) on another machine.
//
//   bench_bert --model-dir DIR | --random-base  [--device cpu|cuda] [--batch N] [--phrases N]
//              [--threads N] [--dump-json OUT [--texts FILE]]
//
// --model-dir: an HF bert-base-uncased folder (config.json, vocab.txt, model.safetensors).
// --dump-json: per text "input_ids", "words" (after BertNormalizer + BertPreTokenizer) and
//   "embedding", for the built-in list or the JSON array of strings in --texts FILE
//   (scripts/bert_hf_check.py compares such a dump with HF transformers).
// --random-base: bert-base-sized random weights (seed 0) and a synthetic vocabulary, for timing
//   without a download (its dump is only self-consistent, not comparable with HF).
// Needs only LibTorch, RapidJSON, ICU and pgc's core/models sources plus models/wordpiece.cpp.
#include <sys/resource.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/wordpiece.hpp"
#include "models/torch/bert.hpp"
#include "bench_clock.hpp"

namespace {

// Phrases as GLaMM / PGC see them (GT span texts, predicted phrases, cleaned class names) plus
// tokenizer edge cases: accents, CJK, punctuation, control characters, an empty text and one
// longer than 512 tokens (truncated).
std::vector<std::string> builtin_phrases() {
  std::vector<std::string> p = {
      "A man",
      "a ball",
      "a grass field",
      "two players",
      "Many people",
      "the trees",
      "the sky",
      "Horses",
      "a dirt track",
      "a large group of people standing on the sidewalk",
      "person",
      "wall brick",
      "sky",
      "traffic light",
      "hair drier",
      "A man in a red shirt is riding a skateboard down the street.",
      "Café crème brûlée, naïve résumé",
      "东京 tower 和 富士山",
      "well-dressed man's (blue) umbrella; it's 3:45 p.m.!",
      "tab\tand\nnewline and\u00a0nbsp\u200bzero-width",
      "unaffable antidisestablishmentarianism",
      "",
  };
  std::string longer;
  for (int i = 0; i < 300; ++i) longer += "a person next to a dog ";
  p.push_back(longer);
  return p;
}

struct Args {
  std::string model_dir, device = "cpu", dump_json, texts;
  bool random_base = false;
  size_t batch = 32, phrases = 1024;
  int threads = 0;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "bench_bert: %s\nusage: bench_bert --model-dir DIR | --random-base [--device cpu|cuda] [--batch N "
               "(32)] [--phrases N (1024)] [--threads N (LibTorch default)] [--dump-json OUT [--texts FILE]]\n",
               why.c_str());
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(k + " needs a value");
      return argv[++i];
    };
    if (k == "--model-dir") a.model_dir = value();
    else if (k == "--random-base") a.random_base = true;
    else if (k == "--device") a.device = value();
    else if (k == "--batch") a.batch = std::stoul(value());
    else if (k == "--phrases") a.phrases = std::stoul(value());
    else if (k == "--threads") a.threads = std::stoi(value());
    else if (k == "--dump-json") a.dump_json = value();
    else if (k == "--texts") a.texts = value();
    else usage("unknown argument " + k);
  }
  if (a.model_dir.empty() == !a.random_base) usage("give exactly one of --model-dir DIR and --random-base");
  if (a.device != "cpu" && a.device != "cuda") usage("--device must be cpu or cuda");
  if (a.batch == 0) usage("--batch must be positive");
  return a;
}

// bert-base shape, random weights, a vocabulary holding the built-in phrases' words.
std::unique_ptr<pgc::BertSentenceEncoder> random_base(const std::string& device) {
  const pgc::BertConfig config;  // defaults = bert-base-uncased
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::set<std::string> seen(vocab.begin(), vocab.end());
  const pgc::WordPieceTokenizer basic(vocab, pgc::WordPieceOptions::bert_uncased());
  auto add = [&](const std::string& t) {
    if (seen.insert(t).second) vocab.push_back(t);
  };
  for (const auto& p : builtin_phrases())
    for (const auto& w : basic.basic_tokenize(p)) add(w);
  for (char c = 33; c < 127; ++c) {
    add(std::string(1, c));
    add("##" + std::string(1, c));
  }
  for (size_t i = 0; vocab.size() < static_cast<size_t>(config.vocab_size); ++i) vocab.push_back("[unused" + std::to_string(i) + "]");
  at::manual_seed(0);
  auto network = std::make_unique<pgc::BertNetwork>(config, device);
  return std::make_unique<pgc::BertSentenceEncoder>(std::move(network),
                                                    pgc::WordPieceTokenizer(vocab, pgc::WordPieceOptions::bert_uncased()),
                                                    "bert-random-base");
}

using pgc_bench::seconds_since;

// A JSON array of strings.
std::vector<std::string> read_texts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  rapidjson::Document d;
  d.Parse(ss.str().c_str(), ss.str().size());
  if (d.HasParseError() || !d.IsArray()) throw std::runtime_error(path + ": expected a JSON array of strings");
  std::vector<std::string> out;
  for (const auto& v : d.GetArray()) {
    if (!v.IsString()) throw std::runtime_error(path + ": expected a JSON array of strings");
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

void dump(const std::string& path, pgc::BertSentenceEncoder& enc, const Args& args) {
  const std::vector<std::string> phrases = args.texts.empty() ? builtin_phrases() : read_texts(args.texts);
  const auto embeddings = enc.embed(phrases);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("encoder");
  w.String(enc.name().c_str());
  w.Key("device");
  w.String(args.device.c_str());
  w.Key("batch");
  w.Uint64(args.batch);
  w.Key("pooling");
  w.String("mean of last_hidden_state over all tokens ([CLS], [SEP] included), truncation 512");
  w.Key("phrases");
  w.StartArray();
  for (size_t i = 0; i < phrases.size(); ++i) {
    w.StartObject();
    w.Key("text");
    w.String(phrases[i].c_str(), static_cast<rapidjson::SizeType>(phrases[i].size()));
    w.Key("words");
    w.StartArray();
    for (const auto& word : enc.tokenizer().basic_tokenize(phrases[i]))
      w.String(word.c_str(), static_cast<rapidjson::SizeType>(word.size()));
    w.EndArray();
    w.Key("input_ids");
    w.StartArray();
    for (int64_t id : enc.tokenizer().encode(phrases[i])) w.Int64(id);
    w.EndArray();
    w.Key("embedding");
    w.StartArray();
    for (float x : embeddings[i]) w.Double(static_cast<double>(x));
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::ofstream out(path, std::ios::binary);
  out << buf.GetString() << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  try {
    if (args.threads > 0) at::set_num_threads(args.threads);
    auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<pgc::BertSentenceEncoder> enc =
        args.random_base ? random_base(args.device) : pgc::load_bert(args.model_dir, args.device);
    enc->set_batch_size(args.batch);
    const double load_s = seconds_since(t0);

    const std::vector<std::string> base = builtin_phrases();
    std::vector<std::string> texts;  // the short phrases, cycled (the 512-token one only in the dump)
    for (size_t i = 0; texts.size() < args.phrases; ++i) texts.push_back(base[i % (base.size() - 1)]);
    size_t tokens = 0;
    t0 = std::chrono::steady_clock::now();
    for (const auto& t : texts) tokens += enc->tokenizer().encode(t).size();
    const double tokenize_s = seconds_since(t0);

    enc->embed(std::vector<std::string>(texts.begin(), texts.begin() + std::min<size_t>(texts.size(), args.batch)));  // warm-up
    t0 = std::chrono::steady_clock::now();
    const auto e = enc->embed(texts);
    const double embed_s = seconds_since(t0);

    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("bench_bert: %s on %s, batch %zu, %d intra-op threads\n", enc->name().c_str(), args.device.c_str(),
                args.batch, at::get_num_threads());
    std::printf("  load           %8.3f s\n", load_s);
    std::printf("  tokenize       %8.3f s  (%zu phrases, %zu ids, %.0f phrases/s)\n", tokenize_s, texts.size(), tokens,
                texts.size() / std::max(tokenize_s, 1e-9));
    std::printf("  embed (total)  %8.3f s  %.1f phrases/s  (dim %zu)\n", embed_s, texts.size() / embed_s,
                e.empty() ? size_t{0} : e[0].size());
    std::printf("  peak RSS       %8.1f MB\n", ru.ru_maxrss / 1024.0);
    if (!args.dump_json.empty()) {
      dump(args.dump_json, *enc, args);
      std::printf("  wrote %s (words, input_ids, embedding per text)\n", args.dump_json.c_str());
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "bench_bert: %s\n", ex.what());
    return 2;
  }
  return 0;
}
