#define BOOST_TEST_MODULE caption_metrics
// BLEU, ROUGE-L, CIDEr-D and their helpers on in-memory captions (no files): hand-checked
// values, the reference's quirks, and properties the corpus pipeline relies on.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

#include "metrics/bleu.hpp"
#include "metrics/cider.hpp"
#include "metrics/ngrams.hpp"
#include "metrics/numpy_mean.hpp"
#include "metrics/python_text.hpp"
#include "metrics/rouge.hpp"

using namespace pgc;

namespace {
std::vector<std::string> split_py(const std::string& s) {
  std::vector<std::string_view> w;
  split_python_whitespace(s, w);
  return {w.begin(), w.end()};
}
std::vector<std::string> split_sp(const std::string& s) {
  std::vector<std::string_view> w;
  split_single_space(s, w);
  return {w.begin(), w.end()};
}
// Textbook O(nm) LCS, the reference's my_lcs.
size_t lcs_dp(const TokenIds& a, const TokenIds& b) {
  std::vector<std::vector<size_t>> L(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j)
      L[i][j] = a[i - 1] == b[j - 1] ? L[i - 1][j - 1] + 1 : std::max(L[i - 1][j], L[i][j - 1]);
  return L[a.size()][b.size()];
}
}  // namespace

BOOST_AUTO_TEST_CASE(python_split_uses_unicode_whitespace) {
  using V = std::vector<std::string>;
  BOOST_TEST(split_py("  a\tb\n c  ") == (V{"a", "b", "c"}));
  BOOST_TEST(split_py("5\u00a07/8") == (V{"5", "7/8"}));          // NBSP splits for str.split()
  BOOST_TEST(split_py("x\u3000y\u2028z\x1fw") == (V{"x", "y", "z", "w"}));
  BOOST_TEST(split_py("caf\u00e9 \u6771\u4eac") == (V{"caf\u00e9", "\u6771\u4eac"}));  // é, CJK are not spaces
  BOOST_TEST(split_py("").empty());
  BOOST_TEST(split_py(" \u00a0 ").empty());
}

BOOST_AUTO_TEST_CASE(single_space_split_keeps_empty_words) {
  using V = std::vector<std::string>;
  BOOST_TEST(split_sp("") == (V{""}));
  BOOST_TEST(split_sp("a  b") == (V{"a", "", "b"}));
  BOOST_TEST(split_sp(" a ") == (V{"", "a", ""}));
  BOOST_TEST(split_sp("5\u00a07/8 x") == (V{"5\u00a07/8", "x"}));
  BOOST_TEST(splits_agree("a b c"));
  BOOST_TEST(!splits_agree(""));
  BOOST_TEST(!splits_agree("a  b"));
  BOOST_TEST(!splits_agree("a\tb"));
  BOOST_TEST(!splits_agree("a\u00a0b"));
}

BOOST_AUTO_TEST_CASE(numpy_pairwise_sum_order) {
  // Fewer than 8 values: left to right. 1e16 + 1 rounds back to 1e16 (ties to even).
  std::vector<double> seq = {1e16, 1.0, -1e16, 1.0};
  BOOST_TEST(numpy_pairwise_sum(seq.data(), seq.size()) == 1.0);  // ((1e16+1)-1e16)+1
  // 9 values: eight accumulators combined pairwise, then the tail: (1e16+1) + (-1e16+1) = 0,
  // plus a[8] = 1. Left to right would give 2.
  std::vector<double> nine = {1e16, 1.0, -1e16, 1.0, 0, 0, 0, 0, 1.0};
  BOOST_TEST(numpy_pairwise_sum(nine.data(), nine.size()) == 1.0);
  // 16 values: accumulator j sums a[j] + a[8+j].
  std::vector<double> sixteen(16, 0.0);
  sixteen[0] = 1e16;
  sixteen[8] = 1.0;
  sixteen[9] = 1.0;
  sixteen[1] = -1e16;
  // r0 = 1e16 + 1 = 1e16, r1 = -1e16 + 1 = -1e16 (ties to even): total 0.
  BOOST_TEST(numpy_pairwise_sum(sixteen.data(), sixteen.size()) == 0.0);
  // Above 128: split at n/2 rounded down to a multiple of 8 (n = 200: 96 + 104).
  std::vector<double> big(200, 0.0);
  big[0] = 1e16;
  big[96] = -1e16;
  big[1] = 1.0;
  big[97] = 1.0;
  // Halves: 1e16 + 1 -> 1e16 and -1e16 + 1 -> -1e16, so 0; a flat 8-accumulator pass would put
  // big[0] and big[96] in the same accumulator first (96 % 8 == 0) and give 2.
  BOOST_TEST(numpy_pairwise_sum(big.data(), big.size()) == 0.0);
  BOOST_TEST(numpy_mean({1.0, 2.0, 4.0}) == 7.0 / 3.0);
}

