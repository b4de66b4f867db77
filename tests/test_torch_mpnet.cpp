// MPNet / all-mpnet-base-v2 (models/torch/mpnet.cpp) on a small random-weight model written
// by the test as a sentence-transformers folder: relative-position buckets against HF's formula
// worked by hand, the forward pass against a naive double-precision re-statement of HF's
// modeling_mpnet.py, batching/padding invariance, unit norm, loud loading failures, and
// CAPTURE's soft stage through `pgc caption --capture-encoder` against the same cosines
// supplied as a `--capture-similarity` table.
#define BOOST_TEST_MODULE torch_mpnet
#include <unistd.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <boost/test/unit_test.hpp>

#include "torch_test_util.hpp"
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "caption/capture_encoder.hpp"
#include "caption/capture_io.hpp"
#include "caption/wordnet.hpp"
#include "cli_util.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "models/torch/mpnet.hpp"

namespace fs = std::filesystem;
using pgc_test::q;

namespace {

const fs::path kSmall = fs::path(PGC_FIXTURES_DIR) / "capture" / "small";
constexpr size_t kMaxSeqLength = 12;

using Params = std::vector<std::pair<std::string, at::Tensor>>;

void write_safetensors(const fs::path& path, const Params& params) {
  pgc_test::write_safetensors_file(path, params, at::kFloat);
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Every lower-cased word of the small CAPTURE fixture, so that its phrases get distinct ids.
std::set<std::string> fixture_words() {
  std::set<std::string> words;
  std::function<void(const pgc::JsonValue&)> walk = [&](const pgc::JsonValue& v) {
    if (v.IsString()) {
      std::string w;
      for (char c : std::string(v.GetString()) + " ") {
        if (c == ' ') {
          if (!w.empty()) words.insert(w);
          w.clear();
        } else {
          w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
      }
    } else if (v.IsArray()) {
      for (const auto& x : v.GetArray()) walk(x);
    } else if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        walk(it->name);
        walk(it->value);
      }
    }
  };
  walk(pgc::read_json_file((kSmall / "refs.json").string()));
  walk(pgc::read_json_file((kSmall / "preds.json").string()));
  return words;
}

pgc::MpnetConfig tiny_config(int64_t vocab_size) {
  pgc::MpnetConfig c;
  c.vocab_size = vocab_size;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 48;
  c.max_position_embeddings = 40;
  c.relative_attention_num_buckets = 32;
  c.layer_norm_eps = 1e-5;
  return c;
}

// Random parameters with the model's names and shapes (LayerNorm weights near 1).
Params random_params(const pgc::MpnetConfig& c, uint64_t seed) {
  pgc::MpnetModel shapes(c, "cpu");
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Params out;
  for (const auto& [name, t] : shapes.named_parameters()) {
    at::Tensor r = at::randn(t.sizes(), gen, at::TensorOptions().dtype(at::kFloat));
    const bool norm = name.find("LayerNorm") != std::string::npos;
    if (norm && name.size() > 6 && name.compare(name.size() - 6, 6, "weight") == 0) r = 1 + 0.1 * r;
    else if (name.find("relative_attention_bias") != std::string::npos) r = r * 1.0;
    else r = r * 0.3;
    out.emplace_back(name, r);
  }
  return out;
}

// A sentence-transformers folder for the tiny model; returns its path.
struct TinyModel {
  fs::path dir;
  pgc::MpnetConfig config;
  Params params;
  std::vector<std::string> vocab;
};

void write_folder(const TinyModel& m, const Params& params) {
  std::string vocab;
  for (const auto& t : m.vocab) vocab += t + "\n";
  write_text(m.dir / "vocab.txt", vocab);
  const auto& c = m.config;
  write_text(m.dir / "config.json",
             "{\"model_type\": \"mpnet\", \"architectures\": [\"MPNetForMaskedLM\"], \"vocab_size\": " +
                 std::to_string(c.vocab_size) + ", \"hidden_size\": " + std::to_string(c.hidden_size) +
                 ", \"num_hidden_layers\": " + std::to_string(c.num_hidden_layers) +
                 ", \"num_attention_heads\": " + std::to_string(c.num_attention_heads) +
                 ", \"intermediate_size\": " + std::to_string(c.intermediate_size) +
                 ", \"max_position_embeddings\": " + std::to_string(c.max_position_embeddings) +
                 ", \"relative_attention_num_buckets\": 32, \"layer_norm_eps\": 1e-05, \"hidden_act\": \"gelu\","
                 " \"pad_token_id\": 1, \"bos_token_id\": 0, \"eos_token_id\": 2}");
  write_text(m.dir / "modules.json",
             R"([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])");
  write_text(m.dir / "1_Pooling" / "config.json",
             "{\"word_embedding_dimension\": " + std::to_string(c.hidden_size) +
                 ", \"pooling_mode_cls_token\": false, \"pooling_mode_mean_tokens\": true, "
                 "\"pooling_mode_max_tokens\": false, \"pooling_mode_mean_sqrt_len_tokens\": false}");
  fs::create_directories(m.dir / "2_Normalize");
  write_text(m.dir / "sentence_bert_config.json",
             "{\"max_seq_length\": " + std::to_string(kMaxSeqLength) + ", \"do_lower_case\": false}");
  write_text(m.dir / "tokenizer_config.json",
             R"({"do_lower_case": true, "bos_token": "<s>", "eos_token": "</s>", "unk_token": "[UNK]",
 "sep_token": "</s>", "pad_token": "<pad>", "cls_token": "<s>",
 "mask_token": {"content": "<mask>", "lstrip": true, "rstrip": false}, "tokenize_chinese_chars": true,
 "strip_accents": null, "model_max_length": 512})");
  write_safetensors(m.dir / "model.safetensors", params);
}

