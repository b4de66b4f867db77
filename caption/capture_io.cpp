#include "caption/capture_io.hpp"

#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "caption/capture_encoder.hpp"
#include "caption/wordnet.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"

namespace pgc {

namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Non-empty and all whitespace: the reference's synonym stage crashes on such an element
// (TypeError in compute_synonyms_score), and no parser output can produce one.
bool whitespace_only(const std::string& s) { return !s.empty() && python_str_split(s).empty(); }

std::string element_string(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsString()) throw InputError(file, item, "expected a string");
  std::string s(v.GetString(), v.GetStringLength());
  if (whitespace_only(s))
    throw InputError(file, item, "element is only whitespace (the reference CAPTURE crashes on it)");
  return s;
}

std::vector<std::string> string_list(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsArray()) throw InputError(file, item, "expected an array of strings");
  std::vector<std::string> out;
  for (rapidjson::SizeType k = 0; k < v.Size(); ++k)
    out.push_back(element_string(v[k], file, item + "[" + std::to_string(k) + "]"));
  return out;
}

// Member names of a JSON object, rejecting duplicates (Python's json keeps only the last).
void check_unique_keys(const JsonValue& obj, const std::string& file, const std::string& item) {
  std::unordered_set<std::string> seen;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!seen.insert(key).second) throw InputError(file, item, "duplicate key " + quoted(key));
  }
}

}  // namespace

CaptureElements parse_capture_elements(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsObject())
    throw InputError(file, item, "expected an ELEMENTS object {\"objects\", \"attributes\", \"relations\"}");
  check_unique_keys(v, file, item);
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    if (key != "objects" && key != "attributes" && key != "relations")
      throw InputError(file, item, "unknown key " + quoted(key) + " (expected objects, attributes, relations)");
  }
  CaptureElements e;
  e.objects = string_list(member(v, "objects", file, item), file, item + ": objects");

  const JsonValue& attrs = member(v, "attributes", file, item);
  if (!attrs.IsObject()) throw InputError(file, item + ": attributes", "expected an object {\"<key>\": [strings]}");
  check_unique_keys(attrs, file, item + ": attributes");
  for (auto it = attrs.MemberBegin(); it != attrs.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    e.attributes.emplace_back(key, string_list(it->value, file, item + ": attributes[" + quoted(key) + "]"));
  }

  const JsonValue& rels = member(v, "relations", file, item);
  if (!rels.IsArray()) throw InputError(file, item + ": relations", "expected an array of [s, r, o] triples");
  for (rapidjson::SizeType k = 0; k < rels.Size(); ++k) {
    const std::string where = item + ": relations[" + std::to_string(k) + "]";
    if (!rels[k].IsArray() || rels[k].Size() != 3)
      throw InputError(file, where, "expected a triple [subject, relation, object] of 3 strings");
    CaptureTriple t;
    for (rapidjson::SizeType p = 0; p < 3; ++p)
      t[p] = element_string(rels[k][p], file, where + "[" + std::to_string(p) + "]");
    e.relations.push_back(std::move(t));
  }
  return e;
}

JsonValue capture_elements_to_json(const CaptureElements& e, rapidjson::Document::AllocatorType& a) {
  JsonValue out(rapidjson::kObjectType), objects(rapidjson::kArrayType), attrs(rapidjson::kObjectType),
      rels(rapidjson::kArrayType);
  for (const auto& o : e.objects) objects.PushBack(JsonValue(o.c_str(), static_cast<rapidjson::SizeType>(o.size()), a), a);
  for (const auto& [key, values] : e.attributes) {
    JsonValue list(rapidjson::kArrayType);
    for (const auto& s : values) list.PushBack(JsonValue(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a), a);
    attrs.AddMember(JsonValue(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), a), list, a);
  }
  for (const auto& t : e.relations) {
    JsonValue triple(rapidjson::kArrayType);
    for (const auto& s : t) triple.PushBack(JsonValue(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a), a);
    rels.PushBack(triple, a);
  }
  out.AddMember("objects", objects, a);
  out.AddMember("attributes", attrs, a);
  out.AddMember("relations", rels, a);
  return out;
}

