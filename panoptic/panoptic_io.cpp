#include "panoptic/panoptic_io.hpp"

#include <fcntl.h>
#include <libdeflate.h>
#include <png.h>
#include <spng.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/filereadstream.h>
#include <rapidjson/reader.h>

#include "core/error.hpp"

namespace pgc {

std::string join_path(const std::string& folder, const std::string& name) {
  if (folder.empty() || folder.back() == '/') return folder + name;
  return folder + "/" + name;
}

std::string id_rgb_text(uint32_t id) {
  return "RGB " + std::to_string(id & 255) + "," + std::to_string((id >> 8) & 255) + "," +
         std::to_string((id >> 16) & 255);
}

std::string shipped_categories_path() {
  return join_path(PGC_DATA_DIR, "panoptic_coco_categories.json");
}

// ---------------------------------------------------------------- JSON

namespace {

int64_t get_int(const JsonValue& v, const std::string& file, const std::string& item,
                const char* what) {
  if (v.IsInt64()) return v.GetInt64();
  // An integral float (e.g. 3.0) is what Python's json would compare equal to 3.
  if (v.IsDouble() && std::isfinite(v.GetDouble()) && v.GetDouble() == std::floor(v.GetDouble()) &&
      std::fabs(v.GetDouble()) < 9e15)
    return static_cast<int64_t>(v.GetDouble());
  throw InputError(file, item, std::string(what) + " must be an integer");
}

// iscrowd / isthing: 0 or 1 (true / false accepted: Python compares True == 1).
bool get_flag(const JsonValue& v, const std::string& file, const std::string& item,
              const char* what) {
  if (v.IsBool()) return v.GetBool();
  if (v.IsNumber()) {
    double x = v.GetDouble();
    if (x == 0) return false;
    if (x == 1) return true;
  }
  throw InputError(file, item, std::string(what) + " must be 0 or 1");
}

std::string image_item(const std::string& image_id) { return "image " + image_id; }

// Where the first NaN / Infinity sits, named as users think of it ("image 11, segment 42,
// area"); empty if none. Python's json writes these non-standard tokens silently.
std::string find_non_finite(const JsonValue& v, const std::string& where) {
  if (v.IsDouble() && !std::isfinite(v.GetDouble())) return where;
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      std::string sub = where.empty() ? m->name.GetString() : where + ", " + m->name.GetString();
      std::string found = find_non_finite(m->value, sub);
      if (!found.empty()) return found;
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      std::string label = where + "[" + std::to_string(i) + "]";
      if (v[i].IsObject()) {
        auto img = v[i].FindMember("image_id");
        auto id = v[i].FindMember("id");
        if (img != v[i].MemberEnd() && (img->value.IsInt64() || img->value.IsString()))
          label = "image " + (img->value.IsString() ? std::string(img->value.GetString())
                                                    : std::to_string(img->value.GetInt64()));
        else if (id != v[i].MemberEnd() && id->value.IsInt64())
          label = (where.size() >= 13 && where.compare(where.size() - 13, 13, "segments_info") == 0
                       ? where.substr(0, where.size() - 13) + "segment "
                       : where + " id ") +
                  std::to_string(id->value.GetInt64());
      }
      std::string found = find_non_finite(v[i], label);
      if (!found.empty()) return found;
    }
  }
  return "";
}

// Strict JSON; a file that is only invalid because of NaN / Infinity gets an error naming the
// item that holds it instead of a bare line:column.
JsonDoc read_strict_json(const std::string& path) {
  std::string text = read_file(path);
  try {
    return parse_json(text, path);
  } catch (const InputError& strict_error) {
    JsonDoc lenient;
    lenient.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag>(text.data(),
                                                                                      text.size());
    if (!lenient.HasParseError()) {
      std::string where = find_non_finite(lenient, "");
      if (!where.empty())
        throw InputError(path, where,
                         "NaN / Infinity is not a valid JSON number (" + strict_error.item() + ")");
    }
    throw;
  }
}

