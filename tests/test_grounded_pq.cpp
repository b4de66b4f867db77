// PQ of grounded masks (panoptic/grounded_pq.hpp) on hand-computable 4x4 images: first-wins
// painting, stuff phrases merged per class, thing phrases kept apart, empty segments dropped,
// segment ids, and the full / grounded GT modes.
#define BOOST_TEST_MODULE grounded_pq
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "caption/gcg_input.hpp"
#include "core/json.hpp"
#include "panoptic/grounded_pq.hpp"
#include "panoptic/panoptic_io.hpp"

namespace {

const std::vector<pgc::PqCategory> kCategories = {{1, "person", true}, {2, "bicycle", true}, {100, "sky", false}};

// A 4x4 mask from 4 row strings of '0'/'1'.
pgc::Rle mask(const std::vector<std::string>& rows) {
  std::vector<uint8_t> m;
  for (const auto& r : rows)
    for (char c : r) m.push_back(c == '1');
  return pgc::rle_encode_row_major(m.data(), 4, 4);
}

// GT: segment 11 (person) = columns 0-1, segment 22 (bicycle) = columns 2-3 of rows 0-1,
// segment 33 (sky, stuff) = columns 2-3 of rows 2-3.
std::vector<uint32_t> gt_map() {
  return {11, 11, 22, 22,  //
          11, 11, 22, 22,  //
          11, 11, 33, 33,  //
          11, 11, 33, 33};
}
const std::vector<pgc::PqSegment> kGtSegments = {{11, 1, false}, {22, 2, false}, {33, 100, false}};

const pgc::PqClassStats& at(const pgc::PqStats& s, int64_t cat) {
  static const pgc::PqClassStats none;
  const pgc::PqClassStats* p = s.find(cat);
  return p ? *p : none;
}

}  // namespace

