#pragma once
// Words as integer ids and the n-grams (n = 1..4) of one caption, shared by BLEU, ROUGE-L and
// CIDEr-D. An n-gram is keyed exactly by its word ids (never by a hash alone), and a caption's
// distinct n-grams are kept per order in first-occurrence order: that is the iteration order of
// the Python dicts pycocoevalcap sums over, which fixes CIDEr-D's floating-point sums.
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace pgc {

using TokenIds = std::vector<uint32_t>;

// Interns words: equal strings get equal ids. Not thread-safe for add(); find() is safe when
// nobody adds.
class Vocabulary {
 public:
  Vocabulary();
  uint32_t add(std::string_view word);
  // kMissing when the word was never added.
  uint32_t find(std::string_view word) const;
  size_t size() const { return words_.size(); }
  std::string_view word(uint32_t id) const { return words_[id]; }
  // Python `str.split()` then add(): the words BLEU and CIDEr-D see.
  TokenIds add_split(std::string_view caption);
  // Python `str.split(" ")` then add(): the words ROUGE-L sees.
  TokenIds add_split_single_space(std::string_view caption);
  static constexpr uint32_t kMissing = 0xFFFFFFFFu;

 private:
  void grow();
  std::deque<std::string> storage_;  // stable addresses for the views below
  std::vector<std::string_view> words_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> slots_;  // open addressing over word indices; kMissing = empty
};

// Up to four word ids; unused positions hold 0xFFFFFFFF, so n is part of the key.
struct NgramKey {
  uint64_t hi = ~0ull, lo = ~0ull;
  bool operator==(const NgramKey& o) const { return hi == o.hi && lo == o.lo; }
  // hi * odd + lo is one-to-one in hi for a fixed lo (n <= 2), then fully mixed.
  uint64_t hash() const { return mix(hi * 0x9E3779B97F4A7C15ull + lo); }
  // murmur3's 64-bit finalizer: every input bit reaches every output bit, so both the low bits
  // (table slots) and the high bits (shards) are well spread.
  static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
  }
};

NgramKey make_ngram(const uint32_t* words, int n);

struct NgramCount {
  NgramKey key;
  uint32_t count;
};

// The distinct n-grams of one caption for n = 1..max_n with their counts. Reusable: build()
// keeps its buffers, so a worker scoring many captions allocates once.
class CaptionNgrams {
 public:
  static constexpr int kMaxN = 4;
  void build(const uint32_t* words, size_t length, int max_n = kMaxN);
  void build(const TokenIds& words, int max_n = kMaxN) { build(words.data(), words.size(), max_n); }
  size_t length() const { return length_; }  // number of words
  // Distinct n-grams of order n (1-based) in first-occurrence order.
  const NgramCount* begin(int n) const { return entries_.data() + offsets_[n - 1]; }
  const NgramCount* end(int n) const { return entries_.data() + offsets_[n]; }
  size_t distinct(int n) const { return offsets_[n] - offsets_[n - 1]; }
  // Index into the entries (as begin(1)[index]) or -1 when absent.
  long find(const NgramKey& key) const;
  uint32_t count(const NgramKey& key) const {
    long i = find(key);
    return i < 0 ? 0 : entries_[i].count;
  }
  const NgramCount& entry(long index) const { return entries_[index]; }

 private:
  std::vector<NgramCount> entries_;
  std::array<size_t, kMaxN + 1> offsets_{};
  std::vector<int32_t> slots_;  // open addressing over entries_; -1 = empty
  size_t length_ = 0;
};

}  // namespace pgc
