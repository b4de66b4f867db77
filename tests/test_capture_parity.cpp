// CAPTURE elements mode against every case of shared/fixtures/capture/ (expected values from
// the reference capture.py with stubbed models, see the fixtures' README): soft stage from
// similarity.json, and soft stage off; tolerance 1e-9 absolute as the README states.
#define BOOST_TEST_MODULE capture_parity
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "caption/capture_io.hpp"
#include "caption/wordnet.hpp"
#include "core/json.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kTolerance = 1e-9;
const fs::path kCaptureFixtures = fs::path(PGC_FIXTURES_DIR) / "capture";

const pgc::WordNet& wordnet() {
  static const pgc::WordNet wn(pgc::resolve_wordnet_dir(""));
  return wn;
}

std::vector<fs::path> fixture_cases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(kCaptureFixtures))
    if (entry.is_directory() && fs::exists(entry.path() / "refs.json")) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  return cases;
}

pgc::SimilarityTable table_of(const fs::path& dir) {
  fs::path p = dir / "similarity.json";
  return fs::exists(p) ? pgc::read_similarity_table(p.string()) : pgc::SimilarityTable();
}

// Compares a result with an expected.json (corpus and every per-image value); returns the
// largest absolute difference seen.
double check_against(const pgc::CaptureResult& got, const fs::path& expected_path) {
  pgc::JsonDoc expected = pgc::read_json_file(expected_path.string());
  const std::string where = expected_path.string();
  double worst = std::fabs(got.corpus - expected["corpus"]["CAPTURE"].GetDouble());
  BOOST_TEST(std::fabs(got.corpus - expected["corpus"]["CAPTURE"].GetDouble()) <= kTolerance,
             where << ": corpus " << got.corpus);
  const auto& per_image = expected["per_image"];
  BOOST_TEST(per_image.MemberCount() == got.ids.size(), where << ": image count");
  for (size_t i = 0; i < got.ids.size(); ++i) {
    auto it = per_image.FindMember(got.ids[i].c_str());
    BOOST_TEST_REQUIRE((it != per_image.MemberEnd()), where << ": image " << got.ids[i] << " not expected");
    auto values = got.per_image[i].values();
    for (size_t k = 0; k < values.size(); ++k) {
      double want = it->value[pgc::kCaptureValueNames[k]].GetDouble();
      double diff = std::fabs(values[k] - want);
      worst = std::max(worst, diff);
      BOOST_TEST(diff <= kTolerance, where << ": " << got.ids[i] << " " << pgc::kCaptureValueNames[k]
                                           << " got " << values[k] << " want " << want);
    }
  }
  return worst;
}

bool identical(const pgc::CaptureResult& a, const pgc::CaptureResult& b) {
  if (a.corpus != b.corpus || a.ids != b.ids) return false;
  for (size_t i = 0; i < a.ids.size(); ++i)
    if (a.per_image[i].values() != b.per_image[i].values()) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fixture_cases_exist) {
  auto cases = fixture_cases();
  BOOST_TEST(cases.size() >= 3u, "expected the capture fixture cases in " << kCaptureFixtures);
}

BOOST_AUTO_TEST_CASE(every_case_matches_reference_with_and_without_soft_stage) {
  pgc::WordNetSynonyms synonyms(wordnet());
  for (const auto& dir : fixture_cases()) {
    BOOST_TEST_CONTEXT("case " << dir.filename()) {
      auto images = pgc::read_capture_images((dir / "refs.json").string(), (dir / "preds.json").string());
      pgc::SimilarityTable table = table_of(dir);
      pgc::CaptureScorer soft(pgc::CaptureOptions{}, &synonyms, &table);
      pgc::CaptureScorer nosoft(pgc::CaptureOptions{}, &synonyms, nullptr);

      pgc::CaptureResult soft_result = pgc::evaluate_capture(images, soft, 1);
      pgc::CaptureResult nosoft_result = pgc::evaluate_capture(images, nosoft, 1);
      double worst = std::max(check_against(soft_result, dir / "expected.json"),
                              check_against(nosoft_result, dir / "expected_nosoft.json"));
      BOOST_TEST_MESSAGE("capture fixture " << dir.filename() << ": " << images.size()
                                            << " images, max |diff| " << worst);

      // Results must not depend on the thread count.
      BOOST_TEST(identical(soft_result, pgc::evaluate_capture(images, soft, 2)));
      BOOST_TEST(identical(nosoft_result, pgc::evaluate_capture(images, nosoft, 3)));

      // With missing pairs = 0, an empty table is the soft stage switched off (README).
      pgc::SimilarityTable empty;
      pgc::CaptureScorer empty_soft(pgc::CaptureOptions{}, &synonyms, &empty);
      BOOST_TEST(identical(nosoft_result, pgc::evaluate_capture(images, empty_soft, 2)));
    }
  }
}

BOOST_AUTO_TEST_CASE(file_level_entry_point_matches_and_signs) {
  for (const auto& dir : fixture_cases()) {
    BOOST_TEST_CONTEXT("case " << dir.filename()) {
      pgc::CaptureElementsRun run;
      run.refs_path = (dir / "refs.json").string();
      run.preds_path = (dir / "preds.json").string();
      run.no_soft = true;
      pgc::CaptureResult nosoft = pgc::evaluate_capture_elements(run);
      check_against(nosoft, dir / "expected_nosoft.json");
      std::string sig = nosoft.signature.str();
      BOOST_TEST(sig.find("capture:elements") != std::string::npos, sig);
      BOOST_TEST(sig.find("capture_soft:off") != std::string::npos, sig);
      BOOST_TEST(sig.find("capture_syn:wordnet-3.0:") != std::string::npos, sig);

      if (fs::exists(dir / "similarity.json")) {
        run.no_soft = false;
        run.similarity_path = (dir / "similarity.json").string();
        run.threads = 2;
        pgc::CaptureResult soft = pgc::evaluate_capture_elements(run);
        check_against(soft, dir / "expected.json");
        BOOST_TEST(soft.signature.str().find("capture_soft:table:") != std::string::npos);
        BOOST_TEST(soft.signature.str() != sig);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(per_image_stats_rebuild_the_corpus_score) {
  // The results file's "stats" block (10 sums + reference count per image) must give back
  // the same per-image and corpus numbers, as `pgc compare` resamples from it.
  const fs::path dir = kCaptureFixtures / "random_small";
  auto images = pgc::read_capture_images((dir / "refs.json").string(), (dir / "preds.json").string());
  pgc::WordNetSynonyms synonyms(wordnet());
  pgc::SimilarityTable table = table_of(dir);
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, &table);
  pgc::CaptureResult r = pgc::evaluate_capture(images, scorer, 2);
  std::vector<pgc::CaptureStats> rebuilt;
  for (const auto& s : r.stats) rebuilt.push_back(pgc::CaptureStats::from_vector(s.to_vector()));
  BOOST_TEST(pgc::capture_corpus_score(rebuilt) == r.corpus);
  bool multi_ref = false;
  for (const auto& s : r.stats) multi_ref |= s.references > 1;
  BOOST_TEST(multi_ref, "random_small should hold images with several references");
}
