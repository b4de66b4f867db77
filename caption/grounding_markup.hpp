#pragma once
// Lenient parser of the grounding markup in COCONut-PanCap captions (pgc_formats.md §2):
// `<5: a woman>`, `<6,7: two men>` mark the phrase between ':' and '>' as grounded to the
// listed panoptic segments. Real captions deviate from that grammar; every deviation is
// repaired the same documented way and reported as a warning, never silently:
//   missing-colon  `<11skateboard>`         ids read up to the first non-id character
//   no-ids         `<sa backpack>` (a letter right after `<`): phrase kept, no ids (cannot be scored on masks)
//   nested         `<1: a man with <2: a hat>>`  inner tag opened inside another
//   unclosed       `<10: one man carrying <9: a bag> walks.`  closed at the end of the
//                                            sentence holding its start (before `.`/`!`/`?`)
//   stray-close    `<6: two boys> in green>` the extra `>` is dropped
//   literal-open   `a < b`                   a `<` that starts no tag is kept as text
//   empty-phrase   `<5: >`                   a tag with no text (zero-length span)
//   id-overflow    an id with more than 18 digits is dropped
// The plain caption has the markup removed, whitespace runs collapsed to one space and the
// ends stripped; spans are [begin, end) code-point offsets into it, trimmed of spaces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pgc {

struct MarkupWarning {
  std::string code;     // one of the codes above
  size_t offset = 0;    // code-point offset in the raw (marked-up) caption
  std::string message;  // human-readable detail
};

struct GroundedPhrase {
  std::string text;                   // plain[span_begin, span_end)
  std::vector<int64_t> ids;           // segment ids as written (may be empty: no-ids)
  size_t span_begin = 0, span_end = 0;  // code points in the plain caption
  std::vector<std::string> warnings;  // codes of the deviations repaired for this phrase
};

struct GroundedCaption {
  std::string plain;                   // UTF-8, markup removed, whitespace normalised
  std::vector<GroundedPhrase> phrases;  // in the order their `<` appears
  std::vector<MarkupWarning> warnings;  // every deviation, in the order met
};

// Parses one marked-up caption (UTF-8). Never fails on markup; throws std::invalid_argument
// only for malformed UTF-8.
GroundedCaption parse_grounding_markup(const std::string& caption);

}  // namespace pgc
