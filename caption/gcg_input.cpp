#include "caption/gcg_input.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "caption/code_points.hpp"

namespace pgc {

Rle panoptic_segment_mask(const std::vector<uint32_t>& ids, uint32_t height, uint32_t width, uint32_t segment_id) {
  if (ids.size() != size_t{height} * width) throw std::invalid_argument("panoptic id map size differs from the image size");
  std::vector<uint8_t> mask(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) mask[i] = ids[i] == segment_id;
  return rle_encode_row_major(mask.data(), height, width);
}

std::vector<size_t> glamm_span_order(const PgcGroundTruth& gt) {
  std::vector<size_t> order(gt.spans.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = gt.spans[a];
    const auto& y = gt.spans[b];
    if (x.start != y.start) return x.start < y.start;
    return x.end > y.end;  // longer first
  });
  return order;
}

GcgImage gcg_image_from_records(const PgcGroundTruth& gt, const std::vector<uint32_t>& panoptic_ids,
                                const PgcPrediction* pred, bool use_scores) {
  GcgImage im;
  im.image_id = gt.image_id.key;
  const std::u32string caption = utf8_to_code_points(gt.caption);
  std::unordered_map<int64_t, Rle> segment_masks;  // each segment decoded once
  for (size_t k : glamm_span_order(gt)) {
    const GroundTruthSpan& span = gt.spans[k];
    std::vector<const Rle*> parts;
    for (int64_t id : span.segment_ids) {
      auto it = segment_masks.find(id);
      if (it == segment_masks.end())
        it = segment_masks.emplace(id, panoptic_segment_mask(panoptic_ids, gt.height, gt.width, static_cast<uint32_t>(id))).first;
      parts.push_back(&it->second);
    }
    im.gt_masks.push_back(parts.empty() ? rle_from_counts({gt.height * gt.width}, gt.height, gt.width)
                                        : rle_merge(parts, false));
    im.gt_labels.push_back(code_points_to_utf8(caption.substr(span.start, span.end - span.start)));
  }
  if (pred) {
    for (const PredictedPhrase& ph : pred->phrases) {
      if (!ph.mask) continue;
      im.pred_masks.push_back(*ph.mask);
      im.pred_phrases.push_back(ph.text);
      if (use_scores) im.pred_scores.push_back(ph.score.value_or(1.0));
    }
  }
  return im;
}

}  // namespace pgc
