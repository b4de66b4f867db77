// MPNet (HF modeling_mpnet.py MPNetModel) and the sentence-transformers all-mpnet-base-v2
// pipeline: Transformer -> Pooling (mean over the attention mask) -> Normalize.
// The forward pass calls the same ATen ops, in the same order, as the Python code does, so a
// GPU run of both agrees to float32 noise.
#include "models/torch/mpnet.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

#include "models/wordpiece.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "models/torch/weights.hpp"

namespace pgc {

namespace fs = std::filesystem;
using torch::nn::Module;

// ---------------------------------------------------------------------------------------
// config.json

namespace {

int64_t int_field(const JsonValue& doc, const char* key, int64_t fallback, const std::string& file) {
  if (!doc.HasMember(key)) return fallback;
  const JsonValue& v = doc[key];
  if (!v.IsInt64() || v.GetInt64() <= 0) throw InputError(file, key, "must be a positive integer");
  return v.GetInt64();
}

}  // namespace

MpnetConfig read_mpnet_config(const std::string& path) {
  JsonDoc doc = read_json_file(path);
  if (!doc.IsObject()) throw InputError(path, "", "config.json must be a JSON object");
  if (doc.HasMember("model_type") &&
      get_string(doc["model_type"], path, "model_type") != "mpnet")
    throw InputError(path, "model_type", "is \"" + get_string(doc["model_type"], path, "model_type") +
                                             "\", this loader reads MPNet (\"mpnet\") checkpoints");
  MpnetConfig c;
  c.vocab_size = int_field(doc, "vocab_size", c.vocab_size, path);
  c.hidden_size = int_field(doc, "hidden_size", c.hidden_size, path);
  c.num_hidden_layers = int_field(doc, "num_hidden_layers", c.num_hidden_layers, path);
  c.num_attention_heads = int_field(doc, "num_attention_heads", c.num_attention_heads, path);
  c.intermediate_size = int_field(doc, "intermediate_size", c.intermediate_size, path);
  c.max_position_embeddings = int_field(doc, "max_position_embeddings", c.max_position_embeddings, path);
  c.relative_attention_num_buckets =
      int_field(doc, "relative_attention_num_buckets", c.relative_attention_num_buckets, path);
  if (doc.HasMember("layer_norm_eps")) {
    c.layer_norm_eps = get_number(doc["layer_norm_eps"], path, "layer_norm_eps");
    if (!(c.layer_norm_eps > 0)) throw InputError(path, "layer_norm_eps", "must be > 0");
  }
  if (doc.HasMember("hidden_act")) c.hidden_act = get_string(doc["hidden_act"], path, "hidden_act");
  if (c.hidden_act != "gelu")
    throw InputError(path, "hidden_act", "\"" + c.hidden_act + "\" is not supported (only \"gelu\", erf GELU)");
  if (c.hidden_size % c.num_attention_heads != 0)
    throw InputError(path, "hidden_size", "is not a multiple of num_attention_heads");
  // HF's compute_position_bias always asks for 32 buckets, whatever the config says; a
  // smaller table would be indexed out of range.
  if (c.relative_attention_num_buckets < 32)
    throw InputError(path, "relative_attention_num_buckets",
                     "must be >= 32 (MPNet computes 32 relative-position buckets)");
  return c;
}

// ---------------------------------------------------------------------------------------
// Position helpers, as modeling_mpnet.py computes them

at::Tensor mpnet_relative_position_bucket(const at::Tensor& relative_position, int64_t num_buckets,
                                          int64_t max_distance) {
  at::Tensor ret = at::zeros_like(relative_position);
  at::Tensor n = -relative_position;
  num_buckets /= 2;
  ret += n.lt(0).to(at::kLong) * num_buckets;
  n = at::abs(n);
  const int64_t max_exact = num_buckets / 2;
  at::Tensor is_small = n.lt(max_exact);
  // Same float32 ops as HF: log(n / max_exact) / log(max_distance / max_exact) * (buckets -
  // max_exact), truncated; the Python scalars are an int, a float (math.log) and an int.
  at::Tensor val_if_large =
      (at::log(n.to(at::kFloat) / max_exact) /
           std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
       (num_buckets - max_exact))
          .to(at::kLong) +
      max_exact;
  val_if_large = at::min(val_if_large, at::full_like(val_if_large, num_buckets - 1));
  ret += at::where(is_small, n, val_if_large);
  return ret;
}

at::Tensor mpnet_position_ids(const at::Tensor& input_ids, int64_t padding_idx) {
  at::Tensor mask = input_ids.ne(padding_idx).to(at::kInt);
  at::Tensor incremental = at::cumsum(mask, 1).to(at::kInt) * mask;
  return incremental.to(at::kLong) + padding_idx;
}

// ---------------------------------------------------------------------------------------
// The network

namespace {

std::shared_ptr<Module> add_child(Module& parent, const std::string& name) {
  return parent.register_module(name, std::make_shared<Module>());
}

at::Tensor add_param(Module& m, const std::string& name, at::IntArrayRef shape, const at::TensorOptions& o) {
  return m.register_parameter(name, at::zeros(shape, o), /*requires_grad=*/false);
}

struct Linear {
  at::Tensor weight, bias;
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

Linear add_linear(Module& parent, const std::string& name, int64_t in, int64_t out, const at::TensorOptions& o) {
  auto m = add_child(parent, name);
  return {add_param(*m, "weight", {out, in}, o), add_param(*m, "bias", {out}, o)};
}

struct LayerNorm {
  at::Tensor weight, bias;
  double eps = 1e-5;
  at::Tensor operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  }
};

LayerNorm add_layer_norm(Module& parent, const std::string& name, int64_t dim, double eps,
                         const at::TensorOptions& o) {
  auto m = add_child(parent, name);
  return {add_param(*m, "weight", {dim}, o), add_param(*m, "bias", {dim}, o), eps};
}

struct Layer {
  Linear q, k, v, o;
  LayerNorm attention_norm;
  Linear intermediate, output;
  LayerNorm output_norm;
};

}  // namespace

struct MpnetModel::Impl {
  MpnetConfig config;
  at::Device device{at::kCPU};
  Module root;
  at::Tensor word_embeddings, position_embeddings, relative_attention_bias;
  LayerNorm embeddings_norm;
  std::vector<Layer> layers;
  static constexpr int64_t kPaddingIdx = 1;  // MPNetEmbeddings.padding_idx, fixed in HF

