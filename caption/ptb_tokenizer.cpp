// pycocoevalcap's PTBTokenizer wrapper around the native PTBLexer port:
//   captions: '\n' -> ' ', joined with '\n' -> PTBTokenizer -preserveLines -lowerCase ->
//   output split on '\n' -> zip with the caption slots -> rstrip, split(' '), drop punctuation.
#include "caption/ptb_tokenizer.hpp"
#include "core/utf8.hpp"

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <algorithm>
#include <array>
#include <memory>

#include "caption/ptb_lexer.hpp"
#include "core/thread_pool.hpp"

namespace pgc {
namespace {

std::u16string to_utf16(const std::string& s) {
  std::u16string out(s.size(), u'\0');  // UTF-16 never needs more units than UTF-8 has bytes
  int32_t len = 0;
  UErrorCode err = U_ZERO_ERROR;
  u_strFromUTF8WithSub(reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()), &len, s.data(),
                       static_cast<int32_t>(s.size()), 0xFFFD, nullptr, &err);
  out.resize(U_SUCCESS(err) ? static_cast<size_t>(len) : 0);
  return out;
}

// Java's UTF-8 encoder writes '?' for a lone surrogate; everything else converts normally.
std::string to_utf8(const std::u16string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    UChar32 c;
    U16_NEXT(s.data(), i, s.size(), c);
    if (U_IS_SURROGATE(c)) c = '?';
    append_utf8(out, static_cast<char32_t>(c));
  }
  return out;
}

void append_icu_lower(const char16_t* s, size_t n, std::u16string& out) {
  std::u16string buf(n * 3 + 4, u'\0');
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = u_strToLower(reinterpret_cast<UChar*>(buf.data()), static_cast<int32_t>(buf.size()),
                             reinterpret_cast<const UChar*>(s), static_cast<int32_t>(n), "en", &err);
  if (U_FAILURE(err)) {  // cannot happen with 3x room; keep the text rather than lose it
    out.append(s, n);
    return;
  }
  out.append(buf.data(), static_cast<size_t>(len));
}

// Java's final-sigma test (ConditionalSpecialCasing.isFinalCased): a cased letter before the
// sigma and none after it, both looked for within the sigma's word as the JDK's legacy word
// BreakIterator sees words: letters (not kana/kanji; with spacing marks) and numbers (any N)
// run together, one dash/underscore/soft hyphen/period/quote may sit between two letters and
// one period/comma/quote between two digits, other marks and format characters are skipped.
// Unicode's (ICU's) rule instead stops at the first non-case-ignorable character, so
// "ΟΔΟΣ4x4" and "ΟΔΟΣ-ΟΣ" keep σ in Java but would get ς from ICU.
enum class JavaWordClass { Ignore, Letter, Digit, Other };

JavaWordClass java_word_class(char16_t c) {
  const uint32_t gc = U_GET_GC_MASK(c);
  if ((gc & (U_GC_MN_MASK | U_GC_ME_MASK | U_GC_CF_MASK)) && c != u'\u00AD') return JavaWordClass::Ignore;
  const bool kana_kanji = c == 0x3005 || (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0xF900 && c <= 0xFA2D) ||
                          (c >= 0x3041 && c <= 0x309E) || (c >= 0x30A1 && c <= 0x30FE);
  if ((gc & (U_GC_L_MASK | U_GC_MC_MASK)) && !kana_kanji) return JavaWordClass::Letter;
  if (gc & U_GC_N_MASK) return JavaWordClass::Digit;
  return JavaWordClass::Other;
}

bool java_mid(char16_t c, JavaWordClass around) {
  if (around == JavaWordClass::Letter)
    return u_charType(c) == U_DASH_PUNCTUATION || c == u'_' || c == u'\u00AD' || c == u'\u2027' || c == u'"' ||
           c == u'\'' || c == u'.';
  return c == u'"' || c == u'\'' || c == u',' || c == u'\u066B' || c == u'.';
}

