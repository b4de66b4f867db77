// METEOR 1.5 as pycocoevalcap runs it (`-stdio -l en -norm`), reimplemented from the
// cmu-mtlab/meteor Java sources: Normalizer (the -norm tokenizer), Aligner + matchers (exact,
// stem, synonym, paraphrase) with its beam search, MeteorScorer.computeMetrics and
// MeteorStats.addStats. Comments name the Java behaviour each piece reproduces, quirks included.
#include "metrics/meteor.hpp"
#include "core/utf8.hpp"

#include <unicode/ustring.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

namespace pgc {

using U32 = std::u32string;

namespace {

// ---------------------------------------------------------------- text helpers

// Lenient UTF-8 decoding: malformed bytes become U+FFFD, as Java's UTF-8 reader does.
U32 decode_utf8(const std::string& s) {
  U32 out;
  out.reserve(s.size());
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char32_t>(c);
      ++i;
      continue;
    }
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > n) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    char32_t cp = c & (0x7F >> len);
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) { ok = false; break; }
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    out += cp;
    i += len;
  }
  return out;
}

std::string encode_utf8(const U32& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

// Java's String.hashCode over UTF-16 code units: METEOR compares words (and stems) by it.
int32_t java_hash(const U32& s) {
  uint32_t h = 0;
  for (char32_t c : s) {
    if (c >= 0x10000) {
      char32_t v = c - 0x10000;
      h = 31 * h + static_cast<uint32_t>(0xD800 + (v >> 10));
      h = 31 * h + static_cast<uint32_t>(0xDC00 + (v & 0x3FF));
    } else {
      h = 31 * h + static_cast<uint32_t>(c);
    }
  }
  return static_cast<int32_t>(h);
}

size_t utf16_length(const std::string& utf8) {
  size_t n = 0;
  for (char32_t c : decode_utf8(utf8)) n += c >= 0x10000 ? 2 : 1;
  return n;
}

// Normalizer's character classes: `alpha` lists Latin and Cyrillic ranges explicitly;
// \p{Digit} and \p{Lower} are ASCII-only in Java regexes.
bool is_alpha(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == 0x160 || c == 0x17D ||
         c == 0x161 || c == 0x17E || c == 0x178 || (c >= 0xC0 && c <= 0xD6) ||
         (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x17E) || (c >= 0x400 && c <= 0x4FF) ||
         (c >= 0x500 && c <= 0x527) || (c >= 0xA640 && c <= 0xA66E) ||
         (c >= 0xA67E && c <= 0xA697) || (c >= 0x1D00 && c <= 0x1D7F);
}
bool is_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_alnum(char32_t c) { return is_digit(c) || is_alpha(c); }
// Java regex \s
bool is_regex_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}
// StringTokenizer's default delimiters
bool is_tokenizer_delim(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
// The Normalizer's r_white class: space, U+2000..U+200A, U+202F, U+205F, U+3000, U+00A0.
bool is_norm_white(char32_t c) {
  return c == ' ' || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xA0;
}

bool contains(const U32& s, const U32& sub) { return s.find(sub) != U32::npos; }

// Java String.replace(literal, literal): non-overlapping, left to right.
U32 replace_literal(const U32& s, const U32& from, const U32& to) {
  U32 out;
  out.reserve(s.size());
  size_t pos = 0;
  while (true) {
    size_t hit = s.find(from, pos);
    if (hit == U32::npos) break;
    out.append(s, pos, hit - pos);
    out += to;
    pos = hit + from.size();
  }
  out.append(s, pos, U32::npos);
  return out;
}

// replaceAll of `([L])x([R])` by `$1<mid>$2`: each match consumes its context characters, so
// in "a-b-c" only the first dash is rewritten (the regex resumes after "b").
template <class Left, class Right>
U32 rewrite_between(const U32& s, char32_t x, Left left, Right right, const U32& mid) {
  U32 out;
  out.reserve(s.size() + 8);
  size_t i = 0, n = s.size();
  while (i < n) {
    if (i + 2 < n && s[i + 1] == x && left(s[i]) && right(s[i + 2])) {
      out += s[i];
      out += mid;
      out += s[i + 2];
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::vector<U32> split_tokens(const U32& s) {
  std::vector<U32> words;
  size_t i = 0, n = s.size();
  while (i < n) {
    while (i < n && is_tokenizer_delim(s[i])) ++i;
    size_t b = i;
    while (i < n && !is_tokenizer_delim(s[i])) ++i;
    if (i > b) words.emplace_back(s, b, i - b);
  }
  return words;
}

// Java String.trim(): strips code points <= U+0020 at both ends.
U32 java_trim(const U32& s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] <= 0x20) ++b;
  while (e > b && s[e - 1] <= 0x20) --e;
  return s.substr(b, e - b);
}
std::string java_trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
  return s.substr(b, e - b);
}

// Java String.toLowerCase() (root locale): ICU's full lowercasing has the same special cases
// (U+0130 -> "i\u0307", context-dependent final sigma).
U32 java_lowercase(const U32& s) {
  bool ascii = true;
  for (char32_t c : s) ascii = ascii && c < 0x80;
  if (ascii) {
    U32 out = s;
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c += 32;
    return out;
  }
  std::u16string src;
  for (char32_t c : s) {
    if (c >= 0x10000) {
      src += static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10));
      src += static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      src += static_cast<char16_t>(c);
    }
  }
  std::u16string dst(src.size() * 2 + 8, u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t len = u_strToLower(reinterpret_cast<UChar*>(&dst[0]), static_cast<int32_t>(dst.size()),
                             reinterpret_cast<const UChar*>(src.data()),
                             static_cast<int32_t>(src.size()), "", &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    dst.assign(static_cast<size_t>(len) + 1, u'\0');
    status = U_ZERO_ERROR;
    len = u_strToLower(reinterpret_cast<UChar*>(&dst[0]), static_cast<int32_t>(dst.size()),
                       reinterpret_cast<const UChar*>(src.data()),
                       static_cast<int32_t>(src.size()), "", &status);
  }
  if (U_FAILURE(status)) throw std::runtime_error("METEOR: ICU lowercasing failed");
  dst.resize(static_cast<size_t>(len));
  U32 out;
  for (size_t i = 0; i < dst.size(); ++i) {
    char32_t c = dst[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < dst.size() && dst[i + 1] >= 0xDC00 &&
        dst[i + 1] <= 0xDFFF) {
      c = 0x10000 + ((c - 0xD800) << 10) + (dst[i + 1] - 0xDC00);
      ++i;
    }
    out += c;
  }
  return out;
}

