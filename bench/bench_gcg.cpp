// GCG benchmark (issue 6): 5,000 images x 13 phrases with 640x480 RLE masks. Times
// (1) writing the predictions as JSONL with compressed RLE, (2) streaming them back (parse +
// RLE decode + validation), (3) all GCG metrics (AP/AP50 via COCOeval logic, mIoU, recall,
// recall_skip) on both cores; prints peak memory (ru_maxrss). BERT is replaced by a constant-time
// similarity, as with --text-similarity. Usage: bench_gcg [images=5000] [threads=0]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "caption/pgc_jsonl.hpp"
#include "core/thread_pool.hpp"
#include "metrics/gcg.hpp"
#include "metrics/rle.hpp"
#include "bench_clock.hpp"

namespace {

constexpr uint32_t kH = 480, kW = 640;
constexpr int kPhrases = 13;

struct Ellipse { double cx, cy, rx, ry; };

// Column-major RLE of a filled ellipse, built column by column (no pixel buffer).
pgc::Rle ellipse_mask(const Ellipse& e) {
  pgc::Rle r;
  r.height = kH;
  r.width = kW;
  uint64_t pos = 0, run_start_zero = 0;
  for (uint32_t x = 0; x < kW; ++x) {
    const double dx = (x + 0.5 - e.cx) / e.rx;
    if (dx * dx >= 1) continue;
    const double half = e.ry * std::sqrt(1 - dx * dx);
    const int64_t y0 = std::max<int64_t>(0, int64_t(std::ceil(e.cy - half)));
    const int64_t y1 = std::min<int64_t>(kH, int64_t(std::floor(e.cy + half)));
    if (y1 <= y0) continue;
    const uint64_t b = uint64_t(x) * kH + y0, en = uint64_t(x) * kH + y1;
    if (!r.counts.empty() && b == pos) { r.counts.back() += uint32_t(en - b); pos = en; continue; }
    r.counts.push_back(uint32_t(b - run_start_zero));
    r.counts.push_back(uint32_t(en - b));
    pos = run_start_zero = en;
  }
  r.counts.push_back(uint32_t(uint64_t(kH) * kW - pos));
  return r;
}

using pgc_bench::cpu_seconds;

using pgc_bench::seconds_since;

}  // namespace

int main(int argc, char** argv) {
  const size_t n_images = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 0;
  std::mt19937 rng(2025);
  std::uniform_real_distribution<double> U(0, 1);

  // Synthetic data: 13 GT ellipses per image; predictions jittered, in shuffled order.
  std::vector<pgc::GcgImage> images(n_images);
  std::vector<pgc::PgcPrediction> preds(n_images);
  for (size_t i = 0; i < n_images; ++i) {
    pgc::GcgImage& im = images[i];
    im.image_id = std::to_string(100000 + i);
    std::vector<int> order(kPhrases);
    for (int k = 0; k < kPhrases; ++k) order[k] = k;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<Ellipse> gt(kPhrases);
    for (int k = 0; k < kPhrases; ++k) {
      gt[k] = {U(rng) * kW, U(rng) * kH, 10 + U(rng) * 150, 10 + U(rng) * 120};
      im.gt_masks.push_back(ellipse_mask(gt[k]));
      im.gt_labels.push_back("object " + std::to_string(k));
    }
    pgc::PgcPrediction& p = preds[i];
    p.image_id = {im.image_id, true};
    for (int k : order) {
      const Ellipse& g = gt[k];
      const Ellipse e{g.cx + 8 * (U(rng) - 0.5), g.cy + 8 * (U(rng) - 0.5), g.rx * (0.85 + 0.3 * U(rng)), g.ry * (0.85 + 0.3 * U(rng))};
      const std::string phrase = "object " + std::to_string(k);
      pgc::PredictedPhrase ph;
      ph.start = p.caption.size();
      p.caption += phrase;
      ph.end = p.caption.size();
      p.caption += " and ";
      ph.text = phrase;
      ph.mask = ellipse_mask(e);
      p.phrases.push_back(ph);
    }
  }

  const std::string path = (std::filesystem::temp_directory_path() / "pgc_bench_gcg.pred.jsonl").string();
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  pgc::write_predictions(path, preds);
  const double t_write = seconds_since(t0), c_write = cpu_seconds() - c0;
  const auto bytes = std::filesystem::file_size(path);
  preds.clear();
  preds.shrink_to_fit();

  t0 = std::chrono::steady_clock::now();
  c0 = cpu_seconds();
  pgc::PredictionReader reader(path);
  pgc::PgcPrediction rec;
  size_t i = 0;
  while (reader.next(rec)) {
    for (auto& ph : rec.phrases) {
      images[i].pred_masks.push_back(*ph.mask);
      images[i].pred_phrases.push_back(ph.text);
    }
    ++i;
  }
  const double t_read = seconds_since(t0), c_read = cpu_seconds() - c0;
  std::filesystem::remove(path);

  // Stand-in for BERT: same object number -> 0.9, else 0.2.
  const pgc::TextSimilarity sim = [](const std::string& a, const std::string& b) { return a == b ? 0.9 : 0.2; };
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_seconds();
  const pgc::GcgResult r = pgc::gcg_evaluate(images, sim, {}, threads);
  const double t_gcg = seconds_since(t0), c_gcg = cpu_seconds() - c0;

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("bench_gcg: %zu images x %d phrases, %ux%u masks, threads=%d\n", n_images, kPhrases, kH, kW,
              pgc::resolve_threads(threads));
  std::printf("  write pred.jsonl (compressed RLE): wall %.3f s, cpu %.3f s (%.1f MB)\n", t_write, c_write, bytes / 1e6);
  std::printf("  read + validate pred.jsonl:        wall %.3f s, cpu %.3f s\n", t_read, c_read);
  std::printf("  GCG metrics (AP, mIoU, recall x2): wall %.3f s, cpu %.3f s\n", t_gcg, c_gcg);
  std::printf("  AP50 %.4f  AP %.4f  mIoU %.4f  recall %.4f  recall_skip %.4f\n", r.AP50, r.AP, r.mIoU, r.recall, r.recall_skip);
  std::printf("  peak memory (ru_maxrss): %.1f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
