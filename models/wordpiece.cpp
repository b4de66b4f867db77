// BERT BasicTokenizer + WordPiece, following HF tokenizers' BertNormalizer, BertPreTokenizer
// and WordPiece model (what BertTokenizerFast / MPNetTokenizerFast run). See wordpiece.hpp.
#include "models/wordpiece.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace pgc {

WordPieceOptions WordPieceOptions::bert_uncased() { return WordPieceOptions{}; }

WordPieceOptions WordPieceOptions::mpnet() {
  WordPieceOptions o;
  o.cls_token = "<s>";
  o.sep_token = "</s>";
  o.pad_token = "<pad>";
  o.unk_token = "[UNK]";
  o.other_special_tokens = {"<mask>", "<unk>"};
  return o;
}

namespace {

// Code points of valid UTF-8; std::invalid_argument naming the byte offset otherwise.
std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) throw std::invalid_argument("malformed UTF-8 at byte " + std::to_string(at));
    out += static_cast<char32_t>(c);
  }
  return out;
}

bool is_valid_utf8(const std::string& s) {
  try {
    decode_utf8(s);
    return true;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

// tokenizers' is_control: `is_other()` of the unicode_categories crate, except \t \n \r. Its
// comment says Cc, Cf, Cn, Co, but HF's tokenizer (tokenizers 0.23, checked) keeps unassigned
// code points (U+0378 stays in the text), so Cn is not dropped here either.
bool is_control(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_PRIVATE_USE_CHAR:
    case U_SURROGATE:
      return true;
    default:
      return false;
  }
}

// Rust's char::is_whitespace is the White_Space property.
bool is_whitespace(char32_t c) {
  return c == U'\t' || c == U'\n' || c == U'\r' || u_isUWhiteSpace(static_cast<UChar32>(c));
}

// BertPreTokenizer: ASCII punctuation or any Unicode P* category.
bool is_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
      (c >= 123 && c <= 126))
    return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

// The CJK blocks of tokenizers' BertNormalizer (its extension-E range starts at 0x2B920,
// where the Python BasicTokenizer says 0x2B820: the fast tokenizer is the one GLaMM runs).
bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string clean_text(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    out += is_whitespace(c) ? U' ' : c;
  }
  return out;
}

std::u32string space_chinese_chars(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (is_chinese_char(c)) {
      out += U' ';
      out += c;
      out += U' ';
    } else {
      out += c;
    }
  }
  return out;
}

// NFD, then drop nonspacing marks (Mn).
std::u32string strip_accents(const std::u32string& in) {
  bool ascii = std::all_of(in.begin(), in.end(), [](char32_t c) { return c < 0x80; });
  if (ascii) return in;
  icu::UnicodeString text;
  for (char32_t c : in) text.append(static_cast<UChar32>(c));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString decomposed;
  if (U_SUCCESS(status)) decomposed = nfd->normalize(text, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU NFD failed: " + std::string(u_errorName(status)));
  std::u32string out;
  out.reserve(in.size());
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) != U_NON_SPACING_MARK) out += static_cast<char32_t>(c);
  }
  return out;
}

