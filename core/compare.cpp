#include "core/compare.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "core/bootstrap.hpp"
#include "core/error.hpp"
#include "core/resample.hpp"

namespace pgc {
namespace {

const JsonValue* block_of(const JsonValue& doc, const char* key) {
  auto it = doc.FindMember(key);
  return it == doc.MemberEnd() || !it->value.IsObject() ? nullptr : &it->value;
}

// The fallback resampler: every per-image metric, averaged over the drawn samples.
SampleSet per_image_means(const JsonValue& doc, const std::string& path) {
  const JsonValue& per_image = *block_of(doc, "per_image");
  std::vector<std::string> metrics;
  if (per_image.MemberCount() > 0)
    for (auto& m : per_image.MemberBegin()->value.GetObject())
      metrics.emplace_back(m.name.GetString(), m.name.GetStringLength());
  SampleSet set;
  auto values = std::make_shared<std::vector<std::vector<double>>>();  // [sample][metric]
  for (auto& s : per_image.GetObject()) {
    std::string id(s.name.GetString(), s.name.GetStringLength());
    std::string item = "per_image." + id;
    if (!s.value.IsObject()) throw InputError(path, item, "expected a JSON object");
    std::vector<double> row;
    for (auto& m : metrics) row.push_back(get_number(member(s.value, m.c_str(), path, item), path, item + "." + m));
    set.ids.push_back(id);
    values->push_back(std::move(row));
  }
  set.corpus = [metrics, values](const std::vector<size_t>& idx) {
    std::map<std::string, double> out;
    for (size_t m = 0; m < metrics.size(); ++m) {
      double sum = 0;
      for (size_t i : idx) sum += (*values)[i][m];
      out[metrics[m]] = idx.empty() ? 0.0 : sum / idx.size();
    }
    return out;
  };
  return set;
}

struct SampleSource {
  const char* block;  // the per-sample block the factory reads
  ResamplerFactory factory;
};

// The task's resampler when both files have "stats", else the per-image mean fallback.
SampleSource choose_source(const ResultsFile& a, const ResultsFile& b, std::vector<std::string>& notes) {
  const ResamplerFactory* resampler = find_resampler(a.task);
  bool stats = block_of(a.doc, "stats") && block_of(b.doc, "stats");
  if (resampler && stats) return {"stats", *resampler};
  bool per_image = block_of(a.doc, "per_image") && block_of(b.doc, "per_image");
  if (!per_image) {
    const ResultsFile& lacking = block_of(a.doc, resampler ? "stats" : "per_image") ? b : a;
    if (resampler)
      throw InputError(lacking.path, "stats", "missing per-sample \"stats\" (needed to resample)");
    throw InputError(lacking.path, "per_image",
                     "task \"" + a.task + "\" has no registered resampler and the file has no "
                     "\"per_image\" block, so samples cannot be paired");
  }
  notes.push_back(std::string(resampler ? "a file lacks \"stats\"" : "task \"" + a.task +
                                              "\" has no registered resampler") +
                  ": per-image values are averaged, which is valid only for metrics whose "
                  "corpus value is the mean of per-image values");
  return {"per_image", [](const JsonValue& doc, const std::string& path) { return per_image_means(doc, path); }};
}

// index_in_b[i] = position in b of a's i-th sample id.
std::vector<size_t> pair_ids(const SampleSet& sa, const ResultsFile& a, const SampleSet& sb,
                             const ResultsFile& b, const char* block) {
  std::map<std::string, size_t> pos_b;
  for (size_t i = 0; i < sb.ids.size(); ++i)
    if (!pos_b.emplace(sb.ids[i], i).second)
      throw InputError(b.path, std::string(block) + "." + sb.ids[i], "duplicate sample id");
  std::vector<size_t> index_in_b;
  std::set<std::string> seen_a;
  for (auto& id : sa.ids) {
    if (!seen_a.insert(id).second)
      throw InputError(a.path, std::string(block) + "." + id, "duplicate sample id");
    auto it = pos_b.find(id);
    if (it == pos_b.end())
      throw InputError(b.path, std::string(block) + "." + id,
                       "sample is in " + a.path + " but not here; compare needs the same samples");
    index_in_b.push_back(it->second);
  }
  if (sb.ids.size() != sa.ids.size())
    for (auto& id : sb.ids)
      if (!seen_a.count(id))
        throw InputError(a.path, std::string(block) + "." + id,
                         "sample is in " + b.path + " but not here; compare needs the same samples");
  return index_in_b;
}

// Approximate randomization. Both systems' samples go into one document (A's sample i under
// key "i", B's under "n+i", in A's id order) and the task's resampler is built once over those
// 2n samples; a trial then scores index sets that take each sample from A or from B. This
// relies on the resampler contract: a CorpusFn depends only on the multiset of samples.
std::map<std::string, double> randomization_p_values(const ResultsFile& a, const ResultsFile& b,
                                                     const SampleSource& src,
                                                     const std::vector<std::string>& ids,
                                                     const CompareOptions& opts) {
  JsonDoc both;
  auto& al = both.GetAllocator();
  both.CopyFrom(a.doc, al);
  const size_t n = ids.size();
  JsonValue block(rapidjson::kObjectType);
  for (const ResultsFile* f : {&a, &b}) {
    std::map<std::string, const JsonValue*> by_id;
    for (auto& m : f->doc[src.block].GetObject())
      by_id[std::string(m.name.GetString(), m.name.GetStringLength())] = &m.value;
    for (auto& id : ids) {
      auto it = by_id.find(id);
      if (it == by_id.end())
        throw InputError(f->path, std::string(src.block) + "." + id,
                         "sample id of the resampler is not a key of the block, cannot randomize");
      std::string key = std::to_string(block.MemberCount());
      block.AddMember(JsonValue(key.c_str(), al), JsonValue(*it->second, al), al);
    }
  }
  both[src.block].Swap(block);
  SampleSet pooled = src.factory(both, a.path);
  if (pooled.ids.size() != 2 * n)
    throw InputError(a.path, src.block, "resampler did not return one sample per entry, cannot randomize");
  std::vector<size_t> position(2 * n);  // key k -> index into pooled.ids
  for (size_t j = 0; j < pooled.ids.size(); ++j) position.at(std::stoul(pooled.ids[j])) = j;
  auto delta_fn = [&](const std::vector<bool>& swap) {  // called from several threads
    std::vector<size_t> from_a(n), from_b(n);
    for (size_t i = 0; i < n; ++i) {
      from_a[i] = position[swap[i] ? n + i : i];
      from_b[i] = position[swap[i] ? i : n + i];
    }
    auto ra = pooled.corpus(from_a), rb = pooled.corpus(from_b);
    std::map<std::string, double> d;
    for (auto& [k, x] : ra)
      if (rb.count(k)) d[k] = rb.at(k) - x;
    return d;
  };
  return approximate_randomization(n, delta_fn, opts.resamples, opts.seed);
}

std::string fmt(const char* format, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, x);
  return buf;
}

}  // namespace

