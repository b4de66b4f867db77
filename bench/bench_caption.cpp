// Benchmark of `pgc caption`'s scorers (not a test): time and peak memory per metric on
//   1. fixtures/caption/random_large (2000 images, 5992 short refs), the case whose
//      pycocoevalcap timings the fixture README gives;
//   2. 2000 generated paragraph images (~150 words, 1-3 refs): the README's second timing row
//      (its exact texts are not published, so that ratio is indicative);
//   3. a generated COCONut-PanCap-sized input: 25,000 images, 1 candidate + 1 reference of
//      ~230 words, Zipf vocabulary.
// Each measurement runs in a fresh child process, so its peak RSS (getrusage ru_maxrss) is
// that metric's alone (input included). The reference ran single-threaded, so "x CPU" (reference
// seconds / pgc's CPU seconds over all threads) is the fair per-core ratio and is not disturbed
// by other jobs; "x wall" is what a user waits. Usage: bench_caption [threads] (default: all cores)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <tuple>

#include "caption/caption_eval.hpp"
#include "caption/caption_io.hpp"
#include "core/thread_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Measurement {
  double seconds = 0;      // wall time of scoring
  double cpu_seconds = 0;  // user + system time of scoring (robust to other jobs on the machine)
  long peak_kib = 0;
};

double cpu_now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

// Runs `fn` (which builds its input and scores it, returning the scoring wall and CPU seconds)
// in a child process.
Measurement in_child(const std::function<std::pair<double, double>()>& fn) {
  std::fflush(stdout);  // the child must not inherit (and the parent not lose) buffered output
  int fds[2];
  if (pipe(fds) != 0) std::exit(3);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Measurement m;
    std::tie(m.seconds, m.cpu_seconds) = fn();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    m.peak_kib = ru.ru_maxrss;
    if (write(fds[1], &m, sizeof m) != sizeof m) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  Measurement m{-1, -1, -1};
  if (read(fds[0], &m, sizeof m) != sizeof m) m = {-1, -1, -1};
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return m;
}

