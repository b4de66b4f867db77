#include "t2i/image_io.hpp"

#include <spng.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <jerror.h>
#include <jpeglib.h>

#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

namespace fs = std::filesystem;

void check_pixel_limit(uint64_t width, uint64_t height, const std::string& origin) {
  if (width == 0 || height == 0)
    throw InputError(origin, "", "image has zero width or height");
  if (width * height > kPilMaxImagePixels)
    throw InputError(origin, "", "image size (" + std::to_string(width * height) +
                                     " pixels) exceeds PIL's decompression-bomb limit of " +
                                     std::to_string(kPilMaxImagePixels) + " pixels (the reference refuses it too)");
}

// ---------------------------------------------------------------- PNG (libspng)

// Sample x of a row packed at `depth` bits (1, 2, 4, 8: MSB first; 16: host-endian words, as
// spng's SPNG_FMT_PNG delivers them).
inline unsigned png_sample(const uint8_t* row, size_t x, int depth) {
  switch (depth) {
    case 8: return row[x];
    case 16: {
      uint16_t v;
      std::memcpy(&v, row + 2 * x, 2);
      return v;
    }
    default: {
      const size_t bit = x * static_cast<size_t>(depth);
      const unsigned shift = 8u - static_cast<unsigned>(depth) - static_cast<unsigned>(bit % 8);
      return (row[bit / 8] >> shift) & ((1u << depth) - 1u);
    }
  }
}

struct SpngContext {
  spng_ctx* ctx = spng_ctx_new(0);
  ~SpngContext() { spng_ctx_free(ctx); }
};

std::string spng_message(int rc) { return std::string("PNG decode failed: ") + spng_strerror(rc); }

DecodedImage decode_png(const std::string& bytes, const std::string& origin) {
  SpngContext c;
  if (!c.ctx) throw std::bad_alloc();
  // PIL checks the CRC of every chunk before the image data (ancillary ones too) and fails.
  int rc = spng_set_crc_action(c.ctx, SPNG_CRC_ERROR, SPNG_CRC_ERROR);
  if (rc == 0) rc = spng_set_png_buffer(c.ctx, bytes.data(), bytes.size());
  spng_ihdr ihdr{};
  if (rc == 0) rc = spng_get_ihdr(c.ctx, &ihdr);
  if (rc) throw InputError(origin, "", spng_message(rc));
  check_pixel_limit(ihdr.width, ihdr.height, origin);
  size_t size = 0;
  rc = spng_decoded_image_size(c.ctx, SPNG_FMT_PNG, &size);
  if (rc) throw InputError(origin, "", spng_message(rc));
  std::vector<uint8_t> raw(size);
  // No flags: no gamma, no tRNS; the samples as stored (PIL ignores both for convert("RGB")).
  rc = spng_decode_image(c.ctx, raw.data(), raw.size(), SPNG_FMT_PNG, 0);
  if (rc) throw InputError(origin, "", spng_message(rc));

  const size_t w = ihdr.width, h = ihdr.height, stride = size / h;
  const int depth = ihdr.bit_depth;
  DecodedImage out;
  out.format = "PNG";
  out.image.width = static_cast<int>(w);
  out.image.height = static_cast<int>(h);
  out.image.rgb.resize(w * h * 3);
  uint8_t* dst = out.image.rgb.data();
  auto put = [&dst](unsigned r, unsigned g, unsigned b) {
    dst[0] = static_cast<uint8_t>(r);
    dst[1] = static_cast<uint8_t>(g);
    dst[2] = static_cast<uint8_t>(b);
    dst += 3;
  };
  // PIL's palette starts as a gray ramp and PLTE overwrites its first entries (_putpalette).
  uint8_t palette[256][3];
  for (int i = 0; i < 256; ++i) palette[i][0] = palette[i][1] = palette[i][2] = static_cast<uint8_t>(i);
  if (ihdr.color_type == SPNG_COLOR_TYPE_INDEXED) {
    spng_plte plte{};
    rc = spng_get_plte(c.ctx, &plte);
    if (rc) throw InputError(origin, "", spng_message(rc));
    for (uint32_t i = 0; i < plte.n_entries && i < 256; ++i) {
      palette[i][0] = plte.entries[i].red;
      palette[i][1] = plte.entries[i].green;
      palette[i][2] = plte.entries[i].blue;
    }
  }
  for (size_t y = 0; y < h; ++y) {
    const uint8_t* row = raw.data() + y * stride;
    switch (ihdr.color_type) {
      case SPNG_COLOR_TYPE_GRAYSCALE:
        out.pil_mode = depth == 1 ? "1" : depth == 16 ? "I" : "L";
        for (size_t x = 0; x < w; ++x) {
          unsigned v = png_sample(row, x, depth);
          if (depth == 16) v = std::min(v, 255u);  // PIL "I" -> "RGB" clips (i2rgb)
          else if (depth < 8) v = v * 255u / ((1u << depth) - 1u);  // "1": 0/255, "L;2": *0x55, "L;4": *0x11
          put(v, v, v);
        }
        break;
      case SPNG_COLOR_TYPE_TRUECOLOR:
        out.pil_mode = "RGB";
        for (size_t x = 0; x < w; ++x) {
          const unsigned shift = depth == 16 ? 8 : 0;  // "RGB;16B" keeps the high byte
          put(png_sample(row, 3 * x, depth) >> shift, png_sample(row, 3 * x + 1, depth) >> shift,
              png_sample(row, 3 * x + 2, depth) >> shift);
        }
        break;
      case SPNG_COLOR_TYPE_INDEXED:
        out.pil_mode = "P";
        for (size_t x = 0; x < w; ++x) {
          const uint8_t* p = palette[png_sample(row, x, depth)];
          put(p[0], p[1], p[2]);
        }
        break;
      case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
        out.pil_mode = depth == 16 ? "RGBA" : "LA";  // PIL opens 16-bit LA as RGBA ("LA;16B")
        for (size_t x = 0; x < w; ++x) {
          const unsigned v = png_sample(row, 2 * x, depth) >> (depth == 16 ? 8 : 0);
          put(v, v, v);
        }
        break;
      case SPNG_COLOR_TYPE_TRUECOLOR_ALPHA:
        out.pil_mode = "RGBA";
        for (size_t x = 0; x < w; ++x) {
          const unsigned shift = depth == 16 ? 8 : 0;
          put(png_sample(row, 4 * x, depth) >> shift, png_sample(row, 4 * x + 1, depth) >> shift,
              png_sample(row, 4 * x + 2, depth) >> shift);
        }
        break;
      default:
        throw InputError(origin, "", "PNG color type " + std::to_string(ihdr.color_type) + " is not valid");
    }
  }
  return out;
}