const TinyModel& tiny_model() {
  static TinyModel m = [] {
    TinyModel t;
    t.dir = fs::temp_directory_path() / ("pgc_test_mpnet_" + std::to_string(::getpid())) / "tiny-mpnet";
    fs::remove_all(t.dir);
    t.vocab = {"<s>", "<pad>", "</s>", "<unk>", "[UNK]", ".", ",", "##s", "##ing"};
    for (const auto& w : fixture_words()) t.vocab.push_back(w);
    t.vocab.push_back("<mask>");
    t.config = tiny_config(static_cast<int64_t>(t.vocab.size()) + 3);  // a few unused rows, as in the real model
    t.params = random_params(t.config, 20240611);
    write_folder(t, t.params);
    return t;
  }();
  return m;
}

struct Cleanup {
  ~Cleanup() { fs::remove_all(fs::temp_directory_path() / ("pgc_test_mpnet_" + std::to_string(::getpid()))); }
};
BOOST_GLOBAL_FIXTURE(Cleanup);

std::unique_ptr<pgc::MpnetSentenceEncoder> load_tiny() {
  return std::make_unique<pgc::MpnetSentenceEncoder>(tiny_model().dir.string(), "cpu");
}

// HF's relative_position_bucket, worked out by hand for n = -(memory - context):
// n < 0 adds 16; |n| < 8 is its own bucket; else 8 + floor(log(|n|/8) / log(16) * 8), at most 15.
int64_t hand_bucket(int64_t relative_position) {
  int64_t n = -relative_position, ret = 0;
  if (n < 0) ret += 16;
  n = std::abs(n);
  if (n < 8) return ret + n;
  const int64_t large = 8 + static_cast<int64_t>(std::log(n / 8.0) / std::log(16.0) * 8);
  return ret + std::min<int64_t>(large, 15);
}

const at::Tensor& param(const Params& p, const std::string& name) {
  for (const auto& [n, t] : p)
    if (n == name) return t;
  throw std::logic_error("no parameter " + name);
}

