// Parity with panopticapi's pq_compute over every case of fixtures/panoptic/cases (their
// expected.json and stats.json were produced by the real panopticapi), plus thread-count
// independence and shard/merge equality through the CLI.
#define BOOST_TEST_MODULE panoptic_parity
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/json.hpp"
#include "panoptic/panoptic_eval.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCases = fs::path(PGC_FIXTURES_DIR) / "panoptic" / "cases";
constexpr double kTol = 1e-9;

pgc::PanopticInputs inputs_of(const fs::path& c) {
  pgc::PanopticInputs in;
  in.gt_json = (c / "gt.json").string();
  in.gt_dir = (c / "gt").string();
  in.pred_json = (c / "pred.json").string();
  in.pred_dir = (c / "pred").string();
  return in;
}

// Cases with PNGs (synth_large_1000 stores none: the benchmark regenerates it).
std::vector<fs::path> cases_with_pngs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (fs::is_directory(e.path() / "gt")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void check_number(const pgc::JsonValue& got, const pgc::JsonValue& want, const std::string& where) {
  BOOST_TEST_CONTEXT(where) {
    BOOST_REQUIRE(got.IsNumber());
    BOOST_TEST(std::fabs(got.GetDouble() - want.GetDouble()) <= kTol);
    // panopticapi's integer 0 (per-class sq with tp = 0) vs 0.0 must survive.
    BOOST_TEST(got.IsDouble() == want.IsDouble());
  }
}

void check_against_expected(const pgc::JsonValue& got, const fs::path& case_dir) {
  auto want = pgc::read_json_file((case_dir / "expected.json").string());
  std::string name = case_dir.filename().string();
  for (const char* group : {"All", "Things", "Stuff"}) {
    for (const char* k : {"pq", "sq", "rq"})
      check_number(got[group][k], want[group][k], name + " " + group + "." + k);
    BOOST_TEST(got[group]["n"].GetInt() == want[group]["n"].GetInt(), name << " " << group << ".n");
  }
  const auto& wpc = want["per_class"];
  const auto& gpc = got["per_class"];
  BOOST_TEST(gpc.MemberCount() == wpc.MemberCount(), name << " per_class size");
  for (auto m = wpc.MemberBegin(); m != wpc.MemberEnd(); ++m) {
    std::string cat = m->name.GetString();
    BOOST_REQUIRE_MESSAGE(gpc.HasMember(cat.c_str()), name << " per_class " << cat << " missing");
    for (const char* k : {"pq", "sq", "rq"})
      check_number(gpc[cat.c_str()][k], m->value[k], name + " per_class " + cat + "." + k);
  }
}

void check_accumulators(const pgc::PqStats& totals, const fs::path& case_dir) {
  auto want = pgc::read_json_file((case_dir / "stats.json").string());
  const auto& per = want["per_category"];
  std::string name = case_dir.filename().string();
  size_t nonzero = 0;
  for (const auto& [cat, s] : totals.entries()) nonzero += !s.empty();
  BOOST_TEST(nonzero == per.MemberCount(), name << " categories with stats");
  for (auto m = per.MemberBegin(); m != per.MemberEnd(); ++m) {
    int64_t cat = std::stoll(m->name.GetString());
    const pgc::PqClassStats* s = totals.find(cat);
    BOOST_REQUIRE_MESSAGE(s, name << " no stats for category " << cat);
    BOOST_TEST(s->tp == m->value["tp"].GetInt64(), name << " cat " << cat << " tp");
    BOOST_TEST(s->fp == m->value["fp"].GetInt64(), name << " cat " << cat << " fp");
    BOOST_TEST(s->fn == m->value["fn"].GetInt64(), name << " cat " << cat << " fn");
    BOOST_TEST(std::fabs(s->iou - m->value["iou_sum"].GetDouble()) <= kTol,
               name << " cat " << cat << " iou_sum");
  }
}

int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string shell_quote(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path temp_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("pgc_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_case_matches_panopticapi) {
  auto cases = cases_with_pngs();
  // Every case folder is scored except the one whose PNGs are not stored.
  size_t folders = 0;
  for (const auto& e : fs::directory_iterator(kCases)) folders += e.is_directory();
  BOOST_TEST(cases.size() + 1 == folders);
  BOOST_TEST(!fs::exists(kCases / "synth_large_1000" / "gt"));
  BOOST_REQUIRE(cases.size() >= 20u);
  for (const auto& c : cases) {
    pgc::PanopticOptions opt;
    opt.threads = 2;
    opt.quiet = true;
    auto e = pgc::evaluate_panoptic(inputs_of(c), opt);
    auto r = pgc::pq_score(e.totals, e.categories);
    rapidjson::Document got(rapidjson::kObjectType);
    pgc::pq_result_to_json(r, got, got.GetAllocator());
    check_against_expected(got, c);
    check_accumulators(e.totals, c);
  }
}

BOOST_AUTO_TEST_CASE(numbers_do_not_depend_on_thread_count) {
  auto c = kCases / "synth_medium_50";
  pgc::PanopticOptions one, three;
  one.threads = 1;
  three.threads = 3;
  one.quiet = three.quiet = true;
  auto a = pgc::evaluate_panoptic(inputs_of(c), one);
  auto b = pgc::evaluate_panoptic(inputs_of(c), three);
  BOOST_REQUIRE_EQUAL(a.per_image.size(), b.per_image.size());
  for (size_t i = 0; i < a.per_image.size(); ++i) BOOST_TEST((a.per_image[i] == b.per_image[i]));
  BOOST_TEST((a.totals == b.totals));
}

BOOST_AUTO_TEST_CASE(bootstrap_corpus_fn_on_all_images_equals_the_score) {
  auto c = kCases / "synth_varied_sizes";
  pgc::PanopticOptions opt;
  opt.quiet = true;
  auto e = pgc::evaluate_panoptic(inputs_of(c), opt);
  auto r = pgc::pq_score(e.totals, e.categories);
  auto fn = pgc::panoptic_corpus_fn(e.per_image, e.categories);
  std::vector<size_t> all(e.per_image.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  auto m = fn(all);
  BOOST_TEST(m.size() == 9u);
  for (const auto& [name, v] : pgc::pq_corpus_metrics(r)) BOOST_TEST(std::fabs(m[name] - v) <= 1e-12, name);
}

BOOST_AUTO_TEST_CASE(cli_json_has_pq_compute_structure_and_signature) {
  auto c = kCases / "real_mixed";
  fs::path dir = temp_dir("cli");
  fs::path out = dir / "r.json";
  std::string cmd = std::string(PGC_BINARY) + " panoptic --gt-json " + shell_quote(c / "gt.json") +
                    " --gt-dir " + shell_quote(c / "gt") + " --pred-json " + shell_quote(c / "pred.json") +
                    " --pred-dir " + shell_quote(c / "pred") + " --json " + shell_quote(out) +
                    " --bootstrap 50 --seed 3 --quiet > /dev/null";
  BOOST_REQUIRE_EQUAL(run(cmd), 0);
  auto d = pgc::read_json_file(out.string());
  check_against_expected(d, c);
  BOOST_TEST(std::string(d["task"].GetString()) == "panoptic");
  BOOST_TEST(std::string(d["signature"].GetString()).find("metric:PQ") != std::string::npos);
  BOOST_TEST(d["corpus"]["PQ"].GetDouble() == d["All"]["pq"].GetDouble());
  BOOST_TEST(d["corpus"]["SQ_st"].GetDouble() == d["Stuff"]["sq"].GetDouble());
  BOOST_TEST(d["stats"].MemberCount() == 2u);
  BOOST_TEST(d["ci"]["PQ"]["low"].GetDouble() <= d["ci"]["PQ"]["high"].GetDouble());
  BOOST_TEST(d["inputs"].HasMember("gt_json"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(shards_merged_equal_the_whole_run) {
  auto c = kCases / "synth_medium_50";
  fs::path dir = temp_dir("shards");
  // Split pred.json and gt.json into two halves of the images (the PNG folders are shared).
  auto gt = pgc::read_json_file((c / "gt.json").string());
  auto pred = pgc::read_json_file((c / "pred.json").string());
  size_t n = gt["annotations"].Size();
  BOOST_REQUIRE(n >= 4u);
  for (int half = 0; half < 2; ++half) {
    for (auto* doc : {&gt, &pred}) {
      rapidjson::Document part;
      part.CopyFrom(*doc, part.GetAllocator());
      auto& anns = part["annotations"];
      rapidjson::Value kept(rapidjson::kArrayType);
      for (rapidjson::SizeType i = 0; i < anns.Size(); ++i)
        if ((i < n / 2) == (half == 0)) kept.PushBack(rapidjson::Value(anns[i], part.GetAllocator()), part.GetAllocator());
      part["annotations"] = kept;
      std::ofstream((dir / ((doc == &gt ? "gt" : "pred") + std::to_string(half) + ".json")).string())
          << pgc::to_json(part, false);
    }
  }
  auto score = [&](const std::string& gt_json, const std::string& pred_json, const std::string& extra) {
    return run(std::string(PGC_BINARY) + " panoptic --gt-json " + shell_quote(gt_json) + " --gt-dir " +
               shell_quote(c / "gt") + " --pred-json " + shell_quote(pred_json) + " --pred-dir " +
               shell_quote(c / "pred") + " --quiet " + extra + " > /dev/null");
  };
  BOOST_REQUIRE_EQUAL(score((c / "gt.json").string(), (c / "pred.json").string(),
                            "--json " + shell_quote(dir / "whole.json")), 0);
  for (int half = 0; half < 2; ++half)
    BOOST_REQUIRE_EQUAL(score((dir / ("gt" + std::to_string(half) + ".json")).string(),
                              (dir / ("pred" + std::to_string(half) + ".json")).string(),
                              "--save-state " + shell_quote(dir / ("s" + std::to_string(half) + ".json"))),
                        0);
  BOOST_REQUIRE_EQUAL(run(std::string(PGC_BINARY) + " merge " + shell_quote(dir / "s0.json") + " " +
                          shell_quote(dir / "s1.json") + " --json " + shell_quote(dir / "merged.json") +
                          " > /dev/null"),
                      0);
  auto whole = pgc::read_json_file((dir / "whole.json").string());
  auto merged = pgc::read_json_file((dir / "merged.json").string());
  // Shards in GT order: the same sums in the same order, so exactly equal.
  for (const char* k : {"All", "Things", "Stuff", "per_class", "stats", "corpus"})
    BOOST_TEST((whole[k] == merged[k]), k);
  BOOST_TEST(std::string(whole["signature"].GetString()) == merged["signature"].GetString());
  check_against_expected(merged, c);

  // Overlapping shards are refused, and nothing is written.
  BOOST_TEST(run(std::string(PGC_BINARY) + " merge " + shell_quote(dir / "s0.json") + " " +
                 shell_quote(dir / "s0.json") + " --json " + shell_quote(dir / "bad.json") + " 2> /dev/null") == 2);
  BOOST_TEST(!fs::exists(dir / "bad.json"));
  // Shards scored with other categories (here: the same ones in another order, which changes
  // the class-average summation order) are refused.
  {
    auto cats = pgc::read_json_file((c / "gt.json").string());
    rapidjson::Document rev(rapidjson::kArrayType);
    const auto& list = cats["categories"];
    for (rapidjson::SizeType i = list.Size(); i-- > 0;)
      rev.PushBack(rapidjson::Value(list[i], rev.GetAllocator()), rev.GetAllocator());
    std::ofstream((dir / "reversed_categories.json").string()) << pgc::to_json(rev, false);
  }
  BOOST_REQUIRE_EQUAL(score((dir / "gt1.json").string(), (dir / "pred1.json").string(),
                            "--categories " + shell_quote(dir / "reversed_categories.json") +
                                " --save-state " + shell_quote(dir / "s1_other.json")),
                      0);
  BOOST_TEST(run(std::string(PGC_BINARY) + " merge " + shell_quote(dir / "s0.json") + " " +
                 shell_quote(dir / "s1_other.json") + " 2> /dev/null") == 2);
  // A results file is not a state.
  BOOST_TEST(run(std::string(PGC_BINARY) + " merge " + shell_quote(dir / "whole.json") + " 2> /dev/null") == 2);
  fs::remove_all(dir);
}
