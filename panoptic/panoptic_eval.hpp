#pragma once
// Scores a COCO panoptic prediction against GT: streams image pairs through a thread pool
// (decode both PNGs into per-worker buffers, count id pairs, check PNG against JSON, apply
// panopticapi's rules), keeps only per-image statistics, and sums them in GT order so the
// numbers do not depend on the thread count. Also the shard state (--save-state / pgc merge).
#include <string>
#include <vector>

#include "core/bootstrap.hpp"
#include "core/results.hpp"
#include "core/signature.hpp"
#include "metrics/panoptic_quality.hpp"
#include "panoptic/panoptic_io.hpp"

namespace pgc {

struct PanopticInputs {
  std::string gt_json, gt_dir, pred_json, pred_dir;
  std::string categories_json;  // empty: the categories of gt_json
};

struct PanopticOptions {
  int threads = 0;     // 0: all cores
  bool quiet = false;  // no progress line
};

// Everything a result or a shard state needs.
struct PanopticEvaluation {
  std::vector<PqCategory> categories;  // the order the averages are summed in
  std::string categories_origin;       // file they came from
  std::vector<std::string> image_ids;  // GT order
  std::vector<PqStats> per_image;      // parallel to image_ids
  PqStats totals;                      // per_image summed in order
  std::vector<std::string> ignored_pred_images;  // pred images with no GT (warned about)
};

// Reads, checks and scores. Throws InputError for any bad input (see panoptic_io.hpp and the
// per-image checks: PNG/JSON segment mismatch, GT area != pixel count, size mismatch).
PanopticEvaluation evaluate_panoptic(const PanopticInputs& in, const PanopticOptions& opt);

// One image pair: decodes both PNGs with `decoder` into `gt_img` / `pred_img` (reused
// buffers), checks them against the JSON, and returns panopticapi's per-image statistics.
struct PanopticWorker {
  PngDecoder decoder;
  RgbImage gt_img, pred_img;
  PqPairCounter counter;
};
PqStats evaluate_image_pair(const PanopticPair& pair, const PanopticInputs& in,
                            PanopticWorker& worker);

// Sum of per-image statistics in the given order (the order fixes the float sums).
PqStats sum_stats(const std::vector<PqStats>& per_image);

// The signature of a panoptic result: the rules, the categories (digest), pgc's version.
Signature panoptic_signature(const std::vector<PqCategory>& categories);

// ---- shard states (pgc panoptic --save-state, pgc merge)

// {"schema": "pgc.panoptic_state/1", "signature", "categories": [...], "images": [ids],
//  "stats": {"<image id>": {"<cat>": [tp, fp, fn, iou]}}, "totals": {...}}
std::string panoptic_state_json(const PanopticEvaluation& e);
PanopticEvaluation read_panoptic_state(const std::string& path);
// Concatenates shards in the given order; refuses differing signatures or categories and
// image ids present in two shards. `paths` name the shards in errors.
PanopticEvaluation merge_panoptic_states(const std::vector<PanopticEvaluation>& shards,
                                         const std::vector<std::string>& paths);

// Categories as JSON [{"id", "name", "isthing"}] (results and states carry them so Things /
// Stuff can be recomputed from the stats block alone).
JsonValue categories_to_json(const std::vector<PqCategory>& c, rapidjson::Document::AllocatorType& a);

// The results document of `pgc panoptic` / `pgc merge`: make_results(...) plus pq_compute's
// structure, "categories", "stats" and, with `bootstrap` > 0, "ci".
struct PanopticReportOptions {
  std::string name;
  std::vector<InputFile> inputs;
  int bootstrap = 0;
  uint64_t seed = 0;
};
JsonDoc panoptic_results(const PanopticEvaluation& e, const PqResult& r,
                         const PanopticReportOptions& opt);

// Corpus metrics (PQ, SQ, RQ, PQ_th, ...) of a multiset of images (bootstrap, compare).
CorpusFn panoptic_corpus_fn(const std::vector<PqStats>& per_image,
                            const std::vector<PqCategory>& categories);

// panopticapi's printout: PQ SQ RQ N for All / Things / Stuff (x100); with `per_class` also a
// row per counted class with its TP / FP / FN from `totals`.
std::string panoptic_table(const PqResult& r, const std::vector<PqCategory>& categories,
                           const PqStats& totals, bool per_class);

}  // namespace pgc
