// `pgc grounded` end to end (issue 6): 5,000 images x 13 phrases with 640x480 RLE masks, every
// metric except the BERT mapping (categories are given, the recall's text similarity comes from
// a table): caption metrics (BLEU, METEOR, ROUGE-L, CIDEr-D, CAPTURE in elements mode without
// the soft stage), PQ of the grounded masks, GCG (AP/AP50, mIoU, recall + recall_skip).
//
// Step 1 writes the inputs to a folder: GT JSONL + 5,000 panoptic PNGs (13 ellipses each: 9
// person instances, 4 stuff classes, painted in order), predictions JSONL (the ellipses jittered,
// compressed RLE, category ids; captions reworded), the similarity table and CAPTURE elements.
// Step 2 runs the pgc binary on them three times (everything; pq,gcg; caption) and reports each
// run's wall time, CPU time (user + sys of the child) and peak memory (the child's ru_maxrss).
// Usage: bench_grounded [images=5000] [threads=0] [pgc=<dir of this program>/../pgc] [dir=/tmp/...]
#include <spng.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "caption/pgc_jsonl.hpp"
#include "core/thread_pool.hpp"
#include "panoptic/panoptic_io.hpp"

namespace {

namespace fs = std::filesystem;

constexpr uint32_t kH = 480, kW = 640;
constexpr int kPhrases = 13;
const char* kNouns[kPhrases] = {"man",  "woman", "child", "player", "rider",  "runner", "walker",
                                "girl", "boy",   "sky",   "grass",  "tree",   "road"};

int64_t category_of(int k) { return k < 9 ? 1 : 178 + k; }  // 187 sky, 188.., all COCO stuff ids

struct Ellipse {
  double cx, cy, rx, ry;
};

// The rows [y0, y1) of column x inside the ellipse (pixel centres), clipped to the image.
void column_range(const Ellipse& e, uint32_t x, uint32_t& y0, uint32_t& y1) {
  const double dx = (x + 0.5 - e.cx) / e.rx;
  y0 = y1 = 0;
  if (dx * dx >= 1) return;
  const double half = e.ry * std::sqrt(1 - dx * dx);
  const double lo = std::ceil(e.cy - half - 0.5), hi = std::floor(e.cy + half - 0.5);  // inclusive rows
  const double a = std::max(0.0, lo), b = std::min<double>(kH - 1, hi);
  if (b < a) return;
  y0 = uint32_t(a);
  y1 = uint32_t(b) + 1;
}

// The ellipse's mask as COCO RLE, built column by column (column-major runs).
pgc::Rle ellipse_rle(const Ellipse& e) {
  pgc::Rle r;
  r.height = kH;
  r.width = kW;
  uint64_t last_end = 0;  // index after the last run of ones
  for (uint32_t x = 0; x < kW; ++x) {
    uint32_t y0, y1;
    column_range(e, x, y0, y1);
    if (y0 == y1) continue;
    const uint64_t begin = uint64_t(x) * kH + y0, end = uint64_t(x) * kH + y1;
    if (!r.counts.empty() && begin == last_end) {
      r.counts.back() += uint32_t(end - begin);  // continues the previous column's run
    } else {
      r.counts.push_back(uint32_t(begin - last_end));
      r.counts.push_back(uint32_t(end - begin));
    }
    last_end = end;
  }
  if (last_end < uint64_t(kH) * kW) r.counts.push_back(uint32_t(uint64_t(kH) * kW - last_end));
  return r;
}

// The PNG writer of the inputs: zlib level 1, Sub filter (input generation should not dominate
// the benchmark; pgc's fast decoder path handles any filter).
std::string fast_png(const pgc::RgbImage& image) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, 1);
  spng_set_option(ctx, SPNG_FILTER_CHOICE, SPNG_FILTER_CHOICE_SUB);
  spng_ihdr ihdr{};
  ihdr.width = image.width;
  ihdr.height = image.height;
  ihdr.bit_depth = 8;
  ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  spng_set_ihdr(ctx, &ihdr);
  int err = spng_encode_image(ctx, image.rgb.data(), image.pixels() * 3, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  size_t len = 0;
  void* buf = err ? nullptr : spng_get_png_buffer(ctx, &len, &err);
  spng_ctx_free(ctx);
  if (!buf) throw std::runtime_error(std::string("PNG encode failed: ") + spng_strerror(err));
  std::string out(static_cast<const char*>(buf), len);
  std::free(buf);
  return out;
}

