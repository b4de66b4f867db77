// METEOR 1.5 parity with the reference (CMU METEOR run the way pycocoevalcap runs it) on every
// caption fixture, for both fixture keys: METEOR_nopara (exact stem synonym) and
// METEOR_tinypara (plus the tiny paraphrase table); plus data loading from folders and jars.
#define BOOST_TEST_MODULE meteor
#include <boost/test/unit_test.hpp>
#include <unistd.h>
#include <zip.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "caption/meteor_data.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/thread_pool.hpp"
#include "metrics/meteor.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCaption = std::string(PGC_FIXTURES_DIR) + "/caption";
const std::string kResources = kCaption + "/meteor/resources";
const std::string kTinyParaphrase = kCaption + "/meteor/paraphrase-tiny.gz";

struct Scorers {
  std::unique_ptr<pgc::Meteor> nopara, tinypara;
  Scorers() {
    nopara = std::make_unique<pgc::Meteor>(pgc::load_meteor_resources(kResources, "none"));
    tinypara = std::make_unique<pgc::Meteor>(pgc::load_meteor_resources(kResources, kTinyParaphrase));
  }
};
const Scorers& scorers() {
  static Scorers s;
  return s;
}

struct Case {
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> refs;
  std::vector<std::string> preds;
  pgc::JsonDoc expected;
};

// The strings METEOR receives: the fixture's own when tokenized, else the reference
// tokenizer's output stored in expected.json.
Case read_case(const std::string& dir) {
  Case c;
  pgc::JsonDoc refs = pgc::read_json_file(dir + "/refs.json");
  pgc::JsonDoc preds = pgc::read_json_file(dir + "/preds.json");
  c.expected = pgc::read_json_file(dir + "/expected.json");
  bool tokenized = c.expected["tokenized"].GetBool();
  const pgc::JsonValue& r = tokenized ? static_cast<const pgc::JsonValue&>(refs) : c.expected["tokenized_refs"];
  const pgc::JsonValue& p = tokenized ? static_cast<const pgc::JsonValue&>(preds) : c.expected["tokenized_preds"];
  for (auto it = refs.MemberBegin(); it != refs.MemberEnd(); ++it) {
    std::string id = it->name.GetString();
    c.ids.push_back(id);
    std::vector<std::string> rs;
    for (const auto& s : r[id.c_str()].GetArray()) rs.push_back(s.GetString());
    c.refs.push_back(rs);
    c.preds.push_back(p[id.c_str()].GetString());
  }
  return c;
}

// Scores a case with one configuration; checks every image and the corpus, to the bit
// (the reference is deterministic; the |diff| check first gives readable failures).
void check_case(const std::string& dir, const pgc::Meteor& meteor, const char* key) {
  Case c = read_case(dir);
  pgc::MeteorStats total;
  size_t exact = 0;
  for (size_t i = 0; i < c.ids.size(); ++i) {
    pgc::MeteorStats s = meteor.segment(c.preds[i], c.refs[i]);
    total.merge(s);
    double got = meteor.score(s);
    double want = c.expected["per_image"][c.ids[i].c_str()][key].GetDouble();
    BOOST_TEST(std::abs(got - want) <= 1e-12, dir << " " << c.ids[i] << " " << key << ": " << got << " vs " << want);
    exact += got == want;
  }
  double got = meteor.score(total);
  double want = c.expected["corpus"][key].GetDouble();
  BOOST_TEST(std::abs(got - want) <= 1e-12, dir << " corpus " << key << ": " << got << " vs " << want);
  exact += got == want;
  BOOST_TEST_MESSAGE(dir << " " << key << ": " << exact << "/" << c.ids.size() + 1 << " bit-identical");
  BOOST_TEST(exact == c.ids.size() + 1, dir << " " << key << ": not every value bit-identical");
}

void check_both(const std::string& folder) {
  check_case(kCaption + "/" + folder, *scorers().nopara, "METEOR_nopara");
  check_case(kCaption + "/" + folder, *scorers().tinypara, "METEOR_tinypara");
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("pgc_meteor_test_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Writes a jar (zip) holding the fixture's data files where meteor-1.5.jar keeps them.
void write_jar(const fs::path& jar) {
  int err = 0;
  zip_t* z = zip_open(jar.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  BOOST_REQUIRE(z != nullptr);
  const std::pair<const char*, const char*> members[] = {{"function/english.words", "english.words"},
                                                         {"synonym/english.synsets", "english.synsets"},
                                                         {"synonym/english.exceptions", "english.exceptions"},
                                                         {"synonym/english.relations", "english.relations"}};
  for (auto [member, file] : members) {
    zip_source_t* src = zip_source_file(z, (kResources + "/" + file).c_str(), 0, -1);
    BOOST_REQUIRE(src != nullptr);
    BOOST_REQUIRE(zip_file_add(z, member, src, ZIP_FL_OVERWRITE) >= 0);
  }
  BOOST_REQUIRE(zip_close(z) == 0);
}

void check_same_resources(const pgc::MeteorResources& a, const pgc::MeteorResources& b) {
  BOOST_TEST(a.function_words == b.function_words);
  BOOST_TEST((a.synsets == b.synsets));
  BOOST_TEST((a.exception_bases == b.exception_bases));
  BOOST_TEST((a.nonbreaking_prefixes == b.nonbreaking_prefixes));
  BOOST_TEST((a.paraphrases == b.paraphrases));
  BOOST_TEST(a.use_paraphrase == b.use_paraphrase);
  BOOST_TEST(a.data_digest == b.data_digest);
  BOOST_TEST(a.paraphrase_digest == b.paraphrase_digest);
}

}  // namespace

BOOST_AUTO_TEST_CASE(edge_tokenized) { check_both("edge_tokenized"); }

BOOST_AUTO_TEST_CASE(edge_single) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(kCaption + "/edge_single")) {
    check_both("edge_single/" + entry.path().filename().string());
    ++n;
  }
  BOOST_TEST(n == 14u);
}

