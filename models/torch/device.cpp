#include "models/device.hpp"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include "core/error.hpp"

namespace pgc {

namespace {
// The references compute in float32. LibTorch lets cuDNN convolutions use TF32 by default
// (10-bit mantissa products on Ampere and later), which moves FID features by ~1e-3
// relative; pgc keeps full float32 on the GPU too.
void disable_tf32() {
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
}
}  // namespace

bool cuda_available() { return torch::cuda::is_available(); }

std::string resolve_device(const std::string& flag) {
  if (flag == "cpu") return "cpu";
  if (flag == "auto") return resolve_device(cuda_available() ? "cuda" : "cpu");
  if (flag == "cuda") {
    if (!cuda_available())
      throw UsageError("--device cuda: this LibTorch build has no CUDA or sees no GPU (use --device cpu or auto)");
    disable_tf32();
    return "cuda";
  }
  throw UsageError("--device must be auto, cpu or cuda, not '" + flag + "'");
}

}  // namespace pgc