std::string label(int k) { return std::string(k < 9 ? "the " : "a patch of ") + kNouns[k]; }

// Caption "label0, then label1, then ... ." and the code-point spans of the labels.
std::string caption_with(const std::string& joiner, std::vector<std::pair<size_t, size_t>>& spans) {
  std::string c;
  spans.clear();
  for (int k = 0; k < kPhrases; ++k) {
    if (k) c += joiner;
    spans.emplace_back(c.size(), c.size() + label(k).size());  // ASCII: bytes = code points
    c += label(k);
  }
  return c + ".";
}

void build_image(size_t i, const fs::path& dir, pgc::PgcGroundTruth& gt, pgc::PgcPrediction& pred) {
  std::mt19937_64 rng(i * 7919 + 1);
  std::uniform_real_distribution<double> cx(0, kW), cy(0, kH), r(20, 160), jitter(-6, 6);
  std::vector<uint32_t> ids(size_t{kH} * kW, 0);
  pgc::RgbImage png;
  png.width = kW;
  png.height = kH;
  png.rgb.assign(size_t{kH} * kW * 3, 0);
  gt = pgc::PgcGroundTruth{};
  pred = pgc::PgcPrediction{};
  gt.image_id = {std::to_string(i + 1), true};
  pred.image_id = gt.image_id;
  gt.height = kH;
  gt.width = kW;
  std::vector<std::pair<size_t, size_t>> spans;
  gt.caption = caption_with(", then ", spans);
  for (int k = 0; k < kPhrases; ++k) gt.spans.push_back({spans[k].first, spans[k].second, {k + 1}, {}});
  pred.caption = caption_with(" next to ", spans);
  for (int k = 0; k < kPhrases; ++k) {
    const Ellipse e{cx(rng), cy(rng), r(rng), r(rng)};
    const Ellipse p{e.cx + jitter(rng), e.cy + jitter(rng), e.rx + jitter(rng), e.ry + jitter(rng)};
    for (uint32_t x = 0; x < kW; ++x) {
      uint32_t y0, y1;
      column_range(e, x, y0, y1);
      for (uint32_t y = y0; y < y1; ++y) ids[size_t{y} * kW + x] = uint32_t(k + 1);
    }
    pgc::PredictedPhrase ph;
    ph.start = spans[k].first;
    ph.end = spans[k].second;
    ph.text = label(k);
    ph.mask = ellipse_rle(p);
    if (i == 0) {  // the column-wise RLE equals pycocotools-style encoding of the painted mask
      std::vector<uint8_t> m(size_t{kH} * kW, 0);
      for (uint32_t x = 0; x < kW; ++x) {
        uint32_t y0, y1;
        column_range(p, x, y0, y1);
        for (uint32_t y = y0; y < y1; ++y) m[size_t{y} * kW + x] = 1;
      }
      if (pgc::rle_encode_row_major(m.data(), kH, kW) != *ph.mask) throw std::logic_error("ellipse_rle is wrong");
    }
    ph.category_id = category_of(k);
    pred.phrases.push_back(std::move(ph));
  }
  std::vector<uint64_t> area(kPhrases + 1, 0);
  for (size_t px = 0; px < ids.size(); ++px) {
    png.rgb[3 * px] = uint8_t(ids[px]);
    ++area[ids[px]];
  }
  for (int k = 0; k < kPhrases; ++k) {
    pgc::PanopticSegmentInfo s;
    s.id = k + 1;
    s.category_id = category_of(k);
    s.area = area[k + 1];
    gt.segments_info.push_back(s);
  }
  gt.panoptic_png = "png/" + gt.image_id.key + ".png";
  std::ofstream(dir / gt.panoptic_png, std::ios::binary) << fast_png(png);
}

