#include "metrics/cider.hpp"

#include <algorithm>
#include <cmath>

#include "core/thread_pool.hpp"

#include "metrics/strict_fp.hpp"  // parity to the last bit: no fused multiply-add

namespace pgc {
namespace {

// GCC folds pow(x, 2.0) into x*x, but the reference squares with numpy's scalar power, i.e.
// C pow(), which differs from x*x in the last bit for ~0.1% of inputs. Reading the exponent
// through a volatile keeps the real call.
volatile double g_two = 2.0;

// Python's math constant np.e; the reference computes np.e ** x with pow(), not exp().
constexpr double kNumpyE = 2.718281828459045;

}  // namespace

// ---- document frequencies ----

void CiderDocumentFrequency::Table::add(const NgramKey& key, uint32_t df, uint32_t image,
                                        bool once_per_image) {
  if (slots.empty() || (used + 1) * 10 > slots.size() * 7) {
    std::vector<Slot> old;
    old.swap(slots);
    slots.assign(std::max<size_t>(64, old.size() * 2), Slot{});
    for (const Slot& s : old) {
      if (!s.df) continue;
      size_t m = slots.size() - 1, i = s.key.hash() & m;
      while (slots[i].df) i = (i + 1) & m;
      slots[i] = s;
    }
  }
  size_t m = slots.size() - 1, i = key.hash() & m;
  for (;; i = (i + 1) & m) {
    Slot& s = slots[i];
    if (!s.df) {
      s.key = key;
      s.df = df;
      s.last_image = image;
      ++used;
      return;
    }
    if (s.key == key) {
      if (once_per_image && s.last_image == image) return;
      s.df += df;
      s.last_image = image;
      return;
    }
  }
}

void CiderDocumentFrequency::Table::reserve(size_t entries) {
  if (used || entries * 10 < slots.size() * 7) return;
  size_t cap = 64;
  while (cap * 7 < entries * 10) cap *= 2;
  slots.assign(cap, Slot{});
}

uint32_t CiderDocumentFrequency::Table::find(const NgramKey& key) const {
  if (slots.empty()) return 0;
  size_t m = slots.size() - 1;
  for (size_t i = key.hash() & m;; i = (i + 1) & m) {
    const Slot& s = slots[i];
    if (!s.df) return 0;
    if (s.key == key) return s.df;
  }
}

void CiderDocumentFrequency::add_image_to_shards(const std::vector<const TokenIds*>& refs,
                                                 uint32_t image, int shard_lo, int shard_hi) {
  // The tables are far larger than the caches: gather this image's n-grams first, then insert
  // them with the slot of the n-gram a few places ahead already prefetched.
  struct Pending {
    NgramKey key;
    uint64_t hash;
  };
  thread_local std::vector<Pending> pending;
  pending.clear();
  for (const TokenIds* ref : refs) {
    for (int n = 1; n <= CiderD::kN; ++n) {
      for (size_t i = 0; i + n <= ref->size(); ++i) {
        NgramKey key = make_ngram(ref->data() + i, n);
        uint64_t h = key.hash();
        int shard = shard_of(h);
        if (shard >= shard_lo && shard < shard_hi) pending.push_back({key, h});
      }
    }
  }
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (i + kAhead < pending.size()) {
      const Table& t = shards_[shard_of(pending[i + kAhead].hash)];
      if (!t.slots.empty()) __builtin_prefetch(&t.slots[pending[i + kAhead].hash & (t.slots.size() - 1)]);
    }
    shards_[shard_of(pending[i].hash)].add(pending[i].key, 1, image, true);
  }
}

void CiderDocumentFrequency::add_image(const std::vector<const TokenIds*>& refs) {
  // Image tags start at 1 so a fresh slot (tag 0) never looks already counted.
  add_image_to_shards(refs, static_cast<uint32_t>(++images_), 0, kShards);
}

CiderDocumentFrequency CiderDocumentFrequency::build(
    const std::vector<std::vector<const TokenIds*>>& refs_per_image, int threads) {
  CiderDocumentFrequency df;
  // Pre-size the tables for half of the n-gram occurrences (distinct n-grams are fewer than
  // occurrences; real text repeats many), which saves most rehashing without overshooting.
  size_t occurrences = 0;
  for (const auto& refs : refs_per_image)
    for (const TokenIds* r : refs)
      for (int n = 1; n <= CiderD::kN; ++n) occurrences += r->size() >= size_t(n) ? r->size() - n + 1 : 0;
  for (Table& t : df.shards_) t.reserve(occurrences / 2 / kShards);
  int workers = std::max(1, std::min(resolve_threads(threads), kShards));
  // Each worker owns a range of shards and scans every image, so no locks are needed and
  // the tables do not depend on the thread count.
  parallel_for(static_cast<size_t>(workers), workers, [&](size_t w, int) {
    int lo = static_cast<int>(w * kShards / workers), hi = static_cast<int>((w + 1) * kShards / workers);
    for (size_t i = 0; i < refs_per_image.size(); ++i)
      df.add_image_to_shards(refs_per_image[i], static_cast<uint32_t>(i + 1), lo, hi);
  });
  df.images_ = refs_per_image.size();
  return df;
}

void CiderDocumentFrequency::merge(const CiderDocumentFrequency& other) {
  for (int s = 0; s < kShards; ++s)
    for (const Slot& slot : other.shards_[s].slots)
      if (slot.df) shards_[s].add(slot.key, slot.df, 0, false);
  images_ += other.images_;
}

uint32_t CiderDocumentFrequency::df(const NgramKey& key) const {
  return shards_[shard_of(key.hash())].find(key);
}

size_t CiderDocumentFrequency::distinct_ngrams() const {
  size_t total = 0;
  for (const Table& t : shards_) total += t.used;
  return total;
}

