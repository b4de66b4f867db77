// Pattern nodes for the PTB lexer port; see ptb_pattern.hpp for why every end is tracked.
#include "caption/ptb_pattern.hpp"

#include <algorithm>

namespace pgc::ptb {

void unique_ends(std::vector<int>& v) {
  if (v.size() < 2) return;
  if (v.size() <= 16) {  // the usual case: a handful of ends; insertion sort beats std::sort
    for (size_t i = 1; i < v.size(); ++i)
      for (size_t j = i; j > 0 && v[j - 1] > v[j]; --j) std::swap(v[j - 1], v[j]);
  } else {
    std::sort(v.begin(), v.end());
  }
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

namespace {

char16_t ascii_lower(char16_t c) { return (c >= u'A' && c <= u'Z') ? char16_t(c + 32) : c; }
char16_t ascii_upper(char16_t c) { return (c >= u'a' && c <= u'z') ? char16_t(c - 32) : c; }

class SetNode : public Node {
 public:
  explicit SetNode(const CharSet& cs) : cs_(cs) {}
  void match(const Input& in, int pos, Scratch&, std::vector<int>& out) const override {
    if (pos < in.n && cs_.test(in.s[pos])) out.push_back(pos + 1);
  }
  void first(CharSet& fs) const override { fs |= cs_; }
  bool nullable() const override { return false; }
  bool test(char16_t c) const { return cs_.test(c); }

 private:
  CharSet cs_;
};

class LitNode : public Node {
 public:
  explicit LitNode(std::u16string t) : lower_(std::move(t)) {
    for (auto& c : lower_) c = ascii_lower(c);
  }
  void match(const Input& in, int pos, Scratch&, std::vector<int>& out) const override {
    const int len = static_cast<int>(lower_.size());
    if (pos + len > in.n) return;
    for (int i = 0; i < len; ++i)
      if (ascii_lower(in.s[pos + i]) != lower_[i]) return;
    out.push_back(pos + len);
  }
  void first(CharSet& fs) const override {
    if (lower_.empty()) return;
    fs.set(lower_[0]);
    fs.set(ascii_upper(lower_[0]));
  }
  bool nullable() const override { return lower_.empty(); }

 private:
  std::u16string lower_;
};

// lit | lit | ...: only the literals whose first letter matches are compared.
class LitAltNode : public Node {
 public:
  explicit LitAltNode(std::vector<std::u16string> words) {
    for (auto& w : words) {
      for (auto& ch : w) ch = ascii_lower(ch);
      if (w.empty()) {
        has_empty_ = true;
        continue;
      }
      buckets_[w[0] & 0x7F].push_back(w);
      first_.set(w[0]);
      first_.set(ascii_upper(w[0]));
    }
  }
  void match(const Input& in, int pos, Scratch&, std::vector<int>& out) const override {
    if (has_empty_) out.push_back(pos);
    if (pos >= in.n) return;
    const char16_t c0 = ascii_lower(in.s[pos]);
    if (!first_.test(c0)) return;
    for (const auto& w : buckets_[c0 & 0x7F]) {
      const int len = static_cast<int>(w.size());
      if (w[0] != c0 || pos + len > in.n) continue;
      int i = 1;
      while (i < len && ascii_lower(in.s[pos + i]) == w[i]) ++i;
      if (i == len) out.push_back(pos + len);
    }
  }
  void first(CharSet& fs) const override { fs |= first_; }
  bool nullable() const override { return has_empty_; }

 private:
  std::vector<std::u16string> buckets_[128];
  CharSet first_;
  bool has_empty_ = false;
};

// Caches a shared sub-pattern's ends at a position: rules repeat WORD, ABBREV1, ACRO...
class MemoNode : public Node {
 public:
  explicit MemoNode(Pat p) : p_(std::move(p)) {}
  void match(const Input& in, int pos, Scratch& sc, std::vector<int>& out) const override {
    if (const std::vector<int>* hit = sc.memo_find(this, pos)) {
      out.insert(out.end(), hit->begin(), hit->end());
      return;
    }
    std::vector<int>& ends = sc.take();
    p_->match(in, pos, sc, ends);
    unique_ends(ends);
    sc.memo_store(this, pos, ends);
    out.insert(out.end(), ends.begin(), ends.end());
    sc.give_back();
  }
  void first(CharSet& fs) const override { p_->first(fs); }
  bool nullable() const override { return p_->nullable(); }

 private:
  Pat p_;
};

class SeqNode : public Node {
 public:
  explicit SeqNode(std::vector<Pat> parts) : parts_(std::move(parts)) {}
  void match(const Input& in, int pos, Scratch& sc, std::vector<int>& out) const override {
    std::vector<int>& cur = sc.take();
    std::vector<int>& nxt = sc.take();
    cur.push_back(pos);
    for (const auto& p : parts_) {
      nxt.clear();
      for (int q : cur) p->match(in, q, sc, nxt);
      unique_ends(nxt);
      cur.swap(nxt);
      if (cur.empty()) break;
    }
    out.insert(out.end(), cur.begin(), cur.end());
    sc.give_back(2);
  }
  void first(CharSet& fs) const override {
    for (const auto& p : parts_) {
      p->first(fs);
      if (!p->nullable()) return;
    }
  }
  bool nullable() const override {
    for (const auto& p : parts_)
      if (!p->nullable()) return false;
    return true;
  }

 private:
  std::vector<Pat> parts_;
};

class AltNode : public Node {
 public:
  explicit AltNode(std::vector<Pat> parts) : parts_(std::move(parts)) {}
  void match(const Input& in, int pos, Scratch& sc, std::vector<int>& out) const override {
    for (const auto& p : parts_) p->match(in, pos, sc, out);
  }
  void first(CharSet& fs) const override {
    for (const auto& p : parts_) p->first(fs);
  }
  bool nullable() const override {
    for (const auto& p : parts_)
      if (p->nullable()) return true;
    return false;
  }

 private:
  std::vector<Pat> parts_;
};

class RepNode : public Node {
 public:
  RepNode(Pat p, int min, int max) : p_(std::move(p)), min_(min), max_(max) {
    if (auto* s = dynamic_cast<const SetNode*>(p_.get())) set_ = s;
  }
  void match(const Input& in, int pos, Scratch& sc, std::vector<int>& out) const override {
    if (set_) {  // a repeated character class: the ends are simply a range
      int end = pos;
      while (end < in.n && (max_ < 0 || end - pos < max_) && set_->test(in.s[end])) ++end;
      for (int e = pos + min_; e <= end; ++e) out.push_back(e);
      return;
    }
    std::vector<int>& cur = sc.take();
    std::vector<int>& nxt = sc.take();
    cur.push_back(pos);
    if (min_ == 0) out.push_back(pos);
    if (max_ < 0) {  // unbounded: expand every reachable end once
      Scratch::Visited& seen = sc.enter_visited(pos);
      if (min_ == 0) seen.insert(pos);
      for (int count = 1; !cur.empty(); ++count) {
        nxt.clear();
        for (int q : cur) p_->match(in, q, sc, nxt);
        unique_ends(nxt);
        if (count >= min_) {  // drop ends already expanded: their continuations are known
          size_t k = 0;
          for (int e : nxt)
            if (seen.insert(e)) nxt[k++] = e;
          nxt.resize(k);
          out.insert(out.end(), nxt.begin(), nxt.end());
        }
        cur.swap(nxt);
      }
      sc.leave_visited();
    } else {
      for (int count = 1; !cur.empty() && count <= max_; ++count) {
        nxt.clear();
        for (int q : cur) p_->match(in, q, sc, nxt);
        unique_ends(nxt);
        if (count >= min_) out.insert(out.end(), nxt.begin(), nxt.end());
        cur.swap(nxt);
      }
    }
    sc.give_back(2);
  }
  void first(CharSet& fs) const override { p_->first(fs); }
  bool nullable() const override { return min_ == 0 || p_->nullable(); }

 private:
  Pat p_;
  int min_, max_;
  const SetNode* set_ = nullptr;
};

}  // namespace

Pat set(const CharSet& cs) { return std::make_shared<SetNode>(cs); }
Pat lit(const std::u16string& text) { return std::make_shared<LitNode>(text); }
Pat seq(std::initializer_list<Pat> parts) { return std::make_shared<SeqNode>(std::vector<Pat>(parts)); }
Pat alt(std::initializer_list<Pat> parts) { return std::make_shared<AltNode>(std::vector<Pat>(parts)); }
Pat alt_lits(std::initializer_list<const char16_t*> words) {
  std::vector<std::u16string> w;
  for (const char16_t* x : words) w.emplace_back(x);
  return std::make_shared<LitAltNode>(std::move(w));
}
Pat memo(Pat p) { return std::make_shared<MemoNode>(std::move(p)); }
Pat rep(Pat p, int min, int max) { return std::make_shared<RepNode>(std::move(p), min, max); }

CharSet chars(const std::u16string& members) {
  CharSet cs;
  for (char16_t c : members) cs.set(c);
  return cs;
}
CharSet range(char16_t lo, char16_t hi) {
  CharSet cs;
  for (uint32_t c = lo; c <= hi; ++c) cs.set(c);
  return cs;
}
CharSet negate(const CharSet& cs) { return ~cs; }

}  // namespace pgc::ptb
