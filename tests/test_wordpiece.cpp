// BERT BasicTokenizer + WordPiece (models/wordpiece.hpp) on cases built from the published
// behaviour of HF BertTokenizer(Fast) / google-research/bert, with a small vocab written here.
#define BOOST_TEST_MODULE wordpiece
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/wordpiece.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;
using pgc::WordPieceOptions;
using pgc::WordPieceTokenizer;
using Tokens = std::vector<std::string>;

namespace {

const Tokens kVocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>", "<pad>",
                       "hello", "world", ",", "!", "cafe", "un", "##aff", "##able", "我", "爱",
                       "a", "##a", "the", "man", "'", "s", "-", "—", "$", "5", "5€", "i", "i̇",
                       "naive", "x", "##x", "resume", "ab", "##c", "σ", "ς", "##σ", "##ς"};

WordPieceTokenizer bert(WordPieceOptions o = WordPieceOptions::bert_uncased()) {
  return WordPieceTokenizer(kVocab, o);
}

fs::path temp_dir() {
  static fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("pgc_wordpiece_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return d;
}

fs::path write(const std::string& name, const std::string& bytes) {
  fs::path p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(lower_case_and_punctuation_split) {
  auto t = bert();
  BOOST_TEST(t.tokenize("Hello, WORLD!") == (Tokens{"hello", ",", "world", "!"}),
             boost::test_tools::per_element());
  // ASCII punctuation counts even where Unicode says symbol ($ is Sc); other symbols do not.
  BOOST_TEST(t.tokenize("$5 5€") == (Tokens{"$", "5", "5€"}), boost::test_tools::per_element());
  // Unicode P* (em dash is Pd) splits; the apostrophe splits "man's".
  BOOST_TEST(t.tokenize("man's a—a") == (Tokens{"man", "'", "s", "a", "—", "a"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(accents_are_stripped_when_lower_casing) {
  auto t = bert();
  BOOST_TEST(t.tokenize("Café naïve RÉSUMÉ") == (Tokens{"cafe", "naive", "resume"}),
             boost::test_tools::per_element());
  // Decomposed input (e + combining acute) gives the same.
  BOOST_TEST(t.tokenize("cafe\u0301") == (Tokens{"cafe"}), boost::test_tools::per_element());
  // İ: NFD = I + U+0307 (Mn, stripped), lowercase "i".
  BOOST_TEST(t.tokenize("\u0130") == (Tokens{"i"}), boost::test_tools::per_element());
  // Without accent stripping the full lowercase of İ is i + U+0307.
  WordPieceOptions keep = WordPieceOptions::bert_uncased();
  keep.strip_accents = false;
  BOOST_TEST(bert(keep).tokenize("\u0130") == (Tokens{"i\u0307"}), boost::test_tools::per_element());
  // Lowercasing is per character: a word-final capital sigma becomes σ, not ς.
  BOOST_TEST(bert(keep).tokenize("\u03a3\u03a3") == (Tokens{"σ", "##σ"}),
             boost::test_tools::per_element());
  // Cased: no lowercase, no stripping.
  WordPieceOptions cased = WordPieceOptions::bert_uncased();
  cased.lower_case = false;
  cased.strip_accents = false;
  BOOST_TEST(bert(cased).tokenize("Hello hello") == (Tokens{"[UNK]", "hello"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cjk_characters_are_words) {
  auto t = bert();
  BOOST_TEST(t.tokenize("我爱ab") == (Tokens{"我", "爱", "ab"}), boost::test_tools::per_element());
  // Hiragana is not in the CJK blocks: it stays glued to its neighbours (and is unknown here).
  BOOST_TEST(t.tokenize("ab\u3042") == (Tokens{"[UNK]"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(wordpiece_greedy_longest_match_first) {
  auto t = bert();
  BOOST_TEST(t.tokenize("unaffable") == (Tokens{"un", "##aff", "##able"}),
             boost::test_tools::per_element());
  // "abc": "ab" then "##c" (longest first: "abc" is not in the vocab, "ab" is).
  BOOST_TEST(t.tokenize("abc") == (Tokens{"ab", "##c"}), boost::test_tools::per_element());
  // One uncovered character makes the whole word [UNK] (not a partial piece list).
  BOOST_TEST(t.tokenize("unaffablez the") == (Tokens{"[UNK]", "the"}),
             boost::test_tools::per_element());
  BOOST_TEST(t.tokenize("xxx") == (Tokens{"x", "##x", "##x"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(long_words_become_unk) {
  auto t = bert();
  Tokens hundred = t.tokenize(std::string(100, 'a'));
  BOOST_TEST(hundred.size() == 100u);
  BOOST_TEST(hundred.front() == "a");
  BOOST_TEST(hundred.back() == "##a");
  BOOST_TEST(t.tokenize(std::string(101, 'a')) == (Tokens{"[UNK]"}), boost::test_tools::per_element());
  // The limit counts code points, not bytes: 60 two-byte characters are 60, not 120.
  std::string sigmas;
  for (int i = 0; i < 60; ++i) sigmas += "σ";
  BOOST_TEST(t.tokenize(sigmas).size() == 60u);
  WordPieceOptions small = WordPieceOptions::bert_uncased();
  small.max_input_chars_per_word = 3;
  BOOST_TEST(bert(small).tokenize("xxx xxxx") == (Tokens{"x", "##x", "##x", "[UNK]"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(control_characters_and_whitespace) {
  auto t = bert();
  // Cc (U+0001), Cf (zero-width space U+200B), U+FFFD and NUL are dropped, not split on.
  std::string text = std::string("he\x01llo wo\u200brld th\uFFFDe ma") + '\0' + "n";
  BOOST_TEST(t.tokenize(text) == (Tokens{"hello", "world", "the", "man"}),
             boost::test_tools::per_element());
  // Tab, newline, no-break space, ideographic space and line separator split words.
  BOOST_TEST(t.tokenize(" the\tman\nhello\u00a0world\u3000a\u2028a ") ==
                 (Tokens{"the", "man", "hello", "world", "a", "a"}),
             boost::test_tools::per_element());
  // Private use (Co) is dropped; an unassigned code point (U+0378) stays, as HF's fast tokenizer
  // does (checked against tokenizers 0.23): the word is then unknown.
  BOOST_TEST(t.basic_tokenize("the\ue000man") == (Tokens{"theman"}), boost::test_tools::per_element());
  BOOST_TEST(t.basic_tokenize("the\u0378man") == (Tokens{"the\u0378man"}), boost::test_tools::per_element());
  BOOST_TEST(t.tokenize("").empty());
  BOOST_TEST(t.tokenize(" \t\u200b ").empty());
}

BOOST_AUTO_TEST_CASE(special_tokens_are_never_split) {
  auto t = bert();
  BOOST_TEST(t.tokenize("[CLS] Hello[MASK]world [SEP]") ==
                 (Tokens{"[CLS]", "hello", "[MASK]", "world", "[SEP]"}),
             boost::test_tools::per_element());
  // Matching is literal: a lower-case look-alike is ordinary text.
  BOOST_TEST(t.basic_tokenize("[mask]") == (Tokens{"[", "mask", "]"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(encode_adds_specials_and_truncates) {
  auto t = bert();
  std::vector<int64_t> ids = t.encode("Hello, world!");
  std::vector<int64_t> want = {t.token_to_id("[CLS]"), t.token_to_id("hello"), t.token_to_id(","),
                               t.token_to_id("world"), t.token_to_id("!"), t.token_to_id("[SEP]")};
  BOOST_TEST(ids == want, boost::test_tools::per_element());
  BOOST_TEST(t.encode("") == (std::vector<int64_t>{2, 3}), boost::test_tools::per_element());
  WordPieceOptions five = WordPieceOptions::bert_uncased();
  five.max_length = 5;
  std::vector<int64_t> cut = bert(five).encode("hello world hello world");
  BOOST_TEST(cut == (std::vector<int64_t>{2, 8, 9, 8, 3}), boost::test_tools::per_element());
  BOOST_TEST(t.pad_id() == 0);
  BOOST_TEST(t.unk_id() == 1);
}

BOOST_AUTO_TEST_CASE(mpnet_specials) {
  WordPieceTokenizer t(kVocab, WordPieceOptions::mpnet());
  BOOST_TEST(t.encode("Hello") == (std::vector<int64_t>{5, 8, 6}), boost::test_tools::per_element());
  BOOST_TEST(t.pad_id() == 7);
  BOOST_TEST(t.tokenize("zz") == (Tokens{"[UNK]"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(malformed_utf8_is_rejected) {
  auto t = bert();
  BOOST_CHECK_THROW(t.tokenize("ab\xff"), std::invalid_argument);
  BOOST_CHECK_THROW(t.encode("\xed\xa0\x80"), std::invalid_argument);  // a UTF-8 surrogate
}

BOOST_AUTO_TEST_CASE(vocab_file_loading) {
  // CRLF and CR end lines like LF; a repeated token keeps its last line; an empty line is a token.
  fs::path p = write("vocab.txt", "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\n\nhello\nworld\nhello\n");
  WordPieceTokenizer t(p.string(), WordPieceOptions::bert_uncased());
  BOOST_TEST(t.vocab_size() == 8u);
  BOOST_TEST(t.token_to_id("[CLS]") == 2);
  BOOST_TEST(t.token_to_id("") == 4);
  BOOST_TEST(t.token_to_id("hello") == 7);
  BOOST_TEST(t.token_to_id("world") == 6);
  BOOST_TEST(t.id_to_token(5) == "hello");
  BOOST_TEST(t.encode("hello world") == (std::vector<int64_t>{2, 7, 6, 3}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_vocab_files_name_the_file) {
  auto message_of = [](const fs::path& p) {
    try {
      WordPieceTokenizer t(p.string(), WordPieceOptions::bert_uncased());
    } catch (const pgc::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  fs::path missing = temp_dir() / "absent.txt";
  BOOST_TEST(message_of(missing).find(missing.string()) != std::string::npos);
  fs::path no_unk = write("no_unk.txt", "[PAD]\n[CLS]\n[SEP]\nhello\n");
  std::string m = message_of(no_unk);
  BOOST_TEST(m.find(no_unk.string()) != std::string::npos);
  BOOST_TEST(m.find("[UNK]") != std::string::npos);
  fs::path bad = write("bad_utf8.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhe\xffllo\n");
  m = message_of(bad);
  BOOST_TEST(m.find("line 5") != std::string::npos);
  fs::path empty = write("empty.txt", "");
  BOOST_TEST(message_of(empty).find("empty") != std::string::npos);
}
