#include "caption/model_output_convert.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include "caption/code_points.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

// Python's str.isspace() (what str.split() splits on).
bool python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool starts_with_at(const std::u32string& s, size_t pos, const std::u32string& token) {
  return s.compare(pos, token.size(), token) == 0;
}

// Python str.replace(from, to) (non-overlapping, left to right).
std::u32string replace_all(const std::u32string& s, const std::u32string& from, const std::u32string& to) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    if (starts_with_at(s, i, from)) {
      out += to;
      i += from.size();
    } else {
      out += s[i++];
    }
  }
  return out;
}

struct SegToken {
  std::u32string text;
  std::optional<bool> isthing;
  bool removed_by_tag_rule;  // `<...>` tokens vanish with infer.py's re.sub(r'<.*?>', '')
};

std::vector<SegToken> seg_tokens(ModelOutputStyle style) {
  if (style == ModelOutputStyle::kGlamm) return {{U"[SEG]", std::nullopt, false}};
  return {{U"[SEG_t]", true, false}, {U"[SEG_s]", false, false}, {U"<SEG_t>", true, true},
          {U"<SEG_s>", false, true}, {U"[SEG]", std::nullopt, false}, {U"<SEG>", std::nullopt, true}};
}

// A code point of the text being cleaned and the phrase it came from (-1 = none).
struct Marked {
  char32_t c;
  int phrase;
};

}  // namespace

