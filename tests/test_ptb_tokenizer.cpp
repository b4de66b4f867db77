// The native PTBTokenizer against the reference outputs recorded in the caption fixtures
// (Stanford CoreNLP 3.4.1 PTBTokenizer -preserveLines -lowerCase + pycocoevalcap).
#define BOOST_TEST_MODULE ptb_tokenizer
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "caption/ptb_lexer.hpp"
#include "caption/ptb_tokenizer.hpp"
#include "core/json.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCaptionDir = std::string(PGC_FIXTURES_DIR) + "/caption/";

std::string str(const pgc::JsonValue& v) { return std::string(v.GetString(), v.GetStringLength()); }

// {"id": ["caption", ...]} or {"id": "caption"} -> ids and caption lists, in file order.
void read_call(const pgc::JsonValue& obj, std::vector<std::string>& ids,
               std::vector<std::vector<std::string>>& captions) {
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    ids.push_back(str(it->name));
    std::vector<std::string> caps;
    if (it->value.IsString()) {
      caps.push_back(str(it->value));
    } else {
      for (const auto& c : it->value.GetArray()) caps.push_back(str(c));
    }
    captions.push_back(caps);
  }
}

// Tokenizes `input` as one call and checks every string against `expected` (same shape).
void check_call(const pgc::JsonValue& input, const pgc::JsonValue& expected, const std::string& what) {
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> captions;
  read_call(input, ids, captions);
  std::vector<std::string> exp_ids;
  std::vector<std::vector<std::string>> exp;
  read_call(expected, exp_ids, exp);
  BOOST_REQUIRE(ids == exp_ids);
  const auto got = pgc::ptb_tokenize(captions);
  BOOST_REQUIRE_EQUAL(got.size(), exp.size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_TEST_CONTEXT(what << ", image " << ids[i]) {
      BOOST_REQUIRE_EQUAL(got[i].size(), exp[i].size());
      for (size_t j = 0; j < got[i].size(); ++j) BOOST_TEST(got[i][j] == exp[i][j]);
    }
  }
}

int run_shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_probe_of_cases_json_alone) {
  const auto doc = pgc::read_json_file(kCaptionDir + "tokenize/cases.json");
  BOOST_REQUIRE(doc.IsArray() && doc.Size() > 0);
  for (const auto& probe : doc.GetArray()) {
    const std::string id = str(probe["id"]);
    const auto got = pgc::ptb_tokenize({{str(probe["raw"])}});
    BOOST_REQUIRE(got.size() == 1 && got[0].size() == 1);
    BOOST_TEST(got[0][0] == str(probe["expected"]), "probe " << id << ": raw \"" << str(probe["raw"]) << "\"");
  }
}

BOOST_AUTO_TEST_CASE(every_probe_of_cases_json_in_one_call) {
  // No probe contains a line break, so tokenizing them together must not change anything.
  const auto doc = pgc::read_json_file(kCaptionDir + "tokenize/cases.json");
  std::vector<std::vector<std::string>> captions;
  for (const auto& probe : doc.GetArray()) captions.push_back({str(probe["raw"])});
  const auto got = pgc::ptb_tokenize(captions);
  BOOST_REQUIRE_EQUAL(got.size(), doc.Size());
  for (size_t i = 0; i < got.size(); ++i) {
    BOOST_REQUIRE_EQUAL(got[i].size(), 1u);
    BOOST_TEST(got[i][0] == str(doc[static_cast<rapidjson::SizeType>(i)]["expected"]));
  }
}

BOOST_AUTO_TEST_CASE(linebreak_quirks_shift_later_captions) {
  const auto doc = pgc::read_json_file(kCaptionDir + "tokenize/linebreak_quirks.json");
  BOOST_REQUIRE(doc.IsArray() && doc.Size() > 0);
  int n = 0;
  for (const auto& c : doc.GetArray()) check_call(c["input"], c["expected"], "quirk " + std::to_string(n++));
}

