// BERT encoder (HF BertModel) and its mean-pooled sentence encoder. See bert.hpp.
#include "models/torch/bert.hpp"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "models/torch/weights.hpp"

namespace pgc {
namespace {

namespace fs = std::filesystem;

// ---- config.json --------------------------------------------------------------------------

int64_t config_int(const JsonValue& doc, const char* key, const std::string& file, bool required,
                   int64_t fallback) {
  if (!doc.HasMember(key)) {
    if (required) throw InputError(file, key, "missing (BERT needs it)");
    return fallback;
  }
  const JsonValue& v = doc[key];
  if (!v.IsInt64() || v.GetInt64() <= 0) throw InputError(file, key, "expected a positive integer");
  return v.GetInt64();
}

// ---- modules: HF's tree of names, plain parameters ----------------------------------------

at::TensorOptions float_on(const at::Device& device) { return at::TensorOptions().dtype(at::kFloat).device(device); }

struct Linear : torch::nn::Module {
  Linear(int64_t in, int64_t out, const at::Device& d) {
    weight = register_parameter("weight", at::empty({out, in}, float_on(d)).normal_(0.0, 0.02), false);
    bias = register_parameter("bias", at::zeros({out}, float_on(d)), false);
  }
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
  at::Tensor weight, bias;
};

struct LayerNorm : torch::nn::Module {
  LayerNorm(int64_t dim, double eps_, const at::Device& d) : eps(eps_) {
    weight = register_parameter("weight", at::ones({dim}, float_on(d)), false);
    bias = register_parameter("bias", at::zeros({dim}, float_on(d)), false);
  }
  at::Tensor operator()(const at::Tensor& x) const {
    return at::layer_norm(x, {weight.size(0)}, weight, bias, eps);
  }
  at::Tensor weight, bias;
  double eps;
};

struct Embedding : torch::nn::Module {
  Embedding(int64_t n, int64_t dim, const at::Device& d) {
    weight = register_parameter("weight", at::empty({n, dim}, float_on(d)).normal_(0.0, 0.02), false);
  }
  at::Tensor weight;
};

struct Embeddings : torch::nn::Module {
  Embeddings(const BertConfig& c, const at::Device& d) {
    word_embeddings = register_module("word_embeddings", std::make_shared<Embedding>(c.vocab_size, c.hidden_size, d));
    position_embeddings =
        register_module("position_embeddings", std::make_shared<Embedding>(c.max_position_embeddings, c.hidden_size, d));
    token_type_embeddings =
        register_module("token_type_embeddings", std::make_shared<Embedding>(c.type_vocab_size, c.hidden_size, d));
    norm = register_module("LayerNorm", std::make_shared<LayerNorm>(c.hidden_size, c.layer_norm_eps, d));
  }
  std::shared_ptr<Embedding> word_embeddings, position_embeddings, token_type_embeddings;
  std::shared_ptr<LayerNorm> norm;
};

struct SelfAttention : torch::nn::Module {
  SelfAttention(const BertConfig& c, const at::Device& d) {
    query = register_module("query", std::make_shared<Linear>(c.hidden_size, c.hidden_size, d));
    key = register_module("key", std::make_shared<Linear>(c.hidden_size, c.hidden_size, d));
    value = register_module("value", std::make_shared<Linear>(c.hidden_size, c.hidden_size, d));
  }
  std::shared_ptr<Linear> query, key, value;
};

// dense + residual + LayerNorm (attention.output and output share this shape).
struct ResidualOutput : torch::nn::Module {
  ResidualOutput(int64_t in, int64_t out, double eps, const at::Device& d) {
    dense = register_module("dense", std::make_shared<Linear>(in, out, d));
    norm = register_module("LayerNorm", std::make_shared<LayerNorm>(out, eps, d));
  }
  at::Tensor operator()(const at::Tensor& x, const at::Tensor& residual) const { return (*norm)((*dense)(x) + residual); }
  std::shared_ptr<Linear> dense;
  std::shared_ptr<LayerNorm> norm;
};

struct Attention : torch::nn::Module {
  Attention(const BertConfig& c, const at::Device& d) {
    self = register_module("self", std::make_shared<SelfAttention>(c, d));
    output = register_module("output", std::make_shared<ResidualOutput>(c.hidden_size, c.hidden_size, c.layer_norm_eps, d));
  }
  std::shared_ptr<SelfAttention> self;
  std::shared_ptr<ResidualOutput> output;
};

struct Intermediate : torch::nn::Module {
  Intermediate(const BertConfig& c, const at::Device& d) {
    dense = register_module("dense", std::make_shared<Linear>(c.hidden_size, c.intermediate_size, d));
  }
  std::shared_ptr<Linear> dense;
};

struct Layer : torch::nn::Module {
  Layer(const BertConfig& c, const at::Device& d) {
    attention = register_module("attention", std::make_shared<Attention>(c, d));
    intermediate = register_module("intermediate", std::make_shared<Intermediate>(c, d));
    output = register_module("output",
                             std::make_shared<ResidualOutput>(c.intermediate_size, c.hidden_size, c.layer_norm_eps, d));
  }
  std::shared_ptr<Attention> attention;
  std::shared_ptr<Intermediate> intermediate;
  std::shared_ptr<ResidualOutput> output;
};

// "encoder.layer.<i>": a module named "layer" whose children are named 0, 1, ...
struct Encoder : torch::nn::Module {
  Encoder(const BertConfig& c, const at::Device& d) {
    auto list = register_module("layer", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers.push_back(list->register_module(std::to_string(i), std::make_shared<Layer>(c, d)));
  }
  std::vector<std::shared_ptr<Layer>> layers;
};

struct Root : torch::nn::Module {
  Root(const BertConfig& c, const at::Device& d) {
    embeddings = register_module("embeddings", std::make_shared<Embeddings>(c, d));
    encoder = register_module("encoder", std::make_shared<Encoder>(c, d));
  }
  std::shared_ptr<Embeddings> embeddings;
  std::shared_ptr<Encoder> encoder;
};

at::Tensor activation(const at::Tensor& x, const std::string& act) {
  if (act == "gelu") return at::gelu(x);  // exact (erf), as HF's "gelu"
  if (act == "relu") return at::relu(x);
  // HF's "gelu_new" / "gelu_pytorch_tanh": the tanh approximation.
  const double c = std::sqrt(2.0 / M_PI);
  return 0.5 * x * (1.0 + at::tanh(c * (x + 0.044715 * at::pow(x, 3.0))));
}

// HF checkpoint name -> our module name (nullopt-like empty string never happens: ignored
// names are filtered by the binder before renaming).
std::string hf_to_module(const std::string& name) {
  std::string n = name.compare(0, 5, "bert.") == 0 ? name.substr(5) : name;
  auto ends_with = [&](const std::string& s) { return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
  if (ends_with("LayerNorm.gamma")) n = n.substr(0, n.size() - 5) + "weight";
  else if (ends_with("LayerNorm.beta")) n = n.substr(0, n.size() - 4) + "bias";
  return n;
}

// The files that define the encoder, for its name: config, vocabulary, every weight shard.
std::string encoder_digest(const std::string& dir, const std::string& weights) {
  std::vector<std::string> files = {(fs::path(dir) / "config.json").string(), (fs::path(dir) / "vocab.txt").string()};
  if (weights.size() > 5 && weights.compare(weights.size() - 5, 5, ".json") == 0) {
    files.push_back(weights);
    const JsonDoc index = read_json_file(weights);
    std::vector<std::string> shards;
    if (index.IsObject() && index.HasMember("weight_map") && index["weight_map"].IsObject())
      for (const auto& m : index["weight_map"].GetObject())
        if (m.value.IsString()) shards.push_back((fs::path(weights).parent_path() / m.value.GetString()).string());
    std::sort(shards.begin(), shards.end());
    shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
    files.insert(files.end(), shards.begin(), shards.end());
  } else {
    files.push_back(weights);
  }
  std::string all;
  for (const auto& f : files) all += sha256_file(f);
  return sha256_bytes(all).substr(0, 8);
}

WordPieceOptions bert_tokenizer_options(const std::string& dir, const BertConfig& config) {
  WordPieceOptions o = WordPieceOptions::bert_uncased();
  const fs::path tc = fs::path(dir) / "tokenizer_config.json";
  if (fs::is_regular_file(tc)) {
    const JsonDoc d = read_json_file(tc.string());
    if (d.IsObject()) {
      if (d.HasMember("do_lower_case")) {
        if (!d["do_lower_case"].IsBool()) throw InputError(tc.string(), "do_lower_case", "expected true or false");
        o.lower_case = d["do_lower_case"].GetBool();
      }
      o.strip_accents = o.lower_case;  // HF: strip_accents = None follows lowercase
      if (d.HasMember("strip_accents") && !d["strip_accents"].IsNull()) {
        if (!d["strip_accents"].IsBool()) throw InputError(tc.string(), "strip_accents", "expected true, false or null");
        o.strip_accents = d["strip_accents"].GetBool();
      }
      if (d.HasMember("tokenize_chinese_chars")) {
        if (!d["tokenize_chinese_chars"].IsBool())
          throw InputError(tc.string(), "tokenize_chinese_chars", "expected true or false");
        o.tokenize_chinese_chars = d["tokenize_chinese_chars"].GetBool();
      }
    }
  }
  // GLaMM: tokenizer(text, max_length=512, truncation=True); never past the position table.
  o.max_length = static_cast<size_t>(std::min<int64_t>(512, config.max_position_embeddings));
  return o;
}

}  // namespace

BertConfig read_bert_config(const std::string& path) {
  const JsonDoc d = read_json_file(path);
  if (!d.IsObject()) throw InputError(path, "", "expected a JSON object (HF config.json)");
  if (d.HasMember("model_type") && !(d["model_type"].IsString() && std::string(d["model_type"].GetString()) == "bert"))
    throw InputError(path, "model_type", "not a BERT config (expected \"bert\")");
  if (d.HasMember("position_embedding_type") &&
      !(d["position_embedding_type"].IsString() && std::string(d["position_embedding_type"].GetString()) == "absolute"))
    throw InputError(path, "position_embedding_type", "only \"absolute\" position embeddings are supported");
  BertConfig c;
  c.vocab_size = config_int(d, "vocab_size", path, true, 0);
  c.hidden_size = config_int(d, "hidden_size", path, true, 0);
  c.num_hidden_layers = config_int(d, "num_hidden_layers", path, true, 0);
  c.num_attention_heads = config_int(d, "num_attention_heads", path, true, 0);
  c.intermediate_size = config_int(d, "intermediate_size", path, true, 0);
  c.max_position_embeddings = config_int(d, "max_position_embeddings", path, true, 0);
  c.type_vocab_size = config_int(d, "type_vocab_size", path, false, 2);
  if (d.HasMember("layer_norm_eps")) {
    if (!d["layer_norm_eps"].IsNumber() || d["layer_norm_eps"].GetDouble() <= 0)
      throw InputError(path, "layer_norm_eps", "expected a positive number");
    c.layer_norm_eps = d["layer_norm_eps"].GetDouble();
  }
  if (d.HasMember("hidden_act")) {
    if (!d["hidden_act"].IsString()) throw InputError(path, "hidden_act", "expected a string");
    c.hidden_act = d["hidden_act"].GetString();
    if (c.hidden_act != "gelu" && c.hidden_act != "gelu_new" && c.hidden_act != "gelu_pytorch_tanh" &&
        c.hidden_act != "relu")
      throw InputError(path, "hidden_act", "'" + c.hidden_act + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
  }
  if (c.hidden_size % c.num_attention_heads != 0)
    throw InputError(path, "hidden_size", "not a multiple of num_attention_heads");
  return c;
}

struct BertNetwork::Impl {
  BertConfig config;
  std::string device_name;
  at::Device device;
  std::shared_ptr<Root> root;
  Impl(const BertConfig& c, const std::string& d) : config(c), device_name(d), device(d) {}
};

BertNetwork::BertNetwork(const BertConfig& config, const std::string& device)
    : impl_(std::make_unique<Impl>(config, device)) {
  at::NoGradGuard no_grad;
  impl_->root = std::make_shared<Root>(config, impl_->device);
}

BertNetwork::~BertNetwork() = default;

const BertConfig& BertNetwork::config() const { return impl_->config; }
const std::string& BertNetwork::device() const { return impl_->device_name; }

void BertNetwork::load(const SafetensorsCheckpoint& checkpoint) {
  WeightBinder binder(checkpoint);
  for (const char* prefix : {"cls.", "pooler.", "bert.pooler."}) binder.ignore_prefix(prefix);
  binder.ignore("embeddings.position_ids").ignore("bert.embeddings.position_ids");
  binder.rename(hf_to_module);
  binder.bind(*impl_->root);
}

std::vector<std::pair<std::string, at::Tensor>> BertNetwork::named_tensors() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : impl_->root->named_parameters(true)) out.emplace_back(item.key(), item.value());
  return out;
}

at::Tensor BertNetwork::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) const {
  c10::InferenceMode guard;
  const BertConfig& c = impl_->config;
  const Root& m = *impl_->root;
  const at::Tensor ids = input_ids.to(impl_->device, at::kLong);
  const int64_t batch = ids.size(0), length = ids.size(1);
  if (length > c.max_position_embeddings)
    throw std::invalid_argument("BERT input of " + std::to_string(length) + " tokens exceeds max_position_embeddings " +
                                std::to_string(c.max_position_embeddings));
  const Embeddings& e = *m.embeddings;
  const at::Tensor positions = at::arange(length, at::TensorOptions().dtype(at::kLong).device(impl_->device));
  at::Tensor x = at::embedding(e.word_embeddings->weight, ids) +
                 at::embedding(e.position_embeddings->weight, positions).unsqueeze(0) +
                 e.token_type_embeddings->weight.select(0, 0);
  x = (*e.norm)(x);
  // HF's extended attention mask: 0 where attended, the lowest float where padded.
  const at::Tensor mask_bias = (1.0 - attention_mask.to(impl_->device, at::kFloat))
                                   .mul(std::numeric_limits<float>::lowest())
                                   .view({batch, 1, 1, length});
  const int64_t heads = c.num_attention_heads, head_dim = c.hidden_size / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  auto split_heads = [&](const at::Tensor& t) { return t.view({batch, length, heads, head_dim}).transpose(1, 2); };
  for (const auto& layer : m.encoder->layers) {
    const SelfAttention& sa = *layer->attention->self;
    const at::Tensor q = split_heads((*sa.query)(x)), k = split_heads((*sa.key)(x)), v = split_heads((*sa.value)(x));
    const at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).mul(scale) + mask_bias;
    const at::Tensor context =
        at::matmul(at::softmax(scores, -1), v).transpose(1, 2).reshape({batch, length, c.hidden_size});
    const at::Tensor attended = (*layer->attention->output)(context, x);
    const at::Tensor inner = activation((*layer->intermediate->dense)(attended), c.hidden_act);
    x = (*layer->output)(inner, attended);
  }
  return x;
}

