#pragma once
// Reading results files back ("pgc.results/1", docs/results.md) for `pgc leaderboard`,
// `pgc compare` and `pgc gate`: validation with errors naming file and key, the flat metric
// values of every task, which way each metric is better, and which signature fields change
// numbers (so results scored differently are flagged or refused, never silently compared).
#include <map>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "core/signature.hpp"

namespace pgc {

struct ResultsFile {
  std::string path;
  std::string name;                        // "name" (the system)
  std::string task;                        // "task": caption, panoptic, t2i, ...
  Signature signature;                     // parsed "signature" string
  std::map<std::string, double> metrics;   // flat corpus metrics, file units (see flat_metrics)
  JsonDoc doc;                             // the whole document (stats, per_image, ...)
};

// Reads, parses and validates a results file; InputError(path, key, what) on any problem.
ResultsFile load_results_file(const std::string& path);
// The same for an already parsed document; `path` names it in errors.
ResultsFile results_from_json(JsonDoc doc, const std::string& path);

// The flat metric values of a validated document: every number in "corpus" under its own key,
// and panopticapi's {"All","Things","Stuff"} (top level, or inside "corpus" or "pq") as
// PQ SQ RQ / PQ_th SQ_th RQ_th / PQ_st SQ_st RQ_st.
std::map<std::string, double> flat_metrics(const JsonValue& doc, const std::string& path);

// FID and Frechet distances (FID*, FD, FD_*, FD-*, any case) are better when lower; every
// other metric higher.
bool lower_is_better(const std::string& metric);

// Signature fields that never change a number (threads, output paths, progress, bootstrap
// settings); every other field does. "pgc" (the version) is reported but not refused.
bool changes_numbers(const std::string& field);

struct SignatureDifference {
  std::string field;
  std::string a, b;  // "(absent)" when the field is missing on that side
};

// Fields that differ between a and b; informational fields (see changes_numbers) are skipped,
// and the version field is skipped unless `include_version`.
std::vector<SignatureDifference> signature_differences(const Signature& a, const Signature& b,
                                                       bool include_version = false);
// "tok (ptb-3.4.1 vs raw), cider (D vs plain)".
std::string describe(const std::vector<SignatureDifference>& diffs);

}  // namespace pgc
