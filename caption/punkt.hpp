#pragma once
// NLTK's Punkt sentence tokenizer (nltk.tokenize.punkt.PunktSentenceTokenizer, NLTK 3.8, the
// algorithm of Kiss & Strunk 2006) with pre-trained parameters, as nltk.sent_tokenize(text,
// "english") runs it: candidate sentence ends found by the period-context rule, each decided by
// the first (token type) and second (collocation, abbreviation, orthographic heuristic, sentence
// starter) annotation passes, then boundaries realigned over closing quotes and brackets.
// The matching regular expressions are implemented as plain code over code points.
//
// Parameters come from NLTK's `punkt_tab` data (NLTK >= 3.8.2; the same numbers as the
// english.pickle of older releases): <nltk_data>/tokenizers/punkt_tab/english/
// {abbrev_types.txt, collocations.tab, sent_starters.txt, ortho_context.tab}.
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pgc {

struct PunktParameters {
  std::unordered_set<std::u32string> abbrev_types;
  std::set<std::pair<std::u32string, std::u32string>> collocations;
  std::unordered_set<std::u32string> sent_starters;
  std::unordered_map<std::u32string, int> ortho_context;  // missing = 0
  std::string id;  // "punkt_tab:<sha12>" of the files read (for signatures)
};

// Reads the four punkt_tab files of `lang_dir`; InputError naming a missing/malformed file.
PunktParameters load_punkt_tab(const std::string& lang_dir);

class PunktSentenceTokenizer {
 public:
  explicit PunktSentenceTokenizer(PunktParameters params) : params_(std::move(params)) {}
  // tokenize(text) with realign_boundaries=True: the sentences, as substrings of `text`.
  std::vector<std::string> tokenize(const std::string& text) const;
  // The same as code-point spans [begin, end) of the text.
  std::vector<std::pair<size_t, size_t>> span_tokenize(const std::u32string& text) const;
  const PunktParameters& params() const { return params_; }

 private:
  struct Token;
  std::vector<Token> tokenize_words(const std::u32string& text) const;
  void first_pass(Token& t) const;
  void second_pass(Token& t1, const Token& t2) const;
  int ortho_heuristic(const Token& t) const;  // 1 true, 0 false, -1 "unknown"
  int ortho_context(const std::u32string& type) const;
  bool text_contains_sentbreak(const std::u32string& text) const;
  PunktParameters params_;
};

}  // namespace pgc
