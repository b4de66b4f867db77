#pragma once
// The networks behind `pgc t2i` and `pgc features`: --model / --metric to a loaded extractor.
#include <memory>
#include <string>

#include "core/error.hpp"
#include "models/device.hpp"
#include "models/feature_extractor.hpp"

namespace pgc {

// model: "inception" (pytorch-fid's FID InceptionV3) or "dinov2" (DINOv2 ViT, ViT-L/14 unless
// `config` names a config JSON). `device` is already resolved ("cpu" or "cuda").
inline std::unique_ptr<FeatureExtractor> load_t2i_extractor(const std::string& model, const std::string& weights,
                                                            const std::string& config, const std::string& device) {
  if (model == "inception") {
    if (!config.empty()) throw UsageError("--config applies to dinov2 only");
    return load_inception_fid(weights, device);
  }
  if (model == "dinov2") return load_dinov2(weights, config.empty() ? Dinov2Config{} : read_dinov2_config(config), device);
  throw UsageError("unknown model '" + model + "' (inception or dinov2)");
}

}  // namespace pgc
