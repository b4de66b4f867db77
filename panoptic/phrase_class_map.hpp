#pragma once
// Phrase -> panoptic class by sentence-embedding similarity (pgc_formats.md §7.2, the paper's
// "BERT text embeddings + cosine, best-matching category"), and the embedding-cosine text
// similarity of GLaMM's GCG recall gate (§5: bert-base-uncased mean pooling, sklearn
// cosine_similarity). Torch-free: the encoder comes in as a SentenceEncoder&
// (models/text_encoder.hpp; load_bert_encoder gives the BERT one).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/panoptic_quality.hpp"
#include "models/text_encoder.hpp"

namespace pgc {

// The string embedded for a COCO panoptic class name: the suffixes "-merged", "-other" and
// "-stuff" removed from the end while one is there, then every '-' replaced by a space:
// "sky-other-merged" -> "sky", "wall-brick" -> "wall brick", "door-stuff" -> "door".
std::string clean_class_name(const std::string& name);

// Cosine of two embeddings, accumulated in double. A zero vector gives 0 (as sklearn's
// cosine_similarity, which leaves zero rows unnormalized). std::invalid_argument on a size
// mismatch.
double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b);

class PhraseClassMap {
 public:
  // Embeds the cleaned names of `categories` (one encoder call).
  PhraseClassMap(SentenceEncoder& encoder, const std::vector<PqCategory>& categories);

  // One category id per phrase: the largest cosine between the phrase's embedding and the
  // class-name embeddings; ties go to the smallest category id. With `isthing[i]` set, only
  // thing (true) or stuff (false) classes compete for phrase i (§7.2's optional restriction,
  // e.g. GLaMM-style <SEG_t>/<SEG_s> tags); `isthing` is empty or one entry per phrase.
  // Phrases are embedded in one encoder call.
  std::vector<int64_t> map(const std::vector<std::string>& phrases,
                           const std::vector<std::optional<bool>>& isthing = {}) const;

  // The same for phrases already embedded.
  int64_t best_class(const std::vector<float>& phrase_embedding, std::optional<bool> isthing = std::nullopt) const;
  // Cosines of a phrase embedding with every class, in `categories()` order.
  std::vector<double> cosines(const std::vector<float>& phrase_embedding) const;

  // Sorted by id (the tie order), with the cleaned names that were embedded.
  const std::vector<PqCategory>& categories() const { return categories_; }
  const std::vector<std::string>& class_texts() const { return class_texts_; }

 private:
  SentenceEncoder& encoder_;
  std::vector<PqCategory> categories_;
  std::vector<std::string> class_texts_;
  std::vector<std::vector<float>> class_embeddings_;
};

// Cosine similarity of texts through their embeddings, all computed up front (add) so that the
// similarity itself is a thread-safe lookup: GLaMM's text_similarity_bert(gt label, phrase).
class EmbeddingSimilarity {
 public:
  explicit EmbeddingSimilarity(SentenceEncoder& encoder) : encoder_(encoder) {}
  // Embeds the texts not seen yet (duplicates embedded once), in one encoder call.
  void add(const std::vector<std::string>& texts);
  // std::out_of_range naming a text that was never added.
  double operator()(const std::string& a, const std::string& b) const;
  size_t size() const { return embeddings_.size(); }

 private:
  SentenceEncoder& encoder_;
  std::unordered_map<std::string, std::vector<float>> embeddings_;
};

}  // namespace pgc
