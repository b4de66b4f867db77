// Every case of fixtures/panoptic/bad_inputs through the CLI: a bad input gives exit code 2,
// one stderr line naming the file, the image and (where there is one) the segment, and no
// output file; the inputs the README lets pgc accept give panopticapi's numbers.
#define BOOST_TEST_MODULE panoptic_bad_inputs
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/json.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kBad = fs::path(PGC_FIXTURES_DIR) / "panoptic" / "bad_inputs";

// What the one-line error must mention (file, image, segment, sizes...).
const std::map<std::string, std::vector<std::string>> kMustFail = {
    {"malformed_pred_json", {"pred.json", "line 1, column 9213", "malformed JSON"}},
    {"malformed_gt_json", {"gt.json", "malformed JSON"}},
    {"pred_json_segment_not_in_png", {"pred.json", "image 11", "segment 4242", "no pixel"}},
    {"pred_png_segment_not_in_json", {"pred.json", "image 12", "segment 4573341", "not in segments_info"}},
    {"pred_unknown_category", {"pred.json", "image 11", "segment 3611503", "category_id 999"}},
    {"pred_duplicate_image_id", {"pred.json", "image 11", "duplicate image_id"}},
    {"gt_duplicate_image_id", {"gt.json", "image 12", "duplicate image_id"}},
    {"pred_missing_image", {"pred.json", "image 12", "no prediction"}},
    {"missing_pred_png", {"bad_12.png", "image 12", "not found"}},
    {"missing_pred_folder", {"pred", "folder does not exist"}},
    {"pred_png_size_mismatch", {"bad_11.png", "image 11", "120x160", "160x120"}},
    {"pred_png_one_row_broadcast", {"bad_11.png", "image 11", "160x1 ", "160x120"}},
    {"truncated_pred_png", {"bad_12.png", "image 12", "truncated"}},
    {"corrupt_pred_png", {"bad_12.png", "image 12", "not a valid PNG"}},
    {"pred_png_grayscale", {"bad_11.png", "image 11", "8-bit RGB", "grayscale"}},
    {"pred_duplicate_segment_id", {"pred.json", "image 11", "segment 3611503", "listed twice"}},
    {"gt_png_segment_not_in_json", {"gt.json", "image 11", "segment 2978866", "not in segments_info"}},
    {"gt_json_segment_not_in_png", {"gt.json", "image 11", "segment 4243", "no pixel"}},
    {"gt_area_mismatch", {"gt.json", "image 11", "segment ", "differs from the pixel count"}},
    {"gt_area_nan", {"gt.json", "image 11", "segment 3286727", "area", "NaN"}},
    {"gt_missing_iscrowd", {"gt.json", "image 11", "segment 3286727", "iscrowd"}},
};
// Accepted (the README allows it): numbers must equal panopticapi's "result".
const std::vector<std::string> kAcceptWithReferenceNumbers = {"pred_extra_image", "pred_png_rgba"};

