#include "caption/python_str.hpp"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "core/utf8.hpp"

namespace pgc {

bool py_isspace(char32_t c) {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool py_isdigit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  int t = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_NUMERIC_TYPE);
  return t == U_NT_DECIMAL || t == U_NT_DIGIT;
}

bool py_isupper(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return u_isUUppercase(static_cast<UChar32>(c));
}

bool py_islower(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z';
  return u_isULowercase(static_cast<UChar32>(c));
}

bool py_isword(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  // Python: isalpha (categories L*) or isdecimal / isdigit / isnumeric (a numeric type).
  UChar32 u = static_cast<UChar32>(c);
  return u_isalpha(u) || u_getIntPropertyValue(u, UCHAR_NUMERIC_TYPE) != U_NT_NONE;
}

std::u32string utf8_to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

std::string u32_to_utf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

namespace {

// Byte range [begin, end) of `s` without leading/trailing code points matching `strip`.
template <class Pred>
std::string strip_if(std::string_view s, Pred strip) {
  int32_t n = static_cast<int32_t>(s.size()), begin = 0, end = n;
  while (begin < n) {
    int32_t next = begin;
    UChar32 c;
    U8_NEXT(s.data(), next, n, c);
    if (c < 0 || !strip(static_cast<char32_t>(c))) break;
    begin = next;
  }
  while (end > begin) {
    int32_t prev = end;
    UChar32 c;
    U8_PREV(s.data(), begin, prev, c);
    if (c < 0 || !strip(static_cast<char32_t>(c))) break;
    end = prev;
  }
  return std::string(s.substr(begin, end - begin));
}

bool all_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

std::string py_strip(std::string_view s) { return strip_if(s, py_isspace); }

std::string py_strip_chars(std::string_view s, std::string_view chars) {
  return strip_if(s, [&](char32_t c) { return c < 0x80 && chars.find(static_cast<char>(c)) != std::string_view::npos; });
}

size_t py_rstrip_length(std::u32string_view s) {
  size_t n = s.size();
  while (n > 0 && py_isspace(s[n - 1])) --n;
  return n;
}

std::string py_lower(std::string_view s) {
  if (all_ascii(s)) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  u.toLower(icu::Locale::getRoot());
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::u32string py_lower(std::u32string_view s) {
  bool ascii = true;
  for (char32_t c : s) ascii = ascii && c < 0x80;
  if (ascii) {
    std::u32string out(s);
    for (char32_t& c : out)
      if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    return out;
  }
  return utf8_to_u32(py_lower(u32_to_utf8(s)));
}

bool py_isdigit_str(std::string_view s) {
  if (s.empty()) return false;
  for (char32_t c : utf8_to_u32(s))
    if (!py_isdigit(c)) return false;
  return true;
}

std::vector<std::string> py_split(std::string_view s) {
  std::vector<std::string> out;
  std::u32string u = utf8_to_u32(s);
  size_t i = 0;
  while (i < u.size()) {
    while (i < u.size() && py_isspace(u[i])) ++i;
    size_t start = i;
    while (i < u.size() && !py_isspace(u[i])) ++i;
    if (i > start) out.push_back(u32_to_utf8(std::u32string_view(u).substr(start, i - start)));
  }
  return out;
}

}  // namespace pgc
