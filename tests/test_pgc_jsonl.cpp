// PGC JSON Lines: read/write round trips on every fixture case, and bad input rejected with the
// file, the line and the image id in the message.
#define BOOST_TEST_MODULE pgc_jsonl
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "caption/pgc_jsonl.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCases = std::string(PGC_FIXTURES_DIR) + "/grounded/cases/";
const char* kCaseNames[] = {"real_perfect", "real_perturbed", "edge_recall_quirks",
                            "edge_empty_null", "edge_many_preds", "synth_medium_50"};

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("pgc_jsonl_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

bool same(const pgc::PgcPrediction& a, const pgc::PgcPrediction& b) {
  if (!(a.image_id == b.image_id) || a.image_id.is_integer != b.image_id.is_integer || a.caption != b.caption ||
      a.phrases.size() != b.phrases.size())
    return false;
  for (size_t k = 0; k < a.phrases.size(); ++k) {
    const auto &x = a.phrases[k], &y = b.phrases[k];
    if (x.start != y.start || x.end != y.end || x.text != y.text || x.mask != y.mask ||
        x.mask_uncompressed != y.mask_uncompressed || x.category_id != y.category_id ||
        x.isthing != y.isthing || x.score != y.score)
      return false;
  }
  return true;
}

bool same(const pgc::PgcGroundTruth& a, const pgc::PgcGroundTruth& b) {
  if (!(a.image_id == b.image_id) || a.height != b.height || a.width != b.width || a.caption != b.caption ||
      a.panoptic_png != b.panoptic_png || a.spans.size() != b.spans.size() ||
      a.segments_info.size() != b.segments_info.size())
    return false;
  for (size_t k = 0; k < a.spans.size(); ++k) {
    const auto &x = a.spans[k], &y = b.spans[k];
    if (x.start != y.start || x.end != y.end || x.segment_ids != y.segment_ids || x.warnings != y.warnings) return false;
  }
  for (size_t k = 0; k < a.segments_info.size(); ++k) {
    const auto &x = a.segments_info[k], &y = b.segments_info[k];
    if (x.id != y.id || x.category_id != y.category_id || x.iscrowd != y.iscrowd || x.area != y.area || x.bbox != y.bbox)
      return false;
  }
  return true;
}

// Runs `f`, expects an InputError whose message holds every one of `parts`.
template <typename F>
void expect_error(F f, const std::vector<std::string>& parts) {
  try {
    f();
    BOOST_ERROR("no error raised; expected one mentioning " << parts.front());
  } catch (const pgc::InputError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "\"" << p << "\" not in: " << msg);
  }
}

const std::string kGood =
    R"({"image_id": 139, "caption": "A man stands next to a tree on the grass.", "phrases": [)"
    R"({"start": 0, "end": 5, "text": "A man", "mask": {"size": [2, 3], "counts": [1, 2, 3]}, "category_id": 1, "isthing": true, "score": 0.75},)"
    R"({"start": 21, "end": 27, "text": "a tree", "mask": {"size": [2, 3], "counts": "06"}},)"
    R"({"start": 31, "end": 40, "mask": null}]})";

}  // namespace

