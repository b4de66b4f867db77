#include "panoptic/grounded_pq.hpp"

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace pgc {

GroundedPanopticMap paint_grounded_phrases(const std::vector<GroundedPhraseMask>& phrases, uint32_t height,
                                           uint32_t width, const std::vector<PqCategory>& categories) {
  std::unordered_map<int64_t, bool> isthing;
  for (const auto& c : categories) isthing[c.id] = c.isthing;
  GroundedPanopticMap map;
  map.height = height;
  map.width = width;
  map.ids.assign(size_t{height} * width, kPanopticVoid);
  std::vector<PqSegment> created;      // every segment a phrase created, painted or not
  std::vector<int64_t> painted;        // pixels per created segment
  std::unordered_map<int64_t, size_t> stuff_segment;  // stuff category -> index in `created`
  for (size_t k = 0; k < phrases.size(); ++k) {
    const GroundedPhraseMask& p = phrases[k];
    if (!p.mask) continue;
    const auto cat = isthing.find(p.category_id);
    if (cat == isthing.end())
      throw std::invalid_argument("phrase " + std::to_string(k) + ": category_id " + std::to_string(p.category_id) +
                                  " is not a panoptic category");
    if (p.mask->height != height || p.mask->width != width)
      throw std::invalid_argument("phrase " + std::to_string(k) + ": mask is " + std::to_string(p.mask->height) + "x" +
                                  std::to_string(p.mask->width) + " (height x width) but the image is " +
                                  std::to_string(height) + "x" + std::to_string(width));
    size_t seg;
    const auto existing = cat->second ? stuff_segment.end() : stuff_segment.find(p.category_id);
    if (existing != stuff_segment.end()) {
      seg = existing->second;
    } else {
      seg = created.size();
      created.push_back({static_cast<uint32_t>(k + 1), p.category_id, false});
      painted.push_back(0);
      if (!cat->second) stuff_segment[p.category_id] = seg;
    }
    const uint32_t id = created[seg].id;
    // Runs are column-major: pixel j is (row j % height, column j / height).
    uint64_t j = 0;
    for (size_t r = 0; r < p.mask->counts.size(); ++r) {
      const uint64_t end = j + p.mask->counts[r];
      if (r % 2 == 1) {
        for (uint64_t q = j; q < end; ++q) {
          uint32_t& px = map.ids[(q % height) * width + q / height];
          if (px == kPanopticVoid) {
            px = id;
            ++painted[seg];
          }
        }
      }
      j = end;
    }
  }
  for (size_t s = 0; s < created.size(); ++s)
    if (painted[s] > 0) map.segments.push_back(created[s]);
  return map;
}

std::vector<PqSegment> grounded_gt_segments(std::vector<uint32_t>& gt_ids, const std::vector<PqSegment>& all_segments,
                                            const std::vector<int64_t>& referenced_ids, GroundedGtMode mode) {
  if (mode == GroundedGtMode::kFull) return all_segments;
  std::unordered_set<int64_t> referenced(referenced_ids.begin(), referenced_ids.end());
  std::vector<PqSegment> kept;
  std::unordered_set<uint32_t> kept_ids;
  for (const auto& s : all_segments)
    if (referenced.count(s.id)) {
      kept.push_back(s);
      kept_ids.insert(s.id);
    }
  for (uint32_t& px : gt_ids)
    if (px != kPanopticVoid && !kept_ids.count(px)) px = kPanopticVoid;
  return kept;
}

PqStats grounded_pq_image_stats(std::vector<uint32_t>& gt_ids, uint32_t height, uint32_t width,
                                const std::vector<PqSegment>& gt_segments, const std::vector<int64_t>& referenced_ids,
                                const std::vector<GroundedPhraseMask>& phrases, const std::vector<PqCategory>& categories,
                                GroundedGtMode mode) {
  if (gt_ids.size() != size_t{height} * width)
    throw std::invalid_argument("GT id map size differs from the image size");
  const std::vector<PqSegment> gt_used = grounded_gt_segments(gt_ids, gt_segments, referenced_ids, mode);
  const GroundedPanopticMap pred = paint_grounded_phrases(phrases, height, width, categories);
  return pq_image_stats(gt_ids.data(), pred.ids.data(), gt_ids.size(), gt_used, pred.segments);
}

}  // namespace pgc
