// Pure PQ tests on tiny in-memory id maps (no files): each rule of panopticapi's pq_compute.
#define BOOST_TEST_MODULE panoptic_metric
#include <boost/test/unit_test.hpp>

#include <random>

#include "metrics/panoptic_quality.hpp"

using pgc::PqSegment;
using pgc::PqStats;

namespace {

constexpr int64_t kCat = 7, kOther = 8, kThird = 9;

PqStats image(const std::vector<uint32_t>& gt, const std::vector<uint32_t>& pred,
              const std::vector<PqSegment>& gt_segs, const std::vector<PqSegment>& pred_segs) {
  BOOST_REQUIRE_EQUAL(gt.size(), pred.size());
  return pgc::pq_image_stats(gt.data(), pred.data(), gt.size(), gt_segs, pred_segs);
}

pgc::PqClassStats of(const PqStats& s, int64_t cat) {
  const pgc::PqClassStats* c = s.find(cat);
  return c ? *c : pgc::PqClassStats{};
}

}  // namespace

BOOST_AUTO_TEST_CASE(iou_exactly_half_is_not_a_match) {
  // GT 1 has 2 px, pred 2 has 1 px inside it: IoU = 1 / 2.
  auto s = image({1, 1}, {2, 0}, {{1, kCat, false}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).tp == 0);
  BOOST_TEST(of(s, kCat).fn == 1);
  BOOST_TEST(of(s, kCat).fp == 1);
}

BOOST_AUTO_TEST_CASE(iou_above_half_is_a_match_and_sums_iou) {
  auto s = image({1, 1, 1}, {2, 2, 0}, {{1, kCat, false}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).tp == 1);
  BOOST_TEST(of(s, kCat).fn == 0);
  BOOST_TEST(of(s, kCat).fp == 0);
  BOOST_TEST(of(s, kCat).iou == 2.0 / 3.0);
}

BOOST_AUTO_TEST_CASE(wrong_category_never_matches) {
  auto s = image({1, 1}, {2, 2}, {{1, kCat, false}}, {{2, kOther, false}});
  BOOST_TEST(of(s, kCat).fn == 1);
  BOOST_TEST(of(s, kOther).fp == 1);
  BOOST_TEST(of(s, kCat).tp + of(s, kOther).tp == 0);
}

BOOST_AUTO_TEST_CASE(pred_pixels_on_void_leave_the_union) {
  // Union = 4 + 2 - 2 - 2 (pred on VOID) = 2: IoU 1.
  auto s = image({1, 1, 0, 0}, {2, 2, 2, 2}, {{1, kCat, false}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).tp == 1);
  BOOST_TEST(of(s, kCat).iou == 1.0);
}

BOOST_AUTO_TEST_CASE(crowd_pixels_stay_in_the_union) {
  // GT 3 is a crowd of the same class: union 4 (IoU 0.5, no match); the unmatched pred lies
  // exactly half on the crowd: not more than half, so still a FP.
  auto s = image({1, 1, 3, 3}, {2, 2, 2, 2}, {{1, kCat, false}, {3, kCat, true}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).tp == 0);
  BOOST_TEST(of(s, kCat).fn == 1);
  BOOST_TEST(of(s, kCat).fp == 1);
}

BOOST_AUTO_TEST_CASE(fp_ignored_only_when_more_than_half_on_void) {
  auto majority = image({0, 0, 0, 1}, {2, 2, 2, 0}, {{1, kCat, false}}, {{2, kOther, false}});
  BOOST_TEST(of(majority, kOther).fp == 0);
  BOOST_TEST(of(majority, kCat).fn == 1);
  auto half = image({0, 0, 1, 1}, {2, 2, 2, 2}, {{1, kCat, false}}, {{2, kOther, false}});
  BOOST_TEST(of(half, kOther).fp == 1);
}

