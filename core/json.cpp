#include "core/json.hpp"

#include <rapidjson/error/en.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace pgc {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path, "", "read error");
  return ss.str();
}

static std::string line_col(const std::string& text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

JsonDoc parse_json(const std::string& text, const std::string& origin) {
  JsonDoc d;
  d.Parse<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseValidateEncodingFlag>(
      text.data(), text.size());
  if (d.HasParseError()) {
    throw InputError(origin, line_col(text, d.GetErrorOffset()),
                     std::string("malformed JSON: ") + rapidjson::GetParseError_En(d.GetParseError()));
  }
  return d;
}

JsonDoc read_json_file(const std::string& path) { return parse_json(read_file(path), path); }

std::string to_json(const JsonValue& v, bool pretty) {
  rapidjson::StringBuffer buf;
  if (pretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    w.SetMaxDecimalPlaces(rapidjson::Writer<rapidjson::StringBuffer>::kDefaultMaxDecimalPlaces);
    v.Accept(w);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
  }
  return std::string(buf.GetString(), buf.GetSize());
}

const JsonValue& member(const JsonValue& obj, const char* key, const std::string& file,
                        const std::string& item) {
  if (!obj.IsObject()) throw InputError(file, item, "expected a JSON object");
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) throw InputError(file, item, std::string("missing key \"") + key + "\"");
  return it->value;
}

double get_number(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsNumber()) throw InputError(file, item, "expected a number");
  double x = v.GetDouble();
  if (!std::isfinite(x)) throw InputError(file, item, "number is not finite");
  return x;
}

std::string get_string(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsString()) throw InputError(file, item, "expected a string");
  return std::string(v.GetString(), v.GetStringLength());
}

std::string id_to_string(const JsonValue& v, const std::string& file, const std::string& item) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  throw InputError(file, item, "id must be a string or an integer");
}

}  // namespace pgc
