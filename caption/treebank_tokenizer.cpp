#include "caption/treebank_tokenizer.hpp"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <memory>
#include <stdexcept>

#include "caption/python_str.hpp"

namespace pgc {

namespace {

// Python's classes for str patterns (see caption/python_str.hpp): \s = str.isspace(),
// \w = str.isalnum() or '_', \d = Unicode decimal digits.
#define PY_S "[\\t\\n\\x{0B}\\f\\r\\x{1C}-\\x{20}\\x{85}\\p{Z}]"
#define PY_W "[\\p{L}\\p{N}_]"

struct Rule {
  std::unique_ptr<icu::RegexPattern> pattern;
  icu::UnicodeString replacement;  // ICU syntax: $1, $0
};

Rule make_rule(const char* pattern, const char* replacement, uint32_t flags = 0) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError pe;
  Rule r;
  r.pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), flags | UREGEX_UNIX_LINES, pe, status));
  if (U_FAILURE(status)) throw std::logic_error(std::string("bad tokenizer regex: ") + pattern + ": " + u_errorName(status));
  r.replacement = icu::UnicodeString::fromUTF8(replacement);
  return r;
}

void apply(const Rule& r, icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> m(r.pattern->matcher(text, status));
  icu::UnicodeString out = m->replaceAll(r.replacement, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("tokenizer regex failed: ") + u_errorName(status));
  text = out;
}

}  // namespace

struct TreebankWordTokenizer::Rules {
  std::vector<Rule> starting_quotes, punctuation, ending_quotes, contractions;
  Rule parens, double_dashes;
};

TreebankWordTokenizer::TreebankWordTokenizer() : rules_(new Rules) {
  Rules& r = *rules_;
  // STARTING_QUOTES
  r.starting_quotes.push_back(make_rule("([«“‘„]|[`]+)", " $1 "));
  r.starting_quotes.push_back(make_rule("^\"", "``"));
  r.starting_quotes.push_back(make_rule("(``)", " $1 "));
  r.starting_quotes.push_back(make_rule("([ \\(\\[{<])(\"|'{2})", "$1 `` "));
  r.starting_quotes.push_back(make_rule("(')(?!re|ve|ll|m|t|s|d|n)(" PY_W ")\\b", "$1 $2", UREGEX_CASE_INSENSITIVE));
  // PUNCTUATION
  r.punctuation.push_back(make_rule("([^\\.])(\\.)([\\]\\)}>\"'»”’ ]*)" PY_S "*$", "$1 $2 $3 "));
  r.punctuation.push_back(make_rule("([:,])([^\\p{Nd}])", " $1 $2"));
  r.punctuation.push_back(make_rule("([:,])$", " $1 "));
  r.punctuation.push_back(make_rule("\\.{2,}", " $0 "));
  r.punctuation.push_back(make_rule("[;@#\\$%&]", " $0 "));
  r.punctuation.push_back(make_rule("([^\\.])(\\.)([\\]\\)}>\"']*)" PY_S "*$", "$1 $2$3 "));
  r.punctuation.push_back(make_rule("[?!]", " $0 "));
  r.punctuation.push_back(make_rule("([^'])' ", "$1 ' "));
  r.punctuation.push_back(make_rule("[*]", " $0 "));
  r.parens = make_rule("[\\]\\[\\(\\)\\{\\}\\<\\>]", " $0 ");
  r.double_dashes = make_rule("--", " -- ");
  // ENDING_QUOTES
  r.ending_quotes.push_back(make_rule("([»”’])", " $1 "));
  r.ending_quotes.push_back(make_rule("''", " '' "));
  r.ending_quotes.push_back(make_rule("\"", " '' "));
  r.ending_quotes.push_back(make_rule("([^' ])('[sS]|'[mM]|'[dD]|') ", "$1 $2 "));
  r.ending_quotes.push_back(make_rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "$1 $2 "));
  // CONTRACTIONS2, CONTRACTIONS3 (MacIntyre), all case-insensitive
  const uint32_t ci = UREGEX_CASE_INSENSITIVE;
  for (const char* p : {"\\b(can)(not)\\b", "\\b(d)('ye)\\b", "\\b(gim)(me)\\b", "\\b(gon)(na)\\b",
                        "\\b(got)(ta)\\b", "\\b(lem)(me)\\b", "\\b(more)('n)\\b", "\\b(wan)(na)(?=" PY_S ")",
                        " ('t)(is)\\b", " ('t)(was)\\b"})
    r.contractions.push_back(make_rule(p, " $1 $2 ", ci));
}

TreebankWordTokenizer::~TreebankWordTokenizer() { delete rules_; }

std::vector<std::string> TreebankWordTokenizer::tokenize(const std::string& sentence) const {
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(sentence);
  for (const auto& rule : rules_->starting_quotes) apply(rule, text);
  for (const auto& rule : rules_->punctuation) apply(rule, text);
  apply(rules_->parens, text);
  apply(rules_->double_dashes, text);
  text = icu::UnicodeString(" ") + text + icu::UnicodeString(" ");
  for (const auto& rule : rules_->ending_quotes) apply(rule, text);
  for (const auto& rule : rules_->contractions) apply(rule, text);
  std::string utf8;
  text.toUTF8String(utf8);
  return py_split(utf8);
}

}  // namespace pgc
