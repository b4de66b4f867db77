// The safetensors reader on hand-built files (good and corrupt), sharded checkpoints, and
// the headers of the real fixture weight files.
#define BOOST_TEST_MODULE safetensors
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "models/safetensors.hpp"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_safetensors_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

// A safetensors file from a header text and raw data bytes.
std::string build(const std::string& header, const std::string& data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

fs::path write(const std::string& name, const std::string& bytes) {
  fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

template <typename T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof(T));
  return s;
}

// 2x3 F32 (24 bytes) + 4 F16 (8) + 2 BF16 (4) + I64 scalar (8) + 3 U8 + 1 BOOL = 48 bytes.
const std::string kGoodHeader =
    R"({"__metadata__": {"format": "pt", "embed_dim": "192"},)"
    R"( "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},)"
    R"( "h": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},)"
    R"( "bf": {"dtype": "BF16", "shape": [2], "data_offsets": [32, 36]},)"
    R"( "n": {"dtype": "I64", "shape": [], "data_offsets": [36, 44]},)"
    R"( "u": {"dtype": "U8", "shape": [3], "data_offsets": [44, 47]},)"
    R"( "flag": {"dtype": "BOOL", "shape": [1], "data_offsets": [47, 48]}})";

std::string good_data() {
  return raw<float>({1.5f, -2.f, 3.f, 0.f, 1e-3f, 7.f}) +
         raw<uint16_t>({0x3C00, 0xC000, 0x7BFF, 0x0001}) +  // 1, -2, 65504, 2^-24
         raw<uint16_t>({0x3F80, 0xC0A0}) +                  // 1, -5
         raw<int64_t>({42}) + std::string("\x01\x02\x03", 3) + std::string("\x01", 1);
}

void expect_error(const std::string& name, const std::string& header, const std::string& data,
                  const std::string& needle) {
  fs::path p = write(name, build(header, data));
  try {
    pgc::SafetensorsFile f(p.string());
    BOOST_FAIL(name + ": no error");
  } catch (const pgc::InputError& e) {
    BOOST_TEST_CONTEXT(name << ": " << e.what()) {
      BOOST_TEST(e.file() == p.string());
      BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_every_supported_dtype_and_metadata) {
  fs::path p = write("good.safetensors", build(kGoodHeader, good_data()));
  pgc::SafetensorsFile f(p.string());
  BOOST_TEST(f.metadata().at("embed_dim") == "192");
  BOOST_TEST(f.tensors().size() == 6u);
  const auto& w = f.tensors().at("w");
  BOOST_TEST((w.shape == std::vector<int64_t>{2, 3}));
  BOOST_TEST(w.numel() == 6u);
  auto wf = pgc::to_float32(w);
  BOOST_TEST(wf[0] == 1.5f);
  BOOST_TEST(wf[4] == 1e-3f);
  auto hf = pgc::to_float32(f.tensors().at("h"));
  BOOST_TEST(hf[0] == 1.0f);
  BOOST_TEST(hf[1] == -2.0f);
  BOOST_TEST(hf[2] == 65504.0f);
  BOOST_TEST(hf[3] == std::ldexp(1.0f, -24));
  auto bf = pgc::to_float32(f.tensors().at("bf"));
  BOOST_TEST(bf[0] == 1.0f);
  BOOST_TEST(bf[1] == -5.0f);
  const auto& n = f.tensors().at("n");
  BOOST_TEST(n.shape.empty());
  BOOST_TEST(n.numel() == 1u);
  int64_t v;
  std::memcpy(&v, n.data, 8);
  BOOST_TEST(v == 42);
  BOOST_TEST(f.tensors().at("u").data[2] == 3);
  BOOST_TEST((f.tensors().at("flag").dtype == pgc::SafeDType::kBool));
  BOOST_CHECK_THROW(pgc::to_float32(n), pgc::InputError);  // not a float tensor
}

BOOST_AUTO_TEST_CASE(half_conversion_special_values) {
  BOOST_TEST(std::isinf(pgc::half_to_float(0x7C00)));
  BOOST_TEST(std::isnan(pgc::half_to_float(0x7E00)));
  BOOST_TEST(std::signbit(pgc::half_to_float(0x8000)));
  BOOST_TEST(pgc::half_to_float(0x03FF) == 1023.0f * std::ldexp(1.0f, -24));  // largest subnormal
  BOOST_TEST(pgc::half_to_float(0x3555) == 0.333251953125f);
}

BOOST_AUTO_TEST_CASE(corrupt_files_are_clear_errors) {
  const std::string one = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})";
  const std::string data8 = raw<float>({1.f, 2.f});
  // Too short for the length field.
  {
    fs::path p = write("tiny.safetensors", "abc");
    BOOST_CHECK_THROW(pgc::SafetensorsFile(p.string()), pgc::InputError);
  }
  // Header length past the end of the file.
  {
    std::string bytes = build(one, data8);
    bytes[0] = static_cast<char>(0xf0);
    bytes[1] = static_cast<char>(0x01);
    fs::path p = write("hlen.safetensors", bytes);
    try {
      pgc::SafetensorsFile f(p.string());
      BOOST_FAIL("no error");
    } catch (const pgc::InputError& e) {
      BOOST_TEST(std::string(e.what()).find("past the end") != std::string::npos);
    }
  }
  // Data truncated: offsets past the data section.
  expect_error("trunc.safetensors", one, data8.substr(0, 5), "past the data section");
  // Overlapping offsets.
  expect_error("overlap.safetensors",
               R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
               R"( "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
               data8, "overlap");
  // A gap before a tensor.
  expect_error("gap.safetensors", R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", data8, "gap");
  // Span does not match shape x dtype size.
  expect_error("size.safetensors", R"({"a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 8]}})", data8,
               "needs 4");
  // Unknown dtype.
  expect_error("dtype.safetensors", R"({"a": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}})", data8,
               "unsupported dtype 'Q4'");
  // The same name twice.
  expect_error("dup.safetensors",
               R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},)"
               R"( "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
               data8, "twice");
  // end before begin.
  expect_error("order.safetensors", R"({"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}})", data8,
               "before begin");
  // Bytes after the last tensor.
  expect_error("tail.safetensors", one, data8 + "xxxx", "not described");
  // Malformed JSON, missing keys, non-string metadata.
  expect_error("json.safetensors", R"({"a": {"dtype": "F32",)", data8, "JSON");
  expect_error("nokey.safetensors", R"({"a": {"dtype": "F32", "shape": [2]}})", data8, "data_offsets");
  expect_error("meta.safetensors",
               R"({"__metadata__": {"k": 3}, "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})",
               data8, "not a string");
}

