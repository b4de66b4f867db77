#pragma once
// A sacreBLEU-style signature: every setting that changes a number, in a fixed order,
// e.g. "tok:ptb-3.4.1|bleu:closest|cider:D,n4,sigma6,idf:refs|pgc:0.1.0".
#include <string>
#include <utility>
#include <vector>

#include "core/json.hpp"

namespace pgc {

class Signature {
 public:
  Signature& add(const std::string& key, const std::string& value);
  std::string str() const;  // "k:v|k:v|...|pgc:<version>"
  // {"k": "v", ...} including pgc's version
  JsonValue to_json(rapidjson::Document::AllocatorType& a) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  // Parses "k:v|k:v" back into fields (keys may not contain ':' or '|').
  static Signature parse(const std::string& s);

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace pgc
