#pragma once
// `pgc t2i` without the command line: FID (pytorch-fid) or FD-DINOv2 (dgm-eval) between a
// real and a generated image set, each given as a folder of images or as pytorch-fid
// statistics (.npz with mu, sigma; an (N, d) .npy feature matrix works too). The network
// comes from a factory so that tests can run the whole flow with a fake extractor; the CLI
// passes one that loads the LibTorch InceptionV3 / DINOv2.
//
// Every input is checked (folders listed, statistics read) before the network is loaded,
// and nothing is written unless the whole computation succeeded.
#include <functional>
#include <memory>
#include <string>

#include "core/json.hpp"
#include "metrics/frechet_distance.hpp"
#include "models/feature_extractor.hpp"
#include "t2i/gaussian_stats.hpp"
#include "t2i/image_io.hpp"

namespace pgc {

struct T2iRequest {
  std::string real, fake;       // folder, .npz statistics or .npy features
  std::string metric = "fid";   // "fid" or "fd-dinov2"
  std::string weights;          // the network's safetensors (its SHA-256 enters the signature)
  std::string device = "cpu";   // resolved device, recorded in the signature
  size_t batch_size = 50;
  bool clean_resize = false;    // fd-dinov2 only (dgm-eval --clean_resize)
  int threads = 0;              // decoding threads (0: one per core)
  bool quiet = false;
  FrechetOptions frechet;
  std::string name;             // system name in the results (default: the fake input's path)
  std::string save_stats;       // .npz of the fake side's statistics (fake must be a folder)
  std::string save_real_stats;  // .npz of the real side's statistics (real must be a folder)
  std::string json;             // results file ("-": stdout); empty: none
};

// The corpus key the leaderboard reads: "FID" or "FD_DINOv2".
std::string t2i_corpus_key(const std::string& metric);

// The "terms" block of `pgc t2i` / `pgc fd` results: the FD's summands and how sqrtm went
// (callers add their sample counts).
JsonValue frechet_terms_json(const FrechetResult& fr, JsonDoc::AllocatorType& a);
// The folder listing rule of the metric's reference (pytorch-fid or dgm-eval).
ImageListRule t2i_list_rule(const std::string& metric);

struct T2iOutcome {
  double fd = 0;
  FrechetResult terms;
  size_t n_real = 0, n_fake = 0;  // images (0 for a side given as .npz)
  JsonDoc results;                // the pgc.results/1 document (written when request.json is set)
};

using ExtractorFactory = std::function<std::unique_ptr<FeatureExtractor>()>;

// Runs the evaluation; writes save_stats / save_real_stats / json at the very end.
// InputError for bad inputs (naming file and item), UsageError for flag combinations.
T2iOutcome run_t2i(const T2iRequest& request, const ExtractorFactory& make_extractor);

}  // namespace pgc