// Zipf-distributed words over a fixed vocabulary.
class ZipfWords {
 public:
  ZipfWords(size_t vocab, double s, uint64_t seed) : rng_(seed) {
    std::vector<double> w(vocab);
    for (size_t i = 0; i < vocab; ++i) w[i] = 1.0 / std::pow(i + 1.0, s);
    dist_ = std::discrete_distribution<size_t>(w.begin(), w.end());
  }
  std::string word() { return "w" + std::to_string(dist_(rng_)); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> dist_;
};

// A paragraph of about `words` words, and a "prediction" that keeps ~60% of its words in order
// and replaces the rest (so n-grams partly overlap, as for a real captioner).
pgc::CaptionSet generated(size_t images, size_t words, size_t max_refs, uint64_t seed) {
  ZipfWords zipf(20000, 1.1, seed);
  pgc::CaptionSet set;
  std::uniform_int_distribution<int> jitter(-int(words) / 5, int(words) / 5);
  std::uniform_real_distribution<double> u(0, 1);
  for (size_t i = 0; i < images; ++i) {
    set.ids.push_back(std::to_string(i));
    size_t nrefs = 1 + zipf.rng()() % max_refs;
    std::vector<std::string> refs;
    for (size_t r = 0; r < nrefs; ++r) {
      std::string s;
      size_t n = words + jitter(zipf.rng());
      for (size_t k = 0; k < n; ++k) s += (k ? " " : "") + zipf.word();
      refs.push_back(std::move(s));
    }
    std::string cand;
    size_t start = 0;
    const std::string& base = refs[0];
    while (start < base.size()) {
      size_t end = base.find(' ', start);
      if (end == std::string::npos) end = base.size();
      std::string w = u(zipf.rng()) < 0.6 ? base.substr(start, end - start) : zipf.word();
      cand += (cand.empty() ? "" : " ") + w;
      start = end + 1;
    }
    set.refs.push_back(std::move(refs));
    set.preds.push_back(std::move(cand));
  }
  return set;
}

std::pair<double, double> score(const pgc::CaptionSet& set, const std::string& metrics, int threads) {
  pgc::CaptionEvalOptions opt;
  opt.tokenize = "none";
  pgc::set_caption_metrics(metrics, opt);
  opt.threads = threads;
  opt.quiet = true;
  opt.meteor_paraphrase = "none";  // exact+stem+synonym, as the README's METEOR timings
  auto t0 = Clock::now();
  double c0 = cpu_now();
  auto r = pgc::evaluate_captions(set, opt);
  double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (r.corpus.empty()) std::exit(3);
  return {s, cpu_now() - c0};
}

struct Row {
  const char* label;
  const char* metrics;
  double reference_seconds;  // pycocoevalcap, fixture README (0 = none)
};

void bench_case(const char* title, const std::function<pgc::CaptionSet()>& make, const std::vector<Row>& rows,
                int threads, double* sum_seconds, long* max_kib, double* sum_cpu = nullptr,
                double* all_seconds = nullptr, long* all_kib = nullptr) {
  std::printf("\n%s\n", title);
  std::printf("  %-22s %9s %9s %12s %14s %9s %9s\n", "metric", "wall (s)", "CPU (s)", "peak RSS",
              "pycocoeval (s)", "x wall", "x CPU");
  for (const Row& row : rows) {
    Measurement m = in_child([&] {
      pgc::CaptionSet set = make();
      return score(set, row.metrics, threads);
    });
    char ratio[32] = "-", cpu_ratio[32] = "-", ref[32] = "-";
    if (row.reference_seconds > 0) {
      std::snprintf(ref, sizeof ref, "%.2f", row.reference_seconds);
      std::snprintf(ratio, sizeof ratio, "%.0fx", row.reference_seconds / m.seconds);
      std::snprintf(cpu_ratio, sizeof cpu_ratio, "%.0fx", row.reference_seconds / m.cpu_seconds);
    }
    std::printf("  %-22s %9.3f %9.3f %8.1f MiB %14s %9s %9s\n", row.label, m.seconds, m.cpu_seconds,
                m.peak_kib / 1024.0, ref, ratio, cpu_ratio);
    if (sum_seconds && std::string(row.metrics) == "bleu,rouge,cider") *sum_seconds = m.seconds;
    if (sum_cpu && std::string(row.metrics) == "bleu,rouge,cider") *sum_cpu = m.cpu_seconds;
    if (max_kib && std::string(row.metrics) == "bleu,rouge,cider") *max_kib = m.peak_kib;
    if (all_seconds && std::string(row.metrics) == "bleu,meteor,rouge,cider") *all_seconds = m.seconds;
    if (all_kib && std::string(row.metrics) == "bleu,meteor,rouge,cider") *all_kib = m.peak_kib;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 0;
  std::printf("bench_caption: %d thread(s); times exclude reading JSON; peak RSS includes the input\n",
              pgc::resolve_threads(threads));

  const std::string dir = std::string(PGC_FIXTURES_DIR) + "/caption/random_large/";
  auto random_large = [&] { return pgc::read_caption_set(dir + "refs.json", dir + "preds.json", false); };
  const double ref_bleu = 0.25, ref_rouge = 0.25, ref_cider = 1.28;  // fixture README, random_large
  double large_all = 0, large_cpu = 0;
  bench_case("random_large (2000 images, 5992 refs, 0-30 words)", random_large,
             {{"BLEU 1-4", "bleu", ref_bleu},
              {"ROUGE-L", "rouge", ref_rouge},
              {"CIDEr-D", "cider", ref_cider},
              {"METEOR (ex+st+syn)", "meteor", 6.4},
              {"BLEU+ROUGE-L+CIDEr-D", "bleu,rouge,cider", ref_bleu + ref_rouge + ref_cider},
              {"all four", "bleu,meteor,rouge,cider", ref_bleu + ref_rouge + ref_cider + 6.4}},
             threads, &large_all, nullptr, &large_cpu);

  bench_case("2000 generated paragraphs (~150 words, 1-3 refs; README row 2 is similar, not identical)",
             [] { return generated(2000, 150, 3, 11); },
             {{"BLEU 1-4", "bleu", 1.9},
              {"ROUGE-L", "rouge", 15.7},
              {"CIDEr-D", "cider", 8.2},
              {"METEOR (ex+st+syn)", "meteor", 66.5},
              {"BLEU+ROUGE-L+CIDEr-D", "bleu,rouge,cider", 1.9 + 15.7 + 8.2},
              {"all four", "bleu,meteor,rouge,cider", 1.9 + 15.7 + 8.2 + 66.5}},
             threads, nullptr, nullptr);

  double big_all = 0, big_four = 0;
  long big_kib = 0, big_four_kib = 0;
  bench_case("COCONut-PanCap-sized: 25,000 images, 1 candidate + 1 reference of ~230 words, Zipf",
             [] { return generated(25000, 230, 1, 2024); },
             {{"BLEU 1-4", "bleu", 0},
              {"ROUGE-L", "rouge", 0},
              {"CIDEr-D", "cider", 0},
              {"METEOR (ex+st+syn)", "meteor", 0},
              {"BLEU+ROUGE-L+CIDEr-D", "bleu,rouge,cider", 0},
              {"all four", "bleu,meteor,rouge,cider", 0}},
             threads, &big_all, &big_kib, nullptr, &big_four, &big_four_kib);

  double speedup = (ref_bleu + ref_rouge + ref_cider) / large_all;
  std::printf("\ntargets:\n");
  std::printf("  random_large BLEU+ROUGE-L+CIDEr-D >= 20x pycocoevalcap (wall): %.0fx  %s"
              "  (per CPU second: %.0fx; a loaded machine inflates wall time)\n",
              speedup, speedup >= 20 ? "met" : "NOT MET", (ref_bleu + ref_rouge + ref_cider) / large_cpu);
  std::printf("  25K input, all four metrics < 60 s and < 2 GiB: %.1f s, %.0f MiB  %s"
              "  (BLEU+ROUGE-L+CIDEr-D alone: %.1f s, %.0f MiB)\n",
              big_four, big_four_kib / 1024.0, big_four < 60 && big_four_kib < 2 * 1024 * 1024 ? "met" : "NOT MET",
              big_all, big_kib / 1024.0);
  return 0;
}
