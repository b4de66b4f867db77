#pragma once
// Paired significance of the difference between two results files scored on the same samples
// (`pgc compare`, `pgc gate --require-significant`). Per-sample statistics come from the
// task's registered resampler (core/resample.hpp), so corpus metrics (BLEU, PQ) are recomputed
// from resampled sufficient statistics; a task without one falls back to averaging the
// "per_image" values, which is only right for metrics that are means of per-image scores.
#include <cstdint>
#include <string>
#include <vector>

#include "core/results_file.hpp"

namespace pgc {

struct CompareOptions {
  std::string method = "bootstrap";  // "bootstrap" (paired bootstrap) or "ar" (approx. randomization)
  int resamples = 1000;              // bootstrap resamples / randomization trials
  uint64_t seed = 12345;             // sacreBLEU's default seed
  double alpha = 0.05;               // significance level
};

struct MetricComparison {
  std::string metric;
  double a = 0, b = 0;            // values on all samples (A = baseline, B = new)
  double delta = 0;               // b - a
  double ci_low = 0, ci_high = 0; // 95% paired-bootstrap interval of b - a
  double p_value = 1;             // two-sided
  bool significant = false;       // p_value < alpha
  bool lower_is_better = false;
  std::string note;               // e.g. the corpus value is not the mean of per-image values
  // B is worse than A (direction-aware), whether or not significantly.
  bool b_worse() const { return lower_is_better ? delta > 0 : delta < 0; }
};

struct Comparison {
  std::string source;  // "stats" (the task's resampler) or "per_image" (mean fallback)
  std::vector<std::string> notes;
  size_t samples = 0;
  std::vector<MetricComparison> metrics;  // metrics both files have, sorted by name
};

// Throws InputError when a and b cannot be compared: different tasks, or signatures that
// differ in a number-changing field (unless allow_signature_mismatch). Returns warnings to
// print (a version difference, or the tolerated mismatch).
std::vector<std::string> check_comparable(const ResultsFile& a, const ResultsFile& b,
                                          bool allow_signature_mismatch);

// Pairs the samples of a and b by id (InputError if the id sets differ) and tests every
// metric both have. Does not check signatures (see check_comparable).
Comparison compare_results(const ResultsFile& a, const ResultsFile& b, const CompareOptions& opts);

// Human-readable table of a comparison, and its JSON form ("pgc.compare/1").
std::string format_comparison(const ResultsFile& a, const ResultsFile& b, const Comparison& c,
                              const CompareOptions& opts);
std::string comparison_json(const ResultsFile& a, const ResultsFile& b, const Comparison& c,
                            const CompareOptions& opts);

}  // namespace pgc