InterleavedCaption parse_interleaved_output(const std::string& raw, ModelOutputStyle style) {
  // infer.py: text_output.replace("\n", "").replace("  ", " ").split("ASSISTANT: ")[-1]
  std::u32string t = replace_all(replace_all(utf8_to_code_points(raw), U"\n", U""), U"  ", U" ");
  const std::u32string assistant = U"ASSISTANT: ";
  if (const size_t p = t.rfind(assistant); p != std::u32string::npos) t = t.substr(p + assistant.size());

  InterleavedCaption out;
  // Phrases: re.findall(r'<p>(.*?)</p>') -> content ranges [a, b); b is where "</p>" starts.
  std::vector<std::pair<size_t, size_t>> regions;
  for (size_t pos = 0;;) {
    const size_t open = t.find(U"<p>", pos);
    if (open == std::u32string::npos) break;
    const size_t close = t.find(U"</p>", open + 3);
    if (close == std::u32string::npos) break;
    regions.emplace_back(open + 3, close);
    pos = close + 4;
  }
  std::vector<int> mark(t.size(), -1);
  for (size_t k = 0; k < regions.size(); ++k)
    for (size_t i = regions[k].first; i < regions[k].second; ++i) mark[i] = static_cast<int>(k);

  // SEG tokens, left to right, and the phrase each directly follows.
  const std::vector<SegToken> tokens = seg_tokens(style);
  std::vector<InterleavedPhrase> phrases(regions.size());
  std::vector<bool> is_seg(t.size(), false);
  for (size_t i = 0; i < t.size();) {
    const SegToken* hit = nullptr;
    for (const auto& tok : tokens)
      if (starts_with_at(t, i, tok.text)) { hit = &tok; break; }
    if (!hit) { ++i; continue; }
    const size_t seg = out.seg_tokens++;
    size_t back = i;
    while (back > 0 && python_space(t[back - 1])) --back;
    int owner = -1;
    for (size_t k = 0; k < regions.size(); ++k)
      if (back >= 4 && regions[k].second == back - 4) owner = static_cast<int>(k);
    if (owner >= 0 && !phrases[owner].seg_index) {
      phrases[owner].seg_index = seg;
      phrases[owner].isthing = hit->isthing;
    } else {
      out.warnings.push_back("SEG token " + std::to_string(seg) + " (code point " + std::to_string(i) +
                             ") does not directly follow a phrase's </p>" +
                             (owner >= 0 ? " (its phrase already has a mask)" : "") + "; its mask is dropped");
    }
    if (!hit->removed_by_tag_rule)
      for (size_t j = i; j < i + hit->text.size(); ++j) is_seg[j] = true;
    i += hit->text.size();
  }

  // re.sub(r'<.*?>', '', text): from each '<' to the first '>' after it.
  std::vector<Marked> kept;
  for (size_t i = 0; i < t.size();) {
    if (t[i] == U'<') {
      const size_t gt = t.find(U'>', i + 1);
      if (gt != std::u32string::npos) { i = gt + 1; continue; }
    }
    kept.push_back({t[i], is_seg[i] ? -2 : mark[i]});
    ++i;
  }
  // .replace('[SEG]', '') (and the other bracket tokens for PanCaper): the positions found above
  // survive the tag rule unchanged, so they are dropped here (-2). A "[SEG]" assembled only after
  // a tag was removed ("[SE<x>G]") is also dropped, as str.replace would.
  std::vector<Marked> s1;
  for (size_t i = 0; i < kept.size();) {
    if (kept[i].phrase == -2) { ++i; continue; }
    bool removed = false;
    for (const auto& tok : tokens) {
      if (tok.removed_by_tag_rule || i + tok.text.size() > kept.size()) continue;
      bool eq = true;
      for (size_t j = 0; j < tok.text.size() && eq; ++j) eq = kept[i + j].c == tok.text[j] && kept[i + j].phrase != -2;
      if (eq) { i += tok.text.size(); removed = true; break; }
    }
    if (!removed) s1.push_back(kept[i++]);
  }
  // ' '.join(s.split()).strip("'").strip(): a joining space belongs to a phrase only when both
  // of its neighbours do.
  std::vector<Marked> s2;
  for (size_t i = 0; i < s1.size();) {
    if (python_space(s1[i].c)) { ++i; continue; }
    if (!s2.empty()) {
      const int left = s2.back().phrase, right = s1[i].phrase;
      s2.push_back({U' ', left == right ? left : -1});
    }
    while (i < s1.size() && !python_space(s1[i].c)) s2.push_back(s1[i++]);
  }
  size_t b = 0, e = s2.size();
  while (b < e && s2[b].c == U'\'') ++b;
  while (e > b && s2[e - 1].c == U'\'') --e;
  while (b < e && python_space(s2[b].c)) ++b;
  while (e > b && python_space(s2[e - 1].c)) --e;

  std::u32string caption;
  std::vector<size_t> first(regions.size(), SIZE_MAX), last(regions.size(), 0);
  for (size_t i = b; i < e; ++i) {
    const int k = s2[i].phrase;
    if (k >= 0) {
      first[k] = std::min(first[k], caption.size());
      last[k] = caption.size() + 1;
    }
    caption += s2[i].c;
  }
  out.caption = code_points_to_utf8(caption);
  for (size_t k = 0; k < regions.size(); ++k) {
    if (first[k] == SIZE_MAX) {
      out.warnings.push_back("phrase " + std::to_string(k) + " has no text left in the caption; dropped" +
                             (phrases[k].seg_index ? " with its mask" : ""));
      continue;
    }
    InterleavedPhrase p = phrases[k];
    p.start = first[k];
    p.end = last[k];
    p.text = code_points_to_utf8(caption.substr(p.start, p.end - p.start));
    out.phrases.push_back(std::move(p));
  }
  return out;
}

std::vector<std::pair<size_t, size_t>> locate_phrases(const std::string& caption,
                                                      const std::vector<std::string>& phrases) {
  const std::u32string c = utf8_to_code_points(caption);
  std::vector<std::pair<size_t, size_t>> spans;
  size_t from = 0;
  for (size_t k = 0; k < phrases.size(); ++k) {
    const std::u32string p = utf8_to_code_points(phrases[k]);
    if (p.empty()) throw std::invalid_argument("phrase " + std::to_string(k) + " is empty");
    size_t at = c.find(p, from);
    if (at == std::u32string::npos) at = c.find(p);
    if (at == std::u32string::npos)
      throw std::invalid_argument("phrase " + std::to_string(k) + " \"" + phrases[k] + "\" is not in the caption");
    spans.emplace_back(at, at + p.size());
    from = at + p.size();
  }
  return spans;
}

