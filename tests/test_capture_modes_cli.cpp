// `pgc caption --metrics capture` in graphs and full modes through the CLI: graphs-mode inputs,
// --dump-parse (and that its output scores identically in elements mode), signatures, and the
// errors for missing resources and bad inputs. Full-mode parsing itself is tested with a fake
// parser in test_capture_graph (the T5 parser is not part of this test).
#define BOOST_TEST_MODULE capture_modes_cli
#include <boost/test/unit_test.hpp>

#include "cli_util.hpp"
#include "core/json.hpp"

using namespace pgc_test;

namespace {

const std::string kNltk = std::string(PGC_SOURCE_DIR) + "/tests/data/capture_nltk";

// Two images; the second has two references.
const char* kRefs = R"J({
  "img1": [{"text": "A red car is parked on a street. Tall trees stand behind it.",
            "graphs": ["( car , is , red ) , ( car , parked on , street )", "( trees , is , tall ) , ( trees , behind , car )"]}],
  "img2": [{"text": "A dog lies on the grass.", "graphs": ["( dog , lying on , grass )"]},
           {"text": "A small dog on green grass.", "graphs": ["(dog, is, small), (grass, is, green), (dog, on, grass)"]}]
})J";
const char* kPreds = R"J({
  "img1": {"text": "A red automobile is on the road near trees.",
           "graphs": ["Generate Scene Graph: ( automobile , is , red ) , ( automobile , on , road ) , ( automobile , near , trees ) , ( road , near"]},
  "img2": {"text": "A dog sits in the grass.", "graphs": ["( dog , sits in , grass )"]}
})J";

std::string capture_args(const TempDir& t) {
  return "caption --metrics capture --capture-no-soft --quiet --refs " + q(t.path / "refs.json") + " --preds " +
         q(t.path / "preds.json");
}

pgc::JsonDoc read(const fs::path& p) { return pgc::read_json_file(p.string()); }