// Normalizer.normalizeLine(line, LANG_EN, keepPunctuation = true), step by step.
U32 normalize_line(const U32& line, const std::unordered_map<std::string, int>& nbp) {
  U32 w = U" " + line + U" ";
  {  // r_sep_other: wrap every character that is not alphanumeric, whitespace or .'`,-‘’
    U32 out;
    out.reserve(w.size() + 16);
    for (char32_t c : w) {
      bool keep = is_alnum(c) || is_regex_space(c) || c == '.' || c == '\'' || c == '`' ||
                  c == ',' || c == '-' || c == 0x2018 || c == 0x2019;
      if (keep) {
        out += c;
      } else {
        out += U' ';
        out += c;
        out += U' ';
      }
    }
    w.swap(out);
  }
  {  // r_multi_dot: "\.([\.]+)" -> " DOTMULTI$1"
    U32 out;
    size_t i = 0, n = w.size();
    while (i < n) {
      if (w[i] == '.' && i + 1 < n && w[i + 1] == '.') {
        size_t k = i + 1;
        while (k < n && w[k] == '.') ++k;
        out += U" DOTMULTI";
        out.append(w, i + 1, k - i - 1);
        i = k;
      } else {
        out += w[i++];
      }
    }
    w.swap(out);
  }
  while (contains(w, U"DOTMULTI.")) {  // "DOTMULTI\.([^\.])" -> "DOTDOTMULTI $1", then literal
    U32 out;
    size_t i = 0, n = w.size();
    while (i < n) {
      if (w.compare(i, 9, U"DOTMULTI.") == 0 && i + 9 < n && w[i + 9] != '.') {
        out += U"DOTDOTMULTI ";
        out += w[i + 9];
        i += 10;
      } else {
        out += w[i++];
      }
    }
    w = replace_literal(out, U"DOTMULTI.", U"DOTDOTMULTI");
  }
  auto digit = [](char32_t c) { return is_digit(c); };
  auto non_digit = [](char32_t c) { return !is_digit(c); };
  w = rewrite_between(w, ',', non_digit, non_digit, U" , ");
  w = rewrite_between(w, ',', digit, non_digit, U" , ");
  w = rewrite_between(w, ',', non_digit, digit, U" , ");
  for (auto& c : w)  // r_quote_norm
    if (c == '`' || c == 0x2018 || c == 0x2019) c = '\'';
  {  // r_quote_norm2: "([“”]|'')" -> ' " '
    U32 out;
    size_t i = 0, n = w.size();
    while (i < n) {
      if (w[i] == 0x201C || w[i] == 0x201D) {
        out += U" \" ";
        ++i;
      } else if (w[i] == '\'' && i + 1 < n && w[i + 1] == '\'') {
        out += U" \" ";
        i += 2;
      } else {
        out += w[i++];
      }
    }
    w.swap(out);
  }
  w = replace_literal(w, U"\u2013", U"-");
  w = replace_literal(w, U"--", U"-");
  auto alnum_or_dot = [](char32_t c) { return is_alnum(c) || c == '.'; };
  auto alnum = [](char32_t c) { return is_alnum(c); };
  w = rewrite_between(w, '-', alnum_or_dot, alnum, U" ");  // r_rm_dash
  // English contractions split to the right (r_cont_en .. r_cont_en5)
  auto alpha = [](char32_t c) { return is_alpha(c); };
  auto non_alpha = [](char32_t c) { return !is_alpha(c); };
  auto non_alnum = [](char32_t c) { return !(is_alpha(c) || is_digit(c)); };
  auto letter_s = [](char32_t c) { return c == 's'; };
  w = rewrite_between(w, '\'', non_alpha, non_alpha, U" ' ");
  w = rewrite_between(w, '\'', non_alnum, alpha, U" ' ");
  w = rewrite_between(w, '\'', alpha, non_alpha, U" ' ");
  w = rewrite_between(w, '\'', alpha, alpha, U" '");
  w = rewrite_between(w, '\'', digit, letter_s, U" '");
  {  // split off sentence dots unless the word is a nonbreaking prefix
    std::vector<U32> words = split_tokens(w);
    U32 out;
    for (size_t i = 0; i < words.size(); ++i) {
      const U32& word = words[i];
      if (word.size() > 1 && word.back() == '.') {
        U32 pre = word.substr(0, word.size() - 1);
        auto it = nbp.find(encode_utf8(pre));
        int type = it == nbp.end() ? 0 : it->second;
        bool next_lower = i + 1 < words.size() && words[i + 1][0] >= 'a' && words[i + 1][0] <= 'z';
        bool next_number = i + 1 < words.size() && is_digit(words[i + 1][0]);
        if (pre.find(U'.') != U32::npos && std::any_of(pre.begin(), pre.end(), alpha)) {
          for (char32_t c : word)  // "U.S." -> "US"
            if (c != '.') out += c;
        } else if (type == 1 || next_lower) {
          out += word;
        } else if (type == 2 && next_number) {
          out += word;
        } else {
          out += pre;
          out += U" .";
        }
      } else {
        out += word;
      }
      out += U' ';
    }
    w.swap(out);
  }
  while (contains(w, U"DOTDOTMULTI")) w = replace_literal(w, U"DOTDOTMULTI", U"DOTMULTI.");
  w = replace_literal(w, U"DOTMULTI", U".");
  {  // r_white
    U32 out;
    size_t i = 0, n = w.size();
    while (i < n) {
      if (is_norm_white(w[i])) {
        while (i < n && is_norm_white(w[i])) ++i;
        out += U' ';
      } else {
        out += w[i++];
      }
    }
    w.swap(out);
  }
  return java_trim(w);
}

