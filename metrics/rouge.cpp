#include "metrics/rouge.hpp"

#include <algorithm>

#include "metrics/strict_fp.hpp"  // parity to the last bit: no fused multiply-add

namespace pgc {
namespace {
constexpr uint32_t kEmpty = 0xFFFFFFFFu;
inline size_t slot_of(uint32_t word, size_t mask) {
  return (static_cast<uint64_t>(word) * 0x9E3779B97F4A7C15ull >> 20) & mask;
}
}  // namespace

// Builds, for every distinct word of `a`, the bitmask of its positions in `a`.
void RougeL::index_words(const TokenIds& a) {
  indexed_length_ = a.size();
  words_per_mask_ = (a.size() + 63) / 64;
  size_t cap = 16;
  while (cap < a.size() * 2) cap *= 2;
  slot_word_.assign(cap, kEmpty);
  slot_index_.assign(cap, 0);
  masks_.clear();
  size_t distinct = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    size_t s = slot_of(a[i], cap - 1);
    while (slot_word_[s] != kEmpty && slot_word_[s] != a[i]) s = (s + 1) & (cap - 1);
    if (slot_word_[s] == kEmpty) {
      slot_word_[s] = a[i];
      slot_index_[s] = static_cast<uint32_t>(distinct++);
      masks_.resize(distinct * words_per_mask_, 0);
    }
    masks_[slot_index_[s] * words_per_mask_ + i / 64] |= uint64_t{1} << (i % 64);
  }
}

// LCS of the indexed caption A with b: V starts all ones; for each word of b with match mask
// M, U = V & M and V = (V + U) | (V - U) (multi-word add with carry; V - U has no borrow as U
// is a subset of V). The LCS length is the number of zero bits among A's positions.
size_t RougeL::lcs_indexed(const TokenIds& b) {
  const size_t words = words_per_mask_, cap = slot_word_.size();
  if (indexed_length_ == 0 || b.empty()) return 0;
  v_.assign(words, ~uint64_t{0});
  for (uint32_t w : b) {
    size_t s = slot_of(w, cap - 1);
    while (slot_word_[s] != kEmpty && slot_word_[s] != w) s = (s + 1) & (cap - 1);
    if (slot_word_[s] == kEmpty) continue;  // no match: V is unchanged
    const uint64_t* m = &masks_[slot_index_[s] * words];
    uint64_t carry = 0;
    for (size_t i = 0; i < words; ++i) {
      uint64_t v = v_[i], u = v & m[i];
      uint64_t sum = v + u;
      uint64_t c1 = sum < v;
      sum += carry;
      uint64_t c2 = sum < carry;
      carry = c1 | c2;
      v_[i] = sum | (v & ~u);
    }
  }
  size_t zeros = 0;
  for (size_t i = 0; i < words; ++i) {
    size_t bits = std::min<size_t>(64, indexed_length_ - i * 64);
    uint64_t valid = bits == 64 ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
    zeros += static_cast<size_t>(__builtin_popcountll(~v_[i] & valid));
  }
  return zeros;
}

size_t RougeL::lcs(const TokenIds& a, const TokenIds& b) {
  index_words(a);
  return lcs_indexed(b);
}

double RougeL::score(const TokenIds& cand, const std::vector<const TokenIds*>& refs) {
  index_words(cand);
  double prec_max = 0, rec_max = 0;
  bool first = true;
  for (const TokenIds* ref : refs) {
    double lcs = static_cast<double>(lcs_indexed(*ref));
    double prec = lcs / static_cast<double>(cand.size());
    double rec = lcs / static_cast<double>(ref->size());
    if (first || prec > prec_max) prec_max = prec;
    if (first || rec > rec_max) rec_max = rec;
    first = false;
  }
  if (prec_max == 0 || rec_max == 0) return 0.0;
  const double beta2 = kBeta * kBeta;  // Python's 1.2**2
  return ((1 + beta2) * prec_max * rec_max) / (rec_max + beta2 * prec_max);
}

double RougeL::score_text(const std::string& candidate, const std::vector<std::string>& refs) {
  Vocabulary vocab;
  TokenIds cand = vocab.add_split_single_space(candidate);
  std::vector<TokenIds> ref_ids;
  for (const auto& r : refs) ref_ids.push_back(vocab.add_split_single_space(r));
  std::vector<const TokenIds*> ptrs;
  for (const auto& r : ref_ids) ptrs.push_back(&r);
  RougeL rouge;
  return rouge.score(cand, ptrs);
}

}  // namespace pgc

