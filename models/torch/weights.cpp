#include "models/torch/weights.hpp"

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"

namespace pgc {
namespace {

at::ScalarType torch_dtype(SafeDType d) {
  switch (d) {
    case SafeDType::kF16: return at::kHalf;
    case SafeDType::kBF16: return at::kBFloat16;
    case SafeDType::kF32: return at::kFloat;
    case SafeDType::kF64: return at::kDouble;
    case SafeDType::kI64: return at::kLong;
    case SafeDType::kI32: return at::kInt;
    case SafeDType::kU8: return at::kByte;
    case SafeDType::kBool: return at::kBool;
  }
  throw std::logic_error("unknown SafeDType");
}

std::string shape_text(at::IntArrayRef shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

}  // namespace

at::Tensor tensor_from_safetensor(const SafeTensor& t, at::ScalarType target) {
  if (!at::isFloatingType(target))
    throw std::invalid_argument(std::string("tensor_from_safetensor: target dtype ") +
                                c10::toString(target) + " is not floating");
  const at::ScalarType stored = torch_dtype(t.dtype);
  // A fresh tensor and memcpy rather than from_blob: the mapped bytes need not be aligned
  // and must not outlive the file mapping. safetensors is little-endian, as is every host
  // LibTorch runs on.
  at::Tensor out = at::empty(at::IntArrayRef(t.shape), at::TensorOptions().dtype(stored));
  if (out.nbytes() != t.nbytes())
    throw InputError(t.file, t.name, "byte size " + std::to_string(t.nbytes()) +
                                         " does not match shape " + shape_text(t.shape));
  if (t.nbytes() > 0) std::memcpy(out.data_ptr(), t.data, t.nbytes());
  if (at::isFloatingType(stored) && stored != target) out = out.to(target);
  return out;
}

WeightBinder& WeightBinder::ignore(const std::string& checkpoint_name) {
  ignored_names_.insert(checkpoint_name);
  return *this;
}

WeightBinder& WeightBinder::ignore_prefix(const std::string& prefix) {
  ignored_prefixes_.push_back(prefix);
  return *this;
}

WeightBinder& WeightBinder::rename(std::function<std::string(const std::string&)> f) {
  rename_ = std::move(f);
  return *this;
}

bool WeightBinder::ignored(const std::string& name) const {
  if (ignored_names_.count(name)) return true;
  for (const auto& p : ignored_prefixes_)
    if (name.compare(0, p.size(), p) == 0) return true;
  return false;
}

size_t WeightBinder::bind(torch::nn::Module& module) const {
  const std::string& file = checkpoint_.path();
  // Module tensor name -> the tensor (parameters and buffers share one namespace).
  std::map<std::string, at::Tensor> targets;
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    targets.emplace(item.key(), item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true))
    targets.emplace(item.key(), item.value());

  // Module name -> checkpoint tensor, every check done before any copy.
  std::map<std::string, const SafeTensor*> sources;
  for (const std::string& name : checkpoint_.names()) {
    if (ignored(name)) continue;
    const std::string target_name = rename_ ? rename_(name) : name;
    const std::string item = target_name == name ? name : name + " (as " + target_name + ")";
    auto target = targets.find(target_name);
    if (target == targets.end())
      throw InputError(file, item, "unexpected tensor: the model has no parameter or buffer by that name");
    const SafeTensor& t = checkpoint_.tensor(name);
    if (!sources.emplace(target_name, &t).second)
      throw InputError(file, item, "a second checkpoint tensor maps to the same model tensor");
    if (at::IntArrayRef(t.shape) != target->second.sizes())
      throw InputError(file, item, "shape " + shape_text(t.shape) + " in the checkpoint, " +
                                       shape_text(target->second.sizes()) + " expected by the model");
    const bool stored_floating = at::isFloatingType(torch_dtype(t.dtype));
    const bool wanted_floating = at::isFloatingType(target->second.scalar_type());
    if (stored_floating != wanted_floating)
      throw InputError(file, item, std::string("dtype ") + safe_dtype_name(t.dtype) +
                                       " in the checkpoint, the model wants " +
                                       c10::toString(target->second.scalar_type()));
  }
  for (const auto& [name, tensor] : targets)
    if (!sources.count(name))
      throw InputError(file, name, "missing tensor: the model needs it (" +
                                       shape_text(tensor.sizes()) + ") and the checkpoint lacks it");

  at::NoGradGuard no_grad;
  for (const auto& [name, source] : sources) {
    at::Tensor& target = targets.at(name);
    const at::ScalarType wanted = target.scalar_type();
    at::Tensor value = at::isFloatingType(wanted) ? tensor_from_safetensor(*source, wanted)
                                                  : tensor_from_safetensor(*source).to(wanted);
    target.copy_(value);  // copy_ also moves to the target's device
  }
  return sources.size();
}

}  // namespace pgc
