#define BOOST_TEST_MODULE caption_cli
// `pgc caption` end to end: runs the built binary on fixtures and on broken inputs, and checks
// results documents, error messages, exit codes and that failed runs write nothing.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "caption/caption_eval.hpp"
#include "core/json.hpp"
#include "tests/cli_util.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(PGC_FIXTURES_DIR) / "caption";

using pgc_test::q;
using pgc_test::Run;

// A temp folder whose files() counts what a run left behind (inputs the test wrote end in .in).
struct TempDir : pgc_test::TempDir {
  TempDir() : pgc_test::TempDir("caption_cli") {}
  size_t files() const {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(path)) n += e.path().extension() != ".in";
    return n;
  }
};

Run run_pgc(const std::string& args, const TempDir& dir) { return pgc_test::run_pgc_command("caption " + args, dir.path); }

std::string fixture_args(const std::string& c) {
  return "--refs " + q(kFixtures / c / "refs.json") + " --preds " + q(kFixtures / c / "preds.json") +
         " --tokenize none --metrics bleu,rouge,cider --quiet";
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kScored[] = {"Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"};

// A one-image-pair input pair with the given JSON texts; inputs end in .in so files() skips them.
std::string inputs(const TempDir& d, const std::string& refs, const std::string& preds) {
  return "--refs " + q(d.write("refs.in", refs)) + " --preds " + q(d.write("preds.in", preds)) +
         " --tokenize none --metrics bleu,rouge,cider --json " + q(d.path / "out.json");
}

}  // namespace

