// Speed of the native PTBTokenizer against the fixture README's reference timings
// (Stanford PTBTokenizer 3.4.1 through pycocoevalcap, single-threaded, JVM start included):
//   random_large refs (5992 short captions): 0.45 s
//   2000 paragraph images (3952 refs, ~150 tokens each): 1.2 s
// The paragraph input here is detailed_raw's and raw_pipeline's refs replicated to 3952
// captions (the reference's paragraph set itself is not in the fixtures).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "caption/ptb_tokenizer.hpp"
#include "core/json.hpp"
#include "core/thread_pool.hpp"

namespace {

using Captions = std::vector<std::vector<std::string>>;

Captions read_refs(const std::string& path) {
  const auto doc = pgc::read_json_file(path);
  Captions out;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::vector<std::string> caps;
    for (const auto& c : it->value.GetArray()) caps.emplace_back(c.GetString(), c.GetStringLength());
    out.push_back(std::move(caps));
  }
  return out;
}

size_t count(const Captions& c) {
  size_t n = 0;
  for (const auto& v : c) n += v.size();
  return n;
}

// Best wall time of `reps` runs, in seconds.
double best_seconds(const Captions& caps, int threads, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto out = pgc::ptb_tokenize(caps, threads);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (out.size() != caps.size()) std::fprintf(stderr, "unexpected result size\n");
    best = std::min(best, s);
  }
  return best;
}

void report(const char* name, const Captions& caps, double reference_s) {
  const size_t n = count(caps);
  const int cores = pgc::resolve_threads(0);
  const double one = best_seconds(caps, 1, 5);
  const double all = best_seconds(caps, cores, 5);
  std::printf("%-34s %6zu captions  1 thread %8.4f s (%9.0f captions/s)  %d threads %8.4f s  "
              "reference %.2f s  speed-up %.0fx\n",
              name, n, one, n / one, cores, all, reference_s, reference_s / std::min(one, all));
}

}  // namespace

int main() {
  const std::string dir = std::string(PGC_FIXTURES_DIR) + "/caption/";
  const Captions short_refs = read_refs(dir + "random_large/refs.json");

  Captions paragraphs;
  const Captions a = read_refs(dir + "detailed_raw/refs.json");
  const Captions b = read_refs(dir + "raw_pipeline/refs.json");
  for (size_t total = 0; total < 3952;) {
    for (const auto* set : {&a, &b}) {
      for (const auto& caps : *set) {
        if (total >= 3952) break;
        paragraphs.push_back(caps);
        total += caps.size();
      }
    }
  }

  std::printf("bench_ptb: pycocoevalcap PTBTokenizer (CoreNLP 3.4.1) natively, %s\n", pgc::kPtbTokenizerVersion);
  report("random_large refs (one call)", short_refs, 0.45);
  report("paragraph refs (one call)", paragraphs, 1.2);
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
