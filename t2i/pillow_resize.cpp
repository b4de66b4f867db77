#include "metrics/strict_fp.hpp"  // Pillow's double arithmetic without fused multiply-adds
#include "t2i/pillow_resize.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pgc {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS
constexpr double kBicubicSupport = 2.0;

// Pillow's bicubic_filter, a = -0.5, written as Resample.c evaluates it.
double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// normalize_coeffs_8bpc: round half away from zero to 22 fractional bits.
std::vector<int32_t> fixed_point(const std::vector<double>& w) {
  std::vector<int32_t> k(w.size());
  for (size_t i = 0; i < w.size(); ++i)
    k[i] = w[i] < 0 ? static_cast<int32_t>(-0.5 + w[i] * (1 << kPrecisionBits))
                    : static_cast<int32_t>(0.5 + w[i] * (1 << kPrecisionBits));
  return k;
}

// Pillow's clip8: the sum >> PRECISION_BITS (arithmetic), clamped to 0..255.
inline uint8_t clip8(int32_t sum) {
  const int32_t v = sum >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Rows [row0, row0 + rows) of `in` (width in_w, 3 channels) resampled horizontally to out_w.
std::vector<uint8_t> horizontal_u8(const uint8_t* in, int in_w, int row0, int rows, int out_w,
                                   const ResampleCoefficients& c) {
  const std::vector<int32_t> kk = fixed_point(c.weights);
  std::vector<uint8_t> out(static_cast<size_t>(rows) * out_w * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = in + static_cast<size_t>(row0 + y) * in_w * 3;
    uint8_t* dst = out.data() + static_cast<size_t>(y) * out_w * 3;
    for (int xx = 0; xx < out_w; ++xx) {
      const int32_t* k = &kk[static_cast<size_t>(xx) * c.ksize];
      const uint8_t* p = src + static_cast<size_t>(c.first[xx]) * 3;
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int t = 0; t < c.count[xx]; ++t, p += 3) {
        s0 += p[0] * k[t];
        s1 += p[1] * k[t];
        s2 += p[2] * k[t];
      }
      dst[xx * 3 + 0] = clip8(s0);
      dst[xx * 3 + 1] = clip8(s1);
      dst[xx * 3 + 2] = clip8(s2);
    }
  }
  return out;
}

// `in` (width w, 3 channels) resampled vertically; c.first is relative to `in`'s first row.
// Integer sums do not depend on the order of the terms, so rows are accumulated whole.
std::vector<uint8_t> vertical_u8(const uint8_t* in, int w, int out_h, const ResampleCoefficients& c,
                                 int first_shift) {
  const std::vector<int32_t> kk = fixed_point(c.weights);
  const size_t row_len = static_cast<size_t>(w) * 3;
  std::vector<uint8_t> out(row_len * out_h);
  std::vector<int32_t> acc(row_len);
  for (int yy = 0; yy < out_h; ++yy) {
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    const int32_t* k = &kk[static_cast<size_t>(yy) * c.ksize];
    for (int t = 0; t < c.count[yy]; ++t) {
      const uint8_t* src = in + static_cast<size_t>(c.first[yy] - first_shift + t) * row_len;
      const int32_t kt = k[t];
      for (size_t i = 0; i < row_len; ++i) acc[i] += src[i] * kt;
    }
    uint8_t* dst = out.data() + yy * row_len;
    for (size_t i = 0; i < row_len; ++i) dst[i] = clip8(acc[i]);
  }
  return out;
}

std::vector<float> horizontal_f32(const float* in, int in_w, int row0, int rows, int out_w,
                                  const ResampleCoefficients& c) {
  std::vector<float> out(static_cast<size_t>(rows) * out_w);
  for (int y = 0; y < rows; ++y) {
    const float* src = in + static_cast<size_t>(row0 + y) * in_w;
    for (int xx = 0; xx < out_w; ++xx) {
      const double* k = &c.weights[static_cast<size_t>(xx) * c.ksize];
      double ss = 0.0;
      for (int t = 0; t < c.count[xx]; ++t) ss += src[c.first[xx] + t] * k[t];
      out[static_cast<size_t>(y) * out_w + xx] = static_cast<float>(ss);
    }
  }
  return out;
}

// Per output pixel the terms are added in tap order, as Pillow does; the loop over pixels is
// innermost so that rows are read contiguously.
std::vector<float> vertical_f32(const float* in, int w, int out_h, const ResampleCoefficients& c,
                                int first_shift) {
  std::vector<float> out(static_cast<size_t>(w) * out_h);
  std::vector<double> acc(static_cast<size_t>(w));
  for (int yy = 0; yy < out_h; ++yy) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const double* k = &c.weights[static_cast<size_t>(yy) * c.ksize];
    for (int t = 0; t < c.count[yy]; ++t) {
      const float* src = in + static_cast<size_t>(c.first[yy] - first_shift + t) * w;
      for (int x = 0; x < w; ++x) acc[x] += src[x] * k[t];
    }
    for (int x = 0; x < w; ++x) out[static_cast<size_t>(yy) * w + x] = static_cast<float>(acc[x]);
  }
  return out;
}

