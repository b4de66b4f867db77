#pragma once
// Sentence encoders behind a torch-free interface (implementations in models/torch/):
// BERT for the PGC phrase -> class mapping and GCG recall gate, MPNet (all-mpnet-base-v2)
// for CAPTURE's soft matching stage.
#include <memory>
#include <string>
#include <vector>

namespace pgc {

class SentenceEncoder {
 public:
  virtual ~SentenceEncoder() = default;
  virtual size_t dim() const = 0;
  virtual std::string name() const = 0;  // for result signatures
  // One embedding per text (float32, dim() values each), in input order. Results do not
  // depend on how texts are batched.
  virtual std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) = 0;
};

// HF bert-base-uncased folder (config.json, vocab.txt, model.safetensors or sharded with
// model.safetensors.index.json). Embedding = mean of the last hidden layer over all tokens
// ([CLS] and [SEP] included), not normalized (see ../shared/specs/pgc_formats.md 7.2).
std::unique_ptr<SentenceEncoder> load_bert_encoder(const std::string& model_dir,
                                                   const std::string& device);

// sentence-transformers all-mpnet-base-v2 folder: MPNet, attention-masked mean pooling,
// L2 normalization (what CAPTURE's soft stage uses).
std::unique_ptr<SentenceEncoder> load_mpnet_encoder(const std::string& model_dir,
                                                    const std::string& device);

}  // namespace pgc
