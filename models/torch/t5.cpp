// T5 encoder-decoder after HF transformers' modeling_t5.py (inference path), HF generate's
// greedy and beam search (generation/utils.py + beam_search.py, the 4.3x releases), and the
// FACTUAL scene-graph parser behind models/scene_graph_parser.hpp.
#include "models/torch/t5.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/nn/module.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "core/error.hpp"
#include "core/json.hpp"
#include "models/scene_graph_parser.hpp"
#include "models/t5_tokenizer.hpp"
#include "models/torch/weights.hpp"

namespace pgc::t5 {

// ---------------------------------------------------------------- config

bool T5Config::gated() const { return feed_forward_proj.rfind("gated-", 0) == 0; }

T5Config parse_t5_config(const std::string& json, const std::string& origin) {
  const JsonDoc doc = parse_json(json, origin);
  if (!doc.IsObject()) throw InputError(origin, "", "config.json is not a JSON object");
  T5Config c;
  auto integer = [&](const char* key, int64_t& out, int64_t min_value) {
    if (!doc.HasMember(key) || doc[key].IsNull()) return false;
    const JsonValue& v = doc[key];
    if (!v.IsInt64() || v.GetInt64() < min_value)
      throw InputError(origin, key, "expected an integer >= " + std::to_string(min_value));
    out = v.GetInt64();
    return true;
  };
  integer("vocab_size", c.vocab_size, 2);
  integer("d_model", c.d_model, 1);
  integer("d_kv", c.d_kv, 1);
  integer("d_ff", c.d_ff, 1);
  integer("num_layers", c.num_layers, 1);
  if (!integer("num_decoder_layers", c.num_decoder_layers, 1)) c.num_decoder_layers = c.num_layers;
  integer("num_heads", c.num_heads, 1);
  integer("relative_attention_num_buckets", c.relative_attention_num_buckets, 2);
  integer("relative_attention_max_distance", c.relative_attention_max_distance, 2);
  integer("decoder_start_token_id", c.decoder_start_token_id, 0);
  integer("eos_token_id", c.eos_token_id, 0);
  integer("pad_token_id", c.pad_token_id, 0);
  if (doc.HasMember("layer_norm_epsilon"))
    c.layer_norm_epsilon = get_number(doc["layer_norm_epsilon"], origin, "layer_norm_epsilon");
  if (doc.HasMember("feed_forward_proj"))
    c.feed_forward_proj = get_string(doc["feed_forward_proj"], origin, "feed_forward_proj");
  if (c.feed_forward_proj != "relu" && c.feed_forward_proj != "gelu" &&
      c.feed_forward_proj != "gated-gelu" && c.feed_forward_proj != "gated-relu")
    throw InputError(origin, "feed_forward_proj",
                     "'" + c.feed_forward_proj + "' is not supported (relu, gelu, gated-gelu, gated-relu)");
  if (doc.HasMember("tie_word_embeddings")) {
    if (!doc["tie_word_embeddings"].IsBool()) throw InputError(origin, "tie_word_embeddings", "expected true or false");
    c.tie_word_embeddings = doc["tie_word_embeddings"].GetBool();
  }
  for (const auto& [key, id] : {std::pair<const char*, int64_t>{"decoder_start_token_id", c.decoder_start_token_id},
                                {"eos_token_id", c.eos_token_id}, {"pad_token_id", c.pad_token_id}})
    if (id >= c.vocab_size) throw InputError(origin, key, "id " + std::to_string(id) + " is outside the vocabulary");
  return c;
}

T5Config read_t5_config(const std::string& path) { return parse_t5_config(read_file(path), path); }

// ---------------------------------------------------------------- building blocks

at::Tensor relative_position_bucket(const at::Tensor& relative_position, bool bidirectional,
                                    int64_t num_buckets, int64_t max_distance) {
  at::Tensor rel = relative_position;
  at::Tensor buckets = at::zeros_like(rel);
  if (bidirectional) {
    num_buckets /= 2;
    buckets = buckets + rel.gt(0).to(at::kLong) * num_buckets;
    rel = rel.abs();
  } else {
    rel = -at::minimum(rel, at::zeros_like(rel));
  }
  // Half the buckets are exact offsets, the other half logarithmic up to max_distance; the
  // same float32 operations in the same order as HF (the bucket boundaries depend on them).
  const int64_t max_exact = num_buckets / 2;
  const at::Tensor is_small = rel.lt(max_exact);
  at::Tensor large = (at::log(rel.to(at::kFloat) / static_cast<double>(max_exact)) /
                      std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
                      static_cast<double>(num_buckets - max_exact))
                         .to(at::kLong) + max_exact;
  large = at::minimum(large, at::full_like(large, num_buckets - 1));
  return buckets + at::where(is_small, rel, large);
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const at::Tensor variance = x.to(at::kFloat).pow(2).mean(-1, /*keepdim=*/true);
  return weight * (x * at::rsqrt(variance + eps));
}

namespace {

// A node of the parameter tree: HF's dotted names come out of named_parameters() as they are.
struct Node : torch::nn::Module {
  std::shared_ptr<Node> child(const std::string& name) {
    for (const auto& c : named_children())
      if (c.key() == name) return std::dynamic_pointer_cast<Node>(c.value());
    return register_module(name, std::make_shared<Node>());
  }
  at::Tensor add(const std::string& name, const at::Tensor& t) { return register_parameter(name, t, false); }
};

at::Tensor gelu_new(const at::Tensor& x) {  // HF NewGELUActivation, same expression
  return 0.5 * x * (1.0 + at::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * at::pow(x, 3.0))));
}