namespace {

const JsonValue* find_member(const JsonValue& obj, const char* key) {
  const auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Rle read_rle(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsObject()) throw InputError(file, item, "expected a COCO RLE {\"size\": [h, w], \"counts\": ...}");
  const JsonValue& size = member(v, "size", file, item);
  if (!size.IsArray() || size.Size() != 2 || !size[0].IsUint() || !size[1].IsUint())
    throw InputError(file, item, "\"size\" must be [height, width]");
  const uint32_t h = size[0].GetUint(), w = size[1].GetUint();
  const JsonValue& counts = member(v, "counts", file, item);
  try {
    if (counts.IsString()) return rle_from_string(std::string(counts.GetString(), counts.GetStringLength()), h, w);
    if (counts.IsArray()) {
      std::vector<uint32_t> runs;
      for (const auto& x : counts.GetArray()) {
        if (!x.IsUint()) throw std::invalid_argument("uncompressed counts must be non-negative integers");
        runs.push_back(x.GetUint());
      }
      return rle_from_counts(std::move(runs), h, w);
    }
  } catch (const std::invalid_argument& e) {
    throw InputError(file, item, std::string("malformed RLE: ") + e.what());
  }
  throw InputError(file, item, "\"counts\" must be a string or an array of integers");
}

PgcImageId read_id(const JsonValue& v, bool keep_strings, const std::string& file, const std::string& item) {
  PgcImageId id;
  if (v.IsInt64()) {
    id.key = std::to_string(v.GetInt64());
    id.is_integer = true;
  } else if (v.IsString() && v.GetStringLength() > 0) {
    id.key.assign(v.GetString(), v.GetStringLength());
    const bool digits = std::all_of(id.key.begin(), id.key.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && !keep_strings && id.key.size() <= 18) {
      id.key = std::to_string(std::stoll(id.key));
      id.is_integer = true;
    }
  } else {
    throw InputError(file, item, "\"image_id\" must be an integer or a non-empty string");
  }
  return id;
}

}  // namespace

