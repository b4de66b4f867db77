// GLaMM GCG metrics: every case of fixtures/grounded/cases/ (numbers computed by groundingLMM's
// evaluate.py with a text-similarity table in place of BERT), the JSONL -> GLaMM conversion
// checked against the fixtures' glamm/ files, and hand-computable cases.
#define BOOST_TEST_MODULE gcg
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <map>

#include "caption/gcg_input.hpp"
#include "caption/pgc_jsonl.hpp"
#include "core/json.hpp"
#include "metrics/gcg.hpp"
#include "metrics/numpy_mean.hpp"
#include "tests/grounded_test_util.hpp"

namespace {

const std::string kCases = std::string(PGC_FIXTURES_DIR) + "/grounded/cases/";
const char* kCaseNames[] = {"real_perfect", "real_perturbed", "edge_recall_quirks",
                            "edge_empty_null", "edge_many_preds", "synth_medium_50"};
constexpr double kTol = 1e-9;  // fixtures/grounded/README.md

pgc::TextSimilarityTable read_similarity(const std::string& path) {
  const pgc::JsonDoc d = pgc::read_json_file(path);
  pgc::TextSimilarityTable table;
  for (const auto& m : d.GetObject()) {
    const std::string key = m.name.GetString();
    const size_t bar = key.find('|');  // GLaMM labels in the fixtures contain no '|'
    table.set(key.substr(0, bar), key.substr(bar + 1), m.value.GetDouble());
  }
  return table;
}

// Builds GLaMM's inputs for one case from gt.jsonl, pred.jsonl and the GT panoptic PNGs.
std::vector<pgc::GcgImage> load_case(const std::string& dir) {
  const auto gts = pgc::read_ground_truth(dir + "/gt.jsonl");
  const auto preds = pgc::read_predictions(dir + "/pred.jsonl");
  std::map<std::string, const pgc::PgcPrediction*> by_id;
  for (const auto& p : preds) by_id[p.image_id.key] = &p;
  std::vector<pgc::GcgImage> images;
  for (const auto& gt : gts) {
    uint32_t h = 0, w = 0;
    const auto ids = pgc_test::read_panoptic_png(dir + "/" + gt.panoptic_png, h, w);
    BOOST_REQUIRE(h == gt.height && w == gt.width);
    const auto it = by_id.find(gt.image_id.key);
    const pgc::PgcPrediction* pred = it == by_id.end() ? nullptr : it->second;
    if (pred) pgc::check_prediction_against_ground_truth(*pred, gt, dir + "/pred.jsonl");
    images.push_back(pgc::gcg_image_from_records(gt, ids, pred));
  }
  return images;
}

double max_abs_diff = 0;  // reported with --log_level=message

void check_close(double got, double want, const std::string& what) {
  max_abs_diff = std::max(max_abs_diff, std::fabs(got - want));
  BOOST_TEST_CONTEXT(what) { BOOST_TEST(std::fabs(got - want) <= kTol, got << " vs " << want); }
}

}  // namespace

