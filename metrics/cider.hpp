#pragma once
// CIDEr-D exactly as pycocoevalcap's CiderScorer (cider/cider_scorer.py): n = 1..4, sigma = 6.
//
// CIDEr-D is corpus-dependent: its idf comes from the references of the images being scored,
// idf(g) = log(N) - log(max(1, df(g))) with N = number of images and df(g) = number of images
// whose references contain g (once per image). So scoring is two passes: collect document
// frequencies over every image (CiderDocumentFrequency; shards merge by adding counts and
// image totals), then score each image against them (CiderD::score). Scores of the same image
// differ between evaluation sets, and a single image always scores 0 (log 1 = 0).
//
// Per image: term weight = count * idf (no length normalisation); per n,
// sum over the candidate's n-grams g (first-occurrence order) of min(h_g, r_g) * r_g, divided by
// |h| |r| when both norms are non-zero, times pow(np.e, -delta^2 / 72) where delta is the
// difference of the two captions' bigram counts (len-1, or 0 for an empty caption); mean over n,
// sum over references / #refs, x10. The corpus score is numpy.mean of the per-image scores.
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/ngrams.hpp"

namespace pgc {

class CiderDocumentFrequency {
 public:
  // Builds the frequencies of all images (refs_per_image[i] = image i's references), in
  // parallel over hash shards; the result does not depend on `threads`.
  static CiderDocumentFrequency build(const std::vector<std::vector<const TokenIds*>>& refs_per_image,
                                      int threads);
  // Adds one image (single-threaded use).
  void add_image(const std::vector<const TokenIds*>& refs);
  // Adds another shard's images (disjoint image sets).
  void merge(const CiderDocumentFrequency& other);
  size_t images() const { return images_; }
  uint32_t df(const NgramKey& key) const;
  size_t distinct_ngrams() const;
  // Calls fn(key, df) for every n-gram (in table order).
  template <class Fn>
  void for_each(Fn fn) const {
    for (const Table& t : shards_)
      for (const Slot& s : t.slots)
        if (s.df) fn(s.key, s.df);
  }

 private:
  struct Slot {
    NgramKey key;
    uint32_t df = 0;         // 0 = empty slot
    uint32_t last_image = 0; // counts an n-gram once per image
  };
  struct Table {
    std::vector<Slot> slots;
    size_t used = 0;
    void add(const NgramKey& key, uint32_t df, uint32_t image, bool once_per_image);
    void reserve(size_t entries);
    uint32_t find(const NgramKey& key) const;
  };
  static constexpr int kShards = 64;  // fixed: shard = high hash bits, independent of threads
  static int shard_of(uint64_t hash) { return static_cast<int>(hash >> 58); }
  void add_image_to_shards(const std::vector<const TokenIds*>& refs, uint32_t image, int shard_lo, int shard_hi);
  std::vector<Table> shards_ = std::vector<Table>(kShards);
  size_t images_ = 0;
};

// The frozen idf the scorer reads: log(N) and log(max(1, df)) per n-gram. Only n-grams with
// df >= 2 are stored, since df 0 and df 1 both give log(1) = 0; the table stays small enough to
// keep lookups in cache, and the (much larger) CiderDocumentFrequency can be dropped.
class CiderIdf {
 public:
  explicit CiderIdf(const CiderDocumentFrequency& df);
  size_t images() const { return images_; }
  double log_images() const { return log_images_; }
  double log_df(const NgramKey& key) const {
    size_t m = slots_.size() - 1;
    for (size_t i = key.hash() & m;; i = (i + 1) & m) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.log_df;
      if (s.key == NgramKey{}) return 0.0;  // empty slot: df 0 or 1
    }
  }
  void prefetch(const NgramKey& key) const { __builtin_prefetch(&slots_[key.hash() & (slots_.size() - 1)]); }
  size_t size() const { return used_; }

 private:
  struct Slot {
    NgramKey key;  // NgramKey{} (all ones) = empty; no real n-gram has that key
    double log_df = 0;
  };
  std::vector<Slot> slots_;
  size_t used_ = 0, images_ = 0;
  double log_images_ = 0;
};

class CiderD {
 public:
  static constexpr int kN = 4;
  static constexpr double kSigma = 6.0;
  explicit CiderD(const CiderIdf& idf);
  // One image's score (words from the same Vocabulary as the frequencies).
  double score(const TokenIds& candidate, const std::vector<const TokenIds*>& refs);
  // The same from n-grams already counted (CaptionNgrams::build with max_n 4), e.g. shared
  // with BLEU.
  double score(const CaptionNgrams& candidate, const std::vector<const CaptionNgrams*>& refs);
  // Convenience for tests: a whole evaluation set as text; returns the per-image scores.
  static std::vector<double> score_texts(const std::vector<std::string>& candidates,
                                         const std::vector<std::vector<std::string>>& refs);

 private:
  struct Vec {  // one caption's tf-idf vectors, per n, in first-occurrence order
    const CaptionNgrams* ngrams = nullptr;
    std::vector<double> weight;  // parallel to the n-grams' entries
    double norm[kN] = {};
    int64_t bigrams = 0;
  };
  void vectorize(const CaptionNgrams& ngrams, Vec& v) const;
  const CiderIdf& idf_;
  Vec cand_, ref_;
  CaptionNgrams cand_ngrams_;
  std::vector<CaptionNgrams> ref_ngrams_;
};

}  // namespace pgc