  Impl(const MpnetConfig& c, const std::string& dev) : config(c), device(dev) {
    const auto o = at::TensorOptions().dtype(at::kFloat).device(device);
    const int64_t h = c.hidden_size;
    auto embeddings = add_child(root, "embeddings");
    word_embeddings = add_param(*add_child(*embeddings, "word_embeddings"), "weight", {c.vocab_size, h}, o);
    position_embeddings =
        add_param(*add_child(*embeddings, "position_embeddings"), "weight", {c.max_position_embeddings, h}, o);
    embeddings_norm = add_layer_norm(*embeddings, "LayerNorm", h, c.layer_norm_eps, o);
    auto encoder = add_child(root, "encoder");
    auto layer_list = add_child(*encoder, "layer");
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      auto layer = add_child(*layer_list, std::to_string(i));
      auto attention = add_child(*layer, "attention");
      auto attn = add_child(*attention, "attn");
      Layer l;
      l.q = add_linear(*attn, "q", h, h, o);
      l.k = add_linear(*attn, "k", h, h, o);
      l.v = add_linear(*attn, "v", h, h, o);
      l.o = add_linear(*attn, "o", h, h, o);
      l.attention_norm = add_layer_norm(*attention, "LayerNorm", h, c.layer_norm_eps, o);
      l.intermediate = add_linear(*add_child(*layer, "intermediate"), "dense", h, c.intermediate_size, o);
      auto output = add_child(*layer, "output");
      l.output = add_linear(*output, "dense", c.intermediate_size, h, o);
      l.output_norm = add_layer_norm(*output, "LayerNorm", h, c.layer_norm_eps, o);
      layers.push_back(l);
    }
    relative_attention_bias = add_param(*add_child(*encoder, "relative_attention_bias"), "weight",
                                        {c.relative_attention_num_buckets, c.num_attention_heads}, o);
  }

