// `pgc convert`: source formats -> the PGC JSON Lines of pgc_formats.md §6.
//   --from coconut-pancap  release captions + COCO panoptic JSON/PNGs -> GT (§6.2)
//   --from glamm|pancaper  model outputs (GLaMM's saved JSON, or raw interleaved text) -> predictions (§6.1)
// Only wiring (and the PNG checks): the conversions live in caption/pancap_convert.hpp and
// caption/model_output_convert.hpp. Output is written atomically; any bad input exits 2.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "caption/gcg_input.hpp"
#include "caption/model_output_convert.hpp"
#include "caption/pancap_convert.hpp"
#include "caption/pgc_jsonl.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "panoptic/panoptic_io.hpp"
#include "runners/command.hpp"

namespace pgc {
namespace {

namespace fs = std::filesystem;

struct ConvertArgs {
  std::string from, captions, panoptic_json, panoptic_dir, pred, out, legacy_ids = "error";
  bool keep_id_strings = false, span_masks = false, quiet = false;
  int threads = 0;
};

void warn(const ConvertArgs& args, const std::string& line) {
  if (!args.quiet) std::fprintf(stderr, "pgc convert: warning: %s\n", line.c_str());
}

// The PNG path as the GT file stores it: relative to the output file's folder.
std::string png_path_for(const ConvertArgs& args, const std::string& png) {
  const fs::path abs_png = fs::absolute(fs::path(args.panoptic_dir) / png).lexically_normal();
  const fs::path base = args.out == "-" ? fs::current_path() : fs::absolute(args.out).parent_path();
  return abs_png.lexically_relative(base.lexically_normal()).generic_string();
}

// The PNG exists, has the image's size, and holds only ids of segments_info. Returns the
// row-major id map when `want_ids`.
std::vector<uint32_t> check_png(const std::string& json, const CocoPanopticImage& im, const std::string& path,
                                PngDecoder& decoder, RgbImage& rgb, bool want_ids) {
  const std::string item = "image " + im.image_id.key;
  if (!fs::is_regular_file(path)) throw InputError(json, item, "panoptic PNG not found: " + path);
  decoder.decode(path, item, rgb);
  if (rgb.width != im.width || rgb.height != im.height)
    throw InputError(json, item,
                     "panoptic PNG " + path + " is " + std::to_string(rgb.width) + "x" + std::to_string(rgb.height) +
                         " (width x height) but images[] says " + std::to_string(im.width) + "x" +
                         std::to_string(im.height));
  std::unordered_set<uint32_t> listed;
  for (const auto& s : im.segments) listed.insert(static_cast<uint32_t>(s.id));
  uint32_t last = 0;
  std::vector<uint32_t> ids(want_ids ? rgb.pixels() : 0);
  for (size_t i = 0; i < rgb.pixels(); ++i) {
    const uint8_t* p = &rgb.rgb[3 * i];
    const uint32_t id = p[0] + 256u * p[1] + 65536u * p[2];
    if (want_ids) ids[i] = id;
    if (id == 0 || id == last) continue;
    if (!listed.count(id))
      throw InputError(json, item,
                       "segment id " + std::to_string(id) + " (" + id_rgb_text(id) + ") is in the panoptic PNG " +
                           path + " but not in segments_info");
    last = id;
  }
  return ids;
}

// Each span's mask = the union of its segments' pixels (COCO RLE, as GLaMM's GT masks).
void add_span_masks(PgcGroundTruth& g, const std::vector<uint32_t>& ids) {
  const auto masks = panoptic_segment_masks(ids, g.height, g.width);
  const Rle empty = rle_from_counts({g.height * g.width}, g.height, g.width);
  for (auto& span : g.spans) {
    std::vector<const Rle*> parts;
    for (int64_t id : span.segment_ids) {
      const auto it = masks.find(static_cast<uint32_t>(id));
      if (it != masks.end()) parts.push_back(&it->second);
    }
    span.mask = parts.empty() ? empty : rle_merge(parts, false);
  }
}

LegacyIds legacy_mode(const std::string& s) {
  if (s == "shift") return LegacyIds::kShift;
  if (s == "shift-all") return LegacyIds::kShiftAll;
  if (s == "skip") return LegacyIds::kSkip;
  return LegacyIds::kError;
}

int convert_pancap(const ConvertArgs& args) {
  if (args.captions.empty() || args.panoptic_json.empty() || args.panoptic_dir.empty())
    throw UsageError("--from coconut-pancap needs --captions, --panoptic-json and --panoptic-dir");
  if (!args.pred.empty() || args.keep_id_strings)
    throw UsageError("--pred / --keep-id-strings are for --from glamm|pancaper");
  const std::vector<PancapCaption> captions = read_pancap_captions(args.captions);
  const std::vector<CocoPanopticImage> images = read_coco_panoptic_images(args.panoptic_json);
  std::unordered_map<std::string, size_t> by_id;
  for (size_t i = 0; i < images.size(); ++i) by_id.emplace(images[i].image_id.key, i);

  PancapConvertReport report;
  std::vector<PgcGroundTruth> records;
  std::vector<size_t> image_of;  // records[k] is images[image_of[k]]
  for (const auto& c : captions) {
    const auto it = by_id.find(c.image_id.key);
    if (it == by_id.end())
      throw InputError(c.origin, "image " + c.image_id.key, "unknown image id (not in " + args.panoptic_json + ")");
    const CocoPanopticImage& im = images[it->second];
    PgcGroundTruth g;
    if (!pancap_ground_truth(c, im, png_path_for(args, im.png), legacy_mode(args.legacy_ids), g, report)) continue;
    records.push_back(std::move(g));
    image_of.push_back(it->second);
  }

  const int threads = resolve_threads(args.threads);
  struct Worker {
    PngDecoder decoder;
    RgbImage rgb;
  };
  std::vector<Worker> workers(static_cast<size_t>(threads));
  Progress progress("convert", records.size(), args.quiet);
  parallel_for(records.size(), threads, [&](size_t k, int w) {
    const CocoPanopticImage& im = images[image_of[k]];
    const std::vector<uint32_t> ids = check_png(args.panoptic_json, im, join_path(args.panoptic_dir, im.png),
                                                workers[static_cast<size_t>(w)].decoder,
                                                workers[static_cast<size_t>(w)].rgb, args.span_masks);
    if (args.span_masks) add_span_masks(records[k], ids);
    progress.tick();
  });
  progress.done();

  for (const auto& line : report.warnings) warn(args, line);
  for (const auto& g : records)
    for (size_t s = 0; s < g.spans.size(); ++s)
      for (const auto& code : g.spans[s].warnings)
        if (code != "legacy-0-based") warn(args, "image " + g.image_id.key + ": span " + std::to_string(s) + ": markup " + code);
  write_ground_truth(args.out, records);
  if (!args.quiet) {
    std::fprintf(stderr,
                 "pgc convert: %zu GT records (%zu captions; %zu panoptic images without caption left out; %zu legacy "
                 "0-based images, %zu skipped)\n",
                 records.size(), captions.size(), images.size() - captions.size(), report.legacy_images,
                 report.skipped_images);
  }
  return kExitOk;
}

int convert_model(const ConvertArgs& args) {
  if (args.pred.empty()) throw UsageError("--from " + args.from + " needs --pred RAW (a .json, .jsonl or a folder)");
  if (!args.captions.empty() || !args.panoptic_json.empty() || !args.panoptic_dir.empty() ||
      args.legacy_ids != "error" || args.span_masks)
    throw UsageError("--captions / --panoptic-json / --panoptic-dir / --legacy-ids / --span-masks are for --from "
                     "coconut-pancap");
  ModelConvertOptions opt;
  opt.style = args.from == "pancaper" ? ModelOutputStyle::kPancaper : ModelOutputStyle::kGlamm;
  opt.keep_id_strings = args.keep_id_strings;
  std::vector<std::string> warnings;
  const std::vector<PgcPrediction> preds = convert_model_outputs(args.pred, opt, warnings);
  for (const auto& w : warnings) warn(args, w);
  write_predictions(args.out, preds);
  if (!args.quiet) std::fprintf(stderr, "pgc convert: %zu prediction records\n", preds.size());
  return kExitOk;
}

int run_convert(const ConvertArgs& args) {
  if (args.from == "coconut-pancap") return convert_pancap(args);
  return convert_model(args);
}

RegisterCommand g_convert_command(
    "convert",
    "Convert COCONut-PanCap captions + COCO panoptic annotations to PGC ground truth, or GLaMM / PanCaper outputs "
    "to PGC predictions (JSON Lines)",
    [](CLI::App& sub) -> CommandRun {
      auto args = std::make_shared<ConvertArgs>();
      sub.add_option("--from", args->from,
                     "source: coconut-pancap (release captions -> GT), glamm or pancaper (model outputs -> predictions)")
          ->required()
          ->check(CLI::IsMember({"coconut-pancap", "glamm", "pancaper"}));
      sub.add_option("--captions", args->captions,
                     "coconut-pancap: folder of <12-digit id>.txt captions, or a .jsonl/.json of {\"__key__\", \"txt\"} "
                     "rows (default: none)");
      sub.add_option("--panoptic-json", args->panoptic_json,
                     "coconut-pancap: COCO panoptic JSON (images[] for sizes, annotations[] with segments_info; "
                     "default: none)");
      sub.add_option("--panoptic-dir", args->panoptic_dir, "coconut-pancap: folder of the panoptic PNGs (default: none)");
      sub.add_option("--legacy-ids", args->legacy_ids,
                     "coconut-pancap: images whose captions number segments 0-based (legacy): error (refuse), shift "
                     "(read id n as segments_info[n], flagged), shift-all (do that for every image), skip (leave them "
                     "out)")
          ->check(CLI::IsMember({"error", "shift", "shift-all", "skip"}))
          ->capture_default_str();
      sub.add_flag("--span-masks", args->span_masks,
                   "coconut-pancap: also write each span's mask (union of its segments, COCO RLE) into the GT "
                   "(default: off; the scorer reads the PNGs)");
      sub.add_option("--pred", args->pred,
                     "glamm/pancaper: model outputs: a folder of per-image .json (GLaMM's output dir), a .jsonl or a "
                     ".json (default: none)");
      sub.add_flag("--keep-id-strings", args->keep_id_strings,
                   "glamm/pancaper: keep all-digit image ids such as \"000000000139\" as strings (default: off, they "
                   "become the integer 139)");
      sub.add_option("--out", args->out, "output JSON Lines file (- = stdout)")->required();
      sub.add_option("--threads", args->threads, "worker threads for the PNG checks (0 = all cores)")
          ->capture_default_str();
      sub.add_flag("--quiet", args->quiet, "no progress, warnings or summary on stderr (default: off)");
      return [args] { return run_convert(*args); };
    });

}  // namespace
}  // namespace pgc