PanopticAnnotation parse_annotation(const JsonValue& ann, size_t index, const std::string& file,
                                    bool is_gt) {
  std::string where = "annotations[" + std::to_string(index) + "]";
  if (!ann.IsObject()) throw InputError(file, where, "expected an object");
  PanopticAnnotation out;
  const JsonValue& image_id = member(ann, "image_id", file, where);
  out.image_id = id_to_string(image_id, file, where + ".image_id");
  out.image_id_is_string = image_id.IsString();
  std::string item = image_item(out.image_id);
  out.file_name = get_string(member(ann, "file_name", file, item), file, item + ", file_name");
  if (out.file_name.empty()) throw InputError(file, item, "file_name is empty");
  const JsonValue& segs = member(ann, "segments_info", file, item);
  if (!segs.IsArray()) throw InputError(file, item, "segments_info must be a list");
  std::unordered_set<uint32_t> seen;
  for (rapidjson::SizeType i = 0; i < segs.Size(); ++i) {
    const JsonValue& s = segs[i];
    std::string seg_item = item + ", segments_info[" + std::to_string(i) + "]";
    if (!s.IsObject()) throw InputError(file, seg_item, "expected an object");
    int64_t id = get_int(member(s, "id", file, seg_item), file, seg_item, "id");
    if (id < 1 || id > kPanopticMaxId)
      throw InputError(file, seg_item,
                       "segment id " + std::to_string(id) +
                           " is outside 1..16777215 (0 is VOID; ids are R + 256 G + 65536 B)");
    seg_item = item + ", segment " + std::to_string(id);
    if (!seen.insert(static_cast<uint32_t>(id)).second)
      throw InputError(file, seg_item, "segment id listed twice in segments_info");
    PqSegment seg;
    seg.id = static_cast<uint32_t>(id);
    seg.category_id = get_int(member(s, "category_id", file, seg_item), file, seg_item, "category_id");
    if (is_gt) {
      // panopticapi reads iscrowd and area of GT segments (pred ones are ignored).
      seg.iscrowd = get_flag(member(s, "iscrowd", file, seg_item), file, seg_item, "iscrowd");
      out.areas.push_back(get_number(member(s, "area", file, seg_item), file, seg_item + ", area"));
    }
    out.segments.push_back(seg);
  }
  return out;
}

}  // namespace

std::vector<PqCategory> parse_categories(const JsonValue& list, const std::string& file) {
  if (!list.IsArray()) throw InputError(file, "categories", "expected a list of categories");
  std::vector<PqCategory> out;
  std::unordered_set<int64_t> seen;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    std::string item = "categories[" + std::to_string(i) + "]";
    const JsonValue& c = list[i];
    if (!c.IsObject()) throw InputError(file, item, "expected an object");
    PqCategory cat;
    cat.id = get_int(member(c, "id", file, item), file, item, "id");
    item = "category " + std::to_string(cat.id);
    if (!seen.insert(cat.id).second) throw InputError(file, item, "category id listed twice");
    auto name = c.FindMember("name");
    if (name != c.MemberEnd() && name->value.IsString()) cat.name = name->value.GetString();
    cat.isthing = get_flag(member(c, "isthing", file, item), file, item, "isthing");
    out.push_back(std::move(cat));
  }
  if (out.empty()) throw InputError(file, "categories", "no categories");
  return out;
}

std::vector<PqCategory> read_categories(const std::string& path) {
  JsonDoc d = read_strict_json(path);
  if (d.IsObject()) return parse_categories(member(d, "categories", path, ""), path);
  return parse_categories(d, path);
}

namespace {

// Streams a COCO panoptic file with RapidJSON's SAX reader: each element of "annotations" (and
// the "categories" list) is captured alone, parsed into a small DOM and checked, so memory holds
// neither the file text nor a DOM of the whole file (a 25K-image GT is ~100 MB of JSON).
class PanopticSaxHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PanopticSaxHandler> {
 public:
  PanopticSaxHandler(const std::string& path, bool is_gt, PanopticJson& out)
      : path_(path), is_gt_(is_gt), out_(out) {}