BOOST_AUTO_TEST_CASE(raw_pipeline_and_detailed_raw_refs_and_preds) {
  for (const std::string dir : {"raw_pipeline", "detailed_raw"}) {
    const auto refs = pgc::read_json_file(kCaptionDir + dir + "/refs.json");
    const auto preds = pgc::read_json_file(kCaptionDir + dir + "/preds.json");
    const auto expected = pgc::read_json_file(kCaptionDir + dir + "/expected.json");
    check_call(refs, expected["tokenized_refs"], dir + " refs");     // all refs: one call
    check_call(preds, expected["tokenized_preds"], dir + " preds");  // all preds: another
  }
}

BOOST_AUTO_TEST_CASE(line_break_inside_first_caption_drops_the_last) {
  const auto got = pgc::ptb_tokenize({{"a b\xE2\x80\xA8" "c d"}, {"e f", "g"}});
  BOOST_REQUIRE_EQUAL(got.size(), 2u);
  BOOST_TEST(got[0] == std::vector<std::string>({"a b"}));
  BOOST_TEST(got[1] == std::vector<std::string>({"c d", "e f"}));  // "g" fell off the end
}

BOOST_AUTO_TEST_CASE(carriage_return_before_the_separator_is_one_break) {
  // "a dog\r" + "\n" + "y" is one \r\n line break, so nothing shifts.
  const auto got = pgc::ptb_tokenize({{"a dog.\r"}, {"y"}});
  BOOST_TEST(got[0] == std::vector<std::string>({"a dog"}));
  BOOST_TEST(got[1] == std::vector<std::string>({"y"}));
}

BOOST_AUTO_TEST_CASE(raw_lexer_output_keeps_punctuation_and_lowercased_brackets) {
  BOOST_TEST(pgc::ptb_lex_lines("He said \"Hi (there)\".\rOK") == "he said `` hi -lrb- there -rrb- '' .\nok");
  BOOST_TEST(pgc::is_ptb_punctuation("-LRB-"));
  BOOST_TEST(!pgc::is_ptb_punctuation("-lrb-"));
  BOOST_TEST(!pgc::is_ptb_punctuation("!!"));
}

BOOST_AUTO_TEST_CASE(lex_range_reports_a_token_crossing_the_stop) {
  // The pieces of a parallel run are stitched on this: "\r\n" is one token that starts
  // before the stop and ends after it.
  const std::u16string text = u"a b\r\nc";
  std::vector<pgc::ptb::Token> first, second;
  BOOST_TEST(pgc::ptb::lex_range(text, 0, 4, first) == 5);
  BOOST_REQUIRE_EQUAL(first.size(), 3u);
  BOOST_TEST(first[2].newline);
  BOOST_TEST(pgc::ptb::lex_range(text, 5, 6, second) == 6);
  BOOST_REQUIRE_EQUAL(second.size(), 1u);
  BOOST_TEST((second[0].text == u"c"));
}