std::vector<std::string> strings(const pgc::JsonValue& v) {
  std::vector<std::string> out;
  for (const auto& s : v.GetArray()) out.push_back(s.GetString());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(graphs_mode_scores_dumps_and_agrees_with_elements_mode) {
  TempDir t("capture_graphs");
  t.write("refs.json", kRefs);
  t.write("preds.json", kPreds);
  Run r = run_pgc_command(capture_args(t) + " --capture-mode graphs --nltk-data " + q(kNltk) + " --json " +
                              q(t.path / "graphs.json") + " --per-image --dump-parse " + q(t.path / "dump.json"),
                          t.path);
  BOOST_TEST_REQUIRE(r.rc == 0, r.err);
  pgc::JsonDoc dump = read(t.path / "dump.json");
  // What was extracted (spec §2.4-2.7 by hand): lemmatized heads, the truncated fact dropped,
  // facts sorted within a sentence (so "tree" before "road" in the candidate), "trees" -> "tree".
  const auto& ref1 = dump["refs"]["img1"][0];
  BOOST_TEST(strings(ref1["objects"]) == (std::vector<std::string>{"car", "street", "tree"}),
             boost::test_tools::per_element());
  BOOST_TEST(strings(ref1["attributes"]["car"]) == std::vector<std::string>{"red"}, boost::test_tools::per_element());
  BOOST_TEST(strings(ref1["attributes"]["tree"]) == std::vector<std::string>{"tall"}, boost::test_tools::per_element());
  BOOST_TEST(ref1["relations"].Size() == 2u);
  const auto& pred1 = dump["preds"]["img1"];
  BOOST_TEST(strings(pred1["objects"]) == (std::vector<std::string>{"automobile", "tree", "road"}),
             boost::test_tools::per_element());
  BOOST_TEST(pred1["relations"].Size() == 2u);
  BOOST_TEST(dump["refs"]["img2"].Size() == 2u);

  pgc::JsonDoc graphs = read(t.path / "graphs.json");
  BOOST_TEST(pgc::to_json(graphs).find("capture:graphs") != std::string::npos);
  BOOST_TEST(pgc::to_json(graphs).find("punkt_tab:") != std::string::npos);
  BOOST_TEST(graphs["per_image"].HasMember("img2"));
  BOOST_TEST(graphs["stats"]["img2"]["capture"].Size() == 11u);

  // The dump is elements-mode input: scoring it there gives the same numbers, bit for bit.
  t.write("refs.json", pgc::to_json(dump["refs"]));
  t.write("preds.json", pgc::to_json(dump["preds"]));
  Run e = run_pgc_command(capture_args(t) + " --capture-mode elements --json " + q(t.path / "elements.json") +
                              " --per-image --dump-parse " + q(t.path / "echo.json"),
                          t.path);
  BOOST_TEST_REQUIRE(e.rc == 0, e.err);
  pgc::JsonDoc elements = read(t.path / "elements.json");
  BOOST_TEST(elements["corpus"]["CAPTURE"].GetDouble() == graphs["corpus"]["CAPTURE"].GetDouble());
  for (const char* id : {"img1", "img2"})
    for (auto it = graphs["per_image"][id].MemberBegin(); it != graphs["per_image"][id].MemberEnd(); ++it)
      BOOST_TEST(elements["per_image"][id][it->name.GetString()].GetDouble() == it->value.GetDouble(),
                 id << " " << it->name.GetString());
  BOOST_TEST(graphs["corpus"]["CAPTURE"].GetDouble() > 0.3);
  // elements mode echoes its input as the dump
  BOOST_TEST(pgc::to_json(read(t.path / "echo.json")) == pgc::to_json(dump));
}

BOOST_AUTO_TEST_CASE(missing_nltk_data_is_a_clear_error) {
  TempDir t("capture_nltk_missing");
  t.write("refs.json", kRefs);
  t.write("preds.json", kPreds);
  fs::create_directories(t.path / "empty");
  const std::string cmd = "env -u NLTK_DATA -u PGC_NLTK_DATA HOME=" + q(t.path / "empty") + " '" +
                          std::string(PGC_BINARY) + "' " + capture_args(t) + " --capture-mode graphs --nltk-data " +
                          q(t.path / "empty") + " --json " + q(t.path / "out.json") + " 2>" + q(t.path / "err.txt");
  int status = std::system(cmd.c_str());
  BOOST_TEST(WEXITSTATUS(status) == 2);
  const std::string err = slurp(t.path / "err.txt");
  BOOST_TEST(err.find("tokenizers/punkt_tab/english") != std::string::npos, err);
  BOOST_TEST(err.find("--nltk-data") != std::string::npos, err);
  BOOST_TEST(err.find("nltk.downloader punkt_tab") != std::string::npos, err);
  BOOST_TEST(!fs::exists(t.path / "out.json"));
}

BOOST_AUTO_TEST_CASE(full_mode_errors) {
  TempDir t("capture_full_errors");
  t.write("refs.json", R"J({"1": ["A dog on grass."]})J");
  t.write("preds.json", R"J({"1": "A dog."})J");
  // no parser folder
  Run r = run_pgc_command(capture_args(t) + " --capture-mode full --nltk-data " + q(kNltk) + " --json " +
                              q(t.path / "out.json"),
                          t.path);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.err.find("--capture-parser") != std::string::npos, r.err);
  // a parser folder that holds no model: an error, no output
  fs::create_directories(t.path / "no_model");
  r = run_pgc_command(capture_args(t) + " --capture-mode full --nltk-data " + q(kNltk) + " --capture-parser " +
                          q(t.path / "no_model") + " --json " + q(t.path / "out.json"),
                      t.path);
  BOOST_TEST(r.rc != 0);
  BOOST_TEST(r.err.find("no_model") != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(t.path / "out.json"));
  // --capture-parser outside full mode, bad version
  r = run_pgc_command(capture_args(t) + " --capture-mode graphs --capture-parser " + q(t.path), t.path);
  BOOST_TEST(r.rc == 2);
  r = run_pgc_command(capture_args(t) + " --capture-parser-version v0.7", t.path);
  BOOST_TEST(r.rc == 2);
}

BOOST_AUTO_TEST_CASE(bad_graphs_inputs_name_file_and_image) {
  TempDir t("capture_graphs_bad");
  t.write("refs.json", R"J({"a": [{"text": "x", "graphs": ["( x )"]}]})J");
  t.write("preds.json", R"J({"a": {"graphs": ["( x )"]}})J");
  Run r = run_pgc_command(capture_args(t) + " --capture-mode graphs --nltk-data " + q(kNltk), t.path);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.err.find("preds.json") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("\"a\"") != std::string::npos, r.err);
  t.write("preds.json", R"J({"a": {"text": "x", "graphs": [1]}})J");
  r = run_pgc_command(capture_args(t) + " --capture-mode graphs --nltk-data " + q(kNltk), t.path);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.err.find("graphs[0]") != std::string::npos, r.err);
  t.write("preds.json", R"J({"b": {"text": "x", "graphs": []}})J");
  r = run_pgc_command(capture_args(t) + " --capture-mode graphs --nltk-data " + q(kNltk), t.path);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(r.err.find("no candidate") != std::string::npos, r.err);
}
