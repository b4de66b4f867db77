#include "metrics/rle.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace pgc {

namespace {

// Foreground intervals [begin, end) in column-major pixel order, in increasing order.
using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;

Intervals foreground_intervals(const Rle& rle) {
  Intervals out;
  uint64_t pos = 0;
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    const uint64_t next = pos + rle.counts[i];
    if (i % 2 == 1 && next > pos) {
      if (!out.empty() && out.back().second == pos) out.back().second = next;  // zero-length gap
      else out.emplace_back(pos, next);
    }
    pos = next;
  }
  return out;
}

// Walks the runs of ones of an RLE without allocating (the IoU inner loop).
class OnesCursor {
 public:
  explicit OnesCursor(const std::vector<uint32_t>& counts) : counts_(counts) { next(); }
  bool valid() const { return ones_index_ < counts_.size(); }
  // Moves to the next non-empty run of ones: [begin, end) in column-major pixel order.
  void next() {
    while (true) {
      ones_index_ += 2;
      if (ones_index_ >= counts_.size()) return;
      begin = end + counts_[ones_index_ - 1];
      end = begin + counts_[ones_index_];
      if (end > begin) return;
    }
  }
  uint64_t begin = 0, end = 0;

 private:
  const std::vector<uint32_t>& counts_;
  size_t ones_index_ = static_cast<size_t>(-1);  // odd indices hold runs of ones
};

// Canonical counts (no zero-length runs except a leading one) from sorted, disjoint intervals.
Rle rle_from_intervals(const Intervals& ones, uint32_t height, uint32_t width) {
  Rle r;
  r.height = height;
  r.width = width;
  uint64_t pos = 0;
  for (const auto& [b, e] : ones) {
    if (b == e) continue;
    if (!r.counts.empty() && b == pos) {  // touches the previous run: extend it
      r.counts.back() += static_cast<uint32_t>(e - b);
    } else {
      r.counts.push_back(static_cast<uint32_t>(b - pos));
      r.counts.push_back(static_cast<uint32_t>(e - b));
    }
    pos = e;
  }
  const uint64_t total = uint64_t{height} * width;
  if (pos < total || r.counts.empty()) r.counts.push_back(static_cast<uint32_t>(total - pos));
  return r;
}

void require_same_size(const Rle& a, const Rle& b) {
  if (a.height != b.height || a.width != b.width) {
    throw std::invalid_argument("mask sizes differ: " + std::to_string(a.height) + "x" +
                                std::to_string(a.width) + " vs " + std::to_string(b.height) +
                                "x" + std::to_string(b.width));
  }
}

template <typename PixelAt>
Rle encode_with(PixelAt pixel, uint32_t height, uint32_t width) {
  Rle r;
  r.height = height;
  r.width = width;
  const uint64_t n = uint64_t{height} * width;
  uint8_t previous = 0;
  uint32_t run = 0;
  for (uint64_t j = 0; j < n; ++j) {
    const uint8_t v = pixel(j) != 0;
    if (v != previous) {
      r.counts.push_back(run);
      run = 0;
      previous = v;
    }
    ++run;
  }
  r.counts.push_back(run);
  return r;
}

}  // namespace

Rle rle_encode_column_major(const uint8_t* mask, uint32_t height, uint32_t width) {
  return encode_with([mask](uint64_t j) { return mask[j]; }, height, width);
}

Rle rle_encode_row_major(const uint8_t* mask, uint32_t height, uint32_t width) {
  const uint64_t h = height, w = width;
  return encode_with([mask, h, w](uint64_t j) { return mask[(j % h) * w + j / h]; }, height, width);
}

std::vector<uint8_t> rle_decode_column_major(const Rle& rle) {
  const uint64_t total = uint64_t{rle.height} * rle.width;
  std::vector<uint8_t> mask(total, 0);
  uint64_t pos = 0;
  for (size_t i = 0; i < rle.counts.size() && pos < total; ++i) {
    const uint64_t end = std::min<uint64_t>(total, pos + rle.counts[i]);
    if (i % 2 == 1) std::fill(mask.begin() + pos, mask.begin() + end, uint8_t{1});
    pos = end;
  }
  return mask;
}

std::string rle_to_string(const Rle& rle) {
  std::string s;
  s.reserve(rle.counts.size() * 2);
  for (size_t i = 0; i < rle.counts.size(); ++i) {
    // Runs from the fourth on are stored relative to the run of the same value before them:
    // long masks have similar consecutive runs, so the differences are short.
    int64_t x = rle.counts[i];
    if (i > 2) x -= static_cast<int64_t>(rle.counts[i - 2]);
    bool more = true;
    while (more) {
      char c = static_cast<char>(x & 0x1f);
      x >>= 5;  // arithmetic shift: negative differences keep their sign
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      s.push_back(static_cast<char>(c + 48));
    }
  }
  return s;
}

std::string rle_check(const Rle& rle) {
  uint64_t sum = 0;
  for (uint32_t c : rle.counts) sum += c;
  const uint64_t total = uint64_t{rle.height} * rle.width;
  if (sum != total) {
    return "RLE runs add up to " + std::to_string(sum) + " pixels, expected " +
           std::to_string(rle.height) + "x" + std::to_string(rle.width) + " = " +
           std::to_string(total);
  }
  return {};
}

