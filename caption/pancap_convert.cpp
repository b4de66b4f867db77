#include "caption/pancap_convert.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

namespace fs = std::filesystem;

// "caption_train2017/000000208220" -> 208220 (integer); other keys stay strings.
PgcImageId image_key(const std::string& key) {
  std::string last = key.substr(key.find_last_of('/') == std::string::npos ? 0 : key.find_last_of('/') + 1);
  PgcImageId id;
  const bool digits = !last.empty() && last.size() <= 18 &&
                      std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    id.key = std::to_string(std::stoll(last));
    id.is_integer = true;
  } else {
    id.key = last;
  }
  return id;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

PancapCaption row_caption(const JsonValue& row, const std::string& origin) {
  if (!row.IsObject()) throw InputError(origin, "", "expected a row {\"__key__\": ..., \"txt\": ...}");
  const std::string key = get_string(member(row, "__key__", origin, ""), origin, "__key__");
  PancapCaption c;
  c.image_id = image_key(key);
  if (c.image_id.key.empty()) throw InputError(origin, "__key__ \"" + key + "\"", "no image name in the key");
  c.text = get_string(member(row, "txt", origin, "__key__ \"" + key + "\""), origin, "__key__ \"" + key + "\": txt");
  c.origin = origin;
  return c;
}

}  // namespace

std::vector<PancapCaption> read_pancap_captions(const std::string& dir_or_file) {
  std::vector<PancapCaption> out;
  if (fs::is_directory(dir_or_file)) {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir_or_file))
      if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError(dir_or_file, "", "no *.txt caption files in this folder");
    for (const auto& f : files) {
      PancapCaption c;
      c.image_id = image_key(fs::path(f).stem().string());
      c.text = slurp(f);
      while (!c.text.empty() && (c.text.back() == '\n' || c.text.back() == '\r')) c.text.pop_back();
      c.origin = f;
      out.push_back(std::move(c));
    }
  } else if (fs::path(dir_or_file).extension() == ".jsonl") {
    std::ifstream in(dir_or_file, std::ios::binary);
    if (!in) throw InputError(dir_or_file, "", "cannot open file");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      const std::string origin = dir_or_file + ": line " + std::to_string(n);
      const JsonDoc d = parse_json(line, origin);
      out.push_back(row_caption(d, origin));
    }
  } else {
    const JsonDoc d = read_json_file(dir_or_file);
    if (d.IsArray()) {
      for (rapidjson::SizeType k = 0; k < d.Size(); ++k)
        out.push_back(row_caption(d[k], dir_or_file + ": row " + std::to_string(k)));
    } else if (d.IsObject()) {
      for (const auto& m : d.GetObject()) {
        const std::string key(m.name.GetString(), m.name.GetStringLength());
        PancapCaption c;
        c.image_id = image_key(key);
        c.origin = dir_or_file + ": key \"" + key + "\"";
        c.text = get_string(m.value, dir_or_file, "key \"" + key + "\"");
        out.push_back(std::move(c));
      }
    } else {
      throw InputError(dir_or_file, "", "expected rows [{\"__key__\", \"txt\"}] or {\"<key>\": \"<caption>\"}");
    }
  }
  std::unordered_map<std::string, std::string> seen;
  for (const auto& c : out) {
    const auto [it, fresh] = seen.emplace(c.image_id.key, c.origin);
    if (!fresh) throw InputError(c.origin, "image " + c.image_id.key, "duplicate image (first in " + it->second + ")");
  }
  return out;
}

