#include "caption/treebank_tokenizer.hpp"

#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <memory>
#include <mutex>
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
  // Every match contains one of these characters, so the rule is skipped (a speed-up only)
  // when the text has none of them; empty = always run.
  std::u16string triggers;
  size_t index = 0;  // slot of this rule's matcher in a MatcherSet
};

Rule make_rule(const char* pattern, const char* replacement, uint32_t flags = 0, const char16_t* triggers = u"") {
  UErrorCode status = U_ZERO_ERROR;
  UParseError pe;
  Rule r;
  r.pattern.reset(icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), flags | UREGEX_UNIX_LINES, pe, status));
  if (U_FAILURE(status)) throw std::logic_error(std::string("bad tokenizer regex: ") + pattern + ": " + u_errorName(status));
  r.replacement = icu::UnicodeString::fromUTF8(replacement);
  r.triggers = triggers;
  return r;
}

bool contains_any(const icu::UnicodeString& text, const std::u16string& chars) {
  const char16_t* buf = text.getBuffer();
  for (int32_t i = 0, n = text.length(); i < n; ++i)
    if (chars.find(buf[i]) != std::u16string::npos) return true;
  return false;
}

// One matcher per rule, reset onto each text (creating a matcher costs more than a match).
using MatcherSet = std::vector<std::unique_ptr<icu::RegexMatcher>>;

void apply(const Rule& r, icu::UnicodeString& text, MatcherSet& matchers) {
  if (!r.triggers.empty() && !contains_any(text, r.triggers)) return;
  UErrorCode status = U_ZERO_ERROR;
  if (matchers.size() <= r.index) matchers.resize(r.index + 1);
  std::unique_ptr<icu::RegexMatcher>& m = matchers[r.index];
  if (!m) m.reset(r.pattern->matcher(status));
  m->reset(text);
  icu::UnicodeString out = m->replaceAll(r.replacement, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("tokenizer regex failed: ") + u_errorName(status));
  text = out;
}

}  // namespace

struct TreebankWordTokenizer::Rules {
  std::vector<Rule> starting_quotes, punctuation, ending_quotes, contractions;
  Rule parens, double_dashes;
  // What each (case-insensitive) contraction rule's match spells; checked on ASCII text only,
  // where case-insensitive means ASCII case (Unicode case folding could match e.g. U+017F).
  std::vector<std::u16string> contraction_literals;
  // Matcher sets for concurrent tokenize() calls, reused; declared last so they go before the
  // patterns they point to.
  std::mutex pool_mu;
  std::vector<std::unique_ptr<MatcherSet>> pool;

  std::unique_ptr<MatcherSet> take() {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (pool.empty()) return std::make_unique<MatcherSet>();
    std::unique_ptr<MatcherSet> m = std::move(pool.back());
    pool.pop_back();
    return m;
  }
  void give_back(std::unique_ptr<MatcherSet> m) {
    std::lock_guard<std::mutex> lock(pool_mu);
    pool.push_back(std::move(m));
  }
};

