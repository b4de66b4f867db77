#include "metrics/bleu.hpp"

#include <cmath>
#include <cstdlib>

#include "metrics/strict_fp.hpp"  // parity to the last bit: no fused multiply-add

namespace pgc {

void BleuStats::merge(const BleuStats& o) {
  for (int k = 0; k < 4; ++k) {
    correct[k] += o.correct[k];
    guess[k] += o.guess[k];
  }
  testlen += o.testlen;
  reflen += o.reflen;
}

std::array<int64_t, 10> BleuStats::to_array() const {
  return {correct[0], correct[1], correct[2], correct[3], guess[0], guess[1],
          guess[2],   guess[3],   testlen,    reflen};
}

BleuStats BleuStats::from_array(const std::array<int64_t, 10>& a) {
  BleuStats s;
  for (int k = 0; k < 4; ++k) {
    s.correct[k] = a[k];
    s.guess[k] = a[4 + k];
  }
  s.testlen = a[8];
  s.reflen = a[9];
  return s;
}

BleuStats bleu_stats(const CaptionNgrams& cand, const std::vector<const CaptionNgrams*>& refs) {
  BleuStats s;
  const int64_t testlen = static_cast<int64_t>(cand.length());
  s.testlen = testlen;
  // "closest": min over (|len - testlen|, len), so a tie goes to the shorter reference.
  bool first = true;
  for (const CaptionNgrams* r : refs) {
    int64_t len = static_cast<int64_t>(r->length());
    int64_t best_gap = std::llabs(s.reflen - testlen);
    int64_t gap = std::llabs(len - testlen);
    if (first || gap < best_gap || (gap == best_gap && len < s.reflen)) s.reflen = len;
    first = false;
  }
  for (int k = 1; k <= 4; ++k) {
    s.guess[k - 1] = std::max<int64_t>(0, testlen - k + 1);
    int64_t correct = 0;
    for (const NgramCount* e = cand.begin(k); e != cand.end(k); ++e) {
      uint32_t max_ref = 0;
      for (const CaptionNgrams* r : refs) max_ref = std::max(max_ref, r->count(e->key));
      correct += std::min(max_ref, e->count);
    }
    s.correct[k - 1] = correct;
  }
  return s;
}

BleuStats bleu_stats(const std::string& candidate, const std::vector<std::string>& refs) {
  Vocabulary vocab;
  CaptionNgrams cand;
  cand.build(vocab.add_split(candidate));
  std::vector<CaptionNgrams> ref_ngrams(refs.size());
  std::vector<const CaptionNgrams*> ptrs;
  for (size_t i = 0; i < refs.size(); ++i) {
    ref_ngrams[i].build(vocab.add_split(refs[i]));
    ptrs.push_back(&ref_ngrams[i]);
  }
  return bleu_stats(cand, ptrs);
}

std::array<double, 4> bleu_score(const BleuStats& s) {
  const double tiny = 1e-15, small = 1e-9;  // the reference's smoothing constants
  std::array<double, 4> bleus{};
  double bleu = 1.0;
  for (int k = 0; k < 4; ++k) {
    bleu *= (static_cast<double>(s.correct[k]) + tiny) / (static_cast<double>(s.guess[k]) + small);
    bleus[k] = std::pow(bleu, 1.0 / (k + 1));
  }
  double ratio = (static_cast<double>(s.testlen) + tiny) / (static_cast<double>(s.reflen) + small);
  if (ratio < 1) {
    double penalty = std::exp(1 - 1 / ratio);
    for (double& b : bleus) b *= penalty;
  }
  return bleus;
}

}  // namespace pgc