// {"<id>": [ELEMENTS]} for the GT side (refs) or {"<id>": ELEMENTS} for predictions.
std::string capture_elements(size_t n, bool refs) {
  std::string out = "{";
  for (size_t i = 0; i < n; ++i) {
    std::string objects;
    for (int k = 0; k < kPhrases; ++k) objects += std::string(k ? ", " : "") + "\"" + kNouns[(k + (refs ? 0 : i % 3)) % kPhrases] + "\"";
    const std::string el = "{\"objects\": [" + objects + "], \"attributes\": {\"sky\": [\"blue\"]}, \"relations\": "
                           "[[\"man\", \"next to\", \"woman\"]]}";
    out += std::string(i ? ",\n" : "") + "\"" + std::to_string(i + 1) + "\": " + (refs ? "[" + el + "]" : el);
  }
  return out + "}\n";
}

struct RunStats {
  int rc = -1;
  double wall = 0, cpu = 0, maxrss_mb = 0;
};

RunStats run_child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);  // the results table; the numbers go to --json
    dup2(null_fd, 1);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  RunStats s;
  s.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  s.maxrss_mb = ru.ru_maxrss / 1024.0;
  s.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  const int threads = pgc::resolve_threads(argc > 2 ? std::atoi(argv[2]) : 0);
  const std::string pgc_bin =
      argc > 3 ? argv[3] : (fs::absolute(argv[0]).parent_path().parent_path() / "pgc").string();
  const fs::path dir = argc > 4 ? fs::path(argv[4]) : fs::temp_directory_path() / ("pgc_bench_grounded_" + std::to_string(getpid()));
  fs::create_directories(dir / "png");

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<pgc::PgcGroundTruth> gts(n);
  std::vector<pgc::PgcPrediction> preds(n);
  pgc::parallel_for(n, threads, [&](size_t i, int) { build_image(i, dir, gts[i], preds[i]); });
  pgc::write_ground_truth((dir / "gt.jsonl").string(), gts);
  pgc::write_predictions((dir / "pred.jsonl").string(), preds);
  std::string sim = "{";
  for (int g = 0; g < kPhrases; ++g)
    for (int p = 0; p < kPhrases; ++p)
      sim += std::string(sim.size() > 1 ? ", " : "") + "\"" + label(g) + "|" + label(p) + "\": " + (g == p ? "0.9" : "0.3");
  std::ofstream(dir / "sim.json") << sim << "}\n";
  std::ofstream(dir / "el_gt.json") << capture_elements(n, true);
  std::ofstream(dir / "el_pred.json") << capture_elements(n, false);
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  gts.clear();
  preds.clear();
  std::printf("bench_grounded: %zu images x %d phrases, %ux%u RLE masks, threads=%d, inputs in %s (%.1f s to write; "
              "pred.jsonl %.1f MB)\n",
              n, kPhrases, kH, kW, threads, dir.c_str(), gen, fs::file_size(dir / "pred.jsonl") / 1e6);

  const std::vector<std::string> base = {pgc_bin, "grounded", "--gt", (dir / "gt.jsonl").string(), "--pred",
                                         (dir / "pred.jsonl").string(), "--threads", std::to_string(threads), "--quiet"};
  const std::vector<std::string> gcg = {"--text-similarity", (dir / "sim.json").string(), "--recall-skip"};
  const std::vector<std::string> caption = {"--caption-metrics", "bleu,meteor,rouge,cider,capture", "--capture-mode",
                                            "elements", "--capture-elements-gt", (dir / "el_gt.json").string(),
                                            "--capture-elements-pred", (dir / "el_pred.json").string(),
                                            "--capture-no-soft"};
  struct Variant {
    const char* name;
    std::string metrics;
    bool with_gcg, with_caption;
  };
  const Variant variants[] = {{"all (caption+CAPTURE, pq, gcg)", "caption,pq,gcg", true, true},
                              {"pq,gcg", "pq,gcg", true, false},
                              {"caption+CAPTURE", "caption", false, true}};
  int rc = 0;
  for (const auto& v : variants) {
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--metrics", v.metrics, "--json", (dir / "result.json").string()});
    if (v.with_gcg) args.insert(args.end(), gcg.begin(), gcg.end());
    if (v.with_caption) args.insert(args.end(), caption.begin(), caption.end());
    const RunStats s = run_child(args);
    std::printf("  %-32s rc %d  wall %7.2f s  cpu %7.2f s  peak memory %7.1f MB\n", v.name, s.rc, s.wall, s.cpu,
                s.maxrss_mb);
    rc |= s.rc;
  }
  if (argc <= 4) fs::remove_all(dir);
  return rc;
}