// Whether a cased character lies in the sigma's word, scanning from `index` in direction `dir`.
bool cased_in_word(const std::u16string& s, size_t index, int dir) {
  auto cased = [](char16_t c) { return u_hasBinaryProperty(c, UCHAR_CASED) != 0; };
  auto step = [&](long i) {  // next non-ignorable position from i (exclusive), or -1
    for (i += dir; i >= 0 && i < static_cast<long>(s.size()); i += dir)
      if (java_word_class(s[i]) != JavaWordClass::Ignore) return i;
    return -1L;
  };
  JavaWordClass prev = JavaWordClass::Letter;  // the sigma itself
  for (long i = step(static_cast<long>(index)); i >= 0; i = step(i)) {
    const JavaWordClass cls = java_word_class(s[i]);
    if (cls == JavaWordClass::Letter || cls == JavaWordClass::Digit) {
      if (cased(s[i])) return true;
      prev = cls;
      continue;
    }
    const long next = step(i);  // one joiner between two letters or two digits
    if (next >= 0 && java_mid(s[i], prev) && java_word_class(s[next]) == prev) continue;
    return false;
  }
  return false;
}

bool java_final_sigma(const std::u16string& s, size_t index) {
  return cased_in_word(s, index, -1) && !cased_in_word(s, index, +1);
}

// Java 17 (the reference's JVM) lowercases with Unicode 13 data: letters added later
// (U+2C2F, U+A7C0, ...) have no lowercase mapping there.
bool known_to_java(UChar32 c) {
  UVersionInfo age;
  u_charAge(c, age);
  return age[0] <= 13;
}

// Java's String.toLowerCase(Locale.ENGLISH): full Unicode lowercasing (İ -> i̇); only the
// context-dependent capital sigma needs Java's own rule, everything else maps alone.
void append_lower(const std::u16string& s, std::u16string& out) {
  bool ascii = true;
  for (char16_t ch : s) ascii = ascii && ch < 0x80;
  if (ascii) {
    for (char16_t ch : s) out += (ch >= u'A' && ch <= u'Z') ? char16_t(ch + 32) : ch;
    return;
  }
  size_t run = 0;  // start of the pending run ICU lowercases in one call
  for (size_t i = 0; i < s.size();) {
    const size_t at = i;
    UChar32 c;
    U16_NEXT(s.data(), i, s.size(), c);
    if (c != 0x03A3 && known_to_java(c)) continue;
    append_icu_lower(s.data() + run, at - run, out);
    if (c == 0x03A3) out += java_final_sigma(s, at) ? u'\u03C2' : u'\u03C3';
    else out.append(s, at, i - at);
    run = i;
  }
  append_icu_lower(s.data() + run, s.size() - run, out);
}

