#pragma once
// The PGC benchmark's JSON Lines files (pgc_formats.md §6): predictions (`*.pred.jsonl`) and
// ground truth (`*.gt.jsonl`), one image per line, UTF-8. Readers stream line by line and
// validate each record; any problem throws pgc::InputError naming the file, the line and
// (once read) the image id. Writers produce the same format (atomically for whole files).
//
// Spans are code-point offsets [start, end) into the caption (Python string indices).
#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/rle.hpp"

namespace pgc {

// An image id as written: a JSON integer or a string. Records match on `key` (decimal text for
// integers), so 139 and "139" name the same image.
struct PgcImageId {
  std::string key;
  bool is_integer = false;
  bool operator==(const PgcImageId& o) const { return key == o.key; }
};

struct PredictedPhrase {
  size_t start = 0, end = 0;       // code points in the caption
  std::string text;                // the caption slice (filled even when the file omits it)
  bool text_given = false;         // whether the file had a "text" field
  std::optional<Rle> mask;         // nullopt = "mask": null (caption-only phrase)
  bool mask_uncompressed = false;  // written back as an int array instead of a string
  std::optional<int64_t> category_id;
  std::optional<bool> isthing;
  std::optional<double> score;     // only for AP ordering outside GLaMM parity
};

struct PgcPrediction {
  PgcImageId image_id;
  std::string caption;
  std::vector<PredictedPhrase> phrases;
  size_t line = 0;  // 1-based line in its file (0 when built in memory)
};

struct GroundTruthSpan {
  size_t start = 0, end = 0;  // code points in the caption
  std::vector<int64_t> segment_ids;
  std::vector<std::string> warnings;
  // Optional "mask": the union of the span's segments as COCO RLE (written by `pgc convert
  // --span-masks` for tools without the PNGs; the scorer always uses the panoptic PNG).
  std::optional<Rle> mask;
};

struct PanopticSegmentInfo {
  int64_t id = 0;
  int64_t category_id = 0;
  int iscrowd = 0;
  uint64_t area = 0;
  std::array<double, 4> bbox{};
};

struct PgcGroundTruth {
  PgcImageId image_id;
  uint32_t height = 0, width = 0;
  std::string caption;
  std::vector<GroundTruthSpan> spans;
  std::string panoptic_png;  // relative to the GT file's folder
  std::vector<PanopticSegmentInfo> segments_info;
  // How the source caption numbered segments, when the converter had to decide (optional field
  // "id_numbering", e.g. "legacy-0-based-shifted"); empty = segments_info ids as written.
  std::string id_numbering;
  size_t line = 0;
};

// Streams a prediction file. Empty lines are skipped; duplicate image ids are errors.
class PredictionReader {
 public:
  explicit PredictionReader(const std::string& path);
  // Reads the next record into `out`; false at the end of the file.
  bool next(PgcPrediction& out);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  size_t line_ = 0;
  std::unordered_map<std::string, size_t> seen_;  // image key -> line
};

class GroundTruthReader {
 public:
  explicit GroundTruthReader(const std::string& path);
  bool next(PgcGroundTruth& out);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  size_t line_ = 0;
  std::unordered_map<std::string, size_t> seen_;
};

// Parse one line (`file`/`line` only name the place in errors).
PgcPrediction parse_prediction_line(const std::string& json, const std::string& file, size_t line);
PgcGroundTruth parse_ground_truth_line(const std::string& json, const std::string& file, size_t line);

// Whole files (they stream internally).
std::vector<PgcPrediction> read_predictions(const std::string& path);
std::vector<PgcGroundTruth> read_ground_truth(const std::string& path);

// One JSON object, no newline.
std::string prediction_to_json_line(const PgcPrediction& p);
std::string ground_truth_to_json_line(const PgcGroundTruth& g);
// Whole files, written atomically (nothing is left behind on failure); "-" = stdout.
void write_predictions(const std::string& path, const std::vector<PgcPrediction>& records);
void write_ground_truth(const std::string& path, const std::vector<PgcGroundTruth>& records);

// Checks a prediction against its image: every mask's size must equal the GT image size.
// Throws InputError(pred_file, "line N, image X, phrase K", ...).
void check_prediction_against_ground_truth(const PgcPrediction& pred, const PgcGroundTruth& gt,
                                           const std::string& pred_file);

// Pairs each GT image with its prediction (same order as `gts`): a prediction whose image id
// is not in the GT is an error ("unknown image id"), so is a GT image without prediction unless
// `allow_missing` (then its entry is null: no caption, no masks). Also checks mask sizes.
std::vector<const PgcPrediction*> align_predictions(const std::vector<PgcGroundTruth>& gts,
                                                    const std::vector<PgcPrediction>& preds,
                                                    const std::string& gt_file, const std::string& pred_file,
                                                    bool allow_missing = false);

}  // namespace pgc
