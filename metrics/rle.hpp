#pragma once
// COCO run-length encoding of binary masks, byte-identical to pycocotools' C mask API
// (cocoapi common/maskApi.c: rleEncode, rleDecode, rleToString, rleFrString, rleArea,
// rleToBbox, rleIou, rleMerge).
//
// A mask of height h and width w is flattened in column-major (Fortran) order: pixel (y, x)
// is at index x * h + y. `counts` alternates runs of 0s and 1s and always starts with a run
// of 0s (a leading 0 when pixel (0, 0) is set). Counts are kept exactly as given: the
// uncompressed form a user writes may contain zero-length runs in the middle, and pycocotools
// keeps them too (they change the compressed string, not the mask).
//
// Pure code: no file I/O. Malformed input raises std::invalid_argument with a short reason;
// the I/O layer adds file, line and image id.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace pgc {

struct Rle {
  uint32_t height = 0;
  uint32_t width = 0;
  std::vector<uint32_t> counts;  // alternating runs, first = zeros, sum = height * width

  bool operator==(const Rle& o) const {
    return height == o.height && width == o.width && counts == o.counts;
  }
  bool operator!=(const Rle& o) const { return !(*this == o); }
};

// Encodes a column-major mask (any non-zero byte is foreground). pycocotools compares raw byte
// values; masks there are 0/1, so "non-zero = 1" is the same on every valid input.
Rle rle_encode_column_major(const uint8_t* mask, uint32_t height, uint32_t width);
// Same for a row-major (C order, as decoded from a PNG) mask.
Rle rle_encode_row_major(const uint8_t* mask, uint32_t height, uint32_t width);

// Decodes to a column-major 0/1 mask of height * width bytes.
std::vector<uint8_t> rle_decode_column_major(const Rle& rle);

// pycocotools' compressed `counts` string (LEB128-like 5-bit groups, offset by '0', with the
// counts from the fourth on stored as differences to the count two places before).
std::string rle_to_string(const Rle& rle);
// Parses a compressed string. Throws std::invalid_argument when a character is outside the
// alphabet, the string ends inside a number, a run is negative or the runs do not add up to
// height * width.
Rle rle_from_string(const std::string& counts, uint32_t height, uint32_t width);
// Builds an RLE from uncompressed counts (checked as above).
Rle rle_from_counts(std::vector<uint32_t> counts, uint32_t height, uint32_t width);
// Empty string when the RLE is well formed (runs add up to height * width), else the reason.
std::string rle_check(const Rle& rle);

// Number of foreground pixels (rleArea).
uint64_t rle_area(const Rle& rle);
// pycocotools' toBbox [x, y, w, h] including its quirk: when a run of ones wraps from one
// column into the next, the box spans the full height.
std::array<double, 4> rle_to_bbox(const Rle& rle);

// Pixels in both masks; the masks must have the same size.
uint64_t rle_intersection_area(const Rle& a, const Rle& b);
// Union (or intersection) of several same-size masks, as rleMerge.
Rle rle_merge(const std::vector<const Rle*>& masks, bool intersect);

// pycocotools mask.iou for one pair: |dt ∩ gt| / |dt ∪ gt|, or / |dt| when gt is a crowd
// region; 0 when the intersection is empty (so empty vs empty is 0, never NaN).
// Throws std::invalid_argument when the sizes differ (pycocotools would return -1).
double rle_iou(const Rle& dt, const Rle& gt, bool gt_iscrowd);

}  // namespace pgc
