#include "metrics/panoptic_quality.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/error.hpp"

namespace pgc {

// ---------------------------------------------------------------- PqStats

PqClassStats& PqStats::operator[](int64_t category_id) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), category_id,
                             [](const auto& e, int64_t id) { return e.first < id; });
  if (it == entries_.end() || it->first != category_id)
    it = entries_.insert(it, {category_id, PqClassStats{}});
  return it->second;
}

const PqClassStats* PqStats::find(int64_t category_id) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), category_id,
                             [](const auto& e, int64_t id) { return e.first < id; });
  return it != entries_.end() && it->first == category_id ? &it->second : nullptr;
}

void PqStats::merge(const PqStats& other) {
  // Both sorted: a merge join keeps it linear (bootstrap merges many small per-image stats).
  std::vector<std::pair<int64_t, PqClassStats>> out;
  out.reserve(entries_.size() + other.entries_.size());
  auto a = entries_.cbegin();
  auto b = other.entries_.cbegin();
  while (a != entries_.cend() || b != other.entries_.cend()) {
    if (b == other.entries_.cend() || (a != entries_.cend() && a->first < b->first)) {
      out.push_back(*a++);
    } else if (a == entries_.cend() || b->first < a->first) {
      out.push_back(*b++);
    } else {
      out.push_back(*a++);
      out.back().second.merge((b++)->second);
    }
  }
  entries_ = std::move(out);
}

bool PqStats::operator==(const PqStats& o) const {
  if (entries_.size() != o.entries_.size()) return false;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& x = entries_[i];
    const auto& y = o.entries_[i];
    if (x.first != y.first || x.second.tp != y.second.tp || x.second.fp != y.second.fp ||
        x.second.fn != y.second.fn || x.second.iou != y.second.iou)
      return false;
  }
  return true;
}

JsonValue PqStats::to_json(rapidjson::Document::AllocatorType& a) const {
  JsonValue o(rapidjson::kObjectType);
  for (const auto& [cat, s] : entries_) {
    if (s.empty()) continue;
    JsonValue arr(rapidjson::kArrayType);
    arr.PushBack(JsonValue(s.tp), a).PushBack(JsonValue(s.fp), a).PushBack(JsonValue(s.fn), a);
    arr.PushBack(JsonValue(s.iou), a);
    o.AddMember(JsonValue(std::to_string(cat).c_str(), a), arr, a);
  }
  return o;
}

static int64_t parse_count(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsInt64() || v.GetInt64() < 0)
    throw InputError(file, item, "expected a non-negative integer count");
  return v.GetInt64();
}

PqStats PqStats::from_json(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsObject()) throw InputError(file, item, "expected {\"<category id>\": [tp, fp, fn, iou_sum]}");
  PqStats s;
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    std::string key(m->name.GetString(), m->name.GetStringLength());
    std::string where = item + ", category " + key;
    char* end = nullptr;
    long long cat = std::strtoll(key.c_str(), &end, 10);
    if (key.empty() || *end != '\0') throw InputError(file, where, "category key is not an integer");
    const JsonValue& arr = m->value;
    if (!arr.IsArray() || arr.Size() != 4) throw InputError(file, where, "expected [tp, fp, fn, iou_sum]");
    if (s.find(cat)) throw InputError(file, where, "category listed twice");
    PqClassStats& c = s[cat];
    c.tp = parse_count(arr[0], file, where);
    c.fp = parse_count(arr[1], file, where);
    c.fn = parse_count(arr[2], file, where);
    c.iou = get_number(arr[3], file, where);
  }
  return s;
}

// ---------------------------------------------------------------- pair counting

namespace {

inline uint32_t load_rgb3(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16);
}
// Reads 4 bytes (the caller guarantees one byte of slack) and keeps R, G, B: one load.
inline uint32_t load_rgb4(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  return v & 0xFFFFFFu;
}

inline uint64_t pair_key(uint32_t gt, uint32_t pred) {
  return ((uint64_t(gt) << 24) | pred) + 1;  // +1: 0 marks an empty slot
}

inline size_t slot_of(uint64_t key, size_t mask) {
  return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

}  // namespace

