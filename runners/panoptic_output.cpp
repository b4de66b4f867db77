#include "runners/panoptic_output.hpp"

#include <iostream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace pgc {

int write_panoptic_outputs(const PanopticEvaluation& e, const PqResult& r, const PanopticReportOptions& report,
                           const PanopticOutputs& out) {
  // Build every output before writing any, so a failure leaves nothing behind.
  std::string json_text, state_text;
  if (!out.json_out.empty()) json_text = to_json(panoptic_results(e, r, report)) + "\n";
  if (!out.state_out.empty()) state_text = panoptic_state_json(e);
  if (!out.state_out.empty()) write_file_atomic(out.state_out, state_text);
  if (!out.json_out.empty()) write_file_atomic(out.json_out, json_text);

  std::string table = panoptic_table(r, e.categories, e.totals, out.per_class);
  if (out.json_out == "-") {
    if (!out.quiet) std::cerr << table;
  } else {
    std::cout << table;
  }
  return kExitOk;
}

}  // namespace pgc
