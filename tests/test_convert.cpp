#define BOOST_TEST_MODULE convert
// `pgc convert`: COCONut-PanCap captions + COCO panoptic annotations -> PGC GT (against the
// grounded fixtures' gt.jsonl, from which tests/data/convert/ was marked up), legacy 0-based ids
// (flagged, never guessed), bad inputs; GLaMM / PanCaper model outputs -> PGC predictions
// (GLaMM's own saved outputs of every fixture case give GLaMM's GCG numbers through
// `pgc grounded`), the raw interleaved-text rebuild on hand-computed strings; and the round
// trip convert -> perfect prediction -> PQ 1, mIoU 1, recall 1.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "caption/code_points.hpp"
#include "caption/gcg_input.hpp"
#include "caption/model_output_convert.hpp"
#include "caption/pgc_jsonl.hpp"
#include "core/json.hpp"
#include "tests/cli_util.hpp"
#include "tests/grounded_test_util.hpp"

namespace fs = std::filesystem;
using pgc_test::q;
using pgc_test::Run;
using pgc_test::slurp;
using pgc_test::TempDir;

namespace {

const fs::path kData = fs::path(PGC_SOURCE_DIR) / "tests" / "data" / "convert";
const fs::path kCases = fs::path(PGC_FIXTURES_DIR) / "grounded" / "cases";
const fs::path kPngs = kCases / "real_perfect" / "gt_panoptic";

Run run_pgc(const std::string& args, const fs::path& logs) { return pgc_test::run_pgc_command(args, logs); }

std::string pancap_args(const fs::path& captions, const fs::path& panoptic_json = kData / "panoptic.json",
                        const fs::path& png_dir = kPngs) {
  return "convert --from coconut-pancap --captions " + q(captions) + " --panoptic-json " + q(panoptic_json) +
         " --panoptic-dir " + q(png_dir) + " --threads 2";
}

// Exit 2, the message names the problem, the output file does not exist.
void expect_refused(const std::string& args, const fs::path& out, const TempDir& tmp, const std::string& part) {
  const Run r = run_pgc(args + " --out " + q(out), tmp.path);
  BOOST_TEST(r.rc == 2, r.err);
  BOOST_TEST(r.err.find(part) != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(out));
}

// The converted GT equals the fixture's GT record by record (the markup in tests/data/convert was
// made from these captions and spans).
void check_same_gt(const fs::path& got_file, const fs::path& want_file) {
  const auto got = pgc::read_ground_truth(got_file.string());
  const auto want = pgc::read_ground_truth(want_file.string());
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT("image " << want[i].image_id.key) {
      BOOST_TEST(got[i].image_id.key == want[i].image_id.key);
      BOOST_TEST(got[i].image_id.is_integer);
      BOOST_TEST(got[i].height == want[i].height);
      BOOST_TEST(got[i].width == want[i].width);
      BOOST_TEST(got[i].caption == want[i].caption);
      BOOST_TEST(got[i].id_numbering.empty());
      BOOST_REQUIRE_EQUAL(got[i].spans.size(), want[i].spans.size());
      for (size_t s = 0; s < got[i].spans.size(); ++s) {
        BOOST_TEST(got[i].spans[s].start == want[i].spans[s].start, "span " << s);
        BOOST_TEST(got[i].spans[s].end == want[i].spans[s].end, "span " << s);
        BOOST_TEST(got[i].spans[s].segment_ids == want[i].spans[s].segment_ids, "span " << s);
      }
      BOOST_REQUIRE_EQUAL(got[i].segments_info.size(), want[i].segments_info.size());
      for (size_t s = 0; s < got[i].segments_info.size(); ++s) {
        BOOST_TEST(got[i].segments_info[s].id == want[i].segments_info[s].id);
        BOOST_TEST(got[i].segments_info[s].category_id == want[i].segments_info[s].category_id);
        BOOST_TEST(got[i].segments_info[s].iscrowd == want[i].segments_info[s].iscrowd);
        BOOST_TEST(got[i].segments_info[s].area == want[i].segments_info[s].area);
        BOOST_TEST(got[i].segments_info[s].bbox == want[i].segments_info[s].bbox);
      }
      // panoptic_png is relative to the output's folder and names the fixture PNG.
      const fs::path png = got_file.parent_path() / got[i].panoptic_png;
      BOOST_TEST(fs::equivalent(png, want_file.parent_path() / want[i].panoptic_png), png);
    }
  }
}

