#include "caption/grounding_markup.hpp"

#include <unicode/uchar.h>

#include "caption/code_points.hpp"

namespace pgc {

namespace {

constexpr size_t kOpen = static_cast<size_t>(-1);  // span end of a tag not closed yet
constexpr size_t kMaxIdDigits = 18;                // fits int64 without overflow

bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)); }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_letter(char32_t c) { return u_isalpha(static_cast<UChar32>(c)); }
bool is_sentence_end(char32_t c) { return c == U'.' || c == U'!' || c == U'?'; }

struct RawPhrase {
  std::vector<int64_t> ids;
  size_t begin = 0, end = kOpen;  // offsets into the un-normalised plain text
  size_t raw_offset = 0;          // where its `<` is in the input
  std::vector<std::string> warnings;
};

class MarkupParser {
 public:
  explicit MarkupParser(const std::string& caption) : in_(utf8_to_code_points(caption)) {}

  GroundedCaption parse() {
    for (size_t i = 0; i < in_.size();) i = step(i);
    close_unclosed_tags();
    return normalise();
  }

 private:
  // Consumes the markup or text at `i`; returns the next position.
  size_t step(size_t i) {
    const char32_t c = in_[i];
    if (c == U'>') {
      if (!open_.empty()) {
        phrases_[open_.back()].end = plain_.size();
        open_.pop_back();
      } else {
        warn("stray-close", i, "'>' closes no tag; dropped");
      }
      return i + 1;
    }
    if (c != U'<') {
      plain_.push_back(c);
      return i + 1;
    }
    const size_t j = skip_spaces(i + 1);
    if (j < in_.size() && is_digit(in_[j])) return open_tag_with_ids(i, j);
    // A letter right after '<' (no space: "a < b" stays text) starts a tag without ids.
    if (i + 1 < in_.size() && is_letter(in_[i + 1])) {
      open_tag(i, {}).warnings.push_back("no-ids");
      warn("no-ids", i, "tag without segment ids; phrase kept, not groundable");
      return i + 1;
    }
    warn("literal-open", i, "'<' starts no tag; kept as text");
    plain_.push_back(c);
    return i + 1;
  }

  // `<` at `lt`, first digit at `j`: reads "int { , int }" then expects ':'.
  size_t open_tag_with_ids(size_t lt, size_t j) {
    std::vector<int64_t> ids;
    while (true) {
      const size_t start = j;
      while (j < in_.size() && is_digit(in_[j])) ++j;
      if (j - start > kMaxIdDigits) {
        warn("id-overflow", start, "segment id with more than 18 digits; dropped");
      } else {
        int64_t id = 0;
        for (size_t k = start; k < j; ++k) id = id * 10 + (in_[k] - U'0');
        ids.push_back(id);
      }
      j = skip_spaces(j);
      if (j < in_.size() && in_[j] == U',') {
        j = skip_spaces(j + 1);
        if (j < in_.size() && is_digit(in_[j])) continue;
      }
      break;
    }
    RawPhrase& phrase = open_tag(lt, std::move(ids));
    if (j < in_.size() && in_[j] == U':') return j + 1;
    phrase.warnings.push_back("missing-colon");
    warn("missing-colon", lt, "no ':' after the segment ids; the phrase starts right after them");
    return j;
  }

  RawPhrase& open_tag(size_t lt, std::vector<int64_t> ids) {
    RawPhrase p;
    p.ids = std::move(ids);
    p.begin = plain_.size();
    p.raw_offset = lt;
    if (!open_.empty()) {
      p.warnings.push_back("nested");
      warn("nested", lt, "tag opened inside another tag");
    }
    open_.push_back(phrases_.size());
    phrases_.push_back(std::move(p));
    return phrases_.back();
  }

  // Tags still open at the end close where the sentence holding their start ends: before the
  // first '.', '!' or '?' that is followed by a space or the end and lies in no other tag.
  void close_unclosed_tags() {
    while (!open_.empty()) {
      const size_t index = open_.back();
      open_.pop_back();
      RawPhrase& p = phrases_[index];
      p.end = sentence_end_after(p.begin, index);
      p.warnings.push_back("unclosed");
      warn("unclosed", p.raw_offset, "tag never closed; closed at the end of its sentence");
    }
  }

  size_t sentence_end_after(size_t begin, size_t self) const {
    for (size_t p = begin; p < plain_.size(); ++p) {
      if (!is_sentence_end(plain_[p])) continue;
      if (p + 1 < plain_.size() && !is_space(plain_[p + 1])) continue;
      if (!inside_other_tag(p, self)) return p;
    }
    return plain_.size();
  }

  bool inside_other_tag(size_t pos, size_t self) const {
    for (size_t k = 0; k < phrases_.size(); ++k) {
      const RawPhrase& q = phrases_[k];
      if (k != self && q.end != kOpen && q.begin <= pos && pos < q.end) return true;
    }
    return false;
  }

  // Collapses whitespace runs to one space, strips the ends, moves the spans along and trims
  // the spaces at their ends.
  GroundedCaption normalise() {
    std::u32string out;
    std::vector<size_t> new_offset(plain_.size() + 1);
    for (size_t p = 0; p < plain_.size(); ++p) {
      new_offset[p] = out.size();
      if (!is_space(plain_[p])) out.push_back(plain_[p]);
      else if (!out.empty() && out.back() != U' ') out.push_back(U' ');
    }
    new_offset[plain_.size()] = out.size();
    if (!out.empty() && out.back() == U' ') out.pop_back();

    GroundedCaption result;
    result.plain = code_points_to_utf8(out);
    for (RawPhrase& raw : phrases_) {
      size_t b = std::min(new_offset[raw.begin], out.size());
      size_t e = std::min(new_offset[raw.end], out.size());
      while (b < e && out[b] == U' ') ++b;
      while (e > b && out[e - 1] == U' ') --e;
      if (b == e) {
        raw.warnings.push_back("empty-phrase");
        warn("empty-phrase", raw.raw_offset, "tag holds no text");
      }
      GroundedPhrase g;
      g.text = code_points_to_utf8(out.substr(b, e - b));
      g.ids = std::move(raw.ids);
      g.span_begin = b;
      g.span_end = e;
      g.warnings = std::move(raw.warnings);
      result.phrases.push_back(std::move(g));
    }
    result.warnings = std::move(warnings_);
    return result;
  }

  size_t skip_spaces(size_t j) const {
    while (j < in_.size() && is_space(in_[j])) ++j;
    return j;
  }

  void warn(const char* code, size_t offset, const std::string& message) {
    warnings_.push_back({code, offset, message + " (code point " + std::to_string(offset) + ")"});
  }

  const std::u32string in_;
  std::u32string plain_;
  std::vector<RawPhrase> phrases_;
  std::vector<size_t> open_;  // indices into phrases_, innermost last
  std::vector<MarkupWarning> warnings_;
};

}  // namespace

GroundedCaption parse_grounding_markup(const std::string& caption) {
  return MarkupParser(caption).parse();
}

}  // namespace pgc
