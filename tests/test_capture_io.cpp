// CAPTURE elements-mode inputs: every malformed input is an InputError naming file and item.
#define BOOST_TEST_MODULE capture_io
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "caption/capture_io.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kGood = R"({"objects": ["dog", "grass"], "attributes": {"dog": ["white"]},
                              "relations": [["dog", "on", "grass"]]})";

// Parses REFS/PREDS texts; returns the InputError's message ("" if it parsed).
std::string images_error(const std::string& refs, const std::string& preds) {
  try {
    pgc::JsonDoc r = pgc::parse_json(refs, "refs.json"), p = pgc::parse_json(preds, "preds.json");
    pgc::parse_capture_images(r, "refs.json", p, "preds.json");
    return "";
  } catch (const pgc::InputError& e) {
    return e.what();
  }
}

std::string table_error(const std::string& text) {
  try {
    pgc::parse_similarity_table(pgc::parse_json(text, "sim.json"), "sim.json");
    return "";
  } catch (const pgc::InputError& e) {
    return e.what();
  }
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string with_elements(const std::string& elements) { return "{\"a\": " + elements + "}"; }

}  // namespace

BOOST_AUTO_TEST_CASE(good_input_parses_in_refs_order) {
  std::string refs = R"({"b": [)" + kGood + "], \"a\": [" + kGood + "," + kGood + "]}";
  std::string preds = R"({"a": )" + kGood + ", \"b\": " + kGood + "}";
  pgc::JsonDoc r = pgc::parse_json(refs, "r"), p = pgc::parse_json(preds, "p");
  auto images = pgc::parse_capture_images(r, "r", p, "p");
  BOOST_TEST_REQUIRE(images.size() == 2u);
  BOOST_TEST(images[0].id == "b");
  BOOST_TEST(images[1].refs.size() == 2u);
  BOOST_TEST(images[0].pred.relations[0][1] == "on");
  BOOST_TEST(images[0].pred.attributes[0].first == "dog");
  // The dump form reads back identically.
  pgc::JsonDoc d;
  pgc::JsonValue v = pgc::capture_elements_to_json(images[0].pred, d.GetAllocator());
  pgc::CaptureElements back = pgc::parse_capture_elements(v, "dump", "x");
  BOOST_TEST((back.objects == images[0].pred.objects));
  BOOST_TEST((back.relations == images[0].pred.relations));
  BOOST_TEST((back.attributes == images[0].pred.attributes));
}

BOOST_AUTO_TEST_CASE(ids_must_agree) {
  std::string refs = "{\"a\": [" + kGood + "]}";
  std::string e = images_error(refs, "{}");
  BOOST_TEST(contains(e, "preds.json: image \"a\": no candidate"), e);
  e = images_error(refs, "{\"a\": " + kGood + ", \"zz\": " + kGood + "}");
  BOOST_TEST(contains(e, "preds.json: image \"zz\""), e);
  e = images_error("{\"a\": []}", "{\"a\": " + kGood + "}");
  BOOST_TEST(contains(e, "refs.json: image \"a\": expected a non-empty array"), e);
  e = images_error("{}", "{}");
  BOOST_TEST(contains(e, "no images"), e);
  e = images_error("{\"a\": [" + kGood + "], \"a\": [" + kGood + "]}", "{\"a\": " + kGood + "}");
  BOOST_TEST(contains(e, "duplicate key \"a\""), e);
}

