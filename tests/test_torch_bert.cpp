// The LibTorch BERT encoder (models/torch/bert.hpp) on small random-weight models written by the
// test (config.json, vocab.txt, model.safetensors): the forward pass against an independent
// double-precision re-computation, mean pooling, batching and padding invariance, HF checkpoint
// names (bert. prefix, LayerNorm gamma/beta, ignored heads), F16 weights, loud loading errors,
// and `pgc grounded --class-map bert --bert DIR` end to end on the bundled sample.
#define BOOST_TEST_MODULE torch_bert
#include <unistd.h>

#include <ATen/ATen.h>
#include <boost/test/unit_test.hpp>

#include "torch_test_util.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "caption/code_points.hpp"
#include "caption/pgc_jsonl.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "models/torch/bert.hpp"
#include "panoptic/panoptic_io.hpp"
#include "panoptic/phrase_class_map.hpp"
#include "tests/cli_util.hpp"

namespace fs = std::filesystem;
using State = std::vector<std::pair<std::string, at::Tensor>>;

namespace {

fs::path temp_root() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_torch_bert_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return d;
}

// Character-level vocabulary (every lower-case text of the sample splits into known pieces) plus
// a few whole words, so different texts give different ids.
std::vector<std::string> test_vocab() {
  std::vector<std::string> v = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "man", "the", "sky", "tree", "person"};
  for (char c = 33; c < 127; ++c)
    if (!(c >= 'A' && c <= 'Z')) v.push_back(std::string(1, c));
  for (char c = '0'; c <= 'z'; ++c)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) v.push_back("##" + std::string(1, c));
  return v;
}

pgc::BertConfig test_config() {
  pgc::BertConfig c;
  c.vocab_size = static_cast<int64_t>(test_vocab().size()) + 3;  // a few unused rows, as real models have
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 48;
  c.max_position_embeddings = 64;
  c.type_vocab_size = 2;
  c.layer_norm_eps = 1e-12;
  return c;
}

std::string config_json(const pgc::BertConfig& c) {
  return "{\"model_type\": \"bert\", \"architectures\": [\"BertForMaskedLM\"], \"vocab_size\": " +
         std::to_string(c.vocab_size) + ", \"hidden_size\": " + std::to_string(c.hidden_size) +
         ", \"num_hidden_layers\": " + std::to_string(c.num_hidden_layers) +
         ", \"num_attention_heads\": " + std::to_string(c.num_attention_heads) +
         ", \"intermediate_size\": " + std::to_string(c.intermediate_size) +
         ", \"max_position_embeddings\": " + std::to_string(c.max_position_embeddings) +
         ", \"type_vocab_size\": 2, \"layer_norm_eps\": 1e-12, \"hidden_act\": \"gelu\", "
         "\"position_embedding_type\": \"absolute\", \"pad_token_id\": 0}";
}

// A random network whose every parameter (LayerNorm too) is drawn from `seed`, larger than HF's
// init so that attention is far from uniform.
State random_state(uint64_t seed) {
  at::manual_seed(seed);
  pgc::BertNetwork net(test_config(), "cpu");
  State s;
  at::NoGradGuard no_grad;
  for (auto& [name, t] : net.named_tensors()) {
    at::Tensor v = at::randn(t.sizes()) * 0.2;
    if (name.find("LayerNorm.weight") != std::string::npos) v = v * 0.2 + 1.0;
    s.emplace_back(name, v);
  }
  return s;
}

void write_safetensors(const fs::path& path, const State& state, at::ScalarType floating) {
  pgc_test::write_safetensors_file(path, state, floating);
}

// An HF-style model folder.
fs::path write_model(const std::string& name, const State& state, at::ScalarType floating = at::kFloat,
                     const std::string& config = config_json(test_config())) {
  const fs::path dir = temp_root() / name;
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << config;
  std::ofstream vocab(dir / "vocab.txt");
  for (const auto& t : test_vocab()) vocab << t << "\n";
  vocab.close();
  std::ofstream(dir / "tokenizer_config.json") << "{\"do_lower_case\": true, \"model_max_length\": 512}";
  write_safetensors(dir / "model.safetensors", state, floating);
  return dir;
}

