#pragma once
// Test-only helpers for the grounded-caption tests: read fixture PNGs with libspng.
#include <spng.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgc_test {

struct PngImage {
  uint32_t height = 0, width = 0;
  std::vector<uint8_t> pixels;  // row-major, `channels` bytes per pixel
};

// Decodes an 8-bit PNG to gray (channels = 1) or RGB (channels = 3).
inline PngImage read_png(const std::string& path, int channels) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  spng_ctx* ctx = spng_ctx_new(0);
  PngImage img;
  const int fmt = channels == 1 ? SPNG_FMT_G8 : SPNG_FMT_RGB8;
  spng_ihdr ihdr{};
  size_t size = 0;
  int rc = spng_set_png_buffer(ctx, bytes.data(), bytes.size());
  if (!rc) rc = spng_get_ihdr(ctx, &ihdr);
  if (!rc) rc = spng_decoded_image_size(ctx, fmt, &size);
  if (!rc) {
    img.pixels.resize(size);
    rc = spng_decode_image(ctx, img.pixels.data(), size, fmt, 0);
  }
  spng_ctx_free(ctx);
  if (rc) throw std::runtime_error(path + ": " + spng_strerror(rc));
  img.height = ihdr.height;
  img.width = ihdr.width;
  return img;
}

// A binary mask PNG (0 = background) as a row-major 0/1 mask.
inline std::vector<uint8_t> read_mask_png(const std::string& path, uint32_t& height, uint32_t& width) {
  PngImage img = read_png(path, 1);
  height = img.height;
  width = img.width;
  for (auto& p : img.pixels) p = p != 0;
  return img.pixels;
}

// A COCO panoptic PNG as row-major segment ids (R + 256 G + 256^2 B).
inline std::vector<uint32_t> read_panoptic_png(const std::string& path, uint32_t& height, uint32_t& width) {
  const PngImage img = read_png(path, 3);
  height = img.height;
  width = img.width;
  std::vector<uint32_t> ids(size_t{img.height} * img.width);
  for (size_t i = 0; i < ids.size(); ++i) {
    ids[i] = img.pixels[3 * i] + 256u * img.pixels[3 * i + 1] + 65536u * img.pixels[3 * i + 2];
  }
  return ids;
}

}  // namespace pgc_test
