#include "caption/capture_encoder.hpp"

#include <cmath>
#include <mutex>
#include <set>
#include <stdexcept>

namespace pgc {

std::vector<float> numpy_l2_normalize(const std::vector<float>& x) {
  std::vector<float> squares(x.size());
  for (size_t i = 0; i < x.size(); ++i) squares[i] = x[i] * x[i];
  const float norm = std::sqrt(numpy_float32_sum(squares.data(), squares.size()));
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] / norm;
  return out;
}

float embedding_dot(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) throw std::logic_error("embedding_dot: dimensions differ");
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return static_cast<float>(sum);
}

EmbeddingSimilarity::EmbeddingSimilarity(const std::vector<std::string>& phrases,
                                         const std::vector<std::vector<float>>& embeddings) {
  if (phrases.size() != embeddings.size())
    throw std::invalid_argument("EmbeddingSimilarity: one embedding per phrase expected");
  for (size_t i = 0; i < phrases.size(); ++i) embeddings_.emplace(phrases[i], numpy_l2_normalize(embeddings[i]));
}

const std::vector<float>& EmbeddingSimilarity::embedding(const std::string& phrase) const {
  auto it = embeddings_.find(phrase);
  if (it == embeddings_.end())
    throw std::logic_error("CAPTURE soft stage: phrase \"" + phrase + "\" was not embedded");
  return it->second;
}

std::vector<float> EmbeddingSimilarity::matrix(const std::vector<std::string>& cands,
                                               const std::vector<std::string>& refs) const {
  std::vector<const std::vector<float>*> r;
  for (const auto& ref : refs) r.push_back(&embedding(ref));
  std::vector<float> m;
  m.reserve(cands.size() * refs.size());
  for (const auto& cand : cands) {
    const std::vector<float>& c = embedding(cand);
    for (const auto* e : r) m.push_back(embedding_dot(c, *e));
  }
  return m;
}

namespace {

// First pass: remembers every phrase the soft stage is asked about; all similarities 0 (the
// soft stage's result never changes what reaches it).
class PhraseRecorder : public PhraseSimilarity {
 public:
  std::vector<float> matrix(const std::vector<std::string>& cands,
                            const std::vector<std::string>& refs) const override {
    std::lock_guard<std::mutex> lock(mu_);
    phrases_.insert(cands.begin(), cands.end());
    phrases_.insert(refs.begin(), refs.end());
    return std::vector<float>(cands.size() * refs.size(), 0.f);
  }
  std::vector<std::string> phrases() const { return {phrases_.begin(), phrases_.end()}; }

 private:
  mutable std::mutex mu_;
  mutable std::set<std::string> phrases_;
};

}  // namespace

std::vector<std::string> capture_soft_phrases(const std::vector<CaptureImage>& images, const CaptureOptions& options,
                                              const SynonymLookup* synonyms, int threads) {
  PhraseRecorder recorder;
  CaptureScorer scorer(options, synonyms, &recorder);
  evaluate_capture(images, scorer, threads);
  return recorder.phrases();
}

EmbeddingSimilarity encode_capture_phrases(SentenceEncoder& encoder, const std::vector<CaptureImage>& images,
                                           const CaptureOptions& options, const SynonymLookup* synonyms,
                                           int threads) {
  std::vector<std::string> phrases = capture_soft_phrases(images, options, synonyms, threads);
  std::vector<std::vector<float>> embeddings = encoder.embed(phrases);
  return EmbeddingSimilarity(phrases, embeddings);
}

}  // namespace pgc
