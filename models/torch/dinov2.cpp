// DINOv2 ViT feature extractor for FD-DINOv2, as dgm-eval computes it: torch.hub's
// facebookresearch/dinov2 DinoVisionTransformer (b8931f7b), feature = CLS token after the
// final LayerNorm (x_norm_clstoken), not L2-normalized. Float32 throughout (F16/BF16
// checkpoints are widened exactly on load).
//
//   pixels (B,3,224,224), ImageNet-normalized
//   -> patch conv (p x p, stride p) -> (B, N, D) tokens, N = (224/p)^2
//   -> prepend cls, add the position embedding interpolated from the trained grid
//   -> insert register tokens after cls (no position embedding)
//   -> depth x [x += ls1 * attn(norm1(x)); x += ls2 * mlp(norm2(x))], LayerNorm eps 1e-6,
//      attention softmax(q k^T / sqrt(head_dim)) v with qkv laid out (3, heads, head_dim),
//      MLP fc1 -> exact erf GELU -> fc2
//   -> final LayerNorm -> token 0.
//
// Parameters are plain tensors registered in a torch::nn::Module tree under the hub's
// state_dict names, so WeightBinder checks and loads a checkpoint by name; HF transformers'
// Dinov2Model names are renamed onto the same tree (query/key/value kept apart while binding,
// then concatenated into qkv). The forward pass is written functionally with ATen ops.
#include "models/torch/dinov2.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>
#include <torch/version.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "core/error.hpp"
#include "models/safetensors.hpp"
#include "models/torch/weights.hpp"

namespace pgc {
namespace {

constexpr double kLayerNormEps = 1e-6;
constexpr int kInputSize = 224;  // dgm-eval resizes every image to 224 x 224

struct Linear {
  at::Tensor weight, bias;
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

struct LayerNorm {
  at::Tensor weight, bias;
  at::Tensor operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, kLayerNormEps);
  }
};

struct PatchConv {  // (D, 3, p, p) kernel, stride p
  at::Tensor weight, bias;
};

struct Block {
  LayerNorm norm1;
  Linear qkv;                // (3 * D, D): rows are q, k, v, each (heads, head_dim)
  Linear query, key, value;  // HF checkpoints only, until fused into qkv
  Linear proj;
  at::Tensor ls1;            // LayerScale gamma (D)
  LayerNorm norm2;
  Linear fc1, fc2;
  at::Tensor ls2;
};

// torch::nn::Module names a parameter by the path of submodules holding it, so the hub name
// "blocks.3.attn.qkv.weight" needs the modules blocks -> 3 -> attn -> qkv. This builds that
// tree on demand; the tensors it returns share storage with the registered parameters.
class ParameterTree {
 public:
  explicit ParameterTree(at::Device device) : root_(std::make_shared<torch::nn::Module>()), device_(device) {}

  at::Tensor add(const std::string& path, at::IntArrayRef shape) {
    const size_t dot = path.rfind('.');
    torch::nn::Module& owner = dot == std::string::npos ? *root_ : node(path.substr(0, dot));
    at::Tensor t = at::zeros(shape, at::TensorOptions().dtype(at::kFloat).device(device_));
    return owner.register_parameter(dot == std::string::npos ? path : path.substr(dot + 1), t,
                                    /*requires_grad=*/false);
  }
  torch::nn::Module& root() { return *root_; }

 private:
  torch::nn::Module& node(const std::string& path) {
    auto found = nodes_.find(path);
    if (found != nodes_.end()) return *found->second;
    const size_t dot = path.rfind('.');
    torch::nn::Module& parent = dot == std::string::npos ? *root_ : node(path.substr(0, dot));
    auto child = parent.register_module(dot == std::string::npos ? path : path.substr(dot + 1),
                                        std::make_shared<torch::nn::Module>());
    nodes_.emplace(path, child);
    return *child;
  }

