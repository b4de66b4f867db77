#include "caption/caption_io.hpp"

#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"

namespace pgc {
namespace {

std::string image_item(const std::string& id) { return "image " + id; }

// A caption string: type and UTF-8 checked, the error naming the image.
std::string caption_text(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsString()) throw InputError(file, item, "caption must be a string");
  std::string s(v.GetString(), v.GetStringLength());
  if (!is_valid_utf8(s)) throw InputError(file, item, "caption is not valid UTF-8");
  return s;
}

std::string checked_id(const JsonValue& v, const std::string& file, const std::string& item) {
  std::string id = id_to_string(v, file, item);
  if (!is_valid_utf8(id)) throw InputError(file, item, "image id is not valid UTF-8");
  return id;
}

std::string key_id(const JsonValue& key, const std::string& file, size_t index) {
  std::string id(key.GetString(), key.GetStringLength());
  if (!is_valid_utf8(id))
    throw InputError(file, "entry " + std::to_string(index + 1), "image id is not valid UTF-8");
  return id;
}

bool looks_like_coco_refs(const JsonValue& doc) {
  if (!doc.IsObject()) return false;
  auto it = doc.FindMember("annotations");
  if (it == doc.MemberEnd() || !it->value.IsArray()) return false;
  return it->value.Empty() || it->value[0].IsObject();
}

// "a", "b", "c", ... and N more
std::string some_ids(const std::vector<std::string>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < 5; ++i) s += (i ? ", \"" : "\"") + ids[i] + "\"";
  if (ids.size() > 5) s += " and " + std::to_string(ids.size() - 5) + " more";
  return s;
}

}  // namespace

bool is_valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += len;
  }
  return true;
}

JsonDoc parse_caption_json(const std::string& text, const std::string& file) {
  JsonDoc d;
  d.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (d.HasParseError()) return parse_json(text, file);  // throws the located error
  return d;
}

CaptionRefs parse_caption_refs(const JsonValue& doc, const std::string& file) {
  CaptionRefs out;
  if (looks_like_coco_refs(doc)) {
    out.format = "coco";
    std::unordered_map<std::string, size_t> index;
    const JsonValue& anns = doc["annotations"];
    for (rapidjson::SizeType i = 0; i < anns.Size(); ++i) {
      std::string item = "annotations[" + std::to_string(i) + "]";
      const JsonValue& a = anns[i];
      if (!a.IsObject()) throw InputError(file, item, "expected an object with image_id and caption");
      std::string id = checked_id(member(a, "image_id", file, item), file, item);
      std::string cap = caption_text(member(a, "caption", file, item), file, item + " (" + image_item(id) + ")");
      auto [it, fresh] = index.emplace(id, out.ids.size());
      if (fresh) {
        out.ids.push_back(id);
        out.captions.emplace_back();
      }
      out.captions[it->second].push_back(std::move(cap));
    }
    if (out.ids.empty()) throw InputError(file, "annotations", "no reference captions");
    return out;
  }
  if (!doc.IsObject())
    throw InputError(file, "", "references must be a JSON object: {\"<id>\": [\"ref\", ...]} or a COCO "
                               "captions file with \"annotations\"");
  out.format = "simple";
  std::unordered_set<std::string> seen;
  size_t index = 0;
  for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m, ++index) {
    std::string id = key_id(m->name, file, index);
    std::string item = image_item(id);
    if (!seen.insert(id).second) throw InputError(file, item, "duplicate image id");
    if (!m->value.IsArray()) throw InputError(file, item, "references must be a list of strings");
    if (m->value.Empty()) throw InputError(file, item, "image has no reference captions");
    std::vector<std::string> caps;
    for (const auto& c : m->value.GetArray()) caps.push_back(caption_text(c, file, item));
    out.ids.push_back(id);
    out.captions.push_back(std::move(caps));
  }
  if (out.ids.empty()) throw InputError(file, "", "no images");
  return out;
}