void PqPairCounter::grow() {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<int64_t> old_counts = std::move(counts_);
  size_t cap = old_keys.empty() ? 1024 : old_keys.size() * 2;
  keys_.assign(cap, 0);
  counts_.assign(cap, 0);
  used_.clear();
  size_t mask = cap - 1;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (!old_keys[i]) continue;
    size_t s = slot_of(old_keys[i], mask);
    while (keys_[s]) s = (s + 1) & mask;
    keys_[s] = old_keys[i];
    counts_[s] = old_counts[i];
    used_.push_back(static_cast<uint32_t>(s));
  }
}

void PqPairCounter::add(uint32_t gt, uint32_t pred, int64_t n) {
  if (keys_.empty() || (used_.size() + 1) * 2 > keys_.size()) grow();
  uint64_t key = pair_key(gt, pred);
  size_t mask = keys_.size() - 1;
  size_t s = slot_of(key, mask);
  while (keys_[s] && keys_[s] != key) s = (s + 1) & mask;
  if (!keys_[s]) {
    keys_[s] = key;
    used_.push_back(static_cast<uint32_t>(s));
  }
  counts_[s] += n;
}

PqPairCounts PqPairCounter::drain() {
  PqPairCounts out;
  out.reserve(used_.size());
  for (uint32_t s : used_) {
    uint64_t key = keys_[s] - 1;
    out.push_back({static_cast<uint32_t>(key >> 24), static_cast<uint32_t>(key & kPanopticMaxId),
                   counts_[s]});
    keys_[s] = 0;
    counts_[s] = 0;
  }
  used_.clear();
  std::sort(out.begin(), out.end(), [](const PqPairCount& a, const PqPairCount& b) {
    return a.gt != b.gt ? a.gt < b.gt : a.pred < b.pred;
  });
  return out;
}

PqPairCounts PqPairCounter::count_ids(const uint32_t* gt, const uint32_t* pred, size_t pixels) {
  if (pixels == 0) return {};
  uint32_t cg = gt[0], cp = pred[0];
  int64_t run = 1;
  for (size_t i = 1; i < pixels; ++i) {
    if (gt[i] != cg || pred[i] != cp) {
      add(cg, cp, run);
      cg = gt[i];
      cp = pred[i];
      run = 1;
    } else {
      ++run;
    }
  }
  add(cg, cp, run);
  return drain();
}

namespace {

bool same_16_bytes(const uint8_t* a, const uint8_t* b) {
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a, 8);
  std::memcpy(&a1, a + 8, 8);
  std::memcpy(&b0, b, 8);
  std::memcpy(&b1, b + 8, 8);
  return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

}  // namespace

PqPairCounts PqPairCounter::count_rgb(const uint8_t* gt_rgb, const uint8_t* pred_rgb,
                                      size_t pixels) {
  if (pixels == 0) return {};
  uint32_t cg = load_rgb3(gt_rgb), cp = load_rgb3(pred_rgb);
  int64_t run = 1;
  size_t i = 1;
  // All but the last pixel: a 4-byte load stays inside the buffer.
  for (; i + 1 < pixels; ++i) {
    // Id maps are mostly flat: when the next 5 pixels of both maps repeat the previous one (16
    // bytes equal to the 16 bytes 3 earlier), extend the run in one step.
    while (i + 6 <= pixels && same_16_bytes(gt_rgb + 3 * i - 3, gt_rgb + 3 * i) &&
           same_16_bytes(pred_rgb + 3 * i - 3, pred_rgb + 3 * i)) {
      run += 5;
      i += 5;
    }
    if (i + 1 >= pixels) break;
    uint32_t g = load_rgb4(gt_rgb + 3 * i), p = load_rgb4(pred_rgb + 3 * i);
    if ((g ^ cg) | (p ^ cp)) {
      add(cg, cp, run);
      cg = g;
      cp = p;
      run = 1;
    } else {
      ++run;
    }
  }
  for (; i < pixels; ++i) {
    uint32_t g = load_rgb3(gt_rgb + 3 * i), p = load_rgb3(pred_rgb + 3 * i);
    if (g != cg || p != cp) {
      add(cg, cp, run);
      cg = g;
      cp = p;
      run = 1;
    } else {
      ++run;
    }
  }
  add(cg, cp, run);
  return drain();
}

std::vector<std::pair<uint32_t, int64_t>> pq_gt_areas(const PqPairCounts& pairs) {
  std::vector<std::pair<uint32_t, int64_t>> out;  // pairs are sorted by gt: one pass
  for (const auto& p : pairs) {
    if (out.empty() || out.back().first != p.gt) out.push_back({p.gt, 0});
    out.back().second += p.pixels;
  }
  return out;
}

