// T5Tokenizer (SentencePiece + HF T5TokenizerFast conventions) on a model trained here, HF's
// clean_up_tokenization, Python's strip, and the FACTUAL parser's input truncation (v0.5/v0.6).
#define BOOST_TEST_MODULE t5_tokenizer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "models/t5_tokenizer.hpp"
#include "t5_test_util.hpp"

using pgc::T5Tokenizer;

namespace {

const T5Tokenizer& tokenizer() {
  static const T5Tokenizer tok(t5_test::train_spiece(t5_test::temp_dir("t5_tokenizer")), 4);
  return tok;
}

}  // namespace

BOOST_AUTO_TEST_CASE(special_ids_and_vocabulary) {
  const T5Tokenizer& tok = tokenizer();
  BOOST_TEST(tok.pad_id() == 0);
  BOOST_TEST(tok.eos_id() == 1);
  BOOST_TEST(tok.unk_id() == 2);
  BOOST_TEST(tok.id_to_token(0) == "<pad>");
  BOOST_TEST(tok.id_to_token(1) == "</s>");
  // Sentinels follow the pieces in reverse: <extra_id_0> is the last id.
  BOOST_TEST(tok.id_to_token(tok.vocab_size() - 1) == "<extra_id_0>");
  BOOST_TEST(tok.id_to_token(tok.vocab_size() - 4) == "<extra_id_3>");
  BOOST_TEST(tok.id_to_token(tok.vocab_size()) == "");
  BOOST_TEST(tok.is_special(tok.vocab_size() - 2));
  BOOST_TEST(!tok.is_special(3));
}

BOOST_AUTO_TEST_CASE(encode_appends_eos_and_round_trips) {
  const T5Tokenizer& tok = tokenizer();
  for (const auto& line : t5_test::corpus()) {
    BOOST_TEST_CONTEXT(line) {
      const auto ids = tok.encode(line);
      BOOST_REQUIRE(ids.size() >= 2);
      BOOST_TEST(ids.back() == tok.eos_id());
      BOOST_TEST(std::count(ids.begin(), ids.end(), tok.eos_id()) == 1);
      BOOST_TEST(std::count(ids.begin(), ids.end(), tok.unk_id()) == 0);
      const auto plain = tok.encode(line, false);
      BOOST_TEST(std::vector<int64_t>(ids.begin(), ids.end() - 1) == plain);
      // Without clean-up the text comes back exactly (single spaces, no edges).
      BOOST_TEST(tok.decode(ids, true, false) == line);
    }
  }
}

BOOST_AUTO_TEST_CASE(decode_skips_special_tokens_and_cleans_up) {
  const T5Tokenizer& tok = tokenizer();
  std::vector<int64_t> ids = {0};  // the decoder start token, as generate returns it
  const auto body = tok.encode("( man , ride , horse ) , ( horse , is , brown )", false);
  ids.insert(ids.end(), body.begin(), body.end());
  ids.push_back(tok.vocab_size() - 1);  // a sentinel
  ids.push_back(1);
  ids.push_back(0);
  ids.push_back(0);
  BOOST_TEST(tok.decode(ids, true, false) == "( man , ride , horse ) , ( horse , is , brown )");
  BOOST_TEST(tok.decode(ids, true, true) == "( man, ride, horse ), ( horse, is, brown )");
  const std::string raw = tok.decode(ids, false, false);
  BOOST_TEST(raw.find("<extra_id_0>") != std::string::npos);
  BOOST_TEST(raw.find("</s>") != std::string::npos);
  BOOST_TEST(raw.rfind("<pad>", 0) == 0);
  // Ids past the vocabulary are dropped (the model's vocab_size pads the tokenizer's).
  BOOST_TEST(tok.decode({tok.vocab_size() + 5, 1}) == "");
}

