#pragma once
// Helpers shared by tests/test_torch_*.cpp: the one safetensors writer (named tensors -> a
// .safetensors file: 8-byte header length, header JSON written by hand, little-endian data;
// floating tensors stored as `floating` (F32, F16 or BF16), the others in their own dtype) and
// the float vectors' max |difference|.
#include <ATen/ATen.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pgc_test {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

inline const char* safetensors_dtype(at::ScalarType d) {
  switch (d) {
    case at::kFloat: return "F32";
    case at::kHalf: return "F16";
    case at::kBFloat16: return "BF16";
    case at::kDouble: return "F64";
    case at::kLong: return "I64";
    case at::kInt: return "I32";
    default: throw std::logic_error("test safetensors writer: unsupported dtype");
  }
}

inline void write_safetensors_file(const std::filesystem::path& path, const NamedTensors& tensors,
                                   at::ScalarType floating = at::kFloat) {
  std::string header = "{", data;
  for (const auto& [name, tensor] : tensors) {
    at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    if (t.is_floating_point()) t = t.to(floating);
    std::string shape;
    for (int64_t d : t.sizes()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t begin = data.size();
    data.append(static_cast<const char*>(t.data_ptr()), t.nbytes());
    header += (header.size() > 1 ? "," : "") + std::string("\"") + name + "\":{\"dtype\":\"" +
              safetensors_dtype(t.scalar_type()) + "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(begin) + "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  std::ofstream(path, std::ios::binary) << bytes << header << data;
}

// Largest |a[i] - b[i]| of two equally long float vectors (computed in double).
inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(double(a[i]) - double(b[i])));
  return m;
}

}  // namespace pgc_test
