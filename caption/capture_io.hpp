#pragma once
// CAPTURE `elements` mode inputs (spec shared/specs/capture.md §6, fixture format
// shared/fixtures/capture/README.md) and the one call the CLI makes:
//   REFS  {"<id>": [ELEMENTS, ...]}        one or more references per image
//   PREDS {"<id>": ELEMENTS}                the candidate
//   ELEMENTS = {"objects": [str...], "attributes": {"<key>": [str...]},
//               "relations": [[s, r, o], ...]}
//   similarity table {"<cand phrase>|<ref phrase>": cosine}, a missing pair is 0.
// Every problem is an InputError naming the file and the item.
#include <string>
#include <vector>

#include "core/json.hpp"
#include "metrics/capture.hpp"
#include "models/text_encoder.hpp"

namespace pgc {

class WordNet;

// One ELEMENTS object; `item` names it in errors (e.g. `image "7" reference 2`).
CaptureElements parse_capture_elements(const JsonValue& v, const std::string& file,
                                       const std::string& item);
// The CAPTURE `--dump-parse` / fixture form of one ELEMENTS object.
JsonValue capture_elements_to_json(const CaptureElements& e, rapidjson::Document::AllocatorType& a);

// Images in REFS key order; every REFS id must have a PREDS entry and vice versa (the
// reference crashes on a missing candidate; pycocoevalcap-style scoring asserts equal ids).
std::vector<CaptureImage> parse_capture_images(const JsonValue& refs, const std::string& refs_file,
                                               const JsonValue& preds, const std::string& preds_file);
std::vector<CaptureImage> read_capture_images(const std::string& refs_path, const std::string& preds_path);

SimilarityTable parse_similarity_table(const JsonValue& v, const std::string& file);
SimilarityTable read_similarity_table(const std::string& path);

// What `pgc caption --metrics capture --capture-mode elements` needs.
struct CaptureElementsRun {
  std::string refs_path, preds_path;
  std::string similarity_path;  // --capture-similarity FILE
  SentenceEncoder* encoder = nullptr;  // --capture-encoder DIR, loaded by the caller
  bool no_soft = false;         // --capture-no-soft
  std::string wordnet_dir;      // "" = $PGC_WORDNET_DIR or /usr/share/wordnet
  int threads = 0;              // 0 = all cores
  CaptureOptions options;
  // graphs / full modes (caption/capture_text.hpp): the images already extracted (null = read
  // refs_path / preds_path as ELEMENTS files), the WordNet that lemmatized them (null = load
  // from wordnet_dir), the mode and the extraction's signature fields.
  const std::vector<CaptureImage>* images = nullptr;
  const WordNet* wordnet = nullptr;
  std::string mode = "elements";
  std::vector<std::pair<std::string, std::string>> extra_signature;
};

// Loads WordNet, the inputs and the table, scores, and fills the result's signature. The
// soft stage uses exactly one of: the table, the encoder (every phrase it needs embedded
// once, caption/capture_encoder.hpp), or nothing (no_soft); UsageError otherwise.
// InputError for bad files.
CaptureResult evaluate_capture_elements(const CaptureElementsRun& run);

// {"CAPTURE": x, "precision_object": x, ...} as in the fixtures' expected.json (0-1 scale).
JsonValue capture_scores_to_json(const CapturePairScore& s, rapidjson::Document::AllocatorType& a);

}  // namespace pgc
