// pgc merge: combines panoptic shard states (pgc panoptic --save-state) into the result of
// scoring all their images at once: per-image statistics are concatenated in argument order
// and summed, so shards given in GT order reproduce the single run bit for bit.
#include <iostream>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "panoptic/panoptic_eval.hpp"
#include "runners/command.hpp"
#include "runners/panoptic_output.hpp"

namespace pgc {
namespace {

struct MergeArgs {
  std::vector<std::string> states;
  std::string json_out, state_out, name = "merged";
  bool per_class = false, quiet = false;
  int bootstrap = 0;
  uint64_t seed = 12345;
};

int run_merge(const MergeArgs& args) {
  if (args.bootstrap < 0) throw UsageError("--bootstrap must be >= 0");
  std::vector<PanopticEvaluation> shards;
  for (const auto& p : args.states) shards.push_back(read_panoptic_state(p));
  PanopticEvaluation e = merge_panoptic_states(shards, args.states);
  shards.clear();
  PqResult r = pq_score(e.totals, e.categories);

  PanopticReportOptions ro;
  ro.name = args.name;
  for (size_t k = 0; k < args.states.size(); ++k) ro.inputs.push_back({"state_" + std::to_string(k + 1), args.states[k]});
  ro.bootstrap = args.bootstrap;
  ro.seed = args.seed;
  return write_panoptic_outputs(e, r, ro, {args.json_out, args.state_out, args.per_class, args.quiet});
}

CommandRun setup_merge(CLI::App& sub) {
  auto args = std::make_shared<MergeArgs>();
  sub.add_option("states", args->states,
                 "state files written by pgc panoptic --save-state (shards must not share images)")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--json", args->json_out,
                 "write the merged results (same form as pgc panoptic --json) to FILE, - for "
                 "stdout (default: none)");
  sub.add_option("--save-state", args->state_out,
                 "write the merged state (to merge again later) to FILE (default: none)");
  sub.add_flag("--per-class", args->per_class, "also print the per-class table (default: off)");
  sub.add_option("--name", args->name, "system name in the results (default: merged)");
  sub.add_option("--bootstrap", args->bootstrap,
                 "bootstrap resamples for 95% confidence intervals in --json, 0 = none (default: 0)");
  sub.add_option("--seed", args->seed, "bootstrap seed (default: 12345)");
  sub.add_flag("--quiet", args->quiet, "no table on stderr when --json is - (default: off)");
  return [args] { return run_merge(*args); };
}

RegisterCommand reg_merge("merge",
                          "merge panoptic shard states (pgc panoptic --save-state) into one result",
                          setup_merge);

}  // namespace
}  // namespace pgc