at::Tensor mask_bias(const at::Tensor& attention_mask) {
  // HF get_extended_attention_mask: (1 - mask) * finfo(float32).min, [B, 1, 1, S].
  return (1.0 - attention_mask.to(at::kFloat)).mul(std::numeric_limits<float>::lowest()).unsqueeze(1).unsqueeze(1);
}

}  // namespace

struct T5Model::Weights {
  struct Attention {
    at::Tensor q, k, v, o;
  };
  struct FeedForward {
    at::Tensor wi_0, wi_1, wo;  // wi_0 is `wi` for non-gated models
  };
  struct Block {
    Attention self_attn, cross_attn;
    at::Tensor self_norm, cross_norm, ff_norm;
    FeedForward ff;
  };
  std::shared_ptr<Node> root = std::make_shared<Node>();
  at::Tensor shared, lm_head, encoder_bias_table, decoder_bias_table, encoder_final_norm, decoder_final_norm;
  std::vector<Block> encoder, decoder;
};

int64_t DecoderState::rows() const { return encoder_bias.defined() ? encoder_bias.size(0) : 0; }

void DecoderState::select_rows(const at::Tensor& index, bool cross_unchanged) {
  const at::Tensor idx = index.to(encoder_bias.device());
  for (auto* list : {&self_k, &self_v})
    for (auto& t : *list)
      if (t.defined()) t = t.index_select(0, idx);
  if (cross_unchanged) return;
  for (auto* list : {&cross_k, &cross_v})
    for (auto& t : *list) t = t.index_select(0, idx);
  encoder_bias = encoder_bias.index_select(0, idx);
}