  std::shared_ptr<torch::nn::Module> root_;
  std::map<std::string, std::shared_ptr<torch::nn::Module>> nodes_;
  at::Device device_;
};

// HF transformers' Dinov2Model (and Dinov2ForImageClassification's "dinov2." submodule,
// Dinov2WithRegisters' register_tokens) names -> hub names. Unknown names come back unchanged,
// so WeightBinder reports them as unexpected.
std::string hf_to_hub_name(std::string name) {
  if (name.rfind("dinov2.", 0) == 0) name = name.substr(7);
  static const std::pair<const char*, const char*> kWhole[] = {
      {"embeddings.cls_token", "cls_token"},
      {"embeddings.position_embeddings", "pos_embed"},
      {"embeddings.register_tokens", "register_tokens"},
      {"embeddings.patch_embeddings.projection.weight", "patch_embed.proj.weight"},
      {"embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias"},
      {"layernorm.weight", "norm.weight"},
      {"layernorm.bias", "norm.bias"},
  };
  for (const auto& [hf, hub] : kWhole)
    if (name == hf) return hub;
  // encoder.layer.{i}.<inner> -> blocks.{i}.<inner renamed>
  const std::string layer_prefix = "encoder.layer.";
  if (name.rfind(layer_prefix, 0) != 0) return name;
  const size_t dot = name.find('.', layer_prefix.size());
  if (dot == std::string::npos) return name;
  const std::string index = name.substr(layer_prefix.size(), dot - layer_prefix.size());
  const std::string inner = name.substr(dot + 1);
  static const std::pair<const char*, const char*> kInner[] = {
      {"attention.attention.query.", "attn.query."},
      {"attention.attention.key.", "attn.key."},
      {"attention.attention.value.", "attn.value."},
      {"attention.output.dense.", "attn.proj."},
      {"layer_scale1.lambda1", "ls1.gamma"},
      {"layer_scale2.lambda1", "ls2.gamma"},
      {"norm1.", "norm1."},
      {"norm2.", "norm2."},
      {"mlp.fc1.", "mlp.fc1."},
      {"mlp.fc2.", "mlp.fc2."},
  };
  for (const auto& [hf, hub] : kInner) {
    const std::string from = hf;
    if (inner.rfind(from, 0) == 0) return "blocks." + index + "." + hub + inner.substr(from.size());
  }
  return name;
}

bool is_hf_checkpoint(const SafetensorsCheckpoint& checkpoint) {
  return checkpoint.contains("embeddings.cls_token") || checkpoint.contains("dinov2.embeddings.cls_token");
}

at::Device parse_device(const std::string& device) {
  if (device != "cpu" && device.rfind("cuda", 0) != 0)
    throw UsageError("DINOv2: device must be cpu or cuda, not '" + device + "'");
  return at::Device(device);
}

std::string model_name(const Dinov2Config& c) {
  struct Known { int dim, depth, heads; const char* name; };
  static const Known kKnown[] = {{384, 12, 6, "vits"}, {768, 12, 12, "vitb"}, {1024, 24, 16, "vitl"},
                                 {1536, 40, 24, "vitg"}};
  std::string name = "dinov2-vit-e" + std::to_string(c.embed_dim) + "x" + std::to_string(c.depth) + "h" +
                     std::to_string(c.num_heads) + "p" + std::to_string(c.patch_size);
  for (const Known& k : kKnown)
    if (c.embed_dim == k.dim && c.depth == k.depth && c.num_heads == k.heads)
      name = std::string("dinov2-") + k.name + std::to_string(c.patch_size);
  if (c.num_register_tokens > 0) name += "-reg" + std::to_string(c.num_register_tokens);
  return name + "-d" + std::to_string(c.embed_dim);
}

}  // namespace

struct Dinov2Network::Impl {
  Dinov2Config config;
  at::Device device;
  std::string layout;
  at::Tensor cls_token, pos_embed, register_tokens;
  PatchConv patch_embed;
  std::vector<Block> blocks;
  LayerNorm norm;

  Impl(const std::string& weights_file, const Dinov2Config& c, at::Device dev)
      : config(c), device(dev) {
    const std::unique_ptr<SafetensorsCheckpoint> checkpoint =
        weights_file.empty() ? nullptr : std::make_unique<SafetensorsCheckpoint>(weights_file);
    layout = !checkpoint ? "random" : is_hf_checkpoint(*checkpoint) ? "hf" : "hub";
    // The module tree only serves loading; the tensors below share its storage.
    ParameterTree tree(device);
    declare_parameters(tree, /*separate_qkv=*/layout == "hf");
    if (checkpoint) {
      WeightBinder binder(*checkpoint);
      // mask_token only serves masked-image training.
      binder.ignore("mask_token").ignore("embeddings.mask_token").ignore("dinov2.embeddings.mask_token");
      if (layout == "hf") binder.ignore_prefix("classifier.").rename(hf_to_hub_name);
      binder.bind(tree.root());
    } else {
      random_init(tree);
    }
    if (layout == "hf") fuse_qkv();
  }