BOOST_AUTO_TEST_CASE(void_and_same_class_crowd_shares_add_up) {
  // pred 2 (4 px): 1 px VOID + 2 px on crowd 3 of its class = 3/4 > 0.5: ignored.
  auto s = image({0, 3, 3, 1}, {2, 2, 2, 2}, {{1, kOther, false}, {3, kCat, true}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).fp == 0);
  // The same crowd of another class does not excuse it.
  auto t = image({0, 3, 3, 1}, {2, 2, 2, 2}, {{1, kOther, false}, {3, kThird, true}}, {{2, kCat, false}});
  BOOST_TEST(of(t, kCat).fp == 1);
}

BOOST_AUTO_TEST_CASE(only_the_last_crowd_segment_of_a_class_counts) {
  std::vector<uint32_t> gt{3, 3, 3, 4, 1}, pred{2, 2, 2, 0, 0};
  // Crowds 3 then 4 (both kOther): 4 is the crowd region; pred 2 on 3 is a FP.
  auto a = image(gt, pred, {{3, kOther, true}, {4, kOther, true}, {1, kCat, false}}, {{2, kOther, false}});
  BOOST_TEST(of(a, kOther).fp == 1);
  // Crowds 4 then 3: 3 is the crowd region; pred 2 lies entirely on it: ignored.
  auto b = image(gt, pred, {{4, kOther, true}, {3, kOther, true}, {1, kCat, false}}, {{2, kOther, false}});
  BOOST_TEST(of(b, kOther).fp == 0);
  // Crowds are never FN.
  BOOST_TEST(of(a, kOther).fn == 0);
  BOOST_TEST(of(a, kCat).fn == 1);
}

BOOST_AUTO_TEST_CASE(crowd_is_never_a_true_positive) {
  auto s = image({3, 3}, {2, 2}, {{3, kCat, true}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).tp == 0);
  BOOST_TEST(of(s, kCat).fn == 0);
  BOOST_TEST(of(s, kCat).fp == 0);  // fully on its class's crowd
}

BOOST_AUTO_TEST_CASE(repeated_segment_id_last_entry_wins) {
  // panopticapi keeps {id: entry} dicts: the last entry of an id decides its category.
  auto s = image({1, 1}, {2, 2}, {{1, kOther, false}}, {{2, kCat, false}, {2, kOther, false}});
  BOOST_TEST(of(s, kOther).tp == 1);
  BOOST_TEST(of(s, kCat).fp == 0);
}

BOOST_AUTO_TEST_CASE(unlisted_gt_ids_are_neither_void_nor_matchable) {
  // GT id 5 is not listed: its pixels neither match nor excuse the pred.
  auto s = image({5, 5, 5, 1}, {2, 2, 2, 0}, {{1, kCat, false}}, {{2, kCat, false}});
  BOOST_TEST(of(s, kCat).fp == 1);
  BOOST_TEST(of(s, kCat).fn == 1);
}

BOOST_AUTO_TEST_CASE(rgb_and_id_pair_counts_agree) {
  std::mt19937 rng(3);
  const size_t n = 5000;
  std::vector<uint32_t> gt(n), pred(n);
  std::vector<uint8_t> grgb(3 * n), prgb(3 * n);
  uint32_t g = 0, p = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 7 == 0) g = rng() % 4 == 0 ? 0 : (rng() & 0xFFFFFF);
    if (rng() % 5 == 0) p = rng() % 3 == 0 ? 0xFFFFFF : rng() % 40;
    gt[i] = g;
    pred[i] = p;
    for (int c = 0; c < 3; ++c) {
      grgb[3 * i + c] = static_cast<uint8_t>(g >> (8 * c));
      prgb[3 * i + c] = static_cast<uint8_t>(p >> (8 * c));
    }
  }
  pgc::PqPairCounter counter;
  auto a = counter.count_ids(gt.data(), pred.data(), n);
  auto b = counter.count_rgb(grgb.data(), prgb.data(), n);  // reused table
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  int64_t total = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST(a[i].gt == b[i].gt);
    BOOST_TEST(a[i].pred == b[i].pred);
    BOOST_TEST(a[i].pixels == b[i].pixels);
    total += a[i].pixels;
    if (i) BOOST_TEST((a[i - 1].gt < a[i].gt || (a[i - 1].gt == a[i].gt && a[i - 1].pred < a[i].pred)));
  }
  BOOST_TEST(total == static_cast<int64_t>(n));
}