// ---- scoring ----

CiderIdf::CiderIdf(const CiderDocumentFrequency& df)
    : images_(df.images()), log_images_(std::log(static_cast<double>(df.images()))) {
  std::vector<double> log_of(df.images() + 1);  // log(df) for every possible df
  for (size_t d = 0; d < log_of.size(); ++d) log_of[d] = std::log(std::max(1.0, static_cast<double>(d)));
  size_t frequent = 0;
  df.for_each([&](const NgramKey&, uint32_t d) { frequent += d >= 2; });
  size_t cap = 16;
  while (cap < frequent * 2) cap *= 2;
  slots_.assign(cap, Slot{});
  df.for_each([&](const NgramKey& key, uint32_t d) {
    if (d < 2) return;
    size_t m = cap - 1, i = key.hash() & m;
    while (!(slots_[i].key == NgramKey{})) i = (i + 1) & m;
    slots_[i] = Slot{key, log_of[std::min<size_t>(d, log_of.size() - 1)]};
    ++used_;
  });
}

CiderD::CiderD(const CiderIdf& idf) : idf_(idf) {}

void CiderD::vectorize(const CaptionNgrams& ngrams, Vec& v) const {
  const double two = g_two;
  v.ngrams = &ngrams;
  const size_t total = ngrams.distinct(1) + ngrams.distinct(2) + ngrams.distinct(3) + ngrams.distinct(4);
  v.weight.resize(total);
  // idf lookups miss the cache: fetch them all first, prefetching a few entries ahead, then
  // sum in the reference's order.
  constexpr size_t kAhead = 8;
  const NgramCount* entries = ngrams.begin(1);
  for (size_t i = 0; i < std::min(total, kAhead); ++i) idf_.prefetch(entries[i].key);
  for (size_t i = 0; i < total; ++i) {
    if (i + kAhead < total) idf_.prefetch(entries[i + kAhead].key);
    v.weight[i] = idf_.log_df(entries[i].key);
  }
  v.bigrams = 0;
  size_t index = 0;
  for (int n = 1; n <= kN; ++n) {
    double norm2 = 0.0;
    for (const NgramCount* e = ngrams.begin(n); e != ngrams.end(n); ++e, ++index) {
      double w = static_cast<double>(e->count) * (idf_.log_images() - v.weight[index]);
      v.weight[index] = w;
      norm2 += std::pow(w, two);
      if (n == 2) v.bigrams += e->count;
    }
    v.norm[n - 1] = std::sqrt(norm2);
  }
}

double CiderD::score(const TokenIds& candidate, const std::vector<const TokenIds*>& refs) {
  cand_ngrams_.build(candidate, kN);
  if (ref_ngrams_.size() < refs.size()) ref_ngrams_.resize(refs.size());
  std::vector<const CaptionNgrams*> ref_ptrs;
  for (size_t i = 0; i < refs.size(); ++i) {
    ref_ngrams_[i].build(*refs[i], kN);
    ref_ptrs.push_back(&ref_ngrams_[i]);
  }
  return score(cand_ngrams_, ref_ptrs);
}

double CiderD::score(const CaptionNgrams& candidate, const std::vector<const CaptionNgrams*>& refs) {
  vectorize(candidate, cand_);
  double score[kN] = {0.0, 0.0, 0.0, 0.0};
  for (const CaptionNgrams* ref : refs) {
    vectorize(*ref, ref_);
    const double delta = static_cast<double>(cand_.bigrams - ref_.bigrams);
    const double penalty = std::pow(kNumpyE, -(delta * delta) / (2 * kSigma * kSigma));
    size_t index = 0;
    for (int n = 1; n <= kN; ++n) {
      double val = 0.0;
      for (const NgramCount* e = cand_.ngrams->begin(n); e != cand_.ngrams->end(n); ++e, ++index) {
        long r = ref_.ngrams->find(e->key);
        double wr = r < 0 ? 0.0 : ref_.weight[r];
        val += std::min(cand_.weight[index], wr) * wr;  // clipping (CIDEr-D)
      }
      if (cand_.norm[n - 1] != 0 && ref_.norm[n - 1] != 0) val /= (cand_.norm[n - 1] * ref_.norm[n - 1]);
      val *= penalty;
      score[n - 1] += val;
    }
  }
  // np.mean over the 4 orders (left to right from -0.0, then 0.0 + sum), / #refs, x10.
  double avg = 0.0 + ((((-0.0 + score[0]) + score[1]) + score[2]) + score[3]);
  avg /= kN;
  avg /= static_cast<double>(refs.size());
  avg *= 10.0;
  return avg;
}

std::vector<double> CiderD::score_texts(const std::vector<std::string>& candidates,
                                        const std::vector<std::vector<std::string>>& refs) {
  Vocabulary vocab;
  std::vector<TokenIds> cand_ids;
  std::vector<std::vector<TokenIds>> ref_ids(refs.size());
  std::vector<std::vector<const TokenIds*>> ref_ptrs(refs.size());
  for (const auto& c : candidates) cand_ids.push_back(vocab.add_split(c));
  for (size_t i = 0; i < refs.size(); ++i)
    for (const auto& r : refs[i]) ref_ids[i].push_back(vocab.add_split(r));
  for (size_t i = 0; i < refs.size(); ++i)
    for (const auto& r : ref_ids[i]) ref_ptrs[i].push_back(&r);
  CiderIdf idf(CiderDocumentFrequency::build(ref_ptrs, 1));
  CiderD cider(idf);
  std::vector<double> scores;
  for (size_t i = 0; i < candidates.size(); ++i) scores.push_back(cider.score(cand_ids[i], ref_ptrs[i]));
  return scores;
}

}  // namespace pgc
