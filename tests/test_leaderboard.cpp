// Leaderboards, paper tables, `pgc compare` and `pgc gate` (issue 7).
// Golden files under tests/golden/ were written for the project from the crafted results files
// in tests/data/leaderboard/ (see make_data.py there); the paper's numbers are checked against
// the spec's TSV blocks (shared/specs/pgc_formats.md section 9), never copied into this file.
#define BOOST_TEST_MODULE leaderboard
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "core/compare.hpp"
#include "core/error.hpp"
#include "core/gate.hpp"
#include "core/leaderboard.hpp"
#include "core/resample.hpp"
#include "core/results_file.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(PGC_SOURCE_DIR) + "/tests/data/leaderboard/";
const std::string kGolden = std::string(PGC_SOURCE_DIR) + "/tests/golden/";
const std::string kPaperDir = std::string(PGC_SOURCE_DIR) + "/data/paper_tables";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Run {
  int code;
  std::string out;
};

// Runs `pgc <args>` through the shell; stdout captured, stderr to the test log.
Run run_pgc(const std::string& args) {
  static int counter = 0;
  fs::path out = fs::temp_directory_path() /
                 ("pgc_test_leaderboard_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::string cmd = std::string("\"") + PGC_BINARY + "\" " + args + " > \"" + out.string() + "\"";
  int status = std::system(cmd.c_str());
  Run r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out.string())};
  fs::remove(out);
  return r;
}

std::string data(const std::string& name) { return "\"" + kData + name + "\""; }

// ---- the spec's paper tables ----
std::vector<std::vector<std::string>> split_tsv(const std::string& block) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(block);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields;
    size_t start = 0, tab;
    while ((tab = line.find('\t', start)) != std::string::npos) {
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    rows.push_back(fields);
  }
  return rows;
}

// table id ("table3") -> rows (header first) of every ```tsv block in section 9 of the spec.
std::map<std::string, std::vector<std::vector<std::string>>> spec_tables() {
  std::string spec = slurp(std::string(PGC_FIXTURES_DIR) + "/../specs/pgc_formats.md");
  size_t begin = spec.find("## 9. Paper tables as data");
  size_t end = spec.find("\n## 10.", begin);
  BOOST_REQUIRE(begin != std::string::npos && end != std::string::npos);
  std::string section = spec.substr(begin, end - begin);
  std::map<std::string, std::vector<std::vector<std::string>>> tables;
  for (size_t pos = 0; (pos = section.find("```tsv\n", pos)) != std::string::npos;) {
    pos += 7;
    size_t close = section.find("```", pos);
    auto rows = split_tsv(section.substr(pos, close - pos));
    BOOST_REQUIRE(rows.size() >= 2);
    tables[rows[1][0]] = rows;
    pos = close + 3;
  }
  return tables;
}

bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0';
}

}  // namespace

