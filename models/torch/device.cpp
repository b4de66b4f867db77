#include "models/device.hpp"

#include <torch/cuda.h>

#include "core/error.hpp"

namespace pgc {

bool cuda_available() { return torch::cuda::is_available(); }

std::string resolve_device(const std::string& flag) {
  if (flag == "cpu") return "cpu";
  if (flag == "auto") return cuda_available() ? "cuda" : "cpu";
  if (flag == "cuda") {
    if (!cuda_available())
      throw UsageError("--device cuda: this LibTorch build has no CUDA or sees no GPU (use --device cpu or auto)");
    return "cuda";
  }
  throw UsageError("--device must be auto, cpu or cuda, not '" + flag + "'");
}

}  // namespace pgc