std::vector<std::pair<uint32_t, int64_t>> pq_pred_areas(const PqPairCounts& pairs) {
  std::unordered_map<uint32_t, int64_t> m;
  for (const auto& p : pairs) m[p.pred] += p.pixels;
  std::vector<std::pair<uint32_t, int64_t>> out(m.begin(), m.end());
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------- per-image rules

namespace {

// panopticapi builds {el['id']: el for el in segments_info}: iteration follows the first
// occurrence of an id, the value is the last entry with that id.
std::vector<PqSegment> as_python_dict(const std::vector<PqSegment>& segments) {
  std::vector<PqSegment> out;
  std::unordered_map<uint32_t, size_t> where;
  for (const auto& s : segments) {
    auto [it, inserted] = where.emplace(s.id, out.size());
    if (inserted) out.push_back(s);
    else out[it->second] = s;
  }
  return out;
}

int64_t pair_pixels(const PqPairCounts& pairs, uint32_t gt, uint32_t pred) {
  auto it = std::lower_bound(pairs.begin(), pairs.end(), std::make_pair(gt, pred),
                             [](const PqPairCount& p, const std::pair<uint32_t, uint32_t>& k) {
                               return p.gt != k.first ? p.gt < k.first : p.pred < k.second;
                             });
  return it != pairs.end() && it->gt == gt && it->pred == pred ? it->pixels : 0;
}

}  // namespace

PqStats pq_image_stats(const PqPairCounts& pairs, const std::vector<PqSegment>& gt_list,
                       const std::vector<PqSegment>& pred_list) {
  const std::vector<PqSegment> gt_segments = as_python_dict(gt_list);
  const std::vector<PqSegment> pred_segments = as_python_dict(pred_list);
  std::unordered_map<uint32_t, const PqSegment*> gt_by_id, pred_by_id;
  for (const auto& s : gt_segments) gt_by_id[s.id] = &s;
  for (const auto& s : pred_segments) pred_by_id[s.id] = &s;

  std::unordered_map<uint32_t, int64_t> gt_area, pred_area, pred_on_void;
  for (const auto& p : pairs) {
    gt_area[p.gt] += p.pixels;
    pred_area[p.pred] += p.pixels;
    if (p.gt == kPanopticVoid) pred_on_void[p.pred] += p.pixels;
  }
  auto get = [](const std::unordered_map<uint32_t, int64_t>& m, uint32_t id) -> int64_t {
    auto it = m.find(id);
    return it == m.end() ? 0 : it->second;
  };

  PqStats stats;
  std::unordered_map<uint32_t, bool> gt_matched, pred_matched;
  // Matches: IoU > 0.5 makes them unique; the (gt, pred) order only fixes the IoU sum order.
  for (const auto& p : pairs) {
    auto g = gt_by_id.find(p.gt);
    auto q = pred_by_id.find(p.pred);
    if (g == gt_by_id.end() || q == pred_by_id.end()) continue;  // VOID or unlisted ids
    if (g->second->iscrowd) continue;
    if (g->second->category_id != q->second->category_id) continue;
    // Pred pixels on GT VOID leave the union; crowd pixels stay in it.
    int64_t union_px = get(pred_area, p.pred) + get(gt_area, p.gt) - p.pixels -
                       get(pred_on_void, p.pred);
    double iou = static_cast<double>(p.pixels) / static_cast<double>(union_px);
    if (iou > 0.5) {
      PqClassStats& c = stats[g->second->category_id];
      c.tp += 1;
      c.iou += iou;
      gt_matched[p.gt] = true;
      pred_matched[p.pred] = true;
    }
  }

  // FN: unmatched non-crowd GT. The crowd region of a class is its LAST crowd segment.
  std::unordered_map<int64_t, uint32_t> crowd_of_category;
  for (const auto& s : gt_segments) {
    if (gt_matched.count(s.id)) continue;
    if (s.iscrowd) {
      crowd_of_category[s.category_id] = s.id;
      continue;
    }
    stats[s.category_id].fn += 1;
  }

  // FP: unmatched preds, unless more than half of them lies on VOID or on their class's crowd.
  for (const auto& s : pred_segments) {
    if (pred_matched.count(s.id)) continue;
    int64_t ignored_px = get(pred_on_void, s.id);
    auto crowd = crowd_of_category.find(s.category_id);
    if (crowd != crowd_of_category.end()) ignored_px += pair_pixels(pairs, crowd->second, s.id);
    double share = static_cast<double>(ignored_px) / static_cast<double>(get(pred_area, s.id));
    if (share > 0.5) continue;
    stats[s.category_id].fp += 1;
  }
  return stats;
}

PqStats pq_image_stats(const uint32_t* gt_ids, const uint32_t* pred_ids, size_t pixels,
                       const std::vector<PqSegment>& gt_segments,
                       const std::vector<PqSegment>& pred_segments) {
  PqPairCounter counter;
  return pq_image_stats(counter.count_ids(gt_ids, pred_ids, pixels), gt_segments, pred_segments);
}

// ---------------------------------------------------------------- corpus formula

namespace {

PqGroupResult average(const PqStats& stats, const std::vector<PqCategory>& categories,
                      int want_thing /* -1 all, 1 things, 0 stuff */,
                      std::vector<std::pair<int64_t, PqClassResult>>* per_class) {
  double pq = 0, sq = 0, rq = 0;
  int n = 0;
  for (const auto& cat : categories) {
    if (want_thing >= 0 && cat.isthing != (want_thing == 1)) continue;
    PqClassStats s;
    if (const PqClassStats* found = stats.find(cat.id)) s = *found;
    PqClassResult r;
    if (s.tp + s.fp + s.fn != 0) {
      // Same operation order as Python's tp + 0.5 * fp + 0.5 * fn.
      double denom = static_cast<double>(s.tp) + 0.5 * static_cast<double>(s.fp) +
                     0.5 * static_cast<double>(s.fn);
      r.counted = true;
      r.pq = s.iou / denom;
      r.sq = s.tp != 0 ? s.iou / static_cast<double>(s.tp) : 0.0;
      r.sq_is_integer_zero = s.tp == 0;
      r.rq = static_cast<double>(s.tp) / denom;
      ++n;
      pq += r.pq;
      sq += r.sq;
      rq += r.rq;
    }
    if (per_class) per_class->push_back({cat.id, r});
  }
  PqGroupResult g;
  g.n = n;
  if (n > 0) {
    g.pq = pq / n;
    g.sq = sq / n;
    g.rq = rq / n;
  }
  return g;
}

}  // namespace

PqResult pq_score(const PqStats& stats, const std::vector<PqCategory>& categories) {
  PqResult r;
  r.all = average(stats, categories, -1, &r.per_class);
  r.things = average(stats, categories, 1, nullptr);
  r.stuff = average(stats, categories, 0, nullptr);
  return r;
}

std::vector<std::pair<std::string, double>> pq_corpus_metrics(const PqResult& r) {
  std::vector<std::pair<std::string, double>> out;
  auto put = [&](const PqGroupResult& g, const std::string& suffix) {
    if (g.n == 0) return;
    out.push_back({"PQ" + suffix, *g.pq});
    out.push_back({"SQ" + suffix, *g.sq});
    out.push_back({"RQ" + suffix, *g.rq});
  };
  put(r.all, "");
  put(r.things, "_th");
  put(r.stuff, "_st");
  return out;
}

void pq_result_to_json(const PqResult& r, JsonValue& out, rapidjson::Document::AllocatorType& a) {
  auto group = [&](const PqGroupResult& g) {
    JsonValue o(rapidjson::kObjectType);
    auto num = [&](const std::optional<double>& x) { return x ? JsonValue(*x) : JsonValue(); };
    o.AddMember("pq", num(g.pq), a);
    o.AddMember("sq", num(g.sq), a);
    o.AddMember("rq", num(g.rq), a);
    o.AddMember("n", JsonValue(g.n), a);
    return o;
  };
  out.AddMember("All", group(r.all), a);
  JsonValue per_class(rapidjson::kObjectType);
  for (const auto& [id, c] : r.per_class) {
    JsonValue o(rapidjson::kObjectType);
    o.AddMember("pq", JsonValue(c.pq), a);
    o.AddMember("sq", c.counted && c.sq_is_integer_zero ? JsonValue(0) : JsonValue(c.sq), a);
    o.AddMember("rq", JsonValue(c.rq), a);
    per_class.AddMember(JsonValue(std::to_string(id).c_str(), a), o, a);
  }
  out.AddMember("per_class", per_class, a);
  out.AddMember("Things", group(r.things), a);
  out.AddMember("Stuff", group(r.stuff), a);
}

}  // namespace pgc
