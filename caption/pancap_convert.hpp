#pragma once
// COCONut-PanCap release captions + COCO panoptic annotations -> PGC ground-truth records
// (pgc_formats.md §1, §2, §6.2), for `pgc convert --from coconut-pancap`.
//
// Captions (§1.2), by what --captions names:
//   a folder    every *.txt file below it, image key = file stem (the 50k release:
//               coconut_pancap_50k/000000000009.txt)
//   a .jsonl    rows {"__key__": "caption_train2017/000000208220", "txt": "<caption>"} (the
//               2026 web-dataset release; the key's last path component is the image key)
//   a .json     an array of such rows, or an object {"<key>": "<caption>"}
// An all-digit key is the integer COCO id (leading zeros dropped), so it meets the panoptic
// JSON's integer ids. Captions are parsed by the lenient markup parser (grounding_markup.hpp).
//
// Segment ids (§1.4, §8): the numbers in the markup are segments_info ids. Captions of an older
// annotation batch used 0-based set-of-marks numbers instead. An image is *legacy-looking* when
// it references id 0 or an id missing from its segments_info while every id it references is a
// valid 0-based index into segments_info; such an image is never guessed: see LegacyIds.
// Any other unknown id is an error.
#include <cstdint>
#include <string>
#include <vector>

#include "caption/grounding_markup.hpp"
#include "caption/pgc_jsonl.hpp"

namespace pgc {

struct PancapCaption {
  PgcImageId image_id;
  std::string text;    // the marked-up caption as released
  std::string origin;  // "file" or "file: line N" (for messages)
};

// Reads the release's captions (see above); duplicate image keys and malformed rows are
// InputErrors naming the file and the row.
std::vector<PancapCaption> read_pancap_captions(const std::string& dir_or_file);

// One image of a COCO panoptic JSON: images[] joined with annotations[] by image id.
struct CocoPanopticImage {
  PgcImageId image_id;
  uint32_t height = 0, width = 0;
  std::string png;  // annotations[].file_name, relative to the panoptic PNG folder
  std::vector<PanopticSegmentInfo> segments;
};

// Reads images[] and annotations[] (categories are not needed here). Every annotation must
// have its image (for the size); ids, segment ids, iscrowd and bbox are checked.
std::vector<CocoPanopticImage> read_coco_panoptic_images(const std::string& json_path);

// What to do with a legacy-looking image (--legacy-ids).
enum class LegacyIds {
  kError,     // refuse (exit 2) and say which flag decides (default)
  kShift,     // read each id n of a legacy-looking image as segments_info[n] (0-based index);
              // its spans get the warning "legacy-0-based" and the record "id_numbering"
  kShiftAll,  // the same for every image (the caller knows the whole file is legacy)
  kSkip,      // leave legacy-looking images out (warned)
};

enum class IdNumbering { kSegmentIds, kLegacyZeroBased };

// Decides how an image's caption numbers its segments; throws std::invalid_argument naming the
// first id that is neither a segment id nor (for a legacy-looking image) a 0-based index.
IdNumbering classify_segment_ids(const GroundedCaption& caption, const std::vector<PanopticSegmentInfo>& segments);

struct PancapConvertReport {
  std::vector<std::string> warnings;  // one line each: "<origin>: image X: ..."
  size_t legacy_images = 0, skipped_images = 0;
};

// One GT record. Spans come from the parsed phrases in order; a phrase with no ids (`no-ids`)
// or no text (`empty-phrase`) is left out of the spans (it cannot be scored on masks) and
// reported. Throws InputError (origin, image) for unknown ids and for legacy-looking images
// under kError. Returns false when the image is skipped (kSkip).
bool pancap_ground_truth(const PancapCaption& caption, const CocoPanopticImage& image, const std::string& png_path,
                         LegacyIds legacy, PgcGroundTruth& out, PancapConvertReport& report);

}  // namespace pgc