BOOST_AUTO_TEST_CASE(score_formula_quirks_and_group_counts) {
  std::vector<pgc::PqCategory> cats{{1, "a", true}, {2, "b", false}, {3, "c", true}, {4, "d", false}};
  PqStats s;
  s[1] = {2, 1, 1, 1.5};  // tp fp fn iou
  s[2] = {0, 1, 0, 0.0};  // only in the prediction: counted, sq is the integer 0
  // 3 and 4 are absent from both sides: not counted.
  auto r = pgc::pq_score(s, cats);
  BOOST_REQUIRE_EQUAL(r.per_class.size(), 4u);
  const auto& c1 = r.per_class[0].second;
  BOOST_TEST(c1.pq == 1.5 / 3.0);
  BOOST_TEST(c1.sq == 0.75);
  BOOST_TEST(c1.rq == 2.0 / 3.0);
  BOOST_TEST(!c1.sq_is_integer_zero);
  const auto& c2 = r.per_class[1].second;
  BOOST_TEST(c2.counted);
  BOOST_TEST(c2.sq_is_integer_zero);
  BOOST_TEST(c2.pq == 0.0);
  BOOST_TEST(!r.per_class[2].second.counted);
  BOOST_TEST(r.all.n == 2);
  BOOST_TEST(*r.all.pq == (1.5 / 3.0 + 0.0) / 2);
  BOOST_TEST(r.things.n == 1);
  BOOST_TEST(*r.things.rq == 2.0 / 3.0);
  BOOST_TEST(r.stuff.n == 1);

  rapidjson::Document d(rapidjson::kObjectType);
  pgc::pq_result_to_json(r, d, d.GetAllocator());
  BOOST_TEST(d["per_class"]["2"]["sq"].IsInt());    // panopticapi's `0`
  BOOST_TEST(d["per_class"]["4"]["sq"].IsDouble());  // absent class: 0.0
  BOOST_TEST(d["All"]["n"].GetInt() == 2);
}

BOOST_AUTO_TEST_CASE(empty_group_has_no_average) {
  std::vector<pgc::PqCategory> cats{{1, "a", true}, {2, "b", false}};
  PqStats s;
  s[1] = {1, 0, 0, 0.9};
  auto r = pgc::pq_score(s, cats);
  BOOST_TEST(r.stuff.n == 0);
  BOOST_TEST(!r.stuff.pq.has_value());
  rapidjson::Document d(rapidjson::kObjectType);
  pgc::pq_result_to_json(r, d, d.GetAllocator());
  BOOST_TEST(d["Stuff"]["pq"].IsNull());
  auto names = pgc::pq_corpus_metrics(r);
  BOOST_TEST(names.size() == 6u);  // PQ/SQ/RQ and the _th ones; no _st
}

BOOST_AUTO_TEST_CASE(stats_merge_and_json_round_trip) {
  PqStats a, b;
  a[5] = {1, 0, 2, 0.75};
  a[9] = {0, 1, 0, 0.0};
  b[5] = {2, 1, 0, 1.6000000000000001};
  b[3] = {0, 0, 1, 0.0};
  PqStats m = a;
  m.merge(b);
  BOOST_TEST(m.entries().size() == 3u);
  BOOST_TEST(m.entries()[0].first == 3);
  BOOST_TEST(m.find(5)->tp == 3);
  BOOST_TEST(m.find(5)->fn == 2);
  BOOST_TEST(m.find(5)->iou == 0.75 + 1.6000000000000001);
  rapidjson::Document d;
  auto v = m.to_json(d.GetAllocator());
  auto text = pgc::to_json(v, false);
  auto back = PqStats::from_json(pgc::parse_json(text, "t"), "t", "x");
  BOOST_TEST((back == m));
  BOOST_CHECK_THROW(PqStats::from_json(pgc::parse_json("{\"1\": [1, 2]}", "t"), "t", "x"),
                    std::exception);
}