  void declare_parameters(ParameterTree& tree, bool separate_qkv) {
    const int64_t D = config.embed_dim, p = config.patch_size;
    const int64_t grid = config.img_size / config.patch_size;
    const int64_t hidden = static_cast<int64_t>(D * config.mlp_ratio);  // Python int(): truncation
    cls_token = tree.add("cls_token", {1, 1, D});
    pos_embed = tree.add("pos_embed", {1, 1 + grid * grid, D});
    if (config.num_register_tokens > 0)
      register_tokens = tree.add("register_tokens", {1, config.num_register_tokens, D});
    patch_embed = {tree.add("patch_embed.proj.weight", {D, 3, p, p}), tree.add("patch_embed.proj.bias", {D})};
    for (int i = 0; i < config.depth; ++i) {
      const std::string b = "blocks." + std::to_string(i) + ".";
      auto linear = [&](const std::string& name, int64_t out, int64_t in) {
        return Linear{tree.add(b + name + ".weight", {out, in}), tree.add(b + name + ".bias", {out})};
      };
      auto layer_norm = [&](const std::string& name) {
        return LayerNorm{tree.add(b + name + ".weight", {D}), tree.add(b + name + ".bias", {D})};
      };
      Block blk;
      blk.norm1 = layer_norm("norm1");
      if (separate_qkv) {
        blk.query = linear("attn.query", D, D);
        blk.key = linear("attn.key", D, D);
        blk.value = linear("attn.value", D, D);
      } else {
        blk.qkv = linear("attn.qkv", 3 * D, D);
      }
      blk.proj = linear("attn.proj", D, D);
      blk.ls1 = tree.add(b + "ls1.gamma", {D});
      blk.norm2 = layer_norm("norm2");
      blk.fc1 = linear("mlp.fc1", hidden, D);
      blk.fc2 = linear("mlp.fc2", D, hidden);
      blk.ls2 = tree.add(b + "ls2.gamma", {D});
      blocks.push_back(blk);
    }
    norm = {tree.add("norm.weight", {D}), tree.add("norm.bias", {D})};
  }