T5Model::T5Model(const T5Config& config, const std::string& device, uint64_t seed)
    : config_(config), device_(device), w_(std::make_unique<Weights>()) {
  const T5Config& c = config_;
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const auto dev = at::Device(device);
  // HF T5PreTrainedModel._init_weights scales (factor 1.0); drawn on the CPU so that every
  // device gets the same values.
  auto param = [&](Node& node, const std::string& name, std::vector<int64_t> shape, double stddev) {
    at::Tensor t = stddev < 0 ? at::ones(shape) : at::normal(0.0, stddev, shape, gen);
    return node.add(name, t.to(dev));
  };
  const double dm = static_cast<double>(c.d_model);
  auto attention = [&](Node& parent, const std::string& name, bool with_bias, at::Tensor* bias) {
    auto node = parent.child(name);
    Weights::Attention a;
    a.q = param(*node->child("q"), "weight", {c.inner_dim(), c.d_model}, std::pow(dm * c.d_kv, -0.5));
    a.k = param(*node->child("k"), "weight", {c.inner_dim(), c.d_model}, std::pow(dm, -0.5));
    a.v = param(*node->child("v"), "weight", {c.inner_dim(), c.d_model}, std::pow(dm, -0.5));
    a.o = param(*node->child("o"), "weight", {c.d_model, c.inner_dim()}, std::pow(double(c.inner_dim()), -0.5));
    if (with_bias)
      *bias = param(*node->child("relative_attention_bias"), "weight",
                    {c.relative_attention_num_buckets, c.num_heads}, std::pow(dm, -0.5));
    return a;
  };
  auto feed_forward = [&](Node& layer) {
    auto node = layer.child("DenseReluDense");
    Weights::FeedForward f;
    if (c.gated()) {
      f.wi_0 = param(*node->child("wi_0"), "weight", {c.d_ff, c.d_model}, std::pow(dm, -0.5));
      f.wi_1 = param(*node->child("wi_1"), "weight", {c.d_ff, c.d_model}, std::pow(dm, -0.5));
    } else {
      f.wi_0 = param(*node->child("wi"), "weight", {c.d_ff, c.d_model}, std::pow(dm, -0.5));
    }
    f.wo = param(*node->child("wo"), "weight", {c.d_model, c.d_ff}, std::pow(double(c.d_ff), -0.5));
    return f;
  };
  Node& root = *w_->root;
  w_->shared = param(*root.child("shared"), "weight", {c.vocab_size, c.d_model}, 1.0);
  for (const bool is_decoder : {false, true}) {
    auto stack = root.child(is_decoder ? "decoder" : "encoder");
    auto blocks = stack->child("block");
    const int64_t n = is_decoder ? c.num_decoder_layers : c.num_layers;
    for (int64_t i = 0; i < n; ++i) {
      auto block = blocks->child(std::to_string(i));
      auto layers = block->child("layer");
      Weights::Block b;
      auto l0 = layers->child("0");
      b.self_attn = attention(*l0, "SelfAttention", i == 0,
                              is_decoder ? &w_->decoder_bias_table : &w_->encoder_bias_table);
      b.self_norm = param(*l0->child("layer_norm"), "weight", {c.d_model}, -1);
      if (is_decoder) {
        auto l1 = layers->child("1");
        b.cross_attn = attention(*l1, "EncDecAttention", false, nullptr);
        b.cross_norm = param(*l1->child("layer_norm"), "weight", {c.d_model}, -1);
      }
      auto lff = layers->child(is_decoder ? "2" : "1");
      b.ff = feed_forward(*lff);
      b.ff_norm = param(*lff->child("layer_norm"), "weight", {c.d_model}, -1);
      (is_decoder ? w_->decoder : w_->encoder).push_back(b);
    }
    at::Tensor norm = param(*stack->child("final_layer_norm"), "weight", {c.d_model}, -1);
    (is_decoder ? w_->decoder_final_norm : w_->encoder_final_norm) = norm;
  }
  w_->lm_head = c.tie_word_embeddings ? w_->shared
                                      : param(*root.child("lm_head"), "weight", {c.vocab_size, c.d_model}, 1.0);
}

T5Model::~T5Model() = default;

std::vector<std::pair<std::string, at::Tensor>> T5Model::named_parameters() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : w_->root->named_parameters(true)) out.emplace_back(p.key(), p.value());
  return out;
}

void T5Model::load(const SafetensorsCheckpoint& checkpoint) {
  WeightBinder binder(checkpoint);
  // HF saves the embedding once as shared.weight; older checkpoints also carry the tied copies.
  binder.ignore("encoder.embed_tokens.weight").ignore("decoder.embed_tokens.weight");
  if (config_.tie_word_embeddings) binder.ignore("lm_head.weight");
  binder.bind(*w_->root);
}