// ---------------------------------------------------------------- JPEG (libjpeg-turbo)

struct JpegErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool data_ended = false;  // libjpeg ran out of data and inserted a fake EOI
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// PIL's error manager ignores libjpeg's warnings (corrupt-data notes); only running out of
// data matters: PIL then stops with "image file is truncated".
void jpeg_emit_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->data_ended = true;
}

struct JpegRaw {
  int width = 0, height = 0, components = 0;
  std::vector<uint8_t> pixels;
  bool truncated = false;
  bool too_large = false;
};

// The libjpeg calls, kept free of C++ objects created after setjmp (longjmp skips no
// destructors here). Returns false with `err.message` set on a libjpeg error.
bool run_libjpeg(const std::string& bytes, JpegRaw& raw, JpegErrorManager& err) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_error_exit;
  err.pub.emit_message = jpeg_emit_message;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  raw.components = cinfo.num_components;
  // PIL's rawmode per layer count: "L" -> JCS_GRAYSCALE, "RGB" -> JCS_RGB, "CMYK;I" -> JCS_CMYK;
  // the input color space is libjpeg's own guess (PIL leaves jpegmode empty).
  if (raw.components == 1) cinfo.out_color_space = JCS_GRAYSCALE;
  else if (raw.components == 3) cinfo.out_color_space = JCS_RGB;
  else if (raw.components == 4) cinfo.out_color_space = JCS_CMYK;
  else {
    jpeg_destroy_decompress(&cinfo);
    return true;  // the caller reports the layer count
  }
  raw.width = static_cast<int>(cinfo.image_width);
  raw.height = static_cast<int>(cinfo.image_height);
  if (static_cast<uint64_t>(cinfo.image_width) * cinfo.image_height > kPilMaxImagePixels ||
      cinfo.image_width == 0 || cinfo.image_height == 0) {
    raw.too_large = true;
    jpeg_destroy_decompress(&cinfo);
    return true;
  }
  jpeg_start_decompress(&cinfo);
  const size_t row_bytes = static_cast<size_t>(cinfo.output_width) * cinfo.output_components;
  raw.pixels.resize(row_bytes * cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = raw.pixels.data() + row_bytes * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  // Data that ends after the last scanline (only the EOI missing) is fine for PIL too.
  raw.truncated = err.data_ended;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

DecodedImage decode_jpeg(const std::string& bytes, const std::string& origin) {
  JpegRaw raw;
  JpegErrorManager err{};
  if (!run_libjpeg(bytes, raw, err))
    throw InputError(origin, "", std::string("JPEG decode failed: ") + err.message);
  if (raw.components != 1 && raw.components != 3 && raw.components != 4)
    throw InputError(origin, "", "cannot handle " + std::to_string(raw.components) +
                                     "-layer JPEG images (PIL refuses them too)");
  if (raw.too_large) check_pixel_limit(static_cast<uint64_t>(raw.width), static_cast<uint64_t>(raw.height), origin);
  if (raw.truncated) throw InputError(origin, "", "JPEG data is truncated (image file is truncated)");
  DecodedImage out;
  out.format = "JPEG";
  out.image.width = raw.width;
  out.image.height = raw.height;
  const size_t n = static_cast<size_t>(raw.width) * static_cast<size_t>(raw.height);
  if (raw.components == 3) {
    out.pil_mode = "RGB";
    out.image.rgb = std::move(raw.pixels);
    return out;
  }
  out.image.rgb.resize(n * 3);
  uint8_t* dst = out.image.rgb.data();
  const uint8_t* src = raw.pixels.data();
  if (raw.components == 1) {
    out.pil_mode = "L";
    for (size_t i = 0; i < n; ++i, dst += 3) dst[0] = dst[1] = dst[2] = src[i];
    return out;
  }
  // PIL reads CMYK JPEGs with rawmode "CMYK;I" (inverted, "assume adobe conventions"), then
  // cmyk2rgb: out = CLIP8(nk - MULDIV255(c, nk)), nk = 255 - k.
  out.pil_mode = "CMYK";
  for (size_t i = 0; i < n; ++i, src += 4, dst += 3) {
    const int nk = 255 - (255 - src[3]);
    for (int ch = 0; ch < 3; ++ch) {
      const int c = 255 - src[ch];
      const int tmp = c * nk + 128;
      const int v = nk - (((tmp >> 8) + tmp) >> 8);
      dst[ch] = static_cast<uint8_t>(std::clamp(v, 0, 255));
    }
  }
  return out;
}

// What PIL would have opened instead, for the error message.
std::string sniff_other_format(const std::string& b) {
  auto starts = [&b](const char* magic, size_t n) { return b.size() >= n && std::memcmp(b.data(), magic, n) == 0; };
  if (starts("BM", 2)) return "BMP";
  if (starts("GIF8", 4)) return "GIF";
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return "TIFF";
  if (b.size() >= 12 && starts("RIFF", 4) && b.compare(8, 4, "WEBP") == 0) return "WebP";
  if (b.size() >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return "PPM/PGM";
  return "";
}

bool has_image_extension(const std::string& name, ImageListRule rule) {
  static const char* const kExtensions[] = {"bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"};
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return false;  // pathlib's glob also matches ".png" itself
  const std::string ext = name.substr(dot + 1);
  for (const char* e : kExtensions) {
    if (ext == e) return true;
    if (rule == ImageListRule::kDgmEval) {
      std::string upper = e;
      for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
      if (ext == upper) return true;
    }
  }
  return false;
}

}  // namespace

DecodedImage decode_image(const std::string& bytes, const std::string& origin) {
  static const char kPng[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPng, 8) == 0) return decode_png(bytes, origin);
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF)
    return decode_jpeg(bytes, origin);
  const std::string other = sniff_other_format(bytes);
  if (!other.empty())
    throw InputError(origin, "", other + " image: pgc decodes PNG and JPEG only (convert it to PNG)");
  throw InputError(origin, "", bytes.empty() ? "empty file" : "not a PNG or JPEG image");
}

DecodedImage read_image_file(const std::string& path) { return decode_image(read_file(path), path); }

std::vector<std::string> list_image_files(const std::string& dir, ImageListRule rule) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(dir, "", "not a folder (expected a folder of images)");
  std::vector<std::string> files;
  fs::directory_iterator it(dir, ec);
  if (ec) throw InputError(dir, "", "cannot list folder: " + ec.message());
  for (const auto& entry : it)
    if (has_image_extension(entry.path().filename().string(), rule)) files.push_back(entry.path().string());
  // Same folder, so comparing full paths compares names: byte order = code-point order (UTF-8).
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw InputError(dir, "", "no image files (*.png, *.jpg, *.jpeg, *.bmp, *.pgm, *.ppm, *.tif, *.tiff, *.webp)");
  return files;
}

}  // namespace pgc
