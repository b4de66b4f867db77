#pragma once
// Resampling over per-sample statistics (sacreBLEU-style): a CorpusFn recomputes every corpus
// metric from a multiset of sample indices (it sums the samples' sufficient statistics and
// applies the metric's formula), so BLEU / PQ intervals are not averages of per-image scores.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pgc {

// Resampling calls it from several threads at once: it must not modify shared state.
using CorpusFn = std::function<std::map<std::string, double>(const std::vector<size_t>& samples)>;

struct Interval {
  double value = 0, low = 0, high = 0;  // point estimate on all samples; 95% percentile interval
};

// Draws the n-sample index multisets used by every resampling (fixed for a seed).
std::vector<std::vector<size_t>> bootstrap_draws(size_t n, int resamples, uint64_t seed);

// 95% percentile confidence interval per metric.
std::map<std::string, Interval> bootstrap_ci(size_t n, const CorpusFn& fn, int resamples,
                                             uint64_t seed);

struct PairedTest {
  double a = 0, b = 0;      // corpus values of system A and B on all samples
  double delta = 0;         // b - a
  double p_value = 1;       // two-sided
  Interval delta_ci;        // 95% interval of b - a
};

// Paired bootstrap test (Koehn 2004, as sacreBLEU): both systems are scored on the same
// resampled index sets; p = share of resamples whose centred delta is at least as extreme
// as the observed one (with +1 smoothing).
std::map<std::string, PairedTest> paired_bootstrap(size_t n, const CorpusFn& a, const CorpusFn& b,
                                                   int resamples, uint64_t seed);

// Approximate randomization (Riezler & Maxwell 2005): per sample, swap A's and B's statistics
// with probability 1/2. `swapped(mask)` must score A and B with the samples where mask[i] is
// true exchanged and return {metric: b - a}; like a CorpusFn it is called from several threads.
std::map<std::string, double> approximate_randomization(
    size_t n,
    const std::function<std::map<std::string, double>(const std::vector<bool>& swap)>& delta_fn,
    int trials, uint64_t seed);

}  // namespace pgc