struct Run {
  int rc = -1;
  std::string err;
  fs::path out_dir;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Run run_case(const std::string& name) {
  fs::path c = kBad / name;
  Run r;
  r.out_dir = fs::temp_directory_path() / ("pgc_bad_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(r.out_dir);
  fs::create_directories(r.out_dir);
  // Relative paths as a user types them (the error must name the file as given).
  std::string cmd = "cd '" + kBad.string() + "' && " + PGC_BINARY + " panoptic --gt-json " + name +
                    "/gt.json --gt-dir " + name + "/gt --pred-json " + name +
                    "/pred.json --pred-dir " + name + "/pred --quiet --json '" +
                    (r.out_dir / "out.json").string() + "' --save-state '" +
                    (r.out_dir / "state.json").string() + "' > /dev/null 2> '" +
                    (r.out_dir / "stderr.txt").string() + "'";
  int rc = std::system(cmd.c_str());
  r.rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.err = slurp(r.out_dir / "stderr.txt");
  fs::remove(r.out_dir / "stderr.txt");
  return r;
}

void check_same_numbers(const pgc::JsonValue& got, const pgc::JsonValue& want, const std::string& name) {
  for (const char* g : {"All", "Things", "Stuff"}) {
    for (const char* k : {"pq", "sq", "rq"})
      BOOST_TEST(std::fabs(got[g][k].GetDouble() - want[g][k].GetDouble()) <= 1e-9, name << " " << g << "." << k);
    BOOST_TEST(got[g]["n"].GetInt() == want[g]["n"].GetInt(), name << " " << g << ".n");
  }
  for (auto m = want["per_class"].MemberBegin(); m != want["per_class"].MemberEnd(); ++m)
    for (const char* k : {"pq", "sq", "rq"})
      BOOST_TEST(std::fabs(got["per_class"][m->name.GetString()][k].GetDouble() - m->value[k].GetDouble()) <= 1e-9,
                 name << " per_class " << m->name.GetString() << "." << k);
}

// A writable copy of a (read-only) fixture folder, to break one thing in it.
fs::path writable_copy(const fs::path& src, const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("pgc_bad_" + name + "_" + std::to_string(::getpid()));
  if (fs::exists(dir)) {
    for (const auto& e : fs::recursive_directory_iterator(dir))
      fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir);
  }
  fs::copy(src, dir, fs::copy_options::recursive);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(dir))
    fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write |
                                  (e.is_directory() ? fs::perms::owner_exec : fs::perms::none),
                    fs::perm_options::add);
  return dir;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_bad_input_case_is_covered) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(kBad)) {
    if (!e.is_directory() || e.path().filename() == "_valid_base") continue;
    std::string name = e.path().filename().string();
    bool known = kMustFail.count(name) || name == "no_stuff_present" ||
                 std::find(kAcceptWithReferenceNumbers.begin(), kAcceptWithReferenceNumbers.end(), name) !=
                     kAcceptWithReferenceNumbers.end();
    BOOST_TEST(known, "bad_inputs/" << name << " has no test");
    ++n;
  }
  BOOST_TEST(n == kMustFail.size() + kAcceptWithReferenceNumbers.size() + 1);
}

BOOST_AUTO_TEST_CASE(valid_base_is_accepted_with_reference_numbers) {
  Run r = run_case("_valid_base");
  BOOST_REQUIRE_EQUAL(r.rc, 0);
  auto got = pgc::read_json_file((r.out_dir / "out.json").string());
  auto want = pgc::read_json_file((kBad / "_valid_base" / "expected.json").string());
  check_same_numbers(got, want, "_valid_base");
  fs::remove_all(r.out_dir);
}

BOOST_AUTO_TEST_CASE(bad_inputs_fail_clearly_and_write_nothing) {
  for (const auto& [name, needles] : kMustFail) {
    BOOST_TEST_CONTEXT(name) {
      Run r = run_case(name);
      BOOST_TEST(r.rc == 2);
      BOOST_TEST(r.err.rfind("pgc: ", 0) == 0u, r.err);
      BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, "one line: " << r.err);
      BOOST_TEST(r.err.find("internal error") == std::string::npos, r.err);
      for (const auto& s : needles) BOOST_TEST(r.err.find(s) != std::string::npos, "'" << s << "' in: " << r.err);
      // No output, not even a temp file.
      BOOST_TEST(fs::is_empty(r.out_dir), "files left in " << r.out_dir);
      fs::remove_all(r.out_dir);
    }
  }
}

BOOST_AUTO_TEST_CASE(accepted_inputs_give_panopticapi_numbers) {
  for (const auto& name : kAcceptWithReferenceNumbers) {
    BOOST_TEST_CONTEXT(name) {
      Run r = run_case(name);
      BOOST_REQUIRE_EQUAL(r.rc, 0);
      auto behaviour = pgc::read_json_file((kBad / name / "panopticapi_behavior.json").string());
      BOOST_REQUIRE(behaviour["result"].IsObject());
      auto got = pgc::read_json_file((r.out_dir / "out.json").string());
      check_same_numbers(got, behaviour["result"], name);
      if (name == "pred_extra_image") {  // ignored, but never silently
        BOOST_TEST(r.err.find("warning") != std::string::npos, r.err);
        BOOST_TEST(r.err.find("image 99") != std::string::npos, r.err);
      }
      fs::remove_all(r.out_dir);
    }
  }
}

