// LibTorch weight loading: a small module's state written to hand-built safetensors files
// (F32, F16, BF16) and bound into a fresh module by WeightBinder; the loud failures.
#define BOOST_TEST_MODULE torch_weights
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "torch_test_util.hpp"
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "models/safetensors.hpp"
#include "models/torch/weights.hpp"

namespace fs = std::filesystem;

namespace {

// Embedding -> Linear -> LayerNorm -> BatchNorm1d: float parameters, float buffers and an
// integer buffer (num_batches_tracked, a kLong scalar).
struct TinyNetImpl : torch::nn::Module {
  TinyNetImpl() {
    embed = register_module("embed", torch::nn::Embedding(10, 8));
    fc = register_module("fc", torch::nn::Linear(8, 4));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({4})));
    bn = register_module("bn", torch::nn::BatchNorm1d(4));
  }
  torch::Tensor forward(const torch::Tensor& ids) { return bn(norm(fc(embed(ids)))); }

  torch::nn::Embedding embed{nullptr};
  torch::nn::Linear fc{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(TinyNet);

// A TinyNet with every parameter and buffer drawn from `seed` (not the default init, so
// LayerNorm's ones/zeros and BatchNorm's running stats are tested too), in eval mode.
TinyNet random_net(uint64_t seed) {
  torch::manual_seed(seed);
  TinyNet net;
  torch::NoGradGuard no_grad;
  for (auto& p : net->parameters()) p.copy_(torch::randn_like(p));
  net->bn->running_mean.copy_(torch::randn({4}));
  net->bn->running_var.copy_(torch::rand({4}) + 0.5);
  net->bn->num_batches_tracked.fill_(static_cast<int64_t>(seed) + 7);
  net->eval();
  return net;
}

using State = std::vector<std::pair<std::string, torch::Tensor>>;

State state_of(TinyNet& net) {
  State s;
  for (const auto& it : net->named_parameters()) s.emplace_back(it.key(), it.value());
  for (const auto& it : net->named_buffers()) s.emplace_back(it.key(), it.value());
  return s;
}

const char* safe_name(torch::Dtype d) { return pgc_test::safetensors_dtype(d); }

fs::path temp_path(const std::string& name) {
  static fs::path dir = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_torch_weights_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return dir / name;
}

// Writes `state` as a .safetensors file (header JSON by hand, little-endian data); floating
// tensors are stored as `floating` (F32, F16 or BF16), the others in their own dtype.
fs::path write_safetensors(const std::string& file, const State& state, torch::Dtype floating) {
  const fs::path path = temp_path(file);
  pgc_test::write_safetensors_file(path, state, floating);
  return path;
}

void check_same_state(TinyNet& got, TinyNet& want, torch::Dtype stored) {
  State g = state_of(got), w = state_of(want);
  BOOST_REQUIRE_EQUAL(g.size(), w.size());
  for (size_t i = 0; i < g.size(); ++i) {
    BOOST_TEST_CONTEXT(g[i].first) {
      BOOST_TEST(g[i].first == w[i].first);
      BOOST_TEST(g[i].second.scalar_type() == w[i].second.scalar_type());
      torch::Tensor expected = w[i].second;
      // What the file holds, widened back: exact for F32; for F16/BF16 the rounded value.
      if (expected.is_floating_point()) expected = expected.to(stored).to(expected.scalar_type());
      BOOST_TEST(torch::equal(g[i].second, expected));
    }
  }
}

// Runs `f`, which must throw an InputError whose message holds every one of `parts`.
void expect_input_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    BOOST_ERROR("no InputError thrown");
  } catch (const pgc::InputError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) BOOST_TEST(msg.find(p) != std::string::npos, "'" << p << "' not in: " << msg);
  }
}

