#include "t2i/npy.hpp"

#include <zip.h>

#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

uint32_t read_le(const std::string& b, size_t pos, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b[pos + i])) << (8 * i);
  return v;
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& origin) : s_(text), origin_(origin) {}

  // The text after `'key':`, with leading spaces skipped.
  size_t value_pos(const char* key) const {
    for (const char* quote : {"'", "\""}) {
      std::string k = std::string(quote) + key + quote;
      size_t p = s_.find(k);
      if (p == std::string::npos) continue;
      p += k.size();
      while (p < s_.size() && std::isspace(static_cast<unsigned char>(s_[p]))) ++p;
      if (p < s_.size() && s_[p] == ':') {
        ++p;
        while (p < s_.size() && std::isspace(static_cast<unsigned char>(s_[p]))) ++p;
        return p;
      }
    }
    throw InputError(origin_, "npy header", std::string("no '") + key + "' key in " + s_);
  }

  std::string descr() const {
    size_t p = value_pos("descr");
    if (p >= s_.size() || (s_[p] != '\'' && s_[p] != '"'))
      throw InputError(origin_, "npy header", "descr is not a simple dtype string (structured arrays are not supported)");
    size_t e = s_.find(s_[p], p + 1);
    if (e == std::string::npos) throw InputError(origin_, "npy header", "unterminated descr");
    return s_.substr(p + 1, e - p - 1);
  }

  bool fortran_order() const {
    size_t p = value_pos("fortran_order");
    if (s_.compare(p, 4, "True") == 0) return true;
    if (s_.compare(p, 5, "False") == 0) return false;
    throw InputError(origin_, "npy header", "fortran_order is neither True nor False");
  }

  std::vector<size_t> shape() const {
    size_t p = value_pos("shape");
    if (p >= s_.size() || s_[p] != '(') throw InputError(origin_, "npy header", "shape is not a tuple");
    size_t e = s_.find(')', p);
    if (e == std::string::npos) throw InputError(origin_, "npy header", "unterminated shape");
    std::vector<size_t> dims;
    size_t i = p + 1;
    while (i < e) {
      while (i < e && (std::isspace(static_cast<unsigned char>(s_[i])) || s_[i] == ',')) ++i;
      if (i >= e) break;
      size_t j = i;
      while (j < e && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
      if (j == i) throw InputError(origin_, "npy header", "shape has a non-integer entry");
      dims.push_back(std::stoull(s_.substr(i, j - i)));
      i = j;
      while (i < e && s_[i] == 'L') ++i;  // Python 2 long suffix
    }
    return dims;
  }

 private:
  const std::string& s_;
  const std::string& origin_;
};

NpyDType parse_descr(const std::string& d, const std::string& origin) {
  if (d == "<f4") return NpyDType::kFloat32;
  if (d == "<f8") return NpyDType::kFloat64;
  if (d == "|u1" || d == "<u1" || d == "u1") return NpyDType::kUInt8;
  if (!d.empty() && d[0] == '>')
    throw InputError(origin, "npy header", "big-endian dtype '" + d + "' is not supported (expected '<f4' or '<f8')");
  throw InputError(origin, "npy header",
                   "unsupported dtype '" + d + "' (expected float32 '<f4' or float64 '<f8')");
}

const char* descr_of(NpyDType t) {
  switch (t) {
    case NpyDType::kFloat32: return "<f4";
    case NpyDType::kFloat64: return "<f8";
    case NpyDType::kUInt8: return "|u1";
  }
  return "";
}

struct ZipArchive {
  zip_t* z = nullptr;
  ~ZipArchive() {
    if (z) zip_discard(z);
  }
};

}  // namespace

size_t NpyArray::item_size(NpyDType t) {
  switch (t) {
    case NpyDType::kFloat32: return 4;
    case NpyDType::kFloat64: return 8;
    case NpyDType::kUInt8: return 1;
  }
  return 0;
}

