#pragma once
// COCO panoptic format I/O: the JSON files (annotations[] with segments_info[], categories[])
// and the id PNGs (8-bit RGB, id = R + 256 G + 65536 B, 0 = VOID), with every check that keeps
// bad input from passing silently (each failure is an InputError naming the file, the image
// and the segment).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "metrics/panoptic_quality.hpp"

namespace pgc {

// One entry of annotations[].
struct PanopticAnnotation {
  std::string image_id;             // as text (integers in decimal)
  bool image_id_is_string = false;  // "12" and 12 are different ids to panopticapi
  std::string file_name;            // the PNG, relative to the PNG folder
  std::vector<PqSegment> segments;  // segments_info in file order
  std::vector<double> areas;        // segments_info[].area (GT only; checked against the PNG)
};

struct PanopticJson {
  std::string path;
  std::vector<PanopticAnnotation> annotations;  // file order; image ids are unique
  std::vector<PqCategory> categories;           // file order; empty when the file has none
};

// Reads a COCO panoptic JSON file. GT files need iscrowd and area on every segment; pred
// files need only id and category_id (panopticapi ignores the rest). Rejects malformed JSON,
// duplicate image ids, duplicate or out-of-range segment ids (1..2^24-1), a bad iscrowd.
PanopticJson read_panoptic_json(const std::string& path, bool is_gt);

// Categories: a JSON list of {"id", "name", "isthing"} or an object with "categories".
std::vector<PqCategory> read_categories(const std::string& path);
std::vector<PqCategory> parse_categories(const JsonValue& list, const std::string& file);

// The categories shipped in data/ (the 133 COCO panoptic ones) and their path.
std::string shipped_categories_path();

// Every segment's category_id (GT and pred) must be one of `categories`.
void check_segment_categories(const PanopticJson& json, const std::vector<PqCategory>& categories,
                              const std::string& categories_origin);

// GT annotations paired with their prediction, in GT order. A GT image without prediction is
// an error; predictions for images not in GT are left out and named in `ignored_pred_ids`.
struct PanopticPair {
  const PanopticAnnotation* gt = nullptr;
  const PanopticAnnotation* pred = nullptr;
};
std::vector<PanopticPair> pair_annotations(const PanopticJson& gt, const PanopticJson& pred,
                                           std::vector<std::string>* ignored_pred_ids);

// An 8-bit RGB image (3 bytes a pixel, rows packed; `rgb` may be longer than pixels() * 3:
// decoders reuse it and only grow it).
struct RgbImage {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgb;
  size_t pixels() const { return size_t(width) * height; }
};

// Decodes PNGs into a reused buffer (keep one per worker). Accepts 8-bit RGB and 8-bit RGBA
// (alpha ignored, as panopticapi's rgb2id reads the first 3 channels); anything else
// (grayscale, palette, 16-bit) is rejected: its pixels are not RGB ids. `item` names the image
// in errors.
//
// Two paths, one behaviour: a well-formed non-interlaced 8-bit RGB PNG (what COCO panoptic
// tools write) goes through a fast path (libdeflate + PNG row filters, ~4-5x faster than libpng;
// decoding is most of pgc panoptic's time); every other file, and any file the fast path finds
// the least irregular (bad CRC or zlib data, truncation, unknown critical chunk, ...), is decoded
// by libpng from scratch, so results and error messages are exactly libpng's.
class PngDecoder {
 public:
  PngDecoder();
  ~PngDecoder();
  PngDecoder(PngDecoder&&) noexcept;
  PngDecoder& operator=(PngDecoder&&) noexcept;

  void decode(const std::string& path, const std::string& item, RgbImage& out);
  // Decode from memory (tests, benchmarks).
  void decode_bytes(const uint8_t* data, size_t size, const std::string& path,
                    const std::string& item, RgbImage& out);
  // The libpng path alone (tests compare the two paths).
  void decode_bytes_libpng(const uint8_t* data, size_t size, const std::string& path,
                           const std::string& item, RgbImage& out);
  // The fast path alone: true when it decoded `out`; false (out unspecified) when the file
  // needs libpng. Never throws on bad data.
  bool decode_bytes_fast(const uint8_t* data, size_t size, RgbImage& out);

 private:
  struct Inflater;
  std::vector<uint8_t> file_;
  std::vector<uint8_t> idat_;      // IDAT payloads joined (only when split over chunks)
  std::vector<uint8_t> filtered_;  // inflated rows: filter byte + width * 3 bytes each
  std::vector<uint8_t> zero_row_;  // the row "above" the first one
  std::unique_ptr<Inflater> inflater_;
};

// Writes an 8-bit RGB PNG with libspng (tests and benchmarks build inputs with it).
std::string encode_rgb_png(const RgbImage& image);

// "folder/name" (no separator added when the folder is empty or ends with one).
std::string join_path(const std::string& folder, const std::string& name);

// "R,G,B" of an id, for messages (users look ids up in image viewers by colour).
std::string id_rgb_text(uint32_t id);

}  // namespace pgc