// pycocoevalcap's SCORE line and Meteor.java's parse of it: returns {refs..., hypothesis}.
std::vector<std::string> score_line_parts(const std::string& hypothesis,
                                          const std::vector<std::string>& references) {
  auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    std::string out;
    size_t pos = 0;
    while (true) {
      size_t hit = s.find(from, pos);
      if (hit == std::string::npos) break;
      out.append(s, pos, hit - pos);
      out += to;
      pos = hit + from.size();
    }
    out.append(s, pos, std::string::npos);
    return out;
  };
  std::string hyp = replace_all(replace_all(hypothesis, "|||", ""), "  ", " ");
  std::string line = "SCORE ||| ";
  for (size_t i = 0; i < references.size(); ++i) {
    if (i) line += " ||| ";
    line += references[i];
  }
  line += " ||| " + hyp;
  if (line.find_first_of("\n\r") != std::string::npos)
    throw std::invalid_argument(
        "METEOR: a caption contains a line break, which breaks METEOR's one-line-per-image "
        "protocol (pycocoevalcap would desynchronise)");
  // String.split("\\|\\|\\|") drops trailing empty parts
  std::vector<std::string> parts;
  size_t pos = 0;
  while (true) {
    size_t hit = line.find("|||", pos);
    if (hit == std::string::npos) break;
    parts.push_back(line.substr(pos, hit - pos));
    pos = hit + 3;
  }
  parts.push_back(line.substr(pos));
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() < 3) throw std::invalid_argument("METEOR: no hypothesis or reference");
  std::vector<std::string> out;
  for (size_t i = 1; i < parts.size(); ++i) out.push_back(java_trim(parts[i]));
  return out;
}

// ---------------------------------------------------------------- alignment

enum Module { kExact = 0, kStem = 1, kSynonym = 2, kParaphrase = 3 };

struct Word {
  std::string text;
  int32_t hash = 0;       // Java hashCode: METEOR's word identity
  int32_t stem_hash = 0;  // hashCode of the Snowball stem
  std::vector<int> synsets;  // own synsets plus those of its base form (sorted, unique)
  int para = -1;             // paraphrase vocabulary id, -1 if unknown
  bool function = false;
};

struct Match {
  int start, length;              // in line2 (reference)
  int match_start, match_length;  // in line1 (hypothesis)
  int module;
  int gain;  // what the match adds to the beam's int match score, see Aligner::make_match
};

// A partial alignment of the beam search (PartialAlignment.java minus its arrays: used words
// live in a bitset pool, chosen matches in a linked node arena). `score` = matches1 + matches2,
// the only way the comparator uses them.
struct Path {
  int score, chunks, distance, idx, last_end, node;
};

// A path offered for the next beam. Its Constants.PARTIAL_COMPARE_TOTAL order (more matches,
// fewer chunks, less distance) plus the insertion order into Java's nextPaths (Collections.sort
// is stable) is packed into two words, so that "the first `beam` after a stable sort" becomes
// a plain top-k of (hi, lo): hi = (~score, chunks), lo = (distance, order).
struct Candidate {
  uint64_t hi, lo;
  int idx, last_end;
  int parent;          // rank of the path it came from
  const Match* match;  // non-null: a new path extending `parent` with this match
  int score() const { return static_cast<int>(0xFFFFFFFFu - static_cast<uint32_t>(hi >> 32)); }
  int chunks() const { return static_cast<int>(hi & 0xFFFFFFFFu); }
  int distance() const { return static_cast<int>(lo >> 32); }
};

inline uint64_t key_hi(const Path& p) {
  return (static_cast<uint64_t>(0xFFFFFFFFu - static_cast<uint32_t>(p.score)) << 32) | static_cast<uint32_t>(p.chunks);
}
inline uint64_t key_lo(const Path& p, int order) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(p.distance)) << 32) | static_cast<uint32_t>(order);
}

struct CandidateLess {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  }
};

// Keeps the k best candidates offered: candidates gather in a buffer that is cut back to its
// k best whenever it grows large; the k-th best then bounds what can still get in, so most
// candidates of a wide beam step are rejected by one comparison and never stored.
class TopK {
 public:
  void reset(size_t k) {
    k_ = k;
    buf_.clear();
    bounded_ = false;
  }
  bool admits(uint64_t hi, uint64_t lo) const {
    return !bounded_ || hi < bound_hi_ || (hi == bound_hi_ && lo < bound_lo_);
  }
  void offer(const Candidate& c) {
    if (!admits(c.hi, c.lo)) return;
    buf_.push_back(c);
    if (buf_.size() >= 2 * k_ + 8) cut();
  }
  bool bounded() const { return bounded_; }
  bool empty() const { return buf_.empty(); }
  std::vector<Candidate>& sorted() {  // best first
    if (buf_.size() > k_) cut();
    std::sort(buf_.begin(), buf_.end(), CandidateLess());
    return buf_;
  }

 private:
  void cut() {
    std::nth_element(buf_.begin(), buf_.begin() + (k_ - 1), buf_.end(), CandidateLess());
    buf_.resize(k_);
    bound_hi_ = buf_[k_ - 1].hi;
    bound_lo_ = buf_[k_ - 1].lo;
    bounded_ = true;
  }
  size_t k_ = 0;
  bool bounded_ = false;
  uint64_t bound_hi_ = 0, bound_lo_ = 0;
  std::vector<Candidate> buf_;
};

}  // namespace

// Open-addressing map from 64-bit keys to ints (the paraphrase trie's edges: millions of
// entries for METEOR's English table, where std::unordered_map is slow to build).
class EdgeMap {
 public:
  EdgeMap() { slots_.assign(16, {kEmpty, 0}); }
  // Returns the value for `key`, inserting `value` first if absent; `inserted` says which.
  int find_or_insert(uint64_t key, int value, bool& inserted) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t i = slot(key);
    while (slots_[i].first != kEmpty) {
      if (slots_[i].first == key) {
        inserted = false;
        return slots_[i].second;
      }
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = {key, value};
    ++size_;
    inserted = true;
    return value;
  }
  int find(uint64_t key) const {  // -1 if absent
    size_t i = slot(key);
    while (slots_[i].first != kEmpty) {
      if (slots_[i].first == key) return slots_[i].second;
      i = (i + 1) & (slots_.size() - 1);
    }
    return -1;
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  size_t slot(uint64_t key) const {  // splitmix64 finalizer
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return static_cast<size_t>(key) & (slots_.size() - 1);
  }
  void grow() {
    std::vector<std::pair<uint64_t, int>> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, {kEmpty, 0});
    for (const auto& kv : old) {
      if (kv.first == kEmpty) continue;
      size_t i = slot(kv.first);
      while (slots_[i].first != kEmpty) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = kv;
    }
  }
  std::vector<std::pair<uint64_t, int>> slots_;
  size_t size_ = 0;
};

