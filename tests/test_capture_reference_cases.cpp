// CAPTURE cases scored by the real reference code (tests/data/capture_reference/, written by
// tests/reference/capture_fuzz.py --save from CAPTURE's capture.py and FactualSceneGraph v0.5's
// post-processing, run by hand; README there). Each case is replayed through `pgc caption`:
// every per-image value with the soft stage from the case's table and without it, and in graphs
// mode the extracted elements (`--dump-parse`), in order, against the reference's.
#define BOOST_TEST_MODULE capture_reference_cases
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <vector>

#include "cli_util.hpp"
#include "core/json.hpp"

using namespace pgc_test;

namespace {

const fs::path kCases = fs::path(PGC_SOURCE_DIR) / "tests" / "data" / "capture_reference";
const fs::path kPunkt = fs::path(PGC_SOURCE_DIR) / "tests" / "data" / "capture_nltk" / "tokenizers";

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The elements as the reference extracted them, serialized the same way as pgc's dump (member
// order kept, so the order of objects, attribute keys and relations is compared too).
std::string as_text(const fs::path& file) { return pgc::to_json(pgc::read_json_file(file.string()), false); }

void check_case(const fs::path& dir) {
  const std::string name = dir.filename().string();
  const bool graphs = name.rfind("graphs_", 0) == 0;
  TempDir t("capture_reference_" + name);
  std::string extra;
  if (graphs) {  // the case's own tagger model next to the test Punkt parameters
    fs::create_directories(t.path / "nltk");
    fs::copy(kPunkt, t.path / "nltk" / "tokenizers", fs::copy_options::recursive);
    fs::copy(dir / "taggers", t.path / "nltk" / "taggers", fs::copy_options::recursive);
    extra = " --nltk-data " + q(t.path / "nltk") + " --dump-parse " + q(t.path / "dump.json");
  }
  const pgc::JsonDoc expected = pgc::read_json_file((dir / "expected.json").string());
  for (const char* soft : {"soft", "nosoft"}) {
    const std::string args = std::string("caption --metrics capture --capture-mode ") + (graphs ? "graphs" : "elements") +
                             " --refs " + q(dir / "refs.json") + " --preds " + q(dir / "preds.json") +
                             " --per-image --quiet --json " + q(t.path / "out.json") + extra +
                             (std::string(soft) == "soft" ? " --capture-similarity " + q(dir / "sim.json")
                                                          : std::string(" --capture-no-soft"));
    const Run r = run_pgc_command(args, t.path);
    BOOST_TEST_REQUIRE(r.rc == 0, name << " " << soft << ": " << r.err);
    const pgc::JsonDoc got = pgc::read_json_file((t.path / "out.json").string());
    const pgc::JsonValue& want = expected[soft];
    size_t values = 0;
    for (const auto& image : want.GetObject()) {
      BOOST_TEST_REQUIRE(got["per_image"].HasMember(image.name), name << ": no image " << image.name.GetString());
      const pgc::JsonValue& g = got["per_image"][image.name];
      for (const auto& v : image.value.GetObject()) {
        BOOST_TEST_REQUIRE(g.HasMember(v.name), name << ": no " << v.name.GetString());
        BOOST_TEST(std::abs(g[v.name.GetString()].GetDouble() - v.value.GetDouble()) <= 1e-9,
                   name << " " << soft << " image " << image.name.GetString() << " " << v.name.GetString() << ": pgc "
                        << std::setprecision(17) << g[v.name.GetString()].GetDouble() << ", reference " << v.value.GetDouble());
        ++values;
      }
    }
    BOOST_TEST(values == 10 * want.MemberCount());
    BOOST_TEST(got["per_image"].MemberCount() == want.MemberCount());
  }
  if (graphs) BOOST_TEST(as_text(t.path / "dump.json") == as_text(dir / "expected_parse.json"), name);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_case_scores_as_the_reference_code) {
  const auto all = cases();
  BOOST_TEST_REQUIRE(all.size() >= 2u);
  size_t graphs = 0;
  for (const auto& dir : all) {
    BOOST_TEST_CONTEXT(dir.filename().string()) { check_case(dir); }
    graphs += dir.filename().string().rfind("graphs_", 0) == 0;
  }
  BOOST_TEST(graphs >= 1u);
}