BOOST_AUTO_TEST_CASE(meteor_paraphrase) { check_both("meteor_paraphrase"); }
BOOST_AUTO_TEST_CASE(detailed_raw) { check_both("detailed_raw"); }
BOOST_AUTO_TEST_CASE(detailed_tokenized) { check_both("detailed_tokenized"); }
BOOST_AUTO_TEST_CASE(detailed_synth) { check_both("detailed_synth"); }
BOOST_AUTO_TEST_CASE(raw_pipeline) { check_both("raw_pipeline"); }
BOOST_AUTO_TEST_CASE(random_large) { check_both("random_large"); }

BOOST_AUTO_TEST_CASE(parallel_scoring_is_identical) {
  // Two scorers used from 4 threads at once (per-thread caches must not mix them up).
  Case c = read_case(kCaption + "/detailed_synth");
  size_t n = c.ids.size();
  std::vector<double> serial(2 * n), parallel(2 * n);
  const pgc::Meteor* m[2] = {scorers().nopara.get(), scorers().tinypara.get()};
  for (size_t i = 0; i < 2 * n; ++i) serial[i] = m[i % 2]->score(m[i % 2]->segment(c.preds[i / 2], c.refs[i / 2]));
  pgc::parallel_for(2 * n, 4, [&](size_t i, int) {
    parallel[i] = m[i % 2]->score(m[i % 2]->segment(c.preds[i / 2], c.refs[i / 2]));
  });
  BOOST_TEST(serial == parallel);
}

BOOST_AUTO_TEST_CASE(paraphrase_module_matters) {
  // The tiny table must change at least one meteor_paraphrase score, or the test above proves nothing.
  Case c = read_case(kCaption + "/meteor_paraphrase");
  size_t differing = 0;
  for (size_t i = 0; i < c.ids.size(); ++i)
    differing += scorers().nopara->score(scorers().nopara->segment(c.preds[i], c.refs[i])) !=
                 scorers().tinypara->score(scorers().tinypara->segment(c.preds[i], c.refs[i]));
  BOOST_TEST(differing > 0u);
}