void check_sizes(int w, int h, int out_w, int out_h) {
  if (w <= 0 || h <= 0 || out_w <= 0 || out_h <= 0)
    throw std::invalid_argument("pillow resize: sizes must be positive");
}

// ImagingResampleInner's pass structure, shared by both pixel types: `horizontal` resamples
// rows [row0, row0 + rows); `vertical` resamples a block whose first row is `shift`.
template <typename Pixels, typename Horizontal, typename Vertical>
Pixels resample(const Pixels& in, int w, int h, int out_w, int out_h, Horizontal horizontal,
                Vertical vertical) {
  if (w == out_w && h == out_h) return in;  // Image.resize returns a copy
  const ResampleCoefficients ch = pillow_bicubic_coefficients(w, out_w);
  const ResampleCoefficients cv = pillow_bicubic_coefficients(h, out_h);
  // Rows the vertical pass reads (Pillow's ybox_first / ybox_last).
  const int row_first = cv.first[0];
  const int row_last = cv.first[out_h - 1] + cv.count[out_h - 1];
  if (out_w != w) {
    Pixels temp = horizontal(in.data(), w, row_first, row_last - row_first, out_w, ch);
    if (out_h == h) return temp;
    return vertical(temp.data(), out_w, out_h, cv, row_first);
  }
  return vertical(in.data(), w, out_h, cv, 0);
}

}  // namespace

ResampleCoefficients pillow_bicubic_coefficients(int in_size, int out_size) {
  // box = (0, in_size) as floats, as Image.resize passes it.
  const float in0 = 0.0f, in1 = static_cast<float>(in_size);
  double filterscale = static_cast<double>(in1 - in0) / out_size;
  const double scale = filterscale;
  if (filterscale < 1.0) filterscale = 1.0;
  const double support = kBicubicSupport * filterscale;
  ResampleCoefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weights.assign(static_cast<size_t>(out_size) * c.ksize, 0.0);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);  // truncation, as Pillow's cast
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double* k = &c.weights[static_cast<size_t>(xx) * c.ksize];
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = bicubic_filter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x)
      if (ww != 0.0) k[x] /= ww;
    c.first[xx] = xmin;
    c.count[xx] = xmax;
  }
  return c;
}

ImageU8 pillow_resize_bicubic(const ImageU8& in, int out_w, int out_h) {
  check_sizes(in.width, in.height, out_w, out_h);
  ImageU8 out;
  out.width = out_w;
  out.height = out_h;
  out.rgb = resample(in.rgb, in.width, in.height, out_w, out_h, horizontal_u8, vertical_u8);
  return out;
}

std::vector<float> pillow_resize_bicubic_float(const std::vector<float>& plane, int w, int h, int out_w,
                                               int out_h) {
  check_sizes(w, h, out_w, out_h);
  return resample(plane, w, h, out_w, out_h, horizontal_f32, vertical_f32);
}

ImageF32 to_image_f32(const ImageU8& in) {
  static const auto table = [] {
    std::vector<float> t(256);
    for (int i = 0; i < 256; ++i) t[i] = static_cast<float>(i) / 255.0f;
    return t;
  }();
  ImageF32 out;
  out.width = in.width;
  out.height = in.height;
  out.rgb.resize(in.rgb.size());
  for (size_t i = 0; i < in.rgb.size(); ++i) out.rgb[i] = table[in.rgb[i]];
  return out;
}

ImageF32 clean_resize_bicubic(const ImageU8& in, int out_w, int out_h) {
  const size_t n = static_cast<size_t>(in.width) * in.height;
  const size_t m = static_cast<size_t>(out_w) * out_h;
  ImageF32 out;
  out.width = out_w;
  out.height = out_h;
  out.rgb.resize(m * 3);
  std::vector<float> plane(n);
  for (int ch = 0; ch < 3; ++ch) {
    for (size_t i = 0; i < n; ++i) plane[i] = static_cast<float>(in.rgb[i * 3 + ch]);
    const std::vector<float> r = pillow_resize_bicubic_float(plane, in.width, in.height, out_w, out_h);
    // np.clip(0, 255) keeps float32; to_tensor(x) / 255 divides in float32.
    for (size_t i = 0; i < m; ++i) out.rgb[i * 3 + ch] = std::min(std::max(r[i], 0.0f), 255.0f) / 255.0f;
  }
  return out;
}

}  // namespace pgc
