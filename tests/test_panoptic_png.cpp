// PngDecoder's two paths (the libdeflate fast path and libpng) must give the same pixels on
// every fixture PNG and on PNGs using every row filter, and the same error on damaged files
// (the fast path hands anything irregular to libpng).
#define BOOST_TEST_MODULE panoptic_png
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "panoptic/panoptic_io.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kPanoptic = fs::path(PGC_FIXTURES_DIR) / "panoptic";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const uint8_t* bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// The pixels a path decodes, or its error message.
struct Decoded {
  bool ok = false;
  std::string error;
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

Decoded decode_with(pgc::PngDecoder& d, const std::string& png, bool libpng_only) {
  Decoded r;
  pgc::RgbImage img;
  try {
    if (libpng_only) d.decode_bytes_libpng(bytes(png), png.size(), "x.png", "image 1", img);
    else d.decode_bytes(bytes(png), png.size(), "x.png", "image 1", img);
    r.ok = true;
    r.width = img.width;
    r.height = img.height;
    r.rgb.assign(img.rgb.begin(), img.rgb.begin() + img.pixels() * 3);
  } catch (const pgc::InputError& e) {
    r.error = e.what();
  }
  return r;
}

void check_same(const Decoded& a, const Decoded& b, const std::string& what) {
  BOOST_TEST(a.ok == b.ok, what);
  BOOST_TEST(a.error == b.error, what);
  BOOST_TEST(a.width == b.width, what);
  BOOST_TEST(a.height == b.height, what);
  BOOST_TEST((a.rgb == b.rgb), what);
}

std::vector<fs::path> fixture_pngs() {
  std::vector<fs::path> out;
  for (const auto& c : fs::directory_iterator(kPanoptic / "cases"))
    for (const char* side : {"gt", "pred"}) {
      if (!fs::is_directory(c.path() / side)) continue;
      for (const auto& f : fs::directory_iterator(c.path() / side))
        if (f.path().extension() == ".png") out.push_back(f.path());
    }
  return out;
}

// ---- hand-made PNGs (every filter type, split IDAT, extra chunks)

void put_be32(std::string& s, uint32_t v) {
  for (int k = 3; k >= 0; --k) s += char((v >> (8 * k)) & 255);
}

void put_chunk(std::string& png, const char* type, const std::string& payload) {
  put_be32(png, static_cast<uint32_t>(payload.size()));
  std::string body = std::string(type, 4) + payload;
  png += body;
  put_be32(png, static_cast<uint32_t>(crc32(0, bytes(body), static_cast<uInt>(body.size()))));
}

int paeth(int a, int b, int c) {
  int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Row y is filtered with filter_of(y); the zlib stream is cut into IDAT chunks of `idat_chunk`
// bytes; `extra` (a full chunk) goes between IHDR and the first IDAT.
std::string make_png(const pgc::RgbImage& img, int (*filter_of)(uint32_t), size_t idat_chunk,
                     const std::string& extra = "") {
  const size_t n = size_t(img.width) * 3;
  std::string filtered;
  for (uint32_t y = 0; y < img.height; ++y) {
    const uint8_t* cur = &img.rgb[y * n];
    const uint8_t* up = y ? cur - n : nullptr;
    int f = filter_of(y);
    filtered += char(f);
    for (size_t i = 0; i < n; ++i) {
      int a = i >= 3 ? cur[i - 3] : 0, b = up ? up[i] : 0, c = (up && i >= 3) ? up[i - 3] : 0;
      int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
      filtered += char((cur[i] - pred) & 255);
    }
  }
  uLongf zsize = compressBound(static_cast<uLong>(filtered.size()));
  std::string z(zsize, '\0');
  BOOST_REQUIRE(compress2(reinterpret_cast<Bytef*>(&z[0]), &zsize, bytes(filtered),
                          static_cast<uLong>(filtered.size()), 9) == Z_OK);
  z.resize(zsize);
  std::string png("\x89PNG\r\n\x1a\n", 8), ihdr;
  put_be32(ihdr, img.width);
  put_be32(ihdr, img.height);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  put_chunk(png, "IHDR", ihdr);
  png += extra;
  for (size_t at = 0; at < z.size(); at += idat_chunk) put_chunk(png, "IDAT", z.substr(at, idat_chunk));
  put_chunk(png, "IEND", "");
  return png;
}

// Plateaus of ids (like a panoptic PNG) plus noise, so every predictor has work to do.
pgc::RgbImage test_image(uint32_t w, uint32_t h) {
  pgc::RgbImage img;
  img.width = w;
  img.height = h;
  img.rgb.resize(size_t(w) * h * 3);
  uint32_t state = 12345;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      state = state * 1103515245u + 12345u;
      uint32_t id = ((x / 7) * 2654435761u ^ (y / 5) * 40503u) & 0xffffff;
      if ((state >> 16) % 9 == 0) id = state >> 8;
      for (int k = 0; k < 3; ++k) img.rgb[3 * (size_t(y) * w + x) + k] = uint8_t(id >> (8 * k));
    }
  return img;
}

int rotating_filter(uint32_t y) { return static_cast<int>(y % 5); }

}  // namespace

BOOST_AUTO_TEST_CASE(fast_path_equals_libpng_on_every_fixture_png) {
  pgc::PngDecoder fast, reference;
  auto pngs = fixture_pngs();
  BOOST_REQUIRE(pngs.size() > 50);
  for (const auto& p : pngs) {
    std::string png = slurp(p);
    pgc::RgbImage img;
    // These are all plain 8-bit RGB: the fast path must take them (or the speed-up is gone).
    BOOST_TEST(fast.decode_bytes_fast(bytes(png), png.size(), img), p.string());
    check_same(decode_with(fast, png, false), decode_with(reference, png, true), p.string());
  }
}

