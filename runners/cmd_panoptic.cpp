// pgc panoptic: COCO Panoptic Quality (PQ, SQ, RQ for All / Things / Stuff and per class),
// identical to panopticapi's pq_compute. Also registers the "panoptic" resampler so
// compare / gate can bootstrap PQ from a results file's per-image "stats".
#include <iostream>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/resample.hpp"
#include "panoptic/panoptic_eval.hpp"
#include "runners/command.hpp"
#include "runners/panoptic_output.hpp"

namespace pgc {
namespace {

struct PanopticArgs {
  PanopticInputs in;
  std::string json_out, state_out, name;
  bool per_class = false, quiet = false;
  int threads = 0, bootstrap = 0;
  uint64_t seed = 12345;
};

std::string file_stem(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

void warn_ignored(const PanopticEvaluation& e, const std::string& pred_json) {
  if (e.ignored_pred_images.empty()) return;
  std::string ids;
  for (size_t i = 0; i < e.ignored_pred_images.size() && i < 10; ++i)
    ids += (i ? ", " : "") + e.ignored_pred_images[i];
  if (e.ignored_pred_images.size() > 10) ids += ", ...";
  std::cerr << "pgc: warning: " << pred_json << ": " << e.ignored_pred_images.size()
            << " predicted image(s) not in the GT were ignored (as panopticapi does): image "
            << ids << "\n";
}

int run_panoptic(const PanopticArgs& args) {
  if (args.bootstrap < 0) throw UsageError("--bootstrap must be >= 0");
  PanopticOptions opt;
  opt.threads = args.threads;
  opt.quiet = args.quiet;
  PanopticEvaluation e = evaluate_panoptic(args.in, opt);
  warn_ignored(e, args.in.pred_json);
  PqResult r = pq_score(e.totals, e.categories);

  PanopticReportOptions ro;
  ro.name = args.name.empty() ? file_stem(args.in.pred_json) : args.name;
  ro.inputs = {{"gt_json", args.in.gt_json}, {"pred_json", args.in.pred_json}};
  if (!args.in.categories_json.empty()) ro.inputs.push_back({"categories", args.in.categories_json});
  ro.bootstrap = args.bootstrap;
  ro.seed = args.seed;
  return write_panoptic_outputs(e, r, ro, {args.json_out, args.state_out, args.per_class, args.quiet});
}

CommandRun setup_panoptic(CLI::App& sub) {
  auto args = std::make_shared<PanopticArgs>();
  sub.add_option("--gt-json", args->in.gt_json, "COCO panoptic GT JSON (annotations, categories)")
      ->required();
  sub.add_option("--gt-dir", args->in.gt_dir, "folder of the GT id PNGs (annotation file_name)")
      ->required();
  sub.add_option("--pred-json", args->in.pred_json, "COCO panoptic prediction JSON")->required();
  sub.add_option("--pred-dir", args->in.pred_dir, "folder of the predicted id PNGs")->required();
  sub.add_option("--categories", args->in.categories_json,
                 "categories JSON (list of {id, name, isthing}) instead of the GT file's; "
                 "data/panoptic_coco_categories.json has COCO's 133 (default: from --gt-json)");
  sub.add_option("--json", args->json_out,
                 "write the results (pq_compute's structure + per-image stats) to FILE, - for "
                 "stdout (default: none)");
  sub.add_flag("--per-class", args->per_class, "also print the per-class table (default: off)");
  sub.add_option("--threads", args->threads, "worker threads, 0 = all cores (default: 0)");
  sub.add_option("--save-state", args->state_out,
                 "write this shard's mergeable state (for pgc merge) to FILE (default: none)");
  sub.add_option("--name", args->name, "system name in the results (default: pred JSON file stem)");
  sub.add_option("--bootstrap", args->bootstrap,
                 "bootstrap resamples for 95% confidence intervals in --json, 0 = none (default: 0)");
  sub.add_option("--seed", args->seed, "bootstrap seed (default: 12345)");
  sub.add_flag("--quiet", args->quiet, "no progress on stderr (default: off)");
  return [args] { return run_panoptic(*args); };
}

// compare / gate: rebuild per-image PQ statistics from a results file's "stats" block.
SampleSet panoptic_samples(const JsonValue& results, const std::string& file) {
  std::vector<PqCategory> categories = parse_categories(member(results, "categories", file, ""), file);
  const JsonValue& stats = member(results, "stats", file, "");
  if (!stats.IsObject()) throw InputError(file, "stats", "expected {\"<image id>\": {...}}");
  SampleSet set;
  std::vector<PqStats> per_image;
  for (auto m = stats.MemberBegin(); m != stats.MemberEnd(); ++m) {
    set.ids.emplace_back(m->name.GetString(), m->name.GetStringLength());
    per_image.push_back(PqStats::from_json(m->value, file, "stats, image " + set.ids.back()));
  }
  set.corpus = panoptic_corpus_fn(per_image, categories);
  return set;
}

RegisterCommand reg_panoptic("panoptic",
                             "Panoptic Quality (PQ/SQ/RQ) of COCO panoptic predictions, identical "
                             "to panopticapi's pq_compute",
                             setup_panoptic);
RegisterResampler reg_panoptic_resampler("panoptic", panoptic_samples);

}  // namespace
}  // namespace pgc
