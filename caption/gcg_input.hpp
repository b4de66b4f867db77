#pragma once
// Turns PGC ground-truth / prediction records into GLaMM's GCG inputs, the same way the
// fixtures' glamm/ folders were derived (fixtures/grounded/README.md):
//   GT: one mask per GT span, spans ordered by start then longer first; mask = union of the
//       span's segments (crowd segments included, as plain pixels); label = caption[start:end].
//   Predictions: phrases with a non-null mask, in file order (null masks are dropped: GLaMM
//       cannot represent them; all-zero masks are kept as area-0 detections).
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "caption/pgc_jsonl.hpp"
#include "metrics/gcg.hpp"

namespace pgc {

// Column-major RLE of the pixels of `segment_id` in a row-major panoptic id map (R + 256 G +
// 256^2 B as decoded from the PNG).
Rle panoptic_segment_mask(const std::vector<uint32_t>& ids, uint32_t height, uint32_t width, uint32_t segment_id);

// Column-major RLEs of every non-zero segment id of the map, in one pass over the pixels.
std::unordered_map<uint32_t, Rle> panoptic_segment_masks(const std::vector<uint32_t>& ids, uint32_t height, uint32_t width);

// GT spans in GLaMM annotation order (indices into gt.spans).
std::vector<size_t> glamm_span_order(const PgcGroundTruth& gt);

// One GcgImage. `panoptic_ids` is the GT's id map (height x width, row-major); `pred` may be
// null for an image without prediction (no detections). `use_scores`: pass phrase scores to
// AP (off = GLaMM parity, every score 1.0). Mask sizes must already match (see
// check_prediction_against_ground_truth).
GcgImage gcg_image_from_records(const PgcGroundTruth& gt, const std::vector<uint32_t>& panoptic_ids,
                                const PgcPrediction* pred, bool use_scores = false);

}  // namespace pgc
