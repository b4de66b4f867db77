#pragma once
// Grounded-caption model outputs -> PGC prediction records (pgc_formats.md §3.1, §3.2, §6.1),
// for `pgc convert --from glamm|pancaper`.
//
// Two input shapes per image (a JSON object):
//   post-processed  GLaMM's saved inference JSON (groundingLMM eval/gcg/infer.py):
//                   {"image_id", "caption", "phrases": [str], "pred_masks": [RLE]}; the k-th mask
//                   belongs to the k-th phrase (GLaMM's own assumption). Spans are found by
//                   searching each phrase in the caption, in order (see locate_phrases).
//   raw             the model's interleaved text {"image_id", "text", "pred_masks": [RLE]}, e.g.
//                   "<p> a man </p> [SEG] next to <p> a tree </p> <SEG_s>". The caption is rebuilt
//                   exactly as infer.py does while each phrase's code-point span is tracked; the
//                   k-th mask goes with the k-th SEG token, attached to the phrase whose `</p>` the
//                   token directly follows (only spaces between).
// Optional in both: "category_ids": [int per mask] (e.g. a closed-set decoder's classes).
// Every problem is an InputError naming the file and the image (and the phrase / mask); every
// repair (a SEG token with no phrase, an empty phrase) is a warning the caller prints.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "caption/pgc_jsonl.hpp"
#include "core/json.hpp"

namespace pgc {

enum class ModelOutputStyle {
  kGlamm,     // SEG token "[SEG]" (GLaMM); caption cleaning exactly as infer.py
  kPancaper,  // also [SEG_t] <SEG_t> [SEG_s] <SEG_s> <SEG> (PanCaper / LISA+); _t/_s -> isthing
};

// One phrase of a raw output after rebuilding the caption.
struct InterleavedPhrase {
  size_t start = 0, end = 0;           // code points in the rebuilt caption
  std::string text;                    // caption[start, end)
  std::optional<size_t> seg_index;     // which SEG token (= mask index) it owns
  std::optional<bool> isthing;         // from _t / _s tokens
};

struct InterleavedCaption {
  std::string caption;                       // infer.py's cleaned caption
  std::vector<InterleavedPhrase> phrases;    // in text order (phrases left empty are dropped, warned)
  size_t seg_tokens = 0;                     // SEG tokens found (must equal the number of masks)
  std::vector<std::string> warnings;         // repairs, human-readable
};

// Rebuilds GLaMM's caption from raw model text (infer.py post-processing: drop newlines, "  " ->
// " ", keep the text after the last "ASSISTANT: ", remove every `<...>` (non-greedy) and the SEG
// tokens, collapse whitespace as str.split(), strip "'" then spaces) and tracks the spans of the
// `<p>(.*?)</p>` phrases through it. Throws std::invalid_argument on malformed UTF-8.
InterleavedCaption parse_interleaved_output(const std::string& raw, ModelOutputStyle style);

// Code-point spans of `phrases` in `caption`: each phrase is searched from the end of the
// previous one, then (out-of-order phrases) from the start. Throws std::invalid_argument naming
// the phrase when it is empty or not in the caption.
std::vector<std::pair<size_t, size_t>> locate_phrases(const std::string& caption,
                                                      const std::vector<std::string>& phrases);

struct ModelConvertOptions {
  ModelOutputStyle style = ModelOutputStyle::kGlamm;
  // GLaMM names images by file stem ("000000000139"); an all-digit id becomes the integer 139
  // so it matches COCO ids in the GT, unless this is set.
  bool keep_id_strings = false;
};

// Converts one image's JSON object (`item` names it in errors, e.g. "line 3").
PgcPrediction convert_model_output(const JsonValue& record, const std::string& file, const std::string& item,
                                   const ModelConvertOptions& options, std::vector<std::string>& warnings);

// Reads `path`: a folder of per-image *.json files (GLaMM's output folder; sorted by name), a
// .jsonl file (one object per line) or a .json file (one object, or an array of objects).
// Duplicate image ids are errors. Warnings are prefixed with file and image.
std::vector<PgcPrediction> convert_model_outputs(const std::string& path, const ModelConvertOptions& options,
                                                 std::vector<std::string>& warnings);

}  // namespace pgc