std::vector<CocoPanopticImage> read_coco_panoptic_images(const std::string& json_path) {
  const JsonDoc d = read_json_file(json_path);
  if (!d.IsObject()) throw InputError(json_path, "", "expected a COCO panoptic object {images, annotations, ...}");
  struct Size {
    uint32_t h, w;
  };
  std::unordered_map<std::string, Size> sizes;
  const JsonValue& images = member(d, "images", json_path, "");
  if (!images.IsArray()) throw InputError(json_path, "images", "expected an array");
  for (rapidjson::SizeType k = 0; k < images.Size(); ++k) {
    const std::string item = "images[" + std::to_string(k) + "]";
    const JsonValue& im = images[k];
    const std::string id = id_to_string(member(im, "id", json_path, item), json_path, item);
    const JsonValue& h = member(im, "height", json_path, item);
    const JsonValue& w = member(im, "width", json_path, item);
    if (!h.IsUint() || !w.IsUint() || h.GetUint() == 0 || w.GetUint() == 0)
      throw InputError(json_path, item + ", image " + id, "height and width must be positive integers");
    sizes[id] = {h.GetUint(), w.GetUint()};
  }
  const JsonValue& anns = member(d, "annotations", json_path, "");
  if (!anns.IsArray()) throw InputError(json_path, "annotations", "expected an array");
  std::vector<CocoPanopticImage> out;
  std::unordered_set<std::string> seen;
  for (rapidjson::SizeType k = 0; k < anns.Size(); ++k) {
    std::string item = "annotations[" + std::to_string(k) + "]";
    const JsonValue& a = anns[k];
    const JsonValue& idv = member(a, "image_id", json_path, item);
    CocoPanopticImage im;
    im.image_id.key = id_to_string(idv, json_path, item);
    im.image_id.is_integer = idv.IsInt64();
    item += ", image " + im.image_id.key;
    if (!seen.insert(im.image_id.key).second) throw InputError(json_path, item, "duplicate image id");
    const auto size = sizes.find(im.image_id.key);
    if (size == sizes.end()) throw InputError(json_path, item, "no entry in images[] (needed for the image size)");
    im.height = size->second.h;
    im.width = size->second.w;
    im.png = get_string(member(a, "file_name", json_path, item), json_path, item + ", file_name");
    const JsonValue& segs = member(a, "segments_info", json_path, item);
    if (!segs.IsArray()) throw InputError(json_path, item, "\"segments_info\" must be an array");
    std::unordered_set<int64_t> ids;
    for (rapidjson::SizeType s = 0; s < segs.Size(); ++s) {
      const std::string sitem = item + ", segments_info[" + std::to_string(s) + "]";
      const JsonValue& sv = segs[s];
      PanopticSegmentInfo info;
      const JsonValue& sid = member(sv, "id", json_path, sitem);
      const JsonValue& cat = member(sv, "category_id", json_path, sitem);
      if (!sid.IsInt64() || sid.GetInt64() <= 0 || sid.GetInt64() >= (int64_t{1} << 24))
        throw InputError(json_path, sitem, "\"id\" must be an integer in 1..2^24-1 (an RGB-encoded PNG id)");
      if (!cat.IsInt64()) throw InputError(json_path, sitem, "\"category_id\" must be an integer");
      info.id = sid.GetInt64();
      info.category_id = cat.GetInt64();
      if (!ids.insert(info.id).second) throw InputError(json_path, sitem, "duplicate segment id " + std::to_string(info.id));
      if (const auto c = sv.FindMember("iscrowd"); c != sv.MemberEnd()) {
        if (!c->value.IsInt() || (c->value.GetInt() != 0 && c->value.GetInt() != 1))
          throw InputError(json_path, sitem, "\"iscrowd\" must be 0 or 1");
        info.iscrowd = c->value.GetInt();
      }
      if (const auto ar = sv.FindMember("area"); ar != sv.MemberEnd()) {
        if (!ar->value.IsNumber() || ar->value.GetDouble() < 0)
          throw InputError(json_path, sitem, "\"area\" must be a non-negative number");
        info.area = static_cast<uint64_t>(ar->value.GetDouble());
      }
      if (const auto b = sv.FindMember("bbox"); b != sv.MemberEnd()) {
        if (!b->value.IsArray() || b->value.Size() != 4) throw InputError(json_path, sitem, "\"bbox\" must be [x, y, w, h]");
        for (rapidjson::SizeType i = 0; i < 4; ++i) {
          if (!b->value[i].IsNumber()) throw InputError(json_path, sitem, "\"bbox\" must hold numbers");
          info.bbox[i] = b->value[i].GetDouble();
        }
      }
      im.segments.push_back(info);
    }
    out.push_back(std::move(im));
  }
  return out;
}

