// Image decoding (PIL's convert("RGB") rules) and Pillow's bicubic resizes against the t2i
// fixtures: every fixture image decodes to its manifest's mode and size, the JPEGs to PIL's
// pixels exactly, and Pillow's 8-bit bicubic to the reference's 224x224 arrays exactly.
// Hand-made PNG/JPEG files cover the modes the fixtures lack (bit depths, gray+alpha, tRNS,
// CMYK), with expectations from Pillow 9.4's unpackers and converters (docs/t2i.md).
#define BOOST_TEST_MODULE t2i_images
#include <boost/test/unit_test.hpp>

#include <spng.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <jpeglib.h>

#include "cli_util.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "t2i/image_io.hpp"
#include "t2i/npy.hpp"
#include "t2i/pillow_resize.hpp"

namespace fs = std::filesystem;
using namespace pgc;

namespace {

const fs::path kImages = fs::path(PGC_FIXTURES_DIR) / "t2i" / "images";
const fs::path kResized = fs::path(PGC_FIXTURES_DIR) / "t2i" / "dinov2" / "resized_224_u8";

struct ManifestEntry {
  std::string file, mode;
  int width = 0, height = 0;
};

std::vector<ManifestEntry> manifest() {
  JsonDoc doc = read_json_file((kImages.parent_path() / "dinov2" / "manifest.json").string());
  std::vector<ManifestEntry> out;
  for (const auto& e : doc["images"].GetArray())
    out.push_back({e["file"].GetString(), e["mode"].GetString(), e["width"].GetInt(), e["height"].GetInt()});
  BOOST_REQUIRE(!out.empty());
  return out;
}

// (H, W, 3) uint8 .npy as an image.
ImageU8 read_u8_image(const fs::path& p) {
  NpyArray a = read_npy(p.string());
  BOOST_REQUIRE(a.dtype == NpyDType::kUInt8);
  BOOST_REQUIRE_EQUAL(a.shape.size(), 3u);
  BOOST_REQUIRE_EQUAL(a.shape[2], 3u);
  ImageU8 im;
  im.height = static_cast<int>(a.shape[0]);
  im.width = static_cast<int>(a.shape[1]);
  im.rgb.assign(a.data.begin(), a.data.end());
  return im;
}

size_t count_differences(const ImageU8& a, const ImageU8& b) {
  BOOST_REQUIRE_EQUAL(a.width, b.width);
  BOOST_REQUIRE_EQUAL(a.height, b.height);
  size_t n = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) n += a.rgb[i] != b.rgb[i];
  return n;
}

// 16-bit samples in host order: spng's SPNG_FMT_PNG takes (and gives) host-endian words.
void append_u16(std::vector<uint8_t>& raw, uint16_t v) {
  uint8_t b[2];
  std::memcpy(b, &v, 2);
  raw.insert(raw.end(), b, b + 2);
}
std::vector<uint8_t> words(std::initializer_list<uint16_t> values) {
  std::vector<uint8_t> raw;
  for (uint16_t v : values) append_u16(raw, v);
  return raw;
}