BOOST_AUTO_TEST_CASE(conversion_matches_the_fixtures_glamm_files) {
  for (const char* name : kCaseNames) {
    const std::string dir = kCases + name;
    BOOST_TEST_CONTEXT(name) {
      const auto images = load_case(dir);
      const pgc::JsonDoc masks = pgc::read_json_file(dir + "/glamm/annotations/val_gcg_coco_mask_gt.json");
      const pgc::JsonDoc caps = pgc::read_json_file(dir + "/glamm/annotations/val_gcg_coco_caption_gt.json");
      std::map<std::string, std::vector<std::string>> gt_counts, gt_labels;
      for (const auto& a : masks["annotations"].GetArray())
        gt_counts[std::to_string(a["image_id"].GetInt64())].push_back(a["segmentation"]["counts"].GetString());
      for (const auto& a : caps["annotations"].GetArray())
        for (const auto& l : a["labels"].GetArray()) gt_labels[std::to_string(a["image_id"].GetInt64())].push_back(l.GetString());
      BOOST_REQUIRE_EQUAL(caps["images"].Size(), images.size());
      for (size_t i = 0; i < images.size(); ++i) {
        const auto& im = images[i];
        BOOST_TEST_CONTEXT("image " << im.image_id) {
          BOOST_TEST(std::to_string(caps["images"][i]["id"].GetInt64()) == im.image_id);  // same order
          std::vector<std::string> ours;
          for (const auto& m : im.gt_masks) ours.push_back(pgc::rle_to_string(m));
          BOOST_TEST(ours == gt_counts[im.image_id], boost::test_tools::per_element());
          BOOST_TEST(im.gt_labels == gt_labels[im.image_id], boost::test_tools::per_element());
          const pgc::JsonDoc p = pgc::read_json_file(dir + "/glamm/predictions/" + im.image_id + ".json");
          std::vector<std::string> want_masks, want_phrases, got_masks;
          for (const auto& m : p["pred_masks"].GetArray()) want_masks.push_back(m["counts"].GetString());
          for (const auto& s : p["phrases"].GetArray()) want_phrases.push_back(s.GetString());
          for (const auto& m : im.pred_masks) got_masks.push_back(pgc::rle_to_string(m));
          BOOST_TEST(got_masks == want_masks, boost::test_tools::per_element());
          BOOST_TEST(im.pred_phrases == want_phrases, boost::test_tools::per_element());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_fixture_case_within_1e9) {
  for (const char* name : kCaseNames) {
    const std::string dir = kCases + name;
    BOOST_TEST_CONTEXT(name) {
      const auto images = load_case(dir);
      const auto similarity = read_similarity(dir + "/text_similarity.json");
      const pgc::TextSimilarity sim = [&](const std::string& a, const std::string& b) { return similarity(a, b); };
      pgc::GcgStats stats;
      const pgc::GcgResult r = pgc::gcg_evaluate(images, sim, {}, 2, &stats);
      const pgc::JsonDoc expected = pgc::read_json_file(dir + "/expected.json");
      const auto& e = expected["gcg"];
      check_close(r.AP50, e["AP50"].GetDouble(), "AP50");
      check_close(r.AP, e["AP"].GetDouble(), "AP");
      check_close(r.mIoU, e["mIoU"].GetDouble(), "mIoU");
      check_close(r.recall, e["recall"].GetDouble(), "recall");
      for (int k = 0; k < 12; ++k) check_close(r.coco_summary[k], e["coco_summary"][k].GetDouble(), "coco_summary[" + std::to_string(k) + "]");
      BOOST_TEST(r.recall_true_positives == e["recall_true_positives"].GetUint64());
      BOOST_TEST(r.recall_gt_labels == e["recall_gt_labels"].GetUint64());
      BOOST_TEST(r.recall_skip >= r.recall);  // skipping can only find more pairs

      const auto& per_image = expected["gcg_per_image"];
      BOOST_REQUIRE_EQUAL(per_image.Size(), stats.images.size());
      for (size_t i = 0; i < stats.images.size(); ++i) {
        const auto& s = stats.images[i];
        const auto& pe = per_image[i];
        BOOST_TEST_CONTEXT("image " << s.image_id) {
          BOOST_TEST(std::to_string(pe["image_id"].GetInt64()) == s.image_id);
          check_close(s.miou, pe["miou"].GetDouble(), "miou");
          BOOST_TEST(s.gt_labels == pe["n_gt_labels"].GetUint64());
          BOOST_TEST(s.n_pred_masks == pe["n_pred_masks"].GetUint64());
          std::vector<std::pair<size_t, size_t>> want;
          for (const auto& m : pe["recall_matches"].GetArray()) want.emplace_back(m[0].GetUint64(), m[1].GetUint64());
          BOOST_TEST((s.recall_matches == want));
        }
      }
      // Statistics survive their JSON form (results files, shards): same corpus numbers.
      pgc::JsonDoc doc(rapidjson::kArrayType);
      for (const auto& im : stats.images) doc.PushBack(pgc::gcg_image_stats_to_json(im, doc.GetAllocator()), doc.GetAllocator());
      const pgc::JsonDoc reparsed = pgc::parse_json(pgc::to_json(doc, false), "stats");
      pgc::GcgStats back;
      for (const auto& v : reparsed.GetArray()) back.images.push_back(pgc::gcg_image_stats_from_json(v));
      const pgc::GcgResult again = pgc::gcg_score(back);
      BOOST_TEST(again.coco_summary == r.coco_summary, boost::test_tools::per_element());
      BOOST_TEST(again.mIoU == r.mIoU);
      BOOST_TEST(again.recall == r.recall);
      BOOST_TEST(again.recall_skip == r.recall_skip);
      // Shards merge back into the same numbers.
      pgc::GcgStats first, second;
      for (size_t i = 0; i < stats.images.size(); ++i) (i < stats.images.size() / 2 ? first : second).images.push_back(stats.images[i]);
      first.merge(second);
      BOOST_TEST(pgc::gcg_score(first).AP == r.AP);
      // The thread count never changes a number.
      const pgc::GcgResult one = pgc::gcg_evaluate(images, sim, {}, 1);
      BOOST_TEST(one.AP == r.AP);
      BOOST_TEST(one.mIoU == r.mIoU);
      BOOST_TEST(one.recall_skip == r.recall_skip);
    }
  }
  BOOST_TEST_MESSAGE("largest |pgc - GLaMM| over all GCG fixture numbers: " << max_abs_diff);
}

// ---------------------------------------------------------------- hand-computable cases

namespace {

// A 1 x n mask with ones at [b, e).
pgc::Rle strip(uint32_t n, uint32_t b, uint32_t e) {
  std::vector<uint8_t> m(n, 0);
  for (uint32_t i = b; i < e; ++i) m[i] = 1;
  return pgc::rle_encode_column_major(m.data(), n, 1);
}

pgc::TextSimilarity table_sim(std::map<std::pair<std::string, std::string>, double> t) {
  return [t](const std::string& a, const std::string& b) { return t.at({a, b}); };
}

}  // namespace

BOOST_AUTO_TEST_CASE(recall_stops_at_the_first_failing_pair_and_skip_variant_goes_on) {
  pgc::GcgImage im;
  im.image_id = "1";
  im.gt_masks = {strip(20, 0, 10), strip(20, 10, 20)};
  im.gt_labels = {"a dog", "a cat"};
  im.pred_masks = {strip(20, 0, 10), strip(20, 10, 18)};  // IoU 1.0 and 0.8
  im.pred_phrases = {"a car", "a cat"};
  const auto sim = table_sim({{{"a dog", "a car"}, 0.2}, {{"a cat", "a cat"}, 1.0},
                              {{"a dog", "a cat"}, 0.1}, {{"a cat", "a car"}, 0.1}});
  const pgc::GcgImageStats s = pgc::gcg_image_stats(im, sim);
  BOOST_TEST(s.recall_true_positives == 0u);       // best IoU pair fails the text gate: stop
  BOOST_TEST(s.recall_skip_true_positives == 1u);  // skipped, then (cat, cat) at IoU 0.8
  BOOST_TEST(s.miou == (1.0 + 0.8) / 2);
  const pgc::GcgResult r = pgc::gcg_score({{s}});
  BOOST_TEST(r.recall == 0.0);
  BOOST_TEST(r.recall_skip == 0.5);
}

BOOST_AUTO_TEST_CASE(thresholds_are_inclusive_and_ties_take_the_first_in_row_major_order) {
  pgc::GcgImage im;
  im.image_id = "1";
  im.gt_masks = {strip(8, 0, 4), strip(8, 0, 4)};  // duplicate GT masks
  im.gt_labels = {"x", "y"};
  im.pred_masks = {strip(8, 0, 2)};  // IoU exactly 0.5 with both
  im.pred_phrases = {"p"};
  const auto sim = table_sim({{{"x", "p"}, 0.5}, {{"y", "p"}, 0.9}});
  const pgc::GcgImageStats s = pgc::gcg_image_stats(im, sim);
  // GT x pred: (0,0) and (1,0) tie at 0.5; row-major first = GT 0, whose similarity 0.5 passes.
  BOOST_TEST((s.recall_matches == std::vector<std::pair<size_t, size_t>>{{0, 0}}));
  BOOST_TEST(s.miou == 0.5);
}

BOOST_AUTO_TEST_CASE(empty_masks_follow_the_reference) {
  pgc::GcgImage im;
  im.image_id = "1";
  im.gt_masks = {strip(8, 0, 0), strip(8, 0, 4)};
  im.gt_labels = {"empty", "full"};
  im.pred_masks = {strip(8, 0, 4), strip(8, 0, 0)};
  im.pred_phrases = {"full", "empty"};
  const auto sim = table_sim({{{"empty", "empty"}, 0.9}, {{"full", "full"}, 0.9},
                              {{"empty", "full"}, 0.1}, {{"full", "empty"}, 0.1}});
  const pgc::GcgImageStats s = pgc::gcg_image_stats(im, sim);
  // numpy: empty vs empty is 0/0 = NaN -> np.max is NaN -> the image's mIoU is 0.
  BOOST_TEST(s.miou == 0.0);
  // Recall: argmax returns the NaN entry (GT 0, pred 1) first; NaN < 0.5 is false -> a match.
  BOOST_TEST((s.recall_matches == std::vector<std::pair<size_t, size_t>>{{0, 1}, {1, 0}}));
  // COCOeval: empty vs empty IoU is 0 (pycocotools); the full pair matches at every threshold.
  const pgc::GcgResult r = pgc::gcg_score({{s}});
  BOOST_TEST(r.coco_summary[8] == 0.5);  // AR@100: 1 of 2 GTs found
}

BOOST_AUTO_TEST_CASE(ap_of_a_false_positive_ranked_first) {
  pgc::GcgImage im;
  im.image_id = "7";
  im.gt_masks = {strip(10, 0, 5)};
  im.gt_labels = {"g"};
  im.pred_masks = {strip(10, 5, 10), strip(10, 0, 5)};  // a miss, then the hit (file order = rank)
  im.pred_phrases = {"a", "b"};
  const pgc::GcgResult r = pgc::gcg_evaluate({im}, table_sim({{{"g", "b"}, 1.0}, {{"g", "a"}, 0.0}}));
  // rc = [0, 1], pr = [0, 1/2] -> envelope [1/2, 1/2]: every recall threshold has precision 1/2.
  const double half = 1.0 / (1.0 + 1.0 + std::numeric_limits<double>::epsilon());
  BOOST_TEST(r.AP50 == half);
  BOOST_TEST(r.AP == half);
  BOOST_TEST(r.mIoU == 1.0);
  BOOST_TEST(r.recall == 1.0);
  // With scores, the hit ranks first and AP50 is (almost) 1.
  im.pred_scores = {0.1, 0.9};
  const pgc::GcgResult scored = pgc::gcg_evaluate({im}, table_sim({{{"g", "b"}, 1.0}, {{"g", "a"}, 0.0}}));
  BOOST_TEST(scored.AP50 < 1.0);  // precision tp / (tp + fp + eps), as COCOeval
  BOOST_TEST(scored.AP50 > 1.0 - 1e-15);
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_rejected) {
  pgc::GcgImage im;
  im.image_id = "1";
  im.gt_masks = {strip(10, 0, 5)};
  im.gt_labels = {};
  const auto sim = table_sim({});
  BOOST_CHECK_THROW(pgc::gcg_image_stats(im, sim), std::invalid_argument);  // labels missing
  im.gt_labels = {"g"};
  im.pred_masks = {strip(12, 0, 5)};
  im.pred_phrases = {"p"};
  BOOST_CHECK_THROW(pgc::gcg_image_stats(im, sim), std::invalid_argument);  // sizes differ
  pgc::TextSimilarityTable t;
  t.set("a", "b", 0.5);
  BOOST_TEST(t("a", "b") == 0.5);
  BOOST_CHECK_THROW(t("a", "c"), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(numpy_pairwise_sum_matches_numpy_blocking) {
  // [1e16, 1 x 16]: a plain loop absorbs every 1.0 (1e16 + 1 rounds back to 1e16); numpy's 8
  // accumulators add the ones among themselves first: 1e16 + 16 (computed by hand, as numpy).
  std::vector<double> v(17, 1.0);
  v[0] = 1e16;
  double naive = 0;
  for (double x : v) naive += x;
  BOOST_TEST(naive == 1e16);
  BOOST_TEST(pgc::numpy_pairwise_sum(v.data(), v.size()) == 1e16 + 16);
  BOOST_TEST(pgc::numpy_pairwise_sum(v.data(), 5) == 1e16);  // fewer than 8: a plain loop
}

BOOST_AUTO_TEST_CASE(segment_masks_in_one_pass_equal_one_mask_per_segment) {
  // 3x4 id map, row-major; ids 0 (VOID), 5, 7, and 9 touching the last pixel.
  const std::vector<uint32_t> ids = {5, 5, 0, 7,
                                     5, 7, 7, 7,
                                     0, 0, 9, 9};
  const auto all = pgc::panoptic_segment_masks(ids, 3, 4);
  BOOST_TEST(all.size() == 3u);  // VOID is not a segment
  for (uint32_t id : {5u, 7u, 9u}) {
    BOOST_TEST_CONTEXT("segment " << id) {
      const pgc::Rle one = pgc::panoptic_segment_mask(ids, 3, 4, id);
      BOOST_TEST(pgc::rle_check(one).empty());
      BOOST_TEST(all.at(id).counts == one.counts, boost::test_tools::per_element());
    }
  }
  BOOST_TEST(pgc::rle_area(all.at(7)) == 4u);
}

BOOST_AUTO_TEST_CASE(ap_ranks_tied_images_by_numeric_id_and_handles_no_predictions) {
  // Image "9" holds a hit, image "10" a false positive. COCOeval ranks equal scores by ascending
  // image id (numerically): hit first -> AP50 ~ 1. Bytewise order ("10" < "9") would give 1/2.
  pgc::GcgImage nine, ten;
  nine.image_id = "9";
  nine.gt_masks = {strip(10, 0, 5)};
  nine.gt_labels = {"g"};
  nine.pred_masks = {strip(10, 0, 5)};
  nine.pred_phrases = {"p"};
  ten.image_id = "10";
  ten.pred_masks = {strip(10, 0, 5)};
  ten.pred_phrases = {"p"};
  const auto sim = table_sim({{{"g", "p"}, 1.0}});
  const pgc::GcgResult r = pgc::gcg_evaluate({ten, nine}, sim);
  BOOST_TEST(r.AP50 > 1.0 - 1e-15);
  // No predictions anywhere (GLaMM crashes): AP 0, recall 0, mIoU 0.
  nine.pred_masks.clear();
  nine.pred_phrases.clear();
  const pgc::GcgResult none = pgc::gcg_evaluate({nine}, sim);
  BOOST_TEST(none.AP == 0.0);
  BOOST_TEST(none.AP50 == 0.0);
  BOOST_TEST(none.recall == 0.0);
  BOOST_TEST(none.mIoU == 0.0);
}
