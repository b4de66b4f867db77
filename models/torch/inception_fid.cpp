// pytorch-fid's FID InceptionV3 (pytorch_fid/inception.py, 0.3.0): torchvision's Inception3
// with the FID-specific blocks of the TF 2015-12-05 graph, used up to the pool3 feature.
//
// Module and parameter names are those of pytorch-fid's state_dict
// (pt_inception-2015-12-05-6726825d.pth), e.g. `Mixed_7c.branch_pool.bn.running_var`, so a
// converted checkpoint binds by name (WeightBinder: missing, unexpected or mis-shaped tensors
// are errors; the 1008-class `fc.*` head is ignored). The forward pass follows the wrapper
// `InceptionV3(output_blocks=[3], resize_input=True, normalize_input=True)`:
//   ToTensor values in [0,1] -> F.interpolate((299,299), bilinear, align_corners=False,
//   no antialias) -> 2x-1 -> blocks 0..3 -> adaptive average pool -> 2048 floats.
#include "models/torch/inception_fid.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <stdexcept>

#include "core/error.hpp"
#include "models/safetensors.hpp"
#include "models/torch/weights.hpp"

namespace pgc {
namespace {

namespace nn = torch::nn;

constexpr int64_t kInputSize = 299;
constexpr int64_t kFeatureDim = 2048;

// BatchNorm2d in eval mode (running statistics), eps 0.001 as in the TF graph. Parameters and
// buffers as torch.nn.BatchNorm2d's, except num_batches_tracked: it only counts training
// steps, old checkpoints lack it (PyTorch's loader then fills it in), and writers store it 0-d
// or as [1]; the loader skips it (see load_inception_fid).
struct BatchNorm2dImpl : nn::Module {
  explicit BatchNorm2dImpl(int64_t channels) {
    weight = register_parameter("weight", at::ones({channels}));
    bias = register_parameter("bias", at::zeros({channels}));
    running_mean = register_buffer("running_mean", at::zeros({channels}));
    running_var = register_buffer("running_var", at::ones({channels}));
  }
  at::Tensor forward(const at::Tensor& x) {
    return at::batch_norm(x, weight, bias, running_mean, running_var, /*training=*/false,
                          /*momentum=*/0.1, /*eps=*/0.001, /*cudnn_enabled=*/true);
  }

  at::Tensor weight, bias, running_mean, running_var;
};
TORCH_MODULE(BatchNorm2d);

// torchvision's BasicConv2d: conv without bias -> BatchNorm -> ReLU.
struct BasicConv2dImpl : nn::Module {
  BasicConv2dImpl(int64_t in, int64_t out, std::array<int64_t, 2> kernel, int64_t stride = 1,
                  std::array<int64_t, 2> padding = {0, 0}) {
    conv = register_module(
        "conv", nn::Conv2d(nn::Conv2dOptions(in, out, {kernel[0], kernel[1]})
                               .stride(stride)
                               .padding({padding[0], padding[1]})
                               .bias(false)));
    bn = register_module("bn", BatchNorm2d(out));
  }
  at::Tensor forward(const at::Tensor& x) { return bn(conv(x)).relu_(); }

  nn::Conv2d conv{nullptr};
  BatchNorm2d bn{nullptr};
};
TORCH_MODULE(BasicConv2d);

// Kernel and padding shapes of the factorized convolutions (named: ModuleHolder's forwarding
// constructor can't take braced lists).
const std::array<int64_t, 2> k1x7{1, 7}, k7x1{7, 1}, pad1x7{0, 3}, pad7x1{3, 0};
const std::array<int64_t, 2> k1x3{1, 3}, k3x1{3, 1}, pad1x3{0, 1}, pad3x1{1, 0};

// Square-kernel shorthand: BasicConv2d(in, out, kernel_size=k, stride=s, padding=p).
BasicConv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride = 1, int64_t padding = 0) {
  return BasicConv2d(in, out, std::array<int64_t, 2>{k, k}, stride,
                     std::array<int64_t, 2>{padding, padding});
}

// The pool branch of FIDInceptionA/C/E_1: TF's average pool ignores the zero padding.
at::Tensor avg_pool_3x3_excluding_padding(const at::Tensor& x) {
  return at::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}, /*ceil_mode=*/false, /*count_include_pad=*/false);
}

