#pragma once
// Pillow 9.4's Image.resize((w, h), BICUBIC) (libImaging/Resample.c), bit for bit:
//  - separable: a horizontal pass, then a vertical pass; a pass whose size is unchanged is
//    skipped (Pillow's need_horizontal / need_vertical), and an unchanged size is a copy;
//  - cubic kernel a = -0.5, support 2 widened by the downscale factor (antialiased when
//    shrinking), taps centered at (i + 0.5) * scale, bounds rounded with (int)(x + 0.5),
//    weights normalized by their sum, all in double;
//  - 8-bit images ("RGB"): weights as fixed point with 22 fractional bits
//    ((int)(w * 2^22 +- 0.5)), sums in int32 starting at 2^21, then >> 22 and clipped to
//    0..255 after EACH pass (torchvision's Resize((224, 224), BICUBIC) on a PIL image);
//  - 32-bit float images ("F"): the double weights, a double sum of float * double products,
//    stored as float after each pass (dgm-eval's --clean_resize resizes each channel so).
#include <cstdint>
#include <vector>

#include "models/feature_extractor.hpp"
#include "t2i/image_io.hpp"

namespace pgc {

// Pillow's precompute_coeffs for one axis (box = the whole axis).
struct ResampleCoefficients {
  int ksize = 0;             // taps reserved per output pixel
  std::vector<int> first;    // first input index per output pixel
  std::vector<int> count;    // taps used per output pixel
  std::vector<double> weights;  // out_size * ksize, normalized to sum 1
};
ResampleCoefficients pillow_bicubic_coefficients(int in_size, int out_size);

// Image.resize((out_w, out_h), Image.BICUBIC) on a mode "RGB" image.
ImageU8 pillow_resize_bicubic(const ImageU8& in, int out_w, int out_h);

// Image.fromarray(plane, mode="F").resize((out_w, out_h), Image.BICUBIC): one float32 channel,
// row-major (h, w). Returns (out_h, out_w).
std::vector<float> pillow_resize_bicubic_float(const std::vector<float>& plane, int w, int h, int out_w,
                                               int out_h);

// torchvision ToTensor of a uint8 image, HWC: u8 / 255 in float32 (exact: correctly rounded).
ImageF32 to_image_f32(const ImageU8& in);

// dgm-eval's pil_resize (--clean_resize): each channel as float32 'F' resized with
// pillow_resize_bicubic_float, clipped to [0, 255], then / 255 in float32.
ImageF32 clean_resize_bicubic(const ImageU8& in, int out_w, int out_h);

}  // namespace pgc
