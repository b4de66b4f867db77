#pragma once
// ROUGE-L exactly as pycocoevalcap's Rouge (rouge/rouge.py): words from `str.split(" ")` (one
// ASCII space: empty words count, "" is one empty word), LCS length against each reference,
// P = max over refs of lcs/len(cand) and R = max over refs of lcs/len(ref) (maxima taken
// separately, possibly from different references), beta = 1.2,
// score = ((1+beta^2) P R) / (R + beta^2 P), 0 when P or R is 0. The corpus score is the
// numpy.mean of the per-image scores (metrics/numpy_mean.hpp), so there are no sufficient
// statistics beyond the per-image value itself.
#include <string>
#include <vector>

#include "metrics/ngrams.hpp"

namespace pgc {

class RougeL {
 public:
  static constexpr double kBeta = 1.2;
  // One image; words are ids from one Vocabulary (Vocabulary::add_split_single_space).
  double score(const TokenIds& candidate, const std::vector<const TokenIds*>& refs);
  // Convenience: captions as text.
  static double score_text(const std::string& candidate, const std::vector<std::string>& refs);

  // Length of the longest common subsequence (bit-parallel, Hyyro 2004); exact.
  size_t lcs(const TokenIds& a, const TokenIds& b);

 private:
  void index_words(const TokenIds& a);
  size_t lcs_indexed(const TokenIds& b);
  // Reused buffers: the distinct words of the indexed caption and their position bitmasks.
  std::vector<uint32_t> slot_word_, slot_index_;
  std::vector<uint64_t> masks_, v_;
  size_t words_per_mask_ = 0, indexed_length_ = 0;
};

}  // namespace pgc
