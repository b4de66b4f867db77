// DINOv2 extractor throughput (images/s at 224x224, preprocessed input, network only) and,
// with --dump-json, the features of a fixed synthetic input set for comparison with PyTorch
// (torch.hub dinov2 or HF transformers) on another machine. Needs only LibTorch, RapidJSON
// and pgc_core/pgc_models sources (no CLI11/Boost): flags are parsed by hand.
//
//   bench_dinov2 [--weights F] [--config C] [--vitl] [--device cpu|cuda] [--batch N]
//                [--images N] [--dump-json OUT]
//
// Dump inputs (8 images, HWC, float32): value(k, y, x, c) =
//   float32((3 * x * (k + 1) + y * (2 * k + 5) + 85 * c + 31 * k) % 256) / float32(255)
// i.e. in numpy: ((3*x*(k+1) + y*(2*k+5) + 85*c + 31*k) % 256).astype(np.float32) / np.float32(255)
// with x, y in [0, 224), c in [0, 3); then the extractor's own Normalize.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "models/feature_extractor.hpp"

namespace {

struct Options {
  std::string weights = std::string(PGC_FIXTURES_DIR) + "/t2i/dinov2/dinov2_small_random.safetensors";
  std::string config = std::string(PGC_FIXTURES_DIR) + "/t2i/dinov2/dinov2_small_random.config.json";
  bool vitl = false;
  std::string device = "cpu";
  int batch = 1;
  int images = 0;  // 0: enough for ~a few seconds (8 batches)
  std::string dump_json;
};

void usage() {
  std::cout << "bench_dinov2: DINOv2 feature extraction throughput at 224x224\n"
               "  --weights F     safetensors (hub or HF names); default the fixture dinov2_small_random\n"
               "  --config C      config JSON; default the fixture's when --weights is default, else ViT-L/14\n"
               "  --vitl          random-weight ViT-L/14 (dgm-eval's network), ignores --weights/--config\n"
               "  --device D      cpu or cuda (default cpu)\n"
               "  --batch N       images per forward (default 1)\n"
               "  --images N      images timed (default 8 batches)\n"
               "  --dump-json OUT write the features of the 8 built-in inputs (see the source) as JSON\n";
}

Options parse(int argc, char** argv) {
  Options o;
  bool weights_given = false, config_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) { std::cerr << a << " needs a value\n"; std::exit(2); }
      return argv[++i];
    };
    if (a == "--weights") { o.weights = value(); weights_given = true; }
    else if (a == "--config") { o.config = value(); config_given = true; }
    else if (a == "--vitl") o.vitl = true;
    else if (a == "--device") o.device = value();
    else if (a == "--batch") o.batch = std::atoi(value().c_str());
    else if (a == "--images") o.images = std::atoi(value().c_str());
    else if (a == "--dump-json") o.dump_json = value();
    else if (a == "--help" || a == "-h") { usage(); std::exit(0); }
    else { std::cerr << "unknown flag " << a << "\n"; usage(); std::exit(2); }
  }
  if (weights_given && !config_given) o.config.clear();  // ViT-L/14 defaults
  if (o.vitl) { o.weights.clear(); o.config.clear(); }
  if (o.batch < 1) { std::cerr << "--batch must be >= 1\n"; std::exit(2); }
  if (o.images <= 0) o.images = 8 * o.batch;
  return o;
}

pgc::ImageF32 synthetic_image(int k) {
  pgc::ImageF32 img;
  img.width = img.height = 224;
  img.rgb.resize(224 * 224 * 3);
  for (int y = 0; y < 224; ++y)
    for (int x = 0; x < 224; ++x)
      for (int c = 0; c < 3; ++c)
        img.rgb[(y * 224 + x) * 3 + c] =
            static_cast<float>((3 * x * (k + 1) + y * (2 * k + 5) + 85 * c + 31 * k) % 256) / 255.0f;
  return img;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

void dump_json(const std::string& path, pgc::FeatureExtractor& extractor, const Options& o) {
  std::vector<pgc::ImageF32> inputs;
  for (int k = 0; k < 8; ++k) inputs.push_back(synthetic_image(k));
  std::vector<float> features;
  extractor.extract(inputs, features);
  pgc::JsonDoc doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  doc.AddMember("model", pgc::JsonValue(extractor.name().c_str(), alloc), alloc);
  doc.AddMember("weights", pgc::JsonValue(o.weights.empty() ? "random" : o.weights.c_str(), alloc), alloc);
  doc.AddMember("device", pgc::JsonValue(o.device.c_str(), alloc), alloc);
  doc.AddMember("inputs", "8 images 224x224: float32((3*x*(k+1) + y*(2*k+5) + 85*c + 31*k) % 256) / 255", alloc);
  doc.AddMember("dim", static_cast<uint64_t>(extractor.dim()), alloc);
  pgc::JsonValue rows(rapidjson::kArrayType);
  for (size_t r = 0; r < inputs.size(); ++r) {
    pgc::JsonValue row(rapidjson::kArrayType);
    for (size_t j = 0; j < extractor.dim(); ++j) row.PushBack(static_cast<double>(features[r * extractor.dim() + j]), alloc);
    rows.PushBack(row, alloc);
  }
  doc.AddMember("features", rows, alloc);
  std::ofstream(path) << pgc::to_json(doc, false) << "\n";
  std::cerr << "wrote " << path << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    const pgc::Dinov2Config config = o.config.empty() ? pgc::Dinov2Config{} : pgc::read_dinov2_config(o.config);
    const auto t_load = std::chrono::steady_clock::now();
    auto extractor = pgc::load_dinov2(o.weights, config, o.device);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
    if (!o.dump_json.empty()) dump_json(o.dump_json, *extractor, o);

    std::vector<pgc::ImageF32> batch;
    for (int i = 0; i < o.batch; ++i) batch.push_back(synthetic_image(i % 8));
    std::vector<float> out;
    extractor->extract(batch, out);  // warm-up (allocator, cuDNN/cuBLAS handles)
    const int batches = (o.images + o.batch - 1) / o.batch;
    const auto t0 = std::chrono::steady_clock::now();
    for (int b = 0; b < batches; ++b) {
      out.clear();
      extractor->extract(batch, out);  // copies the features to the host: synchronous
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int n = batches * o.batch;
    std::printf("model %s  weights %s  device %s  batch %d\n", extractor->name().c_str(),
                o.weights.empty() ? "random" : o.weights.c_str(), o.device.c_str(), o.batch);
    std::printf("load %.2f s; %d images in %.3f s: %.2f images/s (%.2f ms/image); peak RSS %.0f MiB\n", load_s, n, s,
                n / s, 1000.0 * s / n, peak_rss_mib());
  } catch (const std::exception& e) {
    std::cerr << "bench_dinov2: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