// Mixed_5b/5c/5d.
struct FIDInceptionAImpl : nn::Module {
  FIDInceptionAImpl(int64_t in, int64_t pool_features) {
    branch1x1 = register_module("branch1x1", conv(in, 64, 1));
    branch5x5_1 = register_module("branch5x5_1", conv(in, 48, 1));
    branch5x5_2 = register_module("branch5x5_2", conv(48, 64, 5, 1, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", conv(in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", conv(64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", conv(96, 96, 3, 1, 1));
    branch_pool = register_module("branch_pool", conv(in, pool_features, 1));
  }
  at::Tensor forward(const at::Tensor& x) {
    return at::cat({branch1x1(x), branch5x5_2(branch5x5_1(x)),
                    branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                    branch_pool(avg_pool_3x3_excluding_padding(x))},
                   1);
  }

  BasicConv2d branch1x1{nullptr}, branch5x5_1{nullptr}, branch5x5_2{nullptr},
      branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr}, branch3x3dbl_3{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(FIDInceptionA);

// Mixed_6a (torchvision's InceptionB, unchanged by pytorch-fid).
struct InceptionBImpl : nn::Module {
  explicit InceptionBImpl(int64_t in) {
    branch3x3 = register_module("branch3x3", conv(in, 384, 3, 2));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", conv(in, 64, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", conv(64, 96, 3, 1, 1));
    branch3x3dbl_3 = register_module("branch3x3dbl_3", conv(96, 96, 3, 2));
  }
  at::Tensor forward(const at::Tensor& x) {
    return at::cat({branch3x3(x), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                    at::max_pool2d(x, {3, 3}, {2, 2})},
                   1);
  }

  BasicConv2d branch3x3{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr},
      branch3x3dbl_3{nullptr};
};
TORCH_MODULE(InceptionB);

// Mixed_6b..6e: factorized 7x7 convolutions.
struct FIDInceptionCImpl : nn::Module {
  FIDInceptionCImpl(int64_t in, int64_t c7) {
    branch1x1 = register_module("branch1x1", conv(in, 192, 1));
    branch7x7_1 = register_module("branch7x7_1", conv(in, c7, 1));
    branch7x7_2 = register_module("branch7x7_2", BasicConv2d(c7, c7, k1x7, 1, pad1x7));
    branch7x7_3 = register_module("branch7x7_3", BasicConv2d(c7, 192, k7x1, 1, pad7x1));
    branch7x7dbl_1 = register_module("branch7x7dbl_1", conv(in, c7, 1));
    branch7x7dbl_2 = register_module("branch7x7dbl_2", BasicConv2d(c7, c7, k7x1, 1, pad7x1));
    branch7x7dbl_3 = register_module("branch7x7dbl_3", BasicConv2d(c7, c7, k1x7, 1, pad1x7));
    branch7x7dbl_4 = register_module("branch7x7dbl_4", BasicConv2d(c7, c7, k7x1, 1, pad7x1));
    branch7x7dbl_5 = register_module("branch7x7dbl_5", BasicConv2d(c7, 192, k1x7, 1, pad1x7));
    branch_pool = register_module("branch_pool", conv(in, 192, 1));
  }
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor b7x7 = branch7x7_3(branch7x7_2(branch7x7_1(x)));
    at::Tensor b7x7dbl = branch7x7dbl_5(
        branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x)))));
    return at::cat({branch1x1(x), b7x7, b7x7dbl, branch_pool(avg_pool_3x3_excluding_padding(x))}, 1);
  }

  BasicConv2d branch1x1{nullptr}, branch7x7_1{nullptr}, branch7x7_2{nullptr},
      branch7x7_3{nullptr}, branch7x7dbl_1{nullptr}, branch7x7dbl_2{nullptr},
      branch7x7dbl_3{nullptr}, branch7x7dbl_4{nullptr}, branch7x7dbl_5{nullptr},
      branch_pool{nullptr};
};
TORCH_MODULE(FIDInceptionC);

