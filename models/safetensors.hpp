#pragma once
// safetensors reader (no torch): 8-byte little-endian header length, a JSON header mapping
// tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the
// data section) plus an optional "__metadata__" string map, then the raw little-endian data.
// The file is memory-mapped; tensors are views into it. Validation follows the reference
// (huggingface/safetensors): offsets must tile the data section exactly, in any order,
// with no overlap, gap or bytes past the end, and each size must equal shape x dtype size.
// Sharded checkpoints (`model.safetensors.index.json` with a "weight_map") open as one.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pgc {

enum class SafeDType { kF16, kBF16, kF32, kF64, kI64, kI32, kU8, kBool };

const char* safe_dtype_name(SafeDType t);  // "F16", ...
size_t safe_dtype_size(SafeDType t);       // bytes per element

struct SafeTensor {
  std::string name;
  SafeDType dtype = SafeDType::kF32;
  std::vector<int64_t> shape;        // [] for a scalar
  size_t begin = 0, end = 0;         // data_offsets, relative to the data section
  const unsigned char* data = nullptr;  // mapped bytes (not necessarily aligned)
  std::string file;                  // the .safetensors file holding it

  size_t nbytes() const { return end - begin; }
  size_t numel() const;
};

// One memory-mapped .safetensors file. Throws InputError(path, item, what) on any defect.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Tensors by name (sorted).
  const std::map<std::string, SafeTensor>& tensors() const { return tensors_; }

 private:
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, SafeTensor> tensors_;
};

// A checkpoint: a single .safetensors file, or a sharded one given by its index JSON
// ({"metadata": {...}, "weight_map": {"tensor": "shard file"}}), shard paths relative to it.
class SafetensorsCheckpoint {
 public:
  // `path` ending in ".json" is an index; anything else is one .safetensors file.
  explicit SafetensorsCheckpoint(const std::string& path);

  const std::map<std::string, std::string>& metadata() const;  // of the first file
  std::vector<std::string> names() const;                      // sorted
  bool contains(const std::string& name) const;
  // InputError naming the checkpoint and the tensor when absent.
  const SafeTensor& tensor(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafeTensor*> index_;
};

// The weights of a Hugging Face model folder: `model.safetensors`, else the sharded
// `model.safetensors.index.json`; InputError naming the folder when it has neither.
std::string hf_checkpoint_path(const std::string& dir);

// The tensor's values as float32 (F16 and BF16 widened exactly, F32 copied); InputError for
// other dtypes.
std::vector<float> to_float32(const SafeTensor& t);

// IEEE half / bfloat16 bit patterns to float (exact; subnormals, infinities and NaN kept).
float half_to_float(uint16_t h);
float bfloat16_to_float(uint16_t b);

}  // namespace pgc
