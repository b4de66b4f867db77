#pragma once
// A native port of Stanford CoreNLP 3.4.1's PTBLexer (the JFlex scanner behind PTBTokenizer)
// with the options `PTBTokenizer -preserveLines` passes: the historical PTB3 normalizations
// (ptb3Escaping defaults), tokenizeNLs, no americanize, untokenizable=firstDelete.
// It works on UTF-16 code units like the Java scanner, so characters outside the BMP are two
// units that most rules reject (and delete), exactly as the reference does.
#include <string>
#include <vector>

namespace pgc::ptb {

struct Token {
  std::u16string text;  // normalized token text (before -lowerCase)
  bool newline = false; // a line break (PTBLexer's *NL* token)
};

// Tokenizes `text` the way PTBLexer does; thread-safe.
std::vector<Token> lex(const std::u16string& text);

// Appends the tokens that START in [start, stop) (the lexer keeps no state between tokens,
// so a text can be lexed in pieces) and returns where the last one ended (>= stop when a
// token or its pushback crossed `stop`). Lookahead still sees the whole text.
int lex_range(const std::u16string& text, int start, int stop, std::vector<Token>& out);

}  // namespace pgc::ptb
