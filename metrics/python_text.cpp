#include "metrics/python_text.hpp"

namespace pgc {
namespace {

// Length in bytes of the Python whitespace character starting at text[i], or 0.
size_t whitespace_length(std::string_view t, size_t i) {
  unsigned char c = static_cast<unsigned char>(t[i]);
  if (c < 0x80) return (c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  if (c < 0xC2 || c > 0xE3 || i + 1 >= t.size()) return 0;
  unsigned char c1 = static_cast<unsigned char>(t[i + 1]);
  if (c == 0xC2) return (c1 == 0x85 || c1 == 0xA0) ? 2 : 0;  // U+0085, U+00A0
  if (i + 2 >= t.size()) return 0;
  unsigned char c2 = static_cast<unsigned char>(t[i + 2]);
  if (c == 0xE1) return (c1 == 0x9A && c2 == 0x80) ? 3 : 0;  // U+1680
  if (c == 0xE3) return (c1 == 0x80 && c2 == 0x80) ? 3 : 0;  // U+3000
  if (c == 0xE2) {
    if (c1 == 0x80)  // U+2000-200A, U+2028, U+2029, U+202F
      return ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF) ? 3 : 0;
    if (c1 == 0x81) return c2 == 0x9F ? 3 : 0;  // U+205F
  }
  return 0;
}

}  // namespace

void split_python_whitespace(std::string_view text, std::vector<std::string_view>& words) {
  words.clear();
  size_t i = 0, start = 0;
  bool in_word = false;
  while (i < text.size()) {
    size_t ws = whitespace_length(text, i);
    if (ws) {
      if (in_word) words.push_back(text.substr(start, i - start));
      in_word = false;
      i += ws;
    } else {
      if (!in_word) { start = i; in_word = true; }
      ++i;
    }
  }
  if (in_word) words.push_back(text.substr(start));
}

void split_single_space(std::string_view text, std::vector<std::string_view>& words) {
  words.clear();
  size_t start = 0;
  for (;;) {
    size_t sp = text.find(' ', start);
    if (sp == std::string_view::npos) break;
    words.push_back(text.substr(start, sp - start));
    start = sp + 1;
  }
  words.push_back(text.substr(start));
}

bool splits_agree(std::string_view text) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      if (text[i + 1] == ' ') return false;  // safe: text does not end with a space
    } else if (whitespace_length(text, i)) {
      return false;
    }
  }
  return true;
}

}  // namespace pgc
