#pragma once
// BLEU@1-4 exactly as pycocoevalcap's BleuScorer computes it with option "closest"
// (bleu/bleu_scorer.py): clipped n-gram matches against the per-n-gram maximum count over the
// references, guesses max(0, len-k+1), the reference length closest to the candidate's (ties to
// the shorter), cumulative geometric means with the 1e-15 / 1e-9 smoothing constants and the
// brevity penalty exp(1 - 1/ratio) when ratio = (testlen+1e-15)/(reflen+1e-9) < 1.
// The corpus score applies the same formula to the summed statistics; an image's score is the
// formula on its own statistics, which is exactly the per-image list BleuScorer returns.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/ngrams.hpp"

namespace pgc {

struct BleuStats {
  std::array<int64_t, 4> correct{};  // clipped matches of 1..4-grams
  std::array<int64_t, 4> guess{};    // candidate 1..4-grams
  int64_t testlen = 0;               // candidate length
  int64_t reflen = 0;                // closest reference length
  void merge(const BleuStats& o);
  // [c1..c4, g1..g4, testlen, reflen]: the "bleu" entry of a results file's stats block.
  std::array<int64_t, 10> to_array() const;
  static BleuStats from_array(const std::array<int64_t, 10>& a);
};

// One image. `refs` are each reference's n-grams (CaptionNgrams::build on its words).
BleuStats bleu_stats(const CaptionNgrams& candidate, const std::vector<const CaptionNgrams*>& refs);

// Convenience for tests and small inputs: captions as text, words split like Python's str.split().
BleuStats bleu_stats(const std::string& candidate, const std::vector<std::string>& refs);

// Bleu_1..Bleu_4 from (summed) statistics.
std::array<double, 4> bleu_score(const BleuStats& stats);

}  // namespace pgc
