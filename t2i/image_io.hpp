#pragma once
// Image files as the references see them: PIL 9.4's `Image.open(path).convert("RGB")`
// (pytorch-fid and dgm-eval both load images that way), and their folder listings.
//
// Decoding follows PIL, not the PNG/JPEG specifications' display rules:
//  - the format is chosen by the file's first bytes (as PIL does), not by its extension;
//  - PNG: gray is replicated to 3 channels (1/2/4-bit gray scaled to 0..255); alpha is
//    DROPPED, never composited (RGBA, gray+alpha, palette tRNS, gray/RGB tRNS are ignored);
//    palette indices are expanded through PLTE, indices past its end read PIL's gray ramp
//    (i, i, i); 16-bit RGB/RGBA/gray+alpha keep the high byte; 16-bit GRAY is PIL mode "I"
//    whose RGB conversion CLIPS the 16-bit value to 0..255 (so most of a 16-bit gray image
//    turns white: PIL's quirk, reproduced); gAMA/sRGB/iCCP/sBIT are ignored;
//  - JPEG: libjpeg-turbo with its defaults (islow IDCT, fancy upsampling), as PIL's decoder
//    sets them; EXIF orientation is NOT applied; 1-component -> gray replicated; 4-component
//    (CMYK/YCCK) -> PIL's inverted-Adobe CMYK then its cmyk2rgb integer formula;
//  - images over PIL's decompression-bomb limit (2 x 89,478,485 pixels) are refused, as PIL
//    refuses them; truncated or corrupt data is an error (PIL's LOAD_TRUNCATED_IMAGES off).
// Other formats that the references would read through PIL (BMP, TIFF, WebP, PPM/PGM) are
// an InputError naming the format.
#include <cstdint>
#include <string>
#include <vector>

namespace pgc {

// 8-bit RGB, row-major HWC.
struct ImageU8 {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // height * width * 3
};

struct DecodedImage {
  ImageU8 image;           // after PIL's convert("RGB")
  std::string pil_mode;    // the mode PIL reports after open(): "RGB", "L", "P", "RGBA", "LA", "I", "1", "CMYK"
  std::string format;      // "PNG" or "JPEG"
};

// PIL's DecompressionBombError threshold: 2 * MAX_IMAGE_PIXELS.
inline constexpr uint64_t kPilMaxImagePixels = 2ull * (1024ull * 1024 * 1024 / 4 / 3);

// Decodes PNG or JPEG bytes; `origin` names the file in errors (InputError(origin, ...)).
DecodedImage decode_image(const std::string& bytes, const std::string& origin);
// Reads and decodes a file.
DecodedImage read_image_file(const std::string& path);

// Which files of a folder a reference treats as images. Both take the folder's own entries
// (no recursion) whose name ends in ".<ext>" for ext in {bmp, jpg, jpeg, pgm, png, ppm, tif,
// tiff, webp}, sorted by path (Python's sorted() on pathlib paths: code-point order).
//  - kPytorchFid: lower-case extensions only (pytorch-fid's glob is case-sensitive);
//  - kDgmEval: also the all-upper-case spellings (dgm-eval adds ext.upper()).
enum class ImageListRule { kPytorchFid, kDgmEval };

// Full paths, sorted. InputError when `dir` is not a readable folder or holds no images.
std::vector<std::string> list_image_files(const std::string& dir, ImageListRule rule);

}  // namespace pgc
