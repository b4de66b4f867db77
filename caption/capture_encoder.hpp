#pragma once
// CAPTURE's soft stage from a sentence encoder (all-mpnet-base-v2), the way the reference
// computes it (FactualSceneGraph soft_spice_evaluation.encode_phrases + capture.py):
//   E = model.encode(phrases)                 float32, already L2-normalized by the model
//   E = E / sqrt(np.sum(E ** 2, axis=1))      numpy renormalization, float32
//   M = E_cands . E_refs^T                    float32
// pgc embeds every distinct phrase the soft stage will need once (a first scoring pass
// records them), in one deterministic order, so the result does not depend on threads.
// Torch-free: the encoder comes in through models/text_encoder.hpp.
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/capture.hpp"
#include "models/text_encoder.hpp"

namespace pgc {

// The reference's _normalize_features on one float32 row: x / sqrt(np.sum(x ** 2)), with
// numpy's pairwise float32 summation; a zero row gives NaNs, as numpy does.
std::vector<float> numpy_l2_normalize(const std::vector<float>& x);

// The cosine as pgc computes E_c . E_r: the dot product in double, rounded to float32 (the
// reference's float32 BLAS sgemm sums in an order of its own; both agree to ~1e-7).
float embedding_dot(const std::vector<float>& a, const std::vector<float>& b);

// Soft-stage similarities from precomputed phrase embeddings (renormalized as above).
// A phrase without an embedding is a std::logic_error (the first pass should have seen it).
class EmbeddingSimilarity : public PhraseSimilarity {
 public:
  EmbeddingSimilarity(const std::vector<std::string>& phrases, const std::vector<std::vector<float>>& embeddings);
  std::vector<float> matrix(const std::vector<std::string>& cands,
                            const std::vector<std::string>& refs) const override;
  const std::vector<float>& embedding(const std::string& phrase) const;
  size_t size() const { return embeddings_.size(); }

 private:
  std::unordered_map<std::string, std::vector<float>> embeddings_;
};

// Every distinct phrase the soft stage asks about when `images` are scored with `options` and
// `synonyms` (stages 1-2 decide what is left over), sorted (byte order).
std::vector<std::string> capture_soft_phrases(const std::vector<CaptureImage>& images, const CaptureOptions& options,
                                              const SynonymLookup* synonyms, int threads);

// capture_soft_phrases, embedded with `encoder` in that order (one call).
EmbeddingSimilarity encode_capture_phrases(SentenceEncoder& encoder, const std::vector<CaptureImage>& images,
                                           const CaptureOptions& options, const SynonymLookup* synonyms,
                                           int threads);

}  // namespace pgc
