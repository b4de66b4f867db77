// PQ of grounded masks benchmark (issue 6): 5,000 images x 13 phrases with 640x480 RLE masks.
// Per image: a GT id map of 13 ellipses (9 things, 4 stuff classes; it stands in for the
// decoded PNG) and 13 jittered, overlapping predicted ellipses as RLEs. Pass 1 only builds the
// inputs; pass 2 builds them and runs grounded_pq_image_stats (paint first-wins, merge stuff,
// count pairs, match); the difference is the PQ cost. Prints wall / CPU time and peak memory.
// Usage: bench_grounded_pq [images=5000] [threads=0]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/thread_pool.hpp"
#include "panoptic/grounded_pq.hpp"
#include "bench_clock.hpp"

namespace {

constexpr uint32_t kH = 480, kW = 640;
constexpr int kPhrases = 13;

struct Ellipse {
  double cx, cy, rx, ry;
  bool contains(uint32_t y, uint32_t x) const {
    const double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
    return dx * dx + dy * dy < 1;
  }
};

// Category of phrase / segment k: 9 things (person), then 4 stuff classes.
int64_t category_of(int k) { return k < 9 ? 1 : 180 + k; }

struct ImageInputs {
  std::vector<uint32_t> gt_ids;
  std::vector<pgc::PqSegment> gt_segments;
  std::vector<pgc::Rle> masks;
};

// Deterministic per image: GT ellipses painted in order (later ones on top), predictions =
// the same ellipses jittered by a few pixels.
void build_image(size_t index, ImageInputs& in) {
  std::mt19937_64 rng(index * 7919 + 1);
  std::uniform_real_distribution<double> cx(0, kW), cy(0, kH), r(20, 160), jitter(-6, 6);
  std::vector<Ellipse> gt(kPhrases);
  for (auto& e : gt) e = {cx(rng), cy(rng), r(rng), r(rng)};
  in.gt_ids.assign(size_t{kH} * kW, 0);
  in.gt_segments.clear();
  for (int k = 0; k < kPhrases; ++k) in.gt_segments.push_back({uint32_t(k + 1), category_of(k), false});
  std::vector<uint8_t> mask(size_t{kH} * kW);
  in.masks.clear();
  // Visits only the ellipse's bounding box.
  auto each_pixel = [](const Ellipse& e, auto&& fn) {
    const uint32_t y0 = uint32_t(std::max(0.0, e.cy - e.ry)), y1 = uint32_t(std::min<double>(kH, e.cy + e.ry + 1));
    const uint32_t x0 = uint32_t(std::max(0.0, e.cx - e.rx)), x1 = uint32_t(std::min<double>(kW, e.cx + e.rx + 1));
    for (uint32_t y = y0; y < y1; ++y)
      for (uint32_t x = x0; x < x1; ++x)
        if (e.contains(y, x)) fn(size_t{y} * kW + x);
  };
  for (int k = 0; k < kPhrases; ++k) {
    const Ellipse p{gt[k].cx + jitter(rng), gt[k].cy + jitter(rng), gt[k].rx + jitter(rng), gt[k].ry + jitter(rng)};
    each_pixel(gt[k], [&](size_t i) { in.gt_ids[i] = uint32_t(k + 1); });
    std::fill(mask.begin(), mask.end(), 0);
    each_pixel(p, [&](size_t i) { mask[i] = 1; });
    in.masks.push_back(pgc::rle_encode_row_major(mask.data(), kH, kW));
  }
  // Segments fully covered by later ones have no pixel: panopticapi would count them as FN.
}

using pgc_bench::cpu_seconds;

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  const int threads = pgc::resolve_threads(argc > 2 ? std::atoi(argv[2]) : 0);
  std::vector<pgc::PqCategory> categories = {{1, "person", true}};
  for (int k = 9; k < kPhrases; ++k) categories.push_back({category_of(k), "stuff" + std::to_string(k), false});

  double wall[2], cpu[2];
  std::vector<pgc::PqStats> per_image(n);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<ImageInputs> workers(static_cast<size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    pgc::parallel_for(n, threads, [&](size_t i, int w) {
      ImageInputs& in = workers[static_cast<size_t>(w)];
      build_image(i, in);
      if (pass == 0) return;
      std::vector<pgc::GroundedPhraseMask> phrases;
      for (int k = 0; k < kPhrases; ++k) phrases.push_back({&in.masks[k], category_of(k)});
      per_image[i] = pgc::grounded_pq_image_stats(in.gt_ids, kH, kW, in.gt_segments, {}, phrases, categories,
                                                  pgc::GroundedGtMode::kFull);
    });
    wall[pass] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu[pass] = cpu_seconds() - c0;
  }
  pgc::PqStats total;
  for (const auto& s : per_image) total.merge(s);
  const pgc::PqResult r = pgc::pq_score(total, categories);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("bench_grounded_pq: %zu images x %d phrases, %ux%u, threads=%d\n", n, kPhrases, kH, kW, threads);
  std::printf("  build inputs only:             wall %.3f s, cpu %.3f s\n", wall[0], cpu[0]);
  std::printf("  build inputs + PQ:             wall %.3f s, cpu %.3f s\n", wall[1], cpu[1]);
  std::printf("  PQ of grounded masks (diff):   wall %.3f s, cpu %.3f s\n", wall[1] - wall[0], cpu[1] - cpu[0]);
  std::printf("  PQ %.4f  PQ_th %.4f  PQ_st %.4f\n", r.all.pq.value_or(-1), r.things.pq.value_or(-1),
              r.stuff.pq.value_or(-1));
  std::printf("  peak memory (ru_maxrss): %.1f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}