PgcPrediction convert_model_output(const JsonValue& record, const std::string& file, const std::string& item,
                                   const ModelConvertOptions& options, std::vector<std::string>& warnings) {
  if (!record.IsObject()) throw InputError(file, item, "expected a JSON object per image");
  PgcPrediction pred;
  pred.image_id = read_id(member(record, "image_id", file, item), options.keep_id_strings, file, item);
  const std::string where = (item.empty() ? "" : item + ", ") + "image " + pred.image_id.key;

  std::vector<Rle> masks;
  const JsonValue* masks_json = find_member(record, "pred_masks");
  if (!masks_json) throw InputError(file, where, "missing key \"pred_masks\"");
  if (!masks_json->IsArray()) throw InputError(file, where, "\"pred_masks\" must be an array of COCO RLEs");
  for (rapidjson::SizeType k = 0; k < masks_json->Size(); ++k)
    masks.push_back(read_rle((*masks_json)[k], file, where + ", mask " + std::to_string(k)));
  std::vector<std::optional<int64_t>> categories(masks.size());
  if (const JsonValue* c = find_member(record, "category_ids")) {
    if (!c->IsArray() || c->Size() != masks.size())
      throw InputError(file, where, "\"category_ids\" must be an array with one integer per mask");
    for (rapidjson::SizeType k = 0; k < c->Size(); ++k) {
      if (!(*c)[k].IsInt64()) throw InputError(file, where, "\"category_ids\" must hold integers");
      categories[k] = (*c)[k].GetInt64();
    }
  }
  auto phrase_with_mask = [&](size_t start, size_t end, std::string text, std::optional<size_t> mask) {
    PredictedPhrase p;
    p.start = start;
    p.end = end;
    p.text = std::move(text);
    p.text_given = true;
    if (mask) {
      p.mask = masks[*mask];
      p.category_id = categories[*mask];
    }
    return p;
  };

  if (const JsonValue* phrases = find_member(record, "phrases")) {  // GLaMM's post-processed JSON
    pred.caption = get_string(member(record, "caption", file, where), file, where + ", caption");
    if (!phrases->IsArray()) throw InputError(file, where, "\"phrases\" must be an array of strings");
    std::vector<std::string> texts;
    for (rapidjson::SizeType k = 0; k < phrases->Size(); ++k)
      texts.push_back(get_string((*phrases)[k], file, where + ", phrase " + std::to_string(k)));
    if (texts.size() != masks.size())
      throw InputError(file, where, std::to_string(texts.size()) + " phrases but " + std::to_string(masks.size()) +
                                        " masks (GLaMM pairs the k-th mask with the k-th phrase)");
    std::vector<std::pair<size_t, size_t>> spans;
    try {
      spans = locate_phrases(pred.caption, texts);
    } catch (const std::invalid_argument& e) {
      throw InputError(file, where, e.what());
    }
    for (size_t k = 0; k < texts.size(); ++k)
      pred.phrases.push_back(phrase_with_mask(spans[k].first, spans[k].second, texts[k], k));
    return pred;
  }

  const JsonValue* text = find_member(record, "text");
  if (!text)
    throw InputError(file, where, "expected \"phrases\" + \"caption\" (GLaMM's saved output) or \"text\" (raw model "
                                  "output with <p>...</p> and SEG tokens)");
  InterleavedCaption parsed;
  try {
    parsed = parse_interleaved_output(get_string(*text, file, where + ", text"), options.style);
  } catch (const std::invalid_argument& e) {
    throw InputError(file, where + ", text", e.what());
  }
  if (parsed.seg_tokens != masks.size())
    throw InputError(file, where, std::to_string(parsed.seg_tokens) + " SEG tokens in the text but " +
                                      std::to_string(masks.size()) + " masks (one mask per SEG token)");
  for (const auto& w : parsed.warnings) warnings.push_back(file + ": " + where + ": " + w);
  pred.caption = parsed.caption;
  for (const auto& p : parsed.phrases) {
    PredictedPhrase out = phrase_with_mask(p.start, p.end, p.text, p.seg_index);
    out.isthing = p.isthing;
    pred.phrases.push_back(std::move(out));
  }
  return pred;
}

std::vector<PgcPrediction> convert_model_outputs(const std::string& path, const ModelConvertOptions& options,
                                                 std::vector<std::string>& warnings) {
  namespace fs = std::filesystem;
  std::vector<PgcPrediction> out;
  std::unordered_map<std::string, std::string> seen;  // image key -> where
  auto add = [&](const JsonValue& v, const std::string& file, const std::string& item) {
    PgcPrediction p = convert_model_output(v, file, item, options, warnings);
    const auto [it, fresh] = seen.emplace(p.image_id.key, file + " " + item);
    if (!fresh)
      throw InputError(file, item + ", image " + p.image_id.key, "duplicate image id (first at " + it->second + ")");
    p.line = out.size() + 1;
    out.push_back(std::move(p));
  };
  if (fs::is_directory(path)) {
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(path))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw InputError(path, "", "no *.json files in this folder");
    for (const auto& f : files) {
      const JsonDoc d = read_json_file(f);
      add(d, f, "");
    }
    return out;
  }
  if (fs::path(path).extension() == ".jsonl") {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "", "cannot open file");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      const JsonDoc d = parse_json(line, path + ": line " + std::to_string(n));
      add(d, path, "line " + std::to_string(n));
    }
    return out;
  }
  const JsonDoc d = read_json_file(path);
  if (d.IsArray()) {
    for (rapidjson::SizeType k = 0; k < d.Size(); ++k) add(d[k], path, "record " + std::to_string(k));
  } else {
    add(d, path, "");
  }
  return out;
}

}  // namespace pgc
