#pragma once
// Where the LibTorch networks run. Torch-free header (the implementation is in
// models/torch/device.cpp) so that the CLI and the pipelines can parse --device cheaply.
#include <string>

namespace pgc {

// True when this LibTorch build has CUDA and sees at least one GPU.
bool cuda_available();

// The --device flag: "auto" -> "cuda" when cuda_available(), else "cpu"; "cpu" -> "cpu";
// "cuda" -> "cuda", or UsageError when no GPU is usable. Anything else is a UsageError.
// Choosing CUDA also turns off TF32 in cuDNN/cuBLAS, so GPU results stay float32 like the
// references (call it before building models).
std::string resolve_device(const std::string& flag);

}  // namespace pgc
