#include "caption/punkt.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "caption/python_str.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"

namespace pgc {

namespace {

constexpr int kOrthoBegUc = 1 << 1, kOrthoMidUc = 1 << 2, kOrthoUnkUc = 1 << 3;
constexpr int kOrthoBegLc = 1 << 4, kOrthoMidLc = 1 << 5, kOrthoUnkLc = 1 << 6;
constexpr int kOrthoUc = kOrthoBegUc | kOrthoMidUc | kOrthoUnkUc;
constexpr int kOrthoLc = kOrthoBegLc | kOrthoMidLc | kOrthoUnkLc;

std::string read_punkt_file(const std::string& path, std::string& digests) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path, "",
                     "missing NLTK Punkt file (get NLTK's punkt_tab data: `python -m nltk.downloader punkt_tab`, "
                     "then pass --nltk-data DIR or set PGC_NLTK_DATA to the nltk_data folder)");
  std::ostringstream ss;
  ss << in.rdbuf();
  digests += sha256_bytes(ss.str());
  return ss.str();
}

// Lines without their "\n" / "\r\n"; empty lines skipped.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Characters that cannot appear within words: PunktLanguageVars._re_non_word_chars.
bool non_word_char(char32_t c) {
  switch (c) {
    case ')': case '"': case ';': case '}': case ']': case '*': case ':': case '@': case '\'':
    case '(': case '{': case '[': case '?': case '!':
      return true;
    default:
      return false;
  }
}

// Characters that cannot start a word: the negation of PunktLanguageVars._re_word_start.
bool not_word_start(char32_t c) {
  switch (c) {
    case '(': case '"': case '`': case '{': case '[': case ':': case ';': case '&': case '#':
    case '*': case '@': case ')': case '}': case ']': case '-': case ',':
      return true;
    default:
      return false;
  }
}

// Python's `\d` for str patterns: Unicode decimal digits (Nd).
bool u_isdigit_nd(char32_t c) {
  return c < 0x80 ? (c >= '0' && c <= '9') : u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}

bool sent_end_char(char32_t c) { return c == '.' || c == '?' || c == '!'; }

// Length of _re_multi_char_punct = (?:\-{2,}|\.{2,}|(?:\.\s){2,}\.) matched at `p`, or 0.
size_t multi_char_punct(const std::u32string& s, size_t p) {
  const size_t n = s.size();
  auto run = [&](char32_t c) {
    size_t q = p;
    while (q < n && s[q] == c) ++q;
    return q - p;
  };
  if (size_t k = run('-'); k >= 2) return k;
  if (size_t k = run('.'); k >= 2) return k;
  size_t pairs = 0, q = p;
  while (q + 1 < n && s[q] == '.' && py_isspace(s[q + 1])) {
    ++pairs;
    q += 2;
  }
  if (pairs >= 2 && q < n && s[q] == '.') return 2 * pairs + 1;
  if (pairs >= 3) return 2 * (pairs - 1) + 1;  // backtrack one pair: its '.' ends the match
  return 0;
}

// The lookahead of the word-token branch: where a word may end.
bool word_end_at(const std::u32string& s, size_t q) {
  const size_t n = s.size();
  if (q >= n || py_isspace(s[q]) || non_word_char(s[q]) || multi_char_punct(s, q) > 0) return true;
  if (s[q] == ',') {
    size_t r = q + 1;
    return r >= n || py_isspace(s[r]) || non_word_char(s[r]) || multi_char_punct(s, r) > 0;
  }
  return false;
}

