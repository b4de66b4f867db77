#pragma once
// Safetensors -> LibTorch: one tensor by name (tensor_from_safetensor), or a whole
// torch::nn::Module's parameters and buffers bound to a checkpoint by name (WeightBinder).
// Only <ATen/core/Tensor.h> here (~1 s to parse, against ~11 s for <torch/torch.h>):
// torch::Tensor is at::Tensor and torch::Dtype is at::ScalarType.
#include <ATen/core/Tensor.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "models/safetensors.hpp"

namespace torch::nn {
class Module;
}

namespace pgc {

// A tensor that owns a copy of `t`'s bytes (the mapping may go away). Floating dtypes
// (F16, BF16, F32, F64) are converted to `target` (widening is exact); integer and bool
// tensors keep their own dtype (I64 -> kLong, I32 -> kInt, U8 -> kByte, BOOL -> kBool).
// `target` must be a floating dtype (std::invalid_argument otherwise).
at::Tensor tensor_from_safetensor(const SafeTensor& t, at::ScalarType target = at::kFloat);

// Copies a checkpoint into a module's named_parameters() and named_buffers() (recursively,
// with their dotted names), on the module's own devices and dtypes. Every module tensor must
// be found and every checkpoint tensor used, except the ignored ones; anything else is an
// InputError naming the checkpoint file and the tensor:
//   - a module tensor with no checkpoint tensor ("missing"),
//   - a checkpoint tensor with no module tensor ("unexpected"),
//   - a shape mismatch (both shapes given),
//   - a floating tensor for an integer/bool module tensor or the reverse.
// Nothing is half-loaded: all checks run before the first copy.
class WeightBinder {
 public:
  explicit WeightBinder(const SafetensorsCheckpoint& checkpoint) : checkpoint_(checkpoint) {}

  // Checkpoint tensors to leave unused (e.g. pytorch-fid's "fc.weight", "fc.bias"): an exact
  // checkpoint name, or with ignore_prefix every checkpoint name that starts with `prefix`.
  WeightBinder& ignore(const std::string& checkpoint_name);
  WeightBinder& ignore_prefix(const std::string& prefix);

  // Checkpoint name -> module name (e.g. HF transformers' names to ours); identity if unset.
  // Applied after the ignore rules, which see the checkpoint's own names.
  WeightBinder& rename(std::function<std::string(const std::string&)> checkpoint_to_module);

  // Binds; returns the number of tensors copied.
  size_t bind(torch::nn::Module& module) const;

 private:
  bool ignored(const std::string& checkpoint_name) const;

  const SafetensorsCheckpoint& checkpoint_;
  std::set<std::string> ignored_names_;
  std::vector<std::string> ignored_prefixes_;
  std::function<std::string(const std::string&)> rename_;
};

}  // namespace pgc
