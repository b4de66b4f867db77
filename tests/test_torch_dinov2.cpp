// DINOv2 (FD-DINOv2's extractor) against the t2i fixtures: the interpolated position
// embeddings, the intermediates of one image, every image's feature for both fixture models
// (registers / antialiased interpolation included), batching, the HF transformers naming of
// the same weights, and the loud failures of the loader and the config reader.
#define BOOST_TEST_MODULE torch_dinov2
#include <unistd.h>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json.hpp"
#include "models/feature_extractor.hpp"
#include "models/safetensors.hpp"
#include "models/torch/dinov2.hpp"
#include "t2i/npy.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kDir = std::string(PGC_FIXTURES_DIR) + "/t2i/dinov2/";
const char* kModels[] = {"dinov2_small_random", "dinov2_small_reg4_random"};

// README: a LibTorch float32 CPU implementation should agree to ~1e-4 relative (different
// GEMM/conv kernels); we hold features and activations to 1e-4 of the array's largest
// magnitude, and the position embedding (no GEMM involved) to 1e-6 of it.
constexpr double kRelTol = 1e-4;
constexpr double kPosEmbedRelTol = 1e-6;

std::string weights_of(const std::string& model) { return kDir + model + ".safetensors"; }
pgc::Dinov2Config config_of(const std::string& model) {
  return pgc::read_dinov2_config(kDir + model + ".config.json");
}

at::Tensor tensor_from_npy(const std::string& path) {
  const pgc::NpyArray a = pgc::read_npy(path);
  BOOST_REQUIRE(a.dtype == pgc::NpyDType::kFloat32);
  std::vector<int64_t> shape(a.shape.begin(), a.shape.end());
  at::Tensor t = at::empty(shape, at::kFloat);
  std::memcpy(t.data_ptr<float>(), a.data.data(), a.data.size());
  return t;
}

// The fixture's resized 224x224 uint8 image as ToTensor gives it: u8 / 255 in float32.
pgc::ImageF32 resized_image(const std::string& stem) {
  const pgc::NpyArray a = pgc::read_npy(kDir + "resized_224_u8/" + stem + ".npy");
  BOOST_REQUIRE(a.dtype == pgc::NpyDType::kUInt8);
  BOOST_REQUIRE(a.shape.size() == 3 && a.shape[2] == 3);
  pgc::ImageF32 img;
  img.height = static_cast<int>(a.shape[0]);
  img.width = static_cast<int>(a.shape[1]);
  for (unsigned char v : a.data) img.rgb.push_back(static_cast<float>(v) / 255.0f);
  return img;
}

// Image stems in the order of the feature rows (the manifest's order).
std::vector<std::string> image_stems() {
  const pgc::JsonDoc manifest = pgc::read_json_file(kDir + "manifest.json");
  std::vector<std::string> stems;
  for (const auto& image : manifest["images"].GetArray()) {
    const std::string file = image["file"].GetString();
    stems.push_back(file.substr(0, file.rfind('.')));
  }
  return stems;
}

struct Diff {
  double max_abs = 0, max_ref = 0;
  double relative() const { return max_abs / std::max(max_ref, 1e-30); }
};

Diff compare(const at::Tensor& got_in, const at::Tensor& want_in) {
  const at::Tensor got = got_in.to(at::kCPU).to(at::kDouble), want = want_in.to(at::kDouble);
  BOOST_REQUIRE(got.sizes() == want.sizes());
  return {(got - want).abs().max().item<double>(), want.abs().max().item<double>()};
}

void check_close(const std::string& what, const at::Tensor& got, const at::Tensor& want, double rel_tol) {
  const Diff d = compare(got, want);
  BOOST_TEST_MESSAGE(what << ": max |diff| " << d.max_abs << ", max |ref| " << d.max_ref << ", relative "
                          << d.relative());
  BOOST_TEST(d.relative() <= rel_tol, what << ": relative max diff " << d.relative() << " > " << rel_tol);
}

