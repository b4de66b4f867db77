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

std::unordered_map<uint32_t, Rle> panoptic_segment_masks(const std::vector<uint32_t>& ids, uint32_t height,
                                                         uint32_t width) {
  if (ids.size() != size_t{height} * width) throw std::invalid_argument("panoptic id map size differs from the image size");
  // Walk the pixels in column-major order; each maximal run of one id extends that segment.
  struct Building {
    Rle rle;
    uint64_t end = 0;  // end of its last run of ones
  };
  std::unordered_map<uint32_t, Building> building;
  const uint64_t total = ids.size();
  auto close_run = [&](uint32_t id, uint64_t begin, uint64_t end) {
    if (id == 0) return;  // VOID
    Building& b = building[id];
    if (b.rle.counts.empty()) {
      b.rle.height = height;
      b.rle.width = width;
    }
    b.rle.counts.push_back(static_cast<uint32_t>(begin - b.end));
    b.rle.counts.push_back(static_cast<uint32_t>(end - begin));
    b.end = end;
  };
  uint32_t current = 0;
  uint64_t run_begin = 0;
  for (uint64_t j = 0; j < total; ++j) {
    const uint32_t id = ids[(j % height) * width + j / height];
    if (id != current) {
      close_run(current, run_begin, j);
      current = id;
      run_begin = j;
    }
  }
  close_run(current, run_begin, total);
  std::unordered_map<uint32_t, Rle> out;
  for (auto& [id, b] : building) {
    if (b.end < total) b.rle.counts.push_back(static_cast<uint32_t>(total - b.end));
    out.emplace(id, std::move(b.rle));
  }
  return out;
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
  const auto segment_masks = panoptic_segment_masks(panoptic_ids, gt.height, gt.width);
  const Rle empty = rle_from_counts({gt.height * gt.width}, gt.height, gt.width);
  for (size_t k : glamm_span_order(gt)) {
    const GroundTruthSpan& span = gt.spans[k];
    std::vector<const Rle*> parts;
    for (int64_t id : span.segment_ids) {
      const auto it = segment_masks.find(static_cast<uint32_t>(id));
      parts.push_back(it == segment_masks.end() ? &empty : &it->second);  // no pixels: empty mask
    }
    im.gt_masks.push_back(parts.empty() ? empty : rle_merge(parts, false));
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