// A PNG of raw samples (host-endian 16-bit words, packed rows below 8 bits), via libspng.
std::string encode_png(uint32_t w, uint32_t h, uint8_t color_type, uint8_t depth, const std::vector<uint8_t>& raw,
                       const std::vector<std::array<uint8_t, 3>>& palette = {},
                       const std::vector<uint8_t>& trns_alpha = {}) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = w;
  ihdr.height = h;
  ihdr.color_type = color_type;
  ihdr.bit_depth = depth;
  BOOST_REQUIRE_EQUAL(spng_set_ihdr(ctx, &ihdr), 0);
  if (!palette.empty()) {
    spng_plte plte{};
    plte.n_entries = static_cast<uint32_t>(palette.size());
    for (size_t i = 0; i < palette.size(); ++i) {
      plte.entries[i].red = palette[i][0];
      plte.entries[i].green = palette[i][1];
      plte.entries[i].blue = palette[i][2];
    }
    BOOST_REQUIRE_EQUAL(spng_set_plte(ctx, &plte), 0);
  }
  if (!trns_alpha.empty()) {
    spng_trns trns{};
    trns.n_type3_entries = static_cast<uint32_t>(trns_alpha.size());
    for (size_t i = 0; i < trns_alpha.size(); ++i) trns.type3_alpha[i] = trns_alpha[i];
    BOOST_REQUIRE_EQUAL(spng_set_trns(ctx, &trns), 0);
  }
  int rc = spng_encode_image(ctx, raw.data(), raw.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  BOOST_REQUIRE_MESSAGE(rc == 0, spng_strerror(rc));
  size_t len = 0;
  int err = 0;
  void* buf = spng_get_png_buffer(ctx, &len, &err);
  BOOST_REQUIRE(buf);
  std::string out(static_cast<const char*>(buf), len);
  std::free(buf);
  spng_ctx_free(ctx);
  return out;
}

// A JPEG written with libjpeg: `components` 1 (gray), 3 (RGB -> YCbCr) or 4 (CMYK, Adobe).
std::string encode_jpeg(int w, int h, int components, const std::vector<uint8_t>& pixels, bool progressive = false) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* mem = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &mem, &size);
  c.image_width = static_cast<JDIMENSION>(w);
  c.image_height = static_cast<JDIMENSION>(h);
  c.input_components = components;
  c.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 90, TRUE);
  if (progressive) jpeg_simple_progression(&c);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels.data()) + static_cast<size_t>(c.next_scanline) * w * components;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::string out(reinterpret_cast<char*>(mem), size);
  std::free(mem);
  return out;
}

// Decodes raw JPEG bytes with libjpeg into `components` channels (the samples our decoder
// starts from), for the expectations of the gray and CMYK cases.
std::vector<uint8_t> libjpeg_samples(const std::string& bytes, J_COLOR_SPACE out_space) {
  jpeg_decompress_struct d;
  jpeg_error_mgr err;
  d.err = jpeg_std_error(&err);
  jpeg_create_decompress(&d);
  jpeg_mem_src(&d, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  jpeg_read_header(&d, TRUE);
  d.out_color_space = out_space;
  jpeg_start_decompress(&d);
  std::vector<uint8_t> px(static_cast<size_t>(d.output_width) * d.output_height * d.output_components);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = px.data() + static_cast<size_t>(d.output_scanline) * d.output_width * d.output_components;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  jpeg_destroy_decompress(&d);
  return px;
}

std::vector<uint8_t> pattern(size_t n, unsigned seed) {
  std::vector<uint8_t> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& b : v) {
    s = s * 1103515245u + 12345u;
    b = static_cast<uint8_t>(s >> 16);
  }
  return v;
}

// A PNG assembled by hand (big-endian samples as the specification stores them, filter 0,
// zlib from zlib itself), independent of the decoder's library.
std::string handmade_png(uint32_t w, uint32_t h, uint8_t color_type, uint8_t depth, const std::vector<uint8_t>& rows) {
  auto be32 = [](uint32_t v) {
    return std::string{char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)};
  };
  auto chunk = [&be32](const std::string& type, const std::string& data) {
    std::string body = type + data;
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    return be32(static_cast<uint32_t>(data.size())) + body + be32(static_cast<uint32_t>(crc));
  };
  std::string ihdr = be32(w) + be32(h) + std::string{char(depth), char(color_type), 0, 0, 0};
  uLongf zlen = compressBound(rows.size());
  std::string z(zlen, '\0');
  BOOST_REQUIRE_EQUAL(compress(reinterpret_cast<Bytef*>(&z[0]), &zlen, rows.data(), rows.size()), Z_OK);
  z.resize(zlen);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", z) + chunk("IEND", "");
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_fixture_image_decodes_to_its_manifest_mode_and_size) {
  for (const auto& e : manifest()) {
    DecodedImage d = read_image_file((kImages / e.file).string());
    BOOST_TEST_CONTEXT(e.file) {
      BOOST_TEST(d.pil_mode == e.mode);
      BOOST_TEST(d.image.width == e.width);
      BOOST_TEST(d.image.height == e.height);
      BOOST_TEST(d.image.rgb.size() == static_cast<size_t>(e.width) * e.height * 3);
    }
  }
}