fs::path temp_path(const std::string& name) {
  static fs::path dir = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_torch_dinov2_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return dir / name;
}

struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// Writes the tensors as a .safetensors file, stored as F32 or (rounded by LibTorch) F16.
fs::path write_safetensors(const std::string& file, const std::vector<NamedTensor>& tensors, bool f16 = false) {
  std::string header = "{", data;
  for (const NamedTensor& t : tensors) {
    std::string shape;
    for (int64_t d : t.shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    const size_t begin = data.size();
    at::Tensor values = at::from_blob(const_cast<float*>(t.values.data()), {static_cast<int64_t>(t.values.size())},
                                      at::kFloat).to(f16 ? at::kHalf : at::kFloat).contiguous();
    data.append(static_cast<const char*>(values.data_ptr()), values.nbytes());
    header += (header.size() > 1 ? "," : "") + std::string("\"") + t.name + "\":{\"dtype\":\"" + (f16 ? "F16" : "F32") +
              "\",\"shape\":[" + shape + "],\"data_offsets\":[" + std::to_string(begin) + "," +
              std::to_string(data.size()) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes += static_cast<char>((uint64_t(header.size()) >> (8 * i)) & 0xff);
  const fs::path path = temp_path(file);
  std::ofstream(path, std::ios::binary) << bytes << header << data;
  return path;
}

std::vector<NamedTensor> fixture_tensors(const std::string& model) {
  pgc::SafetensorsCheckpoint checkpoint(weights_of(model));
  std::vector<NamedTensor> out;
  for (const std::string& name : checkpoint.names()) {
    const pgc::SafeTensor& t = checkpoint.tensor(name);
    out.push_back({name, t.shape, pgc::to_float32(t)});
  }
  return out;
}

// The hub checkpoint renamed to HF transformers' Dinov2Model names, qkv split into
// query/key/value (rows 0..D, D..2D, 2D..3D).
std::vector<NamedTensor> hub_to_hf(const std::vector<NamedTensor>& hub) {
  auto replace_prefix = [](const std::string& s, const std::string& from, const std::string& to) {
    return s.rfind(from, 0) == 0 ? to + s.substr(from.size()) : std::string();
  };
  std::vector<NamedTensor> out;
  for (const NamedTensor& t : hub) {
    const std::string& n = t.name;
    if (n == "cls_token") out.push_back({"embeddings.cls_token", t.shape, t.values});
    else if (n == "pos_embed") out.push_back({"embeddings.position_embeddings", t.shape, t.values});
    else if (n == "register_tokens") out.push_back({"embeddings.register_tokens", t.shape, t.values});
    else if (n == "mask_token") out.push_back({"embeddings.mask_token", t.shape, t.values});
    else if (n.rfind("patch_embed.proj.", 0) == 0)
      out.push_back({replace_prefix(n, "patch_embed.proj.", "embeddings.patch_embeddings.projection."), t.shape, t.values});
    else if (n.rfind("norm.", 0) == 0) out.push_back({replace_prefix(n, "norm.", "layernorm."), t.shape, t.values});
    else {
      BOOST_REQUIRE(n.rfind("blocks.", 0) == 0);
      const size_t dot = n.find('.', 7);
      const std::string layer = "encoder.layer." + n.substr(7, dot - 7) + ".";
      const std::string inner = n.substr(dot + 1);
      if (inner.rfind("attn.qkv.", 0) == 0) {
        const std::string kind = inner.substr(9);  // weight / bias
        const int64_t rows = t.shape[0] / 3;
        const size_t per = t.values.size() / 3;
        std::vector<int64_t> shape = t.shape;
        shape[0] = rows;
        const char* parts[] = {"query", "key", "value"};
        for (int i = 0; i < 3; ++i)
          out.push_back({layer + "attention.attention." + parts[i] + "." + kind, shape,
                         std::vector<float>(t.values.begin() + i * per, t.values.begin() + (i + 1) * per)});
      } else if (inner.rfind("attn.proj.", 0) == 0) {
        out.push_back({layer + "attention.output.dense." + inner.substr(10), t.shape, t.values});
      } else if (inner == "ls1.gamma") {
        out.push_back({layer + "layer_scale1.lambda1", t.shape, t.values});
      } else if (inner == "ls2.gamma") {
        out.push_back({layer + "layer_scale2.lambda1", t.shape, t.values});
      } else {  // norm1.*, norm2.*, mlp.fc1.*, mlp.fc2.* keep their names
        out.push_back({layer + inner, t.shape, t.values});
      }
    }
  }
  return out;
}

std::vector<NamedTensor> without(std::vector<NamedTensor> tensors, const std::string& name) {
  tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [&](const NamedTensor& t) { return t.name == name; }),
                tensors.end());
  return tensors;
}

