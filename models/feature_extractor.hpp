#pragma once
// Image feature extractors for FID / FD-DINOv2, behind a torch-free interface: the t2i
// pipeline (decoding, Pillow resizes, batching, threads) and the CLI include only this; the
// LibTorch networks live in models/torch/ (inception_fid.cpp, dinov2.cpp).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pgc {

// One RGB image as float32 HWC, values in [0, 1]: torchvision's ToTensor of a uint8 image
// is exactly `u8 / 255.0f` (pgc's t2i pipeline produces these; dgm-eval's --clean_resize
// gives clipped float values / 255).
struct ImageF32 {
  int width = 0;
  int height = 0;
  std::vector<float> rgb;  // height * width * 3
};

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  virtual size_t dim() const = 0;
  // Short settings string for result signatures, e.g. "inception-fid-pool3" or
  // "dinov2-vitl14-d1024".
  virtual std::string name() const = 0;
  // 0: any input size (Inception resizes inside, as pytorch-fid's InceptionV3 does);
  // otherwise every image given to extract() must be input_size x input_size (DINOv2: 224,
  // resized beforehand by the t2i pipeline with Pillow's bicubic).
  virtual int input_size() const = 0;
  // Features of a batch, row-major (batch.size() x dim()) float32, appended to `out`.
  virtual void extract(const std::vector<ImageF32>& batch, std::vector<float>& out) = 0;
};

// pytorch-fid's FID InceptionV3 (pool3, 2048-d); weights: safetensors with the
// pt_inception-2015-12-05 state_dict names (fc.* ignored). device: "cpu" or "cuda".
std::unique_ptr<FeatureExtractor> load_inception_fid(const std::string& weights_file,
                                                     const std::string& device);

// DINOv2 ViT configuration: the fields of the fixtures' *.config.json. Defaults: ViT-L/14
// as dgm-eval loads it (dinov2_vitl14).
struct Dinov2Config {
  int img_size = 518;
  int patch_size = 14;
  int embed_dim = 1024;
  int depth = 24;
  int num_heads = 16;
  double mlp_ratio = 4.0;
  int num_register_tokens = 0;
  bool interpolate_antialias = false;
  double interpolate_offset = 0.1;
};
// Reads a config JSON (InputError naming the file and field on bad input); missing fields
// keep the defaults above.
Dinov2Config read_dinov2_config(const std::string& json_file);

// DINOv2 feature = CLS token after the final LayerNorm (not normalized). Weights: safetensors
// with the torch.hub names or HF transformers' Dinov2Model names.
std::unique_ptr<FeatureExtractor> load_dinov2(const std::string& weights_file,
                                              const Dinov2Config& config,
                                              const std::string& device);

}  // namespace pgc