std::vector<CaptureImage> parse_capture_images(const JsonValue& refs, const std::string& refs_file,
                                               const JsonValue& preds, const std::string& preds_file) {
  if (!refs.IsObject()) throw InputError(refs_file, "", "expected {\"<image id>\": [ELEMENTS, ...]}");
  if (!preds.IsObject()) throw InputError(preds_file, "", "expected {\"<image id>\": ELEMENTS}");
  check_unique_keys(refs, refs_file, "");
  check_unique_keys(preds, preds_file, "");
  if (refs.MemberCount() == 0) throw InputError(refs_file, "", "no images");
  std::unordered_map<std::string, const JsonValue*> pred_by_id;
  for (auto it = preds.MemberBegin(); it != preds.MemberEnd(); ++it)
    pred_by_id.emplace(std::string(it->name.GetString(), it->name.GetStringLength()), &it->value);

  std::vector<CaptureImage> images;
  for (auto it = refs.MemberBegin(); it != refs.MemberEnd(); ++it) {
    CaptureImage img;
    img.id.assign(it->name.GetString(), it->name.GetStringLength());
    const std::string item = "image " + quoted(img.id);
    if (!it->value.IsArray() || it->value.Empty())
      throw InputError(refs_file, item, "expected a non-empty array of reference ELEMENTS");
    for (rapidjson::SizeType k = 0; k < it->value.Size(); ++k)
      img.refs.push_back(parse_capture_elements(it->value[k], refs_file, item + " reference " + std::to_string(k)));
    auto p = pred_by_id.find(img.id);
    if (p == pred_by_id.end())
      throw InputError(preds_file, item, "no candidate for this image (it is in " + refs_file + ")");
    img.pred = parse_capture_elements(*p->second, preds_file, item);
    pred_by_id.erase(p);
    images.push_back(std::move(img));
  }
  if (!pred_by_id.empty()) {
    // Report the first extra id in file order.
    for (auto it = preds.MemberBegin(); it != preds.MemberEnd(); ++it) {
      std::string id(it->name.GetString(), it->name.GetStringLength());
      if (pred_by_id.count(id))
        throw InputError(preds_file, "image " + quoted(id), "candidate for an image that has no references in " + refs_file);
    }
  }
  return images;
}

std::vector<CaptureImage> read_capture_images(const std::string& refs_path, const std::string& preds_path) {
  JsonDoc refs = read_json_file(refs_path);
  JsonDoc preds = read_json_file(preds_path);
  return parse_capture_images(refs, refs_path, preds, preds_path);
}

SimilarityTable parse_similarity_table(const JsonValue& v, const std::string& file) {
  if (!v.IsObject()) throw InputError(file, "", "expected {\"<cand phrase>|<ref phrase>\": cosine}");
  SimilarityTable table;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    const std::string item = "key " + quoted(key);
    if (key.find('|') == std::string::npos)
      throw InputError(file, item, "expected \"<candidate phrase>|<reference phrase>\"");
    double cosine = get_number(it->value, file, item);
    if (!table.add(key, cosine)) throw InputError(file, item, "duplicate key");
  }
  return table;
}

SimilarityTable read_similarity_table(const std::string& path) {
  return parse_similarity_table(read_json_file(path), path);
}

CaptureResult evaluate_capture_elements(const CaptureElementsRun& run) {
  const int sources = int(!run.similarity_path.empty()) + int(run.encoder != nullptr) + int(run.no_soft);
  if (sources == 0)
    throw UsageError(
        "CAPTURE elements mode: the soft stage needs --capture-encoder DIR (all-mpnet-base-v2) or "
        "--capture-similarity FILE, or turn it off with --capture-no-soft");
  if (sources > 1)
    throw UsageError("--capture-encoder, --capture-similarity and --capture-no-soft exclude each other");

  std::vector<CaptureImage> read_images;
  if (!run.images) read_images = read_capture_images(run.refs_path, run.preds_path);
  const std::vector<CaptureImage>& images = run.images ? *run.images : read_images;
  std::unique_ptr<WordNet> own_wordnet;
  const WordNet* wordnet = run.wordnet;
  std::unique_ptr<WordNetSynonyms> synonyms;
  if (run.options.synonym_matching) {
    if (!wordnet) {
      own_wordnet = std::make_unique<WordNet>(resolve_wordnet_dir(run.wordnet_dir));
      wordnet = own_wordnet.get();
    }
    synonyms = std::make_unique<WordNetSynonyms>(*wordnet);
  }
  std::unique_ptr<PhraseSimilarity> similarity;
  std::string similarity_id;
  try {
    if (!run.similarity_path.empty()) {
      similarity = std::make_unique<SimilarityTable>(read_similarity_table(run.similarity_path));
      similarity_id = "table:" + sha256_file(run.similarity_path).substr(0, 12);
    } else if (run.encoder) {
      similarity = std::make_unique<EmbeddingSimilarity>(
          encode_capture_phrases(*run.encoder, images, run.options, synonyms.get(), run.threads));
      similarity_id = "encoder:" + run.encoder->name();
    }
    CaptureScorer scorer(run.options, synonyms.get(), similarity.get());
    CaptureResult result = evaluate_capture(images, scorer, run.threads);
    result.signature = capture_signature(run.options, run.mode,
                                         run.options.synonym_matching && wordnet ? wordnet->id() : "", similarity_id);
    for (const auto& [key, value] : run.extra_signature) result.signature.add(key, value);
    return result;
  } catch (const CaptureReferenceCrash& e) {
    throw InputError(run.preds_path, "", e.what());
  }
}

JsonValue capture_scores_to_json(const CapturePairScore& s, rapidjson::Document::AllocatorType& a) {
  JsonValue out(rapidjson::kObjectType);
  auto v = s.values();
  for (size_t k = 0; k < v.size(); ++k) out.AddMember(rapidjson::StringRef(kCaptureValueNames[k]), v[k], a);
  return out;
}

}  // namespace pgc