size_t NpyArray::size() const {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return n;
}

double NpyArray::at(size_t i) const {
  switch (dtype) {
    case NpyDType::kFloat32: {
      float f;
      std::memcpy(&f, data.data() + 4 * i, 4);
      return f;
    }
    case NpyDType::kFloat64: {
      double d;
      std::memcpy(&d, data.data() + 8 * i, 8);
      return d;
    }
    case NpyDType::kUInt8: return data[i];
  }
  return 0;
}

std::vector<double> NpyArray::to_double() const {
  std::vector<double> out(size());
  if (dtype == NpyDType::kFloat64) {
    std::memcpy(out.data(), data.data(), out.size() * 8);
  } else {
    for (size_t i = 0; i < out.size(); ++i) out[i] = at(i);
  }
  return out;
}

NpyArray NpyArray::from_double(std::vector<size_t> shape, const std::vector<double>& values) {
  NpyArray a;
  a.dtype = NpyDType::kFloat64;
  a.shape = std::move(shape);
  a.data.resize(values.size() * 8);
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

NpyArray NpyArray::from_float(std::vector<size_t> shape, const std::vector<float>& values) {
  NpyArray a;
  a.dtype = NpyDType::kFloat32;
  a.shape = std::move(shape);
  a.data.resize(values.size() * 4);
  std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

NpyArray parse_npy(const std::string& bytes, const std::string& origin) {
  if (bytes.size() < kMagicLen + 2 || bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    throw InputError(origin, "", "not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t len_bytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (len_bytes == 0)
    throw InputError(origin, "", "unsupported .npy format version " + std::to_string(major));
  size_t start = 8 + len_bytes;
  if (bytes.size() < start) throw InputError(origin, "", "truncated .npy header");
  const size_t header_len = read_le(bytes, 8, len_bytes);
  if (bytes.size() < start + header_len)
    throw InputError(origin, "", "truncated .npy header (declares " + std::to_string(header_len) +
                                     " bytes, file has " + std::to_string(bytes.size() - start) + ")");
  const std::string header = bytes.substr(start, header_len);
  HeaderParser hp(header, origin);
  NpyArray a;
  a.dtype = parse_descr(hp.descr(), origin);
  if (hp.fortran_order())
    throw InputError(origin, "npy header", "Fortran-order arrays are not supported (save with C order)");
  a.shape = hp.shape();
  const size_t nbytes = a.size() * NpyArray::item_size(a.dtype);
  const size_t data_start = start + header_len;
  if (bytes.size() - data_start < nbytes)
    throw InputError(origin, "", "truncated .npy data: expected " + std::to_string(nbytes) +
                                     " bytes, found " + std::to_string(bytes.size() - data_start));
  if (bytes.size() - data_start > nbytes)
    throw InputError(origin, "", "trailing bytes after the .npy data (" +
                                     std::to_string(bytes.size() - data_start - nbytes) + ")");
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return a;
}

NpyArray read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string serialize_npy(const NpyArray& a) {
  std::string dict = std::string("{'descr': '") + descr_of(a.dtype) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < a.shape.size(); ++i) {
    if (i > 0) dict += ", ";
    dict += std::to_string(a.shape[i]);
  }
  if (a.shape.size() == 1) dict += ",";  // Python's one-element tuple
  dict += "), }";
  // Pad with spaces and a newline so magic + length + header is a multiple of 64 (np.save).
  size_t total = kMagicLen + 2 + 2 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  out += dict;
  out.append(reinterpret_cast<const char*>(a.data.data()), a.data.size());
  return out;
}

void write_npy(const std::string& path, const NpyArray& array) {
  write_file_atomic(path, serialize_npy(array));
}

std::vector<std::pair<std::string, NpyArray>> read_npz(const std::string& path) {
  const std::string bytes = read_file(path);
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (!src) throw InputError(path, "", std::string("cannot read zip: ") + zip_error_strerror(&err));
  ZipArchive za;
  za.z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!za.z) {
    zip_source_free(src);
    std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    throw InputError(path, "", "not a valid .npz (zip) archive: " + why);
  }
  std::vector<std::pair<std::string, NpyArray>> members;
  const zip_int64_t n = zip_get_num_entries(za.z, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.z, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
      throw InputError(path, "member " + std::to_string(i), "unreadable zip entry");
    std::string name = st.name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0) continue;
    std::string content(static_cast<size_t>(st.size), '\0');
    zip_file_t* f = zip_fopen_index(za.z, static_cast<zip_uint64_t>(i), 0);
    if (!f) throw InputError(path, name, std::string("cannot open member: ") + zip_strerror(za.z));
    zip_int64_t got = content.empty() ? 0 : zip_fread(f, content.data(), content.size());
    std::string ferr = got < 0 ? zip_file_strerror(f) : "";
    zip_fclose(f);
    if (got < 0) throw InputError(path, name, "corrupt member: " + ferr);
    if (static_cast<zip_uint64_t>(got) != st.size) throw InputError(path, name, "truncated member");
    members.emplace_back(name.substr(0, name.size() - 4), parse_npy(content, path + ":" + name));
  }
  return members;
}

const NpyArray& npz_member(const std::vector<std::pair<std::string, NpyArray>>& members,
                           const std::string& name, const std::string& path) {
  for (const auto& [k, v] : members)
    if (k == name) return v;
  std::string have;
  for (const auto& m : members) have += (have.empty() ? "" : ", ") + m.first;
  throw InputError(path, name, "no member '" + name + "' in the .npz (has: " + (have.empty() ? "none" : have) + ")");
}

std::string serialize_npz(const std::vector<std::pair<std::string, NpyArray>>& members, bool compressed) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (!out) throw std::runtime_error("libzip: cannot create a buffer");
  zip_source_keep(out);
  std::unique_ptr<zip_source_t, decltype(&zip_source_free)> out_guard(out, zip_source_free);
  zip_t* z = zip_open_from_source(out, ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error(std::string("libzip: ") + zip_error_strerror(&err));
  std::vector<std::string> blobs;
  blobs.reserve(members.size());
  // np.savez stamps members 1980-01-01 00:00 (zipfile's default), so files are reproducible.
  std::tm tm{};
  tm.tm_year = 80;
  tm.tm_mday = 1;
  tm.tm_isdst = -1;
  const time_t stamp = std::mktime(&tm);
  for (const auto& [name, array] : members) {
    blobs.push_back(serialize_npy(array));
    zip_source_t* s = zip_source_buffer(z, blobs.back().data(), blobs.back().size(), 0);
    zip_int64_t idx = s ? zip_file_add(z, (name + ".npy").c_str(), s, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      std::string why = zip_strerror(z);
      zip_discard(z);
      throw std::runtime_error("libzip: cannot add " + name + ": " + why);
    }
    zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    zip_file_set_mtime(z, static_cast<zip_uint64_t>(idx), stamp, 0);
  }
  if (zip_close(z) != 0) {
    std::string why = zip_strerror(z);
    zip_discard(z);
    throw std::runtime_error("libzip: cannot finish the archive: " + why);
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(out, &st) != 0 || zip_source_open(out) != 0)
    throw std::runtime_error("libzip: cannot read back the archive");
  std::string bytes(static_cast<size_t>(st.size), '\0');
  zip_int64_t got = bytes.empty() ? 0 : zip_source_read(out, bytes.data(), bytes.size());
  zip_source_close(out);
  if (got != static_cast<zip_int64_t>(bytes.size())) throw std::runtime_error("libzip: short read");
  return bytes;
}

void write_npz(const std::string& path, const std::vector<std::pair<std::string, NpyArray>>& members,
               bool compressed) {
  write_file_atomic(path, serialize_npz(members, compressed));
}

}  // namespace pgc