  bool Null() { return value([&] { return writer_.Null(); }); }
  bool Bool(bool b) { return value([&] { return writer_.Bool(b); }); }
  bool Int(int i) { return value([&] { return writer_.Int(i); }); }
  bool Uint(unsigned i) { return value([&] { return writer_.Uint(i); }); }
  bool Int64(int64_t i) { return value([&] { return writer_.Int64(i); }); }
  bool Uint64(uint64_t i) { return value([&] { return writer_.Uint64(i); }); }
  bool Double(double d) { return value([&] { return writer_.Double(d); }); }
  bool String(const char* str, rapidjson::SizeType len, bool copy) {
    return value([&] { return writer_.String(str, len, copy); });
  }
  bool StartObject() { return open([&] { return writer_.StartObject(); }, false); }
  bool Key(const char* str, rapidjson::SizeType len, bool copy) {
    if (capturing_) return writer_.Key(str, len, copy);
    if (depth_ == 1) top_key_.assign(str, len);
    return true;
  }
  bool EndObject(rapidjson::SizeType n) { return close([&] { return writer_.EndObject(n); }); }
  bool StartArray() { return open([&] { return writer_.StartArray(); }, true); }
  bool EndArray(rapidjson::SizeType n) { return close([&] { return writer_.EndArray(n); }); }

  bool saw_annotations() const { return saw_annotations_; }
  const std::exception_ptr& error() const { return error_; }

 private:
  // Where a value starting now belongs: a whole annotation, the categories list, or nowhere.
  bool starts_capture() const {
    return (depth_ == 2 && in_annotations_) || (depth_ == 1 && top_key_ == "categories");
  }
  void begin_capture() {
    buffer_.Clear();
    writer_.Reset(buffer_);
    capturing_ = true;
    capture_depth_ = depth_;
  }
  template <class F>
  bool value(F forward) {
    if (depth_ == 0) return fail("", "expected a COCO panoptic JSON object");
    if (depth_ == 1 && top_key_ == "annotations") return fail("annotations", "expected a list");
    if (!capturing_ && !starts_capture()) return true;
    if (!capturing_) begin_capture();
    if (!forward()) return false;
    return depth_ == capture_depth_ ? finish_capture() : true;
  }
  template <class F>
  bool open(F forward, bool is_array) {
    if (depth_ == 0 && is_array) return fail("", "expected a COCO panoptic JSON object");
    if (!capturing_ && depth_ == 1 && top_key_ == "annotations") {
      if (!is_array) return fail("annotations", "expected a list");
      in_annotations_ = saw_annotations_ = true;
    } else if (!capturing_ && starts_capture()) {
      begin_capture();
    }
    ++depth_;
    return capturing_ ? forward() : true;
  }
  template <class F>
  bool close(F forward) {
    --depth_;
    if (capturing_) {
      if (!forward()) return false;
      return depth_ == capture_depth_ ? finish_capture() : true;
    }
    if (depth_ == 1) in_annotations_ = false;
    return true;
  }
  bool finish_capture() {
    capturing_ = false;
    try {
      JsonDoc d = parse_json(std::string(buffer_.GetString(), buffer_.GetSize()), path_);
      if (depth_ == 2) out_.annotations.push_back(parse_annotation(d, out_.annotations.size(), path_, is_gt_));
      else out_.categories = parse_categories(d, path_);
    } catch (...) {
      error_ = std::current_exception();
      return false;
    }
    return true;
  }
  bool fail(const std::string& item, const std::string& what) {
    error_ = std::make_exception_ptr(InputError(path_, item, what));
    return false;
  }

