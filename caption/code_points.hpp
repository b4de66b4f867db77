#pragma once
// UTF-8 <-> Unicode code points. Spans in grounded captions are code-point offsets (Python
// string indices), never byte offsets.
#include <string>

namespace pgc {

// Throws std::invalid_argument on malformed UTF-8 (with the byte offset).
std::u32string utf8_to_code_points(const std::string& utf8);
std::string code_points_to_utf8(const std::u32string& cps);
// Number of code points in valid UTF-8 (throws like utf8_to_code_points).
size_t code_point_length(const std::string& utf8);
// The code points [begin, end) of valid UTF-8 as UTF-8 (throws std::out_of_range if the range
// is outside the string).
std::string code_point_slice(const std::string& utf8, size_t begin, size_t end);

}  // namespace pgc
