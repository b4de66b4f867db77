#pragma once
// BERT (HF transformers' BertModel, encoder only) in LibTorch, and the sentence encoder that
// GLaMM's GCG recall and the PGC phrase -> class mapping use: bert-base-uncased, embedding =
// mean of the last hidden layer over all tokens of the text, [CLS] and [SEP] included
// (pgc_formats.md §5, §7.2). Inference only, float32 compute (F16/BF16 weights are widened),
// on "cpu" or "cuda". Torch header: include only from models/torch/, tests/test_torch_* and
// benchmarks; everything else goes through models/text_encoder.hpp.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "models/wordpiece.hpp"
#include "models/safetensors.hpp"
#include "models/text_encoder.hpp"

namespace pgc {

// config.json fields that shape the network (HF names).
struct BertConfig {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";  // gelu (erf), gelu_new / gelu_pytorch_tanh (tanh), relu
};

// Reads and checks config.json; InputError naming the file and the key. Rejects a model_type
// other than "bert" and a position_embedding_type other than "absolute".
BertConfig read_bert_config(const std::string& config_json);

// The network. Tensor names are HF BertModel's without the "bert." prefix, e.g.
// "embeddings.word_embeddings.weight", "encoder.layer.3.attention.self.query.weight".
class BertNetwork {
 public:
  // Parameters drawn like HF's init (normal(0, 0.02) weights, zero biases, LayerNorm 1/0) from
  // LibTorch's global generator (seed it with at::manual_seed for reproducible weights).
  BertNetwork(const BertConfig& config, const std::string& device);
  ~BertNetwork();
  BertNetwork(const BertNetwork&) = delete;
  BertNetwork& operator=(const BertNetwork&) = delete;

  // Binds an HF checkpoint: names with or without the "bert." prefix; LayerNorm.gamma/beta
  // (old checkpoints, e.g. bert-base-uncased's) as weight/bias; pooler.*, cls.* (the MLM/NSP
  // heads) and embeddings.position_ids ignored. InputError naming the checkpoint and tensor on
  // a missing, unexpected or wrongly shaped tensor (see models/torch/weights.hpp).
  void load(const SafetensorsCheckpoint& checkpoint);

  // ids [B, L] (int64, any device), attention_mask [B, L] (1 = token, 0 = padding; int64 or
  // float) -> last hidden state [B, L, hidden] float32 on the network's device. Token type 0.
  at::Tensor forward(const at::Tensor& ids, const at::Tensor& attention_mask) const;

  // Every parameter with its HF name (no prefix), in a fixed order (tests write checkpoints).
  std::vector<std::pair<std::string, at::Tensor>> named_tensors() const;
  const BertConfig& config() const;
  const std::string& device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A padded batch: ids and attention mask [B, L] (int64, CPU), L = the longest text.
struct BertBatch {
  at::Tensor ids, attention_mask;
};
BertBatch make_bert_batch(const std::vector<std::vector<int64_t>>& token_ids, int64_t pad_id);

// Mean of `hidden` [B, L, H] over the positions where `attention_mask` [B, L] is 1 -> [B, H]
// (= GLaMM's torch.mean(last_hidden_state[0], dim=0) for each unpadded text).
at::Tensor masked_mean(const at::Tensor& hidden, const at::Tensor& attention_mask);

class BertSentenceEncoder : public SentenceEncoder {
 public:
  BertSentenceEncoder(std::unique_ptr<BertNetwork> network, WordPieceTokenizer tokenizer, std::string name);

  size_t dim() const override;
  std::string name() const override { return name_; }
  // Texts are tokenized (truncated to 512 ids, or max_position_embeddings if smaller), sorted
  // by length and run in padded batches of batch_size(); thread-safe (one batch at a time).
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) override;

  size_t batch_size() const { return batch_size_; }
  void set_batch_size(size_t n) { batch_size_ = n ? n : 1; }
  const WordPieceTokenizer& tokenizer() const { return tokenizer_; }
  const BertNetwork& network() const { return *network_; }

 private:
  std::unique_ptr<BertNetwork> network_;
  WordPieceTokenizer tokenizer_;
  std::string name_;
  size_t batch_size_ = 32;
  std::mutex mutex_;
};

// An HF BERT folder: config.json, vocab.txt, model.safetensors (or model.safetensors.index.json
// with its shards), optional tokenizer_config.json (do_lower_case, strip_accents,
// tokenize_chinese_chars). name() = "bert@" + the first 8 hex digits of the SHA-256 over the
// config, vocabulary and weight files. What load_bert_encoder returns.
std::unique_ptr<BertSentenceEncoder> load_bert(const std::string& model_dir, const std::string& device);

}  // namespace pgc
