// `pgc features` end to end (file listing, PIL-exact decoding, Pillow resizes, batching, the
// LibTorch networks, .npy writing) against the reference features in fixtures/t2i: pytorch-fid's
// InceptionV3 and dgm-eval's DINOv2 (plain, with registers, and with --clean-resize), every
// fixture image, rows in the manifest's (sorted file name) order. Tolerance: the fixture README's
// ~1e-4 relative (different conv/GEMM kernels); the measured agreement is 1e-5 or better.
#define BOOST_TEST_MODULE t2i_features_parity
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "cli_util.hpp"
#include "core/json.hpp"
#include "t2i/npy.hpp"

namespace fs = std::filesystem;
using pgc_test::q;

namespace {

const fs::path kT2i = fs::path(PGC_FIXTURES_DIR) / "t2i";

// Max |ours - reference| over the whole matrix, relative to max |reference|.
double max_relative_diff(const pgc::NpyArray& ours, const pgc::NpyArray& ref) {
  BOOST_REQUIRE(ours.shape == ref.shape);
  const auto a = ours.to_double(), b = ref.to_double();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  BOOST_REQUIRE(scale > 0);
  return diff / scale;
}

size_t manifest_rows(const fs::path& manifest) {
  const pgc::JsonDoc doc = pgc::read_json_file(manifest.string());
  return doc["images"].GetArray().Size();
}

void check_features(const std::string& flags, const fs::path& reference, const fs::path& manifest,
                    const std::string& tag) {
  pgc_test::TempDir dir(tag);
  const fs::path out = dir.path / "features.npy";
  const pgc_test::Run r = pgc_test::run_pgc_command(
      "features " + flags + " --images " + q(kT2i / "images") + " --out " + q(out) + " --device cpu --quiet", dir.path);
  BOOST_TEST_CONTEXT(r.err) { BOOST_REQUIRE(r.rc == 0); }
  const pgc::NpyArray ours = pgc::read_npy(out.string()), ref = pgc::read_npy(reference.string());
  BOOST_TEST((ours.dtype == pgc::NpyDType::kFloat32));
  BOOST_TEST(ours.shape.at(0) == manifest_rows(manifest));
  const double rel = max_relative_diff(ours, ref);
  BOOST_TEST_MESSAGE(tag << ": max |diff| / max |ref| = " << rel);
  BOOST_TEST(rel <= 1e-4);
}

}  // namespace

BOOST_AUTO_TEST_CASE(inception_features_of_every_image) {
  check_features("--model inception --batch 4 --weights " + q(kT2i / "inception" / "inception_fid_random_f16.safetensors"),
                 kT2i / "inception" / "features.npy", kT2i / "inception" / "manifest.json", "inception");
}

BOOST_AUTO_TEST_CASE(dinov2_features_of_every_image) {
  const fs::path d = kT2i / "dinov2";
  check_features("--model dinov2 --batch 3 --weights " + q(d / "dinov2_small_random.safetensors") + " --config " +
                     q(d / "dinov2_small_random.config.json"),
                 d / "features_dinov2_small_random.npy", d / "manifest.json", "dinov2");
}

BOOST_AUTO_TEST_CASE(dinov2_with_registers_features_of_every_image) {
  const fs::path d = kT2i / "dinov2";
  check_features("--model dinov2 --weights " + q(d / "dinov2_small_reg4_random.safetensors") + " --config " +
                     q(d / "dinov2_small_reg4_random.config.json"),
                 d / "features_dinov2_small_reg4_random.npy", d / "manifest.json", "dinov2_reg4");
}

BOOST_AUTO_TEST_CASE(dinov2_clean_resize_features_of_every_image) {
  const fs::path d = kT2i / "dinov2";
  check_features("--model dinov2 --clean-resize --weights " + q(d / "dinov2_small_random.safetensors") + " --config " +
                     q(d / "dinov2_small_random.config.json"),
                 d / "features_dinov2_small_random_clean_resize.npy", d / "manifest.json", "dinov2_clean");
}
