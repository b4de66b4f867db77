// Benchmark: FID InceptionV3 (pytorch-fid pool3) throughput through the FeatureExtractor
// interface, on random 299x299 inputs (resize is an exact copy) and random 512x384 inputs
// (bilinear downscale inside), with peak memory. With --dump-json the features of a fixed
// built-in input list are written, so they can be compared with pytorch-fid's InceptionV3
// run on the same weights elsewhere (e.g. on a GPU machine with python torch).
//
// Builds with LibTorch + RapidJSON + pgc_core/pgc_models only (no CLI11, Boost, spng): it
// links from bench_inception.cpp, core/atomic_file.cpp, core/json.cpp, models/safetensors.cpp
// and models/torch/{weights,device,inception_fid}.cpp alone.
// The reference (pytorch-fid on torch 1.13 CPU, batch 1) took 59.97 s for the 11 fixture
// images on the machine that generated the fixtures (t2i/inception/manifest.json); python
// torch is not installed here, so there is no same-machine comparison.
#include <sys/resource.h>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.hpp"
#include "models/device.hpp"
#include "models/feature_extractor.hpp"
#include "bench_clock.hpp"

namespace {

#ifdef PGC_FIXTURES_DIR
const std::string kDefaultWeights = std::string(PGC_FIXTURES_DIR) + "/t2i/inception/inception_fid_random_f16.safetensors";
#else
const std::string kDefaultWeights;
#endif

struct Options {
  std::string weights = kDefaultWeights;
  bool random_init = false;
  std::string device = "cpu";
  int batch = 8;
  int batches = 3;  // timed batches per input size (after one warm-up batch)
  int threads = 0;  // 0: one per hardware thread
  std::string dump_json;
};

void usage() {
  std::printf(
      "usage: bench_inception [options]\n"
      "  --weights F     safetensors checkpoint (default: %s)\n"
      "  --random-init   no weights: LibTorch's default initialization (speed only)\n"
      "  --device D      cpu | cuda | auto (default: cpu)\n"
      "  --batch N       images per extract() call (default: 8)\n"
      "  --batches N     timed batches per input size, after one warm-up (default: 3)\n"
      "  --threads N     intra-op threads (default: 0 = one per hardware thread; LibTorch's own\n"
      "                  default counts physical cores only)\n"
      "  --dump-json F   also write the features of the built-in input list to F (default: none)\n",
      kDefaultWeights.empty() ? "none, required" : kDefaultWeights.c_str());
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else if (a == "--weights") {
      o.weights = value();
    } else if (a == "--random-init") {
      o.random_init = true;
    } else if (a == "--device") {
      o.device = value();
    } else if (a == "--batch") {
      o.batch = std::stoi(value());
    } else if (a == "--batches") {
      o.batches = std::stoi(value());
    } else if (a == "--threads") {
      o.threads = std::stoi(value());
    } else if (a == "--dump-json") {
      o.dump_json = value();
    } else {
      throw std::runtime_error("unknown argument " + a + " (see --help)");
    }
  }
  if (o.batch < 1 || o.batches < 1) throw std::runtime_error("--batch and --batches must be >= 1");
  if (o.random_init) o.weights.clear();
  else if (o.weights.empty()) throw std::runtime_error("--weights F (or --random-init) is required");
  return o;
}

using pgc_bench::seconds_since;
using pgc_bench::cpu_seconds;

long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

std::vector<pgc::ImageF32> random_images(int count, int width, int height, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<pgc::ImageF32> images(static_cast<size_t>(count));
  for (auto& image : images) {
    image.width = width;
    image.height = height;
    image.rgb.resize(size_t(width) * height * 3);
    for (float& v : image.rgb) v = float(rng() % 256) / 255.0f;  // like decoded uint8 pixels
  }
  return images;
}

struct Throughput {
  double images_per_s;     // wall clock
  double cpu_s_per_image;  // process CPU time
};

