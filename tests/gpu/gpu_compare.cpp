// GPU check driver: runs pgc's LibTorch networks on a given device and writes the outputs, so
// tests/gpu/hf_reference.py can compare them with Hugging Face transformers (same random
// weights) and with pgc's own CPU results. CI compiles it (CPU); on a machine with a CUDA
// LibTorch it is built with -DPGC_MODELS_ONLY=ON (see tests/gpu/README.md) and run by
// tests/gpu/run_gpu_checks.sh.
//
//   gpu_compare text bert|mpnet DIR DEVICE IN.json OUT.json     IN: {"texts": [...]}
//   gpu_compare parse DIR DEVICE BEAMS IN.json OUT.json [start-excluded]
//        IN: {"sentences": [...]}; start-excluded: beam length normalization without the
//        decoder start token (transformers >= 4.37), else counted (the 2024 reference)
//   gpu_compare generate DIR DEVICE BEAMS MAX_LENGTH IN.json OUT.json [start-excluded]
//        IN: {"inputs": [[ids...], ...]} encoder ids (</s> included), decoded as one padded batch;
//        OUT: {"sequences": [[start, ..., </s>?], ...], "scores": [...]}. No tokenizer, so a
//        reference decoder gets the very same ids (bench/t5_beam_crosscheck.py, hf_reference.py)
//   gpu_compare image inception|dinov2 WEIGHTS CONFIG|- DEVICE N SIZE IN.f32 OUT.f32
//        IN.f32: N x SIZE x SIZE x 3 float32 in [0,1]; OUT.f32: N x dim float32
//   gpu_compare speed inception|dinov2 WEIGHTS CONFIG|- DEVICE BATCH SIZE SECONDS
//        images/s on random inputs (after one warm-up batch); prints one JSON line
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "models/device.hpp"
#include "models/feature_extractor.hpp"
#include "models/scene_graph_parser.hpp"
#include "models/safetensors.hpp"
#include "models/text_encoder.hpp"
#include "models/torch/t5.hpp"