namespace {

// [B, T, inner] -> [B, H, T, d_kv]
at::Tensor split_heads(const at::Tensor& x, int64_t heads) {
  return x.view({x.size(0), x.size(1), heads, -1}).transpose(1, 2);
}

// T5 attention: no 1/sqrt(d) scaling; `bias` (position bias + mask) broadcast to the scores;
// softmax in float32.
at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& bias,
                  const at::Tensor& w_o) {
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2));
  if (bias.defined()) scores = scores + bias;
  const at::Tensor weights = at::softmax(scores.to(at::kFloat), -1).to(scores.scalar_type());
  at::Tensor out = at::matmul(weights, v).transpose(1, 2);
  out = out.reshape({out.size(0), out.size(1), -1});
  return at::linear(out, w_o);
}

// Position bias [1, H, q_len, k_len] for queries at q_start.. and keys at 0..k_len-1.
at::Tensor position_bias(const at::Tensor& table, int64_t q_start, int64_t q_len, int64_t k_len,
                         bool bidirectional, int64_t max_distance) {
  const auto opts = at::TensorOptions().dtype(at::kLong).device(table.device());
  const at::Tensor context = at::arange(q_start, q_start + q_len, opts).unsqueeze(1);
  const at::Tensor memory = at::arange(k_len, opts).unsqueeze(0);
  const at::Tensor buckets = relative_position_bucket(memory - context, bidirectional, table.size(0), max_distance);
  return at::embedding(table, buckets).permute({2, 0, 1}).unsqueeze(0);
}

}  // namespace

namespace {
at::Tensor feed_forward(const T5Config& c, const at::Tensor& x, const at::Tensor& wi_0, const at::Tensor& wi_1,
                        const at::Tensor& wo) {
  at::Tensor h = at::linear(x, wi_0);
  if (c.feed_forward_proj == "gated-gelu") h = gelu_new(h) * at::linear(x, wi_1);
  else if (c.feed_forward_proj == "gated-relu") h = at::relu(h) * at::linear(x, wi_1);
  else if (c.feed_forward_proj == "gelu") h = at::gelu(h);
  else h = at::relu(h);
  return at::linear(h, wo);
}
}  // namespace

at::Tensor T5Model::encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) const {
  c10::InferenceMode guard;
  const T5Config& c = config_;
  const int64_t s = input_ids.size(1);
  at::Tensor h = at::embedding(w_->shared, input_ids.to(w_->shared.device()));
  const at::Tensor bias = position_bias(w_->encoder_bias_table, 0, s, s, true, c.relative_attention_max_distance) +
                          mask_bias(attention_mask.to(h.device()));
  for (const auto& b : w_->encoder) {
    const at::Tensor x = rms_norm(h, b.self_norm, c.layer_norm_epsilon);
    h = h + attend(split_heads(at::linear(x, b.self_attn.q), c.num_heads),
                   split_heads(at::linear(x, b.self_attn.k), c.num_heads),
                   split_heads(at::linear(x, b.self_attn.v), c.num_heads), bias, b.self_attn.o);
    h = h + feed_forward(c, rms_norm(h, b.ff_norm, c.layer_norm_epsilon), b.ff.wi_0, b.ff.wi_1, b.ff.wo);
  }
  return rms_norm(h, w_->encoder_final_norm, c.layer_norm_epsilon);
}

DecoderState T5Model::start(const at::Tensor& encoder_hidden, const at::Tensor& attention_mask,
                            int64_t repeat) const {
  c10::InferenceMode guard;
  DecoderState st;
  for (const auto& b : w_->decoder) {
    st.cross_k.push_back(split_heads(at::linear(encoder_hidden, b.cross_attn.k), config_.num_heads)
                             .repeat_interleave(repeat, 0));
    st.cross_v.push_back(split_heads(at::linear(encoder_hidden, b.cross_attn.v), config_.num_heads)
                             .repeat_interleave(repeat, 0));
    st.self_k.emplace_back();
    st.self_v.emplace_back();
  }
  st.encoder_bias = mask_bias(attention_mask.to(encoder_hidden.device())).repeat_interleave(repeat, 0);
  return st;
}

