#pragma once
// pycocoevalcap's PTBTokenizer.tokenize, natively: Stanford CoreNLP 3.4.1
// `PTBTokenizer -preserveLines -lowerCase` (caption/ptb_lexer.cpp) followed by pycocoevalcap's
// punctuation removal. See docs/metrics.md "PTB tokenization" for the quirks kept on purpose.
#include <string>
#include <vector>

namespace pgc {

inline constexpr const char* kPtbTokenizerVersion = "ptb-3.4.1";

// pycocoevalcap PTBTokenizer.tokenize on one call: captions grouped per image, in order;
// returns token strings of the same shape, including the reference's line-shift quirk
// (a caption containing a line break such as \r or U+2028 becomes two lines and every later
// caption of the call moves down one slot; the surplus at the end is dropped, as zip does).
// Only if the lexer outputs FEWER lines than captions (an SGML tag whose quoted attribute
// spans two captions) do the last images get fewer strings, as the reference's dict would.
// Thread-safe; single-threaded.
std::vector<std::vector<std::string>> ptb_tokenize(const std::vector<std::vector<std::string>>& captions);

// The same, lexing a long call on `threads` threads (0 = all cores); results are identical
// to the sequential run (pieces start at caption boundaries and are re-lexed if a token
// crossed one).
std::vector<std::vector<std::string>> ptb_tokenize(const std::vector<std::vector<std::string>>& captions,
                                                   int threads);

// The lexer alone on one text: PTBTokenizer -preserveLines -lowerCase output (tokens joined
// by single spaces, lines by \n), before pycocoevalcap drops punctuation. For tests/tools.
std::string ptb_lex_lines(const std::string& text_utf8);

// pycocoevalcap's list of tokens it drops (exact, case-sensitive matches).
bool is_ptb_punctuation(const std::string& token);

}  // namespace pgc
