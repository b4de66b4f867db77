#include "caption/pgc_jsonl.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

#include "caption/code_points.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

// Names the place of a problem: "line 12, image 139, phrase 3".
struct Where {
  const std::string& file;
  size_t line;
  std::string image;  // empty until the id is read

  std::string item(const std::string& detail = {}) const {
    std::string s = "line " + std::to_string(line);
    if (!image.empty()) s += ", image " + image;
    if (!detail.empty()) s += ", " + detail;
    return s;
  }
  [[noreturn]] void fail(const std::string& detail, const std::string& what) const {
    throw InputError(file, item(detail), what);
  }
};

const JsonValue* find(const JsonValue& obj, const char* key) {
  const auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

const JsonValue& require(const JsonValue& obj, const char* key, const Where& w, const std::string& detail = {}) {
  const JsonValue* v = find(obj, key);
  if (!v) w.fail(detail, std::string("missing key \"") + key + "\"");
  return *v;
}

uint64_t require_uint(const JsonValue& obj, const char* key, const Where& w, const std::string& detail = {}) {
  const JsonValue& v = require(obj, key, w, detail);
  if (!v.IsUint64()) w.fail(detail, std::string("\"") + key + "\" must be a non-negative integer");
  return v.GetUint64();
}

std::string require_string(const JsonValue& obj, const char* key, const Where& w, const std::string& detail = {}) {
  const JsonValue& v = require(obj, key, w, detail);
  if (!v.IsString()) w.fail(detail, std::string("\"") + key + "\" must be a string");
  return std::string(v.GetString(), v.GetStringLength());
}

PgcImageId read_image_id(const JsonValue& obj, Where& w) {
  const JsonValue& v = require(obj, "image_id", w);
  PgcImageId id;
  if (v.IsString()) {
    id.key.assign(v.GetString(), v.GetStringLength());
    if (id.key.empty()) w.fail("", "\"image_id\" is an empty string");
  } else if (v.IsInt64()) {
    id.key = std::to_string(v.GetInt64());
    id.is_integer = true;
  } else {
    w.fail("", "\"image_id\" must be an integer or a string");
  }
  w.image = id.key;
  return id;
}

JsonDoc parse_object(const std::string& json, const Where& w) {
  JsonDoc d;
  d.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (d.HasParseError()) w.fail("", "malformed JSON at column " + std::to_string(d.GetErrorOffset() + 1));
  if (!d.IsObject()) w.fail("", "expected one JSON object per line");
  return d;
}

std::u32string caption_code_points(const std::string& caption, const Where& w) {
  try {
    return utf8_to_code_points(caption);
  } catch (const std::invalid_argument& e) {
    w.fail("caption", e.what());
  }
}

// [start, end) must be a non-empty code-point range inside the caption.
void read_span(const JsonValue& obj, size_t length, const Where& w, const std::string& detail,
               size_t& start, size_t& end) {
  start = require_uint(obj, "start", w, detail);
  end = require_uint(obj, "end", w, detail);
  if (!(start < end && end <= length)) {
    w.fail(detail, "span [" + std::to_string(start) + ", " + std::to_string(end) +
                       ") out of range: need 0 <= start < end <= " + std::to_string(length) +
                       " (caption length in code points)");
  }
}

// COCO RLE object {"size": [h, w], "counts": "..." | [runs]}.
Rle read_rle(const JsonValue& v, const Where& w, const std::string& detail, bool& uncompressed) {
  if (!v.IsObject()) w.fail(detail, "\"mask\" must be a COCO RLE object or null");
  const JsonValue& size = require(v, "size", w, detail);
  if (!size.IsArray() || size.Size() != 2 || !size[0].IsUint() || !size[1].IsUint())
    w.fail(detail, "mask \"size\" must be [height, width]");
  const uint32_t h = size[0].GetUint(), wd = size[1].GetUint();
  const JsonValue& counts = require(v, "counts", w, detail);
  try {
    if (counts.IsString()) {
      uncompressed = false;
      return rle_from_string(std::string(counts.GetString(), counts.GetStringLength()), h, wd);
    }
    if (counts.IsArray()) {
      uncompressed = true;
      std::vector<uint32_t> runs;
      runs.reserve(counts.Size());
      for (const auto& c : counts.GetArray()) {
        if (!c.IsUint()) w.fail(detail, "mask \"counts\" must hold non-negative integers");
        runs.push_back(c.GetUint());
      }
      return rle_from_counts(std::move(runs), h, wd);
    }
  } catch (const std::invalid_argument& e) {
    w.fail(detail, std::string("malformed RLE: ") + e.what());
  }
  w.fail(detail, "mask \"counts\" must be a string (compressed RLE) or an integer array");
}

PredictedPhrase read_phrase(const JsonValue& p, const std::u32string& caption, const Where& w, size_t k) {
  const std::string detail = "phrase " + std::to_string(k);
  if (!p.IsObject()) w.fail(detail, "expected an object");
  PredictedPhrase ph;
  read_span(p, caption.size(), w, detail, ph.start, ph.end);
  ph.text = code_points_to_utf8(caption.substr(ph.start, ph.end - ph.start));
  if (const JsonValue* t = find(p, "text")) {
    if (!t->IsString()) w.fail(detail, "\"text\" must be a string");
    const std::string given(t->GetString(), t->GetStringLength());
    if (given != ph.text)
      w.fail(detail, "\"text\" \"" + given + "\" does not match the caption at [" + std::to_string(ph.start) +
                         ", " + std::to_string(ph.end) + "): \"" + ph.text + "\"");
    ph.text_given = true;
  }
  const JsonValue& mask = require(p, "mask", w, detail);
  if (!mask.IsNull()) ph.mask = read_rle(mask, w, detail, ph.mask_uncompressed);
  if (const JsonValue* c = find(p, "category_id"); c && !c->IsNull()) {
    if (!c->IsInt64()) w.fail(detail, "\"category_id\" must be an integer");
    ph.category_id = c->GetInt64();
  }
  if (const JsonValue* t = find(p, "isthing"); t && !t->IsNull()) {
    if (!t->IsBool()) w.fail(detail, "\"isthing\" must be true or false");
    ph.isthing = t->GetBool();
  }
  if (const JsonValue* s = find(p, "score"); s && !s->IsNull()) {
    if (!s->IsNumber()) w.fail(detail, "\"score\" must be a number");
    ph.score = s->GetDouble();
  }
  return ph;
}

template <typename Record, typename Parse>
bool next_record(std::ifstream& in, const std::string& path, size_t& line_no,
                 std::unordered_map<std::string, size_t>& seen, Record& out, Parse parse) {
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    out = parse(line, path, line_no);
    const auto [it, fresh] = seen.emplace(out.image_id.key, line_no);
    if (!fresh)
      throw InputError(path, "line " + std::to_string(line_no) + ", image " + out.image_id.key,
                       "duplicate image id (first on line " + std::to_string(it->second) + ")");
    return true;
  }
  if (in.bad()) throw InputError(path, "line " + std::to_string(line_no + 1), "read error");
  return false;
}