BOOST_AUTO_TEST_CASE(jpegs_decode_exactly_as_pil) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kImages)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".jpg") continue;
    ImageU8 expected = read_u8_image(kImages / (name + ".decoded_rgb_u8.npy"));
    DecodedImage d = read_image_file(entry.path().string());
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(d.format == "JPEG");
      BOOST_TEST(count_differences(d.image, expected) == 0u);
    }
    ++checked;
  }
  BOOST_TEST(checked == 2);
}

BOOST_AUTO_TEST_CASE(bicubic_224_matches_pillow_on_every_fixture_image) {
  int checked = 0;
  for (const auto& e : manifest()) {
    fs::path expected_path = kResized / (fs::path(e.file).stem().string() + ".npy");
    BOOST_REQUIRE(fs::exists(expected_path));
    ImageU8 expected = read_u8_image(expected_path);
    ImageU8 resized = pillow_resize_bicubic(read_image_file((kImages / e.file).string()).image, 224, 224);
    BOOST_TEST_CONTEXT(e.file) { BOOST_TEST(count_differences(resized, expected) == 0u); }
    ++checked;
  }
  BOOST_TEST(checked == 11);
}

BOOST_AUTO_TEST_CASE(resize_skips_an_unchanged_axis_and_copies_an_unchanged_size) {
  ImageU8 im;
  im.width = 37;
  im.height = 23;
  im.rgb = pattern(37 * 23 * 3, 1);
  ImageU8 same = pillow_resize_bicubic(im, 37, 23);
  BOOST_TEST(same.rgb == im.rgb);
  // Only the vertical pass: each column resized alone must equal the column of the result
  // (a horizontal pass with identity weights would also be exact, so check the structure
  // through the float path instead, where an extra pass would round).
  ImageU8 tall = pillow_resize_bicubic(im, 37, 50);
  BOOST_TEST(tall.width == 37);
  BOOST_TEST(tall.height == 50);
  std::vector<float> plane(37 * 23);
  for (size_t i = 0; i < plane.size(); ++i) plane[i] = static_cast<float>(im.rgb[i * 3]) * 1.37f;
  std::vector<float> only_h = pillow_resize_bicubic_float(plane, 37, 23, 20, 23);
  std::vector<float> both = pillow_resize_bicubic_float(plane, 37, 23, 20, 11);
  BOOST_TEST(only_h.size() == 20u * 23u);
  BOOST_TEST(both.size() == 20u * 11u);
  // A row of `only_h` is the row's own 1-D resize: compare with a 1-row image.
  std::vector<float> row0(plane.begin(), plane.begin() + 37);
  std::vector<float> row0_resized = pillow_resize_bicubic_float(row0, 37, 1, 20, 1);
  for (int x = 0; x < 20; ++x) BOOST_TEST(only_h[x] == row0_resized[x]);
}

BOOST_AUTO_TEST_CASE(bicubic_coefficients_follow_pillows_support_and_normalization) {
  // Downscale by 4: support 2 * 4 = 8 input pixels each side, ksize = 2 * 8 + 1.
  ResampleCoefficients c = pillow_bicubic_coefficients(896, 224);
  BOOST_TEST(c.ksize == 17);
  for (int xx = 0; xx < 224; ++xx) {
    double sum = 0;
    for (int t = 0; t < c.count[xx]; ++t) sum += c.weights[static_cast<size_t>(xx) * c.ksize + t];
    BOOST_TEST(std::abs(sum - 1.0) < 1e-12);
    BOOST_TEST(c.first[xx] >= 0);
    BOOST_TEST(c.first[xx] + c.count[xx] <= 896);
  }
  // Upscale: support stays 2, ksize 5.
  BOOST_TEST(pillow_bicubic_coefficients(64, 224).ksize == 5);
}

