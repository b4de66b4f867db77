#pragma once
// Python 3 `str` operations on UTF-8 text, as NLTK and the CAPTURE reference use them:
// whitespace is `str.isspace()`, case is `str.lower()` / `isupper()` / `islower()` (full Unicode
// mappings via ICU), digits are `str.isdigit()`, and slicing is by code point.
#include <string>
#include <string_view>
#include <vector>

namespace pgc {

// str.isspace() for one code point: U+0009-000D, U+001C-001F, U+0020, U+0085, U+00A0,
// U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000.
bool py_isspace(char32_t c);
// str.isdigit() for one code point (Unicode Numeric_Type Decimal or Digit).
bool py_isdigit(char32_t c);
// str.isupper() / str.islower() for one code point.
bool py_isupper(char32_t c);
bool py_islower(char32_t c);
// Python's `\w` for str patterns: str.isalnum() or '_'.
bool py_isword(char32_t c);

// Decoding / encoding; invalid UTF-8 bytes decode to U+FFFD.
std::u32string utf8_to_u32(std::string_view s);
std::string u32_to_utf8(std::u32string_view s);

// str.strip() (whitespace) and str.strip(chars) with ASCII `chars`.
std::string py_strip(std::string_view s);
std::string py_strip_chars(std::string_view s, std::string_view ascii_chars);
// str.rstrip() length in code points of a u32 string.
size_t py_rstrip_length(std::u32string_view s);
// str.lower() (full Unicode lowercase mapping; ASCII fast path).
std::string py_lower(std::string_view s);
std::u32string py_lower(std::u32string_view s);
// str.isdigit() of a whole string (non-empty and every code point a digit).
bool py_isdigit_str(std::string_view s);
// str.split() (runs of whitespace, no empty pieces).
std::vector<std::string> py_split(std::string_view s);

}  // namespace pgc