  const std::string& path_;
  bool is_gt_;
  PanopticJson& out_;
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  int depth_ = 0, capture_depth_ = 0;
  bool capturing_ = false, in_annotations_ = false, saw_annotations_ = false;
  std::string top_key_;
  std::exception_ptr error_;
};

}  // namespace

PanopticJson read_panoptic_json(const std::string& path, bool is_gt) {
  PanopticJson out;
  out.path = path;
  {
    std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw InputError(path, "", std::string("cannot open file: ") + std::strerror(errno));
    std::vector<char> chunk(1 << 16);
    rapidjson::FileReadStream stream(f.get(), chunk.data(), chunk.size());
    PanopticSaxHandler handler(path, is_gt, out);
    rapidjson::Reader reader;
    reader.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(stream, handler);
    if (handler.error()) std::rethrow_exception(handler.error());
    if (reader.HasParseError()) {
      // Malformed: re-read the whole file for an error naming line:column or the NaN's item.
      read_strict_json(path);
      throw InputError(path, "", "malformed JSON");
    }
    if (!handler.saw_annotations()) throw InputError(path, "", "missing key \"annotations\"");
  }
  std::unordered_map<std::string, size_t> first_index;
  for (size_t i = 0; i < out.annotations.size(); ++i) {
    const std::string& id = out.annotations[i].image_id;
    auto [it, inserted] = first_index.emplace(id, i);
    if (!inserted)
      throw InputError(path, image_item(id),
                       "duplicate image_id: annotations[" + std::to_string(it->second) +
                           "] and annotations[" + std::to_string(i) + "] (panopticapi would " +
                           (is_gt ? "evaluate the image twice" : "silently keep the last one") + ")");
  }
  return out;
}

void check_segment_categories(const PanopticJson& json, const std::vector<PqCategory>& categories,
                              const std::string& categories_origin) {
  std::unordered_set<int64_t> known;
  for (const auto& c : categories) known.insert(c.id);
  for (const auto& a : json.annotations)
    for (const auto& s : a.segments)
      if (!known.count(s.category_id))
        throw InputError(json.path, image_item(a.image_id) + ", segment " + std::to_string(s.id),
                         "unknown category_id " + std::to_string(s.category_id) + " (not in the categories of " +
                             categories_origin + ")");
}

std::vector<PanopticPair> pair_annotations(const PanopticJson& gt, const PanopticJson& pred,
                                           std::vector<std::string>* ignored_pred_ids) {
  std::unordered_map<std::string, const PanopticAnnotation*> pred_by_id;
  for (const auto& a : pred.annotations) pred_by_id[a.image_id] = &a;
  std::vector<PanopticPair> out;
  out.reserve(gt.annotations.size());
  for (const auto& g : gt.annotations) {
    auto it = pred_by_id.find(g.image_id);
    if (it == pred_by_id.end())
      throw InputError(pred.path, image_item(g.image_id),
                       "no prediction for this GT image (listed in " + gt.path + ")");
    if (it->second->image_id_is_string != g.image_id_is_string)
      throw InputError(pred.path, image_item(g.image_id),
                       std::string("image_id is a ") + (it->second->image_id_is_string ? "string" : "number") +
                           " here but a " + (g.image_id_is_string ? "string" : "number") + " in " + gt.path +
                           " (panopticapi would find no prediction for this image)");
    out.push_back({&g, it->second});
    pred_by_id.erase(it);
  }
  if (ignored_pred_ids)
    for (const auto& a : pred.annotations)
      if (pred_by_id.count(a.image_id)) ignored_pred_ids->push_back(a.image_id);
  return out;
}

// ---------------------------------------------------------------- PNG

namespace {

void read_whole_file(const std::string& path, const std::string& item, std::vector<uint8_t>& buf) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path, item, std::string("cannot open PNG: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InputError(path, item, "not a regular file");
  }
  buf.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw InputError(path, item, std::string("read error: ") + (n == 0 ? "file shrank" : std::strerror(err)));
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
}

