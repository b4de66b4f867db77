#pragma once
// A tiny pattern engine for the PTB lexer port (caption/ptb_lexer.cpp): patterns are trees of
// character sets, literals, sequences, alternatives and repetitions over UTF-16 code units, and
// matching returns EVERY end position a pattern can reach from a start position. JFlex picks the
// longest match over all rules and splits trailing-context rules `r1/r2` at the longest r1 whose
// rest matches r2; both need the full set of ends, not just a greedy one, so a backtracking or
// greedy matcher would not do. Patterns are built once and immutable: matching is thread-safe
// (all scratch space lives in a caller-owned Scratch).
#include <algorithm>
#include <bitset>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace pgc::ptb {

using CharSet = std::bitset<65536>;

// Reusable vectors for intermediate end sets (a stack; one Scratch per thread / call).
class Scratch {
 public:
  std::vector<int>& take() {
    if (depth_ == pool_.size()) pool_.emplace_back();
    auto& v = pool_[depth_++];
    v.clear();
    return v;
  }
  void give_back(size_t n = 1) { depth_ -= n; }

  // Memo of shared sub-patterns' ends (see memo()); valid while the text does not change.
  const std::vector<int>* memo_find(const void* node, int pos) const {
    for (const auto& m : memo_)
      if (m.node == node && m.pos == pos) return &m.ends;
    return nullptr;
  }
  void memo_store(const void* node, int pos, const std::vector<int>& ends) {
    if (memo_.size() >= 64) memo_.erase(memo_.begin(), memo_.begin() + 32);
    memo_.push_back({node, pos, ends});
  }
  void memo_clear() { memo_.clear(); }

  // "Already reached" marks for an unbounded repetition, one table per nesting level, so a
  // star over a long run costs O(run) rather than O(run^2) (positions relative to `base`).
  class Visited {
   public:
    bool insert(int pos) {  // true if pos was not marked yet
      const size_t i = static_cast<size_t>(pos - base_);
      if (i >= stamp_.size()) stamp_.resize(std::max<size_t>(i + 1, stamp_.size() * 2), 0);
      if (stamp_[i] == gen_) return false;
      stamp_[i] = gen_;
      return true;
    }

   private:
    friend class Scratch;
    std::vector<uint32_t> stamp_;
    uint32_t gen_ = 0;
    int base_ = 0;
  };
  Visited& enter_visited(int base) {
    if (visit_depth_ == visited_.size()) visited_.emplace_back();
    Visited& v = visited_[visit_depth_++];
    if (++v.gen_ == 0) {  // wrapped: clear old marks
      std::fill(v.stamp_.begin(), v.stamp_.end(), 0u);
      v.gen_ = 1;
    }
    v.base_ = base;
    return v;
  }
  void leave_visited() { --visit_depth_; }

 private:
  std::deque<Visited> visited_;
  size_t visit_depth_ = 0;
  struct MemoEntry {
    const void* node;
    int pos;
    std::vector<int> ends;
  };
  std::deque<std::vector<int>> pool_;  // a deque: growing it keeps references valid
  size_t depth_ = 0;
  std::vector<MemoEntry> memo_;
};

struct Input {
  const char16_t* s;
  int n;
};

class Node {
 public:
  virtual ~Node() = default;
  // Appends every end position reachable from `pos` (duplicates allowed).
  virtual void match(const Input& in, int pos, Scratch& sc, std::vector<int>& out) const = 0;
  // Adds the code units a match can start with (used to skip rules quickly).
  virtual void first(CharSet& fs) const = 0;
  virtual bool nullable() const = 0;
};
using Pat = std::shared_ptr<const Node>;

// Builders. Literal strings are %caseless as in PTBLexer.flex (ASCII letters match either
// case); character sets are case-sensitive, exactly as JFlex treats classes.
Pat set(const CharSet& cs);
Pat lit(const std::u16string& text);
Pat seq(std::initializer_list<Pat> parts);
Pat alt(std::initializer_list<Pat> parts);
Pat alt_lits(std::initializer_list<const char16_t*> words);  // lit | lit | ...
Pat rep(Pat p, int min, int max);                            // max < 0: unbounded
Pat memo(Pat p);  // same matches, cached per position in the Scratch (for shared macros)
inline Pat opt(Pat p) { return rep(std::move(p), 0, 1); }
inline Pat star(Pat p) { return rep(std::move(p), 0, -1); }
inline Pat plus(Pat p) { return rep(std::move(p), 1, -1); }

// Character-set construction helpers.
CharSet chars(const std::u16string& members);
CharSet range(char16_t lo, char16_t hi);
CharSet negate(const CharSet& cs);

// Sorts and removes duplicate positions.
void unique_ends(std::vector<int>& v);

}  // namespace pgc::ptb