std::ifstream open_input(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  return in;
}

// ---------------------------------------------------------------- writing

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& wr, const std::string& s) { wr.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void write_image_id(JsonWriter& wr, const PgcImageId& id) {
  if (id.is_integer) wr.Int64(std::stoll(id.key));
  else write_string(wr, id.key);
}

void write_rle(JsonWriter& wr, const Rle& r, bool uncompressed) {
  wr.StartObject();
  wr.Key("size");
  wr.StartArray();
  wr.Uint(r.height);
  wr.Uint(r.width);
  wr.EndArray();
  wr.Key("counts");
  if (uncompressed) {
    wr.StartArray();
    for (uint32_t c : r.counts) wr.Uint(c);
    wr.EndArray();
  } else {
    write_string(wr, rle_to_string(r));
  }
  wr.EndObject();
}

template <typename Record, typename ToLine>
void write_records(const std::string& path, const std::vector<Record>& records, ToLine to_line) {
  std::string out;
  for (const Record& r : records) {
    out += to_line(r);
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace

PgcPrediction parse_prediction_line(const std::string& json, const std::string& file, size_t line) {
  Where w{file, line, {}};
  const JsonDoc d = parse_object(json, w);
  PgcPrediction p;
  p.line = line;
  p.image_id = read_image_id(d, w);
  p.caption = require_string(d, "caption", w);
  const std::u32string caption = caption_code_points(p.caption, w);
  const JsonValue& phrases = require(d, "phrases", w);
  if (!phrases.IsArray()) w.fail("", "\"phrases\" must be an array");
  for (rapidjson::SizeType k = 0; k < phrases.Size(); ++k) p.phrases.push_back(read_phrase(phrases[k], caption, w, k));
  return p;
}

PgcGroundTruth parse_ground_truth_line(const std::string& json, const std::string& file, size_t line) {
  Where w{file, line, {}};
  const JsonDoc d = parse_object(json, w);
  PgcGroundTruth g;
  g.line = line;
  g.image_id = read_image_id(d, w);
  const uint64_t h = require_uint(d, "height", w), wd = require_uint(d, "width", w);
  if (h == 0 || wd == 0 || h > UINT32_MAX || wd > UINT32_MAX) w.fail("", "image size must be positive");
  g.height = static_cast<uint32_t>(h);
  g.width = static_cast<uint32_t>(wd);
  g.caption = require_string(d, "caption", w);
  const size_t length = caption_code_points(g.caption, w).size();
  g.panoptic_png = require_string(d, "panoptic_png", w);

  const JsonValue& segments = require(d, "segments_info", w);
  if (!segments.IsArray()) w.fail("", "\"segments_info\" must be an array");
  std::unordered_map<int64_t, size_t> segment_index;
  for (rapidjson::SizeType k = 0; k < segments.Size(); ++k) {
    const std::string detail = "segments_info[" + std::to_string(k) + "]";
    const JsonValue& s = segments[k];
    if (!s.IsObject()) w.fail(detail, "expected an object");
    PanopticSegmentInfo info;
    info.id = static_cast<int64_t>(require_uint(s, "id", w, detail));
    info.category_id = static_cast<int64_t>(require_uint(s, "category_id", w, detail));
    if (const JsonValue* c = find(s, "iscrowd")) {
      if (!c->IsInt() || (c->GetInt() != 0 && c->GetInt() != 1)) w.fail(detail, "\"iscrowd\" must be 0 or 1");
      info.iscrowd = c->GetInt();
    }
    if (const JsonValue* a = find(s, "area")) {
      if (!a->IsUint64()) w.fail(detail, "\"area\" must be a non-negative integer");
      info.area = a->GetUint64();
    }
    if (const JsonValue* b = find(s, "bbox")) {
      if (!b->IsArray() || b->Size() != 4) w.fail(detail, "\"bbox\" must be [x, y, w, h]");
      for (int i = 0; i < 4; ++i) {
        if (!(*b)[i].IsNumber()) w.fail(detail, "\"bbox\" must hold numbers");
        info.bbox[i] = (*b)[i].GetDouble();
      }
    }
    if (!segment_index.emplace(info.id, k).second)
      w.fail(detail, "duplicate segment id " + std::to_string(info.id));
    g.segments_info.push_back(info);
  }

  const JsonValue& spans = require(d, "spans", w);
  if (!spans.IsArray()) w.fail("", "\"spans\" must be an array");
  for (rapidjson::SizeType k = 0; k < spans.Size(); ++k) {
    const std::string detail = "span " + std::to_string(k);
    const JsonValue& s = spans[k];
    if (!s.IsObject()) w.fail(detail, "expected an object");
    GroundTruthSpan span;
    read_span(s, length, w, detail, span.start, span.end);
    const JsonValue& ids = require(s, "segment_ids", w, detail);
    if (!ids.IsArray()) w.fail(detail, "\"segment_ids\" must be an array");
    for (const auto& id : ids.GetArray()) {
      if (!id.IsInt64()) w.fail(detail, "\"segment_ids\" must hold integers");
      if (!segment_index.count(id.GetInt64()))
        w.fail(detail, "segment id " + std::to_string(id.GetInt64()) + " is not in segments_info");
      span.segment_ids.push_back(id.GetInt64());
    }
    if (const JsonValue* m = find(s, "mask"); m && !m->IsNull()) {
      bool uncompressed = false;
      span.mask = read_rle(*m, w, detail, uncompressed);
      if (span.mask->height != g.height || span.mask->width != g.width)
        w.fail(detail, "mask size " + std::to_string(span.mask->height) + "x" + std::to_string(span.mask->width) +
                           " does not match the image size " + std::to_string(g.height) + "x" +
                           std::to_string(g.width) + " (height x width)");
    }
    if (const JsonValue* ws = find(s, "warnings")) {
      if (!ws->IsArray()) w.fail(detail, "\"warnings\" must be an array of strings");
      for (const auto& x : ws->GetArray()) {
        if (!x.IsString()) w.fail(detail, "\"warnings\" must be an array of strings");
        span.warnings.emplace_back(x.GetString(), x.GetStringLength());
      }
    }
    g.spans.push_back(std::move(span));
  }
  if (const JsonValue* n = find(d, "id_numbering")) {
    if (!n->IsString()) w.fail("", "\"id_numbering\" must be a string");
    g.id_numbering.assign(n->GetString(), n->GetStringLength());
  }
  return g;
}

PredictionReader::PredictionReader(const std::string& path) : path_(path), in_(open_input(path)) {}

bool PredictionReader::next(PgcPrediction& out) {
  return next_record(in_, path_, line_, seen_, out, parse_prediction_line);
}

GroundTruthReader::GroundTruthReader(const std::string& path) : path_(path), in_(open_input(path)) {}

bool GroundTruthReader::next(PgcGroundTruth& out) {
  return next_record(in_, path_, line_, seen_, out, parse_ground_truth_line);
}

std::vector<PgcPrediction> read_predictions(const std::string& path) {
  PredictionReader reader(path);
  std::vector<PgcPrediction> out;
  PgcPrediction p;
  while (reader.next(p)) out.push_back(std::move(p));
  return out;
}

std::vector<PgcGroundTruth> read_ground_truth(const std::string& path) {
  GroundTruthReader reader(path);
  std::vector<PgcGroundTruth> out;
  PgcGroundTruth g;
  while (reader.next(g)) out.push_back(std::move(g));
  return out;
}

std::string prediction_to_json_line(const PgcPrediction& p) {
  rapidjson::StringBuffer buf;
  JsonWriter wr(buf);
  wr.StartObject();
  wr.Key("image_id");
  write_image_id(wr, p.image_id);
  wr.Key("caption");
  write_string(wr, p.caption);
  wr.Key("phrases");
  wr.StartArray();
  for (const PredictedPhrase& ph : p.phrases) {
    wr.StartObject();
    wr.Key("start");
    wr.Uint64(ph.start);
    wr.Key("end");
    wr.Uint64(ph.end);
    wr.Key("text");
    write_string(wr, ph.text);
    wr.Key("mask");
    if (ph.mask) write_rle(wr, *ph.mask, ph.mask_uncompressed);
    else wr.Null();
    if (ph.category_id) { wr.Key("category_id"); wr.Int64(*ph.category_id); }
    if (ph.isthing) { wr.Key("isthing"); wr.Bool(*ph.isthing); }
    if (ph.score) { wr.Key("score"); wr.Double(*ph.score); }
    wr.EndObject();
  }
  wr.EndArray();
  wr.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string ground_truth_to_json_line(const PgcGroundTruth& g) {
  rapidjson::StringBuffer buf;
  JsonWriter wr(buf);
  wr.StartObject();
  wr.Key("image_id");
  write_image_id(wr, g.image_id);
  wr.Key("height");
  wr.Uint(g.height);
  wr.Key("width");
  wr.Uint(g.width);
  wr.Key("caption");
  write_string(wr, g.caption);
  wr.Key("spans");
  wr.StartArray();
  for (const GroundTruthSpan& s : g.spans) {
    wr.StartObject();
    wr.Key("start");
    wr.Uint64(s.start);
    wr.Key("end");
    wr.Uint64(s.end);
    wr.Key("segment_ids");
    wr.StartArray();
    for (int64_t id : s.segment_ids) wr.Int64(id);
    wr.EndArray();
    wr.Key("warnings");
    wr.StartArray();
    for (const std::string& x : s.warnings) write_string(wr, x);
    wr.EndArray();
    if (s.mask) {
      wr.Key("mask");
      write_rle(wr, *s.mask, false);
    }
    wr.EndObject();
  }
  wr.EndArray();
  wr.Key("panoptic_png");
  write_string(wr, g.panoptic_png);
  wr.Key("segments_info");
  wr.StartArray();
  for (const PanopticSegmentInfo& s : g.segments_info) {
    wr.StartObject();
    wr.Key("id");
    wr.Int64(s.id);
    wr.Key("category_id");
    wr.Int64(s.category_id);
    wr.Key("iscrowd");
    wr.Int(s.iscrowd);
    wr.Key("area");
    wr.Uint64(s.area);
    wr.Key("bbox");
    wr.StartArray();
    for (double v : s.bbox) {
      // COCO panoptic boxes are integers; keep them integers when they are.
      if (v == static_cast<double>(static_cast<int64_t>(v))) wr.Int64(static_cast<int64_t>(v));
      else wr.Double(v);
    }
    wr.EndArray();
    wr.EndObject();
  }
  wr.EndArray();
  if (!g.id_numbering.empty()) {
    wr.Key("id_numbering");
    write_string(wr, g.id_numbering);
  }
  wr.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void write_predictions(const std::string& path, const std::vector<PgcPrediction>& records) {
  write_records(path, records, prediction_to_json_line);
}

void write_ground_truth(const std::string& path, const std::vector<PgcGroundTruth>& records) {
  write_records(path, records, ground_truth_to_json_line);
}

void check_prediction_against_ground_truth(const PgcPrediction& pred, const PgcGroundTruth& gt,
                                           const std::string& pred_file) {
  for (size_t k = 0; k < pred.phrases.size(); ++k) {
    const auto& m = pred.phrases[k].mask;
    if (m && (m->height != gt.height || m->width != gt.width)) {
      throw InputError(pred_file, "line " + std::to_string(pred.line) + ", image " + pred.image_id.key +
                                      ", phrase " + std::to_string(k),
                       "mask size " + std::to_string(m->height) + "x" + std::to_string(m->width) +
                           " does not match the image size " + std::to_string(gt.height) + "x" +
                           std::to_string(gt.width) + " (height x width)");
    }
  }
}

std::vector<const PgcPrediction*> align_predictions(const std::vector<PgcGroundTruth>& gts,
                                                    const std::vector<PgcPrediction>& preds,
                                                    const std::string& gt_file, const std::string& pred_file,
                                                    bool allow_missing) {
  std::unordered_map<std::string, size_t> gt_index;
  for (size_t i = 0; i < gts.size(); ++i) gt_index.emplace(gts[i].image_id.key, i);
  std::vector<const PgcPrediction*> out(gts.size(), nullptr);
  for (const PgcPrediction& p : preds) {
    const auto it = gt_index.find(p.image_id.key);
    if (it == gt_index.end())
      throw InputError(pred_file, "line " + std::to_string(p.line) + ", image " + p.image_id.key,
                       "unknown image id (not in " + gt_file + ")");
    check_prediction_against_ground_truth(p, gts[it->second], pred_file);
    out[it->second] = &p;
  }
  if (!allow_missing) {
    for (size_t i = 0; i < gts.size(); ++i)
      if (!out[i])
        throw InputError(pred_file, "image " + gts[i].image_id.key,
                         "no prediction for this ground-truth image (" + gt_file + " line " +
                             std::to_string(gts[i].line) + ")");
  }
  return out;
}

}  // namespace pgc