at::Tensor T5Model::decode_step(DecoderState& state, const at::Tensor& tokens) const {
  c10::InferenceMode guard;
  const T5Config& c = config_;
  const int64_t t = tokens.size(1), past = state.length;
  at::Tensor h = at::embedding(w_->shared, tokens.to(w_->shared.device()));
  at::Tensor self_bias =
      position_bias(w_->decoder_bias_table, past, t, past + t, false, c.relative_attention_max_distance);
  if (t > 1) {  // causal mask among the new positions (HF's extended causal mask)
    const auto opts = at::TensorOptions().dtype(at::kLong).device(h.device());
    const at::Tensor q = at::arange(past, past + t, opts).unsqueeze(1);
    const at::Tensor k = at::arange(past + t, opts).unsqueeze(0);
    self_bias = self_bias + k.gt(q).to(at::kFloat).mul(std::numeric_limits<float>::lowest());
  }
  for (size_t i = 0; i < w_->decoder.size(); ++i) {
    const auto& b = w_->decoder[i];
    at::Tensor x = rms_norm(h, b.self_norm, c.layer_norm_epsilon);
    at::Tensor k = split_heads(at::linear(x, b.self_attn.k), c.num_heads);
    at::Tensor v = split_heads(at::linear(x, b.self_attn.v), c.num_heads);
    if (state.self_k[i].defined()) {
      k = at::cat({state.self_k[i], k}, 2);
      v = at::cat({state.self_v[i], v}, 2);
    }
    state.self_k[i] = k;
    state.self_v[i] = v;
    h = h + attend(split_heads(at::linear(x, b.self_attn.q), c.num_heads), k, v, self_bias, b.self_attn.o);
    x = rms_norm(h, b.cross_norm, c.layer_norm_epsilon);
    h = h + attend(split_heads(at::linear(x, b.cross_attn.q), c.num_heads), state.cross_k[i], state.cross_v[i],
                   state.encoder_bias, b.cross_attn.o);
    h = h + feed_forward(c, rms_norm(h, b.ff_norm, c.layer_norm_epsilon), b.ff.wi_0, b.ff.wi_1, b.ff.wo);
  }
  state.length += t;
  h = rms_norm(h, w_->decoder_final_norm, c.layer_norm_epsilon);
  if (c.tie_word_embeddings) h = h * std::pow(static_cast<double>(c.d_model), -0.5);
  return at::linear(h, w_->lm_head);
}

at::Tensor T5Model::decode_full(const at::Tensor& encoder_hidden, const at::Tensor& attention_mask,
                                const at::Tensor& decoder_ids) const {
  DecoderState st = start(encoder_hidden, attention_mask, 1);
  return decode_step(st, decoder_ids);
}

// ---------------------------------------------------------------- generation

std::pair<at::Tensor, at::Tensor> pad_batch(const std::vector<std::vector<int64_t>>& rows, int64_t pad,
                                            const std::string& device) {
  size_t longest = 0;
  for (const auto& r : rows) longest = std::max(longest, r.size());
  at::Tensor ids = at::full({static_cast<int64_t>(rows.size()), static_cast<int64_t>(longest)}, pad, at::kLong);
  at::Tensor mask = at::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(longest)}, at::kLong);
  auto ia = ids.accessor<int64_t, 2>();
  auto ma = mask.accessor<int64_t, 2>();
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j) {
      ia[i][j] = rows[i][j];
      ma[i][j] = 1;
    }
  return {ids.to(at::Device(device)), mask.to(at::Device(device))};
}

namespace {

std::vector<int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU).to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// HF BeamHypotheses: the best `capacity` finished hypotheses of one item.
struct Hypotheses {
  struct Hyp {
    double score;
    std::vector<int64_t> tokens;  // decoder ids including the start token
  };
  size_t capacity;
  double length_penalty;
  std::vector<Hyp> beams;
  double worst_score = 1e9;