BOOST_AUTO_TEST_CASE(stats_vector_round_trip_and_merge_quirk) {
  const pgc::Meteor& m = *scorers().nopara;
  pgc::MeteorStats perfect = m.segment("a dog runs", {"a dog runs"});
  pgc::MeteorStats partial = m.segment("a cat runs fast", {"a dog runs"});
  BOOST_TEST(perfect.perfect());
  BOOST_TEST(perfect.chunks == 1.0);
  BOOST_TEST(!partial.perfect());
  pgc::MeteorStats back = pgc::meteor_stats_from_vector(pgc::meteor_stats_to_vector(partial));
  BOOST_TEST(pgc::meteor_stats_to_vector(back) == pgc::meteor_stats_to_vector(partial));
  BOOST_TEST(m.score(back) == m.score(partial));
  BOOST_TEST(pgc::meteor_stats_to_vector(partial).size() == 23u);
  pgc::MeteorStats total;
  total.merge(perfect);
  total.merge(partial);
  BOOST_TEST(total.chunks == partial.chunks);  // the perfect segment's chunk is not added
  BOOST_CHECK_THROW(pgc::meteor_stats_from_vector({1.0, 2.0}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(norm_tokenization) {
  const pgc::Meteor& m = *scorers().nopara;
  using V = std::vector<std::string>;
  BOOST_TEST(m.tokenize("Don't stop, U.S.-based well-to-do ... Mr. Smith.") ==
             (V{"don", "'t", "stop", ",", "us", "based", "well", "to", "do", "...", "mr.", "smith", "."}));
  BOOST_TEST(m.tokenize("  ") == V{});
}

BOOST_AUTO_TEST_CASE(line_break_is_rejected) {
  BOOST_CHECK_THROW(scorers().nopara->segment("a\nb", {"a b"}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(jar_loading_matches_folder_loading) {
  TempDir tmp;
  fs::path jar = tmp.path / "meteor-1.5.jar";
  write_jar(jar);
  fs::create_directories(tmp.path / "data");
  fs::copy_file(kTinyParaphrase, tmp.path / "data" / "paraphrase-en.gz");
  // default paraphrase = data/paraphrase-en.gz next to the jar, as METEOR looks for it
  pgc::MeteorResources from_jar = pgc::load_meteor_resources_from_jar(jar.string(), "");
  pgc::MeteorResources from_dir = pgc::load_meteor_resources(kResources, kTinyParaphrase);
  BOOST_TEST(from_jar.use_paraphrase);
  BOOST_TEST(from_jar.warning.empty());
  check_same_resources(from_jar, from_dir);
  // auto-detection through PGC_METEOR_JAR
  ::setenv("PGC_METEOR_JAR", jar.c_str(), 1);
  BOOST_TEST(pgc::find_meteor_jar() == jar.string());
  pgc::MeteorResources auto_found = pgc::load_meteor_resources("", "none");
  ::unsetenv("PGC_METEOR_JAR");
  BOOST_TEST(!auto_found.use_paraphrase);
  BOOST_TEST(auto_found.origin == jar.string());
  check_same_resources(auto_found, pgc::load_meteor_resources(kResources, "none"));
  pgc::Meteor a(from_jar), b(from_dir);
  BOOST_TEST(a.signature() == b.signature());
}

BOOST_AUTO_TEST_CASE(meteor_source_layout_and_prefix_file) {
  // METEOR's own resources/ layout (function/, synonym/, nonbreaking/); a prefixes file there
  // replaces the built-in list.
  TempDir tmp;
  fs::create_directories(tmp.path / "function");
  fs::create_directories(tmp.path / "synonym");
  fs::create_directories(tmp.path / "nonbreaking");
  fs::create_symlink(kResources + "/english.words", tmp.path / "function" / "english.words");
  fs::create_symlink(kResources + "/english.synsets", tmp.path / "synonym" / "english.synsets");
  fs::create_symlink(kResources + "/english.exceptions", tmp.path / "synonym" / "english.exceptions");
  std::ofstream(tmp.path / "nonbreaking" / "english.prefixes") << "# comment\n\nDr\nNo #NUMERIC_ONLY#\n";
  pgc::MeteorResources r = pgc::load_meteor_resources(tmp.path.string(), "none");
  BOOST_TEST(r.nonbreaking_prefixes.size() == 2u);
  BOOST_TEST(r.nonbreaking_prefixes.at("No") == 2);
  BOOST_TEST(r.prefixes_digest != "builtin");
  pgc::Meteor custom(std::move(r));
  using V = std::vector<std::string>;
  BOOST_TEST(custom.tokenize("Mr. Dr. No. 5 No. X") == (V{"mr", ".", "dr.", "no.", "5", "no", ".", "x"}));
  BOOST_TEST(scorers().nopara->tokenize("Mr. Dr. No. 5 No. X") == (V{"mr.", "dr.", "no.", "5", "no", ".", "x"}));
  BOOST_TEST(custom.signature() != scorers().nopara->signature());
}

BOOST_AUTO_TEST_CASE(missing_resources_are_clear_errors) {
  TempDir tmp;
  try {
    pgc::load_meteor_resources(tmp.path.string(), "none");
    BOOST_FAIL("an empty folder loaded");
  } catch (const pgc::InputError& e) {
    BOOST_TEST(std::string(e.what()).find("english.words") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("pycocoevalcap") != std::string::npos);
  }
  BOOST_CHECK_THROW(pgc::load_meteor_resources(kResources, (tmp.path / "nope.gz").string()), pgc::InputError);
  BOOST_CHECK_THROW(pgc::load_meteor_resources((tmp.path / "nodir").string(), "none"), pgc::InputError);
  // a paraphrase file that is not gzip'd, and one with an incomplete record
  std::ofstream(tmp.path / "plain.gz") << "0.5\na\nb\n";
  BOOST_CHECK_THROW(pgc::load_meteor_resources(kResources, (tmp.path / "plain.gz").string()), pgc::InputError);
  std::string truncated = pgc::read_file(kTinyParaphrase);
  BOOST_CHECK_THROW(pgc::gunzip(truncated.substr(0, truncated.size() / 2), "x.gz"), pgc::InputError);
  // PGC_METEOR_JAR pointing nowhere, and a jar without the data
  ::setenv("PGC_METEOR_JAR", (tmp.path / "missing.jar").c_str(), 1);
  BOOST_CHECK_THROW(pgc::load_meteor_resources("", "none"), pgc::InputError);
  ::unsetenv("PGC_METEOR_JAR");
  std::ofstream(tmp.path / "empty.jar") << "not a zip";
  BOOST_CHECK_THROW(pgc::load_meteor_resources_from_jar((tmp.path / "empty.jar").string(), "none"), pgc::InputError);
  // a folder without a paraphrase table: default "" works but warns
  pgc::MeteorResources r = pgc::load_meteor_resources(kResources, "");
  BOOST_TEST(!r.use_paraphrase);
  BOOST_TEST(!r.warning.empty());
}

BOOST_AUTO_TEST_CASE(snowball_stemmer_is_porter2) {
  auto s = pgc::snowball_english_stemmer();
  BOOST_TEST(s->stem("running") == "run");
  BOOST_TEST(s->stem("generously") == "generous");
  BOOST_TEST(s->stem("skies") == "sky");
}
