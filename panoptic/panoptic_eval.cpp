#include "panoptic/panoptic_eval.hpp"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <unordered_map>

#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"

namespace pgc {

namespace {

constexpr const char* kStateSchema = "pgc.panoptic_state/1";

std::string image_item(const std::string& id) { return "image " + id; }

bool is_directory(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// GT: every non-VOID PNG id is listed, every listed segment has pixels, and its JSON area is
// the pixel count (panopticapi takes GT areas from the JSON: a wrong area would silently
// change IoUs, so pgc refuses it instead).
void check_gt_against_png(const PqPairCounts& pairs, const PanopticAnnotation& gt,
                          const std::string& json_path, const std::string& png_path) {
  std::unordered_map<uint32_t, size_t> index;
  for (size_t k = 0; k < gt.segments.size(); ++k) index[gt.segments[k].id] = k;
  std::unordered_map<uint32_t, int64_t> pixels;
  for (const auto& [id, count] : pq_gt_areas(pairs)) {
    if (id == kPanopticVoid) continue;
    if (!index.count(id))
      throw InputError(json_path, image_item(gt.image_id) + ", segment " + std::to_string(id),
                       "id (" + id_rgb_text(id) + ") has " + std::to_string(count) +
                           " pixels in the GT PNG " + png_path + " but is not in segments_info");
    pixels[id] = count;
  }
  for (size_t k = 0; k < gt.segments.size(); ++k) {
    uint32_t id = gt.segments[k].id;
    std::string item = image_item(gt.image_id) + ", segment " + std::to_string(id);
    int64_t count = pixels.count(id) ? pixels[id] : 0;
    if (count == 0)
      throw InputError(json_path, item,
                       "listed in segments_info but no pixel of the GT PNG " + png_path +
                           " has this id (" + id_rgb_text(id) + ")");
    if (gt.areas[k] != static_cast<double>(count)) {
      char area[64];
      std::snprintf(area, sizeof area, "%.17g", gt.areas[k]);
      throw InputError(json_path, item,
                       std::string("area ") + area + " differs from the pixel count " +
                           std::to_string(count) + " in the GT PNG " + png_path +
                           " (panopticapi would use the wrong JSON area in every IoU)");
    }
  }
}

// Pred: panopticapi's sanity checks (every PNG id listed, every listed id in the PNG).
void check_pred_against_png(const PqPairCounts& pairs, const PanopticAnnotation& pred,
                            const std::string& json_path, const std::string& png_path) {
  std::unordered_map<uint32_t, int64_t> pixels;
  for (const auto& [id, count] : pq_pred_areas(pairs)) pixels[id] = count;
  std::unordered_map<uint32_t, bool> listed;
  for (const auto& s : pred.segments) listed[s.id] = true;
  for (const auto& [id, count] : pq_pred_areas(pairs)) {
    if (id == kPanopticVoid || listed.count(id)) continue;
    throw InputError(json_path, image_item(pred.image_id) + ", segment " + std::to_string(id),
                     "id (" + id_rgb_text(id) + ") has " + std::to_string(count) +
                         " pixels in the pred PNG " + png_path + " but is not in segments_info");
  }
  for (const auto& s : pred.segments)
    if (!pixels.count(s.id))
      throw InputError(json_path, image_item(pred.image_id) + ", segment " + std::to_string(s.id),
                       "listed in segments_info but no pixel of the pred PNG " + png_path +
                           " has this id (" + id_rgb_text(s.id) + ")");
}

std::string categories_digest(const std::vector<PqCategory>& cats) {
  std::string canon;
  for (const auto& c : cats) canon += std::to_string(c.id) + (c.isthing ? ",1;" : ",0;");
  return sha256_bytes(canon).substr(0, 8);
}

}  // namespace

PqStats evaluate_image_pair(const PanopticPair& pair, const PanopticInputs& in,
                            PanopticWorker& w) {
  const PanopticAnnotation& gt = *pair.gt;
  const PanopticAnnotation& pred = *pair.pred;
  const std::string item = image_item(gt.image_id);
  const std::string gt_png = join_path(in.gt_dir, gt.file_name);
  const std::string pred_png = join_path(in.pred_dir, pred.file_name);
  w.decoder.decode(gt_png, item, w.gt_img);
  w.decoder.decode(pred_png, item, w.pred_img);
  if (w.gt_img.width != w.pred_img.width || w.gt_img.height != w.pred_img.height)
    throw InputError(pred_png, item,
                     "pred PNG is " + std::to_string(w.pred_img.width) + "x" +
                         std::to_string(w.pred_img.height) + " (width x height) but the GT PNG " +
                         gt_png + " is " + std::to_string(w.gt_img.width) + "x" +
                         std::to_string(w.gt_img.height));
  PqPairCounts pairs = w.counter.count_rgb(w.gt_img.rgb.data(), w.pred_img.rgb.data(),
                                           w.gt_img.pixels());
  check_gt_against_png(pairs, gt, in.gt_json, gt_png);
  check_pred_against_png(pairs, pred, in.pred_json, pred_png);
  return pq_image_stats(pairs, gt.segments, pred.segments);
}

PqStats sum_stats(const std::vector<PqStats>& per_image) {
  PqStats total;
  for (const auto& s : per_image) total.merge(s);
  return total;
}

Signature panoptic_signature(const std::vector<PqCategory>& categories) {
  Signature sig;
  sig.add("metric", "PQ")
      .add("ref", "panopticapi-7bb4655")
      .add("match", "iou>0.5")
      .add("cats", std::to_string(categories.size()) + "@" + categories_digest(categories));
  return sig;
}

PanopticEvaluation evaluate_panoptic(const PanopticInputs& in, const PanopticOptions& opt) {
  PanopticJson gt = read_panoptic_json(in.gt_json, true);
  PanopticJson pred = read_panoptic_json(in.pred_json, false);
  PanopticEvaluation e;
  if (!in.categories_json.empty()) {
    e.categories = read_categories(in.categories_json);
    e.categories_origin = in.categories_json;
  } else {
    if (gt.categories.empty())
      throw InputError(in.gt_json, "categories", "no categories in the GT file; pass --categories");
    e.categories = gt.categories;
    e.categories_origin = in.gt_json;
  }
  check_segment_categories(gt, e.categories, e.categories_origin);
  check_segment_categories(pred, e.categories, e.categories_origin);
  if (!is_directory(in.gt_dir)) throw InputError(in.gt_dir, "", "GT PNG folder does not exist");
  if (!is_directory(in.pred_dir)) throw InputError(in.pred_dir, "", "pred PNG folder does not exist");

  std::vector<PanopticPair> pairs = pair_annotations(gt, pred, &e.ignored_pred_images);
  // Fail before the long run, not after it, when a PNG is missing.
  for (const auto& p : pairs) {
    std::string g = join_path(in.gt_dir, p.gt->file_name), q = join_path(in.pred_dir, p.pred->file_name);
    if (!is_file(g)) throw InputError(g, image_item(p.gt->image_id), "GT PNG not found (file_name in " + in.gt_json + ")");
    if (!is_file(q)) throw InputError(q, image_item(p.gt->image_id), "pred PNG not found (file_name in " + in.pred_json + ")");
  }

  const size_t n = pairs.size();
  e.image_ids.reserve(n);
  for (const auto& p : pairs) e.image_ids.push_back(p.gt->image_id);
  e.per_image.resize(n);
  int threads = resolve_threads(opt.threads);
  std::vector<PanopticWorker> workers(static_cast<size_t>(threads));
  Progress progress("panoptic", n, opt.quiet);
  parallel_for(n, threads, [&](size_t i, int worker) {
    e.per_image[i] = evaluate_image_pair(pairs[i], in, workers[static_cast<size_t>(worker)]);
    progress.tick();
  });
  progress.done();
  e.totals = sum_stats(e.per_image);
  return e;
}

// ---------------------------------------------------------------- JSON forms

JsonValue categories_to_json(const std::vector<PqCategory>& cats,
                             rapidjson::Document::AllocatorType& a) {
  JsonValue arr(rapidjson::kArrayType);
  for (const auto& c : cats) {
    JsonValue o(rapidjson::kObjectType);
    o.AddMember("id", JsonValue(static_cast<int64_t>(c.id)), a);
    o.AddMember("name", JsonValue(c.name.c_str(), a), a);
    o.AddMember("isthing", JsonValue(c.isthing ? 1 : 0), a);
    arr.PushBack(o, a);
  }
  return arr;
}

static JsonValue per_image_json(const PanopticEvaluation& e, rapidjson::Document::AllocatorType& a) {
  JsonValue stats(rapidjson::kObjectType);
  for (size_t i = 0; i < e.image_ids.size(); ++i)
    stats.AddMember(JsonValue(e.image_ids[i].c_str(), a), e.per_image[i].to_json(a), a);
  return stats;
}

std::string panoptic_state_json(const PanopticEvaluation& e) {
  JsonDoc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("schema", JsonValue(kStateSchema, a), a);
  d.AddMember("signature", JsonValue(panoptic_signature(e.categories).str().c_str(), a), a);
  d.AddMember("categories", categories_to_json(e.categories, a), a);
  JsonValue ids(rapidjson::kArrayType);
  for (const auto& id : e.image_ids) ids.PushBack(JsonValue(id.c_str(), a), a);
  d.AddMember("images", ids, a);
  d.AddMember("totals", e.totals.to_json(a), a);
  d.AddMember("stats", per_image_json(e, a), a);
  return to_json(d, false) + "\n";
}

PanopticEvaluation read_panoptic_state(const std::string& path) {
  JsonDoc d = read_json_file(path);
  if (!d.IsObject()) throw InputError(path, "", "not a pgc panoptic state file");
  auto schema = d.FindMember("schema");
  if (schema == d.MemberEnd() || !schema->value.IsString() ||
      std::string(schema->value.GetString()) != kStateSchema)
    throw InputError(path, "schema", std::string("not a pgc panoptic state file (expected schema ") +
                                         kStateSchema + ", written by pgc panoptic --save-state)");
  PanopticEvaluation e;
  e.categories = parse_categories(member(d, "categories", path, ""), path);
  e.categories_origin = path;
  std::string sig = get_string(member(d, "signature", path, ""), path, "signature");
  if (sig != panoptic_signature(e.categories).str())
    throw InputError(path, "signature",
                     "\"" + sig + "\" differs from this pgc's \"" +
                         panoptic_signature(e.categories).str() + "\" (other rules, categories or version)");
  const JsonValue& ids = member(d, "images", path, "");
  const JsonValue& stats = member(d, "stats", path, "");
  if (!ids.IsArray()) throw InputError(path, "images", "expected a list of image ids");
  if (!stats.IsObject()) throw InputError(path, "stats", "expected an object");
  for (rapidjson::SizeType k = 0; k < ids.Size(); ++k) {
    std::string s = get_string(ids[k], path, "images");
    auto it = stats.FindMember(s.c_str());
    if (it == stats.MemberEnd()) throw InputError(path, image_item(s), "missing from \"stats\"");
    e.image_ids.push_back(s);
    e.per_image.push_back(PqStats::from_json(it->value, path, image_item(s)));
  }
  if (stats.MemberCount() != ids.Size())
    throw InputError(path, "stats", "has images not listed in \"images\"");
  e.totals = sum_stats(e.per_image);
  PqStats stored = PqStats::from_json(member(d, "totals", path, ""), path, "totals");
  for (const auto& [cat, s] : e.totals.entries()) {
    if (s.empty()) continue;
    const PqClassStats* t = stored.find(cat);
    if (!t || t->tp != s.tp || t->fp != s.fp || t->fn != s.fn ||
        std::fabs(t->iou - s.iou) > 1e-9 * std::max(1.0, std::fabs(s.iou)))
      throw InputError(path, "totals, category " + std::to_string(cat),
                       "does not equal the sum of the per-image stats (edited file?)");
  }
  return e;
}

PanopticEvaluation merge_panoptic_states(const std::vector<PanopticEvaluation>& shards,
                                         const std::vector<std::string>& paths) {
  if (shards.empty()) throw UsageError("merge: no state files given");
  PanopticEvaluation out;
  out.categories = shards[0].categories;
  out.categories_origin = paths[0];
  std::string sig = panoptic_signature(out.categories).str();
  std::unordered_map<std::string, size_t> owner;
  for (size_t k = 0; k < shards.size(); ++k) {
    const auto& s = shards[k];
    if (panoptic_signature(s.categories).str() != sig)
      throw InputError(paths[k], "categories",
                       "differ from those of " + paths[0] + " (signature " +
                           panoptic_signature(s.categories).str() + " vs " + sig + ")");
    for (size_t i = 0; i < s.image_ids.size(); ++i) {
      auto [it, inserted] = owner.emplace(s.image_ids[i], k);
      if (!inserted)
        throw InputError(paths[k], image_item(s.image_ids[i]),
                         "also scored in " + paths[it->second] + " (shards must not overlap)");
      out.image_ids.push_back(s.image_ids[i]);
      out.per_image.push_back(s.per_image[i]);
    }
  }
  out.totals = sum_stats(out.per_image);
  return out;
}

// ---------------------------------------------------------------- results

CorpusFn panoptic_corpus_fn(const std::vector<PqStats>& per_image,
                            const std::vector<PqCategory>& categories) {
  // Dense per-category rows make each resample a plain array sum.
  std::unordered_map<int64_t, size_t> slot;
  for (size_t k = 0; k < categories.size(); ++k) slot[categories[k].id] = k;
  auto sparse = std::make_shared<std::vector<std::vector<std::pair<size_t, PqClassStats>>>>();
  for (const auto& s : per_image) {
    std::vector<std::pair<size_t, PqClassStats>> row;
    for (const auto& [cat, c] : s.entries()) {
      auto it = slot.find(cat);
      if (it != slot.end()) row.push_back({it->second, c});
    }
    sparse->push_back(std::move(row));
  }
  return [sparse, categories](const std::vector<size_t>& samples) {
    std::vector<PqClassStats> dense(categories.size());
    for (size_t i : samples)
      for (const auto& [k, c] : (*sparse)[i]) dense[k].merge(c);
    PqStats total;
    for (size_t k = 0; k < categories.size(); ++k)
      if (!dense[k].empty()) total[categories[k].id] = dense[k];
    std::map<std::string, double> out;
    for (const auto& [name, v] : pq_corpus_metrics(pq_score(total, categories))) out[name] = v;
    return out;
  };
}

JsonDoc panoptic_results(const PanopticEvaluation& e, const PqResult& r,
                         const PanopticReportOptions& opt) {
  JsonDoc d = make_results(opt.name, "panoptic", panoptic_signature(e.categories), opt.inputs);
  auto& a = d.GetAllocator();
  JsonValue corpus(rapidjson::kObjectType);
  for (const auto& [name, v] : pq_corpus_metrics(r)) corpus.AddMember(JsonValue(name.c_str(), a), JsonValue(v), a);
  d.AddMember("corpus", corpus, a);
  pq_result_to_json(r, d, a);
  if (opt.bootstrap > 0) {
    auto ci = bootstrap_ci(e.per_image.size(), panoptic_corpus_fn(e.per_image, e.categories),
                           opt.bootstrap, opt.seed);
    JsonValue c(rapidjson::kObjectType);
    for (const auto& [name, iv] : ci) {
      JsonValue o(rapidjson::kObjectType);
      o.AddMember("low", JsonValue(iv.low), a);
      o.AddMember("high", JsonValue(iv.high), a);
      c.AddMember(JsonValue(name.c_str(), a), o, a);
    }
    JsonValue settings(rapidjson::kObjectType);
    settings.AddMember("resamples", JsonValue(opt.bootstrap), a);
    settings.AddMember("seed", JsonValue(static_cast<uint64_t>(opt.seed)), a);
    settings.AddMember("level", JsonValue(0.95), a);
    d.AddMember("ci", c, a);
    d.AddMember("ci_settings", settings, a);
  }
  d.AddMember("images", JsonValue(static_cast<uint64_t>(e.image_ids.size())), a);
  d.AddMember("categories", categories_to_json(e.categories, a), a);
  d.AddMember("stats", per_image_json(e, a), a);
  return d;
}

std::string panoptic_table(const PqResult& r, const std::vector<PqCategory>& categories,
                           const PqStats& totals, bool per_class) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-10s| %5s  %5s  %5s %5s\n", "", "PQ", "SQ", "RQ", "N");
  out += line;
  out += std::string(38, '-') + "\n";
  auto row = [&](const char* name, const PqGroupResult& g) {
    if (g.n == 0)
      std::snprintf(line, sizeof line, "%-10s| %5s  %5s  %5s %5d\n", name, "-", "-", "-", g.n);
    else
      std::snprintf(line, sizeof line, "%-10s| %5.1f  %5.1f  %5.1f %5d\n", name, 100 * *g.pq,
                    100 * *g.sq, 100 * *g.rq, g.n);
    out += line;
  };
  row("All", r.all);
  row("Things", r.things);
  row("Stuff", r.stuff);
  if (!per_class) return out;
  std::unordered_map<int64_t, const PqCategory*> by_id;
  for (const auto& c : categories) by_id[c.id] = &c;
  out += "\n";
  std::snprintf(line, sizeof line, "%6s  %-24s %-5s | %5s  %5s  %5s | %7s %7s %7s\n", "id",
                "category", "kind", "PQ", "SQ", "RQ", "TP", "FP", "FN");
  out += line;
  out += std::string(87, '-') + "\n";
  for (const auto& [id, c] : r.per_class) {
    if (!c.counted) continue;  // absent from GT and pred: not in the averages
    const PqCategory* cat = by_id[id];
    PqClassStats s;
    if (const PqClassStats* found = totals.find(id)) s = *found;
    std::snprintf(line, sizeof line, "%6lld  %-24.24s %-5s | %5.1f  %5.1f  %5.1f | %7lld %7lld %7lld\n",
                  static_cast<long long>(id), cat->name.c_str(), cat->isthing ? "thing" : "stuff",
                  100 * c.pq, 100 * c.sq, 100 * c.rq, static_cast<long long>(s.tp),
                  static_cast<long long>(s.fp), static_cast<long long>(s.fn));
    out += line;
  }
  return out;
}

}  // namespace pgc
