#pragma once
// T5 encoder-decoder (HF transformers' T5ForConditionalGeneration, inference only) and HF
// `generate`'s greedy and beam search, in LibTorch. The scene-graph parser
// (models/scene_graph_parser.hpp) is built on it; tests and bench_t5 use this header directly.
// Only <ATen/core/Tensor.h> here; the implementation is models/torch/t5.cpp.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/safetensors.hpp"

namespace pgc::t5 {

// config.json of a T5 / T5 v1.1 / Flan-T5 checkpoint (defaults = HF T5Config's).
struct T5Config {
  int64_t vocab_size = 32128;
  int64_t d_model = 512;
  int64_t d_kv = 64;
  int64_t d_ff = 2048;
  int64_t num_layers = 6;
  int64_t num_decoder_layers = 6;     // = num_layers when absent
  int64_t num_heads = 8;
  int64_t relative_attention_num_buckets = 32;
  int64_t relative_attention_max_distance = 128;
  double layer_norm_epsilon = 1e-6;
  std::string feed_forward_proj = "relu";  // "relu", "gelu", "gated-gelu", "gated-relu"
  bool tie_word_embeddings = true;         // Flan-T5 / T5 v1.1: false
  int64_t decoder_start_token_id = 0;
  int64_t eos_token_id = 1;
  int64_t pad_token_id = 0;

  bool gated() const;
  int64_t inner_dim() const { return num_heads * d_kv; }
};

// Reads config.json; InputError(file, key, ...) for a wrong type or an unsupported value.
T5Config read_t5_config(const std::string& path);
// The same, from JSON text (`origin` names it in errors).
T5Config parse_t5_config(const std::string& json, const std::string& origin);

// HF T5Attention._relative_position_bucket, elementwise on a kLong tensor of
// (memory position - query position).
at::Tensor relative_position_bucket(const at::Tensor& relative_position, bool bidirectional,
                                    int64_t num_buckets, int64_t max_distance);
// HF T5LayerNorm: weight * x * rsqrt(mean(x^2, last dim) + eps), the variance in float32.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

// One decoding state: per layer the self-attention keys/values so far and the cross-attention
// keys/values of the encoder output ([rows, heads, length, d_kv] each), plus the additive
// encoder mask [rows, 1, 1, source length] and the number of decoder positions done.
struct DecoderState {
  std::vector<at::Tensor> self_k, self_v, cross_k, cross_v;
  at::Tensor encoder_bias;
  int64_t length = 0;
  int64_t rows() const;
  // Keeps rows `index` (kLong, on any device), in that order (beam reordering and dropping
  // finished items). `cross_unchanged`: every new row takes its cross-attention state from a
  // row holding the same values (beams of one item, same item count), so those are kept as
  // they are instead of copied.
  void select_rows(const at::Tensor& index, bool cross_unchanged = false);
};

class T5Model {
 public:
  // Parameters under HF names, on `device` ("cpu" or "cuda"), float32, drawn from a fixed
  // seed with HF's initialization scales (for tests and benchmarks; load() overwrites them).
  T5Model(const T5Config& config, const std::string& device, uint64_t seed = 0);
  ~T5Model();
  T5Model(const T5Model&) = delete;
  T5Model& operator=(const T5Model&) = delete;

  const T5Config& config() const { return config_; }
  const std::string& device() const { return device_; }

  // Every parameter by its HF name (shared.weight, encoder.block.0.layer.0.SelfAttention.q.weight, ...).
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;
  // Binds a checkpoint by HF names (fp32/fp16/bf16 -> float32); encoder/decoder.embed_tokens
  // copies of shared.weight and, with tied embeddings, lm_head.weight are ignored. InputError
  // naming the file and the tensor for anything missing, unexpected or mis-shaped.
  void load(const SafetensorsCheckpoint& checkpoint);

  // Encoder: ids [B, S] kLong, mask [B, S] (1 real, 0 padding) -> hidden [B, S, d_model].
  at::Tensor encode(const at::Tensor& input_ids, const at::Tensor& attention_mask) const;
  // A decoding state for `encoder_hidden` [B, S, D] / `attention_mask` [B, S], each row
  // repeated `repeat` times (beams), with no decoder positions yet.
  DecoderState start(const at::Tensor& encoder_hidden, const at::Tensor& attention_mask,
                     int64_t repeat = 1) const;
  // Incremental decoder: `tokens` [rows, T] at positions state.length .. +T-1 -> logits
  // [rows, T, vocab]; appends their keys/values to `state`.
  at::Tensor decode_step(DecoderState& state, const at::Tensor& tokens) const;
  // Whole decoder sequence with no cache (causal mask): ids [B, T] -> logits [B, T, vocab].
  at::Tensor decode_full(const at::Tensor& encoder_hidden, const at::Tensor& attention_mask,
                         const at::Tensor& decoder_ids) const;

 private:
  struct Weights;
  T5Config config_;
  std::string device_;
  std::unique_ptr<Weights> w_;
};

struct GenerationOptions {
  int num_beams = 5;
  int max_length = 128;           // decoder sequence length including the start token
  bool early_stopping = true;
  double length_penalty = 1.0;
  // Length that divides a finished beam's log-probability: true = transformers <= 4.35
  // (the hypothesis' token count, decoder start included: a hypothesis cut at max_length
  // counts max_length), false = later releases (generated tokens: max_length - 1 there).
  // Hypotheses ended by </s> count the same in both (start + tokens before </s>).
  bool length_counts_start = true;
};

struct Generated {
  std::vector<int64_t> tokens;  // generated ids after the start token, up to and including </s>
  double score = 0;             // beam: the finished hypothesis' score; greedy: sum of log-probs
};

// HF generate for a batch of encoder inputs (ids [B, S], mask [B, S]): greedy when
// num_beams == 1, else beam search (BeamSearchScorer semantics). Items are independent.
std::vector<Generated> generate(const T5Model& model, const at::Tensor& input_ids,
                                const at::Tensor& attention_mask, const GenerationOptions& options);
// Beam search even for num_beams == 1 (for tests: it must equal greedy there).
std::vector<Generated> beam_search(const T5Model& model, const at::Tensor& input_ids,
                                   const at::Tensor& attention_mask, const GenerationOptions& options);
std::vector<Generated> greedy_search(const T5Model& model, const at::Tensor& input_ids,
                                     const at::Tensor& attention_mask, const GenerationOptions& options);

// Pads token lists on the right with `pad` into ids/mask tensors [B, longest] on `device`.
std::pair<at::Tensor, at::Tensor> pad_batch(const std::vector<std::vector<int64_t>>& rows,
                                            int64_t pad, const std::string& device);

}  // namespace pgc::t5