BOOST_AUTO_TEST_CASE(first_wins_and_segment_ids) {
  const pgc::Rle all = mask({"1111", "1111", "1111", "1111"});
  const pgc::Rle left = mask({"1100", "1100", "1100", "1100"});
  // phrase 0: no mask; phrase 1: left half (person); phrase 2: whole image (bicycle) gets the
  // right half only; phrase 3: whole image again (person) gets nothing and is dropped.
  const std::vector<pgc::GroundedPhraseMask> phrases = {{nullptr, 1}, {&left, 1}, {&all, 2}, {&all, 1}};
  const auto map = pgc::paint_grounded_phrases(phrases, 4, 4, kCategories);
  BOOST_REQUIRE_EQUAL(map.segments.size(), 2u);
  BOOST_TEST(map.segments[0].id == 2u);  // 1 + phrase index, null-mask phrases counted
  BOOST_TEST(map.segments[0].category_id == 1);
  BOOST_TEST(map.segments[1].id == 3u);
  BOOST_TEST(map.segments[1].category_id == 2);
  const std::vector<uint32_t> want = {2, 2, 3, 3, 2, 2, 3, 3, 2, 2, 3, 3, 2, 2, 3, 3};
  BOOST_TEST(map.ids == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stuff_phrases_merge_thing_phrases_do_not) {
  const pgc::Rle col0 = mask({"1000", "1000", "1000", "1000"});
  const pgc::Rle col1 = mask({"0100", "0100", "0100", "0100"});
  const pgc::Rle sky_row2 = mask({"0000", "0000", "0011", "0000"});
  const pgc::Rle sky_row3 = mask({"0000", "0000", "0000", "0011"});
  const std::vector<pgc::GroundedPhraseMask> phrases = {{&col0, 1}, {&sky_row2, 100}, {&col1, 1}, {&sky_row3, 100}};
  auto ids = gt_map();
  const pgc::PqStats s = pgc::grounded_pq_image_stats(ids, 4, 4, kGtSegments, {11}, phrases, kCategories,
                                                      pgc::GroundedGtMode::kFull);
  // Person: two 4-pixel segments against an 8-pixel GT, IoU 0.5 each (not > 0.5): 2 FP, 1 FN.
  BOOST_TEST(at(s, 1).tp == 0);
  BOOST_TEST(at(s, 1).fp == 2);
  BOOST_TEST(at(s, 1).fn == 1);
  // Sky: the two rows form one segment equal to the GT: TP with IoU 1.
  BOOST_TEST(at(s, 100).tp == 1);
  BOOST_TEST(at(s, 100).fp == 0);
  BOOST_TEST(at(s, 100).iou == 1.0);
  // Bicycle: not predicted.
  BOOST_TEST(at(s, 2).fn == 1);
  // The stuff segment keeps the id of the phrase that created it.
  const auto map = pgc::paint_grounded_phrases(phrases, 4, 4, kCategories);
  BOOST_REQUIRE_EQUAL(map.segments.size(), 3u);
  BOOST_TEST(map.segments[1].id == 2u);
  BOOST_TEST(map.ids[15] == 2u);
}

BOOST_AUTO_TEST_CASE(full_and_grounded_gt_modes) {
  const pgc::Rle left = mask({"1100", "1100", "1100", "1100"});
  const pgc::Rle bike = mask({"0011", "0011", "0000", "0000"});
  const pgc::Rle sky = mask({"0000", "0000", "0011", "0001"});  // 3 of the 4 sky pixels
  const std::vector<pgc::GroundedPhraseMask> phrases = {{&left, 1}, {&bike, 2}, {&sky, 100}};
  auto full_ids = gt_map();
  const pgc::PqStats full = pgc::grounded_pq_image_stats(full_ids, 4, 4, kGtSegments, {11}, phrases, kCategories,
                                                         pgc::GroundedGtMode::kFull);
  BOOST_TEST(at(full, 1).tp == 1);
  BOOST_TEST(at(full, 2).tp == 1);
  BOOST_TEST(at(full, 100).tp == 1);
  BOOST_TEST(at(full, 100).iou == 0.75);
  BOOST_TEST(full_ids == gt_map(), boost::test_tools::per_element());  // full mode leaves the map alone

  // Only segment 11 is referenced by a caption span: 22 and 33 become VOID, so the bicycle and
  // sky predictions lie on VOID and are ignored (neither TP nor FP).
  auto grounded_ids = gt_map();
  const pgc::PqStats grounded = pgc::grounded_pq_image_stats(grounded_ids, 4, 4, kGtSegments, {11}, phrases,
                                                             kCategories, pgc::GroundedGtMode::kGrounded);
  BOOST_TEST(at(grounded, 1).tp == 1);
  BOOST_TEST(at(grounded, 1).iou == 1.0);
  BOOST_TEST(at(grounded, 2).empty());
  BOOST_TEST(at(grounded, 100).empty());
  BOOST_TEST(grounded_ids[2] == pgc::kPanopticVoid);

  // A referenced segment that is missed is a FN in grounded mode too.
  auto ids2 = gt_map();
  const pgc::PqStats missed = pgc::grounded_pq_image_stats(ids2, 4, 4, kGtSegments, {11, 22}, {{&left, 1}},
                                                           kCategories, pgc::GroundedGtMode::kGrounded);
  BOOST_TEST(at(missed, 2).fn == 1);
  BOOST_TEST(at(missed, 100).empty());
}

BOOST_AUTO_TEST_CASE(bad_phrases_are_errors) {
  const pgc::Rle left = mask({"1100", "1100", "1100", "1100"});
  BOOST_CHECK_THROW(pgc::paint_grounded_phrases({{&left, 999}}, 4, 4, kCategories), std::invalid_argument);
  BOOST_CHECK_THROW(pgc::paint_grounded_phrases({{&left, 1}}, 4, 5, kCategories), std::invalid_argument);
}

// When the phrases are exactly the segments of a panoptic prediction (disjoint masks, at most
// one segment per stuff class and image), painting rebuilds that prediction, so the PQ must be
// panopticapi's on the panoptic fixtures. Cases whose prediction splits a stuff class are not
// eligible (painting merges them, by design); 20 of the 26 cases are.
BOOST_AUTO_TEST_CASE(phrases_equal_to_a_panoptic_prediction_give_panopticapis_pq) {
  namespace fs = std::filesystem;
  const fs::path cases = fs::path(PGC_FIXTURES_DIR) / "panoptic" / "cases";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(cases)) {
    const fs::path dir = entry.path();
    if (!fs::exists(dir / "gt.json")) continue;  // synth_large_1000 ships a generator, not files
    const pgc::PanopticJson gt = pgc::read_panoptic_json((dir / "gt.json").string(), true);
    const pgc::PanopticJson pred = pgc::read_panoptic_json((dir / "pred.json").string(), false);
    std::unordered_map<int64_t, bool> isthing;
    for (const auto& c : gt.categories) isthing[c.id] = c.isthing;
    bool eligible = true;
    for (const auto& a : pred.annotations) {
      std::set<int64_t> stuff;
      for (const auto& s : a.segments)
        if (!isthing[s.category_id] && !stuff.insert(s.category_id).second) eligible = false;
    }
    if (!eligible) continue;
    std::vector<pgc::PanopticPair> pairs = pgc::pair_annotations(gt, pred, nullptr);
    pgc::PngDecoder decoder;
    pgc::RgbImage gt_img, pred_img;
    pgc::PqStats total;
    for (const auto& p : pairs) {
      decoder.decode((dir / "gt" / p.gt->file_name).string(), p.gt->image_id, gt_img);
      decoder.decode((dir / "pred" / p.pred->file_name).string(), p.gt->image_id, pred_img);
      auto to_ids = [](const pgc::RgbImage& im) {
        std::vector<uint32_t> ids(im.pixels());
        for (size_t i = 0; i < ids.size(); ++i)
          ids[i] = im.rgb[3 * i] + 256u * im.rgb[3 * i + 1] + 65536u * im.rgb[3 * i + 2];
        return ids;
      };
      std::vector<uint32_t> gt_ids = to_ids(gt_img);
      const auto masks = pgc::panoptic_segment_masks(to_ids(pred_img), pred_img.height, pred_img.width);
      std::vector<pgc::GroundedPhraseMask> phrases;
      for (const auto& s : p.pred->segments) phrases.push_back({&masks.at(s.id), s.category_id});
      total.merge(pgc::grounded_pq_image_stats(gt_ids, gt_img.height, gt_img.width, p.gt->segments, {}, phrases,
                                               gt.categories, pgc::GroundedGtMode::kFull));
    }
    const pgc::PqResult r = pgc::pq_score(total, gt.categories);
    const pgc::JsonDoc want = pgc::read_json_file((dir / "expected.json").string());
    BOOST_TEST_CONTEXT(dir.filename().string()) {
      const std::pair<const char*, const pgc::PqGroupResult*> groups[] = {
          {"All", &r.all}, {"Things", &r.things}, {"Stuff", &r.stuff}};
      for (const auto& [name, g] : groups) {
        BOOST_TEST(g->n == want[name]["n"].GetInt(), name);
        if (!want[name]["pq"].IsNumber()) continue;
        BOOST_REQUIRE(g->pq.has_value());
        BOOST_TEST(std::fabs(*g->pq - want[name]["pq"].GetDouble()) <= 1e-6, name);
        BOOST_TEST(std::fabs(*g->sq - want[name]["sq"].GetDouble()) <= 1e-6, name);
        BOOST_TEST(std::fabs(*g->rq - want[name]["rq"].GetDouble()) <= 1e-6, name);
      }
    }
    ++checked;
  }
  BOOST_TEST(checked >= 20, checked << " eligible panoptic cases");
}