// PunktLanguageVars.word_tokenize(line): findall of _word_tokenize_fmt.
std::vector<std::u32string> punkt_word_tokenize(const std::u32string& s) {
  std::vector<std::u32string> out;
  const size_t n = s.size();
  size_t p = 0;
  while (p < n) {
    if (size_t k = multi_char_punct(s, p)) {
      out.push_back(s.substr(p, k));
      p += k;
      continue;
    }
    if (py_isspace(s[p])) {
      ++p;
      continue;
    }
    if (!not_word_start(s[p])) {
      size_t q = p + 1;  // \S+? : as short as possible
      while (q < n && !py_isspace(s[q]) && !word_end_at(s, q)) ++q;
      if (word_end_at(s, q)) {
        out.push_back(s.substr(p, q - p));
        p = q;
        continue;
      }
    }
    out.push_back(s.substr(p, 1));  // \S
    ++p;
  }
  return out;
}

// _RE_NUMERIC ^-?[\.,]?\d[\d,\.-]*\.?$ over a whole (lowercased) token.
bool numeric_token(const std::u32string& t) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && (t[i] == '.' || t[i] == ',')) ++i;
  if (i >= t.size() || !u_isdigit_nd(t[i])) return false;
  for (++i; i < t.size(); ++i)
    if (!(u_isdigit_nd(t[i]) || t[i] == ',' || t[i] == '.' || t[i] == '-')) return false;
  return true;
}

}  // namespace

PunktParameters load_punkt_tab(const std::string& dir) {
  PunktParameters p;
  std::string digests;
  for (const auto& line : lines_of(read_punkt_file(dir + "/abbrev_types.txt", digests)))
    p.abbrev_types.insert(utf8_to_u32(line));
  for (const auto& line : lines_of(read_punkt_file(dir + "/sent_starters.txt", digests)))
    p.sent_starters.insert(utf8_to_u32(line));
  const std::string colloc_path = dir + "/collocations.tab";
  size_t line_no = 0;
  for (const auto& line : lines_of(read_punkt_file(colloc_path, digests))) {
    ++line_no;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos)
      throw InputError(colloc_path, "line " + std::to_string(line_no), "expected two tab-separated words");
    p.collocations.emplace(utf8_to_u32(line.substr(0, tab)), utf8_to_u32(line.substr(tab + 1)));
  }
  const std::string ortho_path = dir + "/ortho_context.tab";
  line_no = 0;
  for (const auto& line : lines_of(read_punkt_file(ortho_path, digests))) {
    ++line_no;
    size_t tab = line.find('\t');
    int flags = 0;
    try {
      size_t used = 0;
      if (tab == std::string::npos) throw std::invalid_argument("no tab");
      flags = std::stoi(line.substr(tab + 1), &used);
      if (used != line.size() - tab - 1) throw std::invalid_argument("junk");
    } catch (const std::exception&) {
      throw InputError(ortho_path, "line " + std::to_string(line_no), "expected <word>\\t<integer flags>");
    }
    p.ortho_context[utf8_to_u32(line.substr(0, tab))] = flags;
  }
  p.id = "punkt_tab:" + sha256_bytes(digests).substr(0, 12);
  return p;
}

// PunktToken with its annotations.
struct PunktSentenceTokenizer::Token {
  std::u32string tok, type;
  bool period_final = false, sentbreak = false, abbr = false, ellipsis = false;

  explicit Token(std::u32string t) : tok(std::move(t)) {
    std::u32string lower = py_lower(tok);
    type = numeric_token(lower) ? U"##number##" : lower;
    period_final = !tok.empty() && tok.back() == '.';
  }
  std::u32string type_no_period() const {
    return type.size() > 1 && type.back() == '.' ? type.substr(0, type.size() - 1) : type;
  }
  std::u32string type_no_sentperiod() const { return sentbreak ? type_no_period() : type; }
  bool first_upper() const { return py_isupper(tok[0]); }
  bool first_lower() const { return py_islower(tok[0]); }
  bool is_ellipsis() const {  // _RE_ELLIPSIS \.\.+$
    if (tok.size() < 2) return false;
    for (char32_t c : tok)
      if (c != '.') return false;
    return true;
  }
  bool is_initial() const {  // _RE_INITIAL [^\W\d]\.$
    return tok.size() == 2 && tok[1] == '.' && py_isword(tok[0]) && !u_isdigit_nd(tok[0]);
  }
};