std::vector<std::string> check_comparable(const ResultsFile& a, const ResultsFile& b,
                                          bool allow_signature_mismatch) {
  if (a.task != b.task)
    throw InputError(b.path, "task", "task \"" + b.task + "\" differs from " + a.path + "'s \"" +
                                         a.task + "\"");
  std::vector<std::string> warnings;
  auto diffs = signature_differences(a.signature, b.signature);
  if (!diffs.empty()) {
    std::string what = "signature differs from " + a.path + "'s in " + describe(diffs);
    if (!allow_signature_mismatch)
      throw InputError(b.path, "signature", what + " (scores are not comparable; "
                                                   "--allow-signature-mismatch to compare anyway)");
    warnings.push_back(b.path + ": " + what + " (compared anyway)");
  }
  auto version = signature_differences(a.signature, b.signature, true);
  if (version.size() > diffs.size())
    warnings.push_back(b.path + ": scored by another pgc version than " + a.path + " (" +
                       describe(version) + ")");
  return warnings;
}

Comparison compare_results(const ResultsFile& a, const ResultsFile& b, const CompareOptions& opts) {
  if (opts.method != "bootstrap" && opts.method != "ar")
    throw UsageError("--method must be bootstrap or ar, not " + opts.method);
  if (opts.resamples < 1) throw UsageError("--bootstrap must be at least 1");
  Comparison c;
  SampleSource src = choose_source(a, b, c.notes);
  c.source = src.block;
  SampleSet sa = src.factory(a.doc, a.path);
  SampleSet sb = src.factory(b.doc, b.path);
  auto index_in_b = pair_ids(sa, a, sb, b, src.block);
  c.samples = sa.ids.size();
  if (c.samples == 0) throw InputError(a.path, src.block, "no samples to compare");

  CorpusFn fb_paired = [&](const std::vector<size_t>& idx) {
    std::vector<size_t> mapped(idx.size());
    for (size_t i = 0; i < idx.size(); ++i) mapped[i] = index_in_b[idx[i]];
    return sb.corpus(mapped);
  };
  auto tests = paired_bootstrap(c.samples, sa.corpus, fb_paired, opts.resamples, opts.seed);
  std::map<std::string, double> ar;
  if (opts.method == "ar") ar = randomization_p_values(a, b, src, sa.ids, opts);

  for (auto& [metric, t] : tests) {
    MetricComparison m;
    m.metric = metric;
    m.a = t.a;
    m.b = t.b;
    m.delta = t.delta;
    m.ci_low = t.delta_ci.low;
    m.ci_high = t.delta_ci.high;
    m.p_value = opts.method == "ar" ? ar.at(metric) : t.p_value;
    m.significant = m.p_value < opts.alpha;
    m.lower_is_better = lower_is_better(metric);
    if (c.source == "per_image") {
      // Say when the test is about the per-image mean rather than the reported corpus value.
      for (const ResultsFile* f : {&a, &b}) {
        auto it = f->metrics.find(metric);
        double mean = f == &a ? t.a : t.b;
        if (it != f->metrics.end() && std::fabs(it->second - mean) > 1e-9 * std::max(1.0, std::fabs(mean)))
          m.note = "corpus value is not the mean of per-image values; the per-image mean is tested";
      }
    }
    c.metrics.push_back(m);
  }
  std::vector<std::string> skipped;
  for (auto& [metric, v] : a.metrics)
    if (b.metrics.count(metric) && !tests.count(metric)) skipped.push_back(metric);
  if (!skipped.empty()) {
    std::string s = "not tested (no per-sample values):";
    for (auto& m : skipped) s += " " + m;
    c.notes.push_back(s);
  }
  return c;
}