struct SpngCtx {
  spng_ctx* ctx;
  explicit SpngCtx(int flags) : ctx(spng_ctx_new(flags)) {}
  ~SpngCtx() { spng_ctx_free(ctx); }
};

}  // namespace

void PngDecoder::decode(const std::string& path, const std::string& item, RgbImage& out) {
  read_whole_file(path, item, file_);
  decode_bytes(file_.data(), file_.size(), path, item, out);
}

namespace {

// libpng reports errors with longjmp: the frame that calls setjmp below holds only plain C
// values, so no C++ destructor is ever skipped.
struct PngMemoryReader {
  const uint8_t* data;
  size_t size, offset;
  char message[200];
};

void png_read_from_memory(png_structp png, png_bytep out, png_size_t len) {
  auto* r = static_cast<PngMemoryReader*>(png_get_io_ptr(png));
  if (len > r->size - r->offset) png_error(png, "unexpected end of file");
  std::memcpy(out, r->data + r->offset, len);
  r->offset += len;
}

[[noreturn]] void png_on_error(png_structp png, png_const_charp msg) {
  auto* r = static_cast<PngMemoryReader*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof r->message, "%s", msg);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

enum class PngStatus { kOk, kDecodeError, kNotRgb8 };

struct PngHeader {
  png_uint_32 width = 0, height = 0;
  int color_type = 0, bit_depth = 0;
};

// Decodes into the buffer `get_buffer(bytes)` returns (8-bit RGB rows, alpha stripped).
PngStatus decode_png_rgb8(PngMemoryReader& reader, PngHeader& header,
                          uint8_t* (*get_buffer)(void*, size_t), void* buffer_owner) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_on_error, png_on_warning);
  if (!png) throw std::bad_alloc();
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    throw std::bad_alloc();
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return PngStatus::kDecodeError;
  }
#ifdef PNG_IGNORE_ADLER32
  // zlib's Adler-32 is skipped (a few % of decode time): the chunk CRC-32s, still checked,
  // cover the same bytes, and a truncated file fails on end of data.
  png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
  png_set_read_fn(png, &reader, png_read_from_memory);
  png_read_info(png, info);
  header.width = png_get_image_width(png, info);
  header.height = png_get_image_height(png, info);
  header.color_type = png_get_color_type(png, info);
  header.bit_depth = png_get_bit_depth(png, info);
  if (header.bit_depth != 8 ||
      (header.color_type != PNG_COLOR_TYPE_RGB && header.color_type != PNG_COLOR_TYPE_RGB_ALPHA)) {
    png_destroy_read_struct(&png, &info, nullptr);
    return PngStatus::kNotRgb8;
  }
  // No gamma, no tRNS expansion: the stored bytes. RGBA: drop alpha (panopticapi's rgb2id
  // reads the first 3 channels).
  if (header.color_type == PNG_COLOR_TYPE_RGB_ALPHA) png_set_strip_alpha(png);
  int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t row_bytes = size_t(header.width) * 3;
  if (png_get_rowbytes(png, info) != row_bytes) png_error(png, "unexpected row size");
  uint8_t* pixels = get_buffer(buffer_owner, row_bytes * header.height);
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 y = 0; y < header.height; ++y) png_read_row(png, pixels + y * row_bytes, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return PngStatus::kOk;
}

uint8_t* grow_rgb_buffer(void* owner, size_t bytes) {
  auto& rgb = *static_cast<std::vector<uint8_t>*>(owner);
  if (rgb.size() < bytes) rgb.resize(bytes);  // reused across images: only grows
  return rgb.data();
}

const char* png_color_type_name(int t) {
  switch (t) {
    case PNG_COLOR_TYPE_GRAY: return "grayscale";
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "grayscale+alpha";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
    default: return "unknown";
  }
}

}  // namespace