BOOST_AUTO_TEST_CASE(sharded_checkpoint_through_its_index) {
  write("model-00001-of-00002.safetensors",
        build(R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", raw<float>({1.f, 2.f})));
  write("model-00002-of-00002.safetensors",
        build(R"({"y": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}})", raw<uint16_t>({0x4040})));
  fs::path index = write("model.safetensors.index.json",
                         R"({"metadata": {"total_size": 10}, "weight_map": {)"
                         R"("x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}})");
  pgc::SafetensorsCheckpoint ck(index.string());
  BOOST_TEST((ck.names() == std::vector<std::string>{"x", "y"}));
  BOOST_TEST(pgc::to_float32(ck.tensor("y"))[0] == 3.0f);
  BOOST_TEST(pgc::to_float32(ck.tensor("x"))[1] == 2.0f);
  BOOST_TEST(!ck.contains("z"));
  BOOST_CHECK_THROW(ck.tensor("z"), pgc::InputError);

  // The index names a tensor its shard lacks.
  fs::path bad = write("bad.index.json",
                       R"({"weight_map": {"x": "model-00002-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}})");
  BOOST_CHECK_THROW(pgc::SafetensorsCheckpoint(bad.string()), pgc::InputError);
  // A shard holds a tensor the index does not list.
  fs::path partial = write("partial.index.json", R"({"weight_map": {"x": "model-00001-of-00002.safetensors"}})");
  BOOST_CHECK_NO_THROW(pgc::SafetensorsCheckpoint(partial.string()));
  fs::path extra = write("extra.index.json", R"({"weight_map": {"y": "model-00002-of-00002.safetensors",)"
                                             R"( "x": "model-00001-of-00002.safetensors"}})");
  BOOST_CHECK_NO_THROW(pgc::SafetensorsCheckpoint(extra.string()));
  write("model-extra.safetensors",
        build(R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
              raw<float>({1.f, 2.f})));
  fs::path unlisted = write("unlisted.index.json", R"({"weight_map": {"x": "model-extra.safetensors"}})");
  BOOST_CHECK_THROW(pgc::SafetensorsCheckpoint(unlisted.string()), pgc::InputError);
  // A missing shard file.
  fs::path missing = write("missing.index.json", R"({"weight_map": {"x": "nowhere.safetensors"}})");
  BOOST_CHECK_THROW(pgc::SafetensorsCheckpoint(missing.string()), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(fixture_weight_files_parse) {
  const fs::path t2i = fs::path(PGC_FIXTURES_DIR) / "t2i";
  pgc::SafetensorsCheckpoint inception((t2i / "inception" / "inception_fid_random_f16.safetensors").string());
  const auto& conv = inception.tensor("Conv2d_1a_3x3.conv.weight");
  BOOST_TEST((conv.dtype == pgc::SafeDType::kF16));
  BOOST_TEST((conv.shape == std::vector<int64_t>{32, 3, 3, 3}));
  BOOST_TEST((inception.tensor("Mixed_7c.branch_pool.bn.num_batches_tracked").dtype == pgc::SafeDType::kI64));
  auto w = pgc::to_float32(conv);
  BOOST_TEST(w.size() == 864u);
  for (float x : w) BOOST_TEST_REQUIRE(std::isfinite(x));

  pgc::SafetensorsCheckpoint dino((t2i / "dinov2" / "dinov2_small_random.safetensors").string());
  BOOST_TEST(!dino.metadata().empty());
  BOOST_TEST((dino.tensor("cls_token").dtype == pgc::SafeDType::kF32));
  BOOST_TEST(dino.contains("blocks.3.mlp.fc2.weight"));
}

BOOST_AUTO_TEST_CASE(cleanup) { fs::remove_all(temp_dir()); }
