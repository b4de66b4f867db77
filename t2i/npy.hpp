#pragma once
// NumPy's .npy (format versions 1-3, little-endian, C order) and .npz (a zip of .npy members,
// stored or deflated, as np.savez / np.savez_compressed write them). pytorch-fid's reference
// statistics are .npz files with members `mu` and `sigma`; feature matrices are (N, d) .npy.
// Other dtypes, big-endian data, Fortran order and truncated files are InputErrors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pgc {

enum class NpyDType { kFloat32, kFloat64, kUInt8 };

struct NpyArray {
  NpyDType dtype = NpyDType::kFloat64;
  std::vector<size_t> shape;        // () for a 0-d array
  std::vector<unsigned char> data;  // little-endian, C order

  size_t size() const;  // number of elements (1 for 0-d)
  static size_t item_size(NpyDType t);
  // Element i converted to double (any dtype).
  double at(size_t i) const;
  // All elements as float64 (float32 upcast exactly, as numpy's astype does).
  std::vector<double> to_double() const;

  static NpyArray from_double(std::vector<size_t> shape, const std::vector<double>& values);
  static NpyArray from_float(std::vector<size_t> shape, const std::vector<float>& values);
};

// Parses .npy bytes; `origin` names the file (and member) in errors.
NpyArray parse_npy(const std::string& bytes, const std::string& origin);
NpyArray read_npy(const std::string& path);
// .npy bytes with a version 1.0 header padded to 64 bytes, like np.save.
std::string serialize_npy(const NpyArray& array);
// Written atomically (core/atomic_file.hpp).
void write_npy(const std::string& path, const NpyArray& array);

// Members of an .npz in archive order; names without the ".npy" suffix.
std::vector<std::pair<std::string, NpyArray>> read_npz(const std::string& path);
// The member `name` of an .npz read by read_npz; InputError naming the file if absent.
const NpyArray& npz_member(const std::vector<std::pair<std::string, NpyArray>>& members,
                           const std::string& name, const std::string& path);
// np.savez (stored) or np.savez_compressed (deflated) layout: members "<name>.npy".
std::string serialize_npz(const std::vector<std::pair<std::string, NpyArray>>& members,
                          bool compressed);
void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& members,
               bool compressed = false);

}  // namespace pgc