BOOST_AUTO_TEST_CASE(bleu_statistics_match_hand_counts) {
  // The classic clipping example: 7 x "the" vs a reference with 2 "the".
  BleuStats s = bleu_stats("the the the the the the the", {"the cat is on the mat"});
  BOOST_TEST(s.correct[0] == 2);
  BOOST_TEST(s.correct[1] == 0);
  BOOST_TEST(s.guess[0] == 7);
  BOOST_TEST(s.guess[3] == 4);
  BOOST_TEST(s.testlen == 7);
  BOOST_TEST(s.reflen == 6);
  // Clipping takes the maximum count over references, not the sum.
  BleuStats m = bleu_stats("a a a", {"a b", "a a c"});
  BOOST_TEST(m.correct[0] == 2);
  // Closest reference length; a tie goes to the shorter one (6 words: 4 and 8 are both 2 away).
  BleuStats t = bleu_stats("1 2 3 4 5 6", {"1 2 3 4 5 6 7 8", "1 2 3 4"});
  BOOST_TEST(t.reflen == 4);
  // An empty candidate: nothing guessed, nothing correct.
  BleuStats e = bleu_stats("", {"a b c"});
  BOOST_TEST(e.testlen == 0);
  BOOST_TEST(e.guess[0] == 0);
}

BOOST_AUTO_TEST_CASE(bleu_score_formula_and_smoothing) {
  BleuStats s;
  s.correct = {3, 2, 1, 0};
  s.guess = {4, 3, 2, 1};
  s.testlen = 4;
  s.reflen = 5;
  auto b = bleu_score(s);
  double p = 1.0;
  double want[4];
  for (int k = 0; k < 4; ++k) {
    p *= (s.correct[k] + 1e-15) / (s.guess[k] + 1e-9);
    want[k] = std::pow(p, 1.0 / (k + 1));
  }
  double bp = std::exp(1 - 1 / ((4 + 1e-15) / (5 + 1e-9)));
  for (int k = 0; k < 4; ++k) BOOST_TEST(b[k] == want[k] * bp);
  BOOST_TEST(b[3] > 0.0);  // smoothing: a missing order gives a tiny value, not 0
  BOOST_TEST(b[3] < 1e-3);
  // An identical caption scores just under 1 (the 1e-9 in the denominator).
  auto same = bleu_score(bleu_stats("a b c d", {"a b c d"}));
  BOOST_TEST(same[0] < 1.0);
  BOOST_TEST(same[0] > 1.0 - 1e-9);
}

BOOST_AUTO_TEST_CASE(bleu_merge_sums_statistics) {
  BleuStats a = bleu_stats("a b c", {"a b d"}), b = bleu_stats("x y", {"x y z w"});
  BleuStats m = a;
  m.merge(b);
  for (int k = 0; k < 4; ++k) {
    BOOST_TEST(m.correct[k] == a.correct[k] + b.correct[k]);
    BOOST_TEST(m.guess[k] == a.guess[k] + b.guess[k]);
  }
  BOOST_TEST(m.reflen == 7);
  BOOST_TEST(BleuStats::from_array(m.to_array()).to_array() == m.to_array());
}

BOOST_AUTO_TEST_CASE(rouge_lcs_bit_parallel_equals_dynamic_programming) {
  std::mt19937 rng(7);
  RougeL rouge;
  for (int trial = 0; trial < 300; ++trial) {
    size_t la = rng() % 200, lb = rng() % 200;
    uint32_t vocab = 1 + rng() % 12;
    TokenIds a(la), b(lb);
    for (auto& x : a) x = rng() % vocab;
    for (auto& x : b) x = rng() % vocab;
    BOOST_TEST(rouge.lcs(a, b) == lcs_dp(a, b));
  }
}

BOOST_AUTO_TEST_CASE(rouge_l_formula_and_quirks) {
  // lcs("a b c d", "a c d e f") = 3: P = 3/4, R = 3/5.
  double p = 3.0 / 4, r = 3.0 / 5, b2 = 1.2 * 1.2;
  BOOST_TEST(RougeL::score_text("a b c d", {"a c d e f"}) == ((1 + b2) * p * r) / (r + b2 * p));
  // P and R maxima come from different references.
  double p2 = 2.0 / 2, r2 = 1.0 / 1;  // ref "a": lcs 1 -> R 1; ref "a b x": lcs 2 -> P 1
  BOOST_TEST(RougeL::score_text("a b", {"a", "a b x"}) == ((1 + b2) * p2 * r2) / (r2 + b2 * p2));
  // split(" "): a double space is an empty word, so "a  b" has 3 words.
  double r3 = 2.0 / 3, p3 = 1.0;
  BOOST_TEST(RougeL::score_text("a b", {"a  b"}) == ((1 + b2) * p3 * r3) / (r3 + b2 * p3));
  BOOST_TEST(RougeL::score_text("", {"a b"}) == 0.0);
  BOOST_TEST(RougeL::score_text("x", {"y"}) == 0.0);
}