// modeling_mpnet.py for one unpadded sequence, written out per head in double precision, then
// mean pooling and L2 normalization.
std::vector<double> naive_embedding(const TinyModel& m, const std::vector<int64_t>& ids) {
  const auto& c = m.config;
  auto P = [&](const std::string& name) { return param(m.params, name).to(at::kDouble); };
  auto layer_norm = [&](const at::Tensor& x, const std::string& prefix) {
    at::Tensor mean = x.mean(-1, true);
    at::Tensor var = (x - mean).pow(2).mean(-1, true);
    return (x - mean) / at::sqrt(var + c.layer_norm_eps) * P(prefix + ".weight") + P(prefix + ".bias");
  };
  auto dense = [&](const at::Tensor& x, const std::string& prefix) {
    return at::matmul(x, P(prefix + ".weight").t()) + P(prefix + ".bias");
  };
  const int64_t L = static_cast<int64_t>(ids.size()), H = c.num_attention_heads, d = c.hidden_size / H;
  at::Tensor x = at::zeros({L, c.hidden_size}, at::kDouble);
  for (int64_t i = 0; i < L; ++i) x[i] = P("embeddings.word_embeddings.weight")[ids[i]] +
                                          P("embeddings.position_embeddings.weight")[i + 2];
  x = layer_norm(x, "embeddings.LayerNorm");
  const at::Tensor table = P("encoder.relative_attention_bias.weight");
  for (int64_t layer = 0; layer < c.num_hidden_layers; ++layer) {
    const std::string pre = "encoder.layer." + std::to_string(layer) + ".";
    at::Tensor qh = dense(x, pre + "attention.attn.q"), kh = dense(x, pre + "attention.attn.k"),
               vh = dense(x, pre + "attention.attn.v");
    at::Tensor context = at::zeros({L, c.hidden_size}, at::kDouble);
    for (int64_t h = 0; h < H; ++h) {
      at::Tensor scores = at::zeros({L, L}, at::kDouble);
      for (int64_t i = 0; i < L; ++i)
        for (int64_t j = 0; j < L; ++j)
          scores[i][j] = (qh[i].slice(0, h * d, (h + 1) * d) * kh[j].slice(0, h * d, (h + 1) * d)).sum() /
                             std::sqrt(static_cast<double>(d)) +
                         table[hand_bucket(j - i)][h];
      at::Tensor probs = at::softmax(scores, -1);
      context.slice(1, h * d, (h + 1) * d).copy_(at::matmul(probs, vh.slice(1, h * d, (h + 1) * d)));
    }
    at::Tensor a = layer_norm(dense(context, pre + "attention.attn.o") + x, pre + "attention.LayerNorm");
    at::Tensor inter = dense(a, pre + "intermediate.dense");
    inter = 0.5 * inter * (1 + at::erf(inter / std::sqrt(2.0)));
    x = layer_norm(dense(inter, pre + "output.dense") + a, pre + "output.LayerNorm");
  }
  at::Tensor pooled = x.mean(0);
  pooled = pooled / pooled.norm();
  return std::vector<double>(pooled.data_ptr<double>(), pooled.data_ptr<double>() + pooled.numel());
}

using pgc_test::max_abs_diff;

const std::vector<std::string> kTexts = {
    "bus", "a red bus driving on the road", "person on pavement", "Plaid blanket", "wicker basket sitting on blanket",
    "unknownword here", "lawn", "a person , a bus . a road and a lawn and more words than fit"};

}  // namespace