BOOST_AUTO_TEST_CASE(paper_tables_hold_every_row_and_number_of_tables_3_to_8) {
  auto spec = spec_tables();
  BOOST_TEST(spec.size() == 6u);
  for (const char* id : {"table3", "table4", "table5", "table6", "table7", "table8"}) {
    BOOST_TEST_CONTEXT(id) {
      BOOST_REQUIRE(spec.count(id));
      const auto& expected = spec.at(id);
      auto actual = split_tsv(slurp(kPaperDir + "/" + id + ".tsv"));
      BOOST_REQUIRE(actual.size() == expected.size());
      // Same columns plus "source"; every cell as printed in the paper; every row marked.
      auto header = expected[0];
      header.push_back("source");
      BOOST_TEST(actual[0] == header, boost::test_tools::per_element());
      size_t numbers = 0;
      for (size_t r = 1; r < expected.size(); ++r) {
        BOOST_REQUIRE(actual[r].size() == expected[r].size() + 1);
        for (size_t c = 0; c < expected[r].size(); ++c) {
          BOOST_TEST(actual[r][c] == expected[r][c]);
          numbers += is_number(expected[r][c]) && c > 0;
        }
        BOOST_TEST(actual[r].back() == "paper-reported");
      }
      BOOST_TEST(numbers > 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(with_paper_shows_every_paper_number) {
  // Each leaderboard table's paper rows carry exactly the numbers of its paper table.
  auto spec = spec_tables();
  for (auto& table : pgc::leaderboard_tables()) {
    BOOST_TEST_CONTEXT(table.id) {
      std::multiset<std::string> expected, shown;
      const auto& rows = spec.at(table.paper_table);
      for (size_t r = 1; r < rows.size(); ++r)
        for (size_t c = 1; c < rows[r].size(); ++c)
          if (is_number(rows[r][c])) expected.insert(rows[r][c]);
      auto paper_rows = pgc::load_paper_rows(table, kPaperDir);
      for (auto& row : paper_rows) {
        BOOST_TEST(row.paper);
        BOOST_TEST(row.source == "paper-reported");
        for (auto& cell : row.cells) shown.insert(cell.text);
      }
      BOOST_TEST((shown == expected));
    }
  }
}

BOOST_AUTO_TEST_CASE(table_output_matches_golden_files) {
  const std::string caption = data("caption_sysA.json") + " " + data("caption_sysB.json") + " --with-paper";
  const std::string t2i = data("t2i_sd3-ft-a.json") + " " + data("t2i_sd3-ft-b.json");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"leaderboard_caption.md", caption + " --format md"},
      {"leaderboard_caption.tex", caption + " --format latex"},
      {"leaderboard_caption.csv", caption + " --format csv"},
      {"leaderboard_pgc.md", data("caption_sysA.json") + " " + data("panoptic_sysA.json") + " " +
                                 data("caption_sysB.json") + " --table pgc --with-paper --format md"},
      {"leaderboard_t2i_sorted.csv", t2i + " --with-paper --sort FID --format csv"},
      {"leaderboard_t2i.tex", t2i + " --format latex"},
      {"leaderboard_geneval_paper.md", "--table geneval --with-paper --format md"},
  };
  for (auto& [golden, args] : cases) {
    BOOST_TEST_CONTEXT(golden) {
      auto r = run_pgc("leaderboard " + args);
      BOOST_TEST(r.code == 0);
      BOOST_TEST(r.out == slurp(kGolden + golden));
    }
  }
}

BOOST_AUTO_TEST_CASE(out_file_equals_stdout) {
  fs::path out = fs::temp_directory_path() / ("pgc_lb_out_" + std::to_string(::getpid()) + ".md");
  auto r = run_pgc("leaderboard " + data("caption_sysA.json") + " --out \"" + out.string() + "\"");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(slurp(out.string()) == run_pgc("leaderboard " + data("caption_sysA.json")).out);
  fs::remove(out);
}

BOOST_AUTO_TEST_CASE(html_page_is_self_contained_with_charts) {
  auto r = run_pgc("leaderboard " + data("caption_sysA.json") + " " + data("caption_sysB.json") +
               " --with-paper --format html");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find("<!DOCTYPE html>") == 0u);
  BOOST_TEST(r.out.find("http://") == std::string::npos);
  BOOST_TEST(r.out.find("https://") == std::string::npos);
  BOOST_TEST(r.out.find("<script") == std::string::npos);
  BOOST_TEST(r.out.find("<link") == std::string::npos);
  BOOST_TEST(r.out.find("<style>") != std::string::npos);
  // One bar chart per metric column of Table 3.
  size_t svgs = 0;
  for (size_t p = 0; (p = r.out.find("<svg", p)) != std::string::npos; ++p) ++svgs;
  BOOST_TEST(svgs == 5u);
  BOOST_TEST(r.out.find("<b>14.1</b>") != std::string::npos);  // best CIDEr in bold
}

BOOST_AUTO_TEST_CASE(json_leaderboard_is_machine_readable) {
  auto r = run_pgc("leaderboard " + data("t2i_sd3-ft-a.json") + " " + data("t2i_sd3-ft-b.json") + " --format json");
  BOOST_REQUIRE(r.code == 0);
  auto d = pgc::parse_json(r.out, "stdout");
  BOOST_TEST(std::string(d["schema"].GetString()) == "pgc.leaderboard/1");
  BOOST_TEST(d["rows"].Size() == 2u);
  // FID: lower is better, so system b (21.37) is best; CLIPScore: higher, so a.
  const auto& b = d["rows"][1];
  BOOST_TEST(std::string(b["system"].GetString()) == "sd3-ft-b");
  BOOST_TEST(std::string(b["best"][0].GetString()) == "FID");
  BOOST_TEST(b["file_values"]["FID"].GetDouble() == 21.37);
  BOOST_TEST(std::string(b["printed"]["FID"].GetString()) == "21.4");
  auto file = pgc::read_json_file(kData + "t2i_sd3-ft-b.json");
  BOOST_TEST(std::string(b["signatures"]["t2i_sd3-ft-b.json"].GetString()) == file["signature"].GetString());
}

BOOST_AUTO_TEST_CASE(leaderboard_bad_input_exits_2) {
  BOOST_TEST(run_pgc("leaderboard " + data("caption_sysA.json") + " --sort NOPE").code == 2);
  BOOST_TEST(run_pgc("leaderboard " + data("caption_sysA.json") + " --table nope").code == 2);
  BOOST_TEST(run_pgc("leaderboard " + data("t2i_sd3-ft-a.json") + " --table caption").code == 2);
  BOOST_TEST(run_pgc("leaderboard " + data("bad_schema.json")).code == 2);
  BOOST_TEST(run_pgc("leaderboard " + data("does_not_exist.json")).code == 2);
  BOOST_TEST(run_pgc("leaderboard").code == 2);
  BOOST_TEST(run_pgc("leaderboard --table geneval").code == 2);
}

// ---- results files ----

namespace {

const char* kCaptionDoc = R"({"schema": "pgc.results/1", "name": "x", "task": "caption",
  "signature": "tok:ptb-3.4.1|threads:4|pgc:0.1.0", "settings": {"tok": "ptb-3.4.1"},
  "inputs": {"refs": {"path": "r.json", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
  "corpus": {"CIDEr": 0.5}})";

pgc::ResultsFile from_text(const std::string& text, const std::string& name = "mem.json") {
  return pgc::results_from_json(pgc::parse_json(text, name), name);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  BOOST_REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

void expect_input_error(const std::string& text, const std::string& item) {
  try {
    from_text(text, "bad.json");
    BOOST_ERROR("no error for " + item);
  } catch (const pgc::InputError& e) {
    BOOST_TEST(e.file() == "bad.json");
    BOOST_TEST(e.item() == item);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(results_file_validation_names_file_and_key) {
  auto ok = from_text(kCaptionDoc);
  BOOST_TEST(ok.metrics.at("CIDEr") == 0.5);
  expect_input_error(replace(kCaptionDoc, "pgc.results/1", "pgc.results/9"), "schema");
  expect_input_error(replace(kCaptionDoc, "\"task\": \"caption\"", "\"task\": 3"), "task");
  expect_input_error(replace(kCaptionDoc, "ba7816bf", "zz"), "inputs.refs.sha256");
  expect_input_error(replace(kCaptionDoc, "0.5", "\"high\""), "corpus.CIDEr");
  expect_input_error(replace(kCaptionDoc, "{\"CIDEr\": 0.5}", "{}"), "corpus");
  expect_input_error(replace(kCaptionDoc, "\"settings\"", "\"settingz\""), "");
}

BOOST_AUTO_TEST_CASE(panoptic_blocks_become_flat_metrics) {
  auto r = pgc::load_results_file(kData + "panoptic_sysA.json");
  auto doc = pgc::read_json_file(kData + "panoptic_sysA.json");
  BOOST_TEST(r.metrics.at("PQ") == doc["All"]["pq"].GetDouble());
  BOOST_TEST(r.metrics.at("SQ") == doc["All"]["sq"].GetDouble());
  BOOST_TEST(r.metrics.at("RQ_th") == doc["Things"]["rq"].GetDouble());
  BOOST_TEST(r.metrics.at("PQ_st") == doc["Stuff"]["pq"].GetDouble());
  BOOST_TEST(r.metrics.size() == 9u);
  // A group without categories (no stuff classes) has null values: those metrics are absent.
  std::string text = slurp(kData + "panoptic_sysA.json");
  text = replace(text, "\"pq\": 0.6046", "\"pq\": null");
  auto no_stuff = from_text(text);
  BOOST_TEST(!no_stuff.metrics.count("PQ_st"));
  BOOST_TEST(no_stuff.metrics.count("SQ_st") == 1u);
  expect_input_error(replace(text, "\"sq\": 0.7878", "\"sq\": \"x\""), "Stuff.sq");
  // Nested as "pq" (a grounded-captioning file next to caption metrics).
  auto nested = from_text(replace(kCaptionDoc, "\"corpus\"",
                                  "\"pq\": {\"All\": {\"pq\": 0.25, \"sq\": 0.5, \"rq\": 0.5}}, \"corpus\""));
  BOOST_TEST(nested.metrics.at("PQ") == 0.25);
  BOOST_TEST(nested.metrics.at("CIDEr") == 0.5);
}

BOOST_AUTO_TEST_CASE(metric_direction_and_signature_fields) {
  BOOST_TEST(pgc::lower_is_better("FID"));
  BOOST_TEST(pgc::lower_is_better("FD_DINOv2"));
  BOOST_TEST(pgc::lower_is_better("fd"));
  BOOST_TEST(!pgc::lower_is_better("CIDEr"));
  BOOST_TEST(!pgc::lower_is_better("PQ"));
  auto a = pgc::Signature::parse("tok:ptb|threads:2|pgc:0.1.0");
  auto b = pgc::Signature::parse("tok:ptb|threads:8|pgc:0.2.0");
  BOOST_TEST(pgc::signature_differences(a, b).empty());  // threads never changes a number
  BOOST_TEST(pgc::signature_differences(a, b, true).size() == 1u);
  auto c = pgc::Signature::parse("tok:raw|cider:D|pgc:0.1.0");
  auto d = pgc::signature_differences(a, c);
  BOOST_REQUIRE(d.size() == 2u);
  BOOST_TEST(d[0].field == "tok");
  BOOST_TEST(d[1].field == "cider");
  BOOST_TEST(d[1].a == "(absent)");
}

// ---- pgc gate ----

BOOST_AUTO_TEST_CASE(gate_exit_codes) {
  const std::string base = " --baseline " + data("base.json");
  auto gate = [&](const std::string& args) { return run_pgc("gate" + base + " " + args).code; };
  BOOST_TEST(gate("--results " + data("same.json")) == 0);
  BOOST_TEST(gate("--results " + data("better.json")) == 0);
  BOOST_TEST(gate("--results " + data("worse.json")) == 1);
  BOOST_TEST(gate("--results " + data("worse_noise.json")) == 1);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --max-drop '*=0.003'") == 0);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --max-drop ROUGE_L=0.002 --max-drop Bleu_4=0.003") == 0);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --max-drop ROUGE_L=0.001 --max-drop Bleu_4=0.003") == 1);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --metrics CIDEr") == 0);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --metrics CIDEr,ROUGE_L") == 1);
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --metrics CIDEr,NOPE") == 2);
  // Only significant drops fail: the noisy one passes, the clear one does not.
  BOOST_TEST(gate("--results " + data("worse_noise.json") + " --require-significant --max-drop Bleu_4=0.01") == 0);
  BOOST_TEST(gate("--results " + data("worse.json") + " --require-significant --max-drop Bleu_4=0.02") == 1);
  // Bad input.
  BOOST_TEST(gate("--results " + data("missing_metric.json")) == 2);
  BOOST_TEST(gate("--results " + data("other_signature.json")) == 2);
  BOOST_TEST(gate("--results " + data("other_signature.json") + " --allow-signature-mismatch") == 0);
  BOOST_TEST(gate("--results " + data("worse.json") + " --max-drop NOPE=1") == 2);
  BOOST_TEST(gate("--results " + data("worse.json") + " --max-drop CIDEr=-1") == 2);
  BOOST_TEST(gate("--results " + data("does_not_exist.json")) == 2);
  BOOST_TEST(gate("--results " + data("bad_schema.json")) == 2);
  BOOST_TEST(gate("--results " + data("t2i_sd3-ft-a.json")) == 2);  // another task
}

BOOST_AUTO_TEST_CASE(gate_lists_the_offending_metrics) {
  auto r = run_pgc("gate --baseline " + data("base.json") + " --results " + data("worse_noise.json"));
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.find("ROUGE_L") != std::string::npos);
  BOOST_TEST(r.out.find("FAIL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(gate_is_direction_aware) {
  auto a = pgc::load_results_file(kData + "t2i_sd3-ft-a.json");  // FID 22.84, FD 281.2, CLIP 77.41
  auto b = pgc::load_results_file(kData + "t2i_sd3-ft-b.json");  // FID 21.37, FD 292.6, CLIP 76.93
  pgc::GateOptions opts;
  auto report = pgc::run_gate(b, a, opts);  // b against baseline a
  std::map<std::string, bool> failed;
  for (auto& row : report.rows) failed[row.metric] = row.failed;
  BOOST_TEST(!failed.at("FID"));      // FID went down: better
  BOOST_TEST(failed.at("FD_DINOv2"));  // FD went up: worse
  BOOST_TEST(failed.at("CLIPScore"));  // CLIPScore went down: worse
  opts.max_drop["FD_DINOv2"] = 12;
  opts.max_drop["CLIPScore"] = 0.5;
  BOOST_TEST(pgc::run_gate(b, a, opts).passed());
}

// ---- pgc compare ----

BOOST_AUTO_TEST_CASE(compare_identical_files_reports_no_difference) {
  for (const char* method : {"bootstrap", "ar"}) {
    auto r = run_pgc("compare " + data("base.json") + " " + data("same.json") + " --bootstrap 200 --method " +
                 method + " --json -");
    BOOST_TEST(r.code == 0);
    auto d = pgc::parse_json(r.out, "stdout");
    BOOST_TEST(d["metrics"].MemberCount() == 2u);  // CIDEr and ROUGE_L have per-image values
    for (auto& m : d["metrics"].GetObject()) {
      BOOST_TEST(m.value["delta"].GetDouble() == 0.0);
      BOOST_TEST(m.value["p_value"].GetDouble() == 1.0);
      BOOST_TEST(!m.value["significant"].GetBool());
    }
  }
}

BOOST_AUTO_TEST_CASE(compare_is_reproducible_for_a_seed) {
  const std::string files = data("base.json") + " " + data("worse_noise.json");
  auto a = run_pgc("compare " + files + " --seed 5 --json -");
  auto b = run_pgc("compare " + files + " --seed 5 --json -");
  auto c = run_pgc("compare " + files + " --seed 6 --json -");
  BOOST_TEST(a.code == 0);
  BOOST_TEST(a.out == b.out);
  BOOST_TEST(a.out != c.out);
}

BOOST_AUTO_TEST_CASE(compare_flags_a_clear_regression_and_refuses_bad_pairs) {
  auto r = run_pgc("compare " + data("base.json") + " " + data("worse.json") + " --json -");
  BOOST_TEST(r.code == 1);
  auto d = pgc::parse_json(r.out, "stdout");
  BOOST_TEST(d["metrics"]["CIDEr"]["significant"].GetBool());
  BOOST_TEST(d["metrics"]["CIDEr"]["b_worse"].GetBool());
  BOOST_TEST(d["metrics"]["CIDEr"]["ci_high"].GetDouble() < 0.0);
  BOOST_TEST(std::string(d["source"].GetString()) == "per_image");
  BOOST_TEST(run_pgc("compare " + data("base.json") + " " + data("other_signature.json")).code == 2);
  BOOST_TEST(run_pgc("compare " + data("base.json") + " " + data("other_signature.json") +
                 " --allow-signature-mismatch").code == 0);
  BOOST_TEST(run_pgc("compare " + data("base.json") + " " + data("fewer_samples.json")).code == 2);
  BOOST_TEST(run_pgc("compare " + data("base.json") + " " + data("better.json")).code == 0);
}

namespace {

// A toy corpus metric that is not a mean of per-sample scores: ratio of sums, from
// "stats": {"<id>": [hits, total]}. Registered for task "toy" only in this test program.
pgc::SampleSet toy_samples(const pgc::JsonValue& doc, const std::string& file) {
  auto ids = std::make_shared<std::vector<std::string>>();
  auto stats = std::make_shared<std::vector<std::pair<double, double>>>();
  for (auto& m : pgc::member(doc, "stats", file, "").GetObject()) {
    ids->emplace_back(m.name.GetString());
    stats->emplace_back(m.value[0].GetDouble(), m.value[1].GetDouble());
  }
  pgc::SampleSet s;
  s.ids = *ids;
  s.corpus = [stats](const std::vector<size_t>& idx) {
    double hits = 0, total = 0;
    for (size_t i : idx) {
      hits += (*stats)[i].first;
      total += (*stats)[i].second;
    }
    return std::map<std::string, double>{{"acc", hits / total}};
  };
  return s;
}
pgc::RegisterResampler toy_resampler("toy", toy_samples);

// n samples; sample i has hits = round(p_i * total_i) with a shift added for system b.
pgc::ResultsFile toy_file(const std::string& name, double shift, size_t n = 80, bool reverse = false) {
  std::string stats;
  for (size_t k = 0; k < n; ++k) {
    size_t i = reverse ? n - 1 - k : k;
    double total = 5 + (i * 7) % 11;
    double hits = std::min(total, std::max(0.0, std::floor(total * ((i * 13) % 17) / 17.0 + shift * total)));
    if (!stats.empty()) stats += ",";
    stats += "\"img" + std::to_string(i) + "\": [" + std::to_string(hits) + ", " + std::to_string(total) + "]";
  }
  std::string text = replace(replace(kCaptionDoc, "\"caption\"", "\"toy\""), "{\"CIDEr\": 0.5}", "{\"acc\": 0.5}");
  text = replace(text, "\"corpus\"", "\"stats\": {" + stats + "}, \"corpus\"");
  return from_text(text, name);
}

}  // namespace

BOOST_AUTO_TEST_CASE(compare_resamples_corpus_statistics_through_the_task_resampler) {
  auto a = toy_file("a.json", 0.0);
  auto same_reordered = toy_file("b.json", 0.0, 80, true);  // paired by id, not by position
  auto better = toy_file("c.json", 0.25);
  pgc::CompareOptions opts;
  opts.resamples = 300;
  opts.seed = 3;
  auto c = pgc::compare_results(a, same_reordered, opts);
  BOOST_TEST(c.source == "stats");
  BOOST_REQUIRE(c.metrics.size() == 1u);
  BOOST_TEST(c.metrics[0].delta == 0.0);
  BOOST_TEST(c.metrics[0].p_value == 1.0);
  // The corpus value is the ratio of sums over all samples, not a mean of per-sample ratios.
  double hits = 0, total = 0;
  for (auto& m : a.doc["stats"].GetObject()) {
    hits += m.value[0].GetDouble();
    total += m.value[1].GetDouble();
  }
  BOOST_TEST(c.metrics[0].a == hits / total);

  auto d = pgc::compare_results(a, better, opts);
  BOOST_TEST(d.metrics[0].delta > 0.0);
  BOOST_TEST(d.metrics[0].significant);
  BOOST_TEST(!d.metrics[0].b_worse());
  BOOST_TEST(d.metrics[0].ci_low > 0.0);
  auto again = pgc::compare_results(a, better, opts);
  BOOST_TEST(again.metrics[0].ci_low == d.metrics[0].ci_low);

  opts.method = "ar";
  BOOST_TEST(pgc::compare_results(a, same_reordered, opts).metrics[0].p_value == 1.0);
  BOOST_TEST(pgc::compare_results(a, better, opts).metrics[0].p_value < 0.05);

  BOOST_CHECK_THROW(pgc::compare_results(a, toy_file("short.json", 0.0, 79), opts), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(parallel_resampling_equals_the_sequential_draws) {
  // paired_bootstrap scores draws in parallel batches; it must give exactly what scoring
  // bootstrap_draws one after another gives.
  auto a = toy_file("a.json", 0.0), b = toy_file("b.json", 0.05);
  auto sa = toy_samples(a.doc, a.path), sb = toy_samples(b.doc, b.path);
  const int resamples = 101;  // not a multiple of the batch size
  auto t = pgc::paired_bootstrap(sa.ids.size(), sa.corpus, sb.corpus, resamples, 9).at("acc");
  std::vector<double> deltas;
  for (auto& draw : pgc::bootstrap_draws(sa.ids.size(), resamples, 9))
    deltas.push_back(sb.corpus(draw).at("acc") - sa.corpus(draw).at("acc"));
  double mean = std::accumulate(deltas.begin(), deltas.end(), 0.0) / deltas.size();
  size_t extreme = 0;
  for (double d : deltas) extreme += std::fabs(d - mean) >= std::fabs(t.delta) - 1e-12;
  BOOST_TEST(t.p_value == (extreme + 1.0) / (resamples + 1.0));
  std::sort(deltas.begin(), deltas.end());
  BOOST_TEST(t.delta_ci.low == deltas[2] + 0.5 * (deltas[3] - deltas[2]));      // q 0.025: position 2.5
  BOOST_TEST(t.delta_ci.high == deltas[97] + 0.5 * (deltas[98] - deltas[97]));  // q 0.975: position 97.5
}
