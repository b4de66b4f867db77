#pragma once
// What `pgc panoptic` and `pgc merge` both do once PQ is computed: build the results JSON and
// the shard state, write them (nothing is written unless both could be built), print the table.
#include <string>

#include "panoptic/panoptic_eval.hpp"

namespace pgc {

struct PanopticOutputs {
  std::string json_out, state_out;  // "" = not wanted; json "-" = stdout (table then to stderr)
  bool per_class = false, quiet = false;
};

int write_panoptic_outputs(const PanopticEvaluation& e, const PqResult& r, const PanopticReportOptions& report,
                           const PanopticOutputs& out);

}  // namespace pgc