// Over `batches` calls of extract() on one batch, after one warm-up call.
Throughput throughput(pgc::FeatureExtractor& model, const std::vector<pgc::ImageF32>& batch, int batches) {
  std::vector<float> out;
  model.extract(batch, out);
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  for (int i = 0; i < batches; ++i) {
    out.clear();
    model.extract(batch, out);
  }
  const double images = double(batch.size()) * batches;
  return {images / seconds_since(t0), (cpu_seconds() - cpu0) / images};
}

// The built-in input list of --dump-json; reproducible in numpy from the formula.
const char* kInputFormula =
    "image i, size width x height, HWC: u8[y, x, c] = (3*x + 5*y + 85*c + 41*i + (x*y) % 7) % 256; "
    "input = u8 / 255 as float32 (ToTensor values)";
struct DumpInput {
  int width, height;
};
const DumpInput kDumpInputs[] = {{299, 299}, {512, 384}, {64, 64}, {97, 211}};

pgc::ImageF32 dump_image(int i, int width, int height) {
  pgc::ImageF32 image;
  image.width = width;
  image.height = height;
  image.rgb.resize(size_t(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        image.rgb[(size_t(y) * width + x) * 3 + c] =
            float((3 * x + 5 * y + 85 * c + 41 * i + (x * y) % 7) % 256) / 255.0f;
  return image;
}

void dump_json(pgc::FeatureExtractor& model, const Options& o, const std::string& device) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("model");
  w.String(model.name().c_str());
  w.Key("weights");
  w.String(o.weights.c_str());
  w.Key("device");
  w.String(device.c_str());
  w.Key("batch_size");
  w.Int(1);
  w.Key("input_formula");
  w.String(kInputFormula);
  w.Key("inputs");
  w.StartArray();
  for (const DumpInput& in : kDumpInputs) {
    w.StartObject();
    w.Key("width");
    w.Int(in.width);
    w.Key("height");
    w.Int(in.height);
    w.EndObject();
  }
  w.EndArray();
  w.Key("features");
  w.StartArray();
  int i = 0;
  for (const DumpInput& in : kDumpInputs) {
    std::vector<float> features;
    model.extract({dump_image(i++, in.width, in.height)}, features);  // batch 1, as the reference
    w.StartArray();
    for (float v : features) w.Double(double(v));
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  pgc::write_file_atomic(o.dump_json, std::string(buffer.GetString(), buffer.GetSize()) + "\n");
  std::printf("features of %zu built-in inputs written to %s\n", std::size(kDumpInputs), o.dump_json.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    at::set_num_threads(o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
    const std::string device = pgc::resolve_device(o.device);
    const auto t_load = std::chrono::steady_clock::now();
    auto model = pgc::load_inception_fid(o.weights, device);
    std::printf("inception-fid: weights %s, device %s, %d intra-op threads, mkldnn %s; load %.2f s\n",
                o.weights.empty() ? "(random init)" : o.weights.c_str(), device.c_str(),
                at::get_num_threads(), at::hasMKLDNN() ? "yes" : "no", seconds_since(t_load));

    if (!o.dump_json.empty()) dump_json(*model, o, device);

    struct Case {
      const char* what;
      int width, height;
    };
    for (const Case c : {Case{"299x299 (resize = copy)", 299, 299}, Case{"512x384 (bilinear downscale)", 512, 384}}) {
      const Throughput t = throughput(*model, random_images(o.batch, c.width, c.height, 12345), o.batches);
      std::printf("  %-30s batch %3d: %8.2f images/s (%.1f ms/image wall, %.1f ms/image CPU)\n", c.what,
                  o.batch, t.images_per_s, 1000.0 / t.images_per_s, 1000.0 * t.cpu_s_per_image);
    }
    std::printf("peak RSS %ld MB\n", peak_rss_mb());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_inception: %s\n", e.what());
    return 2;
  }
}
