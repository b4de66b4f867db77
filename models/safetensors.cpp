#include "models/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

constexpr uint64_t kMaxHeaderSize = 100000000;  // the reference's limit

bool parse_dtype(const std::string& s, SafeDType& out) {
  static const std::pair<const char*, SafeDType> kNames[] = {
      {"F16", SafeDType::kF16}, {"BF16", SafeDType::kBF16}, {"F32", SafeDType::kF32},
      {"F64", SafeDType::kF64}, {"I64", SafeDType::kI64},   {"I32", SafeDType::kI32},
      {"U8", SafeDType::kU8},   {"BOOL", SafeDType::kBool}};
  for (const auto& [name, t] : kNames)
    if (s == name) {
      out = t;
      return true;
    }
  return false;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

uint64_t as_u64(const JsonValue& v, const std::string& file, const std::string& item,
                const char* what) {
  if (!v.IsUint64()) throw InputError(file, item, std::string(what) + " must be a non-negative integer");
  return v.GetUint64();
}

SafeTensor parse_entry(const std::string& name, const JsonValue& v, const std::string& file) {
  if (!v.IsObject()) throw InputError(file, name, "header entry is not an object");
  SafeTensor t;
  t.name = name;
  t.file = file;
  const JsonValue& dtype = member(v, "dtype", file, name);
  if (!dtype.IsString()) throw InputError(file, name, "dtype is not a string");
  if (!parse_dtype(dtype.GetString(), t.dtype))
    throw InputError(file, name, std::string("unsupported dtype '") + dtype.GetString() +
                                     "' (supported: F16, BF16, F32, F64, I64, I32, U8, BOOL)");
  const JsonValue& shape = member(v, "shape", file, name);
  if (!shape.IsArray()) throw InputError(file, name, "shape is not an array");
  uint64_t numel = 1;
  for (const auto& d : shape.GetArray()) {
    uint64_t dim = as_u64(d, file, name, "shape entry");
    if (dim != 0 && numel > UINT64_MAX / dim) throw InputError(file, name, "shape overflows");
    numel *= dim;
    t.shape.push_back(static_cast<int64_t>(dim));
  }
  const JsonValue& offsets = member(v, "data_offsets", file, name);
  if (!offsets.IsArray() || offsets.Size() != 2)
    throw InputError(file, name, "data_offsets must be [begin, end]");
  t.begin = as_u64(offsets[0], file, name, "data_offsets begin");
  t.end = as_u64(offsets[1], file, name, "data_offsets end");
  if (t.end < t.begin)
    throw InputError(file, name, "data_offsets end " + std::to_string(t.end) + " is before begin " +
                                     std::to_string(t.begin));
  const uint64_t size = safe_dtype_size(t.dtype);
  if (numel > UINT64_MAX / size || numel * size != t.end - t.begin)
    throw InputError(file, name,
                     "data_offsets span " + std::to_string(t.end - t.begin) + " bytes but shape " +
                         shape_text(t.shape) + " of " + safe_dtype_name(t.dtype) + " needs " +
                         std::to_string(numel * size));
  return t;
}

}  // namespace

const char* safe_dtype_name(SafeDType t) {
  switch (t) {
    case SafeDType::kF16: return "F16";
    case SafeDType::kBF16: return "BF16";
    case SafeDType::kF32: return "F32";
    case SafeDType::kF64: return "F64";
    case SafeDType::kI64: return "I64";
    case SafeDType::kI32: return "I32";
    case SafeDType::kU8: return "U8";
    case SafeDType::kBool: return "BOOL";
  }
  return "?";
}

size_t safe_dtype_size(SafeDType t) {
  switch (t) {
    case SafeDType::kF16: case SafeDType::kBF16: return 2;
    case SafeDType::kF32: case SafeDType::kI32: return 4;
    case SafeDType::kF64: case SafeDType::kI64: return 8;
    case SafeDType::kU8: case SafeDType::kBool: return 1;
  }
  return 1;
}