std::vector<PunktSentenceTokenizer::Token> PunktSentenceTokenizer::tokenize_words(const std::u32string& text) const {
  std::vector<Token> tokens;
  size_t start = 0;
  for (;;) {  // text.split("\n"); blank lines only set parastart, which decisions never read
    size_t end = text.find(U'\n', start);
    std::u32string line = text.substr(start, end == std::u32string::npos ? std::u32string::npos : end - start);
    for (auto& w : punkt_word_tokenize(line)) tokens.emplace_back(std::move(w));
    if (end == std::u32string::npos) break;
    start = end + 1;
  }
  for (auto& t : tokens) first_pass(t);
  return tokens;
}

void PunktSentenceTokenizer::first_pass(Token& t) const {
  const std::u32string& tok = t.tok;
  if (tok.size() == 1 && sent_end_char(tok[0])) {
    t.sentbreak = true;
  } else if (t.is_ellipsis()) {
    t.ellipsis = true;
  } else if (t.period_final && !(tok.size() >= 2 && tok[tok.size() - 2] == '.')) {
    std::u32string stem = py_lower(tok.substr(0, tok.size() - 1));
    std::u32string last = stem.substr(stem.rfind(U'-') == std::u32string::npos ? 0 : stem.rfind(U'-') + 1);
    if (params_.abbrev_types.count(stem) || params_.abbrev_types.count(last)) t.abbr = true;
    else t.sentbreak = true;
  }
}

int PunktSentenceTokenizer::ortho_context(const std::u32string& type) const {
  auto it = params_.ortho_context.find(type);
  return it == params_.ortho_context.end() ? 0 : it->second;
}

int PunktSentenceTokenizer::ortho_heuristic(const Token& t) const {
  if (t.tok.size() == 1 && std::u32string(U";:,.!?").find(t.tok[0]) != std::u32string::npos) return 0;
  const int ctx = ortho_context(t.type_no_sentperiod());
  if (t.first_upper() && (ctx & kOrthoLc) && !(ctx & kOrthoMidUc)) return 1;
  if (t.first_lower() && ((ctx & kOrthoUc) || !(ctx & kOrthoBegLc))) return 0;
  return -1;
}