  // Benchmarks only: matrices and tokens N(0, 0.02^2) from a fixed seed, LayerNorm and
  // LayerScale weights 1, biases 0 (so activations stay in a realistic range).
  void random_init(ParameterTree& tree) {
    at::NoGradGuard no_grad;
    at::Generator generator = at::detail::createCPUGenerator(20240229);
    for (auto& item : tree.root().named_parameters(/*recurse=*/true)) {
      at::Tensor& t = item.value();
      const std::string& name = item.key();
      const bool is_scale = name.find("norm") != std::string::npos || name.find("gamma") != std::string::npos;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0) t.zero_();
      else if (is_scale) t.fill_(1.0);
      else t.copy_(at::randn(t.sizes(), generator) * 0.02);
    }
  }

  void fuse_qkv() {
    for (Block& blk : blocks) {
      blk.qkv = {at::cat({blk.query.weight, blk.key.weight, blk.value.weight}, 0),
                 at::cat({blk.query.bias, blk.key.bias, blk.value.bias}, 0)};
      blk.query = blk.key = blk.value = Linear{};
    }
  }

  at::Tensor position_embedding(int64_t height, int64_t width) const {
    const int64_t p = config.patch_size;
    const int64_t rows = height / p, cols = width / p;
    const int64_t N = pos_embed.size(1) - 1;
    // The reference compares token counts, not grids: a square input with as many patches as
    // the trained grid uses the table as it is.
    if (rows * cols == N && height == width) return pos_embed;
    const int64_t M = static_cast<int64_t>(std::sqrt(static_cast<double>(N)));
    if (M * M != N) throw std::logic_error("DINOv2: position embedding grid is not square");
    const int64_t D = pos_embed.size(2);
    const at::Tensor cls_pos = pos_embed.select(1, 0);
    // (1, M, M, D) -> (1, D, M, M) as a permuted view, exactly the reference's input.
    const at::Tensor grid = pos_embed.slice(1, 1).reshape({1, M, M, D}).permute({0, 3, 1, 2});
    at::Tensor patch_pos;
    if (config.interpolate_offset != 0) {
      // F.interpolate(scale_factor=((rows + offset) / M, (cols + offset) / M)): the output size
      // is floor(M * scale) (in double, as PyTorch computes it) but the kernel maps output to
      // source coordinates with the GIVEN scale, src = (dst + 0.5) / scale - 0.5, not M / rows.
      const double scale_h = (static_cast<double>(rows) + config.interpolate_offset) / static_cast<double>(M);
      const double scale_w = (static_cast<double>(cols) + config.interpolate_offset) / static_cast<double>(M);
      const std::vector<int64_t> size = {static_cast<int64_t>(static_cast<double>(M) * scale_h),
                                         static_cast<int64_t>(static_cast<double>(M) * scale_w)};
      patch_pos = config.interpolate_antialias
                      ? at::_upsample_bicubic2d_aa(grid, size, /*align_corners=*/false, scale_h, scale_w)
                      : at::upsample_bicubic2d(grid, size, /*align_corners=*/false, scale_h, scale_w);
    } else {
      // F.interpolate(size=(rows, cols)): scales derived from the sizes.
      patch_pos = config.interpolate_antialias
                      ? at::_upsample_bicubic2d_aa(grid, {rows, cols}, /*align_corners=*/false)
                      : at::upsample_bicubic2d(grid, {rows, cols}, /*align_corners=*/false);
    }
    if (patch_pos.size(2) != rows || patch_pos.size(3) != cols)
      throw std::logic_error("DINOv2: interpolated position grid " + std::to_string(patch_pos.size(2)) + "x" +
                             std::to_string(patch_pos.size(3)) + " does not match the " +
                             std::to_string(rows) + "x" + std::to_string(cols) + " patch grid");
    patch_pos = patch_pos.permute({0, 2, 3, 1}).reshape({1, rows * cols, D});
    return at::cat({cls_pos.unsqueeze(0), patch_pos}, 1);
  }

  at::Tensor attention(const at::Tensor& x, const Block& blk) const {
    const int64_t B = x.size(0), N = x.size(1), C = x.size(2), heads = config.num_heads;
    // (B, N, 3, heads, head_dim) -> (3, B, heads, N, head_dim)
    const at::Tensor qkv = blk.qkv(x).reshape({B, N, 3, heads, C / heads}).permute({2, 0, 3, 1, 4});
    const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
#if TORCH_VERSION_MAJOR >= 2
    // The reference (b8931f7b) calls F.scaled_dot_product_attention; LibTorch 2.x has it too.
    at::Tensor out = at::scaled_dot_product_attention(q, k, v);
#else
    // LibTorch 1.13 has no public SDPA: its math form, written out.
    const double scale = 1.0 / std::sqrt(static_cast<double>(C / heads));
    at::Tensor out = at::matmul(at::softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1), v);
#endif
    return blk.proj(out.transpose(1, 2).reshape({B, N, C}));
  }

  at::Tensor block(const at::Tensor& x_in, const Block& blk) const {
    at::Tensor x = x_in + attention(blk.norm1(x_in), blk) * blk.ls1;
    return x + blk.fc2(at::gelu(blk.fc1(blk.norm2(x)))) * blk.ls2;  // exact (erf) GELU
  }

  at::Tensor forward(const at::Tensor& pixels_in, Dinov2Trace* trace) const {
    if (pixels_in.dim() != 4 || pixels_in.size(1) != 3)
      throw std::invalid_argument("DINOv2: input must be (B, 3, H, W)");
    const at::Tensor pixels = pixels_in.to(device, at::kFloat);
    const int64_t B = pixels.size(0), p = config.patch_size;
    at::Tensor x = at::conv2d(pixels, patch_embed.weight, patch_embed.bias, {p, p});
    x = x.flatten(2).transpose(1, 2);  // (B, patches, D)
    x = at::cat({cls_token.expand({B, -1, -1}), x}, 1);
    x = x + position_embedding(pixels.size(2), pixels.size(3));
    if (trace) trace->tokens_after_pos_embed = x;
    if (register_tokens.defined())
      x = at::cat({x.slice(1, 0, 1), register_tokens.expand({B, -1, -1}), x.slice(1, 1)}, 1);
    for (const Block& blk : blocks) {
      x = block(x, blk);
      if (trace) trace->block_outputs.push_back(x);
    }
    x = norm(x);
    if (trace) trace->final_norm = x;
    return x;
  }
};

