#pragma once
// RapidJSON helpers: parse a file with a located error, and write values the way Python's
// json module does (shortest round-trip doubles), so outputs diff cleanly against references.
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace pgc {

using JsonDoc = rapidjson::Document;
using JsonValue = rapidjson::Value;

// Reads and parses `path`; throws InputError naming the file and line:column on failure.
JsonDoc read_json_file(const std::string& path);
// Parses text; `origin` names where it came from in errors.
JsonDoc parse_json(const std::string& text, const std::string& origin);

// Reads a whole file as bytes; InputError if missing or unreadable.
std::string read_file(const std::string& path);

// Serializes a value; pretty with 2-space indent when `pretty`.
std::string to_json(const JsonValue& v, bool pretty = true);

// Typed accessors that throw InputError(file, item, ...) with a clear message.
const JsonValue& member(const JsonValue& obj, const char* key, const std::string& file,
                        const std::string& item);
double get_number(const JsonValue& v, const std::string& file, const std::string& item);
std::string get_string(const JsonValue& v, const std::string& file, const std::string& item);
// An id as text: strings as they are, integers in decimal.
std::string id_to_string(const JsonValue& v, const std::string& file, const std::string& item);

}  // namespace pgc