std::string format_comparison(const ResultsFile& a, const ResultsFile& b, const Comparison& c,
                              const CompareOptions& opts) {
  std::string out = "A: " + a.path + " (" + a.name + ")\nB: " + b.path + " (" + b.name + ")\n";
  out += "task " + a.task + ", " + std::to_string(c.samples) + " paired samples from \"" + c.source +
         "\", " + (opts.method == "ar" ? "approximate randomization" : "paired bootstrap") + ", " +
         std::to_string(opts.resamples) + (opts.method == "ar" ? " trials" : " resamples") +
         ", seed " + std::to_string(opts.seed) + "\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-12s %12s %12s %13s  %-29s %8s  %s\n", "metric", "A", "B",
                "delta (B-A)", "95% CI of delta", "p", "significant");
  out += line;
  for (auto& m : c.metrics) {
    std::string ci = "[" + fmt("%+.6g", m.ci_low) + ", " + fmt("%+.6g", m.ci_high) + "]";
    std::string verdict = !m.significant ? "no"
                          : m.b_worse()  ? "yes, B worse"
                                         : "yes, B better";
    std::snprintf(line, sizeof line, "%-12s %12.6g %12.6g %13s  %-29s %8.4f  %s%s\n",
                  m.metric.c_str(), m.a, m.b, fmt("%+.6g", m.delta).c_str(), ci.c_str(), m.p_value,
                  verdict.c_str(), m.lower_is_better ? " (lower is better)" : "");
    out += line;
  }
  for (auto& m : c.metrics)
    if (!m.note.empty()) out += "note: " + m.metric + ": " + m.note + "\n";
  for (auto& n : c.notes) out += "note: " + n + "\n";
  return out;
}

std::string comparison_json(const ResultsFile& a, const ResultsFile& b, const Comparison& c,
                            const CompareOptions& opts) {
  JsonDoc d(rapidjson::kObjectType);
  auto& al = d.GetAllocator();
  auto str = [&](const std::string& s) { return JsonValue(s.c_str(), al); };
  d.AddMember("schema", "pgc.compare/1", al);
  for (auto [key, f] : {std::pair<const char*, const ResultsFile*>{"a", &a}, {"b", &b}}) {
    JsonValue o(rapidjson::kObjectType);
    o.AddMember("path", str(f->path), al);
    o.AddMember("name", str(f->name), al);
    o.AddMember("signature", str(f->signature.str()), al);
    d.AddMember(JsonValue(key, al), o, al);
  }
  d.AddMember("task", str(a.task), al);
  d.AddMember("method", str(opts.method), al);
  d.AddMember("resamples", opts.resamples, al);
  d.AddMember("seed", static_cast<uint64_t>(opts.seed), al);
  d.AddMember("alpha", opts.alpha, al);
  d.AddMember("samples", static_cast<uint64_t>(c.samples), al);
  d.AddMember("source", str(c.source), al);
  JsonValue metrics(rapidjson::kObjectType);
  for (auto& m : c.metrics) {
    JsonValue o(rapidjson::kObjectType);
    o.AddMember("a", m.a, al);
    o.AddMember("b", m.b, al);
    o.AddMember("delta", m.delta, al);
    o.AddMember("ci_low", m.ci_low, al);
    o.AddMember("ci_high", m.ci_high, al);
    o.AddMember("p_value", m.p_value, al);
    o.AddMember("significant", m.significant, al);
    o.AddMember("lower_is_better", m.lower_is_better, al);
    o.AddMember("b_worse", m.b_worse(), al);
    if (!m.note.empty()) o.AddMember("note", str(m.note), al);
    metrics.AddMember(str(m.metric), o, al);
  }
  d.AddMember("metrics", metrics, al);
  JsonValue notes(rapidjson::kArrayType);
  for (auto& n : c.notes) notes.PushBack(str(n), al);
  d.AddMember("notes", notes, al);
  return to_json(d) + "\n";
}

}  // namespace pgc
