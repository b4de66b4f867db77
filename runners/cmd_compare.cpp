// `pgc compare A.json B.json`: per metric, is B different from A? (core/compare.hpp)
#include <iostream>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/compare.hpp"
#include "core/error.hpp"
#include "runners/command.hpp"

namespace {

struct CompareArgs {
  std::string a, b, json;
  bool allow_mismatch = false;
  pgc::CompareOptions opts;
};

pgc::RegisterCommand reg(
    "compare",
    "Paired significance test of B against A for every metric (delta, 95% CI, p-value); "
    "exit 1 if B is significantly worse on some metric",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto a = std::make_shared<CompareArgs>();
      sub.add_option("A", a->a, "baseline results file")->required();
      sub.add_option("B", a->b, "results file compared against A (same samples)")->required();
      sub.add_option("--bootstrap", a->opts.resamples, "bootstrap resamples / randomization trials (default: 1000)")
          ->check(CLI::PositiveNumber);
      sub.add_option("--seed", a->opts.seed, "random seed (default: 12345)");
      sub.add_option("--method", a->opts.method,
                     "bootstrap (paired bootstrap) | ar (approximate randomization; CI still from the "
                     "bootstrap) (default: bootstrap)")
          ->check(CLI::IsMember({"bootstrap", "ar"}));
      sub.add_option("--json", a->json, "also write the comparison as JSON to this file; - = stdout instead of the table (default: none)");
      sub.add_flag("--allow-signature-mismatch", a->allow_mismatch,
                   "compare even if the signatures differ in a number-changing setting (default: refuse, exit 2)");
      return [a]() {
        auto fa = pgc::load_results_file(a->a);
        auto fb = pgc::load_results_file(a->b);
        for (auto& w : pgc::check_comparable(fa, fb, a->allow_mismatch)) std::cerr << "pgc: warning: " << w << "\n";
        auto c = pgc::compare_results(fa, fb, a->opts);
        if (a->json == "-") {
          pgc::write_file_atomic("-", pgc::comparison_json(fa, fb, c, a->opts));
        } else {
          if (!a->json.empty()) pgc::write_file_atomic(a->json, pgc::comparison_json(fa, fb, c, a->opts));
          std::cout << pgc::format_comparison(fa, fb, c, a->opts);
        }
        for (auto& m : c.metrics)
          if (m.significant && m.b_worse()) return static_cast<int>(pgc::kExitRegression);
        return 0;
      };
    });

}  // namespace
