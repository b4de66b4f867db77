// `pgc t2i` and `pgc features` through the binary: help text, statistics-only FID /
// FD-DINOv2 against `pgc fd` and the fixture's reference value, and bad input (exit 2, one
// line naming the file, nothing written). Runs that need the networks are tested after the
// extractors are merged (the pipeline itself is tested with a fake network in test_t2i_pipeline).
#define BOOST_TEST_MODULE t2i_cli
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>

#include "cli_util.hpp"
#include "core/json.hpp"

namespace fs = std::filesystem;
using pgc_test::q;

namespace {

const fs::path kFd = fs::path(PGC_FIXTURES_DIR) / "t2i" / "fd";
const fs::path kImages = fs::path(PGC_FIXTURES_DIR) / "t2i" / "images";
const fs::path kInceptionWeights = fs::path(PGC_FIXTURES_DIR) / "t2i" / "inception" / "inception_fid_random_f16.safetensors";

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Exit 2, one line on stderr that names `needle`, no output file.
void expect_bad_input(const pgc_test::Run& r, const std::string& needle, const fs::path& not_written = {}) {
  BOOST_TEST(r.rc == 2);
  BOOST_TEST(count_lines(r.err) == 1u);
  BOOST_TEST_CONTEXT(r.err) { BOOST_TEST(r.err.find(needle) != std::string::npos); }
  if (!not_written.empty()) BOOST_TEST(!fs::exists(not_written));
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_every_flag) {
  pgc_test::TempDir dir("t2i_cli_help");
  pgc_test::Run t2i = pgc_test::run_pgc_command("t2i --help", dir.path);
  BOOST_TEST(t2i.rc == 0);
  for (const char* flag : {"--real", "--fake", "--metric", "--weights", "--config", "--device", "--batch",
                           "--clean-resize", "--save-stats", "--save-real-stats", "--json", "--name", "--method",
                           "--eps", "--threads", "--quiet"})
    BOOST_TEST_CONTEXT(flag) { BOOST_TEST(t2i.out.find(flag) != std::string::npos); }
  pgc_test::Run features = pgc_test::run_pgc_command("features --help", dir.path);
  BOOST_TEST(features.rc == 0);
  for (const char* flag : {"--model", "--weights", "--config", "--images", "--out", "--device", "--batch",
                           "--clean-resize", "--threads", "--quiet"})
    BOOST_TEST_CONTEXT(flag) { BOOST_TEST(features.out.find(flag) != std::string::npos); }
}

BOOST_AUTO_TEST_CASE(statistics_files_give_the_reference_fd_under_the_metric_key) {
  pgc_test::TempDir dir("t2i_cli_stats");
  const fs::path a = kFd / "stats_npz_d192" / "stats_a.npz", b = kFd / "stats_npz_d192" / "stats_b.npz";
  const double expected = pgc::read_json_file((kFd / "stats_npz_d192" / "expected.json").string())["fd"].GetDouble();
  for (const std::string metric : {"fid", "fd-dinov2"}) {
    const fs::path out = dir.path / (metric + ".json");
    pgc_test::Run r = pgc_test::run_pgc_command(
        "t2i --real " + q(a) + " --fake " + q(b) + " --metric " + metric + " --json " + q(out) + " --name sys", dir.path);
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    pgc::JsonDoc doc = pgc::read_json_file(out.string());
    const char* key = metric == "fid" ? "FID" : "FD_DINOv2";
    const double fd = doc["corpus"][key].GetDouble();
    BOOST_TEST(std::abs(fd - expected) <= 1e-6 * std::abs(expected));
    BOOST_TEST(doc["name"].GetString() == std::string("sys"));
    BOOST_TEST(doc["task"].GetString() == std::string("t2i"));
    BOOST_TEST(doc["inputs"]["real"]["path"].GetString() == a.string());
    BOOST_TEST(std::string(doc["signature"].GetString()).find("features:stats") != std::string::npos);
    // The same number as pgc fd.
    pgc_test::Run fd_run = pgc_test::run_pgc_command("fd " + q(a) + " " + q(b) + " --json -", dir.path);
    BOOST_REQUIRE_EQUAL(fd_run.rc, 0);
    BOOST_TEST(pgc::parse_json(fd_run.out, "fd")["fd"].GetDouble() == fd);
  }
  // Without --json: one line "FID: value".
  pgc_test::Run plain = pgc_test::run_pgc_command(
      "t2i --real " + q(a) + " --fake " + q(b) + " --metric fid", dir.path);
  BOOST_TEST(plain.rc == 0);
  BOOST_TEST(plain.out.rfind("FID: ", 0) == 0u);
  BOOST_TEST(std::abs(std::stod(plain.out.substr(5)) - expected) <= 1e-6 * expected);
}

BOOST_AUTO_TEST_CASE(t2i_bad_input_exits_2_naming_the_file_and_writes_nothing) {
  pgc_test::TempDir dir("t2i_cli_bad");
  const fs::path out = dir.path / "out.json", npz = dir.path / "saved.npz";
  const fs::path s192 = kFd / "stats_npz_d192" / "stats_a.npz", f64 = kFd / "small_d64" / "a.npy";
  const std::string tail = " --json " + q(out) + " --weights " + q(kInceptionWeights);
  // Missing folder / file.
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(dir.path / "missing") + " --fake " + q(s192) +
                                                 " --metric fid" + tail, dir.path),
                   (dir.path / "missing").string(), out);
  // A folder with no images.
  fs::create_directories(dir.path / "empty");
  dir.write("empty/readme.txt", "no images here");
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(s192) + " --fake " + q(dir.path / "empty") +
                                                 " --metric fid" + tail, dir.path),
                   "no image files", out);
  // Statistics of different widths.
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(s192) + " --fake " + q(f64) + " --metric fid" + tail,
                                             dir.path),
                   f64.string(), out);
  // Statistics with a NaN.
  const fs::path nan_stats = dir.path / "nan.npy";
  {
    std::string npy = pgc_test::slurp(f64);
    // Overwrite the last float32 value with a NaN.
    const uint32_t nan_bits = 0x7fc00000u;
    std::memcpy(&npy[npy.size() - 4], &nan_bits, 4);
    dir.write("nan.npy", npy);
  }
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(f64) + " --fake " + q(nan_stats) + " --metric fid" + tail,
                                             dir.path),
                   "NaN", out);
  // Flag combinations.
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(s192) + " --fake " + q(s192) +
                                                 " --metric fid --save-stats " + q(npz) + tail, dir.path),
                   "--save-stats", npz);
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(kImages) + " --fake " + q(s192) + " --metric fid" +
                                                 " --json " + q(out), dir.path),
                   "--weights", out);
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(s192) + " --fake " + q(s192) +
                                                 " --metric fid --clean-resize" + tail, dir.path),
                   "--clean-resize", out);
  expect_bad_input(pgc_test::run_pgc_command("t2i --real " + q(kImages) + " --fake " + q(s192) +
                                                 " --metric fid --weights " + q(dir.path / "none.safetensors"), dir.path),
                   "none.safetensors");
  // An unknown metric (CLI11's own check).
  pgc_test::Run unknown = pgc_test::run_pgc_command("t2i --real " + q(s192) + " --fake " + q(s192) + " --metric kid",
                                                    dir.path);
  BOOST_TEST(unknown.rc == 2);
}