// HF's bert-base-uncased naming: "bert." prefix, LayerNorm.gamma/beta, plus tensors pgc ignores.
State as_legacy_hf(const State& s) {
  State out;
  for (const auto& [name, t] : s) {
    std::string n = "bert." + name;
    if (n.size() > 16 && n.compare(n.size() - 16, 16, "LayerNorm.weight") == 0) n = n.substr(0, n.size() - 6) + "gamma";
    if (n.size() > 14 && n.compare(n.size() - 14, 14, "LayerNorm.bias") == 0) n = n.substr(0, n.size() - 4) + "beta";
    out.emplace_back(n, t);
  }
  const int64_t h = test_config().hidden_size;
  out.emplace_back("bert.pooler.dense.weight", at::randn({h, h}));
  out.emplace_back("bert.pooler.dense.bias", at::randn({h}));
  out.emplace_back("cls.predictions.bias", at::randn({test_config().vocab_size}));
  out.emplace_back("cls.predictions.transform.LayerNorm.gamma", at::randn({h}));
  out.emplace_back("bert.embeddings.position_ids", at::arange(test_config().max_position_embeddings).unsqueeze(0));
  return out;
}

const State& base_state() {
  static const State s = random_state(11);
  return s;
}
const fs::path& base_model() {
  static const fs::path p = write_model("base", base_state());
  return p;
}

// Independent re-computation in double of BERT's last hidden state for one unpadded sequence:
// per-head loops, LayerNorm and GELU written out.
at::Tensor reference_hidden(const State& state, const std::vector<int64_t>& ids) {
  std::map<std::string, at::Tensor> p;
  for (const auto& [n, t] : state) p[n] = t.to(at::kDouble);
  const pgc::BertConfig c = test_config();
  auto layer_norm = [&](const at::Tensor& x, const std::string& prefix) {
    const at::Tensor mean = x.mean(-1, true);
    const at::Tensor var = (x - mean).pow(2).mean(-1, true);
    return (x - mean) / at::sqrt(var + c.layer_norm_eps) * p[prefix + ".weight"] + p[prefix + ".bias"];
  };
  auto linear = [&](const at::Tensor& x, const std::string& prefix) {
    return at::matmul(x, p[prefix + ".weight"].t()) + p[prefix + ".bias"];
  };
  const auto l = static_cast<int64_t>(ids.size());
  at::Tensor x = at::zeros({l, c.hidden_size}, at::kDouble);
  for (int64_t i = 0; i < l; ++i)
    x[i] = p["embeddings.word_embeddings.weight"][ids[static_cast<size_t>(i)]] +
           p["embeddings.position_embeddings.weight"][i] + p["embeddings.token_type_embeddings.weight"][0];
  x = layer_norm(x, "embeddings.LayerNorm");
  const int64_t hd = c.hidden_size / c.num_attention_heads;
  for (int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
    const std::string pre = "encoder.layer." + std::to_string(layer) + ".";
    const at::Tensor q = linear(x, pre + "attention.self.query"), k = linear(x, pre + "attention.self.key"),
                     v = linear(x, pre + "attention.self.value");
    std::vector<at::Tensor> heads;
    for (int64_t h = 0; h < c.num_attention_heads; ++h) {
      const at::Tensor qh = q.slice(1, h * hd, (h + 1) * hd), kh = k.slice(1, h * hd, (h + 1) * hd),
                       vh = v.slice(1, h * hd, (h + 1) * hd);
      const at::Tensor scores = at::matmul(qh, kh.t()) / std::sqrt(static_cast<double>(hd));
      const at::Tensor e = at::exp(scores - std::get<0>(scores.max(1, true)));
      heads.push_back(at::matmul(e / e.sum(1, true), vh));
    }
    const at::Tensor attended = layer_norm(linear(at::cat(heads, 1), pre + "attention.output.dense") + x,
                                           pre + "attention.output.LayerNorm");
    const at::Tensor pre_act = linear(attended, pre + "intermediate.dense");
    const at::Tensor inner = 0.5 * pre_act * (1 + at::erf(pre_act / std::sqrt(2.0)));
    x = layer_norm(linear(inner, pre + "output.dense") + attended, pre + "output.LayerNorm");
  }
  return x;
}

using pgc_test::max_abs_diff;

const std::vector<std::string> kTexts = {
    "A man", "the sky", "a grass field", "Many people watch near the trees under the sky.", "",
    "two players run behind him", "riders", "Horses, riders & a dirt-track: 3 trucks!", "trees", "x"};