BOOST_AUTO_TEST_CASE(clean_resize_is_the_float_resize_clipped_and_scaled) {
  ImageU8 im = read_image_file((kImages / "img08_rgb_97x211.png").string()).image;
  ImageF32 clean = clean_resize_bicubic(im, 224, 224);
  BOOST_REQUIRE_EQUAL(clean.rgb.size(), 224u * 224u * 3u);
  ImageU8 eight_bit = pillow_resize_bicubic(im, 224, 224);
  std::vector<float> plane(static_cast<size_t>(97) * 211);
  for (size_t i = 0; i < plane.size(); ++i) plane[i] = im.rgb[i * 3 + 1];
  std::vector<float> g = pillow_resize_bicubic_float(plane, 97, 211, 224, 224);
  double max_diff_vs_u8 = 0, sum_diff_vs_u8 = 0;
  bool any_fraction = false;
  for (size_t i = 0; i < g.size(); ++i) {
    const float expected = std::min(std::max(g[i], 0.0f), 255.0f) / 255.0f;
    BOOST_REQUIRE_EQUAL(clean.rgb[i * 3 + 1], expected);
    BOOST_REQUIRE(clean.rgb[i * 3 + 1] >= 0.0f && clean.rgb[i * 3 + 1] <= 1.0f);
    any_fraction |= g[i] != std::round(g[i]);
    const double diff = std::abs(expected * 255.0 - eight_bit.rgb[i * 3 + 1]);
    max_diff_vs_u8 = std::max(max_diff_vs_u8, diff);
    sum_diff_vs_u8 += diff;
  }
  // The float path is neither quantized nor clipped between its passes: close to the 8-bit
  // path on average, apart where the horizontal pass overshoots 0..255 at sharp edges.
  BOOST_TEST(any_fraction);
  BOOST_TEST_MESSAGE("clean vs 8-bit: mean |diff| " << sum_diff_vs_u8 / g.size() << ", max " << max_diff_vs_u8);
  BOOST_TEST(sum_diff_vs_u8 / g.size() < 0.5);
  BOOST_TEST(max_diff_vs_u8 < 32);
}

BOOST_AUTO_TEST_CASE(to_float_is_torchvision_to_tensor) {
  ImageU8 im;
  im.width = 256;
  im.height = 1;
  for (int i = 0; i < 256; ++i) im.rgb.insert(im.rgb.end(), {uint8_t(i), uint8_t(255 - i), uint8_t(i / 2)});
  ImageF32 f = to_image_f32(im);
  for (int i = 0; i < 256; ++i) {
    BOOST_TEST(f.rgb[i * 3] == static_cast<float>(i) / 255.0f);
    BOOST_TEST(f.rgb[i * 3 + 1] == static_cast<float>(255 - i) / 255.0f);
  }
  BOOST_TEST(f.rgb[255 * 3] == 1.0f);
}