BOOST_AUTO_TEST_CASE(features_bad_input_exits_2_and_writes_nothing) {
  pgc_test::TempDir dir("t2i_cli_features");
  const fs::path out = dir.path / "f.npy";
  expect_bad_input(pgc_test::run_pgc_command("features --model inception --weights " + q(kInceptionWeights) +
                                                 " --images " + q(dir.path / "missing") + " --out " + q(out), dir.path),
                   (dir.path / "missing").string(), out);
  fs::create_directories(dir.path / "empty");
  expect_bad_input(pgc_test::run_pgc_command("features --model dinov2 --weights " + q(kInceptionWeights) +
                                                 " --images " + q(dir.path / "empty") + " --out " + q(out), dir.path),
                   "no image files", out);
  expect_bad_input(pgc_test::run_pgc_command("features --model inception --weights " + q(dir.path / "w.safetensors") +
                                                 " --images " + q(kImages) + " --out " + q(out), dir.path),
                   "w.safetensors", out);
  expect_bad_input(pgc_test::run_pgc_command("features --model inception --clean-resize --weights " +
                                                 q(kInceptionWeights) + " --images " + q(kImages) + " --out " + q(out),
                                             dir.path),
                   "--clean-resize", out);
  pgc_test::Run unknown = pgc_test::run_pgc_command("features --model vgg --weights " + q(kInceptionWeights) +
                                                        " --images " + q(kImages) + " --out " + q(out), dir.path);
  BOOST_TEST(unknown.rc == 2);
  BOOST_TEST(!fs::exists(out));
}
