#pragma once
// Internal hook into the FID InceptionV3 (models/torch/inception_fid.cpp) for the parity
// tests: the tensors pytorch-fid's InceptionV3 wrapper produces on the way to its pool3
// feature. Everything else uses load_inception_fid() from models/feature_extractor.hpp.
#include <ATen/core/Tensor.h>

#include "models/feature_extractor.hpp"

namespace pgc {

// All on the CPU, float32, NCHW.
struct InceptionFidIntermediates {
  at::Tensor resized;     // (N, 3, 299, 299): F.interpolate(bilinear, align_corners=False)
  at::Tensor normalized;  // (N, 3, 299, 299): 2 * resized - 1
  at::Tensor block0;      // (N, 64, 73, 73)
  at::Tensor block1;      // (N, 192, 35, 35)
  at::Tensor block2;      // (N, 768, 17, 17)
  at::Tensor block3;      // (N, 2048, 1, 1): the pool3 feature
};

// `extractor` must come from load_inception_fid (std::invalid_argument otherwise);
// `images` is a float32 (N, 3, H, W) batch of ToTensor values in [0, 1], on any device.
InceptionFidIntermediates inception_fid_intermediates(FeatureExtractor& extractor,
                                                      const at::Tensor& images);

}  // namespace pgc