// Mixed_7a (torchvision's InceptionD, unchanged by pytorch-fid).
struct InceptionDImpl : nn::Module {
  explicit InceptionDImpl(int64_t in) {
    branch3x3_1 = register_module("branch3x3_1", conv(in, 192, 1));
    branch3x3_2 = register_module("branch3x3_2", conv(192, 320, 3, 2));
    branch7x7x3_1 = register_module("branch7x7x3_1", conv(in, 192, 1));
    branch7x7x3_2 = register_module("branch7x7x3_2", BasicConv2d(192, 192, k1x7, 1, pad1x7));
    branch7x7x3_3 = register_module("branch7x7x3_3", BasicConv2d(192, 192, k7x1, 1, pad7x1));
    branch7x7x3_4 = register_module("branch7x7x3_4", conv(192, 192, 3, 2));
  }
  at::Tensor forward(const at::Tensor& x) {
    return at::cat({branch3x3_2(branch3x3_1(x)),
                    branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))),
                    at::max_pool2d(x, {3, 3}, {2, 2})},
                   1);
  }

  BasicConv2d branch3x3_1{nullptr}, branch3x3_2{nullptr}, branch7x7x3_1{nullptr},
      branch7x7x3_2{nullptr}, branch7x7x3_3{nullptr}, branch7x7x3_4{nullptr};
};
TORCH_MODULE(InceptionD);

// Mixed_7b (FIDInceptionE_1: average pool without padding) and Mixed_7c (FIDInceptionE_2:
// max pool, a bug of the TF graph that FID scores depend on).
enum class EPool { kAverageExcludingPadding, kMax };

struct FIDInceptionEImpl : nn::Module {
  FIDInceptionEImpl(int64_t in, EPool pool) : pool(pool) {
    branch1x1 = register_module("branch1x1", conv(in, 320, 1));
    branch3x3_1 = register_module("branch3x3_1", conv(in, 384, 1));
    branch3x3_2a = register_module("branch3x3_2a", BasicConv2d(384, 384, k1x3, 1, pad1x3));
    branch3x3_2b = register_module("branch3x3_2b", BasicConv2d(384, 384, k3x1, 1, pad3x1));
    branch3x3dbl_1 = register_module("branch3x3dbl_1", conv(in, 448, 1));
    branch3x3dbl_2 = register_module("branch3x3dbl_2", conv(448, 384, 3, 1, 1));
    branch3x3dbl_3a = register_module("branch3x3dbl_3a", BasicConv2d(384, 384, k1x3, 1, pad1x3));
    branch3x3dbl_3b = register_module("branch3x3dbl_3b", BasicConv2d(384, 384, k3x1, 1, pad3x1));
    branch_pool = register_module("branch_pool", conv(in, 192, 1));
  }
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor b3x3 = branch3x3_1(x);
    b3x3 = at::cat({branch3x3_2a(b3x3), branch3x3_2b(b3x3)}, 1);
    at::Tensor b3x3dbl = branch3x3dbl_2(branch3x3dbl_1(x));
    b3x3dbl = at::cat({branch3x3dbl_3a(b3x3dbl), branch3x3dbl_3b(b3x3dbl)}, 1);
    at::Tensor pooled = pool == EPool::kMax ? at::max_pool2d(x, {3, 3}, {1, 1}, {1, 1})
                                            : avg_pool_3x3_excluding_padding(x);
    return at::cat({branch1x1(x), b3x3, b3x3dbl, branch_pool(pooled)}, 1);
  }

  EPool pool;
  BasicConv2d branch1x1{nullptr}, branch3x3_1{nullptr}, branch3x3_2a{nullptr},
      branch3x3_2b{nullptr}, branch3x3dbl_1{nullptr}, branch3x3dbl_2{nullptr},
      branch3x3dbl_3a{nullptr}, branch3x3dbl_3b{nullptr}, branch_pool{nullptr};
};
TORCH_MODULE(FIDInceptionE);

