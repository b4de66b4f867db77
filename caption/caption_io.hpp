#pragma once
// Reads caption references and predictions, auto-detecting two formats:
//   simple maps: REFS {"<id>": ["ref", ...], ...}   PREDS {"<id>": "caption", ...}
//                (a PREDS value may also be a one-element list, pycocoevalcap's res shape)
//   COCO:        REFS {"annotations": [{"image_id", "caption"}, ...], ...}
//                PREDS [{"image_id", "caption"}, ...]  (a COCO results list)
// Ids may be strings or integers and are compared as text ("42" == 42). Images are scored in
// REFS order (first appearance of an image_id in COCO annotations).
//
// Rules (every violation is an InputError naming the file and item; nothing is scored):
// malformed JSON (line, column); a value of the wrong type; a caption or id that is not valid
// UTF-8 (names the image); an image with zero references; a duplicate id in a simple map or a
// COCO results list; ids in PREDS but not REFS or the reverse (names up to 5 and the count)
// unless allow_missing, which scores the intersection and reports what was dropped.
// Empty captions are legal, as in pycocoevalcap: they are scored exactly as the reference
// scores "" (no words for BLEU/CIDEr, one empty word for ROUGE-L).
#include <string>
#include <vector>

#include "core/json.hpp"

namespace pgc {

struct CaptionSet {
  std::vector<std::string> ids;                  // image ids, in scoring order
  std::vector<std::vector<std::string>> refs;    // refs[i]: image i's references (>= 1)
  std::vector<std::string> preds;                // preds[i]: image i's candidate
};

struct CaptionRefs {
  std::string format;  // "simple" or "coco"
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> captions;
};

struct CaptionPreds {
  std::string format;  // "simple" or "coco"
  std::vector<std::string> ids;
  std::vector<std::string> captions;
};

// What joining REFS and PREDS dropped (only non-zero with allow_missing).
struct CaptionJoinReport {
  size_t refs_without_pred = 0;  // images in REFS with no prediction (not scored)
  size_t preds_without_ref = 0;  // predictions for images not in REFS (ignored)
};

// Parses JSON text without rejecting bad UTF-8 up front, so the error can name the image.
JsonDoc parse_caption_json(const std::string& text, const std::string& file);

CaptionRefs parse_caption_refs(const JsonValue& doc, const std::string& file);
CaptionPreds parse_caption_preds(const JsonValue& doc, const std::string& file);

CaptionSet join_captions(const CaptionRefs& refs, const CaptionPreds& preds,
                         const std::string& refs_file, const std::string& preds_file,
                         bool allow_missing, CaptionJoinReport* report = nullptr);

// Reads, validates and joins both files.
CaptionSet read_caption_set(const std::string& refs_file, const std::string& preds_file,
                            bool allow_missing, CaptionJoinReport* report = nullptr);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(const std::string& s);

}  // namespace pgc