// Full lowercase of each character on its own (Rust's char::to_lowercase, as tokenizers'
// NormalizedString::lowercase does): "İ" -> "i̇", and no final-sigma context.
std::u32string lowercase(const std::u32string& in) {
  std::u32string out;
  out.reserve(in.size());
  for (char32_t c : in) {
    if (c < 0x80) {
      out += (c >= U'A' && c <= U'Z') ? c + 32 : c;
      continue;
    }
    UChar src[2];
    int32_t len = 0;
    U16_APPEND_UNSAFE(src, len, static_cast<UChar32>(c));
    UChar dst[8];
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = u_strToLower(dst, 8, src, len, "", &status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU lowercase failed: " + std::string(u_errorName(status)));
    for (int32_t i = 0; i < n;) {
      UChar32 d;
      U16_NEXT(dst, i, n, d);
      out += static_cast<char32_t>(d);
    }
  }
  return out;
}

std::string encode_utf8(const std::u32string& cps) {
  std::string s;
  s.reserve(cps.size());
  for (char32_t c : cps) append_utf8(s, c);
  return s;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::string& vocab_path, WordPieceOptions options)
    : options_(std::move(options)) {
  std::ifstream in(vocab_path, std::ios::binary);
  if (!in) throw InputError(vocab_path, "", "cannot open the vocabulary file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError(vocab_path, "", "cannot read the vocabulary file");
  const std::string text = buffer.str();
  // Python's text mode (what HF's load_vocab reads with): "\r\n" and "\r" end a line too.
  std::string line;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      id_to_token_.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) id_to_token_.push_back(line);
  for (size_t i = 0; i < id_to_token_.size(); ++i)
    if (!is_valid_utf8(id_to_token_[i]))
      throw InputError(vocab_path, "line " + std::to_string(i + 1), "not valid UTF-8");
  init(vocab_path);
}

WordPieceTokenizer::WordPieceTokenizer(const std::vector<std::string>& vocab,
                                       WordPieceOptions options, const std::string& source)
    : options_(std::move(options)), id_to_token_(vocab) {
  init(source);
}

void WordPieceTokenizer::init(const std::string& source) {
  if (id_to_token_.empty()) throw InputError(source, "", "empty vocabulary");
  if (options_.max_length < 2)
    throw std::invalid_argument("WordPieceOptions::max_length must leave room for the 2 specials");
  for (size_t i = 0; i < id_to_token_.size(); ++i)
    token_to_id_[id_to_token_[i]] = static_cast<int64_t>(i);  // a repeated token: last line wins
  auto required = [&](const std::string& token, const char* role) {
    int64_t id = token_to_id(token);
    if (id < 0)
      throw InputError(source, token, std::string("the ") + role + " token is not in the vocabulary");
    return id;
  };
  unk_id_ = required(options_.unk_token, "unknown");
  cls_id_ = required(options_.cls_token, "first (cls)");
  sep_id_ = required(options_.sep_token, "last (sep)");
  pad_id_ = required(options_.pad_token, "padding");
  std::vector<std::string> specials = {options_.unk_token, options_.cls_token, options_.sep_token,
                                       options_.pad_token};
  for (const auto& t : options_.other_special_tokens)
    if (token_to_id(t) >= 0) specials.push_back(t);
  std::sort(specials.begin(), specials.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  specials.erase(std::unique(specials.begin(), specials.end()), specials.end());
  for (const auto& s : specials)
    if (!s.empty()) specials_.push_back(s);
}

int64_t WordPieceTokenizer::token_to_id(const std::string& token) const {
  auto it = token_to_id_.find(token);
  return it == token_to_id_.end() ? -1 : it->second;
}

const std::string& WordPieceTokenizer::id_to_token(int64_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= id_to_token_.size())
    throw std::out_of_range("token id " + std::to_string(id) + " is not in the vocabulary");
  return id_to_token_[static_cast<size_t>(id)];
}

std::vector<std::string> WordPieceTokenizer::basic_tokenize(const std::string& text) const {
  decode_utf8(text);  // reject malformed UTF-8 before anything is split
  std::vector<std::string> words;
  auto normalize_and_split = [&](const std::string& piece) {
    std::u32string s = space_chinese_chars(clean_text(decode_utf8(piece)));
    if (options_.strip_accents) s = strip_accents(s);
    if (options_.lower_case) s = lowercase(s);
    std::u32string word;
    auto flush = [&] {
      if (!word.empty()) words.push_back(encode_utf8(word));
      word.clear();
    };
    for (char32_t c : s) {
      if (is_whitespace(c)) {
        flush();
      } else if (is_punctuation(c)) {
        flush();
        words.push_back(encode_utf8(std::u32string(1, c)));
      } else {
        word += c;
      }
    }
    flush();
  };
  // Special tokens written in the text match first (leftmost, then longest), unnormalized.
  size_t start = 0, at = 0;
  while (at < text.size()) {
    const std::string* hit = nullptr;
    for (const auto& s : specials_)
      if (text.compare(at, s.size(), s) == 0) {
        hit = &s;
        break;
      }
    if (!hit) {
      ++at;
      continue;
    }
    normalize_and_split(text.substr(start, at - start));
    words.push_back(*hit);
    at += hit->size();
    start = at;
  }
  normalize_and_split(text.substr(start));
  return words;
}

void WordPieceTokenizer::wordpiece(const std::string& word, std::vector<std::string>& out) const {
  // Byte offset of each code point, plus the end.
  std::vector<size_t> bounds;
  for (size_t i = 0; i < word.size(); ++i)
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) bounds.push_back(i);
  bounds.push_back(word.size());
  const size_t n = bounds.size() - 1;
  if (n > options_.max_input_chars_per_word) {
    out.push_back(options_.unk_token);
    return;
  }
  std::vector<std::string> pieces;
  for (size_t start = 0; start < n;) {
    size_t end = n;
    std::string found;
    for (; end > start; --end) {
      std::string piece = word.substr(bounds[start], bounds[end] - bounds[start]);
      if (start > 0) piece = "##" + piece;
      if (token_to_id_.count(piece)) {
        found = std::move(piece);
        break;
      }
    }
    if (end == start) {  // no piece covers the next character: the whole word is unknown
      out.push_back(options_.unk_token);
      return;
    }
    pieces.push_back(std::move(found));
    start = end;
  }
  out.insert(out.end(), pieces.begin(), pieces.end());
}

std::vector<std::string> WordPieceTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> out;
  for (const auto& word : basic_tokenize(text)) {
    if (std::find(specials_.begin(), specials_.end(), word) != specials_.end())
      out.push_back(word);
    else
      wordpiece(word, out);
  }
  return out;
}

std::vector<int64_t> WordPieceTokenizer::encode(const std::string& text) const {
  std::vector<std::string> pieces = tokenize(text);
  if (pieces.size() > options_.max_length - 2) pieces.resize(options_.max_length - 2);
  std::vector<int64_t> ids;
  ids.reserve(pieces.size() + 2);
  ids.push_back(cls_id_);
  for (const auto& p : pieces) ids.push_back(token_to_id(p));
  ids.push_back(sep_id_);
  return ids;
}

}  // namespace pgc
