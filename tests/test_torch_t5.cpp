// T5 (models/torch/t5.hpp) on small random-weight configurations: HF's relative position
// buckets and RMS norm by hand, KV-cache decoding = full recomputation, batching and padding
// invariance, beam 1 = greedy, beam search = exhaustive search where the beam is wide
// enough, checkpoint loading (dtypes, shards, tied embeddings, loud failures) and the
// scene-graph parser end to end from a model folder written here.
#define BOOST_TEST_MODULE torch_t5
#include <boost/test/unit_test.hpp>

#include "torch_test_util.hpp"
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "models/safetensors.hpp"
#include "models/scene_graph_parser.hpp"
#include "models/t5_tokenizer.hpp"
#include "models/torch/t5.hpp"
#include "t5_test_util.hpp"

namespace fs = std::filesystem;
using pgc::t5::T5Config;
using pgc::t5::T5Model;

namespace {

T5Config tiny_config(int64_t vocab = 40) {
  T5Config c;
  c.vocab_size = vocab;
  c.d_model = 32;
  c.d_kv = 8;
  c.d_ff = 48;
  c.num_layers = 2;
  c.num_decoder_layers = 3;
  c.num_heads = 4;
  c.relative_attention_num_buckets = 8;
  c.relative_attention_max_distance = 20;
  c.feed_forward_proj = "gated-gelu";
  c.tie_word_embeddings = false;
  return c;
}

std::string config_json(const T5Config& c) {
  return "{\"architectures\": [\"T5ForConditionalGeneration\"], \"model_type\": \"t5\", \"vocab_size\": " +
         std::to_string(c.vocab_size) + ", \"d_model\": " + std::to_string(c.d_model) +
         ", \"d_kv\": " + std::to_string(c.d_kv) + ", \"d_ff\": " + std::to_string(c.d_ff) +
         ", \"num_layers\": " + std::to_string(c.num_layers) + ", \"num_decoder_layers\": " +
         std::to_string(c.num_decoder_layers) + ", \"num_heads\": " + std::to_string(c.num_heads) +
         ", \"relative_attention_num_buckets\": " + std::to_string(c.relative_attention_num_buckets) +
         ", \"relative_attention_max_distance\": " + std::to_string(c.relative_attention_max_distance) +
         ", \"layer_norm_epsilon\": 1e-06, \"feed_forward_proj\": \"" + c.feed_forward_proj +
         "\", \"tie_word_embeddings\": " + (c.tie_word_embeddings ? "true" : "false") +
         ", \"decoder_start_token_id\": 0, \"eos_token_id\": 1, \"pad_token_id\": 0, \"dropout_rate\": 0.1}";
}

const char* safe_name(torch::Dtype d) { return pgc_test::safetensors_dtype(d); }

using State = std::vector<std::pair<std::string, torch::Tensor>>;

void write_safetensors(const fs::path& path, const State& state, torch::Dtype dtype) {
  pgc_test::write_safetensors_file(path, state, dtype);
}

fs::path dir() {
  static const fs::path d = t5_test::temp_dir("torch_t5");
  return d;
}

// Random ids in [2, vocab) of the given lengths, padded; first rows ids, second mask.
std::pair<torch::Tensor, torch::Tensor> random_batch(const std::vector<int64_t>& lengths, int64_t vocab,
                                                     uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<std::vector<int64_t>> rows;
  for (int64_t n : lengths) {
    const torch::Tensor r = torch::randint(2, vocab, {n}, torch::kLong);
    rows.emplace_back(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + n);
    rows.back().back() = 1;  // </s>
  }
  return pgc::t5::pad_batch(rows, 0, "cpu");
}

void check_close(const torch::Tensor& a, const torch::Tensor& b, double tol, const std::string& what) {
  BOOST_TEST_CONTEXT(what) {
    BOOST_REQUIRE(a.sizes() == b.sizes());
    const double diff = (a - b).abs().max().item<double>();
    BOOST_TEST(diff <= tol, "max |diff| " << diff << " > " << tol);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(relative_position_buckets_by_hand) {
  // HF's formula with 32 buckets, max distance 128: bidirectional = 16 per direction,
  // 8 exact; unidirectional = 16 exact then log buckets up to 31.
  const torch::Tensor rel = torch::tensor({0, -1, 1, -7, -8, -20, 20, -127, -128, -1000, 1000}, torch::kLong);
  const torch::Tensor bi = pgc::t5::relative_position_bucket(rel, true, 32, 128);
  // -20: 8 + int(log(20/8)/log(16)*8) = 8 + int(2.64) = 10; -127: 8 + int(7.98) = 15;
  // -128: 8 + 8 = 16, capped at 15; positive offsets add 16.
  const std::vector<int64_t> want_bi = {0, 1, 17, 7, 8, 10, 26, 15, 15, 15, 31};
  for (size_t i = 0; i < want_bi.size(); ++i)
    BOOST_TEST(bi[static_cast<int64_t>(i)].item<int64_t>() == want_bi[i], "bidirectional " << rel[static_cast<int64_t>(i)].item<int64_t>());
  const torch::Tensor rel2 = torch::tensor({5, 0, -5, -15, -16, -40, -100, -128, -5000}, torch::kLong);
  const torch::Tensor uni = pgc::t5::relative_position_bucket(rel2, false, 32, 128);
  // -40: 16 + int(log(40/16)/log(8)*16) = 16 + int(7.05) = 23; -100: 16 + int(14.10) = 30;
  // -128: 16 + 16 = 32, capped at 31; the future (5) is bucket 0.
  const std::vector<int64_t> want_uni = {0, 0, 5, 15, 16, 23, 30, 31, 31};
  for (size_t i = 0; i < want_uni.size(); ++i)
    BOOST_TEST(uni[static_cast<int64_t>(i)].item<int64_t>() == want_uni[i], "unidirectional " << rel2[static_cast<int64_t>(i)].item<int64_t>());
}

BOOST_AUTO_TEST_CASE(rms_norm_has_no_mean_and_no_bias) {
  const torch::Tensor x = torch::tensor({{3.0f, 4.0f}, {1.0f, 1.0f}});
  const torch::Tensor w = torch::tensor({1.0f, 2.0f});
  const torch::Tensor y = pgc::t5::rms_norm(x, w, 0.0);
  const double r = std::sqrt(12.5);
  BOOST_TEST(y[0][0].item<double>() == 3.0 / r, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(y[0][1].item<double>() == 8.0 / r, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(y[1][0].item<double>() == 1.0, boost::test_tools::tolerance(1e-6));  // a LayerNorm would give 0
  const torch::Tensor z = pgc::t5::rms_norm(torch::zeros({1, 4}), torch::ones({4}), 1e-6);
  BOOST_TEST(z.abs().max().item<double>() == 0.0);
}

BOOST_AUTO_TEST_CASE(config_reading) {
  const T5Config c = pgc::t5::parse_t5_config(config_json(tiny_config()), "config.json");
  BOOST_TEST(c.num_decoder_layers == 3);
  BOOST_TEST(c.gated());
  BOOST_TEST(!c.tie_word_embeddings);
  const T5Config d = pgc::t5::parse_t5_config("{\"num_layers\": 4}", "x.json");
  BOOST_TEST(d.num_decoder_layers == 4);           // defaults to num_layers
  BOOST_TEST(d.tie_word_embeddings);               // HF's default
  BOOST_TEST(d.relative_attention_max_distance == 128);
  BOOST_CHECK_THROW(pgc::t5::parse_t5_config("{\"feed_forward_proj\": \"gated-silu\"}", "x.json"), pgc::InputError);
  BOOST_CHECK_THROW(pgc::t5::parse_t5_config("{\"d_model\": \"768\"}", "x.json"), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(kv_cache_equals_full_recomputation) {
  for (const std::string ff : {"gated-gelu", "relu"}) {
    T5Config c = tiny_config();
    c.feed_forward_proj = ff;
    const T5Model model(c, "cpu", 3);
    const auto [ids, mask] = random_batch({9, 6}, c.vocab_size, 11);
    const torch::Tensor enc = model.encode(ids, mask);
    torch::manual_seed(5);
    torch::Tensor dec = torch::randint(0, c.vocab_size, {2, 30}, torch::kLong);  // past max_distance
    dec.select(1, 0).fill_(0);
    const torch::Tensor full = model.decode_full(enc, mask, dec);
    pgc::t5::DecoderState one = model.start(enc, mask);
    std::vector<torch::Tensor> steps;
    for (int64_t t = 0; t < dec.size(1); ++t) steps.push_back(model.decode_step(one, dec.slice(1, t, t + 1)));
    check_close(torch::cat(steps, 1), full, 1e-4, ff + ": one token per step");
    pgc::t5::DecoderState chunks = model.start(enc, mask);
    std::vector<torch::Tensor> parts;
    for (int64_t t = 0; t < dec.size(1); t += 7)
      parts.push_back(model.decode_step(chunks, dec.slice(1, t, std::min<int64_t>(t + 7, dec.size(1)))));
    check_close(torch::cat(parts, 1), full, 1e-4, ff + ": chunks of 7");
    BOOST_TEST(full.abs().max().item<double>() > 0.1);  // not trivially zero
  }
}

BOOST_AUTO_TEST_CASE(batch_equals_singles_and_padding_is_masked) {
  const T5Config c = tiny_config();
  const T5Model model(c, "cpu", 4);
  const std::vector<int64_t> lengths = {7, 3, 12, 5};
  const auto [ids, mask] = random_batch(lengths, c.vocab_size, 21);
  const torch::Tensor enc = model.encode(ids, mask);
  torch::manual_seed(6);
  torch::Tensor dec = torch::randint(0, c.vocab_size, {4, 10}, torch::kLong);
  dec.select(1, 0).fill_(0);
  const torch::Tensor logits = model.decode_full(enc, mask, dec);
  for (size_t i = 0; i < lengths.size(); ++i) {
    const int64_t n = lengths[i], row = static_cast<int64_t>(i);
    const torch::Tensor one_ids = ids.slice(0, row, row + 1).slice(1, 0, n);
    const torch::Tensor one_mask = torch::ones({1, n}, torch::kLong);
    const torch::Tensor one_enc = model.encode(one_ids, one_mask);
    check_close(enc.slice(0, row, row + 1).slice(1, 0, n), one_enc, 1e-5, "encoder row " + std::to_string(i));
    check_close(logits.slice(0, row, row + 1), model.decode_full(one_enc, one_mask, dec.slice(0, row, row + 1)), 1e-4,
                "decoder row " + std::to_string(i));
    // Extra padding after the sentence changes nothing.
    const torch::Tensor padded_ids = torch::cat({one_ids, torch::zeros({1, 5}, torch::kLong)}, 1);
    const torch::Tensor padded_mask = torch::cat({one_mask, torch::zeros({1, 5}, torch::kLong)}, 1);
    const torch::Tensor padded_enc = model.encode(padded_ids, padded_mask);
    check_close(padded_enc.slice(1, 0, n), one_enc, 1e-5, "padded encoder " + std::to_string(i));
    check_close(model.decode_full(padded_enc, padded_mask, dec.slice(0, row, row + 1)),
                model.decode_full(one_enc, one_mask, dec.slice(0, row, row + 1)), 1e-4, "padded decoder");
  }
  // Generation: the batch gives each item what it gets alone.
  for (int beams : {1, 3}) {
    pgc::t5::GenerationOptions o;
    o.num_beams = beams;
    o.max_length = 14;
    const auto batch = pgc::t5::generate(model, ids, mask, o);
    for (size_t i = 0; i < lengths.size(); ++i) {
      const int64_t row = static_cast<int64_t>(i);
      const auto one = pgc::t5::generate(model, ids.slice(0, row, row + 1).slice(1, 0, lengths[i]),
                                         torch::ones({1, lengths[i]}, torch::kLong), o);
      BOOST_TEST(batch[i].tokens == one[0].tokens, "beams " << beams << " item " << i);
      BOOST_TEST(batch[i].score == one[0].score, boost::test_tools::tolerance(1e-5));
    }
  }
}

BOOST_AUTO_TEST_CASE(beam_search_with_one_beam_is_greedy) {
  T5Config c = tiny_config(12);  // a small vocabulary so that </s> comes up often
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const T5Model model(c, "cpu", seed);
    const auto [ids, mask] = random_batch({5, 8, 3}, c.vocab_size, 100 + seed);
    pgc::t5::GenerationOptions o;
    o.num_beams = 1;
    o.max_length = 16;
    const auto greedy = pgc::t5::greedy_search(model, ids, mask, o);
    const auto beam = pgc::t5::beam_search(model, ids, mask, o);
    for (size_t i = 0; i < greedy.size(); ++i) {
      BOOST_TEST(greedy[i].tokens == beam[i].tokens, "seed " << seed << " item " << i);
      BOOST_TEST(!greedy[i].tokens.empty());
      // Greedy is the step-wise argmax of the full recomputation.
      const auto& toks = greedy[i].tokens;
      std::vector<int64_t> dec = {0};
      dec.insert(dec.end(), toks.begin(), toks.end() - 1);
      const int64_t row = static_cast<int64_t>(i);
      const torch::Tensor logits = model.decode_full(model.encode(ids.slice(0, row, row + 1), mask.slice(0, row, row + 1)),
                                                     mask.slice(0, row, row + 1), torch::tensor(dec).unsqueeze(0));
      const torch::Tensor argmax = logits.argmax(-1).contiguous();
      BOOST_TEST(toks == std::vector<int64_t>(argmax.data_ptr<int64_t>(), argmax.data_ptr<int64_t>() + toks.size()));
    }
  }
}

BOOST_AUTO_TEST_CASE(wide_beam_search_finds_the_exhaustive_best) {
  // vocab V = 5, max_length 3 (start + 2 tokens), num_beams V(V-1) = 20: every real prefix
  // stays live and every real </s> ranks inside the beam, so HF's beam search must return
  // the best of all sequences scored as BeamHypotheses does (sum log-prob / len^penalty).
  const int64_t V = 5;
  T5Config c = tiny_config(V);
  int winners_with_eos = 0, winners_at_max = 0;
  for (uint64_t seed = 0; seed < 8; ++seed) {
    const T5Model model(c, "cpu", 40 + seed);
    const auto [ids, mask] = random_batch({6}, V, 300 + seed);
    const torch::Tensor enc = model.encode(ids, mask);
    // log-probs of every first token, and of every second token after each first token.
    torch::Tensor dec = torch::zeros({V, 2}, torch::kLong);
    for (int64_t a = 0; a < V; ++a) dec[a][1] = a;
    const torch::Tensor lp = torch::log_softmax(model.decode_full(enc.expand({V, -1, -1}), mask.expand({V, -1}), dec), -1)
                                 .to(torch::kDouble);
    for (const double penalty : {1.0, 0.5, 2.0, 0.0, -1.0}) {
      for (const bool counts_start : {true, false}) {
        double best = -1e300;
        std::vector<int64_t> best_tokens;
        auto consider = [&](std::vector<int64_t> tokens, double sum, int64_t len) {
          const double score = sum / std::pow(static_cast<double>(len), penalty);
          if (score > best) { best = score; best_tokens = std::move(tokens); }
        };
        consider({1}, lp[0][0][1].item<double>(), 1);
        for (int64_t a = 0; a < V; ++a) {
          if (a == 1) continue;
          const double first = lp[0][0][a].item<double>();
          consider({a, 1}, first + lp[a][1][1].item<double>(), 2);
          for (int64_t b = 0; b < V; ++b)
            if (b != 1) consider({a, b}, first + lp[a][1][b].item<double>(), counts_start ? 3 : 2);
        }
        pgc::t5::GenerationOptions o;
        o.num_beams = static_cast<int>(V * (V - 1));
        o.max_length = 3;
        o.length_penalty = penalty;
        o.length_counts_start = counts_start;
        const auto got = pgc::t5::beam_search(model, ids, mask, o);
        BOOST_TEST(got[0].tokens == best_tokens, "seed " << seed << " penalty " << penalty << " counts_start " << counts_start);
        BOOST_TEST(got[0].score == best, boost::test_tools::tolerance(1e-5));
        (best_tokens.back() == 1 ? winners_with_eos : winners_at_max) += 1;
      }
    }
  }
  // Both kinds of hypotheses won somewhere, so both paths were checked.
  BOOST_TEST(winners_with_eos > 0);
  BOOST_TEST(winners_at_max > 0);
}

BOOST_AUTO_TEST_CASE(loading_checkpoints) {
  const T5Config c = tiny_config();
  const T5Model source(c, "cpu", 7);
  State state = source.named_parameters();
  // shared + 2 encoder blocks x 9 + 2 bias tables + 3 decoder blocks x 14 + 2 final norms + lm_head
  BOOST_TEST(state.size() == 66u);
  const auto [ids, mask] = random_batch({6, 4}, c.vocab_size, 8);
  torch::Tensor dec = torch::zeros({2, 5}, torch::kLong);
  dec.slice(1, 1, 5).fill_(3);
  const torch::Tensor want = source.decode_full(source.encode(ids, mask), mask, dec);

  for (const auto dtype : {torch::kFloat, torch::kHalf, torch::kBFloat16}) {
    const fs::path file = dir() / (std::string("model_") + safe_name(dtype) + ".safetensors");
    // The tied embedding copies HF sometimes writes are accepted and ignored.
    State with_copies = state;
    with_copies.emplace_back("encoder.embed_tokens.weight", state[0].second);
    write_safetensors(file, with_copies, dtype);
    T5Model loaded(c, "cpu", 99);
    loaded.load(pgc::SafetensorsCheckpoint(file.string()));
    const torch::Tensor got = loaded.decode_full(loaded.encode(ids, mask), mask, dec);
    const double tol = dtype == torch::kFloat ? 0.0 : 0.5;  // half weights: rounded logits
    check_close(got, want, tol, safe_name(dtype));
    if (dtype == torch::kFloat) BOOST_TEST(torch::equal(got, want));
  }
  // Sharded: two files and an index.
  {
    State first(state.begin(), state.begin() + 10), second(state.begin() + 10, state.end());
    write_safetensors(dir() / "shard-1.safetensors", first, torch::kFloat);
    write_safetensors(dir() / "shard-2.safetensors", second, torch::kFloat);
    std::string index = "{\"metadata\": {}, \"weight_map\": {";
    for (size_t i = 0; i < state.size(); ++i)
      index += std::string(i ? "," : "") + "\"" + state[i].first + "\": \"" + (i < 10 ? "shard-1" : "shard-2") + ".safetensors\"";
    std::ofstream(dir() / "model.safetensors.index.json") << index << "}}";
    T5Model loaded(c, "cpu", 98);
    loaded.load(pgc::SafetensorsCheckpoint((dir() / "model.safetensors.index.json").string()));
    BOOST_TEST(torch::equal(loaded.decode_full(loaded.encode(ids, mask), mask, dec), want));
  }
  // Wrong shape and missing tensor: InputError naming the tensor.
  auto expect_error = [&](const State& bad, const std::string& name, const std::string& words) {
    const fs::path file = dir() / "bad.safetensors";
    write_safetensors(file, bad, torch::kFloat);
    T5Model loaded(c, "cpu", 97);
    try {
      loaded.load(pgc::SafetensorsCheckpoint(file.string()));
      BOOST_ERROR("no error for " << name);
    } catch (const pgc::InputError& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find(name) != std::string::npos, what);
      BOOST_TEST(what.find(words) != std::string::npos, what);
    }
  };
  State wrong_shape = state;
  for (auto& [name, t] : wrong_shape)
    if (name == "decoder.block.1.layer.2.DenseReluDense.wi_1.weight") t = torch::zeros({c.d_ff + 1, c.d_model});
  expect_error(wrong_shape, "decoder.block.1.layer.2.DenseReluDense.wi_1.weight", "shape");
  State missing;
  for (const auto& kv : state)
    if (kv.first != "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight") missing.push_back(kv);
  expect_error(missing, "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "missing");
  State extra = state;
  extra.emplace_back("decoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", torch::zeros({8, 4}));
  expect_error(extra, "decoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", "unexpected");
}

BOOST_AUTO_TEST_CASE(tied_embeddings_scale_the_decoder_output) {
  // HF: with tie_word_embeddings the LM head is shared.weight and the decoder output is
  // scaled by d_model^-0.5 first; equal to an untied head holding shared * d_model^-0.5.
  T5Config tied = tiny_config();
  tied.tie_word_embeddings = true;
  const T5Model a(tied, "cpu", 12);
  State state = a.named_parameters();
  bool has_head = false;
  for (const auto& kv : state) has_head = has_head || kv.first == "lm_head.weight";
  BOOST_TEST(!has_head);
  torch::Tensor shared;
  for (const auto& kv : state)
    if (kv.first == "shared.weight") shared = kv.second;
  state.emplace_back("lm_head.weight", shared * std::pow(double(tied.d_model), -0.5));
  write_safetensors(dir() / "untied.safetensors", state, torch::kFloat);
  T5Model b(tiny_config(), "cpu", 13);
  b.load(pgc::SafetensorsCheckpoint((dir() / "untied.safetensors").string()));
  const auto [ids, mask] = random_batch({5}, tied.vocab_size, 9);
  torch::Tensor dec = torch::zeros({1, 4}, torch::kLong);
  check_close(a.decode_full(a.encode(ids, mask), mask, dec), b.decode_full(b.encode(ids, mask), mask, dec), 1e-4,
              "tied vs scaled untied");
}

BOOST_AUTO_TEST_CASE(scene_graph_parser_from_a_model_folder) {
  const fs::path model_dir = dir() / "parser";
  fs::create_directories(model_dir);
  const std::string spiece = t5_test::train_spiece(model_dir);
  const pgc::T5Tokenizer tok(spiece);
  T5Config c = tiny_config(tok.vocab_size() + 28);  // HF pads the vocabulary past the tokenizer's
  std::ofstream(model_dir / "config.json") << config_json(c);
  const T5Model source(c, "cpu", 21);
  write_safetensors(model_dir / "model.safetensors", source.named_parameters(), torch::kFloat);

  pgc::SceneGraphParserOptions options;
  options.parser_version = "v0.5";
  options.num_beams = 3;
  options.max_length = 12;
  auto parser = pgc::load_scene_graph_parser(model_dir.string(), "cpu", options);
  BOOST_TEST(parser->name().find("beams=3") != std::string::npos);
  std::vector<std::string> sentences;
  for (int i = 0; i < 35; ++i) sentences.push_back(t5_test::corpus()[static_cast<size_t>(i) % t5_test::corpus().size()] + " .");
  const auto graphs = parser->parse(sentences);
  BOOST_REQUIRE_EQUAL(graphs.size(), sentences.size());
  // More than one batch of 32, in order, each as if alone.
  for (size_t i : {size_t(0), size_t(5), size_t(33), size_t(34)})
    BOOST_TEST(parser->parse({sentences[i]})[0] == graphs[i], "sentence " << i);
  // Same as the model + tokenizer by hand.
  const auto rows = pgc::scene_graph_parser_inputs(tok, {sentences[2]}, "v0.5");
  const auto [ids, mask] = pgc::t5::pad_batch(rows, 0, "cpu");
  pgc::t5::GenerationOptions g;
  g.num_beams = 3;
  g.max_length = 12;
  BOOST_TEST(tok.decode(pgc::t5::generate(source, ids, mask, g)[0].tokens) == graphs[2]);
  BOOST_TEST(parser->parse({}).empty());

  // A folder without weights, or with a bad config: InputError naming the file.
  const fs::path empty = dir() / "empty";
  fs::create_directories(empty);
  BOOST_CHECK_THROW(pgc::load_scene_graph_parser(empty.string(), "cpu", options), pgc::InputError);
  fs::copy_file(spiece, empty / "spiece.model", fs::copy_options::overwrite_existing);
  std::ofstream(empty / "config.json") << "{\"d_model\": 32,";
  BOOST_CHECK_THROW(pgc::load_scene_graph_parser(empty.string(), "cpu", options), pgc::InputError);
  BOOST_CHECK_THROW(pgc::load_scene_graph_parser(model_dir.string(), "tpu", options), pgc::UsageError);
}
