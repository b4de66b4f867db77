#include "metrics/gcg.hpp"
#include "metrics/numpy_mean.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/thread_pool.hpp"

namespace pgc {

// ---------------------------------------------------------------- text similarity table

void TextSimilarityTable::set(const std::string& gt_label, const std::string& pred_phrase, double cosine) {
  table_[key(gt_label, pred_phrase)] = cosine;
}

double TextSimilarityTable::operator()(const std::string& gt_label, const std::string& pred_phrase) const {
  const auto it = table_.find(key(gt_label, pred_phrase));
  if (it == table_.end()) {
    throw std::out_of_range("no text similarity for \"" + key(gt_label, pred_phrase) + "\"");
  }
  return it->second;
}

namespace {

// ---------------------------------------------------------------- COCOeval parameters

// np.linspace(.5, .95, 10) and np.linspace(0, 1, 101) computed as numpy does (i * step + start,
// last = stop), so thresholds compare bit-for-bit with the reference.
const std::array<double, kCocoIouThresholds>& coco_iou_thresholds() {
  static const auto t = [] {
    std::array<double, kCocoIouThresholds> a{};
    const double step = (0.95 - 0.5) / 9;
    for (int i = 0; i < kCocoIouThresholds; ++i) a[i] = i * step + 0.5;
    a[kCocoIouThresholds - 1] = 0.95;
    return a;
  }();
  return t;
}

constexpr int kRecallThresholds = 101;
const std::array<double, kRecallThresholds>& coco_recall_thresholds() {
  static const auto r = [] {
    std::array<double, kRecallThresholds> a{};
    const double step = (1.0 - 0.0) / 100;
    for (int i = 0; i < kRecallThresholds; ++i) a[i] = i * step + 0.0;
    a[kRecallThresholds - 1] = 1.0;
    return a;
  }();
  return r;
}

constexpr double kAreaRange[kCocoAreaRanges][2] = {
    {0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};  // inclusive at both ends
constexpr int kMaxDetsList[3] = {1, 10, 100};

bool outside(double area, int range) { return area < kAreaRange[range][0] || area > kAreaRange[range][1]; }

// ---------------------------------------------------------------- per-image pieces

// Pixel counts shared by the three metrics: areas and the pred x GT intersection matrix.
struct Overlaps {
  std::vector<uint64_t> pred_area, gt_area;
  std::vector<uint64_t> inter;  // [d * n_gt + g]
  size_t n_pred = 0, n_gt = 0;
  uint64_t at(size_t d, size_t g) const { return inter[d * n_gt + g]; }
  // pycocotools: 0 when nothing overlaps (empty vs empty included).
  double coco_iou(size_t d, size_t g) const {
    const uint64_t i = at(d, g);
    return i == 0 ? 0.0 : double(i) / double(pred_area[d] + gt_area[g] - i);
  }
  // GLaMM's numpy |A & B| / |A | B|: 0/0 is NaN.
  double numpy_iou(size_t d, size_t g) const {
    const uint64_t i = at(d, g);
    const uint64_t u = pred_area[d] + gt_area[g] - i;
    return u == 0 ? std::numeric_limits<double>::quiet_NaN() : double(i) / double(u);
  }
};

Overlaps compute_overlaps(const GcgImage& im) {
  Overlaps o;
  o.n_pred = im.pred_masks.size();
  o.n_gt = im.gt_masks.size();
  for (const Rle& m : im.pred_masks) o.pred_area.push_back(rle_area(m));
  for (const Rle& m : im.gt_masks) o.gt_area.push_back(rle_area(m));
  o.inter.resize(o.n_pred * o.n_gt);
  for (size_t d = 0; d < o.n_pred; ++d)
    for (size_t g = 0; g < o.n_gt; ++g) o.inter[d * o.n_gt + g] = rle_intersection_area(im.pred_masks[d], im.gt_masks[g]);
  return o;
}

void validate(const GcgImage& im) {
  if (im.gt_masks.size() != im.gt_labels.size())
    throw std::invalid_argument("image " + im.image_id + ": " + std::to_string(im.gt_masks.size()) +
                                " GT masks but " + std::to_string(im.gt_labels.size()) + " GT labels");
  if (im.pred_masks.size() != im.pred_phrases.size())
    throw std::invalid_argument("image " + im.image_id + ": " + std::to_string(im.pred_masks.size()) +
                                " predicted masks but " + std::to_string(im.pred_phrases.size()) + " phrases");
  if (!im.pred_scores.empty() && im.pred_scores.size() != im.pred_masks.size())
    throw std::invalid_argument("image " + im.image_id + ": scores and predicted masks differ in number");
  const Rle* first = !im.gt_masks.empty() ? &im.gt_masks[0] : !im.pred_masks.empty() ? &im.pred_masks[0] : nullptr;
  auto check = [&](const Rle& m) {
    if (m.height != first->height || m.width != first->width)
      throw std::invalid_argument("image " + im.image_id + ": masks of different sizes (" +
                                  std::to_string(m.height) + "x" + std::to_string(m.width) + " vs " +
                                  std::to_string(first->height) + "x" + std::to_string(first->width) + ")");
  };
  for (const Rle& m : im.gt_masks) check(m);
  for (const Rle& m : im.pred_masks) check(m);
}

// COCOeval.evaluateImg for every area range (category 1, maxDet 100).
void coco_evaluate_image(const GcgImage& im, const Overlaps& o, GcgImageStats& s) {
  // Detections by descending score, stable (np.argsort(-score, kind='mergesort')), first 100.
  std::vector<size_t> dts(o.n_pred);
  for (size_t d = 0; d < dts.size(); ++d) dts[d] = d;
  auto score = [&](size_t d) { return im.pred_scores.empty() ? 1.0 : im.pred_scores[d]; };
  std::stable_sort(dts.begin(), dts.end(), [&](size_t a, size_t b) { return score(a) > score(b); });
  if (dts.size() > size_t{kCocoMaxDets}) dts.resize(kCocoMaxDets);
  s.dt_scores.clear();
  for (size_t d : dts) s.dt_scores.push_back(score(d));

  const auto& thresholds = coco_iou_thresholds();
  const size_t n_dt = dts.size();
  for (int a = 0; a < kCocoAreaRanges; ++a) {
    CocoImageEval& e = s.coco[a];
    e.present = o.n_gt > 0 || n_dt > 0;
    e.dt_matched.assign(kCocoIouThresholds * n_dt, 0);
    e.dt_ignored.assign(kCocoIouThresholds * n_dt, 0);
    e.gt_not_ignored = 0;
    if (!e.present) continue;
    // GT sorted with the ignored ones (area outside the range; GLaMM GT is never crowd) last.
    std::vector<size_t> gts;
    std::vector<uint8_t> gt_ignored;
    for (int pass = 0; pass < 2; ++pass)
      for (size_t g = 0; g < o.n_gt; ++g)
        if (outside(double(o.gt_area[g]), a) == (pass == 1)) {
          gts.push_back(g);
          gt_ignored.push_back(pass == 1);
          e.gt_not_ignored += pass == 0;
        }
    for (int t = 0; t < kCocoIouThresholds; ++t) {
      std::vector<uint8_t> gt_taken(gts.size(), 0);
      for (size_t k = 0; k < n_dt; ++k) {
        double best = std::min(thresholds[t], 1 - 1e-10);
        long m = -1;
        for (size_t j = 0; j < gts.size(); ++j) {
          if (gt_taken[j]) continue;
          if (m > -1 && !gt_ignored[m] && gt_ignored[j]) break;  // only ignored GTs are left
          const double iou = o.coco_iou(dts[k], gts[j]);
          if (iou < best) continue;
          best = iou;  // equal IoU replaces: the LAST of equally good GTs wins
          m = long(j);
        }
        if (m == -1) continue;
        e.dt_ignored[t * n_dt + k] = gt_ignored[m];
        e.dt_matched[t * n_dt + k] = 1;
        gt_taken[m] = 1;
      }
    }
    // Unmatched detections outside the area range are ignored.
    for (size_t k = 0; k < n_dt; ++k)
      if (outside(double(o.pred_area[dts[k]]), a))
        for (int t = 0; t < kCocoIouThresholds; ++t)
          if (!e.dt_matched[t * n_dt + k]) e.dt_ignored[t * n_dt + k] = 1;
  }
}

// np.argmax over the live entries of a row-major matrix: the first NaN if any, else the first
// maximum. Returns false when nothing is live.
bool numpy_argmax(const std::vector<double>& m, size_t& best) {
  if (m.empty()) return false;
  best = 0;
  double mp = m[0];
  if (std::isnan(mp)) return true;
  for (size_t i = 1; i < m.size(); ++i) {
    if (!(m[i] <= mp)) {
      mp = m[i];
      best = i;
      if (std::isnan(mp)) break;
    }
  }
  return true;
}

// GLaMM compute_miou: pred x GT matrix; np.max is NaN when any entry is NaN, which ends the
// loop before it starts (the image scores 0).
double glamm_image_miou(const Overlaps& o) {
  std::vector<double> m(o.n_pred * o.n_gt);
  for (size_t d = 0; d < o.n_pred; ++d)
    for (size_t g = 0; g < o.n_gt; ++g) m[d * o.n_gt + g] = o.numpy_iou(d, g);
  for (double v : m)
    if (std::isnan(v)) return 0.0;
  // Deleting a row and a column keeps the others in row-major order, so masking them out of the
  // full matrix finds the same "first maximum".
  std::vector<uint8_t> row_live(o.n_pred, 1), col_live(o.n_gt, 1);
  std::vector<double> paired;
  while (true) {
    double best = -1;
    size_t bd = 0, bg = 0;
    for (size_t d = 0; d < o.n_pred; ++d) {
      if (!row_live[d]) continue;
      for (size_t g = 0; g < o.n_gt; ++g)
        if (col_live[g] && m[d * o.n_gt + g] > best) {
          best = m[d * o.n_gt + g];
          bd = d;
          bg = g;
        }
    }
    if (!(best > 0)) break;
    paired.push_back(best);
    row_live[bd] = 0;
    col_live[bg] = 0;
  }
  return paired.empty() ? 0.0 : numpy_mean(paired);
}

// GLaMM find_best_matches on the GT x pred matrix. `skip_failing_text`: pgc's recall_skip.
std::vector<std::pair<size_t, size_t>> glamm_recall_matches(const GcgImage& im, const Overlaps& o,
                                                             const TextSimilarity& similarity,
                                                             const GcgOptions& opt, bool skip_failing_text) {
  const size_t rows = o.n_gt, cols = o.n_pred;
  std::vector<double> ious(rows * cols);
  for (size_t g = 0; g < rows; ++g)
    for (size_t d = 0; d < cols; ++d) ious[g * cols + d] = o.numpy_iou(d, g);
  std::vector<std::pair<size_t, size_t>> matches;
  size_t idx = 0;
  while (numpy_argmax(ious, idx)) {
    const size_t g = idx / cols, d = idx % cols;
    const double iou = ious[idx];
    if (iou < opt.recall_iou_threshold) break;  // NaN passes this gate, as in numpy
    // Text similarity is looked up only for examined pairs; the reference computes them all
    // up front, with the same result.
    if (similarity(im.gt_labels[g], im.pred_phrases[d]) < opt.recall_text_threshold) {
      if (!skip_failing_text) break;  // QUIRK: the reference stops at the first failing pair
      ious[idx] = -1.0;               // recall_skip: drop this pair only
      continue;
    }
    matches.emplace_back(g, d);
    for (size_t k = 0; k < cols; ++k) ious[g * cols + k] = 0.0;
    for (size_t k = 0; k < rows; ++k) ious[k * cols + d] = 0.0;
  }
  return matches;
}

}  // namespace

GcgImageStats gcg_image_stats(const GcgImage& im, const TextSimilarity& similarity, const GcgOptions& opt) {
  // With a threshold of 0 the reference's greedy would accept zeroed pairs forever.
  if (!(opt.recall_iou_threshold > 0)) throw std::invalid_argument("recall IoU threshold must be > 0");
  validate(im);
  const Overlaps o = compute_overlaps(im);
  GcgImageStats s;
  s.image_id = im.image_id;
  s.n_pred_masks = o.n_pred;
  s.gt_labels = im.gt_labels.size();
  coco_evaluate_image(im, o, s);
  s.miou = glamm_image_miou(o);
  s.recall_matches = glamm_recall_matches(im, o, similarity, opt, false);
  s.recall_true_positives = s.recall_matches.size();
  s.recall_skip_true_positives = glamm_recall_matches(im, o, similarity, opt, true).size();
  return s;
}

namespace {

// Integers (optionally signed) compare numerically and come before other strings, which compare
// bytewise: sorted(cocoGt.getImgIds()) for integer ids.
bool image_id_less(const std::string& a, const std::string& b) {
  auto is_int = [](const std::string& s) {
    size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    if (i == s.size() || s.size() - i > 18) return false;
    for (; i < s.size(); ++i)
      if (s[i] < '0' || s[i] > '9') return false;
    return true;
  };
  const bool ia = is_int(a), ib = is_int(b);
  if (ia != ib) return ia;
  if (ia) return std::stoll(a) < std::stoll(b);
  return a < b;
}

struct CocoAccumulated {
  // precision[t][r][a][m], recall[t][a][m]; -1 where no GT is in range (as COCOeval).
  std::vector<double> precision = std::vector<double>(kCocoIouThresholds * kRecallThresholds * kCocoAreaRanges * 3, -1.0);
  std::vector<double> recall = std::vector<double>(kCocoIouThresholds * kCocoAreaRanges * 3, -1.0);
  double& p(int t, int r, int a, int m) { return precision[((t * kRecallThresholds + r) * kCocoAreaRanges + a) * 3 + m]; }
  double& rc(int t, int a, int m) { return recall[(t * kCocoAreaRanges + a) * 3 + m]; }
};

// COCOeval.accumulate for one category.
CocoAccumulated coco_accumulate(const GcgStats& stats) {
  std::vector<const GcgImageStats*> images;
  for (const auto& s : stats.images) images.push_back(&s);
  std::stable_sort(images.begin(), images.end(),
                   [](const GcgImageStats* a, const GcgImageStats* b) { return image_id_less(a->image_id, b->image_id); });
  const auto& rec_thr = coco_recall_thresholds();
  const double eps = std::numeric_limits<double>::epsilon();  // np.spacing(1)
  CocoAccumulated acc;
  struct Det { double score; const CocoImageEval* e; size_t n_dt, k; };
  for (int a = 0; a < kCocoAreaRanges; ++a) {
    for (int mi = 0; mi < 3; ++mi) {
      std::vector<Det> dets;
      uint64_t npig = 0;
      for (const GcgImageStats* s : images) {
        const CocoImageEval& e = s->coco[a];
        if (!e.present) continue;
        const size_t n_dt = s->dt_scores.size();
        for (size_t k = 0; k < std::min<size_t>(n_dt, kMaxDetsList[mi]); ++k) dets.push_back({s->dt_scores[k], &e, n_dt, k});
        npig += e.gt_not_ignored;
      }
      if (npig == 0) continue;
      std::stable_sort(dets.begin(), dets.end(), [](const Det& x, const Det& y) { return x.score > y.score; });
      const size_t nd = dets.size();
      std::vector<double> rc(nd), pr(nd);
      for (int t = 0; t < kCocoIouThresholds; ++t) {
        double tp = 0, fp = 0;
        for (size_t i = 0; i < nd; ++i) {
          const Det& d = dets[i];
          const size_t at = t * d.n_dt + d.k;
          if (!d.e->dt_ignored[at]) (d.e->dt_matched[at] ? tp : fp) += 1;
          rc[i] = tp / double(npig);
          pr[i] = tp / (fp + tp + eps);
        }
        acc.rc(t, a, mi) = nd ? rc[nd - 1] : 0.0;
        for (size_t i = nd; i-- > 1;)  // precision envelope, right to left
          if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
        for (int r = 0; r < kRecallThresholds; ++r) {
          const size_t pi = size_t(std::lower_bound(rc.begin(), rc.end(), rec_thr[r]) - rc.begin());
          if (pi >= nd) {  // the reference's IndexError: the rest stays 0
            for (int rr = r; rr < kRecallThresholds; ++rr) acc.p(t, rr, a, mi) = 0.0;
            break;
          }
          acc.p(t, r, a, mi) = pr[pi];
        }
      }
    }
  }
  return acc;
}

// COCOeval.summarize's _summarize: mean of the defined (> -1) entries, -1 if none.
double coco_summarize(CocoAccumulated& acc, bool ap, double iou_threshold, int a, int mi) {
  const auto& thr = coco_iou_thresholds();
  std::vector<double> values;
  for (int t = 0; t < kCocoIouThresholds; ++t) {
    if (iou_threshold >= 0 && thr[t] != iou_threshold) continue;  // np.where(iouThr == p.iouThrs)
    if (ap) {
      for (int r = 0; r < kRecallThresholds; ++r)
        if (acc.p(t, r, a, mi) > -1) values.push_back(acc.p(t, r, a, mi));
    } else if (acc.rc(t, a, mi) > -1) {
      values.push_back(acc.rc(t, a, mi));
    }
  }
  return values.empty() ? -1.0 : numpy_mean(values);
}

}  // namespace

GcgResult gcg_score(const GcgStats& stats) {
  GcgResult r;
  std::vector<double> mious;
  for (const auto& s : stats.images) {
    mious.push_back(s.miou);
    r.recall_true_positives += s.recall_true_positives;
    r.recall_skip_true_positives += s.recall_skip_true_positives;
    r.recall_gt_labels += s.gt_labels;
  }
  r.mIoU = mious.empty() ? 0.0 : numpy_mean(mious);
  if (r.recall_gt_labels > 0) {
    r.recall = double(r.recall_true_positives) / double(r.recall_gt_labels);
    r.recall_skip = double(r.recall_skip_true_positives) / double(r.recall_gt_labels);
  }
  CocoAccumulated acc = coco_accumulate(stats);
  const int all = 0, small = 1, medium = 2, large = 3;
  r.coco_summary = {coco_summarize(acc, true, -1, all, 2),    coco_summarize(acc, true, 0.5, all, 2),
                    coco_summarize(acc, true, 0.75, all, 2),  coco_summarize(acc, true, -1, small, 2),
                    coco_summarize(acc, true, -1, medium, 2), coco_summarize(acc, true, -1, large, 2),
                    coco_summarize(acc, false, -1, all, 0),   coco_summarize(acc, false, -1, all, 1),
                    coco_summarize(acc, false, -1, all, 2),   coco_summarize(acc, false, -1, small, 2),
                    coco_summarize(acc, false, -1, medium, 2), coco_summarize(acc, false, -1, large, 2)};
  r.AP = r.coco_summary[0];
  r.AP50 = r.coco_summary[1];
  return r;
}

GcgResult gcg_evaluate(const std::vector<GcgImage>& images, const TextSimilarity& similarity,
                       const GcgOptions& options, int threads, GcgStats* stats_out) {
  GcgStats stats;
  stats.images.resize(images.size());
  parallel_for(images.size(), resolve_threads(threads), [&](size_t i, int) {
    stats.images[i] = gcg_image_stats(images[i], similarity, options);
  });
  GcgResult r = gcg_score(stats);
  if (stats_out) *stats_out = std::move(stats);
  return r;
}

// ---------------------------------------------------------------- JSON form of the statistics

JsonValue gcg_image_stats_to_json(const GcgImageStats& s, rapidjson::Document::AllocatorType& a) {
  JsonValue o(rapidjson::kObjectType);
  o.AddMember("image_id", JsonValue(s.image_id.c_str(), a), a);
  o.AddMember("miou", s.miou, a);
  o.AddMember("n_gt", uint64_t(s.gt_labels), a);
  o.AddMember("n_pred", uint64_t(s.n_pred_masks), a);
  o.AddMember("tp", uint64_t(s.recall_true_positives), a);
  o.AddMember("tp_skip", uint64_t(s.recall_skip_true_positives), a);
  JsonValue matches(rapidjson::kArrayType);
  for (const auto& [g, d] : s.recall_matches) {
    JsonValue pair(rapidjson::kArrayType);
    pair.PushBack(uint64_t(g), a).PushBack(uint64_t(d), a);
    matches.PushBack(pair, a);
  }
  o.AddMember("matches", matches, a);
  JsonValue scores(rapidjson::kArrayType);
  for (double x : s.dt_scores) scores.PushBack(x, a);
  o.AddMember("scores", scores, a);
  JsonValue coco(rapidjson::kArrayType);
  const size_t n_dt = s.dt_scores.size();
  for (const CocoImageEval& e : s.coco) {
    if (!e.present) {
      coco.PushBack(JsonValue(rapidjson::kNullType), a);
      continue;
    }
    JsonValue area(rapidjson::kObjectType);
    area.AddMember("n_gt", e.gt_not_ignored, a);
    JsonValue dets(rapidjson::kArrayType);
    for (size_t k = 0; k < n_dt; ++k) {
      unsigned flags = 0;
      for (int t = 0; t < kCocoIouThresholds; ++t) {
        flags |= unsigned(e.dt_matched[t * n_dt + k]) << t;
        flags |= unsigned(e.dt_ignored[t * n_dt + k]) << (kCocoIouThresholds + t);
      }
      dets.PushBack(flags, a);
    }
    area.AddMember("dets", dets, a);
    coco.PushBack(area, a);
  }
  o.AddMember("coco", coco, a);
  return o;
}

GcgImageStats gcg_image_stats_from_json(const JsonValue& v) {
  auto bad = [](const std::string& what) { return std::invalid_argument("GCG statistics: " + what); };
  auto get = [&](const char* key) -> const JsonValue& {
    if (!v.IsObject() || !v.HasMember(key)) throw bad(std::string("missing \"") + key + "\"");
    return v[key];
  };
  auto count = [&](const char* key) {
    const JsonValue& x = get(key);
    if (!x.IsUint64()) throw bad(std::string("\"") + key + "\" must be a count");
    return x.GetUint64();
  };
  GcgImageStats s;
  if (!get("image_id").IsString()) throw bad("\"image_id\" must be a string");
  s.image_id = get("image_id").GetString();
  if (!get("miou").IsNumber()) throw bad("\"miou\" must be a number");
  s.miou = get("miou").GetDouble();
  s.gt_labels = count("n_gt");
  s.n_pred_masks = count("n_pred");
  s.recall_true_positives = count("tp");
  s.recall_skip_true_positives = count("tp_skip");
  if (!get("matches").IsArray()) throw bad("\"matches\" must be an array");
  for (const auto& m : get("matches").GetArray()) {
    if (!m.IsArray() || m.Size() != 2 || !m[0].IsUint64() || !m[1].IsUint64()) throw bad("bad match pair");
    s.recall_matches.emplace_back(m[0].GetUint64(), m[1].GetUint64());
  }
  if (!get("scores").IsArray()) throw bad("\"scores\" must be an array");
  for (const auto& x : get("scores").GetArray()) {
    if (!x.IsNumber()) throw bad("scores must be numbers");
    s.dt_scores.push_back(x.GetDouble());
  }
  const size_t n_dt = s.dt_scores.size();
  const JsonValue& coco = get("coco");
  if (!coco.IsArray() || coco.Size() != kCocoAreaRanges) throw bad("\"coco\" must hold 4 area ranges");
  for (int a = 0; a < kCocoAreaRanges; ++a) {
    CocoImageEval& e = s.coco[a];
    e.dt_matched.assign(kCocoIouThresholds * n_dt, 0);
    e.dt_ignored.assign(kCocoIouThresholds * n_dt, 0);
    if (coco[a].IsNull()) continue;
    e.present = true;
    if (!coco[a].IsObject() || !coco[a].HasMember("n_gt") || !coco[a]["n_gt"].IsUint() || !coco[a].HasMember("dets") ||
        !coco[a]["dets"].IsArray() || coco[a]["dets"].Size() != n_dt)
      throw bad("bad area range entry");
    e.gt_not_ignored = coco[a]["n_gt"].GetUint();
    for (size_t k = 0; k < n_dt; ++k) {
      const JsonValue& f = coco[a]["dets"][rapidjson::SizeType(k)];
      if (!f.IsUint()) throw bad("det flags must be integers");
      for (int t = 0; t < kCocoIouThresholds; ++t) {
        e.dt_matched[t * n_dt + k] = (f.GetUint() >> t) & 1;
        e.dt_ignored[t * n_dt + k] = (f.GetUint() >> (kCocoIouThresholds + t)) & 1;
      }
    }
  }
  return s;
}

}  // namespace pgc
