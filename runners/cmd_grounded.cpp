// `pgc grounded`: scores grounded captions (pgc_formats.md §7) from a PGC ground-truth JSONL and
// a prediction JSONL: caption metrics on the plain captions (as `pgc caption`), PQ of the
// grounded masks (panoptic/grounded_pq.hpp) and GLaMM's GCG metrics (metrics/gcg.hpp).
// Only wiring: every metric lives in metrics/, the readers in caption/ and panoptic/.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_set>

#include "caption/caption_eval.hpp"
#include "caption/code_points.hpp"
#include "caption/capture_io.hpp"
#include "caption/gcg_input.hpp"
#include "caption/pgc_jsonl.hpp"
#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/resample.hpp"
#include "core/results.hpp"
#include "core/thread_pool.hpp"
#include "metrics/gcg.hpp"
#include "models/device.hpp"
#include "models/text_encoder.hpp"
#include "panoptic/grounded_pq.hpp"
#include "panoptic/panoptic_eval.hpp"
#include "panoptic/panoptic_io.hpp"
#include "panoptic/phrase_class_map.hpp"
#include "runners/command.hpp"

namespace pgc {
namespace {

struct GroundedArgs {
  std::string gt, pred, gt_mode = "full", class_map = "given", bert, text_similarity, device = "auto";
  std::string metrics = "caption,pq,gcg", caption_metrics = "bleu,meteor,rouge,cider";
  std::string categories, meteor_data, meteor_paraphrase, name, json;
  bool allow_missing = false, quiet = false;
  int threads = 0;
  // GCG recall variant (docs/grounded.md): off = only GLaMM's stop-at-first-failure "recall".
  bool recall_skip = false;
  // CAPTURE in the caption block (`capture` in --caption-metrics), with pgc caption's flags.
  std::string capture_mode = "full", capture_elements_gt, capture_elements_pred, capture_similarity, wordnet_dir;
  bool capture_no_soft = false;
};

// --caption-metrics splits into pycocoevalcap's metrics (evaluate_captions) and CAPTURE.
struct CaptionWanted {
  std::string text_metrics;  // comma list for set_caption_metrics; empty = none
  bool capture = false;
};

CaptionWanted split_caption_metrics(const std::string& list) {
  CaptionWanted c;
  std::stringstream in(list);
  std::string m;
  while (std::getline(in, m, ',')) {
    if (m == "capture") c.capture = true;
    else c.text_metrics += (c.text_metrics.empty() ? "" : ",") + m;
  }
  if (!c.capture && c.text_metrics.empty())
    throw UsageError("--caption-metrics: no metric named (choose from bleu,meteor,rouge,cider,capture)");
  return c;
}

struct Wanted {
  bool caption = false, pq = false, gcg = false;
};

Wanted parse_metrics(const std::string& list) {
  Wanted w;
  std::stringstream in(list);
  std::string m;
  while (std::getline(in, m, ',')) {
    if (m == "caption") w.caption = true;
    else if (m == "pq") w.pq = true;
    else if (m == "gcg") w.gcg = true;
    else throw UsageError("--metrics: unknown metric '" + m + "' (expected a subset of caption,pq,gcg)");
  }
  if (!w.caption && !w.pq && !w.gcg) throw UsageError("--metrics: nothing to compute");
  return w;
}

// BERT (bert-base-uncased, --bert DIR) maps phrases to classes with --class-map bert and gives
// the GCG recall its text similarity unless --text-similarity FILE is given.
void check_bert_needs(const GroundedArgs& args, const Wanted& w) {
  if (w.pq && args.class_map == "bert" && args.bert.empty())
    throw UsageError("--class-map bert needs --bert DIR (an HF bert-base-uncased folder: config.json, vocab.txt, "
                     "model.safetensors)");
  if (w.gcg && args.text_similarity.empty() && args.bert.empty())
    throw UsageError("GCG recall needs text similarity: --bert DIR (bert-base-uncased, as GLaMM) or "
                     "--text-similarity FILE ({\"<gt label>|<pred phrase>\": cosine}), or leave gcg out of --metrics");
}

bool recall_uses_bert(const GroundedArgs& args, const Wanted& w) { return w.gcg && args.text_similarity.empty(); }
bool needs_bert(const GroundedArgs& args, const Wanted& w) {
  return (w.pq && args.class_map == "bert") || recall_uses_bert(args, w);
}

// --class-map bert: every phrase with a mask gets the class its text is most similar to
// (pgc_formats.md §7.2), replacing any category_id; a phrase's isthing, when given, restricts
// the choice to thing or stuff classes. Returns the mapping per prediction (phrase order,
// -1 for phrases without mask) for the results file.
std::vector<std::vector<int64_t>> apply_bert_class_map(std::vector<PgcPrediction>& preds, SentenceEncoder& encoder,
                                                       const std::vector<PqCategory>& categories) {
  const PhraseClassMap class_map(encoder, categories);
  std::vector<std::string> texts;
  std::vector<std::optional<bool>> isthing;
  for (const auto& p : preds)
    for (const auto& ph : p.phrases)
      if (ph.mask) {
        texts.push_back(ph.text);
        isthing.push_back(ph.isthing);
      }
  const std::vector<int64_t> mapped = class_map.map(texts, isthing);
  std::vector<std::vector<int64_t>> out;
  size_t k = 0;
  for (auto& p : preds) {
    out.emplace_back();
    for (auto& ph : p.phrases) {
      if (ph.mask) ph.category_id = mapped[k++];
      out.back().push_back(ph.mask ? *ph.category_id : -1);
    }
  }
  return out;
}

// GLaMM's recall similarity: every GT label (span text) and predicted phrase with a mask,
// embedded once up front.
void embed_recall_texts(EmbeddingSimilarity& similarity, const std::vector<PgcGroundTruth>& gts,
                        const std::vector<const PgcPrediction*>& preds) {
  std::vector<std::string> texts;
  for (size_t i = 0; i < gts.size(); ++i) {
    for (const auto& s : gts[i].spans) texts.push_back(code_point_slice(gts[i].caption, s.start, s.end));
    if (preds[i])
      for (const auto& ph : preds[i]->phrases)
        if (ph.mask) texts.push_back(ph.text);
  }
  similarity.add(texts);
}

// {"<gt label>|<pred phrase>": cosine}; the key splits at its first '|'.
TextSimilarityTable read_text_similarity(const std::string& path) {
  const JsonDoc d = read_json_file(path);
  if (!d.IsObject()) throw InputError(path, "", "expected {\"<gt label>|<pred phrase>\": cosine, ...}");
  TextSimilarityTable table;
  for (const auto& m : d.GetObject()) {
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    const size_t bar = key.find('|');
    if (bar == std::string::npos) throw InputError(path, "key \"" + key + "\"", "no '|' between GT label and phrase");
    table.set(key.substr(0, bar), key.substr(bar + 1), get_number(m.value, path, "key \"" + key + "\""));
  }
  return table;
}

std::string item_of(const PgcPrediction& p) {
  return "line " + std::to_string(p.line) + ", image " + p.image_id.key;
}
std::string item_of(const PgcGroundTruth& g) {
  return "line " + std::to_string(g.line) + ", image " + g.image_id.key;
}

// Everything that can be checked before the long run: PNGs exist, every phrase with a mask has
// a known category (--class-map given).
void precheck(const GroundedArgs& args, const Wanted& w, const std::vector<PgcGroundTruth>& gts,
              const std::vector<const PgcPrediction*>& preds, const std::string& gt_dir,
              const std::vector<PqCategory>& categories) {
  std::unordered_set<int64_t> known;
  for (const auto& c : categories) known.insert(c.id);
  for (size_t i = 0; i < gts.size(); ++i) {
    if (w.pq || w.gcg) {
      const std::string png = join_path(gt_dir, gts[i].panoptic_png);
      if (!std::filesystem::is_regular_file(png))
        throw InputError(args.gt, item_of(gts[i]), "panoptic PNG not found: " + png);
    }
    if (!w.pq || !preds[i]) continue;
    const PgcPrediction& p = *preds[i];
    for (size_t k = 0; k < p.phrases.size(); ++k) {
      const PredictedPhrase& ph = p.phrases[k];
      if (!ph.mask) continue;
      const std::string item = item_of(p) + ", phrase " + std::to_string(k);
      if (!ph.category_id)
        throw InputError(args.pred, item,
                         "no category_id: --class-map given needs one on every phrase with a mask "
                         "(or map phrase texts to classes with --class-map bert --bert DIR)");
      if (!known.count(*ph.category_id))
        throw InputError(args.pred, item, "category_id " + std::to_string(*ph.category_id) +
                                              " is not one of the panoptic categories");
    }
  }
}

// Row-major segment ids of a decoded GT PNG, checked against the record.
std::vector<uint32_t> gt_id_map(const PgcGroundTruth& gt, const std::string& gt_file, const std::string& png,
                                const RgbImage& img) {
  if (img.width != gt.width || img.height != gt.height)
    throw InputError(gt_file, item_of(gt),
                     "panoptic PNG " + png + " is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                         " (width x height) but the record says " + std::to_string(gt.width) + "x" +
                         std::to_string(gt.height));
  std::unordered_set<int64_t> listed;
  for (const auto& s : gt.segments_info) listed.insert(s.id);
  std::vector<uint32_t> ids(img.pixels());
  uint32_t last_checked = kPanopticVoid;
  for (size_t i = 0; i < ids.size(); ++i) {
    const uint8_t* p = &img.rgb[3 * i];
    ids[i] = p[0] + 256u * p[1] + 65536u * p[2];
    if (ids[i] != kPanopticVoid && ids[i] != last_checked) {
      if (!listed.count(ids[i]))
        throw InputError(gt_file, item_of(gt),
                         "segment id " + std::to_string(ids[i]) + " (" + id_rgb_text(ids[i]) +
                             ") is in the panoptic PNG " + png + " but not in segments_info");
      last_checked = ids[i];
    }
  }
  return ids;
}

std::vector<GroundedPhraseMask> phrase_masks(const PgcPrediction* pred) {
  std::vector<GroundedPhraseMask> out;
  if (!pred) return out;
  for (const auto& ph : pred->phrases) out.push_back({ph.mask ? &*ph.mask : nullptr, ph.category_id.value_or(0)});
  return out;
}

std::vector<int64_t> referenced_segments(const PgcGroundTruth& gt) {
  std::vector<int64_t> ids;
  for (const auto& s : gt.spans) ids.insert(ids.end(), s.segment_ids.begin(), s.segment_ids.end());
  return ids;
}

struct GroundedRun {
  std::vector<PqStats> pq_per_image;
  GcgStats gcg;
};

GroundedRun score_images(const GroundedArgs& args, const Wanted& w, const std::vector<PgcGroundTruth>& gts,
                         const std::vector<const PgcPrediction*>& preds, const std::string& gt_dir,
                         const std::vector<PqCategory>& categories, const TextSimilarity& similarity) {
  GroundedRun run;
  const size_t n = gts.size();
  if (w.pq) run.pq_per_image.resize(n);
  if (w.gcg) run.gcg.images.resize(n);
  const GroundedGtMode mode = args.gt_mode == "grounded" ? GroundedGtMode::kGrounded : GroundedGtMode::kFull;
  const int threads = resolve_threads(args.threads);
  struct Worker {
    PngDecoder decoder;
    RgbImage image;
  };
  std::vector<Worker> workers(static_cast<size_t>(threads));
  Progress progress("grounded", n, args.quiet);
  parallel_for(n, threads, [&](size_t i, int wk) {
    const PgcGroundTruth& gt = gts[i];
    Worker& worker = workers[static_cast<size_t>(wk)];
    const std::string png = join_path(gt_dir, gt.panoptic_png);
    worker.decoder.decode(png, "image " + gt.image_id.key, worker.image);
    std::vector<uint32_t> ids = gt_id_map(gt, args.gt, png, worker.image);
    std::vector<PqSegment> segments;
    for (const auto& s : gt.segments_info)
      segments.push_back({static_cast<uint32_t>(s.id), s.category_id, s.iscrowd != 0});
    if (w.gcg) {
      try {
        run.gcg.images[i] = gcg_image_stats(gcg_image_from_records(gt, ids, preds[i]), similarity);
      } catch (const std::out_of_range& e) {
        throw InputError(args.text_similarity, "image " + gt.image_id.key, e.what());
      } catch (const std::invalid_argument& e) {
        throw InputError(args.pred, "image " + gt.image_id.key, e.what());
      }
    }
    if (w.pq) {
      try {
        run.pq_per_image[i] = grounded_pq_image_stats(ids, gt.height, gt.width, segments, referenced_segments(gt),
                                                      phrase_masks(preds[i]), categories, mode);
      } catch (const std::invalid_argument& e) {
        throw InputError(args.pred, "image " + gt.image_id.key, e.what());
      }
    }
    progress.tick();
  });
  progress.done();
  return run;
}

CaptionResult score_captions(const GroundedArgs& args, const std::vector<PgcGroundTruth>& gts,
                             const std::vector<const PgcPrediction*>& preds) {
  CaptionSet set;
  for (size_t i = 0; i < gts.size(); ++i) {
    set.ids.push_back(gts[i].image_id.key);
    set.refs.push_back({gts[i].caption});  // the GT plain caption is the single reference (§7.1)
    set.preds.push_back(preds[i] ? preds[i]->caption : std::string());
  }
  CaptionEvalOptions opt;
  set_caption_metrics(split_caption_metrics(args.caption_metrics).text_metrics, opt);
  opt.meteor_data = args.meteor_data;
  opt.meteor_paraphrase = args.meteor_paraphrase;
  opt.threads = args.threads;
  opt.quiet = args.quiet;
  CaptionResult r = evaluate_captions(set, opt);
  if (!args.quiet && !r.warning.empty()) std::fprintf(stderr, "pgc grounded: %s\n", r.warning.c_str());
  return r;
}

void check_capture_args(const GroundedArgs& args) {
  if (args.capture_mode != "elements")
    throw UsageError("--capture-mode " + args.capture_mode +
                     " is not run inside pgc grounded; score the plain captions with pgc caption --metrics capture "
                     "--capture-mode full (its --dump-parse writes the elements), or pass elements here with "
                     "--capture-mode elements --capture-elements-gt REFS --capture-elements-pred PREDS");
  if (args.capture_elements_gt.empty() || args.capture_elements_pred.empty())
    throw UsageError("CAPTURE --capture-mode elements needs --capture-elements-gt REFS and --capture-elements-pred PREDS");
}

// CAPTURE through the code `pgc caption --metrics capture` runs (caption/capture_io.hpp):
// elements mode reads REFS {"<image id>": [ELEMENTS, ...]} and PREDS {"<image id>": ELEMENTS},
// which must cover exactly the GT images. Results come back in GT order; the corpus value is
// recomputed in that order (the resampler's order), so it equals what `pgc compare` rebuilds.
// The text modes (full/graphs: scene graphs parsed from the GT and predicted plain captions)
// plug in here once caption/capture_text lands.
CaptureResult score_capture(const GroundedArgs& args, const std::vector<PgcGroundTruth>& gts) {
  CaptureElementsRun run;
  run.refs_path = args.capture_elements_gt;
  run.preds_path = args.capture_elements_pred;
  run.similarity_path = args.capture_similarity;
  run.no_soft = args.capture_no_soft;
  run.wordnet_dir = args.wordnet_dir;
  run.threads = args.threads;
  CaptureResult cr = evaluate_capture_elements(run);
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < cr.ids.size(); ++i) index.emplace(cr.ids[i], i);
  std::unordered_set<std::string> gt_ids;
  CaptureResult out;
  out.signature = cr.signature;
  for (const auto& g : gts) {
    gt_ids.insert(g.image_id.key);
    const auto it = index.find(g.image_id.key);
    if (it == index.end())
      throw InputError(args.capture_elements_gt, "image " + g.image_id.key,
                       "no CAPTURE elements for this ground-truth image (" + args.gt + " line " +
                           std::to_string(g.line) + ")");
    out.ids.push_back(g.image_id.key);
    out.per_image.push_back(cr.per_image[it->second]);
    out.stats.push_back(cr.stats[it->second]);
  }
  for (const auto& id : cr.ids)
    if (!gt_ids.count(id))
      throw InputError(args.capture_elements_gt, "image " + id, "unknown image id (not in " + args.gt + ")");
  out.corpus = capture_corpus_score(out.stats);
  return out;
}

Signature grounded_signature(const GroundedArgs& args, const Wanted& w, const CaptionResult* caption,
                             const CaptureResult* capture, const std::vector<PqCategory>& categories,
                             const SentenceEncoder* bert) {
  Signature sig;
  sig.add("task", "grounded");
  if (caption)
    for (const auto& [k, v] : caption->signature.fields()) sig.add("caption." + k, v);
  if (capture)
    for (const auto& [k, v] : capture->signature.fields()) sig.add("capture." + k, v);
  if (w.pq) {
    const Signature pq_sig = panoptic_signature(categories);
    for (const auto& [k, v] : pq_sig.fields()) sig.add("pq." + k, v);
    sig.add("pq.map", "first-wins,stuff-merged").add("pq.gt", args.gt_mode);
    sig.add("pq.class", args.class_map == "bert" ? "mean-cosine," + bert->name() : args.class_map);
  }
  if (w.gcg) {
    sig.add("gcg", "glamm-e74865f").add("cocoeval", "8c9bcc3").add("recall", args.recall_skip ? "stop+skip" : "stop");
    sig.add("textsim", recall_uses_bert(args, w) ? "mean-cosine," + bert->name()
                                                 : "table@" + sha256_file(args.text_similarity).substr(0, 8));
  }
  return sig;
}

JsonValue gcg_json(const GcgResult& g, bool recall_skip, rapidjson::Document::AllocatorType& a) {
  JsonValue o(rapidjson::kObjectType);
  o.AddMember("AP50", g.AP50, a);
  o.AddMember("AP", g.AP, a);
  o.AddMember("mIoU", g.mIoU, a);
  o.AddMember("recall", g.recall, a);
  if (recall_skip) o.AddMember("recall_skip", g.recall_skip, a);
  JsonValue summary(rapidjson::kArrayType);
  for (double x : g.coco_summary) summary.PushBack(x, a);
  o.AddMember("coco_summary", summary, a);
  o.AddMember("recall_true_positives", g.recall_true_positives, a);
  if (recall_skip) o.AddMember("recall_skip_true_positives", g.recall_skip_true_positives, a);
  o.AddMember("recall_gt_labels", g.recall_gt_labels, a);
  return o;
}

// "stats": {"<image id>": {caption: "bleu", "meteor", "rouge", "cider" as `pgc caption`;
// "pq": {"<cat id>": [tp, fp, fn, iou_sum]}; "gcg": gcg_image_stats_to_json}}, for the metrics
// computed: enough to recompute every corpus number for any multiset of images (compare, gate).
JsonValue stats_block(const std::vector<PgcGroundTruth>& gts, const CaptionResult* caption,
                      const CaptureResult* capture, const GroundedRun& run, rapidjson::Document::AllocatorType& a) {
  JsonValue stats(rapidjson::kObjectType);
  for (size_t i = 0; i < gts.size(); ++i) {
    JsonValue s(rapidjson::kObjectType);
    if (caption) {
      if (!caption->bleu.empty()) {
        JsonValue arr(rapidjson::kArrayType);
        for (int64_t x : caption->bleu[i].to_array()) arr.PushBack(JsonValue(static_cast<int64_t>(x)), a);
        s.AddMember("bleu", arr, a);
      }
      if (!caption->rouge.empty()) s.AddMember("rouge", JsonValue(caption->rouge[i]), a);
      if (!caption->meteor.empty()) {
        JsonValue arr(rapidjson::kArrayType);
        for (double x : meteor_stats_to_vector(caption->meteor[i])) arr.PushBack(JsonValue(x), a);
        s.AddMember("meteor", arr, a);
      }
      if (!caption->cider.empty()) s.AddMember("cider", JsonValue(caption->cider[i]), a);
    }
    if (capture) {
      JsonValue arr(rapidjson::kArrayType);
      for (double x : capture->stats[i].to_vector()) arr.PushBack(JsonValue(x), a);
      s.AddMember("capture", arr, a);
    }
    if (!run.pq_per_image.empty()) s.AddMember("pq", run.pq_per_image[i].to_json(a), a);
    if (!run.gcg.images.empty()) s.AddMember("gcg", gcg_image_stats_to_json(run.gcg.images[i], a), a);
    stats.AddMember(JsonValue(gts[i].image_id.key.c_str(), a), s, a);
  }
  return stats;
}

std::map<std::string, double> gcg_corpus(const GcgResult& g, bool recall_skip) {
  std::map<std::string, double> out{{"AP50", g.AP50}, {"AP", g.AP}, {"mIoU", g.mIoU}, {"recall", g.recall}};
  if (recall_skip) out["recall_skip"] = g.recall_skip;
  return out;
}

// compare / gate: rebuild caption, PQ and GCG corpus numbers from a grounded results file. A
// bootstrap multiset may repeat an image; GCG's AP then ranks the copies as separate images with
// the same id (file order), which is the natural reading of a resample.
SampleSet grounded_samples(const JsonValue& results, const std::string& file) {
  const JsonValue& stats = member(results, "stats", file, "");
  if (!stats.IsObject() || stats.MemberCount() == 0)
    throw InputError(file, "stats", "expected per-image statistics {\"<id>\": {...}}");
  const JsonValue& first = stats.MemberBegin()->value;
  if (!first.IsObject()) throw InputError(file, "stats", "expected an object per image");
  SampleSet set;
  std::vector<CorpusFn> parts;
  if (first.HasMember("bleu") || first.HasMember("rouge") || first.HasMember("meteor") || first.HasMember("cider") ||
      first.HasMember("capture"))
    parts.push_back(CaptionSampleStats::from_results(results, file).corpus_fn());
  std::vector<PqStats> pq;
  GcgStats gcg;
  for (auto m = stats.MemberBegin(); m != stats.MemberEnd(); ++m) {
    set.ids.emplace_back(m->name.GetString(), m->name.GetStringLength());
    const std::string item = "stats, image " + set.ids.back();
    if (first.HasMember("pq")) pq.push_back(PqStats::from_json(member(m->value, "pq", file, item), file, item));
    if (first.HasMember("gcg")) {
      try {
        gcg.images.push_back(gcg_image_stats_from_json(member(m->value, "gcg", file, item)));
      } catch (const std::invalid_argument& e) {
        throw InputError(file, item + ", gcg", e.what());
      }
    }
  }
  if (!pq.empty())
    parts.push_back(panoptic_corpus_fn(pq, parse_categories(member(results, "categories", file, ""), file)));
  // recall_skip only where the run asked for it (--recall-skip put it in the "gcg" block).
  const auto gcg_block = results.FindMember("gcg");
  const bool recall_skip = gcg_block != results.MemberEnd() && gcg_block->value.IsObject() &&
                           gcg_block->value.HasMember("recall_skip");
  if (!gcg.images.empty())
    parts.push_back([gcg, recall_skip](const std::vector<size_t>& samples) {
      GcgStats chosen;
      for (size_t i : samples) chosen.images.push_back(gcg.images[i]);
      return gcg_corpus(gcg_score(chosen), recall_skip);
    });
  set.corpus = [parts](const std::vector<size_t>& samples) {
    std::map<std::string, double> out;
    for (const auto& f : parts)
      for (auto& [k, v] : f(samples)) out[k] = v;
    return out;
  };
  return set;
}

RegisterResampler g_grounded_resampler("grounded", grounded_samples);

void print_group(const char* label, const PqGroupResult& g) {
  if (!g.pq) {
    std::printf("    %-8s %8s %8s %8s %5d\n", label, "-", "-", "-", g.n);
    return;
  }
  std::printf("    %-8s %8.3f %8.3f %8.3f %5d\n", label, 100 * *g.pq, 100 * *g.sq, 100 * *g.rq, g.n);
}

void print_table(const GroundedArgs& args, size_t n, const CaptionResult* caption, const CaptureResult* capture,
                 const PqResult* pq, const GcgResult* gcg, const Signature& sig) {
  std::printf("pgc grounded: %s (%zu images)\n", args.name.c_str(), n);
  if (caption || capture) std::printf("  caption\n");
  if (caption)
    for (size_t m = 0; m < caption->metrics.size(); ++m)
      std::printf("    %-8s %.6f\n", caption->metrics[m].c_str(), caption->corpus[m]);
  if (capture) std::printf("    %-8s %.6f\n", "CAPTURE", capture->corpus);
  if (pq) {
    std::printf("  PQ of grounded masks (gt-mode %s, x100)\n    %-8s %8s %8s %8s %5s\n", args.gt_mode.c_str(), "", "PQ",
                "SQ", "RQ", "N");
    print_group("All", pq->all);
    print_group("Things", pq->things);
    print_group("Stuff", pq->stuff);
  }
  if (gcg) {
    std::printf("  GCG (GLaMM)\n    AP50 %.6f  AP %.6f  mIoU %.6f  recall %.6f", gcg->AP50, gcg->AP, gcg->mIoU,
                gcg->recall);
    if (args.recall_skip) std::printf("  recall_skip %.6f", gcg->recall_skip);
    std::printf("\n");
  }
  std::printf("signature: %s\n", sig.str().c_str());
}

int run_grounded(GroundedArgs args) {
  const Wanted w = parse_metrics(args.metrics);
  check_bert_needs(args, w);
  CaptionWanted cw;
  if (w.caption) {
    cw = split_caption_metrics(args.caption_metrics);
    CaptionEvalOptions probe;
    if (!cw.text_metrics.empty()) set_caption_metrics(cw.text_metrics, probe);  // bad lists fail before any reading
    if (cw.capture) check_capture_args(args);
  }
  if (args.recall_skip && !w.gcg) throw UsageError("--recall-skip needs gcg in --metrics");
  if (args.name.empty()) args.name = std::filesystem::path(args.pred).stem().string();
  const std::string categories_path = args.categories.empty() ? shipped_categories_path() : args.categories;
  const std::vector<PqCategory> categories = w.pq ? read_categories(categories_path) : std::vector<PqCategory>{};
  TextSimilarityTable table;
  if (w.gcg && !recall_uses_bert(args, w)) table = read_text_similarity(args.text_similarity);
  std::unique_ptr<SentenceEncoder> bert;
  if (needs_bert(args, w)) bert = load_bert_encoder(args.bert, resolve_device(args.device));

  const std::vector<PgcGroundTruth> gts = read_ground_truth(args.gt);
  std::vector<PgcPrediction> preds = read_predictions(args.pred);
  std::vector<std::vector<int64_t>> mapped_classes;
  if (w.pq && args.class_map == "bert") mapped_classes = apply_bert_class_map(preds, *bert, categories);
  const std::vector<const PgcPrediction*> aligned =
      align_predictions(gts, preds, args.gt, args.pred, args.allow_missing);
  size_t missing = 0;
  for (const auto* p : aligned) missing += p == nullptr;
  if (missing && !args.quiet)
    std::fprintf(stderr, "pgc grounded: --allow-missing: %zu GT image(s) have no prediction; scored as empty "
                         "predictions (empty caption, no masks)\n", missing);
  const std::string gt_dir = std::filesystem::path(args.gt).parent_path().string();
  precheck(args, w, gts, aligned, gt_dir, categories);
  // CAPTURE's element files are read and checked before the long per-image run.
  std::unique_ptr<CaptureResult> capture;
  if (w.caption && cw.capture) capture = std::make_unique<CaptureResult>(score_capture(args, gts));

  std::unique_ptr<EmbeddingSimilarity> bert_similarity;
  if (recall_uses_bert(args, w)) {
    bert_similarity = std::make_unique<EmbeddingSimilarity>(*bert);
    embed_recall_texts(*bert_similarity, gts, aligned);
  }
  GroundedRun run;
  if (w.pq || w.gcg)
    run = score_images(args, w, gts, aligned, gt_dir, categories,
                       [&table, &bert_similarity](const std::string& g, const std::string& p) {
                         return bert_similarity ? (*bert_similarity)(g, p) : table(g, p);
                       });
  std::unique_ptr<CaptionResult> caption;
  if (w.caption && !cw.text_metrics.empty())
    caption = std::make_unique<CaptionResult>(score_captions(args, gts, aligned));
  std::unique_ptr<PqResult> pq;
  if (w.pq) pq = std::make_unique<PqResult>(pq_score(sum_stats(run.pq_per_image), categories));
  std::unique_ptr<GcgResult> gcg;
  if (w.gcg) gcg = std::make_unique<GcgResult>(gcg_score(run.gcg));
  const Signature sig = grounded_signature(args, w, caption.get(), capture.get(), categories, bert.get());

  if (!args.json.empty()) {
    std::vector<InputFile> inputs{{"gt", args.gt}, {"pred", args.pred}};
    if (w.gcg && !recall_uses_bert(args, w)) inputs.push_back({"text_similarity", args.text_similarity});
    if (w.pq && !args.categories.empty()) inputs.push_back({"categories", args.categories});
    if (capture) {
      inputs.push_back({"capture_elements_gt", args.capture_elements_gt});
      inputs.push_back({"capture_elements_pred", args.capture_elements_pred});
      if (!args.capture_similarity.empty()) inputs.push_back({"capture_similarity", args.capture_similarity});
    }
    JsonDoc doc = make_results(args.name, "grounded", sig, inputs);
    auto& a = doc.GetAllocator();
    if (caption || capture) {
      JsonValue c(rapidjson::kObjectType);
      if (caption)
        for (size_t m = 0; m < caption->metrics.size(); ++m)
          c.AddMember(JsonValue(caption->metrics[m].c_str(), a), JsonValue(caption->corpus[m]), a);
      if (capture) c.AddMember("CAPTURE", JsonValue(capture->corpus), a);
      // Also as "corpus" (pycocoevalcap names), which leaderboards read next to the "pq" block.
      JsonValue corpus(c, a);
      doc.AddMember("caption", c, a);
      doc.AddMember("corpus", corpus, a);
    }
    if (pq) {
      JsonValue p(rapidjson::kObjectType);
      pq_result_to_json(*pq, p, a);
      doc.AddMember("pq", p, a);
    }
    if (gcg) doc.AddMember("gcg", gcg_json(*gcg, args.recall_skip, a), a);
    if (pq) doc.AddMember("categories", categories_to_json(categories, a), a);
    if (!mapped_classes.empty()) {  // --class-map bert: {"<image id>": [category per phrase, null = no mask]}
      JsonValue m(rapidjson::kObjectType);
      for (size_t i = 0; i < preds.size(); ++i) {
        JsonValue row(rapidjson::kArrayType);
        for (int64_t c : mapped_classes[i]) row.PushBack(c < 0 ? JsonValue() : JsonValue(c), a);
        m.AddMember(JsonValue(preds[i].image_id.key.c_str(), a), row, a);
      }
      doc.AddMember("class_map", m, a);
    }
    doc.AddMember("stats", stats_block(gts, caption.get(), capture.get(), run, a), a);
    write_file_atomic(args.json, to_json(doc) + "\n");
  }
  if (args.json != "-") print_table(args, gts.size(), caption.get(), capture.get(), pq.get(), gcg.get(), sig);
  return kExitOk;
}

RegisterCommand g_grounded_command(
    "grounded",
    "Grounded captions: caption metrics, PQ of the grounded masks and GLaMM's GCG metrics (AP50, mIoU, recall)",
    [](CLI::App& sub) -> CommandRun {
      auto args = std::make_shared<GroundedArgs>();
      sub.add_option("--gt", args->gt,
                     "ground truth JSON Lines (pgc_formats.md §6.2); panoptic_png paths are relative to its folder")
          ->required();
      sub.add_option("--pred", args->pred, "predictions JSON Lines (pgc_formats.md §6.1)")->required();
      sub.add_option("--gt-mode", args->gt_mode,
                     "PQ ground truth: full (every segment of segments_info) or grounded (only segments referenced "
                     "by caption spans; other labelled pixels become VOID)")
          ->check(CLI::IsMember({"full", "grounded"}))
          ->capture_default_str();
      sub.add_option("--class-map", args->class_map,
                     "phrase -> class for PQ: given (category_id on every phrase with a mask) or bert (each masked "
                     "phrase's text -> the class name with the largest BERT cosine, pgc_formats.md 7.2; needs --bert)")
          ->check(CLI::IsMember({"given", "bert"}))
          ->capture_default_str();
      sub.add_option("--bert", args->bert,
                     "HF bert-base-uncased folder (config.json, vocab.txt, model.safetensors) for --class-map bert and "
                     "the GCG recall's text similarity (default: none)");
      sub.add_option("--device", args->device, "where BERT runs: auto, cpu or cuda")->capture_default_str();
      sub.add_option("--text-similarity", args->text_similarity,
                     "GCG recall's text similarity from a table {\"<gt label>|<pred phrase>\": cosine} instead of "
                     "BERT (default: none, then gcg needs --bert)");
      sub.add_option("--metrics", args->metrics, "comma-separated subset of caption,pq,gcg")->capture_default_str();
      sub.add_option("--caption-metrics", args->caption_metrics,
                     "caption metrics: comma-separated subset of bleu,meteor,rouge,cider,capture (capture: CAPTURE "
                     "as `pgc caption`, see --capture-mode)")
          ->capture_default_str();
      sub.add_option("--capture-mode", args->capture_mode,
                     "CAPTURE input: elements (--capture-elements-gt/--capture-elements-pred). full and graphs are not "
                     "run inside pgc grounded: use pgc caption --metrics capture --capture-mode full on the plain "
                     "captions (its --dump-parse writes the elements)")
          ->check(CLI::IsMember({"full", "graphs", "elements"}))
          ->capture_default_str();
      sub.add_option("--capture-elements-gt", args->capture_elements_gt,
                     "CAPTURE elements of the GT captions, {\"<image id>\": [ELEMENTS, ...]} as pgc caption's REFS "
                     "(default: none)");
      sub.add_option("--capture-elements-pred", args->capture_elements_pred,
                     "CAPTURE elements of the predicted captions, {\"<image id>\": ELEMENTS} as pgc caption's PREDS "
                     "(default: none)");
      sub.add_option("--capture-similarity", args->capture_similarity,
                     "CAPTURE soft stage from a table {\"<candidate phrase>|<reference phrase>\": cosine} (missing = 0; "
                     "default: none)");
      sub.add_flag("--capture-no-soft", args->capture_no_soft, "CAPTURE without its soft (embedding) stage (default: off)");
      sub.add_option("--wordnet", args->wordnet_dir,
                     "WordNet 3.0 dict folder for CAPTURE's synonym stage (default: $PGC_WORDNET_DIR or "
                     "/usr/share/wordnet)");
      sub.add_flag("--recall-skip", args->recall_skip,
                   "also report recall_skip, pgc's GCG recall variant that skips a pair failing only the text gate "
                   "instead of stopping the image; \"recall\" stays GLaMM's (default: off)");
      sub.add_option("--categories", args->categories,
                     "panoptic categories JSON (list of {id, name, isthing}) (default: data/panoptic_coco_categories.json, "
                     "COCO's 133)");
      sub.add_option("--meteor-data", args->meteor_data,
                     "folder with METEOR 1.5's English data (default: pycocoevalcap's meteor-1.5.jar if installed, else pgc's bundled data/meteor)");
      sub.add_option("--meteor-paraphrase", args->meteor_paraphrase,
                     "METEOR paraphrase table (gzip), or none (default: paraphrase-en.gz from the METEOR data)");
      sub.add_option("--name", args->name, "system name recorded in the results (default: the PRED file name)");
      sub.add_option("--json", args->json, "write the results document to OUT (- = stdout, then no table; default: none)");
      sub.add_option("--threads", args->threads, "worker threads (0 = all cores)")->capture_default_str();
      sub.add_flag("--allow-missing", args->allow_missing,
                   "score a GT image without prediction as an empty prediction (default: error)");
      sub.add_flag("--quiet", args->quiet, "no progress or notes on stderr (default: off)");
      return [args] { return run_grounded(*args); };
    });

}  // namespace
}  // namespace pgc