CaptionPreds parse_caption_preds(const JsonValue& doc, const std::string& file) {
  CaptionPreds out;
  std::unordered_set<std::string> seen;
  if (doc.IsArray()) {
    out.format = "coco";
    for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
      std::string item = "[" + std::to_string(i) + "]";
      const JsonValue& r = doc[i];
      if (!r.IsObject()) throw InputError(file, item, "expected an object with image_id and caption");
      std::string id = checked_id(member(r, "image_id", file, item), file, item);
      std::string image = image_item(id);
      if (!seen.insert(id).second)
        throw InputError(file, item + " (" + image + ")",
                         "duplicate image_id in COCO results (one caption per image is scored)");
      out.ids.push_back(id);
      out.captions.push_back(caption_text(member(r, "caption", file, item), file, image));
    }
  } else if (doc.IsObject()) {
    out.format = "simple";
    size_t index = 0;
    for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m, ++index) {
      std::string id = key_id(m->name, file, index);
      std::string item = image_item(id);
      if (!seen.insert(id).second) throw InputError(file, item, "duplicate image id");
      const JsonValue* v = &m->value;
      if (v->IsArray()) {  // pycocoevalcap's res shape: a list holding one caption
        if (v->Size() != 1) throw InputError(file, item, "expected one caption, got a list of " + std::to_string(v->Size()));
        v = &(*v)[0];
      }
      out.ids.push_back(id);
      out.captions.push_back(caption_text(*v, file, item));
    }
  } else {
    throw InputError(file, "", "predictions must be a JSON object {\"<id>\": \"caption\"} or a COCO results "
                               "list [{\"image_id\", \"caption\"}]");
  }
  if (out.ids.empty()) throw InputError(file, "", "no predictions");
  return out;
}

CaptionSet join_captions(const CaptionRefs& refs, const CaptionPreds& preds, const std::string& refs_file,
                         const std::string& preds_file, bool allow_missing, CaptionJoinReport* report) {
  std::unordered_map<std::string, size_t> pred_index;
  for (size_t i = 0; i < preds.ids.size(); ++i) pred_index.emplace(preds.ids[i], i);
  std::unordered_set<std::string> ref_ids(refs.ids.begin(), refs.ids.end());
  std::vector<std::string> no_pred, no_ref;
  for (const auto& id : refs.ids)
    if (!pred_index.count(id)) no_pred.push_back(id);
  for (const auto& id : preds.ids)
    if (!ref_ids.count(id)) no_ref.push_back(id);
  if (!allow_missing) {
    if (!no_ref.empty())
      throw InputError(preds_file, "", std::to_string(no_ref.size()) + " image id(s) not in the references " +
                                           refs_file + ": " + some_ids(no_ref) + " (--allow-missing scores the rest)");
    if (!no_pred.empty())
      throw InputError(preds_file, "", std::to_string(no_pred.size()) + " image id(s) of the references have no "
                                           "prediction: " + some_ids(no_pred) + " (--allow-missing scores the rest)");
  }
  CaptionSet set;
  for (size_t i = 0; i < refs.ids.size(); ++i) {
    auto it = pred_index.find(refs.ids[i]);
    if (it == pred_index.end()) continue;
    set.ids.push_back(refs.ids[i]);
    set.refs.push_back(refs.captions[i]);
    set.preds.push_back(preds.captions[it->second]);
  }
  if (set.ids.empty())
    throw InputError(preds_file, "", "no image id in common with the references " + refs_file);
  if (report) {
    report->refs_without_pred = no_pred.size();
    report->preds_without_ref = no_ref.size();
  }
  return set;
}

CaptionSet read_caption_set(const std::string& refs_file, const std::string& preds_file, bool allow_missing,
                            CaptionJoinReport* report) {
  CaptionRefs refs = parse_caption_refs(parse_caption_json(read_file(refs_file), refs_file), refs_file);
  CaptionPreds preds = parse_caption_preds(parse_caption_json(read_file(preds_file), preds_file), preds_file);
  return join_captions(refs, preds, refs_file, preds_file, allow_missing, report);
}

}  // namespace pgc