// ---------------------------------------------------------------- tables

struct Meteor::Tables {
  std::unordered_set<std::string> function_words;
  std::unordered_map<std::string, std::vector<int>> synsets;
  std::unordered_map<std::string, std::vector<std::string>> exception_bases;
  std::unordered_map<std::string, int> nbp;
  std::shared_ptr<const MeteorStemmer> stemmer;
  bool paraphrase = false;
  // ParaphraseTransducer, kept compact for METEOR's multi-million-entry English table:
  // a vocabulary; a trie over reference phrases, its edges in one hash map keyed by
  // (node, word) and each node's records in a linked list (insertion order, as Java's emit
  // arrays); the paraphrase phrases as word-id ranges of one array.
  std::unordered_map<std::string, int> vocab;
  EdgeMap trie_edges;
  std::vector<int> emit_head, emit_tail;  // per trie node, -1 = none
  std::vector<int> emit_next;             // per record
  std::vector<int> para_words, para_begin;
  static uint64_t edge_key(int node, int word) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 32) | static_cast<uint32_t>(word);
  }
  std::pair<const int*, const int*> para_phrase(int record) const {
    return {para_words.data() + para_begin[record], para_words.data() + para_begin[record + 1]};
  }
  void add_paraphrase(const std::string& ref, const std::string& para) {
    // ParaphraseTransducer: words get vocabulary ids in order of first appearance
    int node = 0;
    for (const std::string& w : phrase_words(ref)) {
      int id = vocab_id(w);
      bool inserted = false;
      node = trie_edges.find_or_insert(edge_key(node, id), static_cast<int>(emit_head.size()), inserted);
      if (inserted) {
        emit_head.push_back(-1);
        emit_tail.push_back(-1);
      }
    }
    for (const std::string& w : phrase_words(para)) para_words.push_back(vocab_id(w));
    int record = static_cast<int>(para_begin.size()) - 1;
    para_begin.push_back(static_cast<int>(para_words.size()));
    emit_next.push_back(-1);
    if (emit_tail[node] == -1)
      emit_head[node] = record;
    else
      emit_next[emit_tail[node]] = record;
    emit_tail[node] = record;
  }
  // StringTokenizer over a phrase line (UTF-8 repaired the way Java's decoder does)
  static std::vector<std::string> phrase_words(const std::string& line) {
    std::vector<std::string> out;
    size_t i = 0, n = line.size();
    auto delim = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
    while (i < n) {
      while (i < n && delim(line[i])) ++i;
      size_t b = i;
      bool ascii = true;
      while (i < n && !delim(line[i])) ascii &= static_cast<unsigned char>(line[i++]) < 0x80;
      if (i > b) out.push_back(ascii ? line.substr(b, i - b) : encode_utf8(decode_utf8(line.substr(b, i - b))));
    }
    return out;
  }
  std::vector<double> score_weights;  // computeMetrics: 1.0 0.6 0.8 [0.6]
  std::vector<double> beam_weights;   // Aligner during search: 1.0 0.5 0.5 [0.5]
  std::string signature;

  int vocab_id(const std::string& w) {
    auto it = vocab.find(w);
    if (it != vocab.end()) return it->second;
    int id = static_cast<int>(vocab.size());
    vocab.emplace(w, id);
    return id;
  }

  // SynonymDictionary.morph: WordNet's suffix rules, first candidate that has synsets wins.
  std::string morph(const std::string& word) const {
    static const char* kSuffix[20] = {"s",  "ses", "xes", "zes", "ches", "shes", "men",
                                      "ies", "s",   "ies", "es",  "es",   "ed",   "ed",
                                      "ing", "ing", "er",  "est", "er",   "est"};
    static const char* kEnding[20] = {"", "s", "x", "z", "ch", "sh", "man", "y", "", "y",
                                      "e", "", "e", "", "e",  "",   "",   "",  "e", "e"};
    auto ends_with = [&](const std::string& s) {
      return word.size() >= s.size() && word.compare(word.size() - s.size(), s.size(), s) == 0;
    };
    std::string end = ends_with("ful") ? "ful" : "";
    if (ends_with("ss") || utf16_length(word) <= 2) return word;
    for (int i = 0; i < 20; ++i) {
      std::string suffix = kSuffix[i];
      if (!ends_with(suffix)) continue;
      std::string candidate = word.substr(0, word.size() - suffix.size()) + kEnding[i];
      if (synsets.count(candidate)) return candidate + end;
    }
    return "";
  }

  std::vector<int> synonym_sets(const std::string& word) const {
    std::vector<int> out;
    auto add = [&](const std::string& w) {
      auto it = synsets.find(w);
      if (it != synsets.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    };
    add(word);
    auto bases = exception_bases.find(word);
    if (bases != exception_bases.end()) {
      for (const auto& b : bases->second) add(b);
    } else {
      add(morph(word));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  Word make_word(const U32& token) const {
    Word w;
    w.text = encode_utf8(token);
    w.hash = java_hash(token);
    w.stem_hash = java_hash(decode_utf8(stemmer->stem(w.text)));
    w.synsets = synonym_sets(w.text);
    if (paraphrase) {
      auto it = vocab.find(w.text);
      w.para = it == vocab.end() ? -1 : it->second;
    }
    w.function = function_words.count(w.text) > 0;
    return w;
  }

  // The -norm tokens of `text` with their lookups. Word data is cached per thread (a word's
  // stem and synsets never change), so entries stay valid until the next forget_words().
  std::vector<const Word*> words(const std::string& text) const {
    WordCache& cache = word_cache();
    std::vector<const Word*> out;
    for (const U32& t : split_tokens(java_lowercase(normalize_line(decode_utf8(text), nbp)))) {
      std::string key = encode_utf8(t);
      auto it = cache.words.find(key);
      if (it == cache.words.end()) it = cache.words.emplace(std::move(key), make_word(t)).first;
      out.push_back(&it->second);
    }
    return out;
  }
  // Call while no words() result is in use: bounds the cache and drops another scorer's entries.
  void forget_words() const {
    WordCache& cache = word_cache();
    if (cache.owner != id || cache.words.size() > 200000) {
      cache.words.clear();
      cache.owner = id;
    }
  }
  struct WordCache {
    uint64_t owner = 0;
    std::unordered_map<std::string, Word> words;
  };
  static WordCache& word_cache() {
    thread_local WordCache cache;
    return cache;
  }
  uint64_t id = 0;  // unique per Meteor instance (keys the per-thread word cache)

  // ParaphraseTransducer.getPaths: (length, phrase index) of reference phrases starting at `start`.
  void reference_paths(const std::vector<int>& ids, size_t start,
                       std::vector<std::pair<int, int>>& out) const {
    out.clear();
    int node = 0;
    for (size_t i = 0; start + i < ids.size(); ++i) {
      if (ids[start + i] < 0) break;  // not in the table's vocabulary
      node = trie_edges.find(edge_key(node, ids[start + i]));
      if (node < 0) break;
      for (int e = emit_head[node]; e != -1; e = emit_next[e]) out.emplace_back(static_cast<int>(i) + 1, e);
    }
  }
};

namespace {

// The hypothesis side of every alignment of one segment, prepared once.
struct Line1 {
  std::vector<const Word*> words;
  // word indices (ascending) by word hash and by stem hash, for the exact and stem matchers
  std::unordered_map<int32_t, std::vector<int>> by_hash, by_stem;
  std::unordered_map<int, std::vector<int>> synset_postings;  // synset -> word indices
};

// Stage.java: candidate matches per reference position, in the matchers' insertion order
// (kept flat: all matches in insertion order, then grouped by start with a stable counting sort).
struct Stage {
  std::vector<Match> added;
  std::vector<Match> matches;  // grouped by start
  std::vector<int> begin;      // matches of start j: [begin[j], begin[j+1])
  std::vector<int> coverage1, coverage2;
  void reset(int n1, int n2) {
    added.clear();
    coverage1.assign(n1, 0);
    coverage2.assign(n2, 0);
  }
  void add(const Match& m) {
    added.push_back(m);
    for (int k = 0; k < m.match_length; ++k) ++coverage1[m.match_start + k];
    for (int k = 0; k < m.length; ++k) ++coverage2[m.start + k];
  }
  void group(int n2) {
    begin.assign(n2 + 1, 0);
    for (const Match& m : added) ++begin[m.start + 1];
    for (int j = 0; j < n2; ++j) begin[j + 1] += begin[j];
    matches.resize(added.size());
    std::vector<int> fill(begin.begin(), begin.end() - 1);
    for (const Match& m : added) matches[fill[m.start]++] = m;
  }
  int count(int j) const { return begin[j + 1] - begin[j]; }
};

// Aligner.java for one hypothesis/reference pair. Holds scratch buffers reused across calls
// (one Aligner per thread).
class Aligner {
 public:
  MeteorStats align(const Meteor::Tables& t, const Line1& line1, const std::vector<const Word*>& line2) {
    t_ = &t;
    line1_ = &line1;
    l1_ = &line1.words;
    l2_ = &line2;
    postings_ = &line1.synset_postings;
    n1_ = static_cast<int>(l1_->size());
    n2_ = static_cast<int>(l2_->size());
    stage_.reset(n1_, n2_);
    int modules = static_cast<int>(t.score_weights.size());
    // Identical sentences only need exact matches ("prevents beam search errors").
    bool identical = n1_ == n2_;
    for (int i = 0; identical && i < n1_; ++i) identical = w1(i).hash == w2(i).hash;
    int used_modules = identical ? 1 : modules;
    for (int module = 0; module < used_modules; ++module) {
      if (module == kExact) match_exact();
      if (module == kStem) match_stem();
      if (module == kSynonym) match_synonym();
      if (module == kParaphrase) match_paraphrase();
    }
    stage_.group(n2_);
    resolve();
    return stats(final_);
  }

 private:
  const Word& w1(int i) const { return *(*l1_)[i]; }
  const Word& w2(int j) const { return *(*l2_)[j]; }

  Match make_match(int start, int length, int match_start, int match_length, int module) const {
    // PartialAlignment.matches1/2 are ints: `matches1 += len * weight` truncates each time, so
    // a one-word stem/synonym/paraphrase match (weight 0.5) adds 0 to the beam's match score.
    double w = t_->beam_weights[module];
    return {start, length, match_start, match_length, module,
            static_cast<int>(match_length * w) + static_cast<int>(length * w)};
  }

  // Both matchers visit (j, i) pairs in Java's order: reference position j, then hypothesis
  // position i ascending; the index lists only skip the pairs that cannot match.
  void match_exact() {
    for (int j = 0; j < n2_; ++j) {
      auto it = line1_->by_hash.find(w2(j).hash);
      if (it == line1_->by_hash.end()) continue;
      for (int i : it->second) stage_.add(make_match(j, 1, i, 1, kExact));
    }
  }
  void match_stem() {
    for (int j = 0; j < n2_; ++j) {
      auto it = line1_->by_stem.find(w2(j).stem_hash);
      if (it == line1_->by_stem.end()) continue;
      for (int i : it->second)
        if (w1(i).hash != w2(j).hash) stage_.add(make_match(j, 1, i, 1, kStem));
    }
  }
  void match_synonym() {
    shares_.assign(n1_, 0);
    for (int j = 0; j < n2_; ++j) {
      if (w2(j).synsets.empty()) continue;
      bool any = false;
      for (int s : w2(j).synsets) {
        auto it = postings_->find(s);
        if (it == postings_->end()) continue;
        for (int i : it->second) shares_[i] = 1;
        any = true;
      }
      if (!any) continue;
      for (int i = 0; i < n1_; ++i) {
        if (shares_[i] && w1(i).hash != w2(j).hash) stage_.add(make_match(j, 1, i, 1, kSynonym));
        shares_[i] = 0;
      }
    }
  }
  void match_paraphrase() {
    std::vector<int> ids1(n1_), ids2(n2_);
    for (int i = 0; i < n1_; ++i) ids1[i] = w1(i).para;
    for (int j = 0; j < n2_; ++j) ids2[j] = w2(j).para;
    auto occurs_at = [](const std::vector<int>& ids, int at, std::pair<const int*, const int*> phrase) {
      size_t len = static_cast<size_t>(phrase.second - phrase.first);
      for (size_t k = 0; k < len; ++k)
        if (at + k == ids.size() || ids[at + k] != phrase.first[k]) return false;
      return true;
    };
    std::vector<std::pair<int, int>> paths;
    // Reference phrases in line2, their paraphrases found in line1
    for (int j = 0; j < n2_; ++j) {
      t_->reference_paths(ids2, j, paths);
      for (auto [len, idx] : paths) {
        auto phrase = t_->para_phrase(idx);
        int phrase_len = static_cast<int>(phrase.second - phrase.first);
        for (int i = 0; i < n1_; ++i)
          if (occurs_at(ids1, i, phrase)) stage_.add(make_match(j, len, i, phrase_len, kParaphrase));
      }
    }
    // and the other way round
    for (int i = 0; i < n1_; ++i) {
      t_->reference_paths(ids1, i, paths);
      for (auto [len, idx] : paths) {
        auto phrase = t_->para_phrase(idx);
        int phrase_len = static_cast<int>(phrase.second - phrase.first);
        for (int j = 0; j < n2_; ++j)
          if (occurs_at(ids2, j, phrase)) stage_.add(make_match(j, phrase_len, i, len, kParaphrase));
      }
    }
  }

  // --- bitsets of used words, one block of (w1 + w2) uint64 per path
  static bool test_bit(const uint64_t* b, int k) { return (b[k >> 6] >> (k & 63)) & 1; }
  static void set_bit(uint64_t* b, int k) { b[k >> 6] |= uint64_t{1} << (k & 63); }
  bool used2(const uint64_t* b, int j) const { return test_bit(b + words1_, j); }
  bool is_used(const uint64_t* b, const Match& m) const {
    if (m.length == 1 && m.match_length == 1)
      return test_bit(b + words1_, m.start) || test_bit(b, m.match_start);
    for (int k = 0; k < m.length; ++k)
      if (test_bit(b + words1_, m.start + k)) return true;
    for (int k = 0; k < m.match_length; ++k)
      if (test_bit(b, m.match_start + k)) return true;
    return false;
  }
  void mark_used(uint64_t* b, const Match& m) const {
    for (int k = 0; k < m.length; ++k) set_bit(b + words1_, m.start + k);
    for (int k = 0; k < m.match_length; ++k) set_bit(b, m.match_start + k);
  }

  static void apply(Path& p, const Match& m) {
    p.score += m.gain;
    if (p.last_end != -1 && m.match_start != p.last_end) ++p.chunks;  // not continuous in line1
    p.idx = m.start + m.length;
    p.last_end = m.match_start + m.match_length;
  }

  // Aligner.resolve: left-to-right beam search over reference positions, reproducing the Java
  // exactly (stable sort on matches desc, chunks asc, distance asc, first `beam` kept). Its
  // distance bookkeeping is kept too: a branch's distance is added to the path it branched
  // from (so later siblings and the skip path carry it), never to the new path itself.
  void resolve() {
    words1_ = (n1_ + 63) / 64;
    const int stride = words1_ + (n2_ + 63) / 64;
    fixed_.assign(n2_, nullptr);
    pool_.assign(stride, 0);
    // One-to-one, non-overlapping matches are definite
    for (int j = 0; j < n2_; ++j) {
      if (stage_.count(j) != 1) continue;
      const Match& m = stage_.matches[stage_.begin[j]];
      bool overlap = false;
      for (int k = 0; k < m.length; ++k) overlap |= stage_.coverage2[j + k] != 1;
      for (int k = 0; k < m.match_length; ++k) overlap |= stage_.coverage1[m.match_start + k] != 1;
      if (overlap) continue;
      fixed_[j] = &m;
      mark_used(pool_.data(), m);
    }
    nodes_.clear();
    paths_.assign(1, Path{0, 0, 0, 0, -1, -1});
    for (int current = 0; current <= n2_; ++current) {
      top_.reset(current == n2_ ? 1 : static_cast<size_t>(Meteor::kBeamSize));
      int order = 0;
      auto offer = [&](const Path& p, int parent, const Match* m) {
        top_.offer({key_hi(p), key_lo(p, order++), p.idx, p.last_end, parent, m});
      };
      const int limit = std::min<int>(Meteor::kBeamSize, static_cast<int>(paths_.size()));
      // Every candidate a path yields has at most its score + the best gain here, at least its
      // chunks and distance, and a later insertion order. Paths come best first and the bound
      // only tightens, so once a path's best case is rejected, no later path can place anything.
      int max_gain = 0;
      if (current < n2_)
        for (int k = stage_.begin[current]; k < stage_.begin[current + 1]; ++k)
          max_gain = std::max(max_gain, stage_.matches[k].gain);
      for (int r = 0; r < limit; ++r) {
        Path p = paths_[r];
        if (top_.bounded()) {
          Path best_case = p;
          best_case.score += max_gain;
          if (!top_.admits(key_hi(best_case), key_lo(best_case, order))) break;
        }
        const uint64_t* bits = pool_.data() + static_cast<size_t>(r) * stride;
        if (current == n2_) {  // complete: close the last chunk
          if (p.last_end != -1) ++p.chunks;
          offer(p, r, nullptr);
          continue;
        }
        if (used2(bits, current)) {
          if (current < p.idx) {  // inside a chosen match
            offer(p, r, nullptr);
          } else if (fixed_[p.idx] != nullptr) {  // a definite match starts here
            const Match& m = *fixed_[p.idx];
            apply(p, m);
            p.distance += std::abs(m.start - m.match_start);
            offer(p, r, nullptr);
          }  // else: the path is dropped, as in Java
          continue;
        }
        const Match* m = stage_.matches.data() + stage_.begin[current];
        const Match* end = stage_.matches.data() + stage_.begin[current + 1];
        for (; m != end; ++m) {
          if (is_used(bits, *m)) continue;
          Path np = p;
          apply(np, *m);
          offer(np, r, m);
          p.distance += std::abs(m->start - m->match_start);
        }
        if (p.last_end != -1) {  // skip this position
          ++p.chunks;
          p.last_end = -1;
        }
        ++p.idx;
        offer(p, r, nullptr);
      }
      if (top_.empty()) offer(paths_[0], 0, nullptr);  // "unexpected conditions"
      std::vector<Candidate>& kept = top_.sorted();
      next_paths_.clear();
      next_pool_.assign(kept.size() * stride, 0);
      for (size_t c = 0; c < kept.size(); ++c) {
        const Candidate& cand = kept[c];
        uint64_t* dst = next_pool_.data() + c * stride;
        std::copy_n(pool_.data() + static_cast<size_t>(cand.parent) * stride, stride, dst);
        Path p{cand.score(), cand.chunks(), cand.distance(), cand.idx, cand.last_end, paths_[cand.parent].node};
        if (cand.match) {
          mark_used(dst, *cand.match);
          nodes_.push_back({p.node, cand.match});
          p.node = static_cast<int>(nodes_.size()) - 1;
        }
        next_paths_.push_back(p);
      }
      paths_.swap(next_paths_);
      pool_.swap(next_pool_);
    }
    final_ = fixed_;
    for (int n = paths_[0].node; n != -1; n = nodes_[n].parent) final_[nodes_[n].match->start] = nodes_[n].match;
  }

  MeteorStats stats(const std::vector<const Match*>& matches) const {
    MeteorStats s;
    s.test_length = n1_;
    s.reference_length = n2_;
    for (const Word* w : *l1_) s.test_function_words += w->function;
    for (const Word* w : *l2_) s.reference_function_words += w->function;
    for (const Match* m : matches) {
      if (!m) continue;
      for (int k = 0; k < m->match_length; ++k)
        (w1(m->match_start + k).function ? s.test_function : s.test_content)[m->module] += 1;
      for (int k = 0; k < m->length; ++k)
        (w2(m->start + k).function ? s.reference_function : s.reference_content)[m->module] += 1;
    }
    // Aligner.getCountAndChunks
    int chunks = 0, idx = 0, last_end = -1;
    while (idx < n2_) {
      const Match* m = matches[idx];
      if (!m) {
        if (last_end != -1) {
          ++chunks;
          last_end = -1;
        }
        ++idx;
      } else {
        if (last_end != -1 && m->match_start != last_end) ++chunks;
        idx = m->start + m->length;
        last_end = m->match_start + m->match_length;
      }
    }
    if (last_end != -1) ++chunks;
    s.chunks = chunks;
    for (size_t i = 0; i < t_->score_weights.size(); ++i) {
      s.test_total_matches += s.test_content[i];
      s.test_total_matches += s.test_function[i];
      s.reference_total_matches += s.reference_content[i];
      s.reference_total_matches += s.reference_function[i];
    }
    s.test_word_matches = s.test_total_matches;
    s.reference_word_matches = s.reference_total_matches;
    return s;
  }

  struct Node {
    int parent;
    const Match* match;
  };

  const Meteor::Tables* t_ = nullptr;
  const Line1* line1_ = nullptr;
  const std::vector<const Word*>* l1_ = nullptr;
  const std::vector<const Word*>* l2_ = nullptr;
  const std::unordered_map<int, std::vector<int>>* postings_ = nullptr;
  int n1_ = 0, n2_ = 0, words1_ = 0;
  Stage stage_;
  std::vector<char> shares_;
  std::vector<const Match*> fixed_, final_;
  std::vector<uint64_t> pool_, next_pool_;
  std::vector<Path> paths_, next_paths_;
  std::vector<Node> nodes_;
  TopK top_;
};

std::string format_weight(double w) {
  std::ostringstream os;
  os << w;
  std::string s = os.str();
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

}  // namespace

// ---------------------------------------------------------------- stats

bool MeteorStats::perfect() const {
  return test_total_matches == test_length && reference_total_matches == reference_length &&
         chunks == 1.0;
}

void MeteorStats::merge(const MeteorStats& o) {
  test_length += o.test_length;
  reference_length += o.reference_length;
  test_function_words += o.test_function_words;
  reference_function_words += o.reference_function_words;
  test_total_matches += o.test_total_matches;
  reference_total_matches += o.reference_total_matches;
  for (size_t i = 0; i < 4; ++i) {
    test_content[i] += o.test_content[i];
    reference_content[i] += o.reference_content[i];
    test_function[i] += o.test_function[i];
    reference_function[i] += o.reference_function[i];
  }
  if (!o.perfect()) chunks += o.chunks;  // addStats: perfect segments add no chunk
  test_word_matches += o.test_word_matches;
  reference_word_matches += o.reference_word_matches;
}

std::vector<double> meteor_stats_to_vector(const MeteorStats& s) {
  std::vector<double> v{s.test_length, s.reference_length, s.test_function_words,
                        s.reference_function_words};
  for (size_t i = 0; i < 4; ++i) {
    v.push_back(s.test_content[i]);
    v.push_back(s.reference_content[i]);
    v.push_back(s.test_function[i]);
    v.push_back(s.reference_function[i]);
  }
  v.push_back(s.chunks);
  v.push_back(s.test_word_matches);
  v.push_back(s.reference_word_matches);
  return v;
}

MeteorStats meteor_stats_from_vector(const std::vector<double>& v) {
  if (v.size() != 23)
    throw std::invalid_argument("METEOR stats need 23 numbers, got " + std::to_string(v.size()));
  MeteorStats s;
  s.test_length = v[0];
  s.reference_length = v[1];
  s.test_function_words = v[2];
  s.reference_function_words = v[3];
  for (size_t i = 0; i < 4; ++i) {
    s.test_content[i] = v[4 + 4 * i];
    s.reference_content[i] = v[5 + 4 * i];
    s.test_function[i] = v[6 + 4 * i];
    s.reference_function[i] = v[7 + 4 * i];
    s.test_total_matches += s.test_content[i];
    s.reference_total_matches += s.reference_content[i];
    s.test_total_matches += s.test_function[i];
    s.reference_total_matches += s.reference_function[i];
  }
  s.chunks = v[20];
  s.test_word_matches = v[21];
  s.reference_word_matches = v[22];
  return s;
}

// ---------------------------------------------------------------- scorer

Meteor::Meteor(MeteorResources r) : tables_(std::make_unique<Tables>()) {
  Tables& t = *tables_;
  static std::atomic<uint64_t> next_id{1};
  t.id = next_id++;
  if (!r.stemmer) throw std::invalid_argument("METEOR: no stemmer given");
  t.stemmer = r.stemmer;
  t.function_words.insert(r.function_words.begin(), r.function_words.end());
  t.synsets = std::move(r.synsets);
  for (auto& entry : t.synsets) {  // a HashSet<Integer> in Java
    auto& ids = entry.second;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  t.exception_bases = std::move(r.exception_bases);
  t.nbp = std::move(r.nonbreaking_prefixes);
  t.paraphrase = r.use_paraphrase;
  t.score_weights = {1.0, 0.6, 0.8};
  t.beam_weights = {1.0, 0.5, 0.5};
  if (t.paraphrase) {
    t.score_weights.push_back(0.6);
    t.beam_weights.push_back(0.5);
    t.emit_head.assign(1, -1);  // the root
    t.emit_tail.assign(1, -1);
    t.para_begin.assign(1, 0);
    for (auto& [ref, para] : r.paraphrases) {
      t.add_paraphrase(ref, para);
      std::string().swap(ref);  // release the text as we go (the English table is large)
      std::string().swap(para);
    }
    r.paraphrases = {};
  }
  std::string mods = t.paraphrase ? "ex_st_sy_pa" : "ex_st_sy";
  std::string weights;
  for (double w : t.score_weights) weights += (weights.empty() ? "" : "_") + format_weight(w);
  t.signature = "1.5,norm,m=" + mods + ",w=" + weights + ",p=" + format_weight(kAlpha) + "_" +
                format_weight(kBeta) + "_" + format_weight(kGamma) + "_" + format_weight(kDelta) +
                ",beam=" + std::to_string(kBeamSize) + ",data=" + r.data_digest +
                ",nbp=" + r.prefixes_digest + ",para=" + (t.paraphrase ? r.paraphrase_digest : "none");
}

Meteor::~Meteor() = default;

int Meteor::module_count() const { return static_cast<int>(tables_->score_weights.size()); }

std::string Meteor::signature() const { return tables_->signature; }

std::vector<std::string> Meteor::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (const U32& t : split_tokens(java_lowercase(normalize_line(decode_utf8(text), tables_->nbp))))
    out.push_back(encode_utf8(t));
  return out;
}

MeteorStats Meteor::segment(const std::string& hypothesis,
                            const std::vector<std::string>& references) const {
  const Tables& t = *tables_;
  std::vector<std::string> parts = score_line_parts(hypothesis, references);
  t.forget_words();
  Line1 line1;
  line1.words = t.words(parts.back());
  for (size_t i = 0; i < line1.words.size(); ++i) {
    const Word& w = *line1.words[i];
    for (int s : w.synsets) line1.synset_postings[s].push_back(static_cast<int>(i));
    line1.by_hash[w.hash].push_back(static_cast<int>(i));
    line1.by_stem[w.stem_hash].push_back(static_cast<int>(i));
  }
  // MeteorScorer.getMeteorStats(test, refs): the first reference with the highest score wins.
  MeteorStats best;
  double best_score = -1;
  for (size_t r = 0; r + 1 < parts.size(); ++r) {
    std::vector<const Word*> line2 = t.words(parts[r]);
    thread_local Aligner aligner;
    MeteorStats s = aligner.align(t, line1, line2);
    double sc = score(s);
    if (sc > best_score) {
      best = s;
      best_score = sc;
    }
  }
  return best;
}

double Meteor::score(const MeteorStats& s) const { return meteor_score(s); }

double meteor_score(const MeteorStats& s) {
  // MeteorScorer.computeMetrics, operation for operation (the result must match to the bit).
  static const double w[4] = {1.0, 0.6, 0.8, 0.6};
  const double delta = Meteor::kDelta, alpha = Meteor::kAlpha;
  double test_weighted_length =
      (delta * (s.test_length - s.test_function_words)) + ((1.0 - delta) * (s.test_function_words));
  double ref_weighted_length = (delta * (s.reference_length - s.reference_function_words)) +
                               ((1.0 - delta) * (s.reference_function_words));
  double test_matches = 0, ref_matches = 0;
  for (size_t i = 0; i < 4; ++i) test_matches += s.test_content[i] * w[i] * delta;
  for (size_t i = 0; i < 4; ++i) ref_matches += s.reference_content[i] * w[i] * delta;
  for (size_t i = 0; i < 4; ++i) test_matches += s.test_function[i] * w[i] * (1.0 - delta);
  for (size_t i = 0; i < 4; ++i) ref_matches += s.reference_function[i] * w[i] * (1.0 - delta);
  double precision = test_matches / test_weighted_length;
  double recall = ref_matches / ref_weighted_length;
  double fmean = 1.0 / (((1.0 - alpha) / precision) + (alpha / recall));
  double frag;
  if (s.perfect())
    frag = 0;
  else
    frag = s.chunks / ((s.test_word_matches + s.reference_word_matches) / 2);
  double penalty = Meteor::kGamma * std::pow(frag, Meteor::kBeta);
  double value = fmean * (1.0 - penalty);
  if (std::isnan(value)) return 0;
  return value > 0.0 ? value : 0.0;
}

}  // namespace pgc