void expect_input_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    BOOST_ERROR("no InputError thrown");
  } catch (const pgc::InputError& e) {
    const std::string msg = e.what();
    for (const auto& part : parts) BOOST_TEST(msg.find(part) != std::string::npos, "'" << part << "' not in: " << msg);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_matches_a_double_precision_recomputation) {
  auto enc = pgc::load_bert(base_model().string(), "cpu");
  for (const std::string text : {"A man kicks a ball.", "the sky", ""}) {
    const std::vector<int64_t> ids = enc->tokenizer().encode(text);
    const pgc::BertBatch b = pgc::make_bert_batch({ids}, enc->tokenizer().pad_id());
    const at::Tensor got = enc->network().forward(b.ids, b.attention_mask)[0].to(at::kDouble);
    const at::Tensor want = reference_hidden(base_state(), ids);
    BOOST_TEST((got - want).abs().max().item<double>() < 1e-4, text);
    // Differences are not trivially zero: the hidden states vary over positions.
    BOOST_TEST(want.std(0).mean().item<double>() > 0.1, want.std(0).mean().item<double>());
  }
}

BOOST_AUTO_TEST_CASE(embedding_is_the_mean_over_all_tokens_cls_and_sep_included) {
  auto enc = pgc::load_bert(base_model().string(), "cpu");
  BOOST_TEST(enc->dim() == 32u);
  const std::vector<std::vector<float>> e = enc->embed(kTexts);
  BOOST_REQUIRE_EQUAL(e.size(), kTexts.size());
  for (size_t i = 0; i < kTexts.size(); ++i) {
    const std::vector<int64_t> ids = enc->tokenizer().encode(kTexts[i]);
    BOOST_TEST(ids.front() == enc->tokenizer().cls_id());
    BOOST_TEST(ids.back() == enc->tokenizer().sep_id());
    const at::Tensor hidden = reference_hidden(base_state(), ids);
    std::vector<float> manual(32, 0.0f);
    for (int64_t d = 0; d < 32; ++d) {
      double sum = 0;
      for (int64_t t = 0; t < hidden.size(0); ++t) sum += hidden[t][d].item<double>();
      manual[static_cast<size_t>(d)] = static_cast<float>(sum / static_cast<double>(ids.size()));
    }
    BOOST_TEST(max_abs_diff(e[i], manual) < 1e-4, kTexts[i]);
  }
}

BOOST_AUTO_TEST_CASE(a_batch_of_n_equals_n_singles) {
  auto enc = pgc::load_bert(base_model().string(), "cpu");
  enc->set_batch_size(1);
  std::vector<std::vector<float>> singles;
  for (const auto& t : kTexts) singles.push_back(enc->embed({t})[0]);
  for (size_t batch : {3u, 16u}) {
    enc->set_batch_size(batch);
    const auto batched = enc->embed(kTexts);
    for (size_t i = 0; i < kTexts.size(); ++i) BOOST_TEST(max_abs_diff(batched[i], singles[i]) < 1e-5, kTexts[i]);
  }
  // Different texts give different embeddings (the check above could not pass by collapse).
  BOOST_TEST(max_abs_diff(singles[0], singles[1]) > 1e-3);
}

BOOST_AUTO_TEST_CASE(padding_does_not_change_hidden_states) {
  auto enc = pgc::load_bert(base_model().string(), "cpu");
  const auto& tok = enc->tokenizer();
  const std::vector<int64_t> shorter = tok.encode("a man"), longer = tok.encode("many people under the trees");
  const pgc::BertBatch both = pgc::make_bert_batch({shorter, longer}, tok.pad_id());
  BOOST_TEST(both.ids.size(1) == static_cast<int64_t>(longer.size()));
  BOOST_TEST(both.attention_mask[0].sum().item<int64_t>() == static_cast<int64_t>(shorter.size()));
  const at::Tensor padded = enc->network().forward(both.ids, both.attention_mask);
  const pgc::BertBatch alone = pgc::make_bert_batch({shorter}, tok.pad_id());
  const at::Tensor single = enc->network().forward(alone.ids, alone.attention_mask);
  const auto n = static_cast<int64_t>(shorter.size());
  BOOST_TEST((padded[0].slice(0, 0, n) - single[0]).abs().max().item<double>() < 1e-5);
  // The mask matters: attending to the padding changes the result.
  const at::Tensor unmasked = enc->network().forward(both.ids, at::ones_like(both.attention_mask));
  BOOST_TEST((unmasked[0].slice(0, 0, n) - single[0]).abs().max().item<double>() > 1e-3);
  // Pooling ignores padded positions.
  const at::Tensor pooled = pgc::masked_mean(padded, both.attention_mask);
  BOOST_TEST((pooled[0] - single[0].mean(0)).abs().max().item<double>() < 1e-5);
}