BOOST_AUTO_TEST_CASE(unknown_characters_map_to_unk_and_are_skipped) {
  const T5Tokenizer& tok = tokenizer();
  const auto ids = tok.encode("a man \xE6\xBC\xA2 horse");  // a CJK character not in the corpus
  BOOST_TEST(std::count(ids.begin(), ids.end(), tok.unk_id()) >= 1);
  const std::string text = tok.decode(ids);
  BOOST_TEST(text.find("man") != std::string::npos);
  BOOST_TEST(text.find("\xE6\xBC\xA2") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(special_token_strings_in_text_become_their_ids) {
  const T5Tokenizer& tok = tokenizer();
  const auto ids = tok.encode("a man </s> horse <extra_id_2> dog <extra_id_9>", false);
  BOOST_TEST(std::count(ids.begin(), ids.end(), tok.eos_id()) == 1);
  BOOST_TEST(std::count(ids.begin(), ids.end(), tok.vocab_size() - 3) == 1);
  // <extra_id_9> is outside the 4 sentinels: plain text, not an id.
  BOOST_TEST(std::count_if(ids.begin(), ids.end(), [&](int64_t i) { return i >= tok.vocab_size() - 4; }) == 1);
  // Segments are encoded separately: "horse" after </s> is the same ids as alone.
  const auto horse = tok.encode("horse", false);
  const auto at = std::find(ids.begin(), ids.end(), tok.eos_id()) + 1;
  BOOST_TEST(std::vector<int64_t>(at, at + static_cast<long>(horse.size())) == horse);
}

BOOST_AUTO_TEST_CASE(clean_up_tokenization_follows_transformers) {
  using pgc::clean_up_tokenization;
  BOOST_TEST(clean_up_tokenization("a , b . c ? d !") == "a, b. c? d!");
  BOOST_TEST(clean_up_tokenization("do n't i 'm it 's we 've they 're") == "don't i'm it's we've they're");
  BOOST_TEST(clean_up_tokenization("a ' b") == "a'b");
  // str.replace semantics: non-overlapping, left to right, each rule once over the string.
  BOOST_TEST(clean_up_tokenization("a  .") == "a .");
  BOOST_TEST(clean_up_tokenization(" , ,") == ",,");
}

BOOST_AUTO_TEST_CASE(python_strip_uses_unicode_whitespace) {
  using pgc::python_strip;
  BOOST_TEST(python_strip("  a b \t\n") == "a b");
  BOOST_TEST(python_strip("\xE3\x80\x80x\xC2\xA0") == "x");             // U+3000, U+00A0
  BOOST_TEST(python_strip("\xE2\x80\x8Bx") == "\xE2\x80\x8Bx");          // U+200B is no space
  BOOST_TEST(python_strip(" \x1F ") == "");
  BOOST_TEST(python_strip("") == "");
}

BOOST_AUTO_TEST_CASE(parser_inputs_v05_truncate_each_prompt_to_64) {
  const T5Tokenizer& tok = tokenizer();
  std::string long_sentence;
  for (int i = 0; i < 20; ++i) long_sentence += "a man is riding a horse ";
  const std::vector<std::string> sentences = {"  a cat sleeps on the table.\n", long_sentence};
  const auto rows = pgc::scene_graph_parser_inputs(tok, sentences, "v0.5");
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_TEST(rows[0] == tok.encode("Generate Scene Graph: a cat sleeps on the table."));
  BOOST_TEST(rows[1].size() == 64u);
  BOOST_TEST(rows[1].back() == tok.eos_id());
  const auto full = tok.encode("Generate Scene Graph: " + pgc::python_strip(long_sentence), false);
  BOOST_TEST(std::vector<int64_t>(rows[1].begin(), rows[1].end() - 1) ==
             std::vector<int64_t>(full.begin(), full.begin() + 63));
  // Each prompt on its own: the batch does not matter.
  BOOST_TEST(pgc::scene_graph_parser_inputs(tok, {sentences[0]}, "v0.5")[0] == rows[0]);
}

BOOST_AUTO_TEST_CASE(parser_inputs_v06_cut_the_longest_prompt) {
  const T5Tokenizer& tok = tokenizer();
  const std::vector<std::string> sentences = {"a cat sleeps on the table.", "a dog.", "a man is riding a brown horse."};
  const auto rows = pgc::scene_graph_parser_inputs(tok, sentences, "v0.6");
  size_t longest = 0;
  std::vector<std::vector<int64_t>> content;
  for (const auto& s : sentences) {
    content.push_back(tok.encode("Generate Scene Graph: " + s, false));
    longest = std::max(longest, content.back().size());
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    BOOST_TEST_CONTEXT(sentences[i]) {
      BOOST_TEST(rows[i].back() == tok.eos_id());
      const size_t kept = std::min(content[i].size(), longest - 1);
      BOOST_TEST(rows[i].size() == kept + 1);
      BOOST_TEST(std::equal(rows[i].begin(), rows[i].end() - 1, content[i].begin()));
    }
  }
  // The longest lost exactly its last content token.
  const size_t longest_index = static_cast<size_t>(
      std::max_element(content.begin(), content.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); }) -
      content.begin());
  BOOST_TEST(rows[longest_index].size() == longest);
  BOOST_CHECK_THROW(pgc::scene_graph_parser_inputs(tok, sentences, "v0.7"), pgc::UsageError);
}

BOOST_AUTO_TEST_CASE(missing_or_bad_model_is_an_input_error) {
  const auto dir = t5_test::temp_dir("t5_tokenizer");
  BOOST_CHECK_THROW(T5Tokenizer((dir / "absent.model").string()), pgc::InputError);
  { std::ofstream((dir / "bad.model").string()) << "not a model"; }
  BOOST_CHECK_THROW(T5Tokenizer((dir / "bad.model").string()), pgc::InputError);
}
