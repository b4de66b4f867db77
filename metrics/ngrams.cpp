#include "metrics/ngrams.hpp"

#include <cstring>

#include "metrics/python_text.hpp"

namespace pgc {
namespace {

// FNV-1a then a 64-bit finalizer: words are short, this is fast and spreads well.
uint64_t hash_word(std::string_view w) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : w) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

size_t table_size_for(size_t entries) {
  size_t cap = 16;
  while (cap < entries * 2) cap *= 2;
  return cap;
}

}  // namespace

Vocabulary::Vocabulary() : slots_(1024, kMissing) {}

void Vocabulary::grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, kMissing);
  size_t mask = slots.size() - 1;
  for (uint32_t id = 0; id < words_.size(); ++id) {
    size_t s = hashes_[id] & mask;
    while (slots[s] != kMissing) s = (s + 1) & mask;
    slots[s] = id;
  }
  slots_.swap(slots);
}

uint32_t Vocabulary::find(std::string_view word) const {
  uint64_t h = hash_word(word);
  size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    uint32_t id = slots_[s];
    if (id == kMissing) return kMissing;
    if (hashes_[id] == h && words_[id] == word) return id;
  }
}

uint32_t Vocabulary::add(std::string_view word) {
  uint64_t h = hash_word(word);
  size_t mask = slots_.size() - 1;
  size_t s = h & mask;
  for (;; s = (s + 1) & mask) {
    uint32_t id = slots_[s];
    if (id == kMissing) break;
    if (hashes_[id] == h && words_[id] == word) return id;
  }
  uint32_t id = static_cast<uint32_t>(words_.size());
  storage_.emplace_back(word);
  words_.push_back(storage_.back());
  hashes_.push_back(h);
  slots_[s] = id;
  if (words_.size() * 2 > slots_.size()) grow();
  return id;
}

TokenIds Vocabulary::add_split(std::string_view caption) {
  thread_local std::vector<std::string_view> words;
  split_python_whitespace(caption, words);
  TokenIds ids(words.size());
  for (size_t i = 0; i < words.size(); ++i) ids[i] = add(words[i]);
  return ids;
}

TokenIds Vocabulary::add_split_single_space(std::string_view caption) {
  thread_local std::vector<std::string_view> words;
  split_single_space(caption, words);
  TokenIds ids(words.size());
  for (size_t i = 0; i < words.size(); ++i) ids[i] = add(words[i]);
  return ids;
}

NgramKey make_ngram(const uint32_t* w, int n) {
  NgramKey k;
  k.hi = (uint64_t{w[0]} << 32) | (n > 1 ? w[1] : 0xFFFFFFFFu);
  k.lo = (uint64_t{n > 2 ? w[2] : 0xFFFFFFFFu} << 32) | (n > 3 ? w[3] : 0xFFFFFFFFu);
  return k;
}

void CaptionNgrams::build(const uint32_t* words, size_t length, int max_n) {
  length_ = length;
  entries_.clear();
  size_t total = 0;
  for (int n = 1; n <= max_n; ++n) total += length >= size_t(n) ? length - n + 1 : 0;
  size_t cap = table_size_for(total);
  slots_.assign(cap, -1);
  size_t mask = cap - 1;
  offsets_.fill(0);
  for (int n = 1; n <= max_n; ++n) {
    for (size_t i = 0; i + n <= length; ++i) {
      NgramKey key = make_ngram(words + i, n);
      size_t s = key.hash() & mask;
      for (;; s = (s + 1) & mask) {
        int32_t e = slots_[s];
        if (e < 0) {
          slots_[s] = static_cast<int32_t>(entries_.size());
          entries_.push_back({key, 1});
          break;
        }
        if (entries_[e].key == key) { ++entries_[e].count; break; }
      }
    }
    offsets_[n] = entries_.size();
  }
  for (int n = max_n + 1; n <= kMaxN; ++n) offsets_[n] = entries_.size();
}

long CaptionNgrams::find(const NgramKey& key) const {
  if (slots_.empty()) return -1;
  size_t mask = slots_.size() - 1;
  for (size_t s = key.hash() & mask;; s = (s + 1) & mask) {
    int32_t e = slots_[s];
    if (e < 0) return -1;
    if (entries_[e].key == key) return e;
  }
}

}  // namespace pgc
