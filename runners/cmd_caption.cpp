// `pgc caption`: caption metrics identical to pycocoevalcap (BLEU@1-4, METEOR, ROUGE-L, CIDEr-D)
// and CAPTURE (elements, graphs and full modes). Only wiring: reading and scoring live in caption/.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "caption/caption_eval.hpp"
#include "caption/caption_io.hpp"
#include "caption/capture_io.hpp"
#include "caption/capture_text.hpp"
#include "caption/wordnet.hpp"
#include "core/atomic_file.hpp"
#include "core/bootstrap.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/resample.hpp"
#include "core/results.hpp"
#include "models/device.hpp"
#include "models/text_encoder.hpp"
#include "runners/command.hpp"

namespace pgc {
namespace {

struct CaptionArgs {
  std::string refs, preds, tokenize = "ptb", metrics = "bleu,meteor,rouge,cider";
  std::string meteor_data, meteor_paraphrase, name, json;
  std::string capture_mode = "full", capture_similarity, wordnet_dir;
  std::string nltk_data, capture_parser, capture_parser_version = "v0.5", capture_device = "auto", dump_parse;
  std::string capture_encoder;
  bool capture_no_soft = false, capture_no_stop_words = false, capture_beam_len_excludes_start = false;
  bool per_image = false, allow_missing = false, quiet = false;
  int threads = 0, bootstrap = 0;
  uint64_t seed = 12345;
};

JsonValue metric_object(const std::vector<std::string>& names, const std::vector<double>& values,
                        rapidjson::Document::AllocatorType& a) {
  JsonValue o(rapidjson::kObjectType);
  for (size_t m = 0; m < names.size(); ++m) o.AddMember(JsonValue(names[m].c_str(), a), JsonValue(values[m]), a);
  return o;
}

// "stats": {"<id>": {"bleu": [c1..c4, g1..g4, testlen, reflen], "meteor": [METEOR's stats
// line], "rouge": x, "cider": x}}
JsonValue stats_block(const CaptionResult& r, rapidjson::Document::AllocatorType& a) {
  JsonValue stats(rapidjson::kObjectType);
  for (size_t i = 0; i < r.ids.size(); ++i) {
    JsonValue s(rapidjson::kObjectType);
    if (!r.bleu.empty()) {
      JsonValue arr(rapidjson::kArrayType);
      for (int64_t x : r.bleu[i].to_array()) arr.PushBack(JsonValue(static_cast<int64_t>(x)), a);
      s.AddMember("bleu", arr, a);
    }
    if (!r.rouge.empty()) s.AddMember("rouge", JsonValue(r.rouge[i]), a);
    if (!r.meteor.empty()) {
      JsonValue arr(rapidjson::kArrayType);
      for (double x : meteor_stats_to_vector(r.meteor[i])) arr.PushBack(JsonValue(x), a);
      s.AddMember("meteor", arr, a);
    }
    if (!r.cider.empty()) s.AddMember("cider", JsonValue(r.cider[i]), a);
    stats.AddMember(JsonValue(r.ids[i].c_str(), a), s, a);
  }
  return stats;
}

// `pgc compare` / `pgc gate` rebuild corpus metrics from a caption results file's "stats".
// METEOR's statistics are wired in with the METEOR scorer.
RegisterResampler g_caption_resampler("caption", [](const JsonValue& results, const std::string& file) {
  CaptionSampleStats s = CaptionSampleStats::from_results(results, file);
  return SampleSet{s.ids, s.corpus_fn()};
});

void print_table(const CaptionArgs& args, const CaptionResult& r, const std::map<std::string, Interval>& ci) {
  std::printf("pgc caption: %s (%zu images)\n", args.name.c_str(), r.ids.size());
  for (size_t m = 0; m < r.metrics.size(); ++m) {
    std::printf("  %-8s %.6f", r.metrics[m].c_str(), r.corpus[m]);
    auto it = ci.find(r.metrics[m]);
    if (it != ci.end()) std::printf("   95%% CI [%.6f, %.6f]", it->second.low, it->second.high);
    std::printf("\n");
  }
  std::printf("signature: %s\n", r.signature.str().c_str());
}

// The results document shared by the text metrics and CAPTURE.
struct ScoredCaptions {
  std::vector<std::string> ids, metrics;
  std::vector<double> corpus;
  std::vector<JsonValue> per_image;  // one object per image ({"<metric>": value, ...})
  const Signature* signature = nullptr;
};

void write_caption_results(const CaptionArgs& args, ScoredCaptions& r, JsonValue stats,
                           const std::map<std::string, Interval>& ci, JsonDoc& doc) {
  auto& a = doc.GetAllocator();
  doc.AddMember("corpus", metric_object(r.metrics, r.corpus, a), a);
  if (args.per_image) {
    JsonValue per(rapidjson::kObjectType);
    for (size_t i = 0; i < r.ids.size(); ++i) per.AddMember(JsonValue(r.ids[i].c_str(), a), r.per_image[i], a);
    doc.AddMember("per_image", per, a);
  }
  doc.AddMember("stats", stats, a);
  if (!ci.empty()) {
    JsonValue cio(rapidjson::kObjectType);
    for (auto& [k, v] : ci) {
      JsonValue e(rapidjson::kObjectType);
      e.AddMember("low", v.low, a);
      e.AddMember("high", v.high, a);
      cio.AddMember(JsonValue(k.c_str(), a), e, a);
    }
    doc.AddMember("ci", cio, a);
    JsonValue boot(rapidjson::kObjectType);
    boot.AddMember("resamples", args.bootstrap, a);
    boot.AddMember("seed", args.seed, a);
    doc.AddMember("bootstrap", boot, a);
  }
  write_file_atomic(args.json, to_json(doc) + "\n");
}

// Extracts the CAPTURE elements of every caption for --capture-mode graphs / full (spec §2):
// graphs mode reads per-sentence parser outputs, full mode runs the scene-graph parser on the
// Punkt sentences of every caption. Fills the run's images, WordNet and signature fields.
struct CaptureExtraction {
  std::unique_ptr<WordNet> wordnet;
  std::vector<CaptureImage> images;
};

CaptureExtraction extract_capture(const CaptionArgs& args, CaptureElementsRun& run) {
  CaptureExtraction x;
  x.wordnet = std::make_unique<WordNet>(resolve_wordnet_dir(args.wordnet_dir));
  std::unique_ptr<CaptureTextPipeline> pipeline = CaptureTextPipeline::load(args.nltk_data, *x.wordnet);
  const bool stop_words = !args.capture_no_stop_words;
  run.extra_signature.emplace_back("capture_nltk", pipeline->id());
  run.extra_signature.emplace_back("capture_lemma", x.wordnet->id());
  run.extra_signature.emplace_back("capture_stopwords", stop_words ? "capture-0.1.12" : "off");
  std::vector<CaptureGraphImage> graphs;
  if (args.capture_mode == "graphs") {
    graphs = read_capture_graph_images(args.refs, args.preds);
  } else {
    CaptionJoinReport dropped;
    CaptionSet set = read_caption_set(args.refs, args.preds, args.allow_missing, &dropped);
    if (!args.quiet && (dropped.refs_without_pred || dropped.preds_without_ref))
      std::fprintf(stderr, "pgc caption: --allow-missing: scoring %zu images; dropped %zu reference image(s) "
                           "with no prediction and %zu prediction(s) with no reference\n",
                   set.ids.size(), dropped.refs_without_pred, dropped.preds_without_ref);
    SceneGraphParserOptions popt;
    popt.parser_version = args.capture_parser_version;
    popt.beam_length_counts_start = !args.capture_beam_len_excludes_start;
    std::unique_ptr<SceneGraphParser> parser = load_scene_graph_parser(args.capture_parser, resolve_device(args.capture_device), popt);
    run.extra_signature.emplace_back("capture_parser", parser->name() + "," + args.capture_parser_version +
                                                           (popt.beam_length_counts_start ? ",len+start" : ",len-start"));
    size_t captions = 0;
    for (const auto& r : set.refs) captions += r.size() + 1;
    Progress progress("CAPTURE parsing", captions, args.quiet);
    graphs = parse_capture_captions(set.ids, set.refs, set.preds, *pipeline, *parser, [&] { progress.tick(); });
    progress.done();
  }
  x.images = extract_capture_images(graphs, *pipeline, args.threads, stop_words);
  return x;
}

// CAPTURE (`--metrics capture`): REFS/PREDS hold scene-graph elements, per-sentence parser
// outputs or captions (--capture-mode), not only captions, so no other metric is computed in
// the same run.
int run_capture(CaptionArgs args) {
  if (args.metrics != "capture")
    throw UsageError("--metrics capture cannot be combined with other metrics: CAPTURE's inputs are "
                     "scene-graph elements (or captions for --capture-mode full); score text metrics in a separate run");
  if (args.bootstrap < 0) throw UsageError("--bootstrap must be >= 0");
  if (args.name.empty()) args.name = std::filesystem::path(args.preds).stem().string();
  if (args.capture_mode != "full" && !args.capture_parser.empty())
    throw UsageError("--capture-parser is only used by --capture-mode full");
  if (args.capture_mode == "full" && args.capture_parser.empty())
    throw UsageError("--capture-mode full needs --capture-parser DIR (the FACTUAL flan-t5-base-VG-factual-sg "
                     "model folder: config.json, spiece.model, model.safetensors)");
  CaptureElementsRun run;
  run.refs_path = args.refs;
  run.preds_path = args.preds;
  run.similarity_path = args.capture_similarity;
  run.no_soft = args.capture_no_soft;
  run.wordnet_dir = args.wordnet_dir;
  run.threads = args.threads;
  run.mode = args.capture_mode;
  // The soft-stage flags are checked (and the encoder loaded) before the slow extraction; they
  // mirror the sources evaluate_capture_elements accepts.
  const int soft_sources =
      int(!args.capture_similarity.empty()) + int(!args.capture_encoder.empty()) + int(args.capture_no_soft);
  if (soft_sources == 0)
    throw UsageError("CAPTURE: the soft stage needs --capture-encoder DIR (all-mpnet-base-v2) or "
                     "--capture-similarity FILE, or turn it off with --capture-no-soft");
  if (soft_sources > 1)
    throw UsageError("--capture-encoder, --capture-similarity and --capture-no-soft exclude each other");
  std::unique_ptr<SentenceEncoder> encoder;
  if (!args.capture_encoder.empty()) {
    encoder = load_mpnet_encoder(args.capture_encoder, resolve_device(args.capture_device));
    run.encoder = encoder.get();
  }
  CaptureExtraction extracted;
  if (args.capture_mode != "elements") {
    extracted = extract_capture(args, run);
    run.images = &extracted.images;
    run.wordnet = extracted.wordnet.get();
  }
  CaptureResult cr = evaluate_capture_elements(run);
  if (!args.dump_parse.empty()) {
    std::vector<CaptureImage> echoed;
    if (!run.images) echoed = read_capture_images(args.refs, args.preds);
    write_file_atomic(args.dump_parse, capture_parse_dump(run.images ? *run.images : echoed));
  }

  CaptionSampleStats samples;
  samples.ids = cr.ids;
  samples.capture = cr.stats;
  std::map<std::string, Interval> ci;
  if (args.bootstrap > 0) ci = bootstrap_ci(cr.ids.size(), samples.corpus_fn(), args.bootstrap, args.seed);

  if (!args.json.empty()) {
    std::vector<InputFile> inputs{{"refs", args.refs}, {"preds", args.preds}};
    if (!args.capture_similarity.empty()) inputs.push_back({"capture_similarity", args.capture_similarity});
    // (The encoder folder is named, with its weights' hash, in the signature's capture_soft.)
    JsonDoc doc = make_results(args.name, "caption", cr.signature, inputs);
    auto& a = doc.GetAllocator();
    ScoredCaptions r{cr.ids, {"CAPTURE"}, {cr.corpus}, {}, &cr.signature};
    for (const auto& p : cr.per_image) r.per_image.push_back(capture_scores_to_json(p, a));
    JsonValue stats(rapidjson::kObjectType);
    for (size_t i = 0; i < cr.ids.size(); ++i) {
      JsonValue s(rapidjson::kObjectType), arr(rapidjson::kArrayType);
      for (double x : cr.stats[i].to_vector()) arr.PushBack(JsonValue(x), a);
      s.AddMember("capture", arr, a);
      stats.AddMember(JsonValue(cr.ids[i].c_str(), a), s, a);
    }
    write_caption_results(args, r, std::move(stats), ci, doc);
  }
  if (args.json != "-") {
    std::printf("pgc caption: %s (%zu images)\n", args.name.c_str(), cr.ids.size());
    std::printf("  %-8s %.6f", "CAPTURE", cr.corpus);
    if (ci.count("CAPTURE")) std::printf("   95%% CI [%.6f, %.6f]", ci["CAPTURE"].low, ci["CAPTURE"].high);
    std::printf("\nsignature: %s\n", cr.signature.str().c_str());
  }
  return kExitOk;
}

int run_caption(CaptionArgs args) {
  if (args.metrics.find("capture") != std::string::npos) return run_capture(std::move(args));
  CaptionEvalOptions opt;
  opt.tokenize = args.tokenize;
  set_caption_metrics(args.metrics, opt);
  opt.meteor_data = args.meteor_data;
  opt.meteor_paraphrase = args.meteor_paraphrase;
  opt.threads = args.threads;
  opt.quiet = args.quiet;
  if (args.bootstrap < 0) throw UsageError("--bootstrap must be >= 0");
  if (args.name.empty()) args.name = std::filesystem::path(args.preds).stem().string();

  CaptionJoinReport dropped;
  CaptionSet set = read_caption_set(args.refs, args.preds, args.allow_missing, &dropped);
  if (!args.quiet && (dropped.refs_without_pred || dropped.preds_without_ref))
    std::fprintf(stderr, "pgc caption: --allow-missing: scoring %zu images; dropped %zu reference image(s) "
                         "with no prediction and %zu prediction(s) with no reference\n",
                 set.ids.size(), dropped.refs_without_pred, dropped.preds_without_ref);

  CaptionResult r = evaluate_captions(set, opt);
  if (!args.quiet && !r.warning.empty()) std::fprintf(stderr, "pgc caption: %s\n", r.warning.c_str());
  std::map<std::string, Interval> ci;
  if (args.bootstrap > 0) ci = bootstrap_ci(r.ids.size(), CaptionSampleStats::from_result(r).corpus_fn(), args.bootstrap, args.seed);

  if (!args.json.empty()) {
    JsonDoc doc = make_results(args.name, "caption", r.signature, {{"refs", args.refs}, {"preds", args.preds}});
    auto& a = doc.GetAllocator();
    ScoredCaptions scored{r.ids, r.metrics, r.corpus, {}, &r.signature};
    if (args.per_image)
      for (size_t i = 0; i < r.ids.size(); ++i) scored.per_image.push_back(metric_object(r.metrics, r.per_image[i], a));
    write_caption_results(args, scored, stats_block(r, a), ci, doc);
  }
  if (args.json != "-") print_table(args, r, ci);
  return kExitOk;
}

RegisterCommand g_caption_command(
    "caption", "Caption metrics identical to pycocoevalcap: BLEU@1-4, METEOR, ROUGE-L, CIDEr-D; and CAPTURE (capture_metric)",
    [](CLI::App& sub) -> CommandRun {
      auto args = std::make_shared<CaptionArgs>();
      sub.add_option("--refs", args->refs,
                     "reference captions: {\"<id>\": [\"ref\", ...]} or a COCO captions file with \"annotations\"")
          ->required();
      sub.add_option("--preds", args->preds,
                     "predicted captions: {\"<id>\": \"caption\"} or a COCO results list [{\"image_id\", \"caption\"}]")
          ->required();
      sub.add_option("--tokenize", args->tokenize,
                     "ptb: pycocoevalcap's PTBTokenizer (3.4.1, -lowerCase, punctuation removed); none: captions "
                     "are already tokenized (words separated by spaces)")
          ->check(CLI::IsMember({"ptb", "none"}))
          ->capture_default_str();
      sub.add_option("--metrics", args->metrics,
                     "comma-separated subset of bleu,meteor,rouge,cider; or capture (alone: its inputs differ)")
          ->capture_default_str();
      sub.add_option("--capture-mode", args->capture_mode,
                     "CAPTURE input: full (caption text as for the other metrics; needs --capture-parser, NLTK data, "
                     "WordNet), graphs (REFS {\"<id>\": [{\"text\", \"graphs\": [parser output per sentence]}, ...]}, "
                     "PREDS {\"<id>\": {\"text\", \"graphs\"}}; needs NLTK data, WordNet) or elements (REFS "
                     "{\"<id>\": [ELEMENTS, ...]}, PREDS {\"<id>\": ELEMENTS} with objects/attributes/relations)")
          ->check(CLI::IsMember({"full", "graphs", "elements"}))
          ->capture_default_str();
      sub.add_option("--capture-similarity", args->capture_similarity,
                     "CAPTURE soft stage from a table {\"<candidate phrase>|<reference phrase>\": cosine} (missing = 0)");
      sub.add_option("--capture-encoder", args->capture_encoder,
                     "CAPTURE soft stage from a sentence-transformers all-mpnet-base-v2 folder (config.json, "
                     "vocab.txt, model.safetensors, modules.json, 1_Pooling/, sentence_bert_config.json), as the "
                     "reference does (default: none); see docs/capture.md");
      sub.add_flag("--capture-no-soft", args->capture_no_soft, "CAPTURE without its soft (embedding) stage");
      sub.add_flag("--capture-no-stop-words", args->capture_no_stop_words,
                   "CAPTURE graphs/full modes: keep stop-word objects (reference stop_words=False; default: filter)");
      sub.add_option("--capture-parser", args->capture_parser,
                     "CAPTURE full mode: FACTUAL scene-graph parser folder (lizhuang144/flan-t5-base-VG-factual-sg: "
                     "config.json, spiece.model, model.safetensors)");
      sub.add_option("--capture-parser-version", args->capture_parser_version,
                     "CAPTURE full mode: FactualSceneGraph input truncation to reproduce: v0.5 (2024, 63 tokens + </s>) "
                     "or v0.6 (2025+, batch-longest limit)")
          ->check(CLI::IsMember({"v0.5", "v0.6"}))
          ->capture_default_str();
      sub.add_flag("--capture-beam-len-excludes-start", args->capture_beam_len_excludes_start,
                   "CAPTURE full mode: beam length normalization without the decoder start token (transformers >= "
                   "~4.37; default: counted, as the 2024 reference)");
      sub.add_option("--capture-device", args->capture_device,
                     "where CAPTURE's networks run (the MPNet encoder, the T5 parser): auto, cpu or cuda")
          ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
          ->capture_default_str();
      sub.add_option("--nltk-data", args->nltk_data,
                     "CAPTURE graphs/full modes: nltk_data folder with tokenizers/punkt_tab/english/ and "
                     "taggers/averaged_perceptron_tagger_eng/ (default: $PGC_NLTK_DATA, then $NLTK_DATA, ~/nltk_data, "
                     "/usr/share/nltk_data, ...)");
      sub.add_option("--dump-parse", args->dump_parse,
                     "CAPTURE: write what was extracted from every caption, {\"refs\": {\"<id>\": [ELEMENTS, ...]}, "
                     "\"preds\": {\"<id>\": ELEMENTS}} (elements-mode format)");
      sub.add_option("--wordnet", args->wordnet_dir,
                     "WordNet 3.0 dict folder for CAPTURE's synonym stage and lemmatizer (default: $PGC_WORDNET_DIR or "
                     "/usr/share/wordnet from Debian's wordnet-base)");
      sub.add_option("--meteor-data", args->meteor_data,
                     "folder with METEOR 1.5's English data (english.words, .synsets, .relations, .exceptions, "
                     "paraphrase-en.gz); default: pycocoevalcap's meteor-1.5.jar if installed, else pgc's bundled data/meteor");
      sub.add_option("--meteor-paraphrase", args->meteor_paraphrase,
                     "METEOR paraphrase table (gzip), or none for modules exact,stem,synonym only; default: "
                     "paraphrase-en.gz from the METEOR data");
      sub.add_option("--name", args->name, "system name recorded in the results (default: the PREDS file name)");
      sub.add_option("--json", args->json, "write the results document to OUT (- = stdout, then no table)");
      sub.add_flag("--per-image", args->per_image, "include per-image scores in the JSON (\"per_image\")");
      sub.add_option("--threads", args->threads, "worker threads (0 = all cores)")->capture_default_str();
      sub.add_flag("--allow-missing", args->allow_missing,
                   "score only images present in both files and report how many were dropped (default: error)");
      sub.add_option("--bootstrap", args->bootstrap,
                     "bootstrap resamples for 95% confidence intervals over images (0 = none)")
          ->capture_default_str();
      sub.add_option("--seed", args->seed, "random seed of the bootstrap")->capture_default_str();
      sub.add_flag("--quiet", args->quiet, "no progress or notes on stderr");
      return [args] { return run_caption(*args); };
    });

}  // namespace
}  // namespace pgc
