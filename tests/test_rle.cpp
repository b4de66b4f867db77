// COCO RLE against pycocotools: every case of fixtures/grounded/rle/ (strings, uncompressed runs,
// areas, boxes, IoUs) plus round trips and malformed input.
#define BOOST_TEST_MODULE rle
#include <boost/test/unit_test.hpp>

#include <random>

#include "core/json.hpp"
#include "metrics/rle.hpp"
#include "tests/grounded_test_util.hpp"

namespace {

const std::string kRleDir = std::string(PGC_FIXTURES_DIR) + "/grounded/rle/";

pgc::Rle encode_png(const std::string& rel) {
  uint32_t h = 0, w = 0;
  const auto mask = pgc_test::read_mask_png(kRleDir + rel, h, w);
  return pgc::rle_encode_row_major(mask.data(), h, w);
}

std::vector<uint8_t> to_column_major(const std::vector<uint8_t>& row_major, uint32_t h, uint32_t w) {
  std::vector<uint8_t> out(row_major.size());
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) out[size_t{x} * h + y] = row_major[size_t{y} * w + x];
  return out;
}

}  // namespace

namespace pgc {
std::ostream& operator<<(std::ostream& os, const Rle& r) {
  os << r.height << "x" << r.width << " [";
  for (auto c : r.counts) os << c << ' ';
  return os << "]";
}
}  // namespace pgc