BOOST_AUTO_TEST_CASE(fixture_files_round_trip) {
  TempDir tmp;
  for (const char* name : kCaseNames) {
    BOOST_TEST_CONTEXT(name) {
      const auto preds = pgc::read_predictions(kCases + name + "/pred.jsonl");
      const auto gts = pgc::read_ground_truth(kCases + name + "/gt.jsonl");
      BOOST_REQUIRE(!preds.empty());
      BOOST_REQUIRE(!gts.empty());
      const std::string p2 = (tmp.path / "p.jsonl").string(), g2 = (tmp.path / "g.jsonl").string();
      pgc::write_predictions(p2, preds);
      pgc::write_ground_truth(g2, gts);
      const auto preds2 = pgc::read_predictions(p2);
      const auto gts2 = pgc::read_ground_truth(g2);
      BOOST_REQUIRE_EQUAL(preds2.size(), preds.size());
      BOOST_REQUIRE_EQUAL(gts2.size(), gts.size());
      for (size_t i = 0; i < preds.size(); ++i) BOOST_TEST(same(preds[i], preds2[i]), "prediction " << i);
      for (size_t i = 0; i < gts.size(); ++i) BOOST_TEST(same(gts[i], gts2[i]), "ground truth " << i);
      // Every prediction belongs to a GT image and has the image's mask size.
      BOOST_TEST(pgc::align_predictions(gts, preds, "gt", "pred").size() == gts.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(fields_are_read_as_written) {
  const pgc::PgcPrediction p = pgc::parse_prediction_line(kGood, "x.pred.jsonl", 1);
  BOOST_TEST(p.image_id.key == "139");
  BOOST_TEST(p.image_id.is_integer);
  BOOST_REQUIRE_EQUAL(p.phrases.size(), 3u);
  BOOST_TEST(p.phrases[0].mask->counts == (std::vector<uint32_t>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(p.phrases[0].mask_uncompressed);
  BOOST_TEST(*p.phrases[0].score == 0.75);
  BOOST_TEST(*p.phrases[0].isthing);
  BOOST_TEST(*p.phrases[0].category_id == 1);
  BOOST_TEST(p.phrases[1].mask->counts == (std::vector<uint32_t>{0, 6}), boost::test_tools::per_element());
  BOOST_TEST(!p.phrases[1].mask_uncompressed);
  BOOST_TEST(!p.phrases[2].mask.has_value());
  BOOST_TEST(p.phrases[2].text == "the grass");  // filled from the span
  BOOST_TEST(!p.phrases[2].text_given);
  // A line written and read back is the same record.
  BOOST_TEST(same(pgc::parse_prediction_line(pgc::prediction_to_json_line(p), "y", 1), p));
  // String ids stay strings; code-point spans across multi-byte characters.
  const auto q = pgc::parse_prediction_line(
      R"({"image_id": "img7", "caption": "Un café — noir", "phrases": [{"start": 3, "end": 7, "text": "café", "mask": null}]})", "q", 1);
  BOOST_TEST(!q.image_id.is_integer);
  BOOST_TEST(q.phrases[0].text == "café");
}

BOOST_AUTO_TEST_CASE(streaming_reader_skips_blank_lines_and_counts_lines) {
  TempDir tmp;
  const std::string second = R"({"image_id": 140, "caption": "x", "phrases": []})";
  const std::string path = tmp.write("a.pred.jsonl", kGood + "\r\n\n" + second + "\n");
  pgc::PredictionReader reader(path);
  pgc::PgcPrediction p;
  BOOST_REQUIRE(reader.next(p));
  BOOST_TEST(p.line == 1u);
  BOOST_REQUIRE(reader.next(p));
  BOOST_TEST(p.line == 3u);
  BOOST_TEST(p.image_id.key == "140");
  BOOST_TEST(!reader.next(p));
}

BOOST_AUTO_TEST_CASE(bad_prediction_lines_name_file_line_and_image) {
  TempDir tmp;
  auto read = [&](const std::string& second_line) {
    const std::string path = tmp.write("bad.pred.jsonl", kGood + "\n" + second_line + "\n");
    return [path] { pgc::read_predictions(path); };
  };
  const std::string head = R"({"image_id": 5, "caption": "a red car", "phrases": [)";
  expect_error(read("{not json"), {"bad.pred.jsonl", "line 2", "malformed JSON"});
  expect_error(read(R"({"caption": "x", "phrases": []})"), {"line 2", "missing key \"image_id\""});
  expect_error(read(R"({"image_id": 5, "phrases": []})"), {"line 2", "image 5", "\"caption\""});
  expect_error(read(head + R"({"start": 2, "end": 12, "mask": null}]})"),
               {"line 2", "image 5", "phrase 0", "out of range", "9"});
  expect_error(read(head + R"({"start": 3, "end": 2, "mask": null}]})"), {"phrase 0", "out of range"});
  expect_error(read(head + R"({"start": 2, "end": 5, "text": "red car", "mask": null}]})"),
               {"image 5", "phrase 0", "does not match", "\"red\""});
  expect_error(read(head + R"({"start": 2, "end": 5, "mask": {"size": [2, 3], "counts": [1, 2]}}]})"),
               {"image 5", "phrase 0", "malformed RLE", "add up to 3"});
  expect_error(read(head + R"({"start": 2, "end": 5, "mask": {"size": [2, 3], "counts": "0~"}}]})"),
               {"phrase 0", "malformed RLE", "invalid character"});
  expect_error(read(head + R"({"start": 2, "end": 5, "mask": {"size": [2], "counts": "06"}}]})"),
               {"phrase 0", "[height, width]"});
  expect_error(read(head + R"({"start": 2, "end": 5}]})"), {"phrase 0", "missing key \"mask\""});
  expect_error(read(head + R"({"start": 2, "end": 5, "mask": null, "category_id": "car"}]})"),
               {"phrase 0", "category_id"});
  expect_error(read(R"({"image_id": 139, "caption": "dup", "phrases": []})"),
               {"line 2", "image 139", "duplicate image id (first on line 1)"});
  expect_error(read(R"({"image_id": 1.5, "caption": "x", "phrases": []})"), {"line 2", "image_id"});
  expect_error([&] { pgc::read_predictions((tmp.path / "missing.jsonl").string()); }, {"missing.jsonl", "cannot open"});
}

BOOST_AUTO_TEST_CASE(bad_ground_truth_lines_are_rejected) {
  TempDir tmp;
  const std::string head = R"({"image_id": 9, "height": 2, "width": 3, "caption": "a dog", "panoptic_png": "9.png", )";
  const std::string seg = R"("segments_info": [{"id": 4, "category_id": 18, "iscrowd": 0, "area": 2, "bbox": [0, 0, 1, 2]}])";
  auto read = [&](const std::string& line) {
    const std::string path = tmp.write("bad.gt.jsonl", line + "\n");
    return [path] { pgc::read_ground_truth(path); };
  };
  const auto ok = pgc::parse_ground_truth_line(head + R"("spans": [{"start": 0, "end": 5, "segment_ids": [4], "warnings": []}], )" + seg + "}", "g", 1);
  BOOST_TEST(ok.spans[0].segment_ids == (std::vector<int64_t>{4}), boost::test_tools::per_element());
  BOOST_TEST(same(pgc::parse_ground_truth_line(pgc::ground_truth_to_json_line(ok), "g", 1), ok));
  expect_error(read(head + R"("spans": [{"start": 0, "end": 5, "segment_ids": [7]}], )" + seg + "}"),
               {"bad.gt.jsonl", "line 1", "image 9", "span 0", "segment id 7 is not in segments_info"});
  expect_error(read(head + R"("spans": [{"start": 0, "end": 6, "segment_ids": [4]}], )" + seg + "}"),
               {"image 9", "span 0", "out of range"});
  expect_error(read(R"({"image_id": 9, "height": 0, "width": 3, "caption": "a", "panoptic_png": "p", "spans": [], "segments_info": []})"),
               {"image 9", "image size"});
}

BOOST_AUTO_TEST_CASE(predictions_are_checked_against_the_ground_truth) {
  const auto gt = pgc::parse_ground_truth_line(
      R"({"image_id": 139, "height": 2, "width": 3, "caption": "c", "panoptic_png": "p", "spans": [], "segments_info": []})", "g.jsonl", 1);
  const auto good = pgc::parse_prediction_line(kGood, "p.jsonl", 1);
  const std::vector<pgc::PgcGroundTruth> gts{gt};
  BOOST_TEST(pgc::align_predictions(gts, {good}, "g.jsonl", "p.jsonl")[0]->image_id.key == "139");
  auto wrong_size = good;
  wrong_size.phrases[1].mask = pgc::rle_from_counts({12}, 3, 4);
  expect_error([&] { pgc::align_predictions(gts, {wrong_size}, "g.jsonl", "p.jsonl"); },
               {"p.jsonl", "line 1", "image 139", "phrase 1", "mask size 3x4", "2x3"});
  auto unknown = good;
  unknown.image_id.key = "140";
  expect_error([&] { pgc::align_predictions(gts, {unknown}, "g.jsonl", "p.jsonl"); },
               {"p.jsonl", "image 140", "unknown image id"});
  expect_error([&] { pgc::align_predictions(gts, {}, "g.jsonl", "p.jsonl"); },
               {"image 139", "no prediction"});
  BOOST_TEST(pgc::align_predictions(gts, {}, "g.jsonl", "p.jsonl", true)[0] == nullptr);
}

BOOST_AUTO_TEST_CASE(writing_is_atomic) {
  TempDir tmp;
  // A folder that does not exist: the write fails and leaves nothing behind.
  const std::string target = (tmp.path / "no_such_dir" / "out.jsonl").string();
  BOOST_CHECK_THROW(pgc::write_predictions(target, {pgc::parse_prediction_line(kGood, "p", 1)}), pgc::InputError);
  BOOST_TEST(!fs::exists(target));
}