State without(State s, const std::string& name) {
  State out;
  for (auto& e : s)
    if (e.first != name) out.push_back(std::move(e));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(f32_round_trip_is_exact) {
  TinyNet source = random_net(1);
  const fs::path path = write_safetensors("f32.safetensors", state_of(source), torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet loaded = random_net(2);
  BOOST_TEST(!torch::equal(loaded->fc->weight, source->fc->weight));  // the test can fail
  BOOST_TEST(pgc::WeightBinder(checkpoint).bind(*loaded) == 10u);
  check_same_state(loaded, source, torch::kFloat);

  torch::Tensor ids = torch::tensor({1, 4, 9, 0, 2, 3}, torch::kLong);
  torch::NoGradGuard no_grad;
  BOOST_TEST(torch::equal(loaded->forward(ids), source->forward(ids)));
}

BOOST_AUTO_TEST_CASE(half_and_bfloat16_widen_exactly) {
  TinyNet source = random_net(3);
  for (torch::Dtype stored : {torch::kHalf, torch::kBFloat16}) {
    BOOST_TEST_CONTEXT(c10::toString(stored)) {
      const fs::path path = write_safetensors(std::string("narrow_") + safe_name(stored) + ".safetensors",
                                              state_of(source), stored);
      pgc::SafetensorsCheckpoint checkpoint(path.string());
      TinyNet loaded = random_net(4);
      pgc::WeightBinder(checkpoint).bind(*loaded);
      check_same_state(loaded, source, stored);
      // Torch's widening agrees with the reader's own torch-free one, bit for bit.
      const pgc::SafeTensor& w = checkpoint.tensor("fc.weight");
      std::vector<float> reference = pgc::to_float32(w);
      torch::Tensor widened = pgc::tensor_from_safetensor(w);
      BOOST_TEST(widened.scalar_type() == torch::kFloat);
      BOOST_TEST(torch::equal(widened.flatten(), torch::from_blob(reference.data(), {int64_t(reference.size())})));
      // The narrow type kept as is when asked for.
      BOOST_TEST(pgc::tensor_from_safetensor(w, stored).scalar_type() == stored);
    }
  }
}

BOOST_AUTO_TEST_CASE(tensor_from_safetensor_dtypes) {
  State s = {{"d", torch::arange(6, torch::kDouble).view({2, 3}) / 3},
             {"i", torch::tensor({-5, 7}, torch::kInt)},
             {"l", torch::tensor(int64_t(1) << 40)}};
  pgc::SafetensorsCheckpoint checkpoint(write_safetensors("dtypes.safetensors", s, torch::kDouble).string());
  torch::Tensor d = pgc::tensor_from_safetensor(checkpoint.tensor("d"), torch::kDouble);
  BOOST_TEST(torch::equal(d, s[0].second));
  BOOST_TEST(torch::equal(pgc::tensor_from_safetensor(checkpoint.tensor("d")), s[0].second.to(torch::kFloat)));
  torch::Tensor i = pgc::tensor_from_safetensor(checkpoint.tensor("i"));
  BOOST_TEST(i.scalar_type() == torch::kInt);  // integers keep their dtype whatever the target
  BOOST_TEST(torch::equal(i, s[1].second));
  torch::Tensor l = pgc::tensor_from_safetensor(checkpoint.tensor("l"));
  BOOST_TEST(l.dim() == 0);
  BOOST_TEST(l.item<int64_t>() == int64_t(1) << 40);
  BOOST_CHECK_THROW(pgc::tensor_from_safetensor(checkpoint.tensor("d"), torch::kLong), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(missing_tensor_fails_and_loads_nothing) {
  TinyNet source = random_net(5);
  const fs::path path = write_safetensors("missing.safetensors", without(state_of(source), "fc.bias"), torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet target = random_net(6);
  torch::Tensor before = target->fc->weight.clone();
  expect_input_error([&] { pgc::WeightBinder(checkpoint).bind(*target); },
                     {path.string(), "fc.bias", "missing"});
  BOOST_TEST(torch::equal(target->fc->weight, before));  // checks run before any copy
}

BOOST_AUTO_TEST_CASE(unexpected_tensor_fails_unless_ignored) {
  TinyNet source = random_net(7);
  State s = state_of(source);
  s.emplace_back("fc_head.weight", torch::ones({3, 4}));  // like pytorch-fid's fc.weight
  s.emplace_back("fc_head.bias", torch::ones({3}));
  const fs::path path = write_safetensors("extra.safetensors", s, torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet target = random_net(8);
  expect_input_error([&] { pgc::WeightBinder(checkpoint).bind(*target); },
                     {path.string(), "fc_head.", "unexpected"});
  expect_input_error([&] { pgc::WeightBinder(checkpoint).ignore("fc_head.weight").bind(*target); },
                     {"fc_head.bias", "unexpected"});
  BOOST_TEST(pgc::WeightBinder(checkpoint).ignore("fc_head.weight").ignore("fc_head.bias").bind(*target) == 10u);
  check_same_state(target, source, torch::kFloat);
  TinyNet again = random_net(9);
  BOOST_TEST(pgc::WeightBinder(checkpoint).ignore_prefix("fc_head.").bind(*again) == 10u);
  check_same_state(again, source, torch::kFloat);
}

BOOST_AUTO_TEST_CASE(wrong_shape_names_both_shapes) {
  TinyNet source = random_net(10);
  State s = state_of(source);
  for (auto& [name, t] : s)
    if (name == "fc.weight") t = t.t().contiguous();  // [8, 4] instead of [4, 8]
  const fs::path path = write_safetensors("shape.safetensors", s, torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet target = random_net(11);
  expect_input_error([&] { pgc::WeightBinder(checkpoint).bind(*target); },
                     {path.string(), "fc.weight", "[8, 4]", "[4, 8]"});
}

BOOST_AUTO_TEST_CASE(floating_tensor_for_an_integer_buffer_fails) {
  TinyNet source = random_net(12);
  State s = state_of(source);
  for (auto& [name, t] : s)
    if (name == "bn.num_batches_tracked") t = t.to(torch::kFloat);
  const fs::path path = write_safetensors("dtype.safetensors", s, torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet target = random_net(13);
  expect_input_error([&] { pgc::WeightBinder(checkpoint).bind(*target); },
                     {path.string(), "bn.num_batches_tracked", "F32"});
}

BOOST_AUTO_TEST_CASE(renamed_checkpoint_names) {
  TinyNet source = random_net(14);
  State s = state_of(source);
  for (auto& e : s) e.first = "model." + e.first;  // e.g. a wrapper's prefix
  const fs::path path = write_safetensors("renamed.safetensors", s, torch::kFloat);
  pgc::SafetensorsCheckpoint checkpoint(path.string());
  TinyNet target = random_net(15);
  expect_input_error([&] { pgc::WeightBinder(checkpoint).bind(*target); }, {"model.bn.bias", "unexpected"});
  auto strip = [](const std::string& n) { return n.substr(std::string("model.").size()); };
  BOOST_TEST(pgc::WeightBinder(checkpoint).rename(strip).bind(*target) == 10u);
  check_same_state(target, source, torch::kFloat);
  // Two checkpoint names onto one model tensor is an error, not a silent overwrite.
  s.emplace_back("fc.weight", source->fc->weight);
  pgc::SafetensorsCheckpoint twice(write_safetensors("twice.safetensors", s, torch::kFloat).string());
  auto strip_if = [](const std::string& n) { return n.rfind("model.", 0) == 0 ? n.substr(6) : n; };
  expect_input_error([&] { pgc::WeightBinder(twice).rename(strip_if).bind(*target); },
                     {"model.fc.weight (as fc.weight)", "same model tensor"});
}
