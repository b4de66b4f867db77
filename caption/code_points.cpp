#include "caption/code_points.hpp"
#include "core/utf8.hpp"

#include <stdexcept>

namespace pgc {

std::u32string utf8_to_code_points(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b0 = static_cast<unsigned char>(s[i]);
    int extra = 0;
    char32_t cp = 0, min_cp = 0;
    if (b0 < 0x80) { cp = b0; }
    else if ((b0 & 0xE0) == 0xC0) { cp = b0 & 0x1F; extra = 1; min_cp = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { cp = b0 & 0x0F; extra = 2; min_cp = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { cp = b0 & 0x07; extra = 3; min_cp = 0x10000; }
    else throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(i));
    if (extra && i + extra >= s.size())
      throw std::invalid_argument("truncated UTF-8 at byte " + std::to_string(i));
    for (int k = 1; k <= extra; ++k) {
      const unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(i));
      cp = (cp << 6) | (b & 0x3F);
    }
    if (extra && (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(i));
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

std::string code_points_to_utf8(const std::u32string& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t c : cps) append_utf8(out, c);
  return out;
}

size_t code_point_length(const std::string& utf8) { return utf8_to_code_points(utf8).size(); }

std::string code_point_slice(const std::string& utf8, size_t begin, size_t end) {
  const std::u32string cps = utf8_to_code_points(utf8);
  if (begin > end || end > cps.size()) throw std::out_of_range("code-point range outside the string");
  return code_points_to_utf8(cps.substr(begin, end - begin));
}

}  // namespace pgc