// The Inception3 trunk, split into pytorch-fid's four output blocks.
struct FIDInception3Impl : nn::Module {
  FIDInception3Impl() {
    Conv2d_1a_3x3 = register_module("Conv2d_1a_3x3", conv(3, 32, 3, 2));
    Conv2d_2a_3x3 = register_module("Conv2d_2a_3x3", conv(32, 32, 3));
    Conv2d_2b_3x3 = register_module("Conv2d_2b_3x3", conv(32, 64, 3, 1, 1));
    Conv2d_3b_1x1 = register_module("Conv2d_3b_1x1", conv(64, 80, 1));
    Conv2d_4a_3x3 = register_module("Conv2d_4a_3x3", conv(80, 192, 3));
    Mixed_5b = register_module("Mixed_5b", FIDInceptionA(192, 32));
    Mixed_5c = register_module("Mixed_5c", FIDInceptionA(256, 64));
    Mixed_5d = register_module("Mixed_5d", FIDInceptionA(288, 64));
    Mixed_6a = register_module("Mixed_6a", InceptionB(288));
    Mixed_6b = register_module("Mixed_6b", FIDInceptionC(768, 128));
    Mixed_6c = register_module("Mixed_6c", FIDInceptionC(768, 160));
    Mixed_6d = register_module("Mixed_6d", FIDInceptionC(768, 160));
    Mixed_6e = register_module("Mixed_6e", FIDInceptionC(768, 192));
    Mixed_7a = register_module("Mixed_7a", InceptionD(768));
    Mixed_7b = register_module("Mixed_7b", FIDInceptionE(1280, EPool::kAverageExcludingPadding));
    Mixed_7c = register_module("Mixed_7c", FIDInceptionE(2048, EPool::kMax));
  }

  at::Tensor block0(const at::Tensor& x) {  // 299 -> 64 x 73 x 73
    return at::max_pool2d(Conv2d_2b_3x3(Conv2d_2a_3x3(Conv2d_1a_3x3(x))), {3, 3}, {2, 2});
  }
  at::Tensor block1(const at::Tensor& x) {  // -> 192 x 35 x 35
    return at::max_pool2d(Conv2d_4a_3x3(Conv2d_3b_1x1(x)), {3, 3}, {2, 2});
  }
  at::Tensor block2(const at::Tensor& x) {  // -> 768 x 17 x 17
    return Mixed_6e(Mixed_6d(Mixed_6c(Mixed_6b(Mixed_6a(Mixed_5d(Mixed_5c(Mixed_5b(x))))))));
  }
  at::Tensor block3(const at::Tensor& x) {  // -> 2048 x 1 x 1 (pool3)
    return at::adaptive_avg_pool2d(Mixed_7c(Mixed_7b(Mixed_7a(x))), {1, 1});
  }

  BasicConv2d Conv2d_1a_3x3{nullptr}, Conv2d_2a_3x3{nullptr}, Conv2d_2b_3x3{nullptr},
      Conv2d_3b_1x1{nullptr}, Conv2d_4a_3x3{nullptr};
  FIDInceptionA Mixed_5b{nullptr}, Mixed_5c{nullptr}, Mixed_5d{nullptr};
  InceptionB Mixed_6a{nullptr};
  FIDInceptionC Mixed_6b{nullptr}, Mixed_6c{nullptr}, Mixed_6d{nullptr}, Mixed_6e{nullptr};
  InceptionD Mixed_7a{nullptr};
  FIDInceptionE Mixed_7b{nullptr}, Mixed_7c{nullptr};
};
TORCH_MODULE(FIDInception3);

// The wrapper's input preprocessing: F.interpolate(size=(299, 299), mode="bilinear",
// align_corners=False), no antialias even when downscaling (at 299x299 an exact copy).
at::Tensor resize_to_299(const at::Tensor& nchw) {
  return at::upsample_bilinear2d(nchw, {kInputSize, kInputSize}, /*align_corners=*/false);
}

// pytorch-fid's normalize_input: [0, 1] -> [-1, 1], as `2 * x - 1`.
at::Tensor normalize(const at::Tensor& x) { return x * 2 - 1; }

class InceptionFid final : public FeatureExtractor {
 public:
  InceptionFid(FIDInception3 net, at::Device device) : net_(std::move(net)), device_(device) {}

  size_t dim() const override { return kFeatureDim; }
  std::string name() const override { return "inception-fid-pool3"; }
  int input_size() const override { return 0; }

  void extract(const std::vector<ImageF32>& batch, std::vector<float>& out) override {
    if (batch.empty()) return;
    c10::InferenceMode inference;
    at::Tensor features = forward(resized_batch(batch)).flatten(1).to(at::kCPU).contiguous();
    const float* begin = features.data_ptr<float>();
    out.insert(out.end(), begin, begin + features.numel());
  }

