#include "core/gate.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "core/error.hpp"

namespace pgc {

bool GateReport::passed() const {
  for (auto& r : rows)
    if (r.failed) return false;
  return true;
}

std::pair<std::string, double> parse_max_drop(const std::string& spec) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw UsageError("--max-drop expects METRIC=DELTA, got \"" + spec + "\"");
  std::string metric = spec.substr(0, eq), number = spec.substr(eq + 1);
  char* end = nullptr;
  double delta = std::strtod(number.c_str(), &end);
  if (*end != '\0' || !std::isfinite(delta) || delta < 0)
    throw UsageError("--max-drop " + spec + ": DELTA must be a number >= 0");
  return {metric, delta};
}

GateReport run_gate(const ResultsFile& results, const ResultsFile& baseline, const GateOptions& opts) {
  auto require = [&](const std::string& metric, const char* where) {
    for (const ResultsFile* f : {&baseline, &results})
      if (!f->metrics.count(metric))
        throw InputError(f->path, metric, std::string("metric named in ") + where + " is not in this results file");
  };
  for (auto& [metric, drop] : opts.max_drop)
    if (metric != "*") require(metric, "--max-drop");
  for (auto& metric : opts.metrics) require(metric, "--metrics");
  std::set<std::string> gated(opts.metrics.begin(), opts.metrics.end());
  double default_drop = opts.max_drop.count("*") ? opts.max_drop.at("*") : 0.0;
  GateReport report;
  for (auto& [metric, base] : baseline.metrics) {
    if (!gated.empty() && !gated.count(metric)) continue;
    auto it = results.metrics.find(metric);
    if (it == results.metrics.end())
      throw InputError(results.path, metric, "metric of the baseline " + baseline.path + " is missing");
    GateRow row;
    row.metric = metric;
    row.baseline = base;
    row.value = it->second;
    row.drop = lower_is_better(metric) ? row.value - base : base - row.value;
    row.allowed = opts.max_drop.count(metric) ? opts.max_drop.at(metric) : default_drop;
    row.failed = row.drop > row.allowed;
    report.rows.push_back(row);
  }
  for (auto& [metric, v] : results.metrics)
    if (gated.empty() && !baseline.metrics.count(metric))
      report.notes.push_back(metric + " is not in the baseline: not gated");

  if (opts.require_significant) {
    // Only a drop the paired test calls significant fails; untestable metrics keep the plain rule.
    Comparison c = compare_results(baseline, results, opts.compare);
    std::map<std::string, const MetricComparison*> tested;
    for (auto& m : c.metrics) tested[m.metric] = &m;
    for (auto& row : report.rows) {
      auto t = tested.find(row.metric);
      if (t == tested.end()) {
        if (row.failed) report.notes.push_back(row.metric + ": no per-sample values, so the drop is not tested for significance");
        continue;
      }
      row.p_value = t->second->p_value;
      row.failed = row.failed && t->second->significant && t->second->b_worse();
    }
    for (auto& n : c.notes) report.notes.push_back(n);
  }
  return report;
}

std::string format_gate(const GateReport& report, bool only_failed) {
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %12s %12s %12s %12s %8s  %s\n", "metric", "baseline", "new",
                "drop", "allowed", "p", "status");
  std::string out = line;
  for (auto& r : report.rows) {
    if (only_failed && !r.failed) continue;
    char p[32] = "-";
    if (r.p_value) std::snprintf(p, sizeof p, "%.4f", *r.p_value);
    std::snprintf(line, sizeof line, "%-12s %12.6g %12.6g %12.6g %12.6g %8s  %s\n", r.metric.c_str(),
                  r.baseline, r.value, r.drop, r.allowed, p, r.failed ? "FAIL" : "ok");
    out += line;
  }
  for (auto& n : report.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace pgc