Dinov2Network::Dinov2Network(const std::string& weights_file, const Dinov2Config& config,
                             const std::string& device)
    : impl_(std::make_unique<Impl>(weights_file, config, parse_device(device))) {}

Dinov2Network::~Dinov2Network() = default;

const Dinov2Config& Dinov2Network::config() const { return impl_->config; }
const std::string& Dinov2Network::weights_layout() const { return impl_->layout; }

at::Tensor Dinov2Network::position_embedding(int64_t height, int64_t width) const {
  return impl_->position_embedding(height, width);
}

at::Tensor Dinov2Network::forward(const at::Tensor& pixels, Dinov2Trace* trace) const {
  return impl_->forward(pixels, trace);
}

at::Tensor Dinov2Network::normalized_batch(const std::vector<ImageF32>& batch) {
  if (batch.empty()) throw std::invalid_argument("DINOv2: empty batch");
  const int64_t H = batch[0].height, W = batch[0].width;
  // torchvision's Normalize casts mean and std to the tensor's dtype, then (x - mean) / std.
  const float mean[3] = {static_cast<float>(0.485), static_cast<float>(0.456), static_cast<float>(0.406)};
  const float stdev[3] = {static_cast<float>(0.229), static_cast<float>(0.224), static_cast<float>(0.225)};
  at::Tensor out = at::empty({static_cast<int64_t>(batch.size()), 3, H, W}, at::kFloat);
  float* dst = out.data_ptr<float>();
  for (const ImageF32& img : batch) {
    if (img.height != H || img.width != W || img.rgb.size() != static_cast<size_t>(H * W * 3))
      throw std::invalid_argument("DINOv2: images in a batch must all be " + std::to_string(W) + "x" +
                                  std::to_string(H) + " RGB");
    for (int c = 0; c < 3; ++c)  // HWC -> CHW
      for (int64_t i = 0; i < H * W; ++i) *dst++ = (img.rgb[i * 3 + c] - mean[c]) / stdev[c];
  }
  return out;
}

namespace {

class Dinov2Extractor : public FeatureExtractor {
 public:
  Dinov2Extractor(const std::string& weights_file, const Dinov2Config& config, const std::string& device)
      : net_(weights_file, config, device), name_(model_name(config)) {}

  size_t dim() const override { return static_cast<size_t>(net_.config().embed_dim); }
  std::string name() const override { return name_; }
  int input_size() const override { return kInputSize; }

  void extract(const std::vector<ImageF32>& batch, std::vector<float>& out) override {
    if (batch.empty()) return;
    for (size_t i = 0; i < batch.size(); ++i)
      if (batch[i].width != kInputSize || batch[i].height != kInputSize)
        throw std::invalid_argument("DINOv2: image " + std::to_string(i) + " is " + std::to_string(batch[i].width) +
                                    "x" + std::to_string(batch[i].height) + ", the extractor takes 224x224");
    c10::InferenceMode inference;
    const at::Tensor tokens = net_.forward(Dinov2Network::normalized_batch(batch));
    const at::Tensor cls = tokens.select(1, 0).to(at::kCPU).contiguous();  // x_norm_clstoken
    const float* p = cls.data_ptr<float>();
    out.insert(out.end(), p, p + cls.numel());
  }

 private:
  Dinov2Network net_;
  std::string name_;
};

}  // namespace

std::unique_ptr<FeatureExtractor> load_dinov2(const std::string& weights_file, const Dinov2Config& config,
                                              const std::string& device) {
  return std::make_unique<Dinov2Extractor>(weights_file, config, device);
}

}  // namespace pgc
