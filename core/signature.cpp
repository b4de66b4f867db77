#include "core/signature.hpp"

namespace pgc {

Signature& Signature::add(const std::string& key, const std::string& value) {
  fields_.emplace_back(key, value);
  return *this;
}

std::string Signature::str() const {
  std::string s;
  bool has_version = false;
  for (const auto& [k, v] : fields_) {
    if (!s.empty()) s += '|';
    s += k + ':' + v;
    has_version |= (k == "pgc");
  }
  if (!has_version) s += std::string(s.empty() ? "" : "|") + "pgc:" + PGC_VERSION;
  return s;
}

JsonValue Signature::to_json(rapidjson::Document::AllocatorType& a) const {
  JsonValue o(rapidjson::kObjectType);
  bool has_version = false;
  for (const auto& [k, v] : fields_) {
    o.AddMember(JsonValue(k.c_str(), a), JsonValue(v.c_str(), a), a);
    has_version |= (k == "pgc");
  }
  if (!has_version) o.AddMember("pgc", JsonValue(PGC_VERSION, a), a);
  return o;
}

Signature Signature::parse(const std::string& s) {
  Signature sig;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t bar = s.find('|', start);
    std::string field = s.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    size_t colon = field.find(':');
    if (colon == std::string::npos) sig.add(field, "");
    else sig.add(field.substr(0, colon), field.substr(colon + 1));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return sig;
}

}  // namespace pgc
