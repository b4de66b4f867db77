#pragma once
// MPNet (HF transformers' MPNetModel, modeling_mpnet.py) and the sentence-transformers
// all-mpnet-base-v2 encoder built on it (MPNet -> attention-masked mean pooling -> L2
// normalization), in float32, for CAPTURE's soft matching stage. Torch inside models/torch/
// only; the rest of pgc sees models/text_encoder.hpp.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/safetensors.hpp"
#include "models/text_encoder.hpp"

namespace pgc {

// config.json of an MPNet checkpoint (HF MPNetConfig fields; defaults = mpnet-base).
struct MpnetConfig {
  int64_t vocab_size = 30527;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 514;
  int64_t relative_attention_num_buckets = 32;
  double layer_norm_eps = 1e-5;
  std::string hidden_act = "gelu";  // erf GELU; the only activation all-mpnet-base-v2 uses
};

// Reads config.json; InputError naming the file and field for a missing/ill-typed field,
// a model_type other than "mpnet", or an unsupported activation.
MpnetConfig read_mpnet_config(const std::string& path);

// HF MPNetEncoder.relative_position_bucket (bidirectional, T5-style): for n = -relative_position,
// half the buckets for n < 0, exact buckets below num_buckets/4, log-spaced up to max_distance,
// computed with the same float32 tensor ops as HF (so rounding at the log boundaries agrees).
// Element-wise on a kLong tensor; returns kLong.
at::Tensor mpnet_relative_position_bucket(const at::Tensor& relative_position, int64_t num_buckets = 32,
                                          int64_t max_distance = 128);

// HF create_position_ids_from_input_ids (RoBERTa style): non-padding tokens get
// padding_idx + 1, + 2, ...; padding tokens get padding_idx.
at::Tensor mpnet_position_ids(const at::Tensor& input_ids, int64_t padding_idx);

// MPNetModel without its pooler, float32, on one device. Parameters carry HF's names
// (embeddings.*, encoder.layer.{i}.*, encoder.relative_attention_bias.weight).
class MpnetModel {
 public:
  MpnetModel(const MpnetConfig& config, const std::string& device);
  ~MpnetModel();
  MpnetModel(const MpnetModel&) = delete;
  MpnetModel& operator=(const MpnetModel&) = delete;

  // Binds a checkpoint: HF names with or without the "mpnet." prefix; "pooler.*" and
  // "embeddings.position_ids" are ignored; anything missing, unexpected or mis-shaped is an
  // InputError naming the file and the tensor. Returns the number of tensors bound.
  size_t load(const SafetensorsCheckpoint& checkpoint);

  // input_ids [B, L] kLong, attention_mask [B, L] (1 = token, 0 = padding), any device ->
  // last hidden state [B, L, hidden] float32 on the model's device. Call under inference mode.
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) const;

  const MpnetConfig& config() const;
  // Every parameter by its HF name (for tests that write random checkpoints).
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A sentence-transformers all-mpnet-base-v2 folder, loaded (see load_mpnet_encoder).
class MpnetSentenceEncoder : public SentenceEncoder {
 public:
  MpnetSentenceEncoder(const std::string& model_dir, const std::string& device);
  ~MpnetSentenceEncoder() override;

  size_t dim() const override;
  std::string name() const override;  // "all-mpnet-base-v2:<sha256-12 of the weights>" style
  // Tokenizes, sorts by token count (longest first, ties in input order) like
  // SentenceTransformer.encode, runs batches of batch_size() padded to their longest text,
  // mean-pools over the attention mask, L2-normalizes (torch F.normalize) when the folder has a
  // Normalize module, and returns the embeddings in input order.
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) override;
  // The same from token ids (each <s> ... </s>, at most max_seq_length()).
  std::vector<std::vector<float>> embed_ids(const std::vector<std::vector<int64_t>>& ids);

  // <s> word pieces </s>, truncated to max_seq_length() ids as sentence-transformers does.
  std::vector<int64_t> token_ids(const std::string& text) const;
  size_t max_seq_length() const;
  size_t batch_size() const;
  void set_batch_size(size_t n);  // >= 1; default 32
  bool normalizes() const;
  const std::string& device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgc
