#include "core/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace pgc {
namespace {

std::vector<size_t> all_indices(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// Percentile by linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  double pos = q * (v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

// Draws one resample after another from the seeded generator (the same sequence as
// bootstrap_draws), so resampling needs memory for one draw, not for all of them.
class DrawSequence {
 public:
  DrawSequence(size_t n, uint64_t seed) : rng_(seed), draw_(n) {}
  const std::vector<size_t>& next() {
    const size_t n = draw_.size();
    for (auto& i : draw_) i = n ? static_cast<size_t>(rng_() % n) : 0;
    return draw_;
  }

 private:
  std::mt19937_64 rng_;
  std::vector<size_t> draw_;
};

}  // namespace

std::vector<std::vector<size_t>> bootstrap_draws(size_t n, int resamples, uint64_t seed) {
  DrawSequence seq(n, seed);
  std::vector<std::vector<size_t>> draws;
  for (int r = 0; r < resamples; ++r) draws.push_back(seq.next());
  return draws;
}

std::map<std::string, Interval> bootstrap_ci(size_t n, const CorpusFn& fn, int resamples,
                                             uint64_t seed) {
  std::map<std::string, Interval> out;
  for (auto& [k, v] : fn(all_indices(n))) out[k].value = v;
  std::map<std::string, std::vector<double>> samples;
  DrawSequence seq(n, seed);
  for (int r = 0; r < resamples; ++r)
    for (auto& [k, v] : fn(seq.next())) samples[k].push_back(v);
  for (auto& [k, vals] : samples) {
    out[k].low = percentile(vals, 0.025);
    out[k].high = percentile(vals, 0.975);
  }
  return out;
}

std::map<std::string, PairedTest> paired_bootstrap(size_t n, const CorpusFn& a, const CorpusFn& b,
                                                   int resamples, uint64_t seed) {
  std::map<std::string, PairedTest> out;
  auto all = all_indices(n);
  auto fa = a(all), fb = b(all);
  for (auto& [k, va] : fa) {
    auto it = fb.find(k);
    if (it == fb.end()) continue;
    out[k].a = va;
    out[k].b = it->second;
    out[k].delta = it->second - va;
  }
  std::map<std::string, std::vector<double>> deltas;
  DrawSequence seq(n, seed);
  for (int r = 0; r < resamples; ++r) {
    const auto& draw = seq.next();
    auto ra = a(draw), rb = b(draw);
    for (auto& [k, t] : out) deltas[k].push_back(rb.at(k) - ra.at(k));
  }
  for (auto& [k, t] : out) {
    const auto& d = deltas[k];
    if (d.empty()) continue;
    double mean = std::accumulate(d.begin(), d.end(), 0.0) / d.size();
    size_t extreme = 0;
    for (double x : d)
      if (std::fabs(x - mean) >= std::fabs(t.delta) - 1e-12) ++extreme;
    t.p_value = (extreme + 1.0) / (d.size() + 1.0);
    t.delta_ci = {t.delta, percentile(d, 0.025), percentile(d, 0.975)};
  }
  return out;
}

std::map<std::string, double> approximate_randomization(
    size_t n,
    const std::function<std::map<std::string, double>(const std::vector<bool>& swap)>& delta_fn,
    int trials, uint64_t seed) {
  auto observed = delta_fn(std::vector<bool>(n, false));
  std::map<std::string, size_t> extreme;
  std::mt19937_64 rng(seed);
  std::vector<bool> swap(n);
  for (int t = 0; t < trials; ++t) {
    for (size_t i = 0; i < n; ++i) swap[i] = rng() & 1;
    for (auto& [k, d] : delta_fn(swap))
      if (std::fabs(d) >= std::fabs(observed.at(k)) - 1e-12) ++extreme[k];
  }
  std::map<std::string, double> p;
  for (auto& [k, d] : observed) p[k] = (extreme[k] + 1.0) / (trials + 1.0);
  return p;
}

}  // namespace pgc