BOOST_AUTO_TEST_CASE(hf_checkpoint_names_are_accepted) {
  const fs::path legacy = write_model("legacy", as_legacy_hf(base_state()));
  auto a = pgc::load_bert(base_model().string(), "cpu");
  auto b = pgc::load_bert(legacy.string(), "cpu");
  const auto ea = a->embed(kTexts), eb = b->embed(kTexts);
  for (size_t i = 0; i < kTexts.size(); ++i) BOOST_TEST(ea[i] == eb[i], boost::test_tools::per_element());
  // The name carries a digest of the files: different checkpoints, different names.
  BOOST_TEST(a->name().rfind("bert@", 0) == 0u);
  BOOST_TEST(a->name() != b->name());
  BOOST_TEST(pgc::load_bert_encoder(base_model().string(), "cpu")->name() == a->name());
}

BOOST_AUTO_TEST_CASE(half_precision_weights_are_widened) {
  // F16 file vs an F32 file holding the same (rounded) values: identical float32 results.
  State rounded;
  for (const auto& [n, t] : base_state()) rounded.emplace_back(n, t.to(at::kHalf).to(at::kFloat));
  auto f16 = pgc::load_bert(write_model("f16", base_state(), at::kHalf).string(), "cpu");
  auto f32 = pgc::load_bert(write_model("rounded", rounded).string(), "cpu");
  const auto a = f16->embed(kTexts), b = f32->embed(kTexts);
  for (size_t i = 0; i < kTexts.size(); ++i) BOOST_TEST(a[i] == b[i], boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(long_texts_are_truncated_to_the_position_table) {
  auto enc = pgc::load_bert(base_model().string(), "cpu");
  std::string text;
  for (int i = 0; i < 200; ++i) text += "ab ";
  BOOST_TEST(enc->tokenizer().encode(text).size() == 64u);  // max_position_embeddings < 512
  BOOST_TEST(enc->embed({text})[0].size() == 32u);
}

BOOST_AUTO_TEST_CASE(loading_errors_name_the_file_and_tensor) {
  // A missing tensor.
  State missing;
  for (const auto& e : base_state())
    if (e.first != "encoder.layer.1.output.dense.bias") missing.push_back(e);
  const fs::path m = write_model("missing", missing);
  expect_input_error([&] { pgc::load_bert(m.string(), "cpu"); },
                     {(m / "model.safetensors").string(), "encoder.layer.1.output.dense.bias", "missing"});
  // A wrong shape (named in the checkpoint's own spelling).
  State bad = as_legacy_hf(base_state());
  for (auto& e : bad)
    if (e.first == "bert.encoder.layer.0.attention.self.query.weight") e.second = at::randn({32, 31});
  const fs::path s = write_model("shape", bad);
  expect_input_error([&] { pgc::load_bert(s.string(), "cpu"); },
                     {"bert.encoder.layer.0.attention.self.query.weight", "shape [32, 31]"});
  // An unexpected head (not pooler/cls) is refused, not silently dropped.
  State extra = base_state();
  extra.emplace_back("classifier.weight", at::randn({2, 32}));
  const fs::path x = write_model("extra", extra);
  expect_input_error([&] { pgc::load_bert(x.string(), "cpu"); }, {"classifier.weight", "unexpected"});
  // config.json problems.
  const fs::path c = write_model("config", base_state(), at::kFloat, "{\"model_type\": \"bert\", \"vocab_size\": 5}");
  expect_input_error([&] { pgc::load_bert(c.string(), "cpu"); }, {"config.json", "hidden_size"});
  const fs::path mp = write_model("mpnet", base_state(), at::kFloat, "{\"model_type\": \"mpnet\"}");
  expect_input_error([&] { pgc::load_bert(mp.string(), "cpu"); }, {"config.json", "model_type"});
  // No vocabulary, no weights, no folder.
  const fs::path nv = write_model("novocab", base_state());
  fs::remove(nv / "vocab.txt");
  expect_input_error([&] { pgc::load_bert(nv.string(), "cpu"); }, {(nv / "vocab.txt").string()});
  const fs::path nw = write_model("noweights", base_state());
  fs::remove(nw / "model.safetensors");
  expect_input_error([&] { pgc::load_bert(nw.string(), "cpu"); }, {nw.string(), "model.safetensors"});
  expect_input_error([&] { pgc::load_bert((temp_root() / "absent").string(), "cpu"); }, {"absent", "not a folder"});
}

// `pgc grounded --class-map bert --bert DIR` on the bundled sample with the random model: the
// results carry the mapping, each mapped class has the largest cosine (as this encoder says),
// and the BERT recall equals the recall from a table of the same encoder's cosines.
BOOST_AUTO_TEST_CASE(cli_grounded_class_map_and_recall_with_bert) {
  using pgc_test::q;
  const fs::path sample = fs::path(PGC_SOURCE_DIR) / "data" / "samples" / "grounded";
  pgc_test::TempDir tmp("torch_bert_cli");
  const fs::path out = tmp.path / "bert.json";
  const std::string base = "grounded --gt " + q(sample / "gt.jsonl") + " --pred " +
                           q(sample / "sample_system.pred.jsonl") + " --metrics pq,gcg --quiet --device cpu";
  const pgc_test::Run r =
      pgc_test::run_pgc_command(base + " --class-map bert --bert " + q(base_model()) + " --json " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc doc = pgc::read_json_file(out.string());
  BOOST_TEST(doc["pq"].HasMember("All"));
  BOOST_TEST(doc["pq"].HasMember("Things"));
  BOOST_TEST(doc["gcg"].HasMember("recall"));
  const std::string sig = doc["signature"].IsString() ? doc["signature"].GetString() : pgc::to_json(doc["signature"]);
  BOOST_TEST(sig.find("bert@") != std::string::npos, sig);

  auto enc = pgc::load_bert(base_model().string(), "cpu");
  const pgc::PhraseClassMap map(*enc, pgc::read_categories(pgc::shipped_categories_path()));
  const auto preds = pgc::read_predictions((sample / "sample_system.pred.jsonl").string());
  BOOST_REQUIRE(doc.HasMember("class_map"));
  size_t mapped = 0;
  for (const auto& p : preds) {
    const pgc::JsonValue& row = doc["class_map"][p.image_id.key.c_str()];
    BOOST_REQUIRE_EQUAL(row.Size(), p.phrases.size());
    for (size_t k = 0; k < p.phrases.size(); ++k) {
      if (!p.phrases[k].mask) {
        BOOST_TEST(row[k].IsNull());
        continue;
      }
      const std::vector<double> cos = map.cosines(enc->embed({p.phrases[k].text})[0]);
      const int64_t chosen = row[k].GetInt64();
      size_t best = 0, chosen_at = cos.size();
      for (size_t c = 0; c < cos.size(); ++c) {
        if (cos[c] > cos[best]) best = c;
        if (map.categories()[c].id == chosen) chosen_at = c;
      }
      BOOST_REQUIRE(chosen_at < cos.size());
      // The chosen class is the argmax up to float noise from batching.
      BOOST_TEST(cos[chosen_at] >= cos[best] - 1e-6, p.phrases[k].text);
      ++mapped;
    }
  }
  BOOST_TEST(mapped == 13u);

  // The same recall through a table of this encoder's cosines for every (GT label, phrase).
  pgc::JsonDoc keys(rapidjson::kObjectType);
  for (const auto& gt : pgc::read_ground_truth((sample / "gt.jsonl").string())) {
    const pgc::PgcPrediction* pred = nullptr;
    for (const auto& p : preds)
      if (p.image_id == gt.image_id) pred = &p;
    BOOST_REQUIRE(pred);
    for (const auto& span : gt.spans) {
      const std::string label = pgc::code_point_slice(gt.caption, span.start, span.end);
      for (const auto& ph : pred->phrases) {
        if (!ph.mask) continue;
        const double cos = pgc::cosine_similarity(enc->embed({label})[0], enc->embed({ph.text})[0]);
        const std::string key = label + "|" + ph.text;
        if (keys.HasMember(key.c_str())) continue;
        keys.AddMember(pgc::JsonValue(key.c_str(), keys.GetAllocator()), pgc::JsonValue(cos), keys.GetAllocator());
      }
    }
  }
  const fs::path table_file = tmp.write("sim.json", pgc::to_json(keys));
  const fs::path out_table = tmp.path / "table.json";
  const pgc_test::Run t = pgc_test::run_pgc_command(base + " --class-map bert --bert " + q(base_model()) +
                                                        " --text-similarity " + q(table_file) + " --json " + q(out_table),
                                                    tmp.path);
  BOOST_REQUIRE_MESSAGE(t.rc == 0, t.err);
  const pgc::JsonDoc with_table = pgc::read_json_file(out_table.string());
  for (const char* key : {"recall", "recall_true_positives", "mIoU", "AP50"})
    BOOST_TEST(with_table["gcg"][key].GetDouble() == doc["gcg"][key].GetDouble(), key);
  BOOST_TEST(doc["gcg"]["recall_gt_labels"].GetDouble() == 16.0);
}
