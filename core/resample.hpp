#pragma once
// Turns a results file back into per-sample statistics for `pgc compare` / `pgc gate`.
// Each task registers how to read its "stats" block and recompute corpus metrics from any
// multiset of samples (runners/cmd_<task>.cpp registers with a static RegisterResampler).
#include <functional>
#include <string>
#include <vector>

#include "core/bootstrap.hpp"
#include "core/json.hpp"

namespace pgc {

struct SampleSet {
  std::vector<std::string> ids;  // sample ids, in the order CorpusFn indexes them
  CorpusFn corpus;               // corpus metrics from a multiset of indices into ids
};

// Builds a SampleSet from a parsed results document; `file` names it in errors.
using ResamplerFactory = std::function<SampleSet(const JsonValue& results, const std::string& file)>;

void register_resampler(const std::string& task, ResamplerFactory factory);
// nullptr if no task of that name registered.
const ResamplerFactory* find_resampler(const std::string& task);

struct RegisterResampler {
  RegisterResampler(const std::string& task, ResamplerFactory f) { register_resampler(task, std::move(f)); }
};

}  // namespace pgc