// libpng rather than libspng for the general path: on these id PNGs (mostly Paeth / Up / Sub
// rows) it decodes ~18% faster here (its SIMD row filters).
void PngDecoder::decode_bytes_libpng(const uint8_t* data, size_t size, const std::string& path,
                                     const std::string& item, RgbImage& out) {
  if (size < 8 || png_sig_cmp(data, 0, 8) != 0)
    throw InputError(path, item, "not a valid PNG (bad signature)");
  PngMemoryReader reader{data, size, 0, {0}};
  PngHeader header;
  PngStatus status = decode_png_rgb8(reader, header, grow_rgb_buffer, &out.rgb);
  if (status == PngStatus::kNotRgb8)
    throw InputError(path, item,
                     "expected an 8-bit RGB (or RGBA) PNG with ids R + 256 G + 65536 B, got " +
                         std::to_string(header.bit_depth) + "-bit " +
                         png_color_type_name(header.color_type));
  if (status == PngStatus::kDecodeError)
    throw InputError(path, item, std::string("corrupt or truncated PNG: ") + reader.message);
  out.width = header.width;
  out.height = header.height;
}

// ---------------------------------------------------------------- PNG fast path

struct PngDecoder::Inflater {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  Inflater() {
    if (!d) throw std::bad_alloc();
  }
  ~Inflater() { libdeflate_free_decompressor(d); }
};

PngDecoder::PngDecoder() = default;
PngDecoder::~PngDecoder() = default;
PngDecoder::PngDecoder(PngDecoder&&) noexcept = default;
PngDecoder& PngDecoder::operator=(PngDecoder&&) noexcept = default;

void PngDecoder::decode_bytes(const uint8_t* data, size_t size, const std::string& path,
                              const std::string& item, RgbImage& out) {
  if (decode_bytes_fast(data, size, out)) return;
  decode_bytes_libpng(data, size, path, item, out);
}

namespace {

uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

bool is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// One PNG chunk, its CRC checked.
struct PngChunk {
  uint32_t type = 0;
  const uint8_t* payload = nullptr;
  uint32_t length = 0;
};

constexpr uint32_t chunk_type(const char (&name)[5]) {
  return uint32_t(uint8_t(name[0])) << 24 | uint32_t(uint8_t(name[1])) << 16 |
         uint32_t(uint8_t(name[2])) << 8 | uint8_t(name[3]);
}

// Reads the chunk at `pos`; false when it is cut off, misnamed, too long for libpng or its CRC
// is wrong (libpng then decides what that means).
bool next_chunk(const uint8_t* data, size_t size, size_t& pos, PngChunk& c) {
  if (size - pos < 12) return false;
  c.length = load_be32(data + pos);
  const uint8_t* type = data + pos + 4;
  if (c.length > 0x7fffffffu || size - pos - 12 < c.length) return false;
  for (int k = 0; k < 4; ++k)
    if (!is_letter(type[k])) return false;
  if (libdeflate_crc32(0, type, size_t(c.length) + 4) != load_be32(type + 4 + c.length)) return false;
  c.type = load_be32(type);
  c.payload = type + 4;
  pos += size_t(c.length) + 12;
  return true;
}

bool is_critical(uint32_t type) { return !(type & 0x20000000u); }

// Row filters for 3 bytes a pixel (PNG spec section 9). `up` is the unfiltered row above
// (zeros for the first row); rows are unfiltered into `cur`.
// A pixel as 3 bytes in the low bits of a uint32, and bytewise addition mod 256 of two such.
// Loads and stores touch a 4th byte (one load, one store instead of three): every buffer the
// unfilter reads or writes has kPixelSlack bytes after its end, and the byte a store spills
// into is the next pixel's, written after it.
constexpr size_t kPixelSlack = 4;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
uint32_t load_pixel(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v & 0xffffffu;
}
void store_pixel(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
#else
uint32_t load_pixel(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16; }
void store_pixel(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
}
#endif

uint32_t add_bytes(uint32_t x, uint32_t y) {
  return ((x & 0x7f7f7fu) + (y & 0x7f7f7fu)) ^ ((x ^ y) & 0x808080u);
}

void unfilter_sub(const uint8_t* in, uint8_t* cur, size_t n) {
  uint32_t a = 0;
  for (size_t i = 0; i < n; i += 3) {
    a = add_bytes(load_pixel(in + i), a);
    store_pixel(cur + i, a);
  }
}

void unfilter_up(const uint8_t* in, const uint8_t* up, uint8_t* cur, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_add_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)),
                             _mm_loadu_si128(reinterpret_cast<const __m128i*>(up + i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(cur + i), x);
  }
#endif
  for (; i < n; ++i) cur[i] = uint8_t(in[i] + up[i]);
}

