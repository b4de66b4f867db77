// Benchmark: images/s from image files to features through the t2i pipeline (decoding
// threads + the network on the calling thread), for pytorch-fid's InceptionV3 or dgm-eval's
// DINOv2, at several batch sizes, plus the floor: decoding + resizing alone (a network that
// does nothing). Peak RSS from getrusage.
//
// Usage: bench_t2i_extract [--model inception|dinov2] [--weights FILE] [--config C]
//          [--device cpu|cuda] [--batch 1,32] [--images DIR | --format png|jpg] [--count 64]
//          [--threads N]
// Defaults: inception with the fixture's random weights; dinov2 with --weights "" (random
// ViT-L/14 weights, as the dinov2 helper's loader accepts for benchmarks); images: `count`
// copies of the fixture's 512x384 PNG photo (--format jpg: its 640x427 COCO JPEG) in a
// temporary folder.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "models/feature_extractor.hpp"
#include "t2i/feature_pipeline.hpp"
#include "t2i/image_io.hpp"
#include "bench_clock.hpp"

namespace fs = std::filesystem;

namespace {

using pgc_bench::seconds_since;
using pgc_bench::cpu_seconds;

long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// The floor: everything but the network.
class NullExtractor : public pgc::FeatureExtractor {
 public:
  explicit NullExtractor(int input_size) : input_size_(input_size) {}
  size_t dim() const override { return 1; }
  std::string name() const override { return "null"; }
  int input_size() const override { return input_size_; }
  void extract(const std::vector<pgc::ImageF32>& batch, std::vector<float>& out) override {
    for (const auto& im : batch) out.push_back(im.rgb.empty() ? 0.f : im.rgb[0]);
  }

 private:
  int input_size_;
};

struct Args {
  std::string model = "inception", weights, config, device = "cpu", images, batches = "1,32", format = "png";
  bool weights_given = false;
  int count = 64, threads = 0;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", k.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--model") a.model = next();
    else if (k == "--weights") a.weights = next(), a.weights_given = true;
    else if (k == "--config") a.config = next();
    else if (k == "--device") a.device = next();
    else if (k == "--batch") a.batches = next();
    else if (k == "--images") a.images = next();
    else if (k == "--format") a.format = next();
    else if (k == "--count") a.count = std::atoi(next().c_str());
    else if (k == "--threads") a.threads = std::atoi(next().c_str());
    else {
      std::fprintf(stderr, "unknown argument %s (see the header of bench/bench_t2i_extract.cpp)\n", k.c_str());
      std::exit(2);
    }
  }
  if (!a.weights_given && a.model == "inception")
    a.weights = std::string(PGC_FIXTURES_DIR) + "/t2i/inception/inception_fid_random_f16.safetensors";
  return a;
}

void report(const char* what, size_t batch, size_t n, double wall, double cpu) {
  // On a shared machine the wall time depends on the neighbours; images per CPU second less so.
  std::printf("%-36s batch %3zu: %5zu images, %7.2f s wall, %7.2f s CPU: %8.1f images/s wall, %8.1f images/CPU-s\n",
              what, batch, n, wall, cpu, n / wall, n / cpu);
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  std::vector<size_t> batches;
  {
    std::stringstream ss(a.batches);
    std::string item;
    while (std::getline(ss, item, ',')) batches.push_back(std::stoul(item));
  }
  fs::path tmp;
  if (a.images.empty()) {
    tmp = fs::temp_directory_path() / ("pgc_bench_t2i_" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    const fs::path src = fs::path(PGC_FIXTURES_DIR) / "t2i" / "images" /
                         (a.format == "jpg" ? "jpg_000000142238.jpg" : "img02_rgb_512x384.png");
    for (int i = 0; i < a.count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "img%05d.%s", i, a.format == "jpg" ? "jpg" : "png");
      fs::copy_file(src, tmp / name);
    }
    a.images = tmp.string();
  }
  const auto files = pgc::list_image_files(
      a.images, a.model == "dinov2" ? pgc::ImageListRule::kDgmEval : pgc::ImageListRule::kPytorchFid);
  std::printf("bench_t2i_extract: %zu images from %s, model %s, device %s, %u hardware threads\n", files.size(),
              a.images.c_str(), a.model.c_str(), a.device.c_str(), std::thread::hardware_concurrency());

  const int input_size = a.model == "dinov2" ? 224 : 0;
  for (size_t batch : batches) {
    NullExtractor null(input_size);
    pgc::FeaturePipelineOptions opt;
    opt.batch_size = batch;
    opt.threads = a.threads;
    opt.quiet = true;
    auto t0 = std::chrono::steady_clock::now();
    double c0 = cpu_seconds();
    pgc::extract_features(files, null, opt);
    report(input_size ? "decode + Pillow bicubic 224 (floor)" : "decode + to float (floor)", batch, files.size(),
           seconds_since(t0), cpu_seconds() - c0);
  }

  std::unique_ptr<pgc::FeatureExtractor> extractor;
  try {
    auto t0 = std::chrono::steady_clock::now();
    if (a.model == "inception") extractor = pgc::load_inception_fid(a.weights, a.device);
    else
      extractor = pgc::load_dinov2(a.weights, a.config.empty() ? pgc::Dinov2Config{} : pgc::read_dinov2_config(a.config),
                                   a.device);
    std::printf("loaded %s (%zu-d) in %.2f s\n", extractor->name().c_str(), extractor->dim(), seconds_since(t0));
  } catch (const std::exception& e) {
    std::printf("network not available: %s (only the floor was measured)\n", e.what());
  }
  if (extractor) {
    for (size_t batch : batches) {
      pgc::FeaturePipelineOptions opt;
      opt.batch_size = batch;
      opt.threads = a.threads;
      opt.quiet = true;
      auto t0 = std::chrono::steady_clock::now();
      double c0 = cpu_seconds();
      pgc::FeatureSet f = pgc::extract_features(files, *extractor, opt);
      report((extractor->name() + " features").c_str(), batch, f.count, seconds_since(t0), cpu_seconds() - c0);
    }
  }
  std::printf("peak RSS %ld MB\n", peak_rss_mb());
  std::printf("reference (PyTorch with the same weights): not timed here (no python torch installed)\n");
  if (!tmp.empty()) fs::remove_all(tmp);
  return 0;
}
