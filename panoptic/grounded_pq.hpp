#pragma once
// PQ of grounded masks (pgc_formats.md §7.3 and §10.6): a grounded caption's phrase masks are
// painted into a predicted panoptic map, which is scored against the GT panoptic annotation
// with panopticapi's per-image rules (metrics/panoptic_quality.hpp).
//
// Painting, as the fixtures' pq/ folders were built (fixtures/grounded/README.md):
//   phrases with a mask, in file order; each paints only pixels not yet claimed (first wins);
//   every phrase of a STUFF category paints into the single segment of that category (created
//   by its first phrase); thing phrases are separate segments; segments left with 0 pixels are
//   dropped. Segment id = 1 + the phrase's index in the caption's phrase list (null masks
//   counted) of the phrase that created it; PQ does not depend on the ids.
// GT modes:
//   full      every segment of segments_info (the default; 13.2 masks per caption ~ all)
//   grounded  only the segments referenced by some GT caption span; every other labelled
//             pixel becomes VOID (so predictions there are discounted, not false positives)
//
// Pure compute on in-memory masks and id maps: the I/O (JSONL, PNG) is the caller's.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/panoptic_quality.hpp"
#include "metrics/rle.hpp"

namespace pgc {

enum class GroundedGtMode { kFull, kGrounded };

// One predicted phrase as PQ sees it: its mask (nullptr = ungrounded, skipped) and the
// category it was given or mapped to.
struct GroundedPhraseMask {
  const Rle* mask = nullptr;
  int64_t category_id = 0;
};

// A predicted panoptic map: row-major segment ids (0 = unclaimed) and its segments.
struct GroundedPanopticMap {
  uint32_t height = 0, width = 0;
  std::vector<uint32_t> ids;
  std::vector<PqSegment> segments;  // in creation order, only those with pixels
};

// Paints the phrases (see above). `categories` tells thing from stuff. Throws
// std::invalid_argument naming the phrase index when a category is unknown or a mask's size
// differs from height x width.
GroundedPanopticMap paint_grounded_phrases(const std::vector<GroundedPhraseMask>& phrases, uint32_t height,
                                           uint32_t width, const std::vector<PqCategory>& categories);

// The GT side of one image: its row-major id map (R + 256 G + 256^2 B, modified in place for
// the grounded mode), all its segments, and the segment ids referenced by caption spans.
// Returns the segments PQ should see; in grounded mode ids not referenced are set to VOID in
// `gt_ids`.
std::vector<PqSegment> grounded_gt_segments(std::vector<uint32_t>& gt_ids, const std::vector<PqSegment>& all_segments,
                                            const std::vector<int64_t>& referenced_ids, GroundedGtMode mode);

// One image's panopticapi statistics: paint the phrases, apply the GT mode, count, match.
PqStats grounded_pq_image_stats(std::vector<uint32_t>& gt_ids, uint32_t height, uint32_t width,
                                const std::vector<PqSegment>& gt_segments, const std::vector<int64_t>& referenced_ids,
                                const std::vector<GroundedPhraseMask>& phrases, const std::vector<PqCategory>& categories,
                                GroundedGtMode mode);

}  // namespace pgc