void unfilter_average(const uint8_t* in, const uint8_t* up, uint8_t* cur, size_t n) {
  for (size_t i = 0; i < 3; ++i) cur[i] = uint8_t(in[i] + (up[i] >> 1));
  for (size_t i = 3; i < n; ++i) cur[i] = uint8_t(in[i] + ((cur[i - 3] + up[i]) >> 1));
}

uint8_t paeth_byte(int a, int b, int c) {
  int p = b - c, q = a - c;
  int pa = std::abs(p), pb = std::abs(q), pc = std::abs(p + q);
  return uint8_t(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Out of line: inlined, its registers pushed the hot loop's state onto the stack.
__attribute__((noinline)) uint32_t paeth_pixel(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t pred = 0;
  for (int k = 0; k < 24; k += 8)
    pred |= uint32_t(paeth_byte((a >> k) & 255, (b >> k) & 255, (c >> k) & 255)) << k;
  return pred;
}

// Paeth: a pixel depends on its left neighbour, so pixels go one at a time. Id PNGs are mostly
// flat: where the pixel above equals the one above-left (b == c) the predictor is the left one
// (a), where a == c it is b, for every byte; only pixels at segment borders need the full rule.
void unfilter_paeth(const uint8_t* in, const uint8_t* up, uint8_t* cur, size_t n) {
  uint32_t a = 0, c = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t b = load_pixel(up + i), pred;
    if (b == c) {
      pred = a;
    } else if (a == c) {
      pred = b;
    } else {
      pred = paeth_pixel(a, b, c);
    }
    a = add_bytes(load_pixel(in + i), pred);
    store_pixel(cur + i, a);
    c = b;
  }
}

// false on an invalid filter type (libpng then reports it).
bool unfilter_rgb8_rows(const uint8_t* filtered, uint8_t* out, uint32_t width, uint32_t height,
                        const uint8_t* zero_row) {
  const size_t n = size_t(width) * 3;
  for (uint32_t y = 0; y < height; ++y) {
    const uint8_t* in = filtered + size_t(y) * (n + 1);
    uint8_t* cur = out + size_t(y) * n;
    const uint8_t* up = y ? cur - n : zero_row;
    switch (in[0]) {
      case 0: std::memcpy(cur, in + 1, n); break;
      case 1: unfilter_sub(in + 1, cur, n); break;
      case 2: unfilter_up(in + 1, up, cur, n); break;
      case 3: unfilter_average(in + 1, up, cur, n); break;
      case 4: unfilter_paeth(in + 1, up, cur, n); break;
      default: return false;
    }
  }
  return true;
}

}  // namespace