BOOST_AUTO_TEST_CASE(png_gray_depths_are_scaled_and_16_bit_gray_is_clipped) {
  const uint32_t w = 8, h = 2;
  // 1-bit: one byte per row, MSB first.
  {
    DecodedImage d = decode_image(encode_png(w, h, 0, 1, {0b10110000, 0b00000001}), "g1.png");
    BOOST_TEST(d.pil_mode == "1");
    const uint8_t expect_row0[8] = {255, 0, 255, 255, 0, 0, 0, 0};
    for (int x = 0; x < 8; ++x) BOOST_TEST(d.image.rgb[x * 3 + 1] == expect_row0[x]);
    BOOST_TEST(d.image.rgb[(8 + 7) * 3] == 255);
  }
  // 2-bit: values * 0x55.
  {
    DecodedImage d = decode_image(encode_png(w, h, 0, 2, {0b00011011, 0b11100100, 0, 0}), "g2.png");
    BOOST_TEST(d.pil_mode == "L");
    const uint8_t expect[8] = {0, 85, 170, 255, 255, 170, 85, 0};
    for (int x = 0; x < 8; ++x) BOOST_TEST(d.image.rgb[x * 3 + 2] == expect[x]);
  }
  // 4-bit: values * 0x11.
  {
    DecodedImage d = decode_image(encode_png(w, h, 0, 4, {0x0F, 0x7A, 0x12, 0x34, 0, 0, 0, 0}), "g4.png");
    const uint8_t expect[8] = {0x00, 0xFF, 0x77, 0xAA, 0x11, 0x22, 0x33, 0x44};
    for (int x = 0; x < 8; ++x) BOOST_TEST(d.image.rgb[x * 3] == expect[x]);
  }
  // 16-bit gray: PIL mode "I", convert("RGB") clips the value to 0..255 (not >> 8).
  {
    std::vector<uint8_t> raw;
    const uint16_t v[8] = {0, 1, 200, 255, 256, 1000, 40000, 65535};
    for (int r = 0; r < 2; ++r)
      for (uint16_t s : v) append_u16(raw, s);
    DecodedImage d = decode_image(encode_png(w, h, 0, 16, raw), "g16.png");
    BOOST_TEST(d.pil_mode == "I");
    const uint8_t expect[8] = {0, 1, 200, 255, 255, 255, 255, 255};
    for (int x = 0; x < 8; ++x) BOOST_TEST(d.image.rgb[x * 3] == expect[x]);
  }
}

