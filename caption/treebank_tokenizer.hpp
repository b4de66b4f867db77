#pragma once
// NLTK's word tokenizer (nltk.tokenize.destructive.NLTKWordTokenizer, the "improved Treebank"
// tokenizer that nltk.word_tokenize applies to each Punkt sentence; NLTK 3.8), reproduced rule
// by rule with ICU regular expressions. Python's `\w`, `\s` and `\d` are spelled out as the
// character classes Python uses for str patterns; `\b` is ICU's word boundary, which differs
// from Python's only around combining marks and connector punctuation other than '_'.
#include <string>
#include <vector>

namespace pgc {

class TreebankWordTokenizer {
 public:
  TreebankWordTokenizer();
  ~TreebankWordTokenizer();
  TreebankWordTokenizer(const TreebankWordTokenizer&) = delete;
  TreebankWordTokenizer& operator=(const TreebankWordTokenizer&) = delete;

  // NLTKWordTokenizer().tokenize(sentence) (convert_parentheses=False). Thread-safe.
  std::vector<std::string> tokenize(const std::string& sentence) const;

 private:
  struct Rules;
  Rules* rules_;
};

}  // namespace pgc