BertBatch make_bert_batch(const std::vector<std::vector<int64_t>>& token_ids, int64_t pad_id) {
  size_t longest = 0;
  for (const auto& t : token_ids) longest = std::max(longest, t.size());
  const auto n = static_cast<int64_t>(token_ids.size()), l = static_cast<int64_t>(longest);
  BertBatch b{at::full({n, l}, pad_id, at::kLong), at::zeros({n, l}, at::kLong)};
  auto ids = b.ids.accessor<int64_t, 2>();
  auto mask = b.attention_mask.accessor<int64_t, 2>();
  for (int64_t i = 0; i < n; ++i)
    for (size_t j = 0; j < token_ids[static_cast<size_t>(i)].size(); ++j) {
      ids[i][static_cast<int64_t>(j)] = token_ids[static_cast<size_t>(i)][j];
      mask[i][static_cast<int64_t>(j)] = 1;
    }
  return b;
}

at::Tensor masked_mean(const at::Tensor& hidden, const at::Tensor& attention_mask) {
  const at::Tensor m = attention_mask.to(hidden.device(), hidden.scalar_type()).unsqueeze(-1);
  return (hidden * m).sum(1) / m.sum(1);
}

BertSentenceEncoder::BertSentenceEncoder(std::unique_ptr<BertNetwork> network, WordPieceTokenizer tokenizer,
                                         std::string name)
    : network_(std::move(network)), tokenizer_(std::move(tokenizer)), name_(std::move(name)) {}

