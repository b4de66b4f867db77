#pragma once
// The two ways pycocoevalcap splits a caption into words, reproduced byte for byte:
// BLEU and CIDEr call Python's `str.split()` (any Unicode whitespace, runs collapse, no empty
// words); ROUGE-L calls `str.split(" ")` (one ASCII space only, so "a  b" has an empty word,
// "" is one empty word, and a tab or U+00A0 stays inside a word).
#include <string_view>
#include <vector>

namespace pgc {

// Python 3 `str.split()` on UTF-8 text. Whitespace is Python's `str.isspace()` set:
// U+0009-000D, U+001C-001F, U+0020, U+0085, U+00A0, U+1680, U+2000-200A, U+2028, U+2029,
// U+202F, U+205F, U+3000. Bytes that are not valid UTF-8 are never whitespace.
void split_python_whitespace(std::string_view text, std::vector<std::string_view>& words);

// Python `str.split(" ")`: always at least one word; empty words kept.
void split_single_space(std::string_view text, std::vector<std::string_view>& words);

// True when both splits give the same words (non-empty text, words separated by exactly one
// ASCII space, no other whitespace): the common case, where ROUGE-L can reuse BLEU's words.
bool splits_agree(std::string_view text);

}  // namespace pgc
