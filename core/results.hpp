#pragma once
// The results file every scoring command writes (schema "pgc.results/1", docs/results.md):
// {"schema", "name", "task", "corpus": {...}, "per_image": {...}, "signature": "k:v|...",
//  "settings": {k: v}, "inputs": {"<role>": {"path", "sha256"}}, "stats": {...}}
// Task-specific blocks keep the reference's keys: pycocoevalcap names in "corpus" for
// captions; panopticapi's {"All","Things","Stuff","per_class"} for panoptic (also in "corpus").
// "stats" holds per-sample sufficient statistics where a metric has them (bootstrap, compare).
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/signature.hpp"

namespace pgc {

constexpr const char* kResultsSchema = "pgc.results/1";

struct InputFile {
  std::string role;  // "refs", "preds", "gt_json", ...
  std::string path;
};

// Starts a results document with schema, name, task, signature, settings and input digests.
// The caller adds "corpus", "per_image" and anything else, then serializes with to_json().
JsonDoc make_results(const std::string& name, const std::string& task, const Signature& sig,
                     const std::vector<InputFile>& inputs);

}  // namespace pgc
