#pragma once
// The DINOv2 ViT behind load_dinov2 (models/feature_extractor.hpp), exposed on the torch side
// for tests and benchmarks that need its intermediates: the interpolated position embedding
// and the token activations after each stage. Only <ATen/core/Tensor.h> here.
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "models/feature_extractor.hpp"

namespace pgc {

// Activations of one forward pass, (B, tokens, D) each, as the reference names them.
struct Dinov2Trace {
  at::Tensor tokens_after_pos_embed;  // cls + patch tokens + position embedding, before registers
  std::vector<at::Tensor> block_outputs;
  at::Tensor final_norm;              // cls, registers, patches after the final LayerNorm
};

// facebookresearch/dinov2's DinoVisionTransformer (b8931f7b) in inference, float32.
class Dinov2Network {
 public:
  // weights_file: safetensors with the torch.hub state_dict names or HF transformers'
  // Dinov2Model names (detected from the names); "" = seeded random weights (benchmarks only).
  // device: "cpu" or "cuda" (or "cuda:N").
  Dinov2Network(const std::string& weights_file, const Dinov2Config& config, const std::string& device);
  ~Dinov2Network();
  Dinov2Network(const Dinov2Network&) = delete;
  Dinov2Network& operator=(const Dinov2Network&) = delete;

  const Dinov2Config& config() const;
  // "hub", "hf" or "random": where the weights came from.
  const std::string& weights_layout() const;

  // The position embedding added to an H x W input's tokens, (1, 1 + (H/p)(W/p), D), computed
  // as the reference's interpolate_pos_encoding (bicubic in float32, offset or antialias rule).
  at::Tensor position_embedding(int64_t height, int64_t width) const;

  // ImageNet-normalized pixels (B, 3, H, W) float32 (any device; moved to the network's) ->
  // tokens after the final LayerNorm (B, 1 + registers + patches, D) on the network's device.
  // Call under c10::InferenceMode or a NoGradGuard. `trace`, if given, receives intermediates.
  at::Tensor forward(const at::Tensor& pixels, Dinov2Trace* trace = nullptr) const;

  // dgm-eval's input: torchvision ToTensor + Normalize(mean (0.485, 0.456, 0.406), std
  // (0.229, 0.224, 0.225)) as float32 `(x - mean) / std`, on CPU, (B, 3, H, W). All images
  // must have the same size (std::invalid_argument otherwise).
  static at::Tensor normalized_batch(const std::vector<ImageF32>& batch);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgc
