// FID InceptionV3 (models/torch/inception_fid.cpp) against the pytorch-fid fixtures in
// t2i/inception/: the intermediates of one image, the pool3 features of every image, batching,
// and the loud failures of weight loading and bad arguments.
#define BOOST_TEST_MODULE torch_inception
#include <spng.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "models/feature_extractor.hpp"
#include "models/safetensors.hpp"
#include "models/torch/inception_fid.hpp"
#include "t2i/npy.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(PGC_FIXTURES_DIR) + "/t2i";
const std::string kInception = kFixtures + "/inception";
const std::string kWeights = kInception + "/inception_fid_random_f16.safetensors";

// Tolerances, relative to the largest |value| of the reference tensor (README: ~1e-4 on
// features for a float32 CPU implementation, tighter on the intermediates; the reference's
// own thread-count noise is 4e-6 of max |feature|).
// Measured here (Debian LibTorch 1.13 CPU): resize exact, block0/1 <= 1e-6, block2 1.6e-5,
// block3 and features <= 2.2e-5.
constexpr double kResizeTolerance = 1e-6;
constexpr double kEarlyBlockTolerance = 1e-5;
constexpr double kFeatureTolerance = 1e-4;

at::Tensor read_npy_tensor(const std::string& path) {
  const pgc::NpyArray a = pgc::read_npy(path);
  std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  if (a.dtype == pgc::NpyDType::kFloat32)
    return at::from_blob(const_cast<unsigned char*>(a.data.data()), shape, at::kFloat).clone();
  if (a.dtype == pgc::NpyDType::kUInt8)
    return at::from_blob(const_cast<unsigned char*>(a.data.data()), shape, at::kByte).clone();
  throw std::runtime_error(path + ": unexpected dtype");
}

// An HxWx3 uint8 image as ToTensor does it: float32 u8 / 255.
pgc::ImageF32 image_from_u8(const uint8_t* pixels, int width, int height) {
  pgc::ImageF32 image;
  image.width = width;
  image.height = height;
  image.rgb.resize(size_t(width) * height * 3);
  for (size_t i = 0; i < image.rgb.size(); ++i) image.rgb[i] = pixels[i] / 255.0f;
  return image;
}

// PIL's Image.open(p).convert("RGB") for the fixture PNGs: gray replicated, alpha dropped,
// palette expanded (libspng's RGB8 output does the same for 8-bit PNGs).
pgc::ImageF32 read_png_rgb(const std::string& path) {
  const std::string bytes = pgc::read_file(path);
  spng_ctx* ctx = spng_ctx_new(0);
  spng_ihdr ihdr{};
  size_t size = 0;
  std::vector<uint8_t> pixels;
  int rc = spng_set_png_buffer(ctx, bytes.data(), bytes.size());
  if (!rc) rc = spng_get_ihdr(ctx, &ihdr);
  if (!rc) rc = spng_decoded_image_size(ctx, SPNG_FMT_RGB8, &size);
  if (!rc) {
    pixels.resize(size);
    rc = spng_decode_image(ctx, pixels.data(), size, SPNG_FMT_RGB8, 0);
  }
  spng_ctx_free(ctx);
  if (rc) throw std::runtime_error(path + ": " + spng_strerror(rc));
  return image_from_u8(pixels.data(), int(ihdr.width), int(ihdr.height));
}

// A fixture image by manifest name: PNGs decoded here, JPEGs from PIL's decoded pixels
// (JPEG decoders differ; the decoder is not under test here).
pgc::ImageF32 fixture_image(const std::string& file) {
  const std::string path = kFixtures + "/images/" + file;
  if (file.size() > 4 && file.compare(file.size() - 4, 4, ".jpg") == 0) {
    at::Tensor u8 = read_npy_tensor(path + ".decoded_rgb_u8.npy");
    return image_from_u8(u8.data_ptr<uint8_t>(), int(u8.size(1)), int(u8.size(0)));
  }
  return read_png_rgb(path);
}

std::vector<std::string> manifest_files() {
  const std::string path = kInception + "/manifest.json";
  pgc::JsonDoc doc = pgc::read_json_file(path);
  std::vector<std::string> files;
  for (const auto& image : pgc::member(doc, "images", path, "").GetArray())
    files.push_back(pgc::get_string(pgc::member(image, "file", path, "images"), path, "file"));
  return files;
}

struct Diff {
  double max_abs = 0;  // max |got - want|
  double scale = 0;    // max |want|
  double relative() const { return scale > 0 ? max_abs / scale : max_abs; }
};

Diff compare(const at::Tensor& got, const at::Tensor& want) {
  BOOST_REQUIRE(got.sizes() == want.sizes());
  Diff d;
  d.max_abs = (got.to(at::kDouble) - want.to(at::kDouble)).abs().max().item<double>();
  d.scale = want.to(at::kDouble).abs().max().item<double>();
  return d;
}

void check_close(const std::string& what, const at::Tensor& got, const at::Tensor& want, double tolerance) {
  const Diff d = compare(got, want);
  BOOST_TEST_MESSAGE(what << ": max |diff| " << d.max_abs << ", max |ref| " << d.scale
                          << ", relative " << d.relative());
  BOOST_TEST(d.relative() <= tolerance, what << ": relative diff " << d.relative() << " > " << tolerance);
}

at::Tensor features_of(pgc::FeatureExtractor& model, const std::vector<pgc::ImageF32>& batch) {
  std::vector<float> out;
  model.extract(batch, out);
  BOOST_REQUIRE_EQUAL(out.size(), batch.size() * model.dim());
  return at::from_blob(out.data(), {int64_t(batch.size()), int64_t(model.dim())}, at::kFloat).clone();
}

pgc::FeatureExtractor& fixture_model() {
  static std::unique_ptr<pgc::FeatureExtractor> model = pgc::load_inception_fid(kWeights, "cpu");
  return *model;
}

// --- safetensors variants of the fixture checkpoint, written by hand ---

struct StoredTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};
using Checkpoint = std::map<std::string, StoredTensor>;

Checkpoint fixture_checkpoint() {
  pgc::SafetensorsCheckpoint file(kWeights);
  Checkpoint c;
  for (const std::string& name : file.names()) {
    const pgc::SafeTensor& t = file.tensor(name);
    c[name] = {pgc::safe_dtype_name(t.dtype), t.shape,
               std::string(reinterpret_cast<const char*>(t.data), t.nbytes())};
  }
  return c;
}

std::string temp_file(const std::string& name) {
  static const fs::path dir = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_torch_inception_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return (dir / name).string();
}

std::string write_checkpoint(const std::string& name, const Checkpoint& c) {
  std::string header = "{", data;
  for (const auto& [tensor_name, t] : c) {
    std::string shape;
    for (int64_t d : t.shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t begin = data.size();
    data += t.bytes;
    header += (header.size() > 1 ? "," : "") + std::string("\"") + tensor_name + "\":{\"dtype\":\"" +
              t.dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" + std::to_string(begin) +
              "," + std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string length;
  for (int i = 0; i < 8; ++i) length += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  const std::string path = temp_file(name);
  std::ofstream(path, std::ios::binary) << length << header << data;
  return path;
}

StoredTensor f32_tensor(std::vector<int64_t> shape, float value) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(size_t(n), value);
  return {"F32", shape, std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float))};
}

// Runs `f`, which must throw an E whose message holds every one of `parts`.
template <class E>
void expect_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    BOOST_ERROR("no exception thrown");
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "'" << p << "' not in: " << msg);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(interface) {
  pgc::FeatureExtractor& model = fixture_model();
  BOOST_TEST(model.dim() == 2048u);
  BOOST_TEST(model.input_size() == 0);
  BOOST_TEST(model.name() == "inception-fid-pool3");
}

BOOST_AUTO_TEST_CASE(intermediates_of_img02) {
  const std::string dir = kInception + "/intermediates_img02_rgb_512x384/";
  const at::Tensor input = read_npy_tensor(dir + "input_totensor.npy");
  // The test's own decoding agrees with the reference's ToTensor exactly.
  const pgc::ImageF32 decoded = read_png_rgb(kFixtures + "/images/img02_rgb_512x384.png");
  at::Tensor decoded_chw = at::from_blob(const_cast<float*>(decoded.rgb.data()), {decoded.height, decoded.width, 3})
                               .permute({2, 0, 1})
                               .unsqueeze(0);
  BOOST_TEST(at::equal(decoded_chw.contiguous(), input));

  const pgc::InceptionFidIntermediates got = pgc::inception_fid_intermediates(fixture_model(), input);
  check_close("resized", got.resized, read_npy_tensor(dir + "input_resized_299.npy"), kResizeTolerance);
  check_close("normalized", got.normalized, read_npy_tensor(dir + "input_normalized_299.npy"), kResizeTolerance);
  check_close("block0", got.block0, read_npy_tensor(dir + "block0_out.npy"), kEarlyBlockTolerance);
  check_close("block1", got.block1, read_npy_tensor(dir + "block1_out.npy"), kEarlyBlockTolerance);
  check_close("block2", got.block2, read_npy_tensor(dir + "block2_out.npy"), kFeatureTolerance);
  check_close("block3", got.block3, read_npy_tensor(dir + "block3_out.npy"), kFeatureTolerance);
}

BOOST_AUTO_TEST_CASE(features_of_every_fixture_image) {
  const std::vector<std::string> files = manifest_files();
  const at::Tensor want = read_npy_tensor(kInception + "/features.npy");
  BOOST_REQUIRE_EQUAL(want.size(0), int64_t(files.size()));
  BOOST_REQUIRE(files.size() >= 10u);
  double worst = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    BOOST_TEST_CONTEXT(files[i]) {
      const at::Tensor got = features_of(fixture_model(), {fixture_image(files[i])});
      const Diff d = compare(got[0], want[int64_t(i)]);
      BOOST_TEST_MESSAGE(files[i] << ": max |diff| " << d.max_abs << ", max |ref| " << d.scale
                                  << ", relative " << d.relative());
      BOOST_TEST(d.relative() <= kFeatureTolerance);
      worst = std::max(worst, d.relative());
    }
  }
  BOOST_TEST_MESSAGE("features: worst relative diff " << worst);
}

BOOST_AUTO_TEST_CASE(batch_equals_singles) {
  // Three same-size images (two of them different: the batch is not one image repeated).
  const pgc::ImageF32 a = fixture_image("img02_rgb_512x384.png");
  pgc::ImageF32 b = a, c = a;
  for (float& v : b.rgb) v = 1.0f - v;
  std::reverse(c.rgb.begin(), c.rgb.end());
  const at::Tensor batch = features_of(fixture_model(), {a, b, c});
  const std::vector<pgc::ImageF32> singles = {a, b, c};
  for (int64_t i = 0; i < 3; ++i) {
    const at::Tensor single = features_of(fixture_model(), {singles[size_t(i)]});
    check_close("batch row " + std::to_string(i), batch[i], single[0], 1e-5);
  }
  BOOST_TEST(compare(batch[0], batch[1]).relative() > 1e-2);  // the rows differ
}

BOOST_AUTO_TEST_CASE(mixed_sizes_in_one_batch) {
  const std::vector<std::string> files = manifest_files();
  const at::Tensor want = read_npy_tensor(kInception + "/features.npy");
  // 64x64 (upscaled), 299x299 (copied), 640x427 JPEG pixels (downscaled), 97x211 (mixed).
  std::vector<size_t> rows;
  for (size_t i = 0; i < files.size(); ++i)
    if (files[i].find("64x64") != std::string::npos || files[i].find("299x299") != std::string::npos ||
        files[i] == "jpg_000000142238.jpg" || files[i].find("97x211") != std::string::npos)
      rows.push_back(i);
  BOOST_REQUIRE_EQUAL(rows.size(), 4u);
  std::vector<pgc::ImageF32> batch;
  for (size_t r : rows) batch.push_back(fixture_image(files[r]));
  const at::Tensor got = features_of(fixture_model(), batch);
  for (size_t k = 0; k < rows.size(); ++k)
    check_close(files[rows[k]] + " in a mixed batch", got[int64_t(k)], want[int64_t(rows[k])], kFeatureTolerance);
}

BOOST_AUTO_TEST_CASE(fc_head_is_ignored_and_scalar_counters_load) {
  // The real pt_inception .pth converted with safetensors.torch.save_file: 1008-class fc head
  // present, num_batches_tracked stored 0-d.
  Checkpoint c = fixture_checkpoint();
  size_t counters = 0;
  for (auto& [name, t] : c)
    if (name.size() > 19 && name.compare(name.size() - 19, 19, "num_batches_tracked") == 0) {
      BOOST_REQUIRE_EQUAL(t.dtype, "I64");
      t.shape = {};
      ++counters;
    }
  BOOST_TEST(counters == 94u);  // one per BasicConv2d
  c["fc.weight"] = f32_tensor({1008, 2048}, 0.5f);
  c["fc.bias"] = f32_tensor({1008}, 0.25f);
  const std::string path = write_checkpoint("with_fc.safetensors", c);
  auto model = pgc::load_inception_fid(path, "cpu");
  const pgc::ImageF32 image = fixture_image("img00_rgb_64x64.png");
  BOOST_TEST(at::equal(features_of(*model, {image}), features_of(fixture_model(), {image})));
}

BOOST_AUTO_TEST_CASE(batch_norm_counters_may_be_absent) {
  // Old checkpoints have no num_batches_tracked (PyTorch's loader fills them in); unused in eval.
  Checkpoint c = fixture_checkpoint();
  const size_t all = c.size();
  for (auto it = c.begin(); it != c.end();)
    it = it->first.find("num_batches_tracked") != std::string::npos ? c.erase(it) : std::next(it);
  BOOST_REQUIRE_EQUAL(c.size(), all - 94u);  // one per BasicConv2d
  const std::string path = write_checkpoint("no_counters.safetensors", c);
  auto model = pgc::load_inception_fid(path, "cpu");
  const pgc::ImageF32 image = fixture_image("img00_rgb_64x64.png");
  BOOST_TEST(at::equal(features_of(*model, {image}), features_of(fixture_model(), {image})));
}

BOOST_AUTO_TEST_CASE(missing_tensor_is_named) {
  Checkpoint c = fixture_checkpoint();
  BOOST_REQUIRE(c.erase("Mixed_6c.branch7x7dbl_3.bn.running_var") == 1u);
  const std::string path = write_checkpoint("missing.safetensors", c);
  expect_error<pgc::InputError>([&] { pgc::load_inception_fid(path, "cpu"); },
                                {path, "Mixed_6c.branch7x7dbl_3.bn.running_var", "missing"});
}

BOOST_AUTO_TEST_CASE(wrong_shape_is_named) {
  Checkpoint c = fixture_checkpoint();
  StoredTensor& t = c.at("Mixed_7b.branch3x3_2a.conv.weight");  // (384, 384, 1, 3)
  BOOST_REQUIRE(t.shape == std::vector<int64_t>({384, 384, 1, 3}));
  t.shape = {384, 384, 3, 1};  // the 2b kernel's shape: same size, wrong layout
  const std::string path = write_checkpoint("shape.safetensors", c);
  expect_error<pgc::InputError>([&] { pgc::load_inception_fid(path, "cpu"); },
                                {path, "Mixed_7b.branch3x3_2a.conv.weight", "[384, 384, 3, 1]", "[384, 384, 1, 3]"});
}

BOOST_AUTO_TEST_CASE(unexpected_tensor_is_named) {
  Checkpoint c = fixture_checkpoint();
  c["AuxLogits.conv0.conv.weight"] = f32_tensor({128, 768, 1, 1}, 0.0f);  // torchvision's aux head
  const std::string path = write_checkpoint("extra.safetensors", c);
  expect_error<pgc::InputError>([&] { pgc::load_inception_fid(path, "cpu"); },
                                {path, "AuxLogits.conv0.conv.weight", "unexpected"});
  // Step counters are skipped only where the model has a BatchNorm.
  Checkpoint d = fixture_checkpoint();
  d["Mixed_5b.branch1x1.num_batches_tracked"] = d.at("Mixed_5b.branch1x1.bn.num_batches_tracked");
  const std::string counter_path = write_checkpoint("extra_counter.safetensors", d);
  expect_error<pgc::InputError>([&] { pgc::load_inception_fid(counter_path, "cpu"); },
                                {"Mixed_5b.branch1x1.num_batches_tracked", "unexpected"});
}

BOOST_AUTO_TEST_CASE(bad_device_and_bad_images) {
  expect_error<pgc::UsageError>([] { pgc::load_inception_fid(kWeights, "tpu"); }, {"tpu"});
  if (!at::hasCUDA())
    expect_error<pgc::UsageError>([] { pgc::load_inception_fid(kWeights, "cuda"); }, {"cuda"});
  pgc::ImageF32 short_image;
  short_image.width = 4;
  short_image.height = 3;
  short_image.rgb.assign(4 * 3 * 3 - 1, 0.5f);
  std::vector<float> out;
  expect_error<std::invalid_argument>([&] { fixture_model().extract({short_image}, out); }, {"4x3", "35"});
  BOOST_TEST(out.empty());
  fixture_model().extract({}, out);
  BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_CASE(empty_path_is_random_init) {
  auto model = pgc::load_inception_fid("", "cpu");
  const at::Tensor f = features_of(*model, {fixture_image("img06_palette_100x100.png")});
  BOOST_TEST(at::isfinite(f).all().item<bool>());
  BOOST_TEST(compare(f, features_of(fixture_model(), {fixture_image("img06_palette_100x100.png")})).relative() > 1e-2);
}