  // MPNetEncoder.compute_position_bias: [1, heads, L, L]; the buckets are computed on the CPU
  // (as HF does: torch.arange without a device) and the table is looked up on the device.
  at::Tensor position_bias(int64_t length) const {
    at::Tensor context = at::arange(length, at::kLong).unsqueeze(1);
    at::Tensor memory = at::arange(length, at::kLong).unsqueeze(0);
    at::Tensor bucket = mpnet_relative_position_bucket(memory - context, 32).to(device);
    return at::embedding(relative_attention_bias, bucket).permute({2, 0, 1}).unsqueeze(0);
  }

  at::Tensor attention(const Layer& l, const at::Tensor& x, const at::Tensor& mask, const at::Tensor& bias) const {
    const int64_t b = x.size(0), heads = config.num_attention_heads;
    const int64_t head_size = config.hidden_size / heads;
    auto split = [&](const at::Tensor& t) { return t.view({b, -1, heads, head_size}).transpose(1, 2); };
    at::Tensor q = split(l.q(x)), k = split(l.k(x)), v = split(l.v(x));
    at::Tensor scores = at::matmul(q, k.transpose(-1, -2));
    scores = scores / std::sqrt(static_cast<double>(head_size));
    scores += bias;
    scores = scores + mask;
    at::Tensor probs = at::softmax(scores, -1);
    at::Tensor c = at::matmul(probs, v).permute({0, 2, 1, 3}).contiguous();
    c = c.view({b, -1, heads * head_size});
    return l.attention_norm(l.o(c) + x);
  }

  at::Tensor forward(const at::Tensor& input_ids_any, const at::Tensor& attention_mask_any) const {
    at::Tensor input_ids = input_ids_any.to(device, at::kLong);
    at::Tensor attention_mask = attention_mask_any.to(device);
    // get_extended_attention_mask: (1 - mask) * finfo(float32).min, broadcast over heads/queries.
    at::Tensor extended = attention_mask.unsqueeze(1).unsqueeze(2).to(at::kFloat);
    extended = (1.0 - extended) * static_cast<double>(std::numeric_limits<float>::lowest());
    at::Tensor positions = mpnet_position_ids(input_ids, kPaddingIdx);
    at::Tensor x = at::embedding(word_embeddings, input_ids) + at::embedding(position_embeddings, positions);
    x = embeddings_norm(x);
    const at::Tensor bias = position_bias(input_ids.size(1));
    for (const Layer& l : layers) {
      at::Tensor a = attention(l, x, extended, bias);
      at::Tensor inter = at::gelu(l.intermediate(a));
      x = l.output_norm(l.output(inter) + a);
    }
    return x;
  }
};

MpnetModel::MpnetModel(const MpnetConfig& config, const std::string& device)
    : impl_(std::make_unique<Impl>(config, device)) {}
MpnetModel::~MpnetModel() = default;

size_t MpnetModel::load(const SafetensorsCheckpoint& checkpoint) {
  auto strip = [](const std::string& name) {
    return name.compare(0, 6, "mpnet.") == 0 ? name.substr(6) : name;
  };
  return WeightBinder(checkpoint)
      .ignore_prefix("pooler.")
      .ignore_prefix("mpnet.pooler.")
      .ignore("embeddings.position_ids")
      .ignore("mpnet.embeddings.position_ids")
      .rename(strip)
      .bind(impl_->root);
}

at::Tensor MpnetModel::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) const {
  if (input_ids.dim() != 2 || attention_mask.sizes() != input_ids.sizes())
    throw std::invalid_argument("MpnetModel::forward: input_ids and attention_mask must both be [batch, length]");
  if (input_ids.size(1) > impl_->config.max_position_embeddings - Impl::kPaddingIdx - 1)
    throw std::invalid_argument("MpnetModel::forward: sequence longer than the position table allows");
  return impl_->forward(input_ids, attention_mask);
}

const MpnetConfig& MpnetModel::config() const { return impl_->config; }

std::vector<std::pair<std::string, at::Tensor>> MpnetModel::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : impl_->root.named_parameters(/*recurse=*/true)) out.emplace_back(item.key(), item.value());
  return out;
}

// ---------------------------------------------------------------------------------------
// The sentence-transformers folder