void PunktSentenceTokenizer::second_pass(Token& t1, const Token& t2) const {
  if (!t1.period_final) return;
  const std::u32string typ = t1.type_no_period();
  const std::u32string next_typ = t2.type_no_sentperiod();
  const bool initial = t1.is_initial();
  if (params_.collocations.count({typ, next_typ})) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !initial) {
    int starter = ortho_heuristic(t2);
    if (starter == 1) {
      t1.sentbreak = true;
      return;
    }
    if (t2.first_upper() && params_.sent_starters.count(next_typ)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (initial || typ == U"##number##") {
    int starter = ortho_heuristic(t2);
    if (starter == 0) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (starter == -1 && initial && t2.first_upper() && !(ortho_context(next_typ) & kOrthoLc)) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

bool PunktSentenceTokenizer::text_contains_sentbreak(const std::u32string& text) const {
  std::vector<Token> tokens = tokenize_words(text);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    second_pass(tokens[i], tokens[i + 1]);
    if (tokens[i].sentbreak) return true;  // a token follows it
  }
  return false;
}

std::vector<std::pair<size_t, size_t>> PunktSentenceTokenizer::span_tokenize(const std::u32string& text) const {
  const size_t n = text.size();
  // _match_potential_end_contexts: every sentence-end character followed by a non-word
  // character, or by whitespace and a token; context = the word before it + the match + after.
  struct Candidate {
    size_t end;          // match.end()
    size_t next_tok;     // match.start("next_tok"), or npos
    size_t context_begin, after_end;
  };
  std::vector<Candidate> candidates;
  auto last_ascii_space = [&](size_t from, size_t to) -> size_t {  // string.whitespace, 0 if none
    for (size_t i = to; i > from; --i) {
      char32_t c = text[i - 1];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C) return i - 1 - from;
    }
    return 0;
  };
  size_t prev_start = 0, prev_stop = 0;
  bool have_prev = false;
  Candidate prev{};
  for (size_t i = 0; i < n; ++i) {
    if (!sent_end_char(text[i]) || i + 1 >= n) continue;
    Candidate c{i + 1, std::u32string::npos, 0, 0};
    if (non_word_char(text[i + 1])) {
      c.after_end = i + 2;
    } else if (py_isspace(text[i + 1])) {
      size_t j = i + 1;
      while (j < n && py_isspace(text[j])) ++j;
      if (j >= n) continue;
      size_t k = j;
      while (k < n && !py_isspace(text[k])) ++k;
      c.next_tok = j;
      c.after_end = k;
    } else {
      continue;
    }
    size_t index_after_last_space = last_ascii_space(prev_stop, i);
    if (index_after_last_space) index_after_last_space += prev_stop + 1;
    else index_after_last_space = prev_start;
    if (have_prev && prev_stop <= index_after_last_space) candidates.push_back(prev);
    c.context_begin = index_after_last_space;
    prev = c;
    have_prev = true;
    prev_start = index_after_last_space;
    prev_stop = i;
  }
  if (have_prev) candidates.push_back(prev);

  // _slices_from_text
  std::vector<std::pair<size_t, size_t>> slices;
  size_t last_break = 0;
  for (const auto& c : candidates) {
    // context = text[prev_word_slice] + match + after_tok: contiguous in the text
    std::u32string context = text.substr(c.context_begin, c.after_end - c.context_begin);
    if (text_contains_sentbreak(context)) {
      slices.emplace_back(last_break, c.end);
      last_break = c.next_tok != std::u32string::npos ? c.next_tok : c.end;
    }
  }
  slices.emplace_back(last_break, py_rstrip_length(text));

  // _realign_boundaries: closing quotes/brackets after a break join the sentence before.
  std::vector<std::pair<size_t, size_t>> out;
  size_t realign = 0;
  for (size_t s = 0; s < slices.size(); ++s) {
    std::pair<size_t, size_t> s1{slices[s].first + realign, slices[s].second};
    if (s + 1 == slices.size()) {
      if (s1.first < s1.second) out.push_back(s1);
      continue;
    }
    const auto& s2 = slices[s + 1];
    // re_boundary_realignment ["\')\]}]+?(?:\s+|(?=--)|$) (MULTILINE), matched at s2's start
    size_t q = s2.first, stop = std::max(s2.first, s2.second);
    auto closer = [](char32_t c) { return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}'; };
    size_t match_end = std::u32string::npos, kept = 0;
    while (q < stop && closer(text[q])) {
      ++q;  // lazily: try the tail after each closing character
      size_t r = q;
      while (r < stop && py_isspace(text[r])) ++r;
      bool dash = q + 1 < stop && text[q] == '-' && text[q + 1] == '-';
      if (r > q || dash || q == stop || text[q] == '\n') {
        match_end = r - s2.first;
        kept = q - s2.first;  // len(m.group(0).rstrip())
        break;
      }
    }
    if (match_end != std::u32string::npos) {
      out.emplace_back(s1.first, s2.first + kept);
      realign = match_end;
    } else {
      realign = 0;
      if (s1.first < s1.second) out.push_back(s1);
    }
  }
  return out;
}

std::vector<std::string> PunktSentenceTokenizer::tokenize(const std::string& text) const {
  std::u32string u = utf8_to_u32(text);
  std::vector<std::string> out;
  for (auto [b, e] : span_tokenize(u)) out.push_back(u32_to_utf8(std::u32string_view(u).substr(b, e - b)));
  return out;
}

}  // namespace pgc