// A model saved by HF transformers 5.17 and the outputs sentence-transformers 6.0.1 gave for
// it (tests/data/mpnet_tiny_hf/README.md): same token ids, embeddings within float32 noise.
BOOST_AUTO_TEST_CASE(matches_sentence_transformers_outputs) {
  const fs::path dir = fs::path(PGC_SOURCE_DIR) / "tests" / "data" / "mpnet_tiny_hf";
  pgc::MpnetSentenceEncoder enc(dir.string(), "cpu");
  enc.set_batch_size(4);
  pgc::JsonDoc texts_doc = pgc::read_json_file((dir / "texts.json").string());
  pgc::JsonDoc hf = pgc::read_json_file((dir / "hf_outputs.json").string());
  std::vector<std::string> texts;
  for (const auto& t : texts_doc.GetArray()) texts.push_back(t.GetString());
  BOOST_REQUIRE(texts.size() > 10);
  std::vector<std::vector<float>> got = enc.embed(texts);
  for (size_t i = 0; i < texts.size(); ++i) {
    BOOST_TEST_CONTEXT("text " << i << " \"" << texts[i] << "\"") {
      std::vector<int64_t> want_ids;
      for (const auto& id : hf["ids"][i].GetArray()) want_ids.push_back(id.GetInt64());
      BOOST_TEST(enc.token_ids(texts[i]) == want_ids, boost::test_tools::per_element());
      for (const char* device : {"cpu", "cuda"}) {
        const pgc::JsonValue& want = hf[device][i];
        BOOST_REQUIRE_EQUAL(want.Size(), got[i].size());
        double worst = 0;
        for (size_t k = 0; k < got[i].size(); ++k) worst = std::max(worst, std::abs(got[i][k] - want[k].GetDouble()));
        BOOST_TEST_MESSAGE("vs sentence-transformers " << device << ": max |diff| " << worst);
        BOOST_TEST(worst < 1e-6);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(relative_position_buckets_match_hf_formula) {
  // Worked by hand: n = -(relative position); boundaries n = 8, 16, 32, 64, 128 included.
  const std::vector<std::pair<int64_t, int64_t>> cases = {
      {0, 0},     {-1, 1},    {-7, 7},    {-8, 8},    {-15, 9},   {-16, 10},  {-20, 10},  {-31, 11},
      {-32, 12},  {-45, 12},  {-64, 14},  {-100, 15}, {-127, 15}, {-128, 15}, {-1000, 15}, {1, 17},
      {7, 23},    {8, 24},    {16, 26},   {20, 26},   {32, 28},   {64, 30},   {100, 31},  {300, 31}};
  std::vector<int64_t> rel;
  for (const auto& c : cases) rel.push_back(c.first);
  at::Tensor got = pgc::mpnet_relative_position_bucket(at::tensor(rel, at::kLong));
  BOOST_REQUIRE(got.scalar_type() == at::kLong);
  for (size_t i = 0; i < cases.size(); ++i) {
    BOOST_TEST_CONTEXT("relative position " << cases[i].first) {
      BOOST_TEST(got[i].item<int64_t>() == cases[i].second);
      BOOST_TEST(hand_bucket(cases[i].first) == cases[i].second);
    }
  }
}

BOOST_AUTO_TEST_CASE(position_ids_start_after_padding_idx) {
  at::Tensor ids = at::tensor(std::vector<int64_t>{0, 9, 12, 2, 1, 1, 0, 2, 1, 1, 1, 1}, at::kLong).view({2, 6});
  at::Tensor pos = pgc::mpnet_position_ids(ids, 1);
  std::vector<int64_t> want = {2, 3, 4, 5, 1, 1, 2, 3, 1, 1, 1, 1};
  BOOST_TEST(at::equal(pos, at::tensor(want, at::kLong).view({2, 6})));
}

BOOST_AUTO_TEST_CASE(tokenization_wraps_and_truncates) {
  auto enc = load_tiny();
  const auto& vocab = tiny_model().vocab;
  std::vector<int64_t> ids = enc->token_ids("Red BUS");
  BOOST_REQUIRE_EQUAL(ids.size(), 4u);
  BOOST_TEST(ids.front() == 0);
  BOOST_TEST(ids.back() == 2);
  BOOST_TEST(vocab[ids[1]] == "red");
  BOOST_TEST(vocab[ids[2]] == "bus");
  BOOST_TEST(vocab[enc->token_ids("zzzz")[1]] == "[UNK]");
  std::vector<int64_t> longest = enc->token_ids(kTexts.back());
  BOOST_TEST(longest.size() == kMaxSeqLength);
  BOOST_TEST(longest.back() == 2);
  BOOST_TEST(enc->max_seq_length() == kMaxSeqLength);
}

BOOST_AUTO_TEST_CASE(forward_matches_naive_restatement) {
  auto enc = load_tiny();
  for (const auto& text : kTexts) {
    BOOST_TEST_CONTEXT(text) {
      std::vector<float> got = enc->embed({text})[0];
      std::vector<double> want = naive_embedding(tiny_model(), enc->token_ids(text));
      BOOST_REQUIRE_EQUAL(got.size(), want.size());
      double worst = 0;
      for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
      BOOST_TEST_MESSAGE("naive vs MpnetModel max |diff| " << worst);
      BOOST_TEST(worst < 2e-6);
    }
  }
}

BOOST_AUTO_TEST_CASE(batches_padding_and_norm) {
  auto enc = load_tiny();
  BOOST_TEST(enc->dim() == 32u);
  BOOST_TEST(enc->normalizes());
  enc->set_batch_size(1);
  std::vector<std::vector<float>> singles = enc->embed(kTexts);
  for (size_t batch : {2u, 3u, 8u, 32u}) {
    enc->set_batch_size(batch);
    std::vector<std::vector<float>> batched = enc->embed(kTexts);
    BOOST_REQUIRE_EQUAL(batched.size(), kTexts.size());
    for (size_t i = 0; i < kTexts.size(); ++i)
      BOOST_TEST_CONTEXT("batch " << batch << ", text " << i) {
        const double diff = max_abs_diff(batched[i], singles[i]);
        if (diff != 0) BOOST_TEST_MESSAGE("batch " << batch << " text " << i << " max |diff| " << diff);
        BOOST_TEST(diff < 1e-6);
      }
  }
  // A short text padded to a long one's length gives its own embedding.
  std::vector<std::vector<int64_t>> ids = {enc->token_ids("bus"), enc->token_ids(kTexts.back())};
  enc->set_batch_size(2);
  std::vector<std::vector<float>> padded = enc->embed_ids(ids);
  BOOST_TEST(max_abs_diff(padded[0], singles[0]) < 1e-6);
  // Distinct texts give distinct embeddings (the checks above could fail), each of norm 1.
  BOOST_TEST(max_abs_diff(singles[0], singles[1]) > 1e-3);
  for (const auto& e : singles) {
    double norm = 0;
    for (float v : e) norm += double(v) * v;
    BOOST_TEST(std::abs(std::sqrt(norm) - 1) < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(prefixed_checkpoint_with_pooler_loads) {
  const TinyModel& base = tiny_model();
  TinyModel m = base;
  m.dir = base.dir.parent_path() / "prefixed";
  Params p;
  for (const auto& [n, t] : base.params) p.emplace_back("mpnet." + n, t);
  p.emplace_back("mpnet.pooler.dense.weight", at::zeros({32, 32}));
  p.emplace_back("mpnet.pooler.dense.bias", at::zeros({32}));
  p.emplace_back("mpnet.embeddings.position_ids", at::arange(40, at::kFloat).view({1, 40}));
  write_folder(m, p);
  pgc::MpnetSentenceEncoder prefixed(m.dir.string(), "cpu");
  auto plain = load_tiny();
  BOOST_TEST(max_abs_diff(prefixed.embed({"red bus"})[0], plain->embed({"red bus"})[0]) == 0);
}

BOOST_AUTO_TEST_CASE(bad_checkpoints_are_rejected_by_name) {
  const TinyModel& base = tiny_model();
  auto expect_error = [&](const std::string& tag, const Params& p, const std::string& needle) {
    TinyModel m = base;
    m.dir = base.dir.parent_path() / tag;
    write_folder(m, p);
    try {
      pgc::MpnetSentenceEncoder enc(m.dir.string(), "cpu");
      BOOST_ERROR(tag << ": loaded without error");
    } catch (const pgc::InputError& e) {
      BOOST_TEST_CONTEXT(e.what()) { BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos); }
    }
  };
  Params missing, misshapen, extra = base.params;
  for (const auto& [n, t] : base.params) {
    if (n != "encoder.layer.1.attention.attn.k.weight") missing.emplace_back(n, t);
    misshapen.emplace_back(n, n == "encoder.relative_attention_bias.weight" ? at::zeros({16, 4}) : t);
  }
  extra.emplace_back("encoder.layer.2.output.dense.bias", at::zeros({32}));
  expect_error("missing", missing, "encoder.layer.1.attention.attn.k.weight");
  expect_error("misshapen", misshapen, "encoder.relative_attention_bias.weight");
  expect_error("extra", extra, "encoder.layer.2.output.dense.bias");

  // A config that is not MPNet, and a folder without weights.
  TinyModel m = base;
  m.dir = base.dir.parent_path() / "not_mpnet";
  write_folder(m, base.params);
  write_text(m.dir / "config.json", "{\"model_type\": \"bert\"}");
  BOOST_CHECK_THROW(pgc::MpnetSentenceEncoder(m.dir.string(), "cpu"), pgc::InputError);
  m.dir = base.dir.parent_path() / "no_weights";
  write_folder(m, base.params);
  fs::remove(m.dir / "model.safetensors");
  BOOST_CHECK_THROW(pgc::MpnetSentenceEncoder(m.dir.string(), "cpu"), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(numpy_renormalization_by_hand) {
  // 3-4-12 -> norm 13 exactly.
  std::vector<float> v = pgc::numpy_l2_normalize({3.f, 4.f, 12.f});
  BOOST_TEST(v[0] == 3.f / 13.f);
  BOOST_TEST(v[1] == 4.f / 13.f);
  BOOST_TEST(v[2] == 12.f / 13.f);
  BOOST_TEST(pgc::embedding_dot({0.5f, 0.25f}, {0.5f, -1.f}) == 0.0f);
  BOOST_TEST(pgc::embedding_dot({0.5f, 0.25f}, {1.f, 1.f}) == 0.75f);
}

// `pgc caption --capture-encoder` = the same cosines given as `--capture-similarity`.
BOOST_AUTO_TEST_CASE(capture_cli_encoder_equals_its_table) {
  pgc_test::TempDir tmp("mpnet_capture");
  const std::string common = "caption --metrics capture --capture-mode elements --refs " + q(kSmall / "refs.json") +
                             " --preds " + q(kSmall / "preds.json") + " --threads 2 --quiet --per-image ";
  pgc_test::Run enc_run = pgc_test::run_pgc_command(
      common + "--capture-encoder " + q(tiny_model().dir) + " --capture-device cpu --json " + q(tmp.path / "enc.json"),
      tmp.path);
  BOOST_REQUIRE_MESSAGE(enc_run.rc == 0, enc_run.err);

  // The cosines, computed here from the encoder: the phrases the soft stage needs, embedded in
  // one call as the CLI does, renormalized like numpy, dot products in double.
  std::vector<pgc::CaptureImage> images =
      pgc::read_capture_images((kSmall / "refs.json").string(), (kSmall / "preds.json").string());
  pgc::WordNet wordnet(pgc::resolve_wordnet_dir(""));
  pgc::WordNetSynonyms synonyms(wordnet);
  std::vector<std::string> phrases = pgc::capture_soft_phrases(images, pgc::CaptureOptions{}, &synonyms, 1);
  BOOST_REQUIRE(phrases.size() > 4);
  auto enc = load_tiny();
  std::vector<std::vector<float>> emb = enc->embed(phrases);
  std::vector<std::vector<float>> unit;
  for (const auto& e : emb) {
    std::vector<float> sq;
    for (float x : e) sq.push_back(x * x);
    const float norm = std::sqrt(pgc::numpy_float32_sum(sq.data(), sq.size()));
    std::vector<float> u;
    for (float x : e) u.push_back(x / norm);
    unit.push_back(u);
  }
  pgc::JsonDoc table(rapidjson::kObjectType);
  auto& a = table.GetAllocator();
  for (size_t i = 0; i < phrases.size(); ++i)
    for (size_t j = 0; j < phrases.size(); ++j) {
      double dot = 0;
      for (size_t k = 0; k < unit[i].size(); ++k) dot += double(unit[i][k]) * unit[j][k];
      const std::string key = phrases[i] + "|" + phrases[j];
      table.AddMember(pgc::JsonValue(key.c_str(), a), pgc::JsonValue(double(static_cast<float>(dot))), a);
    }
  const fs::path table_path = tmp.write("table.json", pgc::to_json(table));
  pgc_test::Run table_run = pgc_test::run_pgc_command(
      common + "--capture-similarity " + q(table_path) + " --json " + q(tmp.path / "table_out.json"), tmp.path);
  BOOST_REQUIRE_MESSAGE(table_run.rc == 0, table_run.err);
  pgc_test::Run nosoft_run = pgc_test::run_pgc_command(
      common + "--capture-no-soft --json " + q(tmp.path / "nosoft.json"), tmp.path);
  BOOST_REQUIRE_MESSAGE(nosoft_run.rc == 0, nosoft_run.err);

  pgc::JsonDoc e = pgc::read_json_file((tmp.path / "enc.json").string());
  pgc::JsonDoc t = pgc::read_json_file((tmp.path / "table_out.json").string());
  pgc::JsonDoc n = pgc::read_json_file((tmp.path / "nosoft.json").string());
  const double enc_score = e["corpus"]["CAPTURE"].GetDouble();
  BOOST_TEST(enc_score == t["corpus"]["CAPTURE"].GetDouble());
  BOOST_TEST(enc_score != n["corpus"]["CAPTURE"].GetDouble());  // the soft stage did something
  BOOST_TEST(pgc::to_json(e["per_image"]) == pgc::to_json(t["per_image"]));
  BOOST_TEST(pgc::to_json(e["stats"]) == pgc::to_json(t["stats"]));
  const std::string sig = e["signature"].GetString();
  BOOST_TEST(sig.find("capture_soft:encoder:mpnet:tiny-mpnet:") != std::string::npos, sig);

  // The encoder excludes the other soft-stage sources.
  pgc_test::Run both = pgc_test::run_pgc_command(
      common + "--capture-encoder " + q(tiny_model().dir) + " --capture-no-soft", tmp.path);
  BOOST_TEST(both.rc == 2);
  pgc_test::Run missing = pgc_test::run_pgc_command(
      common + "--capture-encoder " + q(tmp.path / "nowhere") + " --capture-device cpu", tmp.path);
  BOOST_TEST(missing.rc == 2);
  BOOST_TEST(missing.err.find("nowhere") != std::string::npos, missing.err);
}
