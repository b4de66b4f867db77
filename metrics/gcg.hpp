#pragma once
// GLaMM's grounded-conversation-generation (GCG) metrics, exactly as groundingLMM's
// eval/gcg/evaluate.py computes them (pgc_formats.md §5 and §10):
//   AP50 / AP  class-agnostic mask AP: pycocotools COCOeval, iouType segm, one category, default
//              parameters (IoU .50:.05:.95, area ranges all/small/medium/large, maxDets 1/10/100);
//              every prediction scores 1.0 unless scores are given
//   mIoU       per image, greedy one-to-one pairing on the pred x GT IoU matrix (largest first,
//              first in row-major order on ties) while the largest IoU is > 0; image value = mean
//              of the paired IoUs (0 if none); mean over images
//   recall     per image, greedy on the GT x pred IoU matrix; the largest-IoU pair must have
//              IoU >= 0.5 and text similarity >= 0.5, else the image STOPS (reference quirk);
//              recall = sum TP / sum GT labels
//   recall_skip  pgc's variant: a pair failing only the text gate is skipped (that pair only)
//              and the greedy goes on; it stops when the largest IoU left is < 0.5
// Empty masks follow the reference: COCOeval's IoU of two empty masks is 0; GLaMM's numpy IoU
// of an empty prediction and an empty GT is 0/0 = NaN, which makes the image's mIoU 0 and is
// picked first by the recall (NaN < 0.5 is false, so it passes the IoU gate).
//
// Pure: masks and phrases in memory, text similarity through a callback (BERT, or a table).
// Split as per-image statistics (GcgImageStats, merged by concatenation) plus gcg_score().
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.hpp"
#include "metrics/rle.hpp"

namespace pgc {

// One image in GLaMM's terms: GT phrase masks with their labels (span texts) and predicted
// masks with their phrases, k-th mask <-> k-th phrase.
struct GcgImage {
  std::string image_id;  // COCOeval ranks images by id: integers numerically, then strings
  std::vector<Rle> gt_masks;
  std::vector<std::string> gt_labels;
  std::vector<Rle> pred_masks;
  std::vector<std::string> pred_phrases;
  std::vector<double> pred_scores;  // empty = every prediction scores 1.0 (GLaMM)
};

// Cosine similarity of a GT label and a predicted phrase (GLaMM: bert-base-uncased mean
// pooling). Called only for the pairs the recall greedy examines; must be thread-safe.
using TextSimilarity = std::function<double(const std::string& gt_label, const std::string& pred_phrase)>;

// The stand-in for BERT used by the fixtures and `--text-similarity`: a table keyed
// "<gt label>|<pred phrase>". A missing pair throws std::out_of_range naming the key.
class TextSimilarityTable {
 public:
  void set(const std::string& gt_label, const std::string& pred_phrase, double cosine);
  double operator()(const std::string& gt_label, const std::string& pred_phrase) const;
  size_t size() const { return table_.size(); }
  static std::string key(const std::string& gt_label, const std::string& pred_phrase) {
    return gt_label + "|" + pred_phrase;
  }

 private:
  std::unordered_map<std::string, double> table_;
};

struct GcgOptions {
  double recall_iou_threshold = 0.5;
  double recall_text_threshold = 0.5;
};

// COCOeval's evaluateImg output for one image and one area range (IoU thresholds x detections).
struct CocoImageEval {
  bool present = false;                 // false when the image has neither GT nor detections
  std::vector<uint8_t> dt_matched;      // [threshold * n_dt + d]
  std::vector<uint8_t> dt_ignored;      // [threshold * n_dt + d]
  uint32_t gt_not_ignored = 0;
};

inline constexpr int kCocoIouThresholds = 10;
inline constexpr int kCocoAreaRanges = 4;   // all, small, medium, large
inline constexpr int kCocoMaxDets = 100;    // largest of maxDets 1/10/100

struct GcgImageStats {
  std::string image_id;
  // AP: detections sorted by score (stable), first 100; per area range.
  std::vector<double> dt_scores;
  std::array<CocoImageEval, kCocoAreaRanges> coco;
  // mIoU
  double miou = 0;
  // recall
  uint64_t gt_labels = 0;
  uint64_t recall_true_positives = 0;
  uint64_t recall_skip_true_positives = 0;
  std::vector<std::pair<size_t, size_t>> recall_matches;  // (gt index, pred index), in order
  size_t n_pred_masks = 0;
};

struct GcgStats {
  std::vector<GcgImageStats> images;  // in input order (mIoU averages in this order)
  void merge(const GcgStats& other) {
    images.insert(images.end(), other.images.begin(), other.images.end());
  }
};

struct GcgResult {
  double AP50 = 0, AP = 0, mIoU = 0, recall = 0, recall_skip = 0;
  std::array<double, 12> coco_summary{};  // COCOeval.stats (-1 where undefined)
  uint64_t recall_true_positives = 0, recall_skip_true_positives = 0, recall_gt_labels = 0;
};

// Per-image statistics. Throws std::invalid_argument when label/mask counts differ or masks
// of the image have different sizes.
GcgImageStats gcg_image_stats(const GcgImage& image, const TextSimilarity& similarity,
                              const GcgOptions& options = {});
// Corpus numbers from per-image statistics.
GcgResult gcg_score(const GcgStats& stats);
// Both, over `threads` threads (0 = all cores); results do not depend on the thread count.
GcgResult gcg_evaluate(const std::vector<GcgImage>& images, const TextSimilarity& similarity,
                       const GcgOptions& options = {}, int threads = 0, GcgStats* stats_out = nullptr);

// JSON form of one image's statistics (for results files, shards and bootstrap):
// {"image_id", "miou", "n_gt", "n_pred", "tp", "tp_skip", "matches": [[g, d], ...],
//  "scores": [...], "coco": [{"n_gt": k, "dets": [flags...]} | null  x 4 area ranges]}
// where each det's flags hold bit t = matched at IoU threshold t and bit 10 + t = ignored.
JsonValue gcg_image_stats_to_json(const GcgImageStats& s, rapidjson::Document::AllocatorType& a);
// Inverse; throws std::invalid_argument on a malformed object.
GcgImageStats gcg_image_stats_from_json(const JsonValue& v);


}  // namespace pgc
