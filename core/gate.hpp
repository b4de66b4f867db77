#pragma once
// The regression gate behind `pgc gate` (docs/ci-gating.md): a new results file passes when
// no metric is worse than the baseline's by more than its allowed drop, direction-aware
// (FID / FD lower is better). Drops are in the results file's units (fractions for caption
// and PQ metrics: CIDEr 0.005 = 0.5 printed points).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/compare.hpp"
#include "core/results_file.hpp"

namespace pgc {

struct GateOptions {
  std::map<std::string, double> max_drop;  // per metric; "*" sets the default for all others
  std::vector<std::string> metrics;        // gate only these (default: every baseline metric)
  bool require_significant = false;        // fail only on a significant drop (paired test)
  CompareOptions compare;
};

struct GateRow {
  std::string metric;
  double baseline = 0, value = 0;
  double drop = 0;     // how much worse the new value is (negative: better)
  double allowed = 0;  // the metric's allowed drop
  std::optional<double> p_value;  // with require_significant, when the metric was tested
  bool failed = false;
};

struct GateReport {
  std::vector<GateRow> rows;  // every gated metric, sorted by name
  std::vector<std::string> notes;
  bool passed() const;
};

// Parses "METRIC=DELTA" (DELTA a finite number >= 0); UsageError otherwise.
std::pair<std::string, double> parse_max_drop(const std::string& spec);

// Checks metrics (every gated metric and every --max-drop metric present in both files,
// else InputError) and applies the rules. Signatures are checked by the caller
// (check_comparable).
GateReport run_gate(const ResultsFile& results, const ResultsFile& baseline, const GateOptions& opts);

// The table printed by `pgc gate`: all metrics, or only the failing ones.
std::string format_gate(const GateReport& report, bool only_failed);

}  // namespace pgc