BOOST_AUTO_TEST_CASE(elements_are_validated) {
  std::string refs = "{\"a\": [" + kGood + "]}";
  auto bad_pred = [&](const std::string& elements) { return images_error(refs, with_elements(elements)); };
  std::string e = bad_pred(R"({"objects": ["dog"], "attributes": {}, "relations": [["dog", "on"]]})");
  BOOST_TEST(contains(e, "image \"a\": relations[0]: expected a triple"), e);
  e = bad_pred(R"({"objects": ["dog", 3], "attributes": {}, "relations": []})");
  BOOST_TEST(contains(e, "objects[1]: expected a string"), e);
  e = bad_pred(R"({"objects": [], "attributes": {}, "relation": []})");
  BOOST_TEST(contains(e, "unknown key \"relation\""), e);
  e = bad_pred(R"({"objects": [], "attributes": {}})");
  BOOST_TEST(contains(e, "missing key \"relations\""), e);
  e = bad_pred(R"({"objects": [" "], "attributes": {}, "relations": []})");
  BOOST_TEST(contains(e, "only whitespace"), e);
  e = bad_pred(R"({"objects": [], "attributes": {"dog": ["a"], "dog": ["b"]}, "relations": []})");
  BOOST_TEST(contains(e, "duplicate key \"dog\""), e);
  e = bad_pred(R"({"objects": [], "attributes": {"dog": "white"}, "relations": []})");
  BOOST_TEST(contains(e, "attributes[\"dog\"]: expected an array"), e);
  e = bad_pred(R"(["dog"])");
  BOOST_TEST(contains(e, "expected an ELEMENTS object"), e);
  BOOST_TEST(bad_pred(R"({"objects": [""], "attributes": {}, "relations": []})").empty());
}

BOOST_AUTO_TEST_CASE(similarity_table_is_validated) {
  BOOST_TEST(table_error(R"({"a|b": 0.5, "c|d": -1})").empty());
  BOOST_TEST(contains(table_error(R"({"ab": 0.5})"), "key \"ab\": expected \"<candidate phrase>|<reference phrase>\""));
  BOOST_TEST(contains(table_error(R"({"a|b": "0.5"})"), "expected a number"));
  BOOST_TEST(contains(table_error(R"({"a|b": 0.5, "a|b": 0.25})"), "duplicate key"));
  BOOST_TEST(contains(table_error(R"([1])"), "expected {"));
  pgc::SimilarityTable t = pgc::parse_similarity_table(pgc::parse_json(R"({"a|b": 0.1})", "s"), "s");
  BOOST_TEST(t.lookup("a", "b") == 0.1f);  // rounded to float32, like the encoder's output
  BOOST_TEST(t.lookup("b", "a") == 0.f);   // candidate first; a missing pair is 0
}

BOOST_AUTO_TEST_CASE(entry_point_needs_a_soft_stage_source) {
  fs::path dir = fs::temp_directory_path() / "pgc_test_capture_io";
  fs::create_directories(dir);
  std::ofstream(dir / "refs.json") << "{\"a\": [" << kGood << "]}";
  std::ofstream(dir / "preds.json") << "{\"a\": " << kGood << "}";
  pgc::CaptureElementsRun run;
  run.refs_path = (dir / "refs.json").string();
  run.preds_path = (dir / "preds.json").string();
  BOOST_CHECK_THROW(pgc::evaluate_capture_elements(run), pgc::UsageError);
  run.similarity_path = (dir / "missing.json").string();
  BOOST_CHECK_THROW(pgc::evaluate_capture_elements(run), pgc::InputError);
  run.no_soft = true;
  BOOST_CHECK_THROW(pgc::evaluate_capture_elements(run), pgc::UsageError);
  run.similarity_path.clear();
  run.wordnet_dir = (dir / "no_wordnet").string();
  BOOST_CHECK_THROW(pgc::evaluate_capture_elements(run), pgc::InputError);
  run.wordnet_dir.clear();
  pgc::CaptureResult r = pgc::evaluate_capture_elements(run);
  BOOST_TEST(r.ids.size() == 1u);
  BOOST_TEST(r.corpus > 0.99);
  pgc::JsonDoc d;
  pgc::JsonValue j = pgc::capture_scores_to_json(r.per_image[0], d.GetAllocator());
  BOOST_TEST(j["CAPTURE"].GetDouble() == r.corpus);
  BOOST_TEST(j.HasMember("f1_relation"));
  fs::remove_all(dir);
}