  InceptionFidIntermediates intermediates(const at::Tensor& images) {
    if (images.dim() != 4 || images.size(1) != 3 || images.scalar_type() != at::kFloat)
      throw std::invalid_argument("inception_fid_intermediates: want a float32 (N, 3, H, W) tensor");
    c10::InferenceMode inference;
    at::Tensor resized = resize_to_299(images.to(device_));
    at::Tensor normalized = normalize(resized);
    at::Tensor b0 = net_->block0(normalized), b1 = net_->block1(b0), b2 = net_->block2(b1);
    at::Tensor b3 = net_->block3(b2);
    auto cpu = [](const at::Tensor& t) { return t.to(at::kCPU).contiguous(); };
    return {cpu(resized), cpu(normalized), cpu(b0), cpu(b1), cpu(b2), cpu(b3)};
  }

 private:
  // Each image HWC -> (1, 3, H, W) on the device -> resized to 299; images of any sizes mix.
  at::Tensor resized_batch(const std::vector<ImageF32>& batch) const {
    std::vector<at::Tensor> resized;
    resized.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      const ImageF32& image = batch[i];
      if (image.width <= 0 || image.height <= 0 ||
          image.rgb.size() != size_t(image.width) * size_t(image.height) * 3)
        throw std::invalid_argument("inception-fid: image " + std::to_string(i) + " of the batch is " +
                                    std::to_string(image.width) + "x" + std::to_string(image.height) +
                                    " with " + std::to_string(image.rgb.size()) + " floats");
      // from_blob only views the caller's pixels: nothing below writes to it (the permute's
      // contiguous() and the interpolation make new tensors).
      at::Tensor hwc = at::from_blob(const_cast<float*>(image.rgb.data()),
                                     {image.height, image.width, 3}, at::kFloat);
      at::Tensor chw = hwc.to(device_).permute({2, 0, 1}).contiguous();
      resized.push_back(resize_to_299(chw.unsqueeze(0)));
    }
    return resized.size() == 1 ? resized.front() : at::cat(resized, 0);
  }

  at::Tensor forward(const at::Tensor& resized) {
    return net_->block3(net_->block2(net_->block1(net_->block0(normalize(resized)))));
  }

  FIDInception3 net_;
  at::Device device_;
};

at::Device parse_device(const std::string& device) {
  if (device == "cpu") return at::Device(at::kCPU);
  if (device.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw UsageError("inception-fid: device '" + device + "': this LibTorch build has no CUDA or sees no GPU");
    try {
      return at::Device(device);
    } catch (const c10::Error&) {
    }
  }
  throw UsageError("inception-fid: device must be cpu or cuda, not '" + device + "'");
}

// The checkpoint names of the BatchNorm step counters the model leaves out: one
// `<layer>.num_batches_tracked` per BatchNorm (a counter of any other name stays unexpected).
std::vector<std::string> batch_norm_counters(nn::Module& net) {
  const std::string suffix = "running_mean";
  std::vector<std::string> names;
  for (const auto& item : net.named_buffers()) {
    const std::string& name = item.key();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      names.push_back(name.substr(0, name.size() - suffix.size()) + "num_batches_tracked");
  }
  return names;
}

}  // namespace

std::unique_ptr<FeatureExtractor> load_inception_fid(const std::string& weights_file,
                                                     const std::string& device) {
  const at::Device where = parse_device(device);
  FIDInception3 net;
  // An empty path keeps LibTorch's default initialization: for benchmarks only, the
  // features mean nothing.
  if (!weights_file.empty()) {
    SafetensorsCheckpoint checkpoint(weights_file);
    // Weights stay float32 whatever the file stores (the reference upcasts float16 too).
    WeightBinder binder(checkpoint);
    binder.ignore_prefix("fc.");  // the 1008-class logits head; pool3 comes before it
    for (const std::string& counter : batch_norm_counters(*net)) binder.ignore(counter);
    binder.bind(*net);
  }
  net->to(where);
  // cuDNN may use TF32 for float32 convolutions by default (PyTorch's
  // torch.backends.cudnn.allow_tf32), ~1e-3 relative on the features; switched off so that
  // CUDA features agree with the float32 CPU reference. Process-wide setting.
  if (where.is_cuda()) at::globalContext().setAllowTF32CuDNN(false);
  net->eval();
  return std::make_unique<InceptionFid>(std::move(net), where);
}

InceptionFidIntermediates inception_fid_intermediates(FeatureExtractor& extractor,
                                                      const at::Tensor& images) {
  auto* inception = dynamic_cast<InceptionFid*>(&extractor);
  if (!inception) throw std::invalid_argument("inception_fid_intermediates: not an inception-fid extractor");
  return inception->intermediates(images);
}

}  // namespace pgc