BOOST_AUTO_TEST_CASE(every_fixture_case_is_byte_identical) {
  const pgc::JsonDoc cases = pgc::read_json_file(kRleDir + "cases.json");
  BOOST_REQUIRE(cases.IsArray());
  BOOST_REQUIRE_GT(cases.Size(), 30u);
  for (const auto& c : cases.GetArray()) {
    const std::string name = c["mask"].GetString();
    BOOST_TEST_CONTEXT(name) {
      uint32_t h = 0, w = 0;
      const auto row_major = pgc_test::read_mask_png(kRleDir + name, h, w);
      BOOST_REQUIRE_EQUAL(h, c["size"][0].GetUint());
      BOOST_REQUIRE_EQUAL(w, c["size"][1].GetUint());
      const pgc::Rle rle = pgc::rle_encode_row_major(row_major.data(), h, w);

      std::vector<uint32_t> ucounts;
      for (const auto& v : c["ucounts"].GetArray()) ucounts.push_back(v.GetUint());
      BOOST_TEST(rle.counts == ucounts, boost::test_tools::per_element());

      const std::string expected = c["counts"].GetString();
      BOOST_TEST(pgc::rle_to_string(rle) == expected);
      BOOST_TEST(pgc::rle_area(rle) == c["area"].GetUint64());
      const auto box = pgc::rle_to_bbox(rle);
      for (int k = 0; k < 4; ++k) BOOST_TEST(box[k] == c["bbox"][k].GetDouble());

      // Decoding the pycocotools string gives back the same runs and the same pixels.
      const pgc::Rle parsed = pgc::rle_from_string(expected, h, w);
      BOOST_TEST(parsed.counts == ucounts, boost::test_tools::per_element());
      BOOST_TEST(pgc::rle_decode_column_major(parsed) == to_column_major(row_major, h, w));
      // Uncompressed runs re-encode to the same string (frPyObjects).
      BOOST_TEST(pgc::rle_to_string(pgc::rle_from_counts(ucounts, h, w)) == expected);
      // Column-major encoding of the same pixels is the same RLE.
      const auto col = to_column_major(row_major, h, w);
      BOOST_TEST(pgc::rle_encode_column_major(col.data(), h, w).counts == ucounts,
                 boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(every_fixture_iou_matches_pycocotools_exactly) {
  const pgc::JsonDoc pairs = pgc::read_json_file(kRleDir + "iou.json");
  BOOST_REQUIRE_GT(pairs.Size(), 100u);
  for (const auto& p : pairs.GetArray()) {
    const std::string dt_name = p["dt"].GetString(), gt_name = p["gt"].GetString();
    BOOST_TEST_CONTEXT(dt_name << " vs " << gt_name) {
      const pgc::Rle dt = encode_png(dt_name), gt = encode_png(gt_name);
      // pycocotools divides two integers as doubles; so do we: the values are identical.
      BOOST_TEST(pgc::rle_iou(dt, gt, false) == p["iou_iscrowd0"].GetDouble());
      BOOST_TEST(pgc::rle_iou(dt, gt, true) == p["iou_iscrowd1"].GetDouble());
    }
  }
}

BOOST_AUTO_TEST_CASE(random_round_trips) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const uint32_t h = 1 + rng() % 40, w = 1 + rng() % 40;
    const double density = (rng() % 100) / 100.0;
    std::bernoulli_distribution bit(density);
    std::vector<uint8_t> mask(size_t{h} * w);
    for (auto& m : mask) m = bit(rng);
    const pgc::Rle rle = pgc::rle_encode_column_major(mask.data(), h, w);
    BOOST_TEST(pgc::rle_check(rle).empty());
    const pgc::Rle back = pgc::rle_from_string(pgc::rle_to_string(rle), h, w);
    BOOST_TEST(back == rle);
    BOOST_TEST(pgc::rle_decode_column_major(back) == mask);
    uint64_t ones = 0;
    for (auto m : mask) ones += m;
    BOOST_TEST(pgc::rle_area(rle) == ones);
  }
}

BOOST_AUTO_TEST_CASE(union_intersection_and_iou_by_hand) {
  // 4x3 masks, column-major: a = pixels 0..3 (first column), b = pixels 2..5.
  const pgc::Rle a = pgc::rle_from_counts({0, 4, 8}, 4, 3);
  const pgc::Rle b = pgc::rle_from_counts({2, 4, 6}, 4, 3);
  BOOST_TEST(pgc::rle_intersection_area(a, b) == 2u);
  BOOST_TEST(pgc::rle_merge({&a, &b}, false).counts == (std::vector<uint32_t>{0, 6, 6}),
             boost::test_tools::per_element());
  BOOST_TEST(pgc::rle_merge({&a, &b}, true).counts == (std::vector<uint32_t>{2, 2, 8}),
             boost::test_tools::per_element());
  BOOST_TEST(pgc::rle_iou(a, b, false) == 2.0 / 6.0);
  BOOST_TEST(pgc::rle_iou(a, b, true) == 2.0 / 4.0);  // crowd gt: / |dt|
  const pgc::Rle empty = pgc::rle_from_counts({12}, 4, 3);
  BOOST_TEST(pgc::rle_iou(empty, empty, false) == 0.0);  // pycocotools: 0, not NaN
  BOOST_TEST(pgc::rle_merge({&empty, &empty}, false).counts == (std::vector<uint32_t>{12}),
             boost::test_tools::per_element());
  // Zero-length runs inside uncompressed counts are kept as given (like frPyObjects).
  const pgc::Rle zero_runs = pgc::rle_from_counts({0, 2, 0, 2, 8}, 4, 3);
  BOOST_TEST(pgc::rle_area(zero_runs) == 4u);
  BOOST_TEST(pgc::rle_intersection_area(zero_runs, a) == 4u);
  BOOST_TEST(pgc::rle_from_string(pgc::rle_to_string(zero_runs), 4, 3) == zero_runs);
  BOOST_TEST(pgc::rle_decode_column_major(zero_runs) == pgc::rle_decode_column_major(a));
}

BOOST_AUTO_TEST_CASE(bbox_quirk_run_crossing_columns) {
  // A single run of ones from (3,0) to (0,1) in a 4x3 mask: pycocotools widens it to full height.
  const pgc::Rle r = pgc::rle_from_counts({3, 2, 7}, 4, 3);
  const auto box = pgc::rle_to_bbox(r);
  BOOST_TEST(box[0] == 0.0);
  BOOST_TEST(box[1] == 0.0);
  BOOST_TEST(box[2] == 2.0);
  BOOST_TEST(box[3] == 4.0);
}

BOOST_AUTO_TEST_CASE(malformed_input_is_rejected) {
  BOOST_CHECK_THROW(pgc::rle_from_counts({5, 5}, 4, 3), std::invalid_argument);   // 10 != 12
  BOOST_CHECK_THROW(pgc::rle_from_string("0P", 4, 3), std::invalid_argument);      // ends in a number
  BOOST_CHECK_THROW(pgc::rle_from_string("<~", 4, 3), std::invalid_argument);      // bad character
  BOOST_CHECK_THROW(pgc::rle_from_string(" ", 4, 3), std::invalid_argument);       // bad character
  BOOST_CHECK_THROW(pgc::rle_from_string("4", 4, 3), std::invalid_argument);       // sum 4 != 12
  // A delta that makes a run negative: counts 2, 8, 2, then 2 - 3.
  const pgc::Rle ok = pgc::rle_from_counts({2, 8, 2}, 4, 3);
  BOOST_TEST(pgc::rle_to_string(ok) == "282");
  BOOST_CHECK_THROW(pgc::rle_from_string("282@", 4, 3), std::invalid_argument);  // 8 - 16 < 0
  const pgc::Rle other = pgc::rle_from_counts({12}, 3, 4);
  BOOST_CHECK_THROW(pgc::rle_iou(ok, other, false), std::invalid_argument);
}