BOOST_AUTO_TEST_CASE(long_runs_without_spaces_stay_fast) {
  // 10k characters without a space. EMAIL's [^ ...]*@ scans the rest of the run from every
  // token start (the reference's DFA does the same: quadratic), but a matcher that is cubic
  // in the run length (as an earlier version was) takes minutes here.
  std::string s;
  for (int i = 0; i < 2000; ++i) s += "ab,.-";
  const auto t0 = std::chrono::steady_clock::now();
  const auto got = pgc::ptb_tokenize({{s}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(seconds < 30.0);
  BOOST_REQUIRE(got.size() == 1 && got[0].size() == 1);
  BOOST_TEST(!got[0][0].empty());
}

BOOST_AUTO_TEST_CASE(threads_give_the_sequential_result) {
  // random_large's refs replicated into one long call, with a few line breaks mixed in.
  const auto refs = pgc::read_json_file(kCaptionDir + "random_large/refs.json");
  std::vector<std::vector<std::string>> captions;
  for (int rep = 0; rep < 2; ++rep) {
    for (auto it = refs.MemberBegin(); it != refs.MemberEnd(); ++it) {
      std::vector<std::string> caps;
      for (const auto& c : it->value.GetArray()) caps.push_back(str(c));
      if (captions.size() % 997 == 5) caps.back() += "\r";        // merges with the separator
      if (captions.size() % 1499 == 7) caps.back() += " Inc.\xE2\x80\xA8X";  // shifts
      captions.push_back(caps);
    }
  }
  const auto sequential = pgc::ptb_tokenize(captions, 1);
  BOOST_TEST((pgc::ptb_tokenize(captions, 2) == sequential));
  BOOST_TEST((pgc::ptb_tokenize(captions, 7) == sequential));
  // Concurrent callers share nothing mutable.
  std::vector<std::vector<std::vector<std::string>>> results(3);
  std::vector<std::thread> pool;
  for (auto& r : results) pool.emplace_back([&r, &captions] { r = pgc::ptb_tokenize(captions); });
  for (auto& t : pool) t.join();
  for (const auto& r : results) BOOST_TEST((r == sequential));
}

BOOST_AUTO_TEST_CASE(cli_tokenizes_a_file) {
  const fs::path dir = fs::temp_directory_path() / ("pgc_ptb_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path in = dir / "caps.json", out = dir / "tokens.json";
  std::ofstream(in) << R"({"7": ["A man's dog (big)!", "Two cats."], "b": "ÉCOLE, Mr. Smith's"})";
  BOOST_REQUIRE_EQUAL(run_shell(std::string(PGC_BINARY) + " tokenize --in " + in.string() + " --out " + out.string()), 0);
  const auto got = pgc::read_json_file(out.string());
  const auto expect = pgc::ptb_tokenize({{"A man's dog (big)!", "Two cats."}, {"ÉCOLE, Mr. Smith's"}});
  BOOST_REQUIRE(got.IsObject() && got.MemberCount() == 2);
  auto it = got.MemberBegin();
  BOOST_TEST(str(it->name) == "7");  // input order kept
  BOOST_REQUIRE(it->value.IsArray() && it->value.Size() == 2);
  BOOST_TEST(str(it->value[0]) == expect[0][0]);
  BOOST_TEST(str(it->value[0]) == "a man 's dog -lrb- big -rrb-");
  BOOST_TEST(str(it->value[1]) == expect[0][1]);
  ++it;
  BOOST_TEST(str(it->name) == "b");
  BOOST_REQUIRE(it->value.IsString());  // a single caption stays a single string
  BOOST_TEST(str(it->value) == expect[1][0]);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(cli_rejects_malformed_input_without_output) {
  const fs::path dir = fs::temp_directory_path() / ("pgc_ptb_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path bad = dir / "bad.json", out = dir / "tokens.json";
  const std::string cmd = std::string(PGC_BINARY) + " tokenize --in " + bad.string() + " --out " + out.string() +
                          " 2>" + (dir / "err.txt").string();
  std::ofstream(bad) << R"({"1": ["a caption", )";
  BOOST_TEST(run_shell(cmd) == 2);
  BOOST_TEST(!fs::exists(out));
  std::ofstream(bad, std::ios::trunc) << R"({"1": ["fine"], "2": [3]})";  // a caption that is no string
  BOOST_TEST(run_shell(cmd) == 2);
  BOOST_TEST(!fs::exists(out));
  std::ifstream err(dir / "err.txt");
  std::string line;
  std::getline(err, line);
  BOOST_TEST(line.find("bad.json") != std::string::npos);
  BOOST_TEST(line.find("\"2\"") != std::string::npos);
  std::ofstream(bad, std::ios::trunc) << R"({"1": ["a"], "1": ["b"]})";  // duplicate id
  BOOST_TEST(run_shell(cmd) == 2);
  BOOST_TEST(!fs::exists(out));
  fs::remove_all(dir);
}