  void add(std::vector<int64_t> tokens, double sum_logprobs, int64_t length) {
    const double score = sum_logprobs / std::pow(static_cast<double>(length), length_penalty);
    if (beams.size() < capacity || score > worst_score) {
      beams.push_back({score, std::move(tokens)});
      if (beams.size() > capacity) {
        // sorted((s, idx)): the lowest score goes, the earliest one among equals.
        size_t worst = 0;
        for (size_t i = 1; i < beams.size(); ++i)
          if (beams[i].score < beams[worst].score) worst = i;
        beams.erase(beams.begin() + static_cast<long>(worst));
        worst_score = beams[0].score;
        for (const auto& b : beams) worst_score = std::min(worst_score, b.score);
      } else {
        worst_score = std::min(score, worst_score);
      }
    }
  }
  // HF BeamHypotheses.is_done (early_stopping True / False heuristic).
  bool is_done(double best_sum_logprobs, int64_t length, bool early_stopping) const {
    if (beams.size() < capacity) return false;
    if (early_stopping) return true;
    return worst_score >= best_sum_logprobs / std::pow(static_cast<double>(length), length_penalty);
  }
  // sorted(beams, key=score).pop(): the highest score, the latest one among equals.
  const Hyp& best() const {
    size_t b = 0;
    for (size_t i = 1; i < beams.size(); ++i)
      if (beams[i].score >= beams[b].score) b = i;
    return beams[b];
  }
};

void check_options(const T5Model& model, const GenerationOptions& o) {
  if (o.num_beams < 1) throw UsageError("generation: num_beams must be >= 1");
  if (o.max_length < 2) throw UsageError("generation: max_length must be >= 2 (it counts the start token)");
  if (2LL * o.num_beams > o.num_beams * model.config().vocab_size)
    throw UsageError("generation: vocabulary too small for the beam count");
}

}  // namespace

std::vector<Generated> greedy_search(const T5Model& model, const at::Tensor& input_ids,
                                     const at::Tensor& attention_mask, const GenerationOptions& options) {
  check_options(model, options);
  c10::InferenceMode guard;
  const T5Config& c = model.config();
  const int64_t batch = input_ids.size(0);
  std::vector<Generated> out(static_cast<size_t>(batch));
  if (batch == 0) return out;
  const at::Tensor enc = model.encode(input_ids, attention_mask);
  DecoderState st = model.start(enc, attention_mask, 1);
  std::vector<int64_t> active(static_cast<size_t>(batch));  // item of each state row
  for (int64_t i = 0; i < batch; ++i) active[static_cast<size_t>(i)] = i;
  std::vector<int64_t> last(static_cast<size_t>(batch), c.decoder_start_token_id);
  const at::Device dev(model.device());
  for (int64_t cur_len = 1; cur_len < options.max_length && !active.empty(); ++cur_len) {
    const at::Tensor tokens = at::tensor(last, at::kLong).view({-1, 1}).to(dev);
    const at::Tensor logits = model.decode_step(st, tokens).select(1, 0);
    const at::Tensor logprobs = at::log_softmax(logits.to(at::kFloat), -1);
    const at::Tensor next = logits.argmax(-1);
    const std::vector<int64_t> next_ids = to_vector(next);
    const at::Tensor picked = logprobs.gather(1, next.unsqueeze(1)).to(at::kCPU).to(at::kDouble);
    std::vector<int64_t> keep_rows, keep_items;
    for (size_t r = 0; r < active.size(); ++r) {
      Generated& g = out[static_cast<size_t>(active[r])];
      g.tokens.push_back(next_ids[r]);
      g.score += picked[static_cast<int64_t>(r)][0].item<double>();
      if (next_ids[r] != c.eos_token_id) {
        keep_rows.push_back(static_cast<int64_t>(r));
        keep_items.push_back(active[r]);
      }
    }
    last.clear();
    for (int64_t r : keep_rows) last.push_back(next_ids[static_cast<size_t>(r)]);
    if (keep_rows.size() != active.size() && !keep_rows.empty())
      st.select_rows(at::tensor(keep_rows, at::kLong));
    active = keep_items;
  }
  return out;
}