BOOST_AUTO_TEST_CASE(png_16_bit_color_keeps_the_high_byte_and_alpha_is_dropped) {
  // RGB 16: 2 pixels.
  {
    std::vector<uint8_t> raw = words({0x12FF, 0x3400, 0xAB80, 0x0001, 0xFFFF, 0x807F});
    DecodedImage d = decode_image(encode_png(2, 1, 2, 16, raw), "rgb16.png");
    BOOST_TEST(d.pil_mode == "RGB");
    const std::vector<uint8_t> expect = {0x12, 0x34, 0xAB, 0x00, 0xFF, 0x80};
    BOOST_TEST(d.image.rgb == expect, boost::test_tools::per_element());
  }
  // RGBA 8 with transparent pixels: colour kept as stored, no compositing.
  {
    std::vector<uint8_t> raw = {10, 20, 30, 0, 40, 50, 60, 128};
    DecodedImage d = decode_image(encode_png(2, 1, 6, 8, raw), "rgba8.png");
    BOOST_TEST(d.pil_mode == "RGBA");
    const std::vector<uint8_t> expect = {10, 20, 30, 40, 50, 60};
    BOOST_TEST(d.image.rgb == expect, boost::test_tools::per_element());
  }
  // RGBA 16.
  {
    std::vector<uint8_t> raw = words({0x0102, 0x0304, 0x0506, 0x0000});
    DecodedImage d = decode_image(encode_png(1, 1, 6, 16, raw), "rgba16.png");
    const std::vector<uint8_t> expect = {0x01, 0x03, 0x05};
    BOOST_TEST(d.image.rgb == expect, boost::test_tools::per_element());
  }
  // Gray+alpha 8 ("LA") and 16 (PIL opens it as "RGBA" through "LA;16B").
  {
    DecodedImage d8 = decode_image(encode_png(2, 1, 4, 8, {77, 0, 200, 255}), "la8.png");
    BOOST_TEST(d8.pil_mode == "LA");
    const std::vector<uint8_t> e8 = {77, 77, 77, 200, 200, 200};
    BOOST_TEST(d8.image.rgb == e8, boost::test_tools::per_element());
    DecodedImage d16 = decode_image(encode_png(1, 1, 4, 16, words({0x9ABC, 0x0000})), "la16.png");
    BOOST_TEST(d16.pil_mode == "RGBA");
    const std::vector<uint8_t> e16 = {0x9A, 0x9A, 0x9A};
    BOOST_TEST(d16.image.rgb == e16, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(png_palette_expands_ignores_trns_and_reads_the_ramp_past_plte) {
  std::vector<std::array<uint8_t, 3>> palette = {{{255, 0, 0}}, {{0, 255, 0}}, {{0, 0, 255}}, {{9, 8, 7}}};
  // 8-bit indices with a tRNS that makes entry 0 transparent.
  {
    DecodedImage d = decode_image(encode_png(4, 1, 3, 8, {3, 2, 1, 0}, palette, {0, 255}), "p8.png");
    BOOST_TEST(d.pil_mode == "P");
    const std::vector<uint8_t> expect = {9, 8, 7, 0, 0, 255, 0, 255, 0, 255, 0, 0};
    BOOST_TEST(d.image.rgb == expect, boost::test_tools::per_element());
  }
  // 2-bit indices.
  {
    DecodedImage d = decode_image(encode_png(4, 1, 3, 2, {0b11100100}, palette), "p2.png");
    const std::vector<uint8_t> expect = {9, 8, 7, 0, 0, 255, 0, 255, 0, 255, 0, 0};
    BOOST_TEST(d.image.rgb == expect, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(jpeg_gray_is_replicated_and_cmyk_uses_pils_formula) {
  const int w = 24, h = 16;
  {
    std::string bytes = encode_jpeg(w, h, 1, pattern(w * h, 3));
    DecodedImage d = decode_image(bytes, "gray.jpg");
    BOOST_TEST(d.pil_mode == "L");
    std::vector<uint8_t> gray = libjpeg_samples(bytes, JCS_GRAYSCALE);
    for (size_t i = 0; i < gray.size(); ++i) {
      BOOST_REQUIRE_EQUAL(d.image.rgb[i * 3], gray[i]);
      BOOST_REQUIRE_EQUAL(d.image.rgb[i * 3 + 2], gray[i]);
    }
  }
  {
    std::string bytes = encode_jpeg(w, h, 4, pattern(w * h * 4, 4));
    DecodedImage d = decode_image(bytes, "cmyk.jpg");
    BOOST_TEST(d.pil_mode == "CMYK");
    std::vector<uint8_t> cmyk = libjpeg_samples(bytes, JCS_CMYK);
    for (size_t i = 0; i < cmyk.size() / 4; ++i) {
      // PIL: invert ("CMYK;I"), then cmyk2rgb: CLIP8(nk - MULDIV255(c, nk)), nk = 255 - k.
      const int nk = 255 - (255 - cmyk[i * 4 + 3]);
      for (int ch = 0; ch < 3; ++ch) {
        const int c = 255 - cmyk[i * 4 + ch];
        const int tmp = c * nk + 128;
        const int v = nk - (((tmp >> 8) + tmp) >> 8);
        BOOST_REQUIRE_EQUAL(int(d.image.rgb[i * 3 + ch]), std::clamp(v, 0, 255));
      }
    }
  }
  {  // Progressive RGB: the same pixels as libjpeg's own RGB output.
    std::string bytes = encode_jpeg(w, h, 3, pattern(w * h * 3, 5), true);
    DecodedImage d = decode_image(bytes, "prog.jpg");
    BOOST_TEST(d.pil_mode == "RGB");
    BOOST_TEST(d.image.rgb == libjpeg_samples(bytes, JCS_RGB));
  }
}

BOOST_AUTO_TEST_CASE(bad_images_are_input_errors_naming_the_file) {
  const std::string jpg = read_file((kImages / "jpg_000000439180.jpg").string());
  const std::string png = read_file((kImages / "img00_rgb_64x64.png").string());
  auto expect_error = [](const std::string& bytes, const std::string& needle) {
    try {
      decode_image(bytes, "bad/file.x");
      BOOST_ERROR("no error for " + needle);
    } catch (const InputError& e) {
      BOOST_TEST(e.file() == "bad/file.x");
      BOOST_TEST_CONTEXT(e.what()) { BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos); }
    }
  };
  expect_error(jpg.substr(0, jpg.size() / 2), "truncated");
  expect_error(png.substr(0, png.size() / 2), "PNG");
  expect_error("", "empty file");
  expect_error("BM" + std::string(60, '\0'), "BMP");
  expect_error("hello world", "not a PNG or JPEG");
  // A flipped byte in the first chunk after IHDR (a CRC error, PIL's "broken PNG file") and
  // one inside the image data.
  std::string corrupt = png;
  corrupt[40] ^= 0x55;
  expect_error(corrupt, "PNG");
  corrupt = png;
  corrupt[png.find("IDAT") + 100] ^= 0x55;
  expect_error(corrupt, "PNG");
  // The EOI marker missing: libjpeg asks for bytes past the end to finish the last MCU row,
  // where PIL stops with "image file is truncated"; so do we.
  expect_error(jpg.substr(0, jpg.size() - 2), "truncated");
}

BOOST_AUTO_TEST_CASE(folder_listing_follows_the_references) {
  pgc_test::TempDir dir("t2i_list");
  for (const char* name : {"b.png", "a.jpg", "C.PNG", "d.Jpeg", "e.txt", ".png", "f.webp", "a10.png", "a2.png"})
    dir.write(name, "x");
  auto names = [](const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) out.push_back(fs::path(p).filename().string());
    return out;
  };
  const std::vector<std::string> fid = {".png", "a.jpg", "a10.png", "a2.png", "b.png", "f.webp"};
  const std::vector<std::string> dgm = {".png", "C.PNG", "a.jpg", "a10.png", "a2.png", "b.png", "f.webp"};
  BOOST_TEST(names(list_image_files(dir.path.string(), ImageListRule::kPytorchFid)) == fid,
             boost::test_tools::per_element());
  BOOST_TEST(names(list_image_files(dir.path.string(), ImageListRule::kDgmEval)) == dgm,
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(list_image_files((dir.path / "missing").string(), ImageListRule::kPytorchFid), InputError);
  pgc_test::TempDir empty("t2i_list_empty");
  empty.write("notes.txt", "x");
  BOOST_CHECK_THROW(list_image_files(empty.path.string(), ImageListRule::kDgmEval), InputError);
}

BOOST_AUTO_TEST_CASE(handmade_big_endian_16_bit_pngs) {
  // One row, filter byte 0: gray 16 (values 0x0102, 0x00FF, 0x1234) and RGB 16 (one pixel).
  DecodedImage g = decode_image(handmade_png(3, 1, 0, 16, {0, 0x01, 0x02, 0x00, 0xFF, 0x12, 0x34}), "g16.png");
  BOOST_TEST(g.pil_mode == "I");
  const std::vector<uint8_t> eg = {255, 255, 255, 255, 255, 255, 255, 255, 255};  // 258, 255, 4660 clip to 255
  BOOST_TEST(g.image.rgb == eg, boost::test_tools::per_element());
  DecodedImage g2 = decode_image(handmade_png(2, 1, 0, 16, {0, 0x00, 0x07, 0x00, 0xFE}), "g16b.png");
  const std::vector<uint8_t> eg2 = {7, 7, 7, 254, 254, 254};
  BOOST_TEST(g2.image.rgb == eg2, boost::test_tools::per_element());
  DecodedImage c = decode_image(handmade_png(1, 1, 2, 16, {0, 0xAB, 0x01, 0xCD, 0x02, 0xEF, 0x03}), "rgb16.png");
  const std::vector<uint8_t> ec = {0xAB, 0xCD, 0xEF};
  BOOST_TEST(c.image.rgb == ec, boost::test_tools::per_element());
}