pgc::JsonDoc read_panoptic_json() { return pgc::read_json_file((kData / "panoptic.json").string()); }

// A captions object {"<12-digit id>": caption} as the .json form of --captions.
fs::path write_captions(const TempDir& tmp, const std::string& name,
                        const std::vector<std::pair<std::string, std::string>>& captions) {
  pgc::JsonDoc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [key, text] : captions) d.AddMember(pgc::JsonValue(key.c_str(), a), pgc::JsonValue(text.c_str(), a), a);
  return tmp.write(name, pgc::to_json(d));
}

}  // namespace

BOOST_AUTO_TEST_CASE(pancap_caption_folder_gives_the_fixture_gt) {
  TempDir tmp("convert_folder");
  const fs::path out = tmp.path / "gt.jsonl";
  const Run r = run_pgc(pancap_args(kData / "captions") + " --quiet --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  check_same_gt(out, kCases / "real_perfect" / "gt.jsonl");
}

// --span-masks: each span's mask is the union of its segments, equal to the GT mask GLaMM's
// evaluator gets for that span (the fixture's glamm/annotations, in GLaMM's span order).
BOOST_AUTO_TEST_CASE(span_masks_equal_glamm_gt_masks) {
  TempDir tmp("convert_span_masks");
  const fs::path out = tmp.path / "gt.jsonl";
  const Run r = run_pgc(pancap_args(kData / "captions") + " --span-masks --quiet --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const auto gts = pgc::read_ground_truth(out.string());
  const pgc::JsonDoc glamm =
      pgc::read_json_file((kCases / "real_perfect" / "glamm" / "annotations" / "val_gcg_coco_mask_gt.json").string());
  size_t checked = 0;
  for (const auto& g : gts) {
    std::vector<const pgc::JsonValue*> anns;
    for (const auto& a : glamm["annotations"].GetArray())
      if (std::to_string(a["image_id"].GetInt64()) == g.image_id.key) anns.push_back(&a);
    const std::vector<size_t> order = pgc::glamm_span_order(g);
    BOOST_REQUIRE_EQUAL(anns.size(), order.size());
    for (size_t k = 0; k < order.size(); ++k) {
      const auto& span = g.spans[order[k]];
      BOOST_REQUIRE(span.mask.has_value());
      const auto& seg = (*anns[k])["segmentation"];
      BOOST_TEST(pgc::rle_to_string(*span.mask) == std::string(seg["counts"].GetString()), "image " << g.image_id.key << " span " << k);
      ++checked;
    }
  }
  BOOST_TEST(checked > 10u);
}

// The web-dataset rows, marked up with the spacing deviations of pgc_formats.md §2.2 D1
// ("<1, 2:phrase >"): same GT.
BOOST_AUTO_TEST_CASE(pancap_rows_with_spacing_deviations_give_the_fixture_gt) {
  TempDir tmp("convert_rows");
  const fs::path out = tmp.path / "sub" / "gt.jsonl";
  fs::create_directories(out.parent_path());
  const Run r = run_pgc(pancap_args(kData / "pancap_rows.jsonl") + " --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(r.err.find("2 GT records") != std::string::npos, r.err);
  check_same_gt(out, kCases / "real_perfect" / "gt.jsonl");
}

// Legacy 0-based set-of-marks numbers (issue #50): refused by default, read as indices into
// segments_info with --legacy-ids shift (flagged in the record and on every span), left out
// with skip. An image in current numbering is untouched by shift.
BOOST_AUTO_TEST_CASE(legacy_zero_based_ids_are_flagged_never_guessed) {
  TempDir tmp("convert_legacy");
  const pgc::JsonDoc pan = read_panoptic_json();
  const auto& segs_a = pan["annotations"][0]["segments_info"];  // image 142238
  const auto& segs_b = pan["annotations"][1]["segments_info"];  // image 439180
  const std::string current_id = std::to_string(segs_a[3]["id"].GetInt64());
  const fs::path captions = write_captions(
      tmp, "legacy.json",
      {{"000000142238", "<" + current_id + ": a player> runs."},
       {"000000439180", "<0: the first region> is near <2, 5: two more regions>."}});
  const fs::path out = tmp.path / "gt.jsonl";
  expect_refused(pancap_args(captions), out, tmp, "--legacy-ids");
  {
    const Run r = run_pgc(pancap_args(captions) + " --out " + q(out), tmp.path);
    BOOST_TEST(r.err.find("image 439180") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("0-based") != std::string::npos, r.err);
  }

  const Run r = run_pgc(pancap_args(captions) + " --legacy-ids shift --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(r.err.find("legacy 0-based") != std::string::npos, r.err);  // the warning is printed
  const auto gts = pgc::read_ground_truth(out.string());
  BOOST_REQUIRE_EQUAL(gts.size(), 2u);
  BOOST_TEST(gts[0].id_numbering.empty());
  BOOST_TEST(gts[0].spans.at(0).segment_ids == std::vector<int64_t>{std::stoll(current_id)});
  BOOST_TEST(gts[0].spans.at(0).warnings.empty());
  BOOST_TEST(gts[1].id_numbering == "legacy-0-based-shifted");
  BOOST_REQUIRE_EQUAL(gts[1].spans.size(), 2u);
  BOOST_TEST(gts[1].spans[0].segment_ids == std::vector<int64_t>{segs_b[0]["id"].GetInt64()});
  BOOST_TEST(gts[1].spans[1].segment_ids ==
             (std::vector<int64_t>{segs_b[2]["id"].GetInt64(), segs_b[5]["id"].GetInt64()}));
  for (const auto& s : gts[1].spans)
    BOOST_TEST((std::find(s.warnings.begin(), s.warnings.end(), "legacy-0-based") != s.warnings.end()));

  const Run skip = run_pgc(pancap_args(captions) + " --legacy-ids skip --quiet --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(skip.rc == 0, skip.err);
  const auto kept = pgc::read_ground_truth(out.string());
  BOOST_REQUIRE_EQUAL(kept.size(), 1u);
  BOOST_TEST(kept[0].image_id.key == "142238");
}

BOOST_AUTO_TEST_CASE(pancap_bad_inputs_exit_2_and_write_nothing) {
  TempDir tmp("convert_bad");
  const fs::path out = tmp.path / "never.jsonl";
  const pgc::JsonDoc pan = read_panoptic_json();
  const std::string real_id = std::to_string(pan["annotations"][0]["segments_info"][0]["id"].GetInt64());
  // An id that is neither a segment id nor a 0-based index.
  expect_refused(pancap_args(write_captions(tmp, "unknown_id.json", {{"000000142238", "<999999: a ghost>."}})), out, tmp,
                 "segment id 999999 is not in segments_info");
  // A caption for an image the panoptic JSON does not have.
  expect_refused(pancap_args(write_captions(tmp, "unknown_image.json", {{"000000000777", "<1: x>."}})), out, tmp,
                 "unknown image id");
  // The same image twice.
  {
    const std::string row = "{\"__key__\": \"caption_train2017/000000142238\", \"txt\": \"<" + real_id + ": a>.\"}\n";
    expect_refused(pancap_args(tmp.write("dup.jsonl", row + row)), out, tmp, "duplicate image");
  }
  // The PNG folder lacks the image's PNG.
  const fs::path empty_dir = tmp.path / "no_pngs";
  fs::create_directories(empty_dir);
  expect_refused(pancap_args(kData / "captions", kData / "panoptic.json", empty_dir), out, tmp, "panoptic PNG not found");
  // images[] gives another size than the PNG has.
  {
    pgc::JsonDoc d = read_panoptic_json();
    d["images"][0]["width"].SetInt(d["images"][0]["width"].GetInt() + 1);
    const fs::path j = tmp.write("wrong_size.json", pgc::to_json(d));
    expect_refused(pancap_args(kData / "captions", j), out, tmp, "(width x height) but images[] says");
  }
  // A PNG segment missing from segments_info.
  {
    pgc::JsonDoc d = read_panoptic_json();
    d["annotations"][1]["segments_info"].Erase(d["annotations"][1]["segments_info"].End() - 1);
    const fs::path j = tmp.write("missing_segment.json", pgc::to_json(d));
    const fs::path c = write_captions(tmp, "one.json", {{"000000439180", "A plain caption."}});
    expect_refused(pancap_args(c, j), out, tmp, "but not in segments_info");
  }
  // Malformed UTF-8 in a caption file names the file.
  {
    const fs::path dir = tmp.path / "bad_utf8";
    fs::create_directories(dir);
    std::ofstream(dir / "000000142238.txt", std::ios::binary) << "a \xff caption";
    expect_refused(pancap_args(dir), out, tmp, "000000142238.txt");
  }
}

// Every GT segment (crowd ones aside) as its own span; the perfect prediction (each span's
// segment mask from the PNG, its category) scores PQ 1 and GLaMM's mIoU / recall 1 through
// `pgc grounded`.
BOOST_AUTO_TEST_CASE(round_trip_convert_then_perfect_prediction_scores_one) {
  TempDir tmp("convert_round_trip");
  const pgc::JsonDoc pan = read_panoptic_json();
  std::vector<std::pair<std::string, std::string>> captions;
  for (const auto& ann : pan["annotations"].GetArray()) {
    std::string caption;
    int k = 0;
    for (const auto& s : ann["segments_info"].GetArray()) {
      if (s["iscrowd"].GetInt()) continue;
      caption += std::string(caption.empty() ? "" : " and ") + "<" + std::to_string(s["id"].GetInt64()) + ": region " +
                 std::to_string(++k) + ">";
    }
    char key[32];
    std::snprintf(key, sizeof key, "%012lld", static_cast<long long>(ann["image_id"].GetInt64()));
    captions.emplace_back(key, caption + ".");
  }
  const fs::path gt_file = tmp.path / "gt.jsonl";
  Run r = run_pgc(pancap_args(write_captions(tmp, "all.json", captions)) + " --quiet --out " + q(gt_file), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);

  const auto gts = pgc::read_ground_truth(gt_file.string());
  std::vector<pgc::PgcPrediction> preds;
  std::string table = "{";
  for (const auto& g : gts) {
    uint32_t h = 0, w = 0;
    const auto ids = pgc_test::read_panoptic_png((gt_file.parent_path() / g.panoptic_png).string(), h, w);
    pgc::PgcPrediction p;
    p.image_id = g.image_id;
    p.caption = g.caption;
    const std::u32string cps = pgc::utf8_to_code_points(g.caption);
    for (const auto& span : g.spans) {
      BOOST_REQUIRE_EQUAL(span.segment_ids.size(), 1u);
      pgc::PredictedPhrase ph;
      ph.start = span.start;
      ph.end = span.end;
      ph.text = pgc::code_points_to_utf8(cps.substr(span.start, span.end - span.start));
      ph.mask = pgc::panoptic_segment_mask(ids, h, w, static_cast<uint32_t>(span.segment_ids[0]));
      for (const auto& s : g.segments_info)
        if (s.id == span.segment_ids[0]) ph.category_id = s.category_id;
      table += std::string(table.size() > 1 ? "," : "") + "\"" + ph.text + "|" + ph.text + "\": 1.0";
      p.phrases.push_back(std::move(ph));
    }
    preds.push_back(std::move(p));
  }
  const fs::path pred_file = tmp.path / "perfect.pred.jsonl";
  pgc::write_predictions(pred_file.string(), preds);
  const fs::path sim = tmp.write("sim.json", table + "}");
  const fs::path res = tmp.path / "res.json";
  r = run_pgc("grounded --gt " + q(gt_file) + " --pred " + q(pred_file) + " --text-similarity " + q(sim) +
                  " --metrics pq,gcg --quiet --json " + q(res),
              tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc d = pgc::read_json_file(res.string());
  for (const char* g : {"All", "Things", "Stuff"}) {
    BOOST_TEST(std::fabs(d["pq"][g]["pq"].GetDouble() - 1.0) <= 1e-12, g);
    BOOST_TEST(d["pq"][g]["n"].GetInt() > 0, g);
  }
  BOOST_TEST(d["gcg"]["mIoU"].GetDouble() == 1.0);
  BOOST_TEST(d["gcg"]["recall"].GetDouble() == 1.0);
  BOOST_TEST(d["gcg"]["AP50"].GetDouble() >= 1.0 - 1e-12);
}

// GLaMM's saved inference JSON (each fixture case's glamm/predictions/) -> PGC predictions ->
// `pgc grounded --metrics gcg` gives GLaMM's numbers (the predictions' spans are found in
// GLaMM's rebuilt captions; the GCG metrics use the phrase texts and masks).
BOOST_AUTO_TEST_CASE(glamm_outputs_convert_and_score_as_glamm) {
  int converted = 0;
  for (const auto& e : fs::directory_iterator(kCases)) {
    const fs::path dir = e.path();
    if (!fs::is_directory(dir / "glamm" / "predictions")) continue;
    BOOST_TEST_CONTEXT(dir.filename().string()) {
      TempDir tmp("convert_glamm_" + dir.filename().string());
      const fs::path pred = tmp.path / "pred.jsonl", res = tmp.path / "res.json";
      Run r = run_pgc("convert --from glamm --pred " + q(dir / "glamm" / "predictions") + " --quiet --out " + q(pred),
                      tmp.path);
      BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
      r = run_pgc("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(pred) + " --text-similarity " +
                      q(dir / "text_similarity.json") + " --metrics gcg --quiet --json " + q(res),
                  tmp.path);
      BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
      const pgc::JsonDoc got = pgc::read_json_file(res.string());
      const pgc::JsonDoc want = pgc::read_json_file((dir / "expected.json").string());
      for (const char* k : {"AP50", "AP", "mIoU", "recall"})
        BOOST_TEST(std::fabs(got["gcg"][k].GetDouble() - want["gcg"][k].GetDouble()) <= 1e-9, k);
      BOOST_TEST(got["gcg"]["recall_true_positives"].GetUint64() == want["gcg"]["recall_true_positives"].GetUint64());
      ++converted;
    }
  }
  BOOST_TEST(converted >= 6);
}

// infer.py's post-processing, by hand: newlines dropped (not replaced by a space: "image\nshows" would
// become "imageshows"), "  " -> " ", text after the last
// "ASSISTANT: ", every <...> removed, [SEG] removed, whitespace collapsed, "'" stripped.
BOOST_AUTO_TEST_CASE(raw_glamm_text_rebuilds_the_caption_and_tracks_spans) {
  const auto c = pgc::parse_interleaved_output(
      "USER: describe ASSISTANT: The  image shows <p> a man </p> [SEG] standing\n next to <p> a tree </p> [SEG].",
      pgc::ModelOutputStyle::kGlamm);
  BOOST_TEST(c.caption == "The image shows a man standing next to a tree .");
  BOOST_TEST(c.seg_tokens == 2u);
  BOOST_REQUIRE_EQUAL(c.phrases.size(), 2u);
  BOOST_TEST(c.phrases[0].start == 16u);
  BOOST_TEST(c.phrases[0].end == 21u);
  BOOST_TEST(c.phrases[0].text == "a man");
  BOOST_TEST((c.phrases[0].seg_index == size_t{0}));
  BOOST_TEST(c.phrases[1].text == "a tree");
  BOOST_TEST(c.phrases[1].start == 39u);
  BOOST_TEST((c.phrases[1].seg_index == size_t{1}));
  BOOST_TEST(!c.phrases[1].isthing.has_value());
  BOOST_TEST(c.warnings.empty());
  BOOST_TEST(pgc::parse_interleaved_output("a\nb <p> c </p> [SEG]", pgc::ModelOutputStyle::kGlamm).caption == "ab c");
  // A "<" with no ">" after it stays; "<...>" spans eat what lies between (re.sub(r'<.*?>', '')).
  BOOST_TEST(pgc::parse_interleaved_output("x < y <p> z </p> [SEG] <", pgc::ModelOutputStyle::kGlamm).caption ==
             "x z <");
}

// PanCaper's typed tokens: _t / _s give isthing; a SEG token after plain text has no phrase
// (warned, its mask dropped); a phrase with no token keeps a null mask.
BOOST_AUTO_TEST_CASE(raw_pancaper_text_typed_tokens_and_orphans) {
  const auto c = pgc::parse_interleaved_output(
      "'[SEG] <p> A man </p> <SEG_t> next to <p> a tree </p>[SEG_s] on <p> grass </p>.'",
      pgc::ModelOutputStyle::kPancaper);
  BOOST_TEST(c.caption == "A man next to a tree on grass .");
  BOOST_TEST(c.seg_tokens == 3u);
  BOOST_REQUIRE_EQUAL(c.phrases.size(), 3u);
  BOOST_TEST(c.phrases[0].text == "A man");
  BOOST_TEST((c.phrases[0].seg_index == size_t{1}));
  BOOST_TEST((c.phrases[0].isthing == true));
  BOOST_TEST(c.phrases[1].text == "a tree");
  BOOST_TEST(c.phrases[1].start == 14u);
  BOOST_TEST((c.phrases[1].seg_index == size_t{2}));
  BOOST_TEST((c.phrases[1].isthing == false));
  BOOST_TEST(c.phrases[2].text == "grass");
  BOOST_TEST(c.phrases[2].start == 24u);
  BOOST_TEST(!c.phrases[2].seg_index.has_value());
  BOOST_REQUIRE_EQUAL(c.warnings.size(), 1u);
  BOOST_TEST(c.warnings[0].find("SEG token 0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pancaper_cli_writes_predictions_and_refuses_bad_records) {
  TempDir tmp("convert_pancaper");
  // 2x3 masks, uncompressed runs (column-major, zeros first).
  const std::string m1 = "{\"size\": [2, 3], \"counts\": [0, 2, 4]}";
  const std::string m2 = "{\"size\": [2, 3], \"counts\": [4, 2]}";
  const std::string good =
      "{\"image_id\": \"000000000042\", \"text\": \"<p> A dog </p> <SEG_t> on <p> the grass </p> <SEG_s>.\", "
      "\"pred_masks\": [" + m1 + ", " + m2 + "], \"category_ids\": [18, 193]}\n";
  const fs::path in = tmp.write("raw.jsonl", good);
  const fs::path out = tmp.path / "pred.jsonl";
  Run r = run_pgc("convert --from pancaper --pred " + q(in) + " --out " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const auto preds = pgc::read_predictions(out.string());
  BOOST_REQUIRE_EQUAL(preds.size(), 1u);
  BOOST_TEST(preds[0].image_id.key == "42");
  BOOST_TEST(preds[0].image_id.is_integer);
  BOOST_TEST(preds[0].caption == "A dog on the grass .");
  BOOST_REQUIRE_EQUAL(preds[0].phrases.size(), 2u);
  BOOST_TEST(preds[0].phrases[0].text == "A dog");
  BOOST_TEST((preds[0].phrases[0].isthing == true));
  BOOST_TEST((preds[0].phrases[0].category_id == int64_t{18}));
  BOOST_REQUIRE(preds[0].phrases[0].mask.has_value());
  BOOST_TEST(pgc::rle_area(*preds[0].phrases[0].mask) == 2u);
  BOOST_TEST(preds[0].phrases[1].text == "the grass");
  BOOST_TEST((preds[0].phrases[1].isthing == false));
  BOOST_TEST(pgc::rle_area(*preds[0].phrases[1].mask) == 2u);

  const fs::path never = tmp.path / "never.jsonl";
  auto refused = [&](const std::string& name, const std::string& content, const std::string& part,
                     const std::string& from = "pancaper") {
    expect_refused("convert --from " + from + " --pred " + q(tmp.write(name, content)), never, tmp, part);
  };
  refused("count.jsonl",
          "{\"image_id\": 1, \"text\": \"<p> a </p> [SEG] <p> b </p> [SEG]\", \"pred_masks\": [" + m1 + "]}\n",
          "2 SEG tokens in the text but 1 masks");
  refused("rle.jsonl", "{\"image_id\": 1, \"text\": \"<p> a </p> [SEG]\", \"pred_masks\": [{\"size\": [2, 3], "
                       "\"counts\": [1, 2]}]}\n",
          "mask 0: malformed RLE");
  refused("dup.jsonl", good + good, "duplicate image id");
  refused("glamm_missing.json",
          "{\"image_id\": \"7\", \"caption\": \"a cat\", \"phrases\": [\"a dog\"], \"pred_masks\": [" + m1 + "]}",
          "\"a dog\" is not in the caption", "glamm");
  refused("glamm_count.json",
          "{\"image_id\": \"7\", \"caption\": \"a cat\", \"phrases\": [\"a cat\"], \"pred_masks\": []}",
          "1 phrases but 0 masks", "glamm");
}

// Flags of the other direction are usage errors, not silently ignored.
BOOST_AUTO_TEST_CASE(flags_of_the_other_source_are_refused) {
  TempDir tmp("convert_usage");
  const fs::path out = tmp.path / "never.jsonl";
  const fs::path glamm = kCases / "real_perfect" / "glamm" / "predictions";
  expect_refused("convert --from glamm --pred " + q(glamm) + " --legacy-ids shift", out, tmp, "--legacy-ids");
  expect_refused("convert --from glamm --pred " + q(glamm) + " --span-masks", out, tmp, "--span-masks");
  expect_refused(pancap_args(kData / "captions") + " --keep-id-strings", out, tmp, "--keep-id-strings");
  expect_refused("convert --from coconut-pancap --captions " + q(kData / "captions"), out, tmp, "--panoptic-json");
  expect_refused("convert --from glamm", out, tmp, "--pred");
}
