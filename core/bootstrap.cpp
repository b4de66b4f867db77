#include "core/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>

#include "core/thread_pool.hpp"

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

// Resamples are drawn in order from one seeded generator (the sequence bootstrap_draws
// returns) and scored in parallel batches; results are kept by resample index, so they do not
// depend on the thread count, and memory holds one batch of draws, not all of them.
// A CorpusFn must therefore be safe to call concurrently (the scorers' are pure functions).
template <class Input, class Result>
std::vector<Result> score_in_batches(int count, const std::function<void(Input&)>& next_input,
                                     const std::function<Result(const Input&)>& score) {
  int threads = resolve_threads(0);
  size_t batch = static_cast<size_t>(threads) * 8;
  std::vector<Result> out(std::max(0, count));
  std::vector<Input> inputs;
  for (size_t start = 0; start < out.size(); start += batch) {
    inputs.resize(std::min(batch, out.size() - start));
    for (auto& in : inputs) next_input(in);
    parallel_for(inputs.size(), threads, [&](size_t j, int) { out[start + j] = score(inputs[j]); });
  }
  return out;
}

std::function<void(std::vector<size_t>&)> draw_sequence(size_t n, uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng, n](std::vector<size_t>& draw) {
    draw.resize(n);
    for (auto& i : draw) i = n ? static_cast<size_t>((*rng)() % n) : 0;
  };
}

using Scores = std::map<std::string, double>;

}  // namespace

std::vector<std::vector<size_t>> bootstrap_draws(size_t n, int resamples, uint64_t seed) {
  auto next = draw_sequence(n, seed);
  std::vector<std::vector<size_t>> draws(std::max(0, resamples));
  for (auto& d : draws) next(d);
  return draws;
}

std::map<std::string, Interval> bootstrap_ci(size_t n, const CorpusFn& fn, int resamples,
                                             uint64_t seed) {
  std::map<std::string, Interval> out;
  for (auto& [k, v] : fn(all_indices(n))) out[k].value = v;
  std::map<std::string, std::vector<double>> samples;
  auto scored = score_in_batches<std::vector<size_t>, Scores>(resamples, draw_sequence(n, seed), fn);
  for (const auto& draw_scores : scored)
    for (auto& [k, v] : draw_scores) samples[k].push_back(v);
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
  std::function<Scores(const std::vector<size_t>&)> delta = [&](const std::vector<size_t>& draw) {
    auto ra = a(draw), rb = b(draw);
    Scores d;
    for (auto& [k, t] : out) d[k] = rb.at(k) - ra.at(k);
    return d;
  };
  std::map<std::string, std::vector<double>> deltas;
  for (const auto& d : score_in_batches<std::vector<size_t>, Scores>(resamples, draw_sequence(n, seed), delta))
    for (auto& [k, x] : d) deltas[k].push_back(x);
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
  auto rng = std::make_shared<std::mt19937_64>(seed);
  std::function<void(std::vector<bool>&)> next_mask = [rng, n](std::vector<bool>& swap) {
    swap.resize(n);
    for (size_t i = 0; i < n; ++i) swap[i] = (*rng)() & 1;
  };
  std::map<std::string, size_t> extreme;
  for (const auto& d : score_in_batches<std::vector<bool>, Scores>(trials, next_mask, delta_fn))
    for (auto& [k, x] : d)
      if (std::fabs(x) >= std::fabs(observed.at(k)) - 1e-12) ++extreme[k];
  std::map<std::string, double> p;
  for (auto& [k, d] : observed) p[k] = (extreme[k] + 1.0) / (trials + 1.0);
  return p;
}

}  // namespace pgc
