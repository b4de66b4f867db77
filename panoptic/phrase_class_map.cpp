// Phrase -> class mapping and embedding cosine similarity. See phrase_class_map.hpp.
#include "panoptic/phrase_class_map.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace pgc {

std::string clean_class_name(const std::string& name) {
  std::string n = name;
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (const std::string suffix : {"-merged", "-other", "-stuff"})
      if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        n.erase(n.size() - suffix.size());
        stripped = true;
      }
  }
  std::replace(n.begin(), n.end(), '-', ' ');
  return n;
}

double cosine_similarity(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size())
    throw std::invalid_argument("cosine_similarity: embeddings of " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " values");
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * double(b[i]);
    na += double(a[i]) * double(a[i]);
    nb += double(b[i]) * double(b[i]);
  }
  if (na == 0 || nb == 0) return 0.0;
  return dot / (std::sqrt(na) * std::sqrt(nb));
}

PhraseClassMap::PhraseClassMap(SentenceEncoder& encoder, const std::vector<PqCategory>& categories)
    : encoder_(encoder), categories_(categories) {
  if (categories_.empty()) throw std::invalid_argument("PhraseClassMap: no categories");
  std::stable_sort(categories_.begin(), categories_.end(),
                   [](const PqCategory& a, const PqCategory& b) { return a.id < b.id; });
  for (const auto& c : categories_) class_texts_.push_back(clean_class_name(c.name));
  class_embeddings_ = encoder_.embed(class_texts_);
}

std::vector<double> PhraseClassMap::cosines(const std::vector<float>& phrase_embedding) const {
  std::vector<double> out;
  out.reserve(class_embeddings_.size());
  for (const auto& e : class_embeddings_) out.push_back(cosine_similarity(phrase_embedding, e));
  return out;
}

int64_t PhraseClassMap::best_class(const std::vector<float>& phrase_embedding, std::optional<bool> isthing) const {
  const std::vector<double> c = cosines(phrase_embedding);
  std::optional<size_t> best;
  for (size_t k = 0; k < c.size(); ++k) {
    if (isthing && categories_[k].isthing != *isthing) continue;
    if (!best || c[k] > c[*best]) best = k;  // strict: the smallest id wins a tie
  }
  if (!best)
    throw std::invalid_argument(std::string("PhraseClassMap: no ") + (*isthing ? "thing" : "stuff") +
                                " category to map to");
  return categories_[*best].id;
}

std::vector<int64_t> PhraseClassMap::map(const std::vector<std::string>& phrases,
                                         const std::vector<std::optional<bool>>& isthing) const {
  if (!isthing.empty() && isthing.size() != phrases.size())
    throw std::invalid_argument("PhraseClassMap::map: isthing must be empty or one entry per phrase");
  const std::vector<std::vector<float>> embeddings = encoder_.embed(phrases);
  std::vector<int64_t> out;
  out.reserve(phrases.size());
  for (size_t i = 0; i < phrases.size(); ++i)
    out.push_back(best_class(embeddings[i], isthing.empty() ? std::nullopt : isthing[i]));
  return out;
}

void EmbeddingSimilarity::add(const std::vector<std::string>& texts) {
  std::vector<std::string> fresh;
  std::unordered_set<std::string> queued;
  for (const auto& t : texts)
    if (!embeddings_.count(t) && queued.insert(t).second) fresh.push_back(t);
  if (fresh.empty()) return;
  std::vector<std::vector<float>> e = encoder_.embed(fresh);
  for (size_t i = 0; i < fresh.size(); ++i) embeddings_.emplace(fresh[i], std::move(e[i]));
}

double EmbeddingSimilarity::operator()(const std::string& a, const std::string& b) const {
  auto find = [&](const std::string& t) -> const std::vector<float>& {
    auto it = embeddings_.find(t);
    if (it == embeddings_.end()) throw std::out_of_range("text \"" + t + "\" was not embedded");
    return it->second;
  };
  return cosine_similarity(find(a), find(b));
}

}  // namespace pgc
