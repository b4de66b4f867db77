// TEMPORARY (t2i branch only): link-time stand-ins for the extractors that the inception and
// dinov2 helpers implement in parallel (models/torch/inception_fid.cpp, models/torch/dinov2.cpp,
// models/dinov2_config.cpp). Drop this file when merging those branches.
#include <stdexcept>

#include "models/feature_extractor.hpp"

namespace pgc {

std::unique_ptr<FeatureExtractor> load_inception_fid(const std::string&, const std::string&) {
  throw std::runtime_error("load_inception_fid: not merged yet");
}

Dinov2Config read_dinov2_config(const std::string&) {
  throw std::runtime_error("read_dinov2_config: not merged yet");
}

std::unique_ptr<FeatureExtractor> load_dinov2(const std::string&, const Dinov2Config&, const std::string&) {
  throw std::runtime_error("load_dinov2: not merged yet");
}

}  // namespace pgc