IdNumbering classify_segment_ids(const GroundedCaption& caption, const std::vector<PanopticSegmentInfo>& segments) {
  std::unordered_set<int64_t> known;
  for (const auto& s : segments) known.insert(s.id);
  bool all_known = true;
  for (const auto& p : caption.phrases) {
    for (int64_t id : p.ids) {
      const bool is_known = known.count(id) && id != 0;
      const bool is_index = id >= 0 && static_cast<uint64_t>(id) < segments.size();
      all_known = all_known && is_known;
      if (!is_known && !is_index)
        throw std::invalid_argument("segment id " + std::to_string(id) + " is not in segments_info (" +
                                    std::to_string(segments.size()) + " segments) and is no 0-based index either");
    }
  }
  return all_known ? IdNumbering::kSegmentIds : IdNumbering::kLegacyZeroBased;
}

bool pancap_ground_truth(const PancapCaption& caption, const CocoPanopticImage& image, const std::string& png_path,
                         LegacyIds legacy, PgcGroundTruth& out, PancapConvertReport& report) {
  const std::string item = "image " + caption.image_id.key;
  GroundedCaption parsed;
  try {
    parsed = parse_grounding_markup(caption.text);
  } catch (const std::invalid_argument& e) {
    throw InputError(caption.origin, item, e.what());
  }
  IdNumbering numbering;
  try {
    numbering = classify_segment_ids(parsed, image.segments);
  } catch (const std::invalid_argument& e) {
    throw InputError(caption.origin, item, e.what());
  }
  bool shift = legacy == LegacyIds::kShiftAll;
  if (numbering == IdNumbering::kLegacyZeroBased) {
    ++report.legacy_images;
    if (legacy == LegacyIds::kError)
      throw InputError(caption.origin, item,
                       "the caption numbers segments 0-based (legacy set-of-marks numbering: it references id 0 or ids "
                       "missing from segments_info, all valid 0-based indices); pass --legacy-ids shift to read them "
                       "as indices into segments_info, or --legacy-ids skip to leave such images out");
    if (legacy == LegacyIds::kSkip) {
      ++report.skipped_images;
      report.warnings.push_back(caption.origin + ": " + item + ": legacy 0-based segment numbers; image left out");
      return false;
    }
    shift = true;
    report.warnings.push_back(caption.origin + ": " + item +
                              ": legacy 0-based segment numbers read as indices into segments_info");
  }
  if (shift) {
    for (auto& p : parsed.phrases)
      for (int64_t& id : p.ids) {
        if (id < 0 || static_cast<uint64_t>(id) >= image.segments.size())
          throw InputError(caption.origin, item,
                           "--legacy-ids: id " + std::to_string(id) + " is no 0-based index into the " +
                               std::to_string(image.segments.size()) + " segments");
        id = image.segments[static_cast<size_t>(id)].id;
      }
  }
  out = PgcGroundTruth{};
  out.image_id = image.image_id;
  out.height = image.height;
  out.width = image.width;
  out.caption = parsed.plain;
  out.panoptic_png = png_path;
  out.segments_info = image.segments;
  if (shift) out.id_numbering = legacy == LegacyIds::kShiftAll ? "legacy-0-based-shifted-all" : "legacy-0-based-shifted";
  for (size_t k = 0; k < parsed.phrases.size(); ++k) {
    const GroundedPhrase& p = parsed.phrases[k];
    if (p.ids.empty() || p.span_begin >= p.span_end) {
      report.warnings.push_back(caption.origin + ": " + item + ": phrase " + std::to_string(k) + " \"" + p.text +
                                "\" left out of the spans (" + (p.ids.empty() ? "no segment ids" : "no text") +
                                ": it cannot be scored on masks)");
      continue;
    }
    GroundTruthSpan span;
    span.start = p.span_begin;
    span.end = p.span_end;
    span.segment_ids = p.ids;
    span.warnings = p.warnings;
    if (shift) span.warnings.push_back("legacy-0-based");
    out.spans.push_back(std::move(span));
  }
  return true;
}

}  // namespace pgc