// Runs `f`, which must throw an InputError whose message holds every one of `parts`.
void expect_input_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    BOOST_ERROR("no InputError thrown");
  } catch (const pgc::InputError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE("InputError: " << msg);
    for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "'" << p << "' not in: " << msg);
  }
}

std::vector<float> features(const std::string& weights, const pgc::Dinov2Config& config,
                            const std::vector<pgc::ImageF32>& images, size_t batch) {
  auto extractor = pgc::load_dinov2(weights, config, "cpu");
  std::vector<float> out;
  for (size_t i = 0; i < images.size(); i += batch)
    extractor->extract(std::vector<pgc::ImageF32>(images.begin() + i, images.begin() + std::min(images.size(), i + batch)),
                       out);
  return out;
}

at::Tensor as_matrix(std::vector<float> values, int64_t cols) {
  at::Tensor t = at::empty({static_cast<int64_t>(values.size()) / cols, cols}, at::kFloat);
  std::memcpy(t.data_ptr<float>(), values.data(), values.size() * sizeof(float));
  return t;
}

std::vector<pgc::ImageF32> all_images() {
  std::vector<pgc::ImageF32> images;
  for (const std::string& stem : image_stems()) images.push_back(resized_image(stem));
  return images;
}

}  // namespace

BOOST_AUTO_TEST_CASE(config_fixture_fields) {
  for (const char* model : kModels) {
    BOOST_TEST_CONTEXT(model) {
      const pgc::JsonDoc json = pgc::read_json_file(kDir + model + ".config.json");
      const pgc::Dinov2Config c = config_of(model);
      BOOST_TEST(c.img_size == json["img_size"].GetInt());
      BOOST_TEST(c.patch_size == json["patch_size"].GetInt());
      BOOST_TEST(c.embed_dim == json["embed_dim"].GetInt());
      BOOST_TEST(c.depth == json["depth"].GetInt());
      BOOST_TEST(c.num_heads == json["num_heads"].GetInt());
      BOOST_TEST(c.mlp_ratio == json["mlp_ratio"].GetDouble());
      BOOST_TEST(c.num_register_tokens == json["num_register_tokens"].GetInt());
      BOOST_TEST(c.interpolate_antialias == json["interpolate_antialias"].GetBool());
      BOOST_TEST(c.interpolate_offset == json["interpolate_offset"].GetDouble());
    }
  }
  // An empty object keeps the defaults: ViT-L/14 as dgm-eval loads it.
  const fs::path empty = temp_path("empty.config.json");
  std::ofstream(empty) << "{}";
  const pgc::Dinov2Config c = pgc::read_dinov2_config(empty.string());
  BOOST_TEST(c.embed_dim == 1024);
  BOOST_TEST(c.depth == 24);
  BOOST_TEST(c.num_heads == 16);
  BOOST_TEST(c.img_size == 518);
  BOOST_TEST(c.interpolate_offset == 0.1);
  BOOST_TEST(!c.interpolate_antialias);
}