TreebankWordTokenizer::TreebankWordTokenizer() : rules_(new Rules) {
  Rules& r = *rules_;
  // STARTING_QUOTES
  r.starting_quotes.push_back(make_rule("([«“‘„]|[`]+)", " $1 ", 0, u"«“‘„`"));
  r.starting_quotes.push_back(make_rule("^\"", "``", 0, u"\""));
  r.starting_quotes.push_back(make_rule("(``)", " $1 ", 0, u"`"));
  r.starting_quotes.push_back(make_rule("([ \\(\\[{<])(\"|'{2})", "$1 `` ", 0, u"\"'"));
  r.starting_quotes.push_back(make_rule("(')(?!re|ve|ll|m|t|s|d|n)(" PY_W ")\\b", "$1 $2", UREGEX_CASE_INSENSITIVE, u"'"));
  // PUNCTUATION
  r.punctuation.push_back(make_rule("([^\\.])(\\.)([\\]\\)}>\"'»”’ ]*)" PY_S "*$", "$1 $2 $3 ", 0, u"."));
  r.punctuation.push_back(make_rule("([:,])([^\\p{Nd}])", " $1 $2", 0, u":,"));
  r.punctuation.push_back(make_rule("([:,])$", " $1 ", 0, u":,"));
  r.punctuation.push_back(make_rule("\\.{2,}", " $0 ", 0, u"."));
  r.punctuation.push_back(make_rule("[;@#\\$%&]", " $0 ", 0, u";@#$%&"));
  r.punctuation.push_back(make_rule("([^\\.])(\\.)([\\]\\)}>\"']*)" PY_S "*$", "$1 $2$3 ", 0, u"."));
  r.punctuation.push_back(make_rule("[?!]", " $0 ", 0, u"?!"));
  r.punctuation.push_back(make_rule("([^'])' ", "$1 ' ", 0, u"'"));
  r.punctuation.push_back(make_rule("[*]", " $0 ", 0, u"*"));
  r.parens = make_rule("[\\]\\[\\(\\)\\{\\}\\<\\>]", " $0 ", 0, u"[](){}<>");
  r.double_dashes = make_rule("--", " -- ", 0, u"-");
  // ENDING_QUOTES
  r.ending_quotes.push_back(make_rule("([»”’])", " $1 ", 0, u"»”’"));
  r.ending_quotes.push_back(make_rule("''", " '' ", 0, u"'"));
  r.ending_quotes.push_back(make_rule("\"", " '' ", 0, u"\""));
  r.ending_quotes.push_back(make_rule("([^' ])('[sS]|'[mM]|'[dD]|') ", "$1 $2 ", 0, u"'"));
  r.ending_quotes.push_back(make_rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "$1 $2 ", 0, u"'"));
  // CONTRACTIONS2, CONTRACTIONS3 (MacIntyre), all case-insensitive
  const uint32_t ci = UREGEX_CASE_INSENSITIVE;
  const std::pair<const char*, const char16_t*> contractions[] = {
      {"\\b(can)(not)\\b", u"cannot"}, {"\\b(d)('ye)\\b", u"d'ye"},      {"\\b(gim)(me)\\b", u"gimme"},
      {"\\b(gon)(na)\\b", u"gonna"},   {"\\b(got)(ta)\\b", u"gotta"},     {"\\b(lem)(me)\\b", u"lemme"},
      {"\\b(more)('n)\\b", u"more'n"}, {"\\b(wan)(na)(?=" PY_S ")", u"wanna"}, {" ('t)(is)\\b", u" 'tis"},
      {" ('t)(was)\\b", u" 'twas"}};
  for (const auto& [pattern, literal] : contractions) {
    r.contractions.push_back(make_rule(pattern, " $1 $2 ", ci));
    r.contraction_literals.push_back(literal);
  }
  std::vector<Rule*> all;
  for (auto* list : {&r.starting_quotes, &r.punctuation, &r.ending_quotes, &r.contractions})
    for (auto& rule : *list) all.push_back(&rule);
  all.push_back(&r.parens);
  all.push_back(&r.double_dashes);
  for (size_t i = 0; i < all.size(); ++i) all[i]->index = i;
}

TreebankWordTokenizer::~TreebankWordTokenizer() { delete rules_; }

std::vector<std::string> TreebankWordTokenizer::tokenize(const std::string& sentence) const {
  std::unique_ptr<MatcherSet> matchers = rules_->take();
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(sentence);
  for (const auto& rule : rules_->starting_quotes) apply(rule, text, *matchers);
  for (const auto& rule : rules_->punctuation) apply(rule, text, *matchers);
  apply(rules_->parens, text, *matchers);
  apply(rules_->double_dashes, text, *matchers);
  text = icu::UnicodeString(" ") + text + icu::UnicodeString(" ");
  for (const auto& rule : rules_->ending_quotes) apply(rule, text, *matchers);
  bool ascii = true;
  for (int32_t i = 0; i < text.length() && ascii; ++i) ascii = text.charAt(i) < 0x80;
  std::u16string lower;
  if (ascii) {
    lower.assign(text.getBuffer(), text.length());
    for (auto& c : lower)
      if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
  }
  for (size_t k = 0; k < rules_->contractions.size(); ++k) {
    if (ascii && lower.find(rules_->contraction_literals[k]) == std::u16string::npos) continue;
    apply(rules_->contractions[k], text, *matchers);
  }
  rules_->give_back(std::move(matchers));
  std::string utf8;
  text.toUTF8String(utf8);
  return py_split(utf8);
}

}  // namespace pgc