std::vector<Generated> beam_search(const T5Model& model, const at::Tensor& input_ids,
                                   const at::Tensor& attention_mask, const GenerationOptions& options) {
  check_options(model, options);
  c10::InferenceMode guard;
  const T5Config& c = model.config();
  const int64_t batch = input_ids.size(0), beams = options.num_beams;
  std::vector<Generated> out(static_cast<size_t>(batch));
  if (batch == 0) return out;
  const at::Device dev(model.device());
  const at::Tensor enc = model.encode(input_ids, attention_mask);
  DecoderState st = model.start(enc, attention_mask, beams);

  std::vector<Hypotheses> hyps(static_cast<size_t>(batch), Hypotheses{static_cast<size_t>(beams),
                                                                      options.length_penalty, {}, 1e9});
  std::vector<int64_t> active(static_cast<size_t>(batch));  // item of each group of `beams` rows
  for (int64_t i = 0; i < batch; ++i) active[static_cast<size_t>(i)] = i;
  // Live sequences (start token included) per state row; beam scores as HF's float32 tensor.
  std::vector<std::vector<int64_t>> seqs(static_cast<size_t>(batch * beams), {c.decoder_start_token_id});
  at::Tensor beam_scores = at::full({batch, beams}, -1e9, at::kFloat);
  beam_scores.select(1, 0).zero_();
  beam_scores = beam_scores.view({-1}).to(dev);
  std::vector<int64_t> last(static_cast<size_t>(batch * beams), c.decoder_start_token_id);

  for (int64_t cur_len = 1;; ++cur_len) {
    const int64_t groups = static_cast<int64_t>(active.size());
    const at::Tensor tokens = at::tensor(last, at::kLong).view({-1, 1}).to(dev);
    const at::Tensor logits = model.decode_step(st, tokens).select(1, 0);
    at::Tensor scores = at::log_softmax(logits.to(at::kFloat), -1) + beam_scores.unsqueeze(1);
    scores = scores.view({groups, beams * logits.size(-1)});
    const auto top = at::topk(scores, 2 * beams, 1, /*largest=*/true, /*sorted=*/true);
    const at::Tensor top_scores = std::get<0>(top).to(at::kCPU).contiguous();
    const std::vector<int64_t> top_ids = to_vector(std::get<1>(top));
    const float* ts = top_scores.data_ptr<float>();

    std::vector<int64_t> src_rows, new_tokens, new_items;
    std::vector<float> new_scores;
    std::vector<std::vector<int64_t>> new_seqs;
    for (int64_t g = 0; g < groups; ++g) {
      Hypotheses& h = hyps[static_cast<size_t>(active[static_cast<size_t>(g)])];
      std::vector<int64_t> rows, toks;
      std::vector<float> sc;
      for (int64_t rank = 0; rank < 2 * beams && static_cast<int64_t>(rows.size()) < beams; ++rank) {
        const int64_t flat = top_ids[static_cast<size_t>(g * 2 * beams + rank)];
        const int64_t token = flat % logits.size(-1), row = g * beams + flat / logits.size(-1);
        const float score = ts[g * 2 * beams + rank];
        if (token == c.eos_token_id) {
          if (rank >= beams) continue;  // an </s> outside the top num_beams is dropped
          // The hypothesis holds the sequence before </s>: start + generated = cur_len tokens
          // in both length conventions.
          h.add(seqs[static_cast<size_t>(row)], score, cur_len);
        } else {
          rows.push_back(row);
          toks.push_back(token);
          sc.push_back(score);
        }
      }
      float best = ts[g * 2 * beams];
      for (int64_t rank = 1; rank < 2 * beams; ++rank) best = std::max(best, ts[g * 2 * beams + rank]);
      // HF is_done(best, cur_len): cur_len = start + generated in both conventions.
      if (h.is_done(best, cur_len, options.early_stopping)) continue;  // item finished
      for (size_t b = 0; b < rows.size(); ++b) {
        std::vector<int64_t> s = seqs[static_cast<size_t>(rows[b])];
        s.push_back(toks[b]);
        new_seqs.push_back(std::move(s));
        src_rows.push_back(rows[b]);
        new_tokens.push_back(toks[b]);
        new_scores.push_back(sc[b]);
      }
      new_items.push_back(active[static_cast<size_t>(g)]);
    }
    seqs = std::move(new_seqs);
    active = std::move(new_items);
    last = new_tokens;
    if (active.empty()) break;
    if (cur_len + 1 >= options.max_length) {
      // Max length reached: every live beam joins its item's hypotheses (HF finalize).
      const int64_t len = options.length_counts_start ? cur_len + 1 : cur_len;
      for (size_t r = 0; r < seqs.size(); ++r)
        hyps[static_cast<size_t>(active[r / static_cast<size_t>(beams)])].add(seqs[r], new_scores[r], len);
      break;
    }
    // Beams move within their item: the cross-attention rows only change when items finish.
    st.select_rows(at::tensor(src_rows, at::kLong), static_cast<int64_t>(active.size()) == groups);
    beam_scores = at::tensor(new_scores, at::kFloat).to(dev);
  }
  for (int64_t i = 0; i < batch; ++i) {
    const Hypotheses::Hyp& best = hyps[static_cast<size_t>(i)].best();
    Generated& g = out[static_cast<size_t>(i)];
    g.tokens.assign(best.tokens.begin() + 1, best.tokens.end());
    // Finished by </s> (shorter than max_length): HF appends the </s>.
    if (static_cast<int64_t>(best.tokens.size()) < options.max_length) g.tokens.push_back(c.eos_token_id);
    g.score = best.score;
  }
  return out;
}