// Accepts only what libpng (as configured above) decodes to the same bytes without complaint:
// IHDR first (8-bit RGB, no interlace, sizes within libpng's limits), then ancillary chunks,
// one unbroken run of IDAT, ancillary chunks, IEND; every CRC right; one complete zlib stream
// (Adler-32 right) filling the rows exactly; valid filter types. Anything else: false.
bool PngDecoder::decode_bytes_fast(const uint8_t* data, size_t size, RgbImage& out) {
  static const uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  if (size < 8 || std::memcmp(data, kSignature, 8) != 0) return false;
  size_t pos = 8;
  PngChunk c;
  if (!next_chunk(data, size, pos, c) || c.type != chunk_type("IHDR") || c.length != 13) return false;
  const uint32_t width = load_be32(c.payload), height = load_be32(c.payload + 4);
  const uint8_t* h = c.payload + 8;  // bit depth, colour type, compression, filter, interlace
  if (width == 0 || height == 0 || width > PNG_USER_WIDTH_MAX || height > PNG_USER_HEIGHT_MAX ||
      h[0] != 8 || h[1] != 2 || h[2] != 0 || h[3] != 0 || h[4] != 0)
    return false;
  // Chunks up to the IDAT run, the run, chunks up to IEND.
  const uint8_t* idat = nullptr;
  size_t idat_size = 0, idat_chunks = 0;
  bool idat_done = false;
  for (;;) {
    if (!next_chunk(data, size, pos, c)) return false;
    if (c.type == chunk_type("IDAT")) {
      if (idat_done) return false;  // IDAT split by another chunk: libpng would stop early
      if (idat_chunks++ == 0) {
        idat = c.payload;
        idat_size = c.length;
      } else {
        if (idat_chunks == 2) idat_.assign(idat, idat + idat_size);
        idat_.insert(idat_.end(), c.payload, c.payload + c.length);
      }
      continue;
    }
    if (idat_chunks > 0) idat_done = true;
    if (c.type == chunk_type("IEND")) {
      if (c.length != 0 || idat_chunks == 0) return false;
      break;
    }
    if (is_critical(c.type)) return false;  // PLTE, a second IHDR, unknown critical chunks
  }
  if (idat_chunks > 1) {
    idat = idat_.data();
    idat_size = idat_.size();
  }
  const size_t row_bytes = size_t(width) * 3;
  const size_t filtered_size = (row_bytes + 1) * height;
  // zlib enforces the window the header declares; libdeflate assumes 32 KiB. A smaller window
  // only matters when there is more output than it spans.
  if (idat_size < 2 || (idat[0] & 0x0f) != 8) return false;
  if ((idat[0] >> 4) < 7 && filtered_size > (size_t(1) << ((idat[0] >> 4) + 8))) return false;
  if (!inflater_) inflater_ = std::make_unique<Inflater>();
  if (filtered_.size() < filtered_size + kPixelSlack)
    filtered_.resize(filtered_size + kPixelSlack);  // reused: only grows
  size_t consumed = 0, produced = 0;
  if (libdeflate_zlib_decompress_ex(inflater_->d, idat, idat_size, filtered_.data(), filtered_size,
                                    &consumed, &produced) != LIBDEFLATE_SUCCESS ||
      consumed != idat_size || produced != filtered_size)
    return false;
  if (zero_row_.size() < row_bytes + kPixelSlack) zero_row_.resize(row_bytes + kPixelSlack, 0);
  if (out.rgb.size() < row_bytes * height + kPixelSlack) out.rgb.resize(row_bytes * height + kPixelSlack);
  if (!unfilter_rgb8_rows(filtered_.data(), out.rgb.data(), width, height, zero_row_.data()))
    return false;
  out.width = width;
  out.height = height;
  return true;
}

std::string encode_rgb_png(const RgbImage& image) {
  SpngCtx c(SPNG_CTX_ENCODER);
  spng_set_option(c.ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = image.width;
  ihdr.height = image.height;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  spng_set_ihdr(c.ctx, &ihdr);
  int err = spng_encode_image(c.ctx, image.rgb.data(), image.pixels() * 3, SPNG_FMT_PNG,
                              SPNG_ENCODE_FINALIZE);
  if (err) throw std::runtime_error(std::string("PNG encode failed: ") + spng_strerror(err));
  size_t len = 0;
  void* buf = spng_get_png_buffer(c.ctx, &len, &err);
  if (!buf) throw std::runtime_error(std::string("PNG encode failed: ") + spng_strerror(err));
  std::string out(static_cast<const char*>(buf), len);
  std::free(buf);
  return out;
}

}  // namespace pgc