namespace {

bool get_bool(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsBool()) throw InputError(file, item, "must be true or false");
  return v.GetBool();
}

// A tokenizer_config.json token: "<s>" or {"content": "<s>", ...}.
std::string token_text(const JsonValue& v, const std::string& file, const std::string& item) {
  if (v.IsObject()) return get_string(member(v, "content", file, item), file, item + ".content");
  return get_string(v, file, item);
}

// modules.json must be Transformer -> Pooling [-> Normalize]; returns whether it normalizes
// and the Pooling module's folder.
std::pair<bool, std::string> read_modules(const fs::path& dir) {
  const std::string file = (dir / "modules.json").string();
  JsonDoc doc = read_json_file(file);
  if (!doc.IsArray() || doc.Size() < 2 || doc.Size() > 3)
    throw InputError(file, "", "expected [Transformer, Pooling, Normalize] modules (sentence-transformers)");
  const char* expected[] = {"sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                            "sentence_transformers.models.Normalize"};
  std::string pooling_path;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    const std::string item = "module " + std::to_string(i);
    const std::string type = get_string(member(doc[i], "type", file, item), file, item + ".type");
    if (type != expected[i])
      throw InputError(file, item, "type \"" + type + "\", expected \"" + expected[i] +
                                       "\" (only Transformer -> Pooling -> Normalize is supported)");
    if (i == 0 && doc[i].HasMember("path") && !get_string(doc[i]["path"], file, item + ".path").empty())
      throw InputError(file, item, "the Transformer module must be the folder itself (path \"\")");
    if (i == 1) pooling_path = get_string(member(doc[i], "path", file, item), file, item + ".path");
  }
  return {doc.Size() == 3, pooling_path};
}

// 1_Pooling/config.json: mean pooling only.
void check_pooling(const fs::path& file_path, int64_t hidden) {
  const std::string file = file_path.string();
  JsonDoc doc = read_json_file(file);
  if (!doc.IsObject()) throw InputError(file, "", "must be a JSON object");
  bool mean = false;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    const std::string key = it->name.GetString();
    if (key == "word_embedding_dimension") {
      if (!it->value.IsInt64() || it->value.GetInt64() != hidden)
        throw InputError(file, key, "does not match the model's hidden_size " + std::to_string(hidden));
    } else if (key.compare(0, 13, "pooling_mode_") == 0 && it->value.IsBool()) {
      if (key == "pooling_mode_mean_tokens") mean = it->value.GetBool();
      else if (it->value.GetBool())
        throw InputError(file, key, "only mean pooling (pooling_mode_mean_tokens) is supported");
    } else if (key == "pooling_mode" && it->value.IsString()) {
      mean = std::string(it->value.GetString()) == "mean";
    }
  }
  if (!mean) throw InputError(file, "pooling_mode_mean_tokens", "must be true (all-mpnet-base-v2 mean-pools)");
}

}  // namespace

struct MpnetSentenceEncoder::Impl {
  std::string dir, device;
  MpnetConfig config;
  std::unique_ptr<MpnetModel> model;
  std::unique_ptr<WordPieceTokenizer> tokenizer;
  size_t max_seq_length = 384;
  size_t batch_size = 32;
  bool normalize = true;
  std::string name;

  Impl(const std::string& model_dir, const std::string& dev) : dir(model_dir), device(dev) {
    const fs::path d(model_dir);
    if (!fs::is_directory(d)) throw InputError(model_dir, "", "not a directory (expected a sentence-transformers folder)");
    config = read_mpnet_config((d / "config.json").string());
    auto [norm, pooling_path] = read_modules(d);
    normalize = norm;
    check_pooling(d / pooling_path / "config.json", config.hidden_size);
    read_sentence_bert_config(d / "sentence_bert_config.json");
    tokenizer = std::make_unique<WordPieceTokenizer>((d / "vocab.txt").string(), tokenizer_options(d));
    if (static_cast<int64_t>(tokenizer->vocab_size()) > config.vocab_size)
      throw InputError((d / "vocab.txt").string(), "",
                       std::to_string(tokenizer->vocab_size()) + " tokens, the model has only " +
                           std::to_string(config.vocab_size) + " embeddings");
    if (tokenizer->pad_id() != 1)
      throw InputError((d / "vocab.txt").string(), tokenizer->options().pad_token,
                       "the padding token must have id 1 (MPNet's padding_idx)");
    const std::string weights = hf_checkpoint_path(d.string());
    model = std::make_unique<MpnetModel>(config, device);
    SafetensorsCheckpoint checkpoint(weights);
    model->load(checkpoint);
    fs::path folder = fs::path(model_dir).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();  // "dir/"
    name = "mpnet:" + folder.filename().string() + ":" + sha256_file(weights).substr(0, 12);
  }