namespace {

std::vector<std::string> read_strings(const std::string& file, const char* key) {
  const pgc::JsonDoc doc = pgc::read_json_file(file);
  const pgc::JsonValue& arr = pgc::member(doc, key, file, key);
  std::vector<std::string> out;
  for (const auto& v : arr.GetArray()) out.push_back(pgc::get_string(v, file, key));
  return out;
}

int run_text(const std::string& kind, const std::string& dir, const std::string& device,
             const std::string& in, const std::string& out) {
  auto encoder = kind == "bert" ? pgc::load_bert_encoder(dir, device) : pgc::load_mpnet_encoder(dir, device);
  const auto embeddings = encoder->embed(read_strings(in, "texts"));
  pgc::JsonDoc doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  pgc::JsonValue rows(rapidjson::kArrayType);
  for (const auto& e : embeddings) {
    pgc::JsonValue row(rapidjson::kArrayType);
    for (float x : e) row.PushBack(static_cast<double>(x), a);
    rows.PushBack(row, a);
  }
  doc.AddMember("embeddings", rows, a);
  doc.AddMember("name", pgc::JsonValue(encoder->name().c_str(), a), a);
  pgc::write_file_atomic(out, pgc::to_json(doc, false));
  return 0;
}

int run_parse(const std::string& dir, const std::string& device, int beams, const std::string& in,
              const std::string& out, bool start_excluded) {
  pgc::SceneGraphParserOptions options;
  options.num_beams = beams;
  options.parser_version = "v0.5";  // hf_reference.py truncates each sentence alone to 63 + </s>
  options.beam_length_counts_start = !start_excluded;
  auto parser = pgc::load_scene_graph_parser(dir, device, options);
  const auto t0 = std::chrono::steady_clock::now();
  const auto sentences = read_strings(in, "sentences");
  const auto graphs = parser->parse(sentences);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pgc::JsonDoc doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  pgc::JsonValue arr(rapidjson::kArrayType);
  for (const auto& g : graphs) arr.PushBack(pgc::JsonValue(g.c_str(), a), a);
  doc.AddMember("graphs", arr, a);
  doc.AddMember("seconds", s, a);
  pgc::write_file_atomic(out, pgc::to_json(doc, false));
  return 0;
}

int run_generate(const std::string& dir, const std::string& device, int beams, int max_length,
                 const std::string& in, const std::string& out, bool start_excluded) {
  pgc::t5::T5Model model(pgc::t5::read_t5_config(dir + "/config.json"), device);
  model.load(pgc::SafetensorsCheckpoint(pgc::hf_checkpoint_path(dir)));
  const pgc::JsonDoc doc_in = pgc::read_json_file(in);
  std::vector<std::vector<int64_t>> rows;
  for (const auto& row : pgc::member(doc_in, "inputs", in, "inputs").GetArray()) {
    rows.emplace_back();
    for (const auto& id : row.GetArray()) rows.back().push_back(static_cast<int64_t>(pgc::get_number(id, in, "inputs")));
  }
  pgc::t5::GenerationOptions g;
  g.num_beams = beams;
  g.max_length = max_length;
  g.length_counts_start = !start_excluded;
  const auto [ids, mask] = pgc::t5::pad_batch(rows, 0, device);
  const auto outs = pgc::t5::generate(model, ids, mask, g);
  pgc::JsonDoc doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  pgc::JsonValue seqs(rapidjson::kArrayType), scores(rapidjson::kArrayType);
  for (const auto& o : outs) {
    pgc::JsonValue seq(rapidjson::kArrayType);
    seq.PushBack(static_cast<int64_t>(model.config().decoder_start_token_id), a);
    for (int64_t t : o.tokens) seq.PushBack(static_cast<int64_t>(t), a);
    seqs.PushBack(seq, a);
    scores.PushBack(o.score, a);
  }
  doc.AddMember("sequences", seqs, a);
  doc.AddMember("scores", scores, a);
  pgc::write_file_atomic(out, pgc::to_json(doc, false));
  return 0;
}

std::unique_ptr<pgc::FeatureExtractor> load_extractor(const std::string& kind, const std::string& weights,
                                                      const std::string& config, const std::string& device) {
  if (kind == "inception") return pgc::load_inception_fid(weights, device);
  const pgc::Dinov2Config cfg = config == "-" ? pgc::Dinov2Config{} : pgc::read_dinov2_config(config);
  return pgc::load_dinov2(weights, cfg, device);
}

int run_image(const std::string& kind, const std::string& weights, const std::string& config,
              const std::string& device, int n, int size, const std::string& in, const std::string& out) {
  auto extractor = load_extractor(kind, weights, config, device);
  std::ifstream f(in, std::ios::binary);
  std::vector<pgc::ImageF32> images(n);
  for (auto& im : images) {
    im.width = im.height = size;
    im.rgb.resize(static_cast<size_t>(size) * size * 3);
    f.read(reinterpret_cast<char*>(im.rgb.data()), static_cast<std::streamsize>(im.rgb.size() * sizeof(float)));
  }
  if (!f) throw pgc::InputError(in, "", "shorter than N x SIZE x SIZE x 3 float32");
  std::vector<float> features;
  extractor->extract(images, features);
  std::string bytes(reinterpret_cast<const char*>(features.data()), features.size() * sizeof(float));
  pgc::write_file_atomic(out, bytes);
  return 0;
}

int run_speed(const std::string& kind, const std::string& weights, const std::string& config,
              const std::string& device, int batch, int size, double seconds) {
  auto extractor = load_extractor(kind, weights, config, device);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<pgc::ImageF32> images(batch);
  for (auto& im : images) {
    im.width = im.height = size;
    im.rgb.resize(static_cast<size_t>(size) * size * 3);
    for (float& x : im.rgb) x = u(rng);
  }
  std::vector<float> features;
  extractor->extract(images, features);  // warm-up (CUDA context, cuDNN autotuning)
  size_t done = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    features.clear();
    extractor->extract(images, features);
    done += images.size();
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::printf("{\"model\": \"%s\", \"device\": \"%s\", \"batch\": %d, \"size\": %d, \"images_per_s\": %.2f}\n",
              kind.c_str(), device.c_str(), batch, size, done / elapsed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  try {
    // resolve_device also switches TF32 off for CUDA, as the pgc commands do.
    if (a.size() == 6 && a[0] == "text") a[3] = pgc::resolve_device(a[3]);
    if ((a.size() == 6 || a.size() == 7) && a[0] == "parse") a[2] = pgc::resolve_device(a[2]);
    if ((a.size() == 9 && a[0] == "image") || (a.size() == 8 && a[0] == "speed")) a[4] = pgc::resolve_device(a[4]);
    if ((a.size() == 7 || a.size() == 8) && a[0] == "generate") a[2] = pgc::resolve_device(a[2]);
    if (a.size() == 6 && a[0] == "text") return run_text(a[1], a[2], a[3], a[4], a[5]);
    if ((a.size() == 6 || a.size() == 7) && a[0] == "parse")
      return run_parse(a[1], a[2], std::stoi(a[3]), a[4], a[5], a.size() == 7 && a[6] == "start-excluded");
    if ((a.size() == 7 || a.size() == 8) && a[0] == "generate")
      return run_generate(a[1], a[2], std::stoi(a[3]), std::stoi(a[4]), a[5], a[6], a.size() == 8 && a[7] == "start-excluded");
    if (a.size() == 9 && a[0] == "image")
      return run_image(a[1], a[2], a[3], a[4], std::stoi(a[5]), std::stoi(a[6]), a[7], a[8]);
    if (a.size() == 8 && a[0] == "speed")
      return run_speed(a[1], a[2], a[3], a[4], std::stoi(a[5]), std::stoi(a[6]), std::stod(a[7]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_compare: %s\n", e.what());
    return 2;
  }
  std::fprintf(stderr, "usage: see the comment at the top of tests/gpu/gpu_compare.cpp\n");
  return 1;
}