BOOST_AUTO_TEST_CASE(cider_single_image_is_zero) {
  // log(N=1) = 0 makes every weight 0.
  auto s = CiderD::score_texts({"a dog runs"}, {{"a dog runs"}});
  BOOST_TEST(s[0] == 0.0);
}

BOOST_AUTO_TEST_CASE(cider_counts_document_frequency_once_per_image) {
  Vocabulary v;
  TokenIds a = v.add_split("a a b"), b = v.add_split("a c"), c = v.add_split("c c");
  CiderDocumentFrequency df;
  df.add_image({&a, &b});  // "a" in both refs of one image: df 1
  df.add_image({&c});
  uint32_t ida = v.find("a"), idc = v.find("c");
  BOOST_TEST(df.images() == 2u);
  BOOST_TEST(df.df(make_ngram(&ida, 1)) == 1u);
  BOOST_TEST(df.df(make_ngram(&idc, 1)) == 2u);
  uint32_t aa[2] = {ida, ida};
  BOOST_TEST(df.df(make_ngram(aa, 2)) == 1u);
  uint32_t unknown = v.add("zebra");
  BOOST_TEST(df.df(make_ngram(&unknown, 1)) == 0u);
}

BOOST_AUTO_TEST_CASE(cider_frequencies_merge_and_build_agree) {
  std::mt19937 rng(3);
  Vocabulary v;
  std::vector<std::vector<TokenIds>> refs(40);
  for (auto& image : refs) {
    image.resize(1 + rng() % 3);
    for (auto& r : image) {
      std::string s;
      for (int w = rng() % 12; w > 0; --w) s += "w" + std::to_string(rng() % 15) + " ";
      r = v.add_split(s);
    }
  }
  std::vector<std::vector<const TokenIds*>> ptrs(refs.size());
  for (size_t i = 0; i < refs.size(); ++i)
    for (auto& r : refs[i]) ptrs[i].push_back(&r);
  auto one = CiderDocumentFrequency::build(ptrs, 1), four = CiderDocumentFrequency::build(ptrs, 4);
  std::vector<std::vector<const TokenIds*>> first(ptrs.begin(), ptrs.begin() + 17), rest(ptrs.begin() + 17, ptrs.end());
  auto merged = CiderDocumentFrequency::build(first, 2);
  merged.merge(CiderDocumentFrequency::build(rest, 1));
  BOOST_TEST(merged.images() == one.images());
  BOOST_TEST(merged.distinct_ngrams() == one.distinct_ngrams());
  BOOST_TEST(four.distinct_ngrams() == one.distinct_ngrams());
  CiderIdf ia(one), ib(merged), ic(four);
  BOOST_TEST(ia.size() == ib.size());
  BOOST_TEST(ia.size() > 0u);
  CiderD a(ia), b(ib), c(ic);
  for (size_t i = 0; i < refs.size(); ++i) {
    const TokenIds& cand = refs[(i + 1) % refs.size()][0];
    double sa = a.score(cand, ptrs[i]);
    BOOST_TEST(sa == b.score(cand, ptrs[i]));
    BOOST_TEST(sa == c.score(cand, ptrs[i]));
  }
}

BOOST_AUTO_TEST_CASE(cider_rewards_consensus_and_penalizes_length) {
  std::vector<std::vector<std::string>> refs = {{"a dog runs on the grass"}, {"a cat sleeps on a sofa"},
                                                {"two birds fly over the sea"}};
  auto exact = CiderD::score_texts({"a dog runs on the grass", "a cat sleeps on a sofa", "two birds fly over the sea"}, refs);
  auto longer = CiderD::score_texts({"a dog runs on the grass today and yesterday too", "a cat sleeps on a sofa",
                                     "two birds fly over the sea"}, refs);
  auto wrong = CiderD::score_texts({"two birds fly over the sea", "a cat sleeps on a sofa", "a dog runs on the grass"}, refs);
  BOOST_TEST(exact[0] > 0.0);
  BOOST_TEST(longer[0] < exact[0]);  // Gaussian length penalty (and extra n-grams)
  BOOST_TEST(wrong[0] < exact[0]);
  BOOST_TEST(exact[1] == longer[1]);  // other images unaffected (same refs, same idf)
}