size_t BertSentenceEncoder::dim() const { return static_cast<size_t>(network_->config().hidden_size); }

std::vector<std::vector<float>> BertSentenceEncoder::embed(const std::vector<std::string>& texts) {
  std::vector<std::vector<int64_t>> ids(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) ids[i] = tokenizer_.encode(texts[i]);
  // Similar lengths together: little padding (the padded positions do not change a result).
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  std::vector<std::vector<float>> out(texts.size());
  const size_t d = dim();
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t begin = 0; begin < order.size(); begin += batch_size_) {
    const size_t end = std::min(order.size(), begin + batch_size_);
    std::vector<std::vector<int64_t>> chunk;
    for (size_t k = begin; k < end; ++k) chunk.push_back(ids[order[k]]);
    const BertBatch batch = make_bert_batch(chunk, tokenizer_.pad_id());
    at::Tensor pooled;
    {
      c10::InferenceMode guard;
      pooled = masked_mean(network_->forward(batch.ids, batch.attention_mask), batch.attention_mask)
                   .to(at::kCPU)
                   .contiguous();
    }
    const float* p = pooled.data_ptr<float>();
    for (size_t k = begin; k < end; ++k, p += d) out[order[k]].assign(p, p + d);
  }
  return out;
}

std::unique_ptr<BertSentenceEncoder> load_bert(const std::string& model_dir, const std::string& device) {
  if (!fs::is_directory(model_dir)) throw InputError(model_dir, "", "not a folder (expected an HF BERT folder)");
  const BertConfig config = read_bert_config((fs::path(model_dir) / "config.json").string());
  WordPieceTokenizer tokenizer((fs::path(model_dir) / "vocab.txt").string(), bert_tokenizer_options(model_dir, config));
  if (static_cast<int64_t>(tokenizer.vocab_size()) > config.vocab_size)
    throw InputError((fs::path(model_dir) / "vocab.txt").string(), "",
                     std::to_string(tokenizer.vocab_size()) + " tokens but config.json says vocab_size " +
                         std::to_string(config.vocab_size));
  const std::string weights = hf_checkpoint_path(model_dir);
  auto network = std::make_unique<BertNetwork>(config, device);
  network->load(SafetensorsCheckpoint(weights));
  return std::make_unique<BertSentenceEncoder>(std::move(network), std::move(tokenizer),
                                               "bert@" + encoder_digest(model_dir, weights));
}

std::unique_ptr<SentenceEncoder> load_bert_encoder(const std::string& model_dir, const std::string& device) {
  return load_bert(model_dir, device);
}

}  // namespace pgc