size_t SafeTensor::numel() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, "", std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw InputError(path, "", std::string("cannot stat: ") + std::strerror(errno));
  }
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw InputError(path, "header", "file is " + std::to_string(map_size_) +
                                         " bytes, too short for the 8-byte header length");
  }
  map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    throw InputError(path, "", std::string("cannot map: ") + std::strerror(errno));
  }
  try {
    const auto* bytes = static_cast<const unsigned char*>(map_);
    uint64_t header_len = 0;
    for (int i = 0; i < 8; ++i) header_len |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    if (header_len > kMaxHeaderSize)
      throw InputError(path, "header", "header length " + std::to_string(header_len) +
                                           " exceeds the 100 MB limit (not a safetensors file?)");
    if (header_len > map_size_ - 8)
      throw InputError(path, "header", "header length " + std::to_string(header_len) +
                                           " runs past the end of the file (" +
                                           std::to_string(map_size_) + " bytes): truncated");
    std::string header(reinterpret_cast<const char*>(bytes + 8), header_len);
    if (header.empty() || header[0] != '{')
      throw InputError(path, "header", "header does not start with '{'");
    JsonDoc doc;
    try {
      doc = parse_json(header, path);
    } catch (const InputError& e) {
      throw InputError(path, "header " + e.item(), e.problem());
    }
    if (!doc.IsObject()) throw InputError(path, "header", "header is not a JSON object");
    const unsigned char* data = bytes + 8 + header_len;
    const size_t data_size = map_size_ - 8 - header_len;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      std::string name(it->name.GetString(), it->name.GetStringLength());
      if (name == "__metadata__") {
        if (!it->value.IsObject()) throw InputError(path, name, "__metadata__ is not an object");
        for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
          if (!m->value.IsString())
            throw InputError(path, name, std::string("value of '") + m->name.GetString() + "' is not a string");
          metadata_[m->name.GetString()] = m->value.GetString();
        }
        continue;
      }
      SafeTensor t = parse_entry(name, it->value, path);
      t.data = data + std::min(t.begin, data_size);
      if (!tensors_.emplace(name, std::move(t)).second)
        throw InputError(path, name, "tensor name appears twice in the header");
    }
    // The offsets must tile [0, data_size) exactly, as the reference requires.
    std::vector<const SafeTensor*> order;
    for (const auto& [n, t] : tensors_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const SafeTensor* a, const SafeTensor* b) {
      return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    size_t pos = 0;
    const SafeTensor* prev = nullptr;
    for (const SafeTensor* t : order) {
      if (t->begin < pos)
        throw InputError(path, t->name, "data_offsets [" + std::to_string(t->begin) + ", " +
                                            std::to_string(t->end) + ") overlap tensor '" +
                                            prev->name + "'");
      if (t->begin > pos)
        throw InputError(path, t->name, "gap in the data section before offset " +
                                            std::to_string(t->begin) + " (previous data ends at " +
                                            std::to_string(pos) + ")");
      if (t->end > data_size)
        throw InputError(path, t->name, "data_offsets end " + std::to_string(t->end) +
                                            " is past the data section (" + std::to_string(data_size) +
                                            " bytes): file truncated or offsets out of range");
      pos = t->end;
      prev = t;
    }
    if (pos != data_size)
      throw InputError(path, "data", std::to_string(data_size - pos) +
                                         " bytes after the last tensor are not described by the header");
  } catch (...) {
    ::munmap(map_, map_size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(map_, map_size_);
}

SafetensorsCheckpoint::SafetensorsCheckpoint(const std::string& path) : path_(path) {
  namespace fs = std::filesystem;
  const bool is_index = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (!is_index) {
    files_.push_back(std::make_unique<SafetensorsFile>(path));
    for (const auto& [name, t] : files_[0]->tensors()) index_[name] = &t;
    return;
  }
  JsonDoc doc = read_json_file(path);
  if (!doc.IsObject()) throw InputError(path, "", "index is not a JSON object");
  const JsonValue& map = member(doc, "weight_map", path, "");
  if (!map.IsObject()) throw InputError(path, "weight_map", "is not an object");
  const fs::path dir = fs::path(path).parent_path();
  std::map<std::string, size_t> shard_of_file;
  std::map<std::string, std::string> expected;  // tensor -> shard file name
  for (auto it = map.MemberBegin(); it != map.MemberEnd(); ++it) {
    std::string name = it->name.GetString();
    if (!it->value.IsString()) throw InputError(path, name, "weight_map value is not a file name");
    if (!expected.emplace(name, it->value.GetString()).second)
      throw InputError(path, name, "tensor listed twice in weight_map");
    std::string shard = it->value.GetString();
    if (!shard_of_file.count(shard)) {
      shard_of_file[shard] = files_.size();
      files_.push_back(std::make_unique<SafetensorsFile>((dir / shard).string()));
    }
  }
  if (files_.empty()) throw InputError(path, "weight_map", "is empty");
  for (const auto& [name, shard] : expected) {
    const SafetensorsFile& f = *files_[shard_of_file[shard]];
    auto t = f.tensors().find(name);
    if (t == f.tensors().end())
      throw InputError(path, name, "weight_map puts it in " + shard + ", which has no such tensor");
    index_[name] = &t->second;
  }
  for (const auto& f : files_)
    for (const auto& [name, t] : f->tensors()) {
      auto e = expected.find(name);
      if (e == expected.end())
        throw InputError(f->path(), name, "tensor is not listed in the index's weight_map");
      if (index_[name] != &t)
        throw InputError(f->path(), name, "tensor also appears in shard " + e->second);
    }
}

const std::map<std::string, std::string>& SafetensorsCheckpoint::metadata() const {
  return files_.front()->metadata();
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [n, t] : index_) out.push_back(n);
  return out;
}

bool SafetensorsCheckpoint::contains(const std::string& name) const { return index_.count(name) > 0; }

const SafeTensor& SafetensorsCheckpoint::tensor(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw InputError(path_, name, "no such tensor in the checkpoint");
  return *it->second;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);  // inf / NaN (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    // Subnormal half: normalize into a float32 normal.
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400) == 0);
    bits = sign | (static_cast<uint32_t>(112 - e) << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bfloat16_to_float(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<float> to_float32(const SafeTensor& t) {
  const size_t n = t.numel();
  std::vector<float> out(n);
  switch (t.dtype) {
    case SafeDType::kF32:
      if (n) std::memcpy(out.data(), t.data, n * 4);
      break;
    case SafeDType::kF16:
    case SafeDType::kBF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, t.data + 2 * i, 2);
        out[i] = t.dtype == SafeDType::kF16 ? half_to_float(v) : bfloat16_to_float(v);
      }
      break;
    default:
      throw InputError(t.file, t.name, std::string("expected a floating-point tensor (F16, BF16 or F32), got ") +
                                           safe_dtype_name(t.dtype));
  }
  return out;
}

std::string hf_checkpoint_path(const std::string& dir) {
  const std::filesystem::path single = std::filesystem::path(dir) / "model.safetensors";
  const std::filesystem::path index = std::filesystem::path(dir) / "model.safetensors.index.json";
  if (std::filesystem::is_regular_file(single)) return single.string();
  if (std::filesystem::is_regular_file(index)) return index.string();
  throw InputError(dir, "model.safetensors",
                   "no model.safetensors or model.safetensors.index.json (pgc reads safetensors only; convert "
                   "pytorch_model.bin with transformers' save_pretrained(safe_serialization=True))");
}

}  // namespace pgc