BOOST_AUTO_TEST_CASE(config_errors_name_file_and_field) {
  struct Case { const char* json; const char* field; const char* what; };
  const Case cases[] = {
      {R"({"depth": "4"})", "depth", "integer"},
      {R"({"depth": 0})", "depth", ">= 1"},
      {R"({"embed_dim": 2.5})", "embed_dim", "integer"},
      {R"({"num_register_tokens": -1})", "num_register_tokens", ">= 0"},
      {R"({"mlp_ratio": "4"})", "mlp_ratio", "number"},
      {R"({"interpolate_antialias": 1})", "interpolate_antialias", "true or false"},
      {R"({"interpolate_offset": -0.1})", "interpolate_offset", ">= 0"},
      {R"({"embed_dim": 192, "num_heads": 5})", "num_heads", "divisible"},
      {R"({"ffn_layer": "swiglufused"})", "ffn_layer", "mlp"},
      {R"({"init_values": null})", "init_values", "LayerScale"},
      {R"({"layernorm_eps": 1e-5})", "layernorm_eps", "1e-06"},
      {R"({"qkv_bias": false})", "qkv_bias", "true"},
      {R"j({"act": "GELU (tanh)"})j", "act", "erf"},
      {R"({"embed_dims": 192})", "embed_dims", "unknown field"},
      {R"({"img_size": 10, "patch_size": 14})", "img_size", "patch_size"},
      {R"([1, 2])", "", "JSON object"},
      {R"({"depth": 4,})", "", "line 1"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const fs::path path = temp_path("bad" + std::to_string(i++) + ".config.json");
    std::ofstream(path) << c.json;
    BOOST_TEST_CONTEXT(c.json) {
      expect_input_error([&] { pgc::read_dinov2_config(path.string()); }, {path.string(), c.field, c.what});
    }
  }
  expect_input_error([] { pgc::read_dinov2_config(temp_path("absent.json").string()); }, {"absent.json"});
}

BOOST_AUTO_TEST_CASE(position_embedding_at_224) {
  c10::InferenceMode inference;
  for (const char* model : kModels) {
    BOOST_TEST_CONTEXT(model) {
      pgc::Dinov2Network net(weights_of(model), config_of(model), "cpu");
      BOOST_TEST(net.weights_layout() == "hub");
      check_close(std::string(model) + " pos_embed_224", net.position_embedding(224, 224),
                  tensor_from_npy(kDir + "pos_embed_224_" + model + ".npy"), kPosEmbedRelTol);
    }
  }
}

BOOST_AUTO_TEST_CASE(intermediates_of_img02) {
  c10::InferenceMode inference;
  const std::string dir = kDir + "intermediates_img02_rgb_512x384/";
  const std::string model = "dinov2_small_random";
  // The input normalization is elementwise float32 arithmetic: bit-exact.
  const at::Tensor input = tensor_from_npy(dir + "input_normalized_224.npy");
  const at::Tensor normalized = pgc::Dinov2Network::normalized_batch({resized_image("img02_rgb_512x384")});
  BOOST_TEST(at::equal(normalized, input));

  pgc::Dinov2Network net(weights_of(model), config_of(model), "cpu");
  pgc::Dinov2Trace trace;
  net.forward(input, &trace);
  check_close("tokens_after_posembed", trace.tokens_after_pos_embed, tensor_from_npy(dir + "tokens_after_posembed.npy"),
              kRelTol);
  BOOST_REQUIRE_EQUAL(trace.block_outputs.size(), static_cast<size_t>(config_of(model).depth));
  for (size_t i = 0; i < trace.block_outputs.size(); ++i)
    check_close("block" + std::to_string(i) + "_out", trace.block_outputs[i],
                tensor_from_npy(dir + "block" + std::to_string(i) + "_out.npy"), kRelTol);
  check_close("final_norm", trace.final_norm, tensor_from_npy(dir + "final_norm.npy"), kRelTol);
}

BOOST_AUTO_TEST_CASE(features_of_every_image) {
  const std::vector<pgc::ImageF32> images = all_images();
  for (const char* model : kModels) {
    BOOST_TEST_CONTEXT(model) {
      const at::Tensor want = tensor_from_npy(kDir + "features_" + model + ".npy");
      BOOST_REQUIRE_EQUAL(want.size(0), static_cast<int64_t>(images.size()));
      const at::Tensor got = as_matrix(features(weights_of(model), config_of(model), images, 1), want.size(1));
      check_close(std::string(model) + " features (all images)", got, want, kRelTol);
      for (size_t i = 0; i < images.size(); ++i) {  // and per image, so no row hides behind a large one
        const Diff d = compare(got[i], want[i]);
        BOOST_TEST(d.relative() <= kRelTol, model << " image " << i << ": relative " << d.relative());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(batch_equals_singles) {
  const std::vector<pgc::ImageF32> images = all_images();
  for (const char* model : kModels) {
    BOOST_TEST_CONTEXT(model) {
      const pgc::Dinov2Config config = config_of(model);
      const at::Tensor singles = as_matrix(features(weights_of(model), config, images, 1), config.embed_dim);
      const at::Tensor batched = as_matrix(features(weights_of(model), config, images, images.size()), config.embed_dim);
      const at::Tensor fours = as_matrix(features(weights_of(model), config, images, 4), config.embed_dim);
      BOOST_REQUIRE_EQUAL(batched.size(0), static_cast<int64_t>(images.size()));
      // Batching changes GEMM shapes, hence summation order: float32 rounding only.
      check_close(std::string(model) + " batch 11 vs singles", batched, singles, 1e-5);
      check_close(std::string(model) + " batches of 4 vs singles", fours, singles, 1e-5);
    }
  }
}

BOOST_AUTO_TEST_CASE(hf_transformers_names_give_identical_features) {
  const std::vector<pgc::ImageF32> images = {resized_image("img02_rgb_512x384"), resized_image("img07_synth_224x224")};
  for (const char* model : kModels) {
    BOOST_TEST_CONTEXT(model) {
      const pgc::Dinov2Config config = config_of(model);
      const fs::path hf = write_safetensors(std::string(model) + ".hf.safetensors", hub_to_hf(fixture_tensors(model)));
      {
        pgc::Dinov2Network net(hf.string(), config, "cpu");
        BOOST_TEST(net.weights_layout() == "hf");
      }
      const std::vector<float> want = features(weights_of(model), config, images, 2);
      const std::vector<float> got = features(hf.string(), config, images, 2);
      BOOST_TEST(got == want);  // same values, same fused qkv: bit-identical
      // Dinov2ForImageClassification nests the backbone under "dinov2." next to "classifier.*".
      std::vector<NamedTensor> nested = hub_to_hf(fixture_tensors(model));
      for (NamedTensor& t : nested) t.name = "dinov2." + t.name;
      nested.push_back({"classifier.weight", {2, 2 * config.embed_dim}, std::vector<float>(4 * config.embed_dim, 0.5f)});
      const fs::path nested_path = write_safetensors(std::string(model) + ".hfcls.safetensors", nested);
      BOOST_TEST(features(nested_path.string(), config, images, 2) == want);
    }
  }
}

BOOST_AUTO_TEST_CASE(f16_checkpoint_is_widened_exactly) {
  // An F16 file computes exactly what F32 weights holding the same (rounded) values compute.
  const std::string model = "dinov2_small_reg4_random";
  std::vector<NamedTensor> rounded = fixture_tensors(model);
  for (NamedTensor& t : rounded)
    for (float& v : t.values) v = static_cast<float>(at::Half(v));
  const fs::path f16 = write_safetensors("f16.safetensors", fixture_tensors(model), /*f16=*/true);
  const fs::path f32 = write_safetensors("rounded_f32.safetensors", rounded);
  const std::vector<pgc::ImageF32> images = {resized_image("img03_rgb_384x512")};
  const std::vector<float> from_f16 = features(f16.string(), config_of(model), images, 1);
  BOOST_TEST(from_f16 == features(f32.string(), config_of(model), images, 1));
  BOOST_TEST(from_f16 != features(weights_of(model), config_of(model), images, 1));  // rounding did happen
}

BOOST_AUTO_TEST_CASE(loader_rejects_missing_misshaped_unexpected) {
  const std::string model = "dinov2_small_random";
  const pgc::Dinov2Config config = config_of(model);
  const std::vector<NamedTensor> hub = fixture_tensors(model);

  const fs::path missing = write_safetensors("missing.safetensors", without(hub, "blocks.1.mlp.fc2.bias"));
  expect_input_error([&] { pgc::load_dinov2(missing.string(), config, "cpu"); },
                     {missing.string(), "blocks.1.mlp.fc2.bias", "missing"});

  std::vector<NamedTensor> misshaped = hub;
  for (NamedTensor& t : misshaped)
    if (t.name == "blocks.0.attn.qkv.weight") {
      t.shape[0] -= 1;
      t.values.resize(t.values.size() - static_cast<size_t>(t.shape[1]));
    }
  const fs::path bad_shape = write_safetensors("misshaped.safetensors", misshaped);
  expect_input_error([&] { pgc::load_dinov2(bad_shape.string(), config, "cpu"); },
                     {bad_shape.string(), "blocks.0.attn.qkv.weight", "shape"});

  // HF names: a split tensor missing is named by its HF name's target.
  const fs::path hf_missing = write_safetensors(
      "hf_missing.safetensors", without(hub_to_hf(hub), "encoder.layer.2.attention.attention.key.weight"));
  expect_input_error([&] { pgc::load_dinov2(hf_missing.string(), config, "cpu"); },
                     {hf_missing.string(), "blocks.2.attn.key.weight", "missing"});

  // Weights of one model with the other's config: registers and depth disagree.
  expect_input_error([&] { pgc::load_dinov2(weights_of("dinov2_small_reg4_random"), config, "cpu"); },
                     {"dinov2_small_reg4_random.safetensors", "register_tokens", "unexpected"});
  expect_input_error([&] { pgc::load_dinov2(weights_of(model), config_of("dinov2_small_reg4_random"), "cpu"); },
                     {"dinov2_small_random.safetensors"});
  // Not a checkpoint at all.
  expect_input_error([&] { pgc::load_dinov2(kDir + model + ".config.json", config, "cpu"); }, {".config.json"});
}

BOOST_AUTO_TEST_CASE(interface_contract) {
  const std::string model = "dinov2_small_random";
  auto extractor = pgc::load_dinov2(weights_of(model), config_of(model), "cpu");
  BOOST_TEST(extractor->dim() == static_cast<size_t>(config_of(model).embed_dim));
  BOOST_TEST(extractor->input_size() == 224);
  BOOST_TEST(!extractor->name().empty());
  std::vector<float> out = {42.0f};
  extractor->extract({}, out);
  BOOST_TEST(out.size() == 1u);  // an empty batch appends nothing
  pgc::ImageF32 small;
  small.width = small.height = 100;
  small.rgb.assign(100 * 100 * 3, 0.5f);
  BOOST_CHECK_THROW(extractor->extract({small}, out), std::invalid_argument);
  BOOST_CHECK_THROW(pgc::load_dinov2(weights_of(model), config_of(model), "tpu"), pgc::UsageError);
  // Random weights (benchmarks): deterministic across loads.
  pgc::Dinov2Config tiny = config_of(model);
  std::vector<float> a, b;
  pgc::load_dinov2("", tiny, "cpu")->extract({resized_image("img00_rgb_64x64")}, a);
  pgc::load_dinov2("", tiny, "cpu")->extract({resized_image("img00_rgb_64x64")}, b);
  BOOST_TEST(a.size() == static_cast<size_t>(tiny.embed_dim));
  BOOST_TEST(a == b);
}