Rle rle_from_counts(std::vector<uint32_t> counts, uint32_t height, uint32_t width) {
  Rle r;
  r.height = height;
  r.width = width;
  r.counts = std::move(counts);
  if (std::string why = rle_check(r); !why.empty()) throw std::invalid_argument(why);
  return r;
}

Rle rle_from_string(const std::string& s, uint32_t height, uint32_t width) {
  std::vector<uint32_t> counts;
  size_t p = 0;
  while (p < s.size()) {
    int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= s.size()) throw std::invalid_argument("compressed RLE string ends inside a number");
      const int c = static_cast<unsigned char>(s[p]) - 48;
      if (c < 0 || c > 63) {
        throw std::invalid_argument("invalid character in compressed RLE string at offset " +
                                    std::to_string(p));
      }
      if (k >= 7) throw std::invalid_argument("run too long in compressed RLE string");
      x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= -(int64_t{1} << (5 * k));  // sign-extend
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0 || x > int64_t{UINT32_MAX}) {
      throw std::invalid_argument("negative or oversized run in compressed RLE string (run " +
                                  std::to_string(counts.size()) + ")");
    }
    counts.push_back(static_cast<uint32_t>(x));
  }
  return rle_from_counts(std::move(counts), height, width);
}

uint64_t rle_area(const Rle& rle) {
  uint64_t a = 0;
  for (size_t i = 1; i < rle.counts.size(); i += 2) a += rle.counts[i];
  return a;
}

std::array<double, 4> rle_to_bbox(const Rle& rle) {
  // Unsigned 32-bit arithmetic as in maskApi.c, so degenerate inputs give the same box.
  const uint32_t h = rle.height, w = rle.width;
  const size_t m = (rle.counts.size() / 2) * 2;  // a trailing run of zeros is ignored
  if (m == 0 || h == 0) return {0, 0, 0, 0};
  uint32_t xs = w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
  for (size_t j = 0; j < m; ++j) {
    cc += rle.counts[j];
    const uint32_t t = cc - static_cast<uint32_t>(j % 2);  // last pixel of a run of ones
    const uint32_t y = t % h, x = (t - y) / h;
    if (j % 2 == 0) {
      xp = x;
    } else if (xp < x) {  // the run of ones crosses a column boundary: full height
      ys = 0;
      ye = h - 1;
    }
    xs = std::min(xs, x);
    xe = std::max(xe, x);
    ys = std::min(ys, y);
    ye = std::max(ye, y);
  }
  return {double(xs), double(ys), double(xe - xs + 1), double(ye - ys + 1)};
}

uint64_t rle_intersection_area(const Rle& a, const Rle& b) {
  require_same_size(a, b);
  OnesCursor ca(a.counts), cb(b.counts);
  uint64_t inter = 0;
  while (ca.valid() && cb.valid()) {
    const uint64_t lo = std::max(ca.begin, cb.begin);
    const uint64_t hi = std::min(ca.end, cb.end);
    if (lo < hi) inter += hi - lo;
    if (ca.end < cb.end) ca.next(); else cb.next();
  }
  return inter;
}

Rle rle_merge(const std::vector<const Rle*>& masks, bool intersect) {
  if (masks.empty()) return Rle{};
  for (const Rle* m : masks) require_same_size(*masks[0], *m);
  const uint32_t h = masks[0]->height, w = masks[0]->width;
  if (!intersect) {
    Intervals all;
    for (const Rle* m : masks) {
      const Intervals iv = foreground_intervals(*m);
      all.insert(all.end(), iv.begin(), iv.end());
    }
    std::sort(all.begin(), all.end());
    Intervals merged;
    for (const auto& iv : all) {
      if (!merged.empty() && iv.first <= merged.back().second) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    return rle_from_intervals(merged, h, w);
  }
  Intervals acc = foreground_intervals(*masks[0]);
  for (size_t k = 1; k < masks.size(); ++k) {
    const Intervals other = foreground_intervals(*masks[k]);
    Intervals next;
    size_t i = 0, j = 0;
    while (i < acc.size() && j < other.size()) {
      const uint64_t lo = std::max(acc[i].first, other[j].first);
      const uint64_t hi = std::min(acc[i].second, other[j].second);
      if (lo < hi) next.emplace_back(lo, hi);
      if (acc[i].second < other[j].second) ++i; else ++j;
    }
    acc = std::move(next);
  }
  return rle_from_intervals(acc, h, w);
}

double rle_iou(const Rle& dt, const Rle& gt, bool gt_iscrowd) {
  require_same_size(dt, gt);
  const uint64_t inter = rle_intersection_area(dt, gt);
  if (inter == 0) return 0.0;
  const uint64_t dt_area = rle_area(dt);
  const uint64_t denom = gt_iscrowd ? dt_area : dt_area + rle_area(gt) - inter;
  return static_cast<double>(inter) / static_cast<double>(denom);
}

}  // namespace pgc