  void read_sentence_bert_config(const fs::path& p) {
    const std::string file = p.string();
    JsonDoc doc = read_json_file(file);
    if (!doc.IsObject()) throw InputError(file, "", "must be a JSON object");
    const JsonValue& len = member(doc, "max_seq_length", file, "max_seq_length");
    if (!len.IsInt64() || len.GetInt64() < 2) throw InputError(file, "max_seq_length", "must be an integer >= 2");
    max_seq_length = static_cast<size_t>(len.GetInt64());
    // Positions run from padding_idx + 1 = 2 to max_position_embeddings - 1.
    const size_t positions = static_cast<size_t>(config.max_position_embeddings - 2);
    if (max_seq_length > positions) max_seq_length = positions;
    if (doc.HasMember("do_lower_case") && get_bool(doc["do_lower_case"], file, "do_lower_case"))
      throw InputError(file, "do_lower_case",
                       "true is not supported (sentence-transformers would lowercase before the tokenizer)");
  }

  WordPieceOptions tokenizer_options(const fs::path& d) const {
    WordPieceOptions o = WordPieceOptions::mpnet();
    const fs::path p = d / "tokenizer_config.json";
    if (fs::exists(p)) {
      const std::string file = p.string();
      JsonDoc doc = read_json_file(file);
      if (!doc.IsObject()) throw InputError(file, "", "must be a JSON object");
      if (doc.HasMember("do_lower_case")) o.lower_case = get_bool(doc["do_lower_case"], file, "do_lower_case");
      o.strip_accents = o.lower_case;  // strip_accents null follows do_lower_case
      if (doc.HasMember("strip_accents") && !doc["strip_accents"].IsNull())
        o.strip_accents = get_bool(doc["strip_accents"], file, "strip_accents");
      if (doc.HasMember("tokenize_chinese_chars"))
        o.tokenize_chinese_chars = get_bool(doc["tokenize_chinese_chars"], file, "tokenize_chinese_chars");
      if (doc.HasMember("cls_token")) o.cls_token = token_text(doc["cls_token"], file, "cls_token");
      if (doc.HasMember("sep_token")) o.sep_token = token_text(doc["sep_token"], file, "sep_token");
      if (doc.HasMember("pad_token")) o.pad_token = token_text(doc["pad_token"], file, "pad_token");
      if (doc.HasMember("unk_token")) o.unk_token = token_text(doc["unk_token"], file, "unk_token");
    }
    // sentence-transformers passes max_length = max_seq_length to the tokenizer (its own
    // model_max_length, 512, does not apply).
    o.max_length = max_seq_length;
    return o;
  }

  // One batch of id lists -> pooled (and normalized) [n, hidden] float32 on the CPU.
  at::Tensor run_batch(const std::vector<const std::vector<int64_t>*>& batch) const {
    size_t longest = 0;
    for (const auto* ids : batch) longest = std::max(longest, ids->size());
    const int64_t b = static_cast<int64_t>(batch.size()), l = static_cast<int64_t>(longest);
    at::Tensor input_ids = at::full({b, l}, tokenizer->pad_id(), at::kLong);
    at::Tensor mask = at::zeros({b, l}, at::kLong);
    auto ids_acc = input_ids.accessor<int64_t, 2>();
    auto mask_acc = mask.accessor<int64_t, 2>();
    for (int64_t i = 0; i < b; ++i)
      for (size_t j = 0; j < batch[i]->size(); ++j) {
        ids_acc[i][j] = (*batch[i])[j];
        mask_acc[i][j] = 1;
      }
    at::Tensor mask_dev = mask.to(at::Device(device));
    at::Tensor hidden = model->forward(input_ids, mask_dev);
    // sentence_transformers.models.Pooling, mean tokens.
    at::Tensor expanded = mask_dev.unsqueeze(-1).expand(hidden.sizes()).to(hidden.scalar_type());
    at::Tensor sum = at::sum(hidden * expanded, 1);
    at::Tensor count = at::clamp_min(expanded.sum(1), 1e-9);
    at::Tensor pooled = sum / count;
    // sentence_transformers.models.Normalize = F.normalize(p=2, dim=1, eps=1e-12).
    // (Tensor.norm(2, dim) is linalg.vector_norm in torch 2.x.)
    const int64_t rows[] = {1};
    if (normalize)
      pooled = pooled / at::linalg_vector_norm(pooled, 2, at::IntArrayRef(rows), /*keepdim=*/true)
                            .clamp_min(1e-12)
                            .expand_as(pooled);
    return pooled.to(at::kCPU).contiguous();
  }

