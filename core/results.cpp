#include "core/results.hpp"

#include "core/digest.hpp"

namespace pgc {

JsonDoc make_results(const std::string& name, const std::string& task, const Signature& sig,
                     const std::vector<InputFile>& inputs) {
  JsonDoc d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.AddMember("schema", JsonValue(kResultsSchema, a), a);
  d.AddMember("name", JsonValue(name.c_str(), a), a);
  d.AddMember("task", JsonValue(task.c_str(), a), a);
  d.AddMember("signature", JsonValue(sig.str().c_str(), a), a);
  d.AddMember("settings", sig.to_json(a), a);
  JsonValue in(rapidjson::kObjectType);
  for (const auto& f : inputs) {
    JsonValue e(rapidjson::kObjectType);
    e.AddMember("path", JsonValue(f.path.c_str(), a), a);
    e.AddMember("sha256", JsonValue(sha256_file(f.path).c_str(), a), a);
    in.AddMember(JsonValue(f.role.c_str(), a), e, a);
  }
  d.AddMember("inputs", in, a);
  return d;
}

}  // namespace pgc
