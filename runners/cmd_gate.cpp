// `pgc gate`: fail a CI job when a results file is worse than its baseline (core/gate.hpp).
#include <iostream>
#include <memory>

#include "core/error.hpp"
#include "core/gate.hpp"
#include "runners/command.hpp"

namespace {

struct GateArgs {
  std::string results, baseline;
  std::vector<std::string> max_drop;
  bool allow_mismatch = false;
  pgc::GateOptions opts;
};

pgc::RegisterCommand reg(
    "gate",
    "Exit 0 if no metric is worse than the baseline by more than its allowed drop, 1 (with a table) "
    "if some is, 2 on bad input",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto a = std::make_shared<GateArgs>();
      sub.add_option("--results", a->results, "the new results file")->required();
      sub.add_option("--baseline", a->baseline, "the baseline results file")->required();
      sub.add_option("--max-drop", a->max_drop,
                     "METRIC=DELTA: allowed drop in the file's units (CIDEr=0.005 is 0.5 printed points; "
                     "FID/FD: allowed rise); *=DELTA sets it for all metrics (default: 0 for every metric)");
      sub.add_option("--metrics", a->opts.metrics,
                     "gate only these metrics, comma-separated (default: every metric of the baseline)")
          ->delimiter(',');
      sub.add_flag("--require-significant", a->opts.require_significant,
                   "fail only on drops that a paired test finds significant at p < 0.05 (default: off)");
      sub.add_option("--bootstrap", a->opts.compare.resamples,
                     "resamples for --require-significant (default: 1000)")
          ->check(CLI::PositiveNumber);
      sub.add_option("--seed", a->opts.compare.seed, "random seed for --require-significant (default: 12345)");
      sub.add_flag("--allow-signature-mismatch", a->allow_mismatch,
                   "gate even if the signatures differ in a number-changing setting (default: refuse, exit 2)");
      return [a]() {
        for (auto& spec : a->max_drop) {
          auto [metric, delta] = pgc::parse_max_drop(spec);
          a->opts.max_drop[metric] = delta;
        }
        auto results = pgc::load_results_file(a->results);
        auto baseline = pgc::load_results_file(a->baseline);
        for (auto& w : pgc::check_comparable(baseline, results, a->allow_mismatch))
          std::cerr << "pgc: warning: " << w << "\n";
        auto report = pgc::run_gate(results, baseline, a->opts);
        std::cout << pgc::format_gate(report, false);
        if (report.passed()) {
          std::cout << "PASS: no metric dropped more than allowed\n";
          return 0;
        }
        size_t failed = 0;
        for (auto& r : report.rows) failed += r.failed;
        std::cout << "FAIL: " << failed << " metric(s) worse than " << a->baseline << " beyond the allowed drop\n";
        return static_cast<int>(pgc::kExitRegression);
      };
    });

}  // namespace