  std::vector<std::vector<float>> embed_ids(const std::vector<std::vector<int64_t>>& ids) const {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].empty() || ids[i].size() > max_seq_length)
        throw std::invalid_argument("MpnetSentenceEncoder: text " + std::to_string(i) + " has " +
                                    std::to_string(ids[i].size()) + " ids (1.." +
                                    std::to_string(max_seq_length) + " allowed)");
      for (int64_t id : ids[i])
        if (id < 0 || id >= config.vocab_size)
          throw std::invalid_argument("MpnetSentenceEncoder: token id " + std::to_string(id) + " out of range");
    }
    // SentenceTransformer.encode: longest first, batches in that order, results put back.
    std::vector<size_t> order(ids.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() > ids[b].size(); });
    std::vector<std::vector<float>> out(ids.size());
    c10::InferenceMode inference;
    for (size_t start = 0; start < order.size(); start += batch_size) {
      const size_t end = std::min(order.size(), start + batch_size);
      std::vector<const std::vector<int64_t>*> batch;
      for (size_t k = start; k < end; ++k) batch.push_back(&ids[order[k]]);
      at::Tensor pooled = run_batch(batch);
      const float* p = pooled.data_ptr<float>();
      const size_t h = static_cast<size_t>(config.hidden_size);
      for (size_t k = start; k < end; ++k) out[order[k]].assign(p + (k - start) * h, p + (k - start + 1) * h);
    }
    return out;
  }
};

MpnetSentenceEncoder::MpnetSentenceEncoder(const std::string& model_dir, const std::string& device)
    : impl_(std::make_unique<Impl>(model_dir, device)) {}
MpnetSentenceEncoder::~MpnetSentenceEncoder() = default;

size_t MpnetSentenceEncoder::dim() const { return static_cast<size_t>(impl_->config.hidden_size); }
std::string MpnetSentenceEncoder::name() const { return impl_->name; }

std::vector<int64_t> MpnetSentenceEncoder::token_ids(const std::string& text) const {
  return impl_->tokenizer->encode(text);
}

std::vector<std::vector<float>> MpnetSentenceEncoder::embed(const std::vector<std::string>& texts) {
  std::vector<std::vector<int64_t>> ids;
  ids.reserve(texts.size());
  for (const std::string& t : texts) ids.push_back(token_ids(t));
  return impl_->embed_ids(ids);
}

std::vector<std::vector<float>> MpnetSentenceEncoder::embed_ids(const std::vector<std::vector<int64_t>>& ids) {
  return impl_->embed_ids(ids);
}

size_t MpnetSentenceEncoder::max_seq_length() const { return impl_->max_seq_length; }
size_t MpnetSentenceEncoder::batch_size() const { return impl_->batch_size; }
void MpnetSentenceEncoder::set_batch_size(size_t n) {
  if (n == 0) throw std::invalid_argument("MpnetSentenceEncoder: batch size must be >= 1");
  impl_->batch_size = n;
}
bool MpnetSentenceEncoder::normalizes() const { return impl_->normalize; }
const std::string& MpnetSentenceEncoder::device() const { return impl_->device; }

std::unique_ptr<SentenceEncoder> load_mpnet_encoder(const std::string& model_dir, const std::string& device) {
  return std::make_unique<MpnetSentenceEncoder>(model_dir, device);
}

}  // namespace pgc
