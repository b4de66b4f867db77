#pragma once
// Panoptic Quality (Kirillov et al. 2019) exactly as COCO panopticapi's pq_compute computes it
// (commit 7bb4655): per image, count (GT id, pred id) pixel intersections, match segments at
// IoU > 0.5 with the VOID-corrected union, count unmatched segments as FN / FP (except preds
// mostly on VOID or on the LAST crowd region of their class), and sum per category; the corpus
// scores are plain means over categories seen on either side. The rules and quirks are written
// down in docs/metrics.md, "Panoptic Quality". Pure compute: no file I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace pgc {

// VOID (unlabeled) pixels have segment id 0; ids are 24-bit (R + 256 G + 65536 B).
constexpr uint32_t kPanopticVoid = 0;
constexpr uint32_t kPanopticMaxId = 0xFFFFFF;

// What one category accumulated: panopticapi's PQStatCat.
struct PqClassStats {
  int64_t tp = 0, fp = 0, fn = 0;
  double iou = 0.0;  // sum of the IoUs of the matched pairs
  void merge(const PqClassStats& o) { tp += o.tp; fp += o.fp; fn += o.fn; iou += o.iou; }
  bool empty() const { return tp == 0 && fp == 0 && fn == 0 && iou == 0.0; }
};

// Per-category accumulator (panopticapi's PQStat), sorted by category id. One image's
// statistics, a shard's or a corpus's: merge() adds them up.
class PqStats {
 public:
  PqClassStats& operator[](int64_t category_id);
  const PqClassStats* find(int64_t category_id) const;
  void merge(const PqStats& other);
  const std::vector<std::pair<int64_t, PqClassStats>>& entries() const { return entries_; }
  bool operator==(const PqStats& o) const;

  // {"<cat id>": [tp, fp, fn, iou_sum], ...} for the categories with a non-zero entry.
  JsonValue to_json(rapidjson::Document::AllocatorType& a) const;
  // Inverse of to_json; InputError(file, item, ...) on a malformed entry.
  static PqStats from_json(const JsonValue& v, const std::string& file, const std::string& item);

 private:
  std::vector<std::pair<int64_t, PqClassStats>> entries_;
};

struct PqCategory {
  int64_t id = 0;
  std::string name;
  bool isthing = false;
};

// One entry of segments_info. `area` is not needed: pgc counts the pixels of both maps (and
// panoptic/ checks that GT JSON areas equal those counts, so panopticapi's use of the GT JSON
// area gives the same numbers).
struct PqSegment {
  uint32_t id = 0;
  int64_t category_id = 0;
  bool iscrowd = false;
};

// Pixel counts of every (GT id, pred id) pair of one image, sorted by (gt, pred) as np.unique
// orders panopticapi's OFFSET keys; this order is also the order IoUs are summed in.
struct PqPairCount {
  uint32_t gt = 0, pred = 0;
  int64_t pixels = 0;
};
using PqPairCounts = std::vector<PqPairCount>;

// Counts (GT id, pred id) pairs of two maps. Reuses its hash table across images, so keep one
// per worker. Consecutive equal pairs are counted as one run (segments are contiguous).
class PqPairCounter {
 public:
  // From decoded id maps (one uint32 id per pixel).
  PqPairCounts count_ids(const uint32_t* gt, const uint32_t* pred, size_t pixels);
  // From 8-bit RGB pixel rows (3 bytes a pixel, id = R + 256 G + 65536 B), without building
  // id maps: the hot path of pgc panoptic.
  PqPairCounts count_rgb(const uint8_t* gt_rgb, const uint8_t* pred_rgb, size_t pixels);

 private:
  void add(uint32_t gt, uint32_t pred, int64_t n);
  PqPairCounts drain();
  void grow();
  std::vector<uint64_t> keys_;   // (gt << 24 | pred) + 1; 0 = empty slot
  std::vector<int64_t> counts_;
  std::vector<uint32_t> used_;   // occupied slots, to clear and drain without a full scan
};

// Pixel counts per id on one side, from pair counts.
std::vector<std::pair<uint32_t, int64_t>> pq_gt_areas(const PqPairCounts& pairs);
std::vector<std::pair<uint32_t, int64_t>> pq_pred_areas(const PqPairCounts& pairs);

// panopticapi's per-image rules (pq_compute_single_core after its sanity checks): matches,
// FN, FP. Segment areas are the pixel counts in `pairs`. A listed GT segment with no pixel is
// a FN (as in panopticapi); a listed pred segment with no pixel is invalid input (panoptic/
// rejects it) and counts as a FP here. Ids absent from the lists are treated as panopticapi
// does: neither VOID nor matchable. A repeated id in a list: the last entry wins (dict).
PqStats pq_image_stats(const PqPairCounts& pairs, const std::vector<PqSegment>& gt_segments,
                       const std::vector<PqSegment>& pred_segments);

// Convenience for tests and callers holding id maps: count + match.
PqStats pq_image_stats(const uint32_t* gt_ids, const uint32_t* pred_ids, size_t pixels,
                       const std::vector<PqSegment>& gt_segments,
                       const std::vector<PqSegment>& pred_segments);

struct PqClassResult {
  double pq = 0, sq = 0, rq = 0;
  // panopticapi writes sq as the integer 0 (not 0.0) when tp == 0 but fp + fn > 0.
  bool sq_is_integer_zero = false;
  bool counted = false;  // tp + fp + fn > 0: included in the averages and in n
};

struct PqGroupResult {
  std::optional<double> pq, sq, rq;  // empty when n == 0 (panopticapi divides by zero)
  int n = 0;
};

struct PqResult {
  PqGroupResult all, things, stuff;
  std::vector<std::pair<int64_t, PqClassResult>> per_class;  // in category order
};

// panopticapi's pq_average for All / Things / Stuff: per class pq = iou/(tp + fp/2 + fn/2),
// sq = iou/tp, rq = tp/(tp + fp/2 + fn/2); group = plain mean over the counted classes, summed
// in category order. Stats of categories not in `categories` are ignored.
PqResult pq_score(const PqStats& stats, const std::vector<PqCategory>& categories);

// The corpus metric names used by compare / gate / leaderboards (fractions 0..1):
// PQ, SQ, RQ, PQ_th, SQ_th, RQ_th, PQ_st, SQ_st, RQ_st; a group with n = 0 is left out.
std::vector<std::pair<std::string, double>> pq_corpus_metrics(const PqResult& r);

// panopticapi's structure: {"All": {...}, "per_class": {...}, "Things": {...}, "Stuff": {...}}
// added to `out` (an object); a group with n = 0 has pq/sq/rq null.
void pq_result_to_json(const PqResult& r, JsonValue& out, rapidjson::Document::AllocatorType& a);

}  // namespace pgc