BOOST_AUTO_TEST_CASE(results_document_has_the_contract_keys_and_reference_numbers) {
  TempDir d;
  Run r = run_pgc(fixture_args("edge_tokenized") + " --per-image --json " + q(d.path / "out.json"), d);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  auto doc = pgc::read_json_file((d.path / "out.json").string());
  for (const char* key : {"schema", "name", "task", "signature", "settings", "inputs", "corpus", "per_image", "stats"})
    BOOST_TEST(doc.HasMember(key), "missing key " << key);
  BOOST_TEST(std::string(doc["task"].GetString()) == "caption");
  BOOST_TEST(std::string(doc["name"].GetString()) == "preds");
  BOOST_TEST(contains(doc["signature"].GetString(), "cider:"));
  BOOST_TEST(doc["inputs"].HasMember("refs"));
  auto expected = pgc::read_json_file((kFixtures / "edge_tokenized" / "expected.json").string());
  for (const char* m : kScored)
    BOOST_TEST(std::fabs(doc["corpus"][m].GetDouble() - expected["corpus"][m].GetDouble()) <= 1e-6, m);
  BOOST_TEST(!doc["corpus"].HasMember("METEOR"));  // only computed metrics appear
  BOOST_TEST(doc["per_image"].MemberCount() == expected["per_image"].MemberCount());
  BOOST_TEST(doc["per_image"]["e05_single_ref_identical"]["Bleu_1"].GetDouble() ==
             expected["per_image"]["e05_single_ref_identical"]["Bleu_1"].GetDouble());
  const auto& st = doc["stats"]["e13_clip_counts"];
  BOOST_TEST(st["bleu"].Size() == 10u);
  BOOST_TEST(st["bleu"][0].GetInt() == 3);  // 7 x "the" clipped to the reference's 3
  BOOST_TEST(st.HasMember("rouge"));
  BOOST_TEST(st.HasMember("cider"));
  // The stats block alone recomputes the corpus numbers exactly (what `pgc compare` resamples).
  auto stats = pgc::CaptionSampleStats::from_results(doc, "out.json");
  std::vector<size_t> all(stats.ids.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto corpus = stats.corpus_fn()(all);
  for (const char* m : kScored) BOOST_TEST(corpus.at(m) == doc["corpus"][m].GetDouble(), m);
  // A table on stdout when the JSON goes to a file.
  BOOST_TEST(contains(r.out, "CIDEr"));
}

BOOST_AUTO_TEST_CASE(json_to_stdout_and_bootstrap_intervals) {
  TempDir d;
  Run r = run_pgc(fixture_args("detailed_synth") + " --json - --bootstrap 100 --seed 7 --name mysys", d);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  auto doc = pgc::parse_json(r.out, "stdout");  // stdout is only JSON
  BOOST_TEST(std::string(doc["name"].GetString()) == "mysys");
  BOOST_TEST(!doc.HasMember("per_image"));
  for (const char* m : kScored) {
    BOOST_REQUIRE(doc["ci"].HasMember(m));
    BOOST_TEST(doc["ci"][m]["low"].GetDouble() <= doc["ci"][m]["high"].GetDouble());
    BOOST_TEST(doc["ci"][m]["low"].GetDouble() <= doc["corpus"][m].GetDouble() + 1e-12);
  }
  Run again = run_pgc(fixture_args("detailed_synth") + " --json - --bootstrap 100 --seed 7 --name mysys", d);
  BOOST_TEST(again.out == r.out);  // same seed, same intervals
}

BOOST_AUTO_TEST_CASE(coco_formats_are_detected_and_score_the_same) {
  TempDir d;
  auto refs = pgc::read_json_file((kFixtures / "detailed_tokenized" / "refs.json").string());
  auto preds = pgc::read_json_file((kFixtures / "detailed_tokenized" / "preds.json").string());
  // COCO annotations with integer ids; a COCO results list in another order.
  std::string anns = "{\"images\": [], \"annotations\": [", res = "[";
  int id = 100;
  std::vector<std::string> res_items;
  for (auto m = refs.MemberBegin(); m != refs.MemberEnd(); ++m, ++id) {
    for (auto& c : m->value.GetArray())
      anns += std::string(anns.back() == '[' ? "" : ",") + "{\"image_id\": " + std::to_string(id) +
              ", \"id\": 1, \"caption\": " + pgc::to_json(c, false) + "}";
    res_items.push_back("{\"image_id\": " + std::to_string(id) + ", \"caption\": " +
                        pgc::to_json(preds[m->name.GetString()], false) + "}");
  }
  for (size_t i = res_items.size(); i-- > 0;) res += res_items[i] + (i ? "," : "");
  anns += "]}";
  res += "]";
  Run coco = run_pgc("--refs " + q(d.write("refs.in", anns)) + " --preds " + q(d.write("preds.in", res)) +
                     " --tokenize none --metrics bleu,rouge,cider --quiet --json " + q(d.path / "coco.json"),
                 d);
  BOOST_REQUIRE_MESSAGE(coco.rc == 0, coco.err);
  Run simple = run_pgc(fixture_args("detailed_tokenized") + " --json " + q(d.path / "simple.json"), d);
  BOOST_REQUIRE(simple.rc == 0);
  auto a = pgc::read_json_file((d.path / "coco.json").string());
  auto b = pgc::read_json_file((d.path / "simple.json").string());
  for (const char* m : kScored) BOOST_TEST(a["corpus"][m].GetDouble() == b["corpus"][m].GetDouble(), m);
  BOOST_TEST(a["stats"].HasMember("100"));
}

BOOST_AUTO_TEST_CASE(malformed_json_says_where_and_writes_nothing) {
  TempDir d;
  Run r = run_pgc(inputs(d, "{\"a\": [\"x y\"],\n \"b\": [\"z\"", "{\"a\": \"x\", \"b\": \"z\"}"), d);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(contains(r.err, "refs.in"));
  BOOST_TEST(contains(r.err, "line 2"));
  BOOST_TEST(contains(r.err, "malformed JSON"));
  BOOST_TEST(d.files() == 0u);
}

BOOST_AUTO_TEST_CASE(ids_missing_either_way_are_errors_naming_them) {
  TempDir d;
  Run extra = run_pgc(inputs(d, "{\"a\": [\"x\"]}", "{\"a\": \"x\", \"ghost1\": \"y\", \"ghost2\": \"z\"}"), d);
  BOOST_TEST(extra.rc == 2);
  BOOST_TEST(contains(extra.err, "ghost1"));
  BOOST_TEST(contains(extra.err, "2 image id(s) not in the references"));
  Run lacking = run_pgc(inputs(d, "{\"a\": [\"x\"], \"b\": [\"y\"]}", "{\"a\": \"x\"}"), d);
  BOOST_TEST(lacking.rc == 2);
  BOOST_TEST(contains(lacking.err, "\"b\""));
  BOOST_TEST(contains(lacking.err, "no prediction"));
  BOOST_TEST(d.files() == 0u);
}

BOOST_AUTO_TEST_CASE(allow_missing_scores_the_intersection_and_says_so) {
  TempDir d;
  Run r = run_pgc(inputs(d, "{\"a\": [\"x y\"], \"b\": [\"y z\"], \"c\": [\"z w\"]}",
                     "{\"a\": \"x y\", \"c\": \"z\", \"ghost\": \"q\"}") +
                  " --allow-missing",
              d);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(contains(r.err, "scoring 2 images"));
  BOOST_TEST(contains(r.err, "dropped 1 reference image(s)"));
  BOOST_TEST(contains(r.err, "1 prediction(s) with no reference"));
  auto doc = pgc::read_json_file((d.path / "out.json").string());
  BOOST_TEST(doc["stats"].MemberCount() == 2u);
  BOOST_TEST(!doc["stats"].HasMember("b"));
}

BOOST_AUTO_TEST_CASE(non_utf8_caption_is_an_error_naming_the_image) {
  TempDir d;
  Run r = run_pgc(inputs(d, "{\"a\": [\"x\"], \"img7\": [\"caf\xe9 au lait\"]}", "{\"a\": \"x\", \"img7\": \"y\"}"), d);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(contains(r.err, "img7"));
  BOOST_TEST(contains(r.err, "UTF-8"));
  BOOST_TEST(d.files() == 0u);
}

BOOST_AUTO_TEST_CASE(duplicate_coco_result_ids_are_errors) {
  TempDir d;
  Run r = run_pgc(inputs(d, "{\"annotations\": [{\"image_id\": 1, \"caption\": \"a b\"}]}",
                     "[{\"image_id\": 1, \"caption\": \"a\"}, {\"image_id\": 1, \"caption\": \"b\"}]"),
              d);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(contains(r.err, "duplicate image_id"));
  BOOST_TEST(contains(r.err, "image 1"));
  BOOST_TEST(d.files() == 0u);
}

BOOST_AUTO_TEST_CASE(zero_references_and_wrong_types_are_errors) {
  TempDir d;
  Run none = run_pgc(inputs(d, "{\"a\": []}", "{\"a\": \"x\"}"), d);
  BOOST_TEST(none.rc == 2);
  BOOST_TEST(contains(none.err, "no reference captions"));
  Run number = run_pgc(inputs(d, "{\"a\": [\"x\"]}", "{\"a\": 42}"), d);
  BOOST_TEST(number.rc == 2);
  BOOST_TEST(contains(number.err, "image a: caption must be a string"));
  Run list = run_pgc(inputs(d, "{\"a\": \"x\"}", "{\"a\": \"x\"}"), d);
  BOOST_TEST(list.rc == 2);
  BOOST_TEST(contains(list.err, "list of strings"));
  Run toplevel = run_pgc(inputs(d, "[1, 2]", "{\"a\": \"x\"}"), d);
  BOOST_TEST(toplevel.rc == 2);
  BOOST_TEST(d.files() == 0u);
}

BOOST_AUTO_TEST_CASE(empty_captions_are_scored_like_the_reference) {
  // Documented rule: "" is legal (pycocoevalcap scores it; see fixtures e01/e12).
  TempDir d;
  Run r = run_pgc(fixture_args("edge_single/e01_empty_cand") + " --per-image --json " + q(d.path / "out.json"), d);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  auto doc = pgc::read_json_file((d.path / "out.json").string());
  BOOST_TEST(doc["corpus"]["Bleu_1"].GetDouble() == 0.0);
  BOOST_TEST(doc["corpus"]["ROUGE_L"].GetDouble() == 0.0);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
  TempDir d;
  std::string files = "--refs " + q(kFixtures / "edge_tokenized" / "refs.json") + " --preds " +
                      q(kFixtures / "edge_tokenized" / "preds.json") + " --tokenize none";
  Run bad_metric = run_pgc(files + " --metrics bleu,spice", d);
  BOOST_TEST(bad_metric.rc == 2);
  BOOST_TEST(contains(bad_metric.err, "spice"));
  Run bad_tok = run_pgc(files + " --metrics bleu --tokenize moses", d);
  BOOST_TEST(bad_tok.rc == 2);
  Run missing_file = run_pgc("--refs /nonexistent/r.json --preds /nonexistent/p.json --tokenize none", d);
  BOOST_TEST(missing_file.rc == 2);
  BOOST_TEST(contains(missing_file.err, "/nonexistent/r.json"));
}

// METEOR through `pgc caption`: with the fixtures' English data, `--meteor-paraphrase none`
// must give the reference's METEOR_nopara and the tiny table its METEOR_tinypara, corpus and
// per image, and the results' "stats" block alone must reproduce the corpus METEOR.
BOOST_AUTO_TEST_CASE(meteor_through_the_cli_matches_both_reference_configurations) {
  TempDir d;
  const fs::path data = kFixtures / "meteor" / "resources";
  const std::pair<std::string, std::string> configs[] = {
      {"none", "METEOR_nopara"}, {(kFixtures / "meteor" / "paraphrase-tiny.gz").string(), "METEOR_tinypara"}};
  for (const char* c : {"edge_tokenized", "meteor_paraphrase", "detailed_synth"}) {
    pgc::JsonDoc expected = pgc::read_json_file((kFixtures / c / "expected.json").string());
    for (const auto& [para, key] : configs) {
      fs::path out = d.path / "meteor.json";
      Run r = run_pgc("--refs " + q(kFixtures / c / "refs.json") + " --preds " + q(kFixtures / c / "preds.json") +
                          " --tokenize none --metrics meteor --quiet --per-image --meteor-data " + q(data) +
                          " --meteor-paraphrase " + q(para) + " --json " + q(out),
                      d);
      BOOST_TEST_REQUIRE(r.rc == 0, c << " " << key << ": " << r.err);
      pgc::JsonDoc got = pgc::read_json_file(out.string());
      BOOST_TEST(got["corpus"]["METEOR"].GetDouble() == expected["corpus"][key.c_str()].GetDouble(),
                 c << " corpus " << key);
      for (auto m = expected["per_image"].MemberBegin(); m != expected["per_image"].MemberEnd(); ++m)
        BOOST_TEST(got["per_image"][m->name]["METEOR"].GetDouble() == m->value[key.c_str()].GetDouble(),
                   c << " image " << m->name.GetString() << " " << key);
      pgc::CaptionSampleStats s = pgc::CaptionSampleStats::from_results(got, out.string());
      std::vector<size_t> all(s.ids.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      BOOST_TEST(s.corpus_fn()(all).at("METEOR") == got["corpus"]["METEOR"].GetDouble());
      BOOST_TEST(std::string(got["signature"].GetString()).find("meteor:1.5") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(missing_meteor_data_is_a_clear_error) {
  TempDir d;
  Run r = run_pgc("--refs " + q(kFixtures / "edge_tokenized" / "refs.json") + " --preds " +
                      q(kFixtures / "edge_tokenized" / "preds.json") +
                      " --tokenize none --metrics meteor --meteor-data " + q(d.path / "nowhere") +
                      " --json " + q(d.path / "out.json"),
                  d);
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(contains(r.err, "nowhere"), r.err);
  BOOST_TEST(d.files() == 0u);
}

// CAPTURE through `pgc caption` in elements mode, with the similarity table and with the soft
// stage off, against the reference's numbers; graphs/full and mixing with text metrics refused.
BOOST_AUTO_TEST_CASE(capture_elements_through_the_cli_matches_the_reference) {
  TempDir d;
  const fs::path cap = fs::path(PGC_FIXTURES_DIR) / "capture";
  for (const char* c : {"small", "random_small"}) {
    const std::pair<std::string, std::string> modes[] = {
        {"--capture-similarity " + q(cap / c / "similarity.json"), "expected.json"},
        {"--capture-no-soft", "expected_nosoft.json"}};
    for (const auto& [flag, expected_file] : modes) {
      fs::path out = d.path / "capture.json";
      Run r = run_pgc("--refs " + q(cap / c / "refs.json") + " --preds " + q(cap / c / "preds.json") +
                          " --metrics capture --capture-mode elements --per-image --quiet " + flag +
                          " --json " + q(out),
                      d);
      BOOST_TEST_REQUIRE(r.rc == 0, c << " " << flag << ": " << r.err);
      pgc::JsonDoc expected = pgc::read_json_file((cap / c / expected_file).string());
      pgc::JsonDoc got = pgc::read_json_file(out.string());
      BOOST_TEST(std::fabs(got["corpus"]["CAPTURE"].GetDouble() - expected["corpus"]["CAPTURE"].GetDouble()) <= 1e-9,
                 c << " " << expected_file);
      for (auto m = expected["per_image"].MemberBegin(); m != expected["per_image"].MemberEnd(); ++m) {
        const auto& want = m->value.IsObject() ? m->value["CAPTURE"] : m->value;
        BOOST_TEST(std::fabs(got["per_image"][m->name]["CAPTURE"].GetDouble() - want.GetDouble()) <= 1e-9,
                   c << " image " << m->name.GetString());
      }
      pgc::CaptionSampleStats s = pgc::CaptionSampleStats::from_results(got, out.string());
      std::vector<size_t> all(s.ids.size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = i;
      BOOST_TEST(s.corpus_fn()(all).at("CAPTURE") == got["corpus"]["CAPTURE"].GetDouble());
    }
  }
  Run full = run_pgc("--refs " + q(cap / "small" / "refs.json") + " --preds " + q(cap / "small" / "preds.json") +
                         " --metrics capture --capture-no-soft",
                     d);
  BOOST_TEST(full.rc == 2);
  BOOST_TEST(contains(full.err, "--capture-mode full"), full.err);
  Run mixed = run_pgc("--refs " + q(cap / "small" / "refs.json") + " --preds " + q(cap / "small" / "preds.json") +
                          " --metrics bleu,capture --capture-mode elements --capture-no-soft",
                      d);
  BOOST_TEST(mixed.rc == 2);
}

// The whole pycocoevalcap pipeline on raw captions (PTB tokenization, then every metric), as a
// user runs it with no --tokenize flag: each metric, corpus and per image, against the fixtures.
BOOST_AUTO_TEST_CASE(raw_captions_full_pipeline_matches_pycocoevalcap) {
  TempDir d;
  const fs::path data = kFixtures / "meteor" / "resources";
  for (const char* c : {"detailed_raw", "raw_pipeline"}) {
    pgc::JsonDoc expected = pgc::read_json_file((kFixtures / c / "expected.json").string());
    BOOST_TEST_REQUIRE(!expected["tokenized"].GetBool());
    fs::path out = d.path / "raw.json";
    Run r = run_pgc("--refs " + q(kFixtures / c / "refs.json") + " --preds " + q(kFixtures / c / "preds.json") +
                        " --quiet --per-image --meteor-data " + q(data) + " --meteor-paraphrase none --json " + q(out),
                    d);
    BOOST_TEST_REQUIRE(r.rc == 0, c << ": " << r.err);
    pgc::JsonDoc got = pgc::read_json_file(out.string());
    BOOST_TEST(std::string(got["signature"].GetString()).find("tok:ptb-3.4.1") != std::string::npos);
    const std::pair<const char*, const char*> keys[] = {
        {"Bleu_1", "Bleu_1"}, {"Bleu_2", "Bleu_2"}, {"Bleu_3", "Bleu_3"}, {"Bleu_4", "Bleu_4"},
        {"ROUGE_L", "ROUGE_L"}, {"CIDEr", "CIDEr"}, {"METEOR", "METEOR_nopara"}};
    for (const auto& [ours, theirs] : keys) {
      BOOST_TEST(std::fabs(got["corpus"][ours].GetDouble() - expected["corpus"][theirs].GetDouble()) <= 1e-9,
                 c << " corpus " << ours);
      for (auto m = expected["per_image"].MemberBegin(); m != expected["per_image"].MemberEnd(); ++m)
        BOOST_TEST(std::fabs(got["per_image"][m->name][ours].GetDouble() - m->value[theirs].GetDouble()) <= 1e-9,
                   c << " image " << m->name.GetString() << " " << ours);
    }
  }
}

// pycocoevalcap's line-break quirk, kept: "a dog\rb cat" becomes two lines and shifts image y's
// reference to "b cat" (the surplus line is dropped), so scoring the raw input equals scoring
// the shifted, already-tokenized input.
BOOST_AUTO_TEST_CASE(a_line_break_shifts_later_references_like_the_reference) {
  TempDir d;
  fs::path raw = d.path / "raw.json", shifted = d.path / "shifted.json";
  Run r = run_pgc("--refs " + q(d.write("refs.in", "{\"x\": [\"a dog\\rb cat\"], \"y\": [\"a cat\"]}")) +
                      " --preds " + q(d.write("preds.in", "{\"x\": \"a dog\", \"y\": \"a cat\"}")) +
                      " --metrics bleu,rouge --per-image --quiet --json " + q(raw),
                  d);
  BOOST_TEST_REQUIRE(r.rc == 0, r.err);
  Run s = run_pgc("--refs " + q(d.write("refs2.in", "{\"x\": [\"a dog\"], \"y\": [\"b cat\"]}")) +
                      " --preds " + q(d.write("preds2.in", "{\"x\": \"a dog\", \"y\": \"a cat\"}")) +
                      " --tokenize none --metrics bleu,rouge --per-image --quiet --json " + q(shifted),
                  d);
  BOOST_TEST_REQUIRE(s.rc == 0, s.err);
  pgc::JsonDoc a = pgc::read_json_file(raw.string()), b = pgc::read_json_file(shifted.string());
  for (const char* m : {"Bleu_1", "Bleu_2", "ROUGE_L"}) {
    BOOST_TEST(a["per_image"]["y"][m].GetDouble() == b["per_image"]["y"][m].GetDouble(), m);
    BOOST_TEST(a["corpus"][m].GetDouble() == b["corpus"][m].GetDouble(), m);
  }
  BOOST_TEST(a["per_image"]["y"]["ROUGE_L"].GetDouble() < 1.0);
}

// With no METEOR flags and no pycocoevalcap jar, pgc's bundled METEOR data (data/meteor) gives
// the reference's exact+stem+synonym METEOR, and pgc says on stderr that the paraphrase module
// is missing (so the number is not pycocoevalcap's full METEOR).
BOOST_AUTO_TEST_CASE(bundled_meteor_data_scores_like_the_reference_data) {
  TempDir d;
  pgc::JsonDoc expected = pgc::read_json_file((kFixtures / "edge_tokenized" / "expected.json").string());
  const std::string files = "--refs " + q(kFixtures / "edge_tokenized" / "refs.json") + " --preds " +
                            q(kFixtures / "edge_tokenized" / "preds.json") + " --tokenize none --metrics meteor";
  Run warned = run_pgc(files + " --json " + q(d.path / "a.json"), d);
  BOOST_TEST_REQUIRE(warned.rc == 0, warned.err);
  BOOST_TEST(contains(warned.err, "paraphrase"), warned.err);
  pgc::JsonDoc got = pgc::read_json_file((d.path / "a.json").string());
  BOOST_TEST(got["corpus"]["METEOR"].GetDouble() == expected["corpus"]["METEOR_nopara"].GetDouble());
  Run quiet = run_pgc(files + " --meteor-paraphrase none --json " + q(d.path / "b.json"), d);
  BOOST_TEST_REQUIRE(quiet.rc == 0, quiet.err);
  BOOST_TEST(!contains(quiet.err, "paraphrase"), quiet.err);
}
