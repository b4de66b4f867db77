#include "core/results_file.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/error.hpp"
#include "core/results.hpp"

namespace pgc {
namespace {

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

const JsonValue* find(const JsonValue& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

void require_object(const JsonValue& v, const std::string& path, const std::string& key) {
  if (!v.IsObject()) throw InputError(path, key, "expected a JSON object");
}

std::string key_of(const JsonValue& name) { return std::string(name.GetString(), name.GetStringLength()); }

void check_inputs(const JsonValue& inputs, const std::string& path) {
  require_object(inputs, path, "inputs");
  for (auto& m : inputs.GetObject()) {
    std::string key = "inputs." + key_of(m.name);
    require_object(m.value, path, key);
    get_string(member(m.value, "path", path, key), path, key + ".path");
    std::string digest = get_string(member(m.value, "sha256", path, key), path, key + ".sha256");
    if (!is_sha256_hex(digest))
      throw InputError(path, key + ".sha256", "expected 64 lowercase hex digits (SHA-256)");
  }
}

void check_settings(const JsonValue& settings, const std::string& path) {
  require_object(settings, path, "settings");
  for (auto& m : settings.GetObject())
    get_string(m.value, path, "settings." + key_of(m.name));
}

void check_per_image(const JsonValue& per_image, const std::string& path) {
  require_object(per_image, path, "per_image");
  for (auto& m : per_image.GetObject()) {
    std::string key = "per_image." + key_of(m.name);
    require_object(m.value, path, key);
  }
}

void check_ci(const JsonValue& ci, const std::string& path) {
  require_object(ci, path, "ci");
  for (auto& m : ci.GetObject()) {
    std::string key = "ci." + key_of(m.name);
    require_object(m.value, path, key);
    get_number(member(m.value, "low", path, key), path, key + ".low");
    get_number(member(m.value, "high", path, key), path, key + ".high");
  }
}

// panopticapi's {"pq","sq","rq"} of one of All / Things / Stuff; null (a group without
// categories, e.g. no stuff classes) leaves the metric out.
void add_pq_block(const JsonValue& block, const std::string& path, const std::string& key,
                  const std::string& suffix, std::map<std::string, double>& out) {
  require_object(block, path, key);
  for (const char* part : {"pq", "sq", "rq"}) {
    const JsonValue& value = member(block, part, path, key);
    if (value.IsNull()) continue;
    double v = get_number(value, path, key + "." + part);
    std::string metric = part;
    std::transform(metric.begin(), metric.end(), metric.begin(), ::toupper);
    out[metric + suffix] = v;
  }
}

void add_panoptic(const JsonValue& obj, const std::string& path, const std::string& prefix,
                  std::map<std::string, double>& out) {
  static const std::pair<const char*, const char*> blocks[] = {
      {"All", ""}, {"Things", "_th"}, {"Stuff", "_st"}};
  for (auto& [block, suffix] : blocks)
    if (auto* v = find(obj, block)) add_pq_block(*v, path, prefix + block, suffix, out);
}

}  // namespace

std::map<std::string, double> flat_metrics(const JsonValue& doc, const std::string& path) {
  std::map<std::string, double> out;
  add_panoptic(doc, path, "", out);
  // A task that reports PQ next to other metrics (grounded captioning) may nest it as "pq".
  if (auto* pq = find(doc, "pq"); pq && pq->IsObject()) add_panoptic(*pq, path, "pq.", out);
  if (auto* corpus = find(doc, "corpus")) {
    require_object(*corpus, path, "corpus");
    add_panoptic(*corpus, path, "corpus.", out);
    for (auto& m : corpus->GetObject()) {
      std::string name = key_of(m.name);
      if (name == "All" || name == "Things" || name == "Stuff" || name == "per_class") continue;
      out[name] = get_number(m.value, path, "corpus." + name);
    }
  }
  return out;
}

ResultsFile results_from_json(JsonDoc doc, const std::string& path) {
  if (!doc.IsObject()) throw InputError(path, "", "a results file must be a JSON object");
  std::string schema = get_string(member(doc, "schema", path, ""), path, "schema");
  if (schema != kResultsSchema)
    throw InputError(path, "schema", "unsupported schema \"" + schema + "\" (this pgc reads \"" +
                                         std::string(kResultsSchema) + "\")");
  ResultsFile r;
  r.path = path;
  r.name = get_string(member(doc, "name", path, ""), path, "name");
  r.task = get_string(member(doc, "task", path, ""), path, "task");
  if (r.task.empty()) throw InputError(path, "task", "must not be empty");
  r.signature = Signature::parse(get_string(member(doc, "signature", path, ""), path, "signature"));
  check_settings(member(doc, "settings", path, ""), path);
  check_inputs(member(doc, "inputs", path, ""), path);
  if (auto* v = find(doc, "per_image")) check_per_image(*v, path);
  if (auto* v = find(doc, "stats")) require_object(*v, path, "stats");
  if (auto* v = find(doc, "ci")) check_ci(*v, path);
  r.metrics = flat_metrics(doc, path);
  if (r.metrics.empty())
    throw InputError(path, "corpus", "no metric values (expected \"corpus\" or panoptic \"All\")");
  r.doc = std::move(doc);
  return r;
}

ResultsFile load_results_file(const std::string& path) {
  return results_from_json(read_json_file(path), path);
}

bool lower_is_better(const std::string& metric) {
  std::string m = metric;
  std::transform(m.begin(), m.end(), m.begin(), ::toupper);
  return m.rfind("FID", 0) == 0 || m == "FD" || m.rfind("FD_", 0) == 0 || m.rfind("FD-", 0) == 0;
}

bool changes_numbers(const std::string& field) {
  static const std::set<std::string> informational = {
      "threads", "name", "quiet", "progress", "json", "out", "per_image", "bootstrap", "seed"};
  return informational.count(field) == 0;
}

std::vector<SignatureDifference> signature_differences(const Signature& a, const Signature& b,
                                                       bool include_version) {
  std::map<std::string, std::string> fa(a.fields().begin(), a.fields().end());
  std::map<std::string, std::string> fb(b.fields().begin(), b.fields().end());
  std::vector<std::string> keys;  // a's order first, then b's extra fields
  for (auto& [k, v] : a.fields()) keys.push_back(k);
  for (auto& [k, v] : b.fields())
    if (!fa.count(k)) keys.push_back(k);
  std::vector<SignatureDifference> out;
  std::set<std::string> seen;
  for (auto& k : keys) {
    if (!seen.insert(k).second || !changes_numbers(k)) continue;
    if (k == "pgc" && !include_version) continue;
    auto ia = fa.find(k), ib = fb.find(k);
    std::string va = ia == fa.end() ? "(absent)" : ia->second;
    std::string vb = ib == fb.end() ? "(absent)" : ib->second;
    if (va != vb) out.push_back({k, va, vb});
  }
  return out;
}

std::string describe(const std::vector<SignatureDifference>& diffs) {
  std::string s;
  for (auto& d : diffs) {
    if (!s.empty()) s += ", ";
    s += d.field + " (" + d.a + " vs " + d.b + ")";
  }
  return s;
}

}  // namespace pgc