std::vector<Generated> generate(const T5Model& model, const at::Tensor& input_ids,
                                const at::Tensor& attention_mask, const GenerationOptions& options) {
  return options.num_beams == 1 ? greedy_search(model, input_ids, attention_mask, options)
                                : beam_search(model, input_ids, attention_mask, options);
}

}  // namespace pgc::t5

// ---------------------------------------------------------------- the scene-graph parser

namespace pgc {
namespace {
namespace fs = std::filesystem;

class T5SceneGraphParser : public SceneGraphParser {
 public:
  T5SceneGraphParser(const std::string& dir, const std::string& device, const SceneGraphParserOptions& options)
      : options_(options),
        tokenizer_((fs::path(dir) / "spiece.model").string()),
        model_(t5::read_t5_config((fs::path(dir) / "config.json").string()), device) {
    model_.load(SafetensorsCheckpoint(hf_checkpoint_path(dir)));
    if (tokenizer_.vocab_size() > model_.config().vocab_size)
      throw InputError((fs::path(dir) / "config.json").string(), "vocab_size",
                       "smaller than the tokenizer's " + std::to_string(tokenizer_.vocab_size()) + " tokens");
    // Check the options early (UsageError) rather than at the first parse.
    scene_graph_parser_inputs(tokenizer_, {}, options_.parser_version);
    name_ = "t5-scene-graph(" + fs::path(dir).filename().string() + ",beams=" + std::to_string(options.num_beams) +
            ",max_length=" + std::to_string(options.max_length) + ",parser=" + options.parser_version + ")";
  }

  std::string name() const override { return name_; }

  std::vector<std::string> parse(const std::vector<std::string>& sentences) override {
    std::vector<std::string> out;
    t5::GenerationOptions g;
    g.num_beams = options_.num_beams;
    g.max_length = options_.max_length;
    g.early_stopping = options_.early_stopping;
    g.length_penalty = options_.length_penalty;
    g.length_counts_start = options_.beam_length_counts_start;
    for (size_t begin = 0; begin < sentences.size(); begin += kSceneGraphParserBatch) {
      const size_t end = std::min(sentences.size(), begin + kSceneGraphParserBatch);
      const std::vector<std::string> chunk(sentences.begin() + static_cast<long>(begin),
                                           sentences.begin() + static_cast<long>(end));
      const auto rows = scene_graph_parser_inputs(tokenizer_, chunk, options_.parser_version);
      const auto [ids, mask] = t5::pad_batch(rows, tokenizer_.pad_id(), model_.device());
      for (const auto& gen : t5::generate(model_, ids, mask, g)) out.push_back(tokenizer_.decode(gen.tokens));
    }
    return out;
  }

 private:
  SceneGraphParserOptions options_;
  T5Tokenizer tokenizer_;
  t5::T5Model model_;
  std::string name_;
};

}  // namespace

std::unique_ptr<SceneGraphParser> load_scene_graph_parser(const std::string& model_dir, const std::string& device,
                                                          const SceneGraphParserOptions& options) {
  if (device != "cpu" && device != "cuda") throw UsageError("scene-graph parser: device must be cpu or cuda, not '" + device + "'");
  return std::make_unique<T5SceneGraphParser>(model_dir, device, options);
}

}  // namespace pgc