// Python's str.isspace(), which str.rstrip() strips.
bool is_python_space(char16_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

constexpr std::array<const char16_t*, 17> kPunctuation = {u"''", u"'", u"``", u"`", u"-LRB-", u"-RRB-",
                                                          u"-LCB-", u"-RCB-", u".", u"?", u"!", u",",
                                                          u":", u"-", u"--", u"...", u";"};

bool is_punct16(const std::u16string& w) {
  for (const char16_t* p : kPunctuation)
    if (w == p) return true;
  return false;
}

// PTBTokenizer's -preserveLines -lowerCase output for the tokens: tokens joined by ' ', a
// newline written at each line-break token.
std::u16string print_tokens(const std::vector<ptb::Token>& tokens) {
  std::u16string out;
  bool begin_line = true;
  for (const auto& t : tokens) {
    if (t.newline) {
      out += u'\n';
      begin_line = true;
      continue;
    }
    if (!begin_line) out += u' ';
    begin_line = false;
    append_lower(t.text, out);
  }
  return out;
}

// pycocoevalcap: ' '.join(w for w in line.rstrip().split(' ') if w not in PUNCTUATIONS)
std::string clean_line(const std::u16string& line) {
  size_t end = line.size();
  while (end > 0 && is_python_space(line[end - 1])) --end;
  std::u16string out;
  bool first = true;
  size_t start = 0;
  for (;;) {
    size_t sp = line.find(u' ', start);
    if (sp == std::u16string::npos || sp > end) sp = end;
    std::u16string w = line.substr(start, sp - start);
    if (!is_punct16(w)) {
      if (!first) out += u' ';
      out += w;
      first = false;
    }
    if (sp >= end) break;
    start = sp + 1;
  }
  return to_utf8(out);
}

// Lexes the joined text, in pieces on several threads when it is long. Pieces start at
// caption separators; if a token crossed into the next piece, that piece is re-lexed from
// where the token ended, so the result equals one sequential pass.
std::vector<ptb::Token> lex_joined(const std::u16string& text, const std::vector<int>& separators, int threads) {
  threads = resolve_threads(threads);
  constexpr size_t kMinPiece = 1 << 15;
  if (threads <= 1 || text.size() < 2 * kMinPiece || separators.empty()) return ptb::lex(text);
  const size_t pieces = std::min<size_t>(static_cast<size_t>(threads) * 4, text.size() / kMinPiece);
  std::vector<int> bounds{0};
  for (size_t k = 1; k < pieces; ++k) {
    const int target = static_cast<int>(text.size() * k / pieces);
    auto it = std::lower_bound(separators.begin(), separators.end(), target);
    if (it != separators.end() && *it > bounds.back()) bounds.push_back(*it);
  }
  bounds.push_back(static_cast<int>(text.size()));
  const size_t n = bounds.size() - 1;
  std::vector<std::vector<ptb::Token>> parts(n);
  std::vector<int> ends(n);
  parallel_for(n, threads, [&](size_t k, int) { ends[k] = ptb::lex_range(text, bounds[k], bounds[k + 1], parts[k]); });
  std::vector<ptb::Token> out;
  int pos = 0;
  for (size_t k = 0; k < n; ++k) {
    if (pos != bounds[k]) {  // the previous piece's last token ran past this piece's start
      parts[k].clear();
      ends[k] = ptb::lex_range(text, pos, bounds[k + 1], parts[k]);
    }
    for (auto& t : parts[k]) out.push_back(std::move(t));
    pos = std::max(ends[k], bounds[k + 1]);
  }
  return out;
}

}  // namespace

bool is_ptb_punctuation(const std::string& token) { return is_punct16(to_utf16(token)); }

std::string ptb_lex_lines(const std::string& text_utf8) {
  return to_utf8(print_tokens(ptb::lex(to_utf16(text_utf8))));
}

std::vector<std::vector<std::string>> ptb_tokenize(const std::vector<std::vector<std::string>>& captions) {
  return ptb_tokenize(captions, 1);
}

std::vector<std::vector<std::string>> ptb_tokenize(const std::vector<std::vector<std::string>>& captions,
                                                   int threads) {
  // sentences = '\n'.join(c.replace('\n', ' ') for every caption of every image)
  std::u16string text;
  std::vector<int> separators;
  bool first = true;
  for (const auto& image : captions) {
    for (const auto& caption : image) {
      if (!first) {
        separators.push_back(static_cast<int>(text.size()));
        text += u'\n';
      }
      first = false;
      std::u16string c = to_utf16(caption);
      std::replace(c.begin(), c.end(), u'\n', u' ');
      text += c;
    }
  }
  const std::u16string printed = print_tokens(lex_joined(text, separators, threads));

  // lines = output.split('\n'); zip(image_id per caption slot, lines)
  std::vector<std::vector<std::string>> result(captions.size());
  size_t line_start = 0;
  bool lines_left = true;
  for (size_t i = 0; i < captions.size() && lines_left; ++i) {
    for (size_t j = 0; j < captions[i].size(); ++j) {
      size_t nl = printed.find(u'\n', line_start);
      const size_t line_end = nl == std::u16string::npos ? printed.size() : nl;
      result[i].push_back(clean_line(printed.substr(line_start, line_end - line_start)));
      if (nl == std::u16string::npos) {
        lines_left = false;
        break;
      }
      line_start = nl + 1;
    }
  }
  return result;
}

}  // namespace pgc