BOOST_AUTO_TEST_CASE(no_stuff_reports_an_empty_group_instead_of_crashing) {
  Run r = run_case("no_stuff_present");
  BOOST_REQUIRE_EQUAL(r.rc, 0);
  auto got = pgc::read_json_file((r.out_dir / "out.json").string());
  BOOST_TEST(got["Stuff"]["n"].GetInt() == 0);
  BOOST_TEST(got["Stuff"]["pq"].IsNull());
  BOOST_TEST(got["Stuff"]["sq"].IsNull());
  BOOST_TEST(got["Things"]["n"].GetInt() > 0);
  BOOST_TEST(got["All"]["n"].GetInt() == got["Things"]["n"].GetInt());
  BOOST_TEST(got["All"]["pq"].GetDouble() == got["Things"]["pq"].GetDouble());
  BOOST_TEST(!got["corpus"].HasMember("PQ_st"));
  fs::remove_all(r.out_dir);
}

// pgc skips zlib's Adler-32 (speed); a flipped byte inside IDAT must still be caught (chunk CRC).
BOOST_AUTO_TEST_CASE(flipped_byte_in_pred_png_is_caught) {
  fs::path dir = writable_copy(kBad / "_valid_base", "flip");
  fs::path png;
  for (const auto& e : fs::directory_iterator(dir / "pred")) png = e.path();
  BOOST_REQUIRE(!png.empty());
  std::string bytes = slurp(png);
  size_t idat = bytes.find("IDAT");
  BOOST_REQUIRE(idat != std::string::npos);
  bytes[idat + 4 + 20] ^= 0x10;  // inside the compressed data
  std::ofstream(png, std::ios::binary | std::ios::trunc) << bytes;
  std::string cmd = std::string(PGC_BINARY) + " panoptic --gt-json '" + (dir / "gt.json").string() +
                    "' --gt-dir '" + (dir / "gt").string() + "' --pred-json '" + (dir / "pred.json").string() +
                    "' --pred-dir '" + (dir / "pred").string() + "' --quiet > /dev/null 2> '" +
                    (dir / "err.txt").string() + "'";
  int rc = std::system(cmd.c_str());
  BOOST_TEST((WIFEXITED(rc) && WEXITSTATUS(rc) == 2));
  std::string err = slurp(dir / "err.txt");
  BOOST_TEST(err.find(png.filename().string()) != std::string::npos, err);
  BOOST_TEST(err.find("image ") != std::string::npos, err);
  fs::remove_all(dir);
}

// panopticapi pairs images by image_id in a dict, where "11" and 11 differ: pgc must not pair
// them silently either.
BOOST_AUTO_TEST_CASE(image_id_type_mismatch_is_an_error) {
  fs::path dir = writable_copy(kBad / "_valid_base", "idtype");
  auto pred = pgc::read_json_file((dir / "pred.json").string());
  auto& first = pred["annotations"][0];
  std::string id = pgc::id_to_string(first["image_id"], "", "");
  BOOST_REQUIRE(first["image_id"].IsInt64());
  first["image_id"].SetString(id.c_str(), pred.GetAllocator());
  std::ofstream(dir / "pred.json", std::ios::trunc) << pgc::to_json(pred, false);
  std::string cmd = std::string(PGC_BINARY) + " panoptic --gt-json '" + (dir / "gt.json").string() +
                    "' --gt-dir '" + (dir / "gt").string() + "' --pred-json '" + (dir / "pred.json").string() +
                    "' --pred-dir '" + (dir / "pred").string() + "' --quiet > /dev/null 2> '" +
                    (dir / "err.txt").string() + "'";
  int rc = std::system(cmd.c_str());
  BOOST_TEST((WIFEXITED(rc) && WEXITSTATUS(rc) == 2));
  std::string err = slurp(dir / "err.txt");
  BOOST_TEST(err.find("image " + id) != std::string::npos, err);
  BOOST_TEST(err.find("string") != std::string::npos, err);
  fs::remove_all(dir);
}