BOOST_AUTO_TEST_CASE(fast_path_handles_every_filter_split_idat_and_ancillary_chunks) {
  pgc::PngDecoder fast, reference;
  std::string text;
  put_chunk(text, "tEXt", std::string("Comment\0made by a test", 22));
  for (auto [w, h] : {std::pair<uint32_t, uint32_t>{1, 1}, {1, 9}, {37, 23}, {200, 64}}) {
    pgc::RgbImage img = test_image(w, h);
    for (size_t chunk : {size_t(1) << 20, size_t(97)}) {
      for (const std::string& extra : {std::string(), text}) {
        std::string png = make_png(img, rotating_filter, chunk, extra);
        std::string what = std::to_string(w) + "x" + std::to_string(h) + " idat " + std::to_string(chunk);
        pgc::RgbImage out;
        BOOST_TEST(fast.decode_bytes_fast(bytes(png), png.size(), out), what);
        Decoded got = decode_with(fast, png, false);
        check_same(got, decode_with(reference, png, true), what);
        BOOST_TEST((got.rgb == std::vector<uint8_t>(img.rgb.begin(), img.rgb.end())), what);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(damaged_files_give_libpng_errors) {
  pgc::PngDecoder fast, reference;
  std::string good = make_png(test_image(64, 40), rotating_filter, 500);
  std::vector<std::pair<std::string, std::string>> damaged;
  for (size_t cut : {size_t(0), size_t(7), size_t(20), size_t(33), size_t(60), good.size() / 2,
                     good.size() - 13})
    damaged.push_back({"cut at " + std::to_string(cut), good.substr(0, cut)});
  std::string flipped = good;
  flipped[good.find("IDAT") + 30] ^= 0x10;
  damaged.push_back({"flipped IDAT byte", flipped});
  // Re-checksummed damage: only zlib or the filter bytes can catch it.
  pgc::RgbImage img = test_image(16, 4);
  damaged.push_back({"filter type 5", make_png(img, [](uint32_t y) { return y == 2 ? 5 : 1; }, 1 << 20)});
  for (const auto& [what, png] : damaged) {
    pgc::RgbImage out;
    BOOST_TEST(!fast.decode_bytes_fast(bytes(png), png.size(), out), what);
    Decoded got = decode_with(fast, png, false), want = decode_with(reference, png, true);
    BOOST_TEST(!want.ok, what);
    check_same(got, want, what);
    if (!want.ok) BOOST_TEST(got.error.find("x.png") != std::string::npos, got.error);
  }
}

// libpng stops after the image data: a cut IEND is no error to it, so none to pgc either.
BOOST_AUTO_TEST_CASE(cut_iend_is_decoded_like_libpng) {
  pgc::PngDecoder fast, reference;
  pgc::RgbImage img = test_image(20, 6);
  std::string png = make_png(img, rotating_filter, 1 << 20);
  png.resize(png.size() - 1);
  Decoded got = decode_with(fast, png, false);
  check_same(got, decode_with(reference, png, true), "cut IEND");
  BOOST_TEST(got.ok);
  BOOST_TEST((got.rgb == img.rgb));
}

BOOST_AUTO_TEST_CASE(truncated_fixture_png_gives_the_same_error_on_both_paths) {
  pgc::PngDecoder fast, reference;
  std::string png = slurp(fixture_pngs().front());
  std::string cut = png.substr(0, png.size() / 2);
  Decoded got = decode_with(fast, cut, false), want = decode_with(reference, cut, true);
  BOOST_TEST(!want.ok);
  BOOST_TEST(want.error.find("truncated") != std::string::npos, want.error);
  check_same(got, want, "half a fixture PNG");
}

BOOST_AUTO_TEST_CASE(bad_adler32_falls_back_to_libpng_which_ignores_it) {
  pgc::PngDecoder fast, reference;
  pgc::RgbImage img = test_image(30, 10);
  std::string png = make_png(img, rotating_filter, 1 << 20);
  // Flip the Adler-32's last byte and re-checksum the IDAT chunk: the CRC stays right.
  size_t idat = png.find("IDAT");
  uint32_t len = uint32_t(uint8_t(png[idat - 4])) << 24 | uint32_t(uint8_t(png[idat - 3])) << 16 |
                 uint32_t(uint8_t(png[idat - 2])) << 8 | uint8_t(png[idat - 1]);
  png[idat + 4 + len - 1] ^= 1;
  uint32_t crc = static_cast<uint32_t>(crc32(0, bytes(png) + idat, len + 4));
  for (int k = 0; k < 4; ++k) png[idat + 4 + len + k] = char((crc >> (8 * (3 - k))) & 255);
  pgc::RgbImage out;
  BOOST_TEST(!fast.decode_bytes_fast(bytes(png), png.size(), out));
  Decoded got = decode_with(fast, png, false);
  check_same(got, decode_with(reference, png, true), "bad Adler-32");
  BOOST_TEST(got.ok);
  BOOST_TEST((got.rgb == img.rgb));
}

BOOST_AUTO_TEST_CASE(rgba_goes_to_libpng_and_drops_alpha) {
  pgc::PngDecoder fast, reference;
  std::string png = slurp(kPanoptic / "bad_inputs" / "pred_png_rgba" / "pred" / "bad_11.png");
  BOOST_REQUIRE(!png.empty());
  pgc::RgbImage out;
  BOOST_TEST(!fast.decode_bytes_fast(bytes(png), png.size(), out));
  Decoded got = decode_with(fast, png, false);
  BOOST_TEST(got.ok);
  check_same(got, decode_with(reference, png, true), "RGBA");
}
