// METEOR 1.5 speed: random_large (2000 short captions) and 2000 paragraph-size images built
// from detailed_synth, exact+stem+synonym as in the fixture README's reference timings
// (single-threaded Java incl. ~1 s JVM start: 6.4 s and 66.5 s). Prints time, speedup, peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "caption/meteor_data.hpp"
#include "core/json.hpp"
#include "core/thread_pool.hpp"
#include "metrics/meteor.hpp"
#include "bench_clock.hpp"

namespace {

struct Set {
  std::vector<std::vector<std::string>> refs;
  std::vector<std::string> preds;
};

Set read_set(const std::string& dir) {
  Set s;
  pgc::JsonDoc refs = pgc::read_json_file(dir + "/refs.json");
  pgc::JsonDoc preds = pgc::read_json_file(dir + "/preds.json");
  for (auto it = refs.MemberBegin(); it != refs.MemberEnd(); ++it) {
    std::vector<std::string> r;
    for (const auto& v : it->value.GetArray()) r.push_back(v.GetString());
    s.refs.push_back(r);
    s.preds.push_back(preds[it->name.GetString()].GetString());
  }
  return s;
}

using pgc_bench::cpu_seconds;

using pgc_bench::seconds_since;

// Scores every image (per-image stats in parallel, merged in order); returns wall seconds.
double run(const pgc::Meteor& meteor, const Set& set, int threads, double* corpus, double* cpu) {
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  std::vector<pgc::MeteorStats> stats(set.preds.size());
  pgc::parallel_for(set.preds.size(), threads,
                    [&](size_t i, int) { stats[i] = meteor.segment(set.preds[i], set.refs[i]); });
  pgc::MeteorStats total;
  for (const auto& s : stats) total.merge(s);
  *corpus = meteor.score(total);
  *cpu = cpu_seconds() - c0;
  return seconds_since(t0);
}

void report(const char* name, const pgc::Meteor& meteor, const Set& set, double reference_s) {
  size_t nrefs = 0;
  for (const auto& r : set.refs) nrefs += r.size();
  double corpus1 = 0, corpusN = 0, cpu1 = 0, cpuN = 0;
  double t1 = run(meteor, set, 1, &corpus1, &cpu1);
  int threads = pgc::resolve_threads(0);
  double tn = run(meteor, set, threads, &corpusN, &cpuN);
  std::printf("%s: %zu images, %zu refs; reference (1-thread Java) %.1f s\n", name, set.preds.size(), nrefs, reference_s);
  std::printf("  1 thread : wall %7.3f s (cpu %7.3f s)  speedup x%.1f\n", t1, cpu1, reference_s / t1);
  std::printf("  %d threads: wall %7.3f s (cpu %7.3f s)  speedup x%.1f\n", threads, tn, cpuN, reference_s / tn);
  std::printf("  corpus METEOR %.17g%s\n", corpusN, corpus1 == corpusN ? "" : "  (MISMATCH between thread counts!)");
}

}  // namespace

int main() {
  const std::string caption = std::string(PGC_FIXTURES_DIR) + "/caption";
  auto t0 = std::chrono::steady_clock::now();
  pgc::MeteorResources res = pgc::load_meteor_resources(caption + "/meteor/resources", "none");
  pgc::Meteor meteor(std::move(res));
  std::printf("METEOR data load + tables: %.3f s (%s)\n", seconds_since(t0), meteor.signature().c_str());

  report("random_large", meteor, read_set(caption + "/random_large"), 6.4);

  Set synth = read_set(caption + "/detailed_synth"), paragraphs;
  for (size_t k = 0; k < 2000; ++k) {
    paragraphs.preds.push_back(synth.preds[k % synth.preds.size()]);
    paragraphs.refs.push_back(synth.refs[k % synth.refs.size()]);
  }
  report("paragraphs (detailed_synth)", meteor, paragraphs, 66.5);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
