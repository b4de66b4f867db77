// Benchmark of `pgc compare`'s machinery on a COCONut-PanCap-val-sized input: two systems,
// N samples with BLEU-like sufficient statistics (10 numbers each, a corpus formula that is
// not a mean), paired bootstrap with 1000 resamples and approximate randomization.
// No reference timing exists (the fixtures have none for significance tests); sacreBLEU's
// paired bootstrap, the closest tool, is pure Python over the same number of corpus
// recomputations. Usage: bench_compare [samples=25000] [resamples=1000]
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <memory>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "core/compare.hpp"
#include "core/resample.hpp"
#include "bench_clock.hpp"

namespace {

// Geometric mean of 4 precisions from summed counts, as BLEU does (brevity penalty left out).
pgc::SampleSet bleu_like(const pgc::JsonValue& doc, const std::string&) {
  auto stats = std::make_shared<std::vector<std::array<double, 8>>>();
  pgc::SampleSet s;
  for (auto& m : doc["stats"].GetObject()) {
    s.ids.emplace_back(m.name.GetString());
    std::array<double, 8> row{};
    for (unsigned k = 0; k < 8; ++k) row[k] = m.value[k].GetDouble();
    stats->push_back(row);
  }
  s.corpus = [stats](const std::vector<size_t>& idx) {
    std::array<double, 8> sum{};
    for (size_t i : idx)
      for (unsigned k = 0; k < 8; ++k) sum[k] += (*stats)[i][k];
    double log_p = 0;
    for (unsigned k = 0; k < 4; ++k) log_p += std::log((sum[k] + 1e-9) / (sum[k + 4] + 1e-9)) / 4;
    return std::map<std::string, double>{{"bleu", std::exp(log_p)}};
  };
  return s;
}
pgc::RegisterResampler reg("bench", bleu_like);

pgc::ResultsFile make_file(const std::string& name, size_t n, unsigned seed, double quality) {
  std::mt19937 rng(seed);
  std::string stats;
  stats.reserve(n * 80);
  for (size_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<int> len(20, 60);
    int g = len(rng);
    std::string row;
    for (int k = 0; k < 4; ++k) {
      std::binomial_distribution<int> hits(g - k, quality / (k + 1));
      row += std::to_string(hits(rng)) + ",";
    }
    for (int k = 0; k < 4; ++k) row += std::to_string(g - k) + (k < 3 ? "," : "");
    stats += (i ? ",\"" : "\"") + std::to_string(i) + "\":[" + row + "]";
  }
  std::string text = "{\"schema\":\"pgc.results/1\",\"name\":\"" + name +
                     "\",\"task\":\"bench\",\"signature\":\"pgc:0.1.0\",\"settings\":{},\"inputs\":{},"
                     "\"corpus\":{\"bleu\":0},\"stats\":{" + stats + "}}";
  return pgc::results_from_json(pgc::parse_json(text, name), name);
}

using pgc_bench::seconds_since;

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 25000;
  int resamples = argc > 2 ? std::atoi(argv[2]) : 1000;
  auto a = make_file("a", n, 1, 0.30), b = make_file("b", n, 2, 0.31);
  pgc::CompareOptions opts;
  opts.resamples = resamples;
  auto t = std::chrono::steady_clock::now();
  auto c = pgc::compare_results(a, b, opts);
  double boot = seconds_since(t);
  opts.method = "ar";
  t = std::chrono::steady_clock::now();
  auto r = pgc::compare_results(a, b, opts);
  double ar = seconds_since(t);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("compare, %zu samples, %d resamples: paired bootstrap %.2f s (p=%.4f), "
              "approximate randomization + bootstrap CI %.2f s (p=%.4f), peak RSS %.0f MB\n",
              n, resamples, boot, c.metrics[0].p_value, ar, r.metrics[0].p_value, ru.ru_maxrss / 1024.0);
  return 0;
}
