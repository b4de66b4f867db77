// CAPTURE's matching and weighting, stage for stage as the reference's capture.py
// (compute_match, compute_f_score, compute_synonyms_score, compute_score). The order of
// floating-point operations follows the Python expressions so results agree to the last bit
// on the same inputs. Spec: shared/specs/capture.md §3; quirks: docs/capture.md.
#include "metrics/capture.hpp"
#include "metrics/numpy_mean.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "core/thread_pool.hpp"

namespace pgc {

const std::array<const char*, 10> kCaptureValueNames = {
    "CAPTURE",          "precision_object",    "recall_object",    "f1_object",
    "precision_attribute", "recall_attribute", "f1_attribute",     "precision_relation",
    "recall_relation",  "f1_relation"};

// ---------------------------------------------------------------------------------------
// Python's str.split() with no argument: split on runs of Unicode whitespace.

namespace {

// Length of the whitespace character starting at s[i] (Python str.isspace), 0 if none.
size_t python_space_at(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) ? 1 : 0;
  auto byte = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  if (c == 0xC2) return (byte(i + 1) == 0x85 || byte(i + 1) == 0xA0) ? 2 : 0;  // U+0085, U+00A0
  if (c == 0xE1) return (byte(i + 1) == 0x9A && byte(i + 2) == 0x80) ? 3 : 0;  // U+1680
  if (c == 0xE2 && byte(i + 1) == 0x80) {                                      // U+2000..U+202F
    unsigned t = byte(i + 2);
    return ((t >= 0x80 && t <= 0x8A) || t == 0xA8 || t == 0xA9 || t == 0xAF) ? 3 : 0;
  }
  if (c == 0xE2) return (byte(i + 1) == 0x81 && byte(i + 2) == 0x9F) ? 3 : 0;  // U+205F
  if (c == 0xE3) return (byte(i + 1) == 0x80 && byte(i + 2) == 0x80) ? 3 : 0;  // U+3000
  return 0;
}

}  // namespace

std::vector<std::string> python_str_split(const std::string& s) {
  std::vector<std::string> parts;
  size_t i = 0, start = std::string::npos;
  while (i < s.size()) {
    size_t w = python_space_at(s, i);
    if (w > 0) {
      if (start != std::string::npos) parts.push_back(s.substr(start, i - start));
      start = std::string::npos;
      i += w;
    } else {
      if (start == std::string::npos) start = i;
      ++i;
    }
  }
  if (start != std::string::npos) parts.push_back(s.substr(start));
  return parts;
}

namespace {

// Python: len(s.split()) == 0.
bool python_all_space(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    size_t w = python_space_at(s, i);
    if (w == 0) return false;
    i += w;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k) out += sep;
    out += parts[k];
  }
  return out;
}

bool sorted_ids_intersect(const std::vector<unsigned>& a, const std::vector<unsigned>& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) return true;
    if (a[i] < b[j]) ++i; else ++j;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// numpy's pairwise float32 summation (numpy/_core/src/umath/loops_utils.h.src), which
// np.sum(np.max(sim_mat, axis=...)) uses; the reduction starts from the identity 0.

float numpy_float32_sum(const float* values, size_t n) { return 0.f + numpy_pairwise_sum(values, n); }

// ---------------------------------------------------------------------------------------
// Similarity table

bool SimilarityTable::add(const std::string& key, double cosine) {
  const float value = static_cast<float>(cosine);
  bool fresh = true;
  for (size_t bar = key.find('|'); bar != std::string::npos; bar = key.find('|', bar + 1)) {
    auto c = cand_ids_.emplace(key.substr(0, bar), static_cast<uint32_t>(cand_ids_.size())).first->second;
    auto r = ref_ids_.emplace(key.substr(bar + 1), static_cast<uint32_t>(ref_ids_.size())).first->second;
    fresh = pairs_.emplace((static_cast<uint64_t>(c) << 32) | r, value).second && fresh;
  }
  if (fresh) ++keys_;
  return fresh;
}

uint32_t SimilarityTable::id_of(const std::unordered_map<std::string, uint32_t>& ids,
                                const std::string& s) const {
  auto it = ids.find(s);
  return it == ids.end() ? kAbsent : it->second;
}

float SimilarityTable::lookup(const std::string& cand, const std::string& ref) const {
  uint32_t c = id_of(cand_ids_, cand), r = id_of(ref_ids_, ref);
  if (c == kAbsent || r == kAbsent) return 0.f;
  auto it = pairs_.find((static_cast<uint64_t>(c) << 32) | r);
  return it == pairs_.end() ? 0.f : it->second;
}

std::vector<float> SimilarityTable::matrix(const std::vector<std::string>& cands,
                                           const std::vector<std::string>& refs) const {
  std::vector<uint32_t> ref_ids(refs.size());
  for (size_t j = 0; j < refs.size(); ++j) ref_ids[j] = id_of(ref_ids_, refs[j]);
  std::vector<float> m(cands.size() * refs.size(), 0.f);
  for (size_t i = 0; i < cands.size(); ++i) {
    uint32_t c = id_of(cand_ids_, cands[i]);
    if (c == kAbsent) continue;
    for (size_t j = 0; j < refs.size(); ++j) {
      if (ref_ids[j] == kAbsent) continue;
      auto it = pairs_.find((static_cast<uint64_t>(c) << 32) | ref_ids[j]);
      if (it != pairs_.end()) m[i * refs.size() + j] = it->second;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------
// Scores and statistics

std::array<double, 10> CapturePairScore::values() const {
  return {capture,            object.precision,    object.recall,    object.f1,
          attribute.precision, attribute.recall,   attribute.f1,     relation.precision,
          relation.recall,    relation.f1};
}

CapturePairScore CapturePairScore::from_values(const std::array<double, 10>& v) {
  CapturePairScore s;
  s.capture = v[0];
  s.object = {v[1], v[2], v[3]};
  s.attribute = {v[4], v[5], v[6]};
  s.relation = {v[7], v[8], v[9]};
  return s;
}

void CaptureStats::add(const CapturePairScore& pair) {
  auto v = pair.values();
  for (size_t k = 0; k < v.size(); ++k) sums[k] += v[k];
  ++references;
}

void CaptureStats::merge(const CaptureStats& other) {
  for (size_t k = 0; k < sums.size(); ++k) sums[k] += other.sums[k];
  references += other.references;
}

CapturePairScore CaptureStats::mean() const {
  if (references == 0) throw std::invalid_argument("CAPTURE: an image has no references");
  std::array<double, 10> v{};
  for (size_t k = 0; k < v.size(); ++k) v[k] = sums[k] / static_cast<double>(references);
  return CapturePairScore::from_values(v);
}

std::vector<double> CaptureStats::to_vector() const {
  std::vector<double> v(sums.begin(), sums.end());
  v.push_back(static_cast<double>(references));
  return v;
}

CaptureStats CaptureStats::from_vector(const std::vector<double>& v) {
  if (v.size() != 11 || !(v[10] >= 1) || v[10] != static_cast<double>(static_cast<size_t>(v[10])))
    throw std::invalid_argument("CAPTURE stats must be 10 sums and a positive reference count");
  CaptureStats s;
  std::copy(v.begin(), v.begin() + 10, s.sums.begin());
  s.references = static_cast<size_t>(v[10]);
  return s;
}

double capture_corpus_score(const std::vector<CaptureStats>& images) {
  if (images.empty()) throw std::invalid_argument("CAPTURE: no images to score");
  double sum = 0;
  for (const auto& s : images) sum += s.mean().capture;
  return sum / static_cast<double>(images.size());
}

// ---------------------------------------------------------------------------------------
// The scorer

CaptureScorer::CaptureScorer(CaptureOptions options, const SynonymLookup* synonyms,
                             const PhraseSimilarity* similarity)
    : options_(options), synonyms_(synonyms), similarity_(similarity) {
  if (options_.synonym_matching && synonyms_ == nullptr)
    throw std::invalid_argument("CAPTURE: synonym matching needs a WordNet synonym lookup");
  if (options_.alpha + options_.beta != 1.)  // the reference asserts this
    throw std::invalid_argument("CAPTURE: alpha + beta must equal 1");
}

std::shared_ptr<const std::vector<unsigned>> CaptureScorer::lemma_ids(const std::string& word) const {
  {
    std::shared_lock<std::shared_mutex> lock(memo_mu_);
    auto it = memo_.find(word);
    if (it != memo_.end()) return it->second;
  }
  // '_'.join(word.split()): multi-word elements are looked up as WordNet collocations.
  std::vector<std::string> names = synonyms_->lemma_names(join(python_str_split(word), "_"));
  std::unique_lock<std::shared_mutex> lock(memo_mu_);
  auto it = memo_.find(word);
  if (it != memo_.end()) return it->second;
  auto ids = std::make_shared<std::vector<unsigned>>();
  for (const auto& n : names) {
    auto ins = lemma_name_ids_.emplace(n, static_cast<unsigned>(lemma_name_ids_.size()));
    ids->push_back(ins.first->second);
  }
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  memo_.emplace(word, ids);
  return ids;
}

// One side of a synonym test; its WordNet lemma ids are resolved on first use.
struct CaptureScorer::SynTerm {
  const std::string* text = nullptr;
  const std::vector<unsigned>* lemmas = nullptr;  // owned by the scorer's memo
};

bool CaptureScorer::synonymous(SynTerm& a, SynTerm& b) const {
  const std::string& x = *a.text;
  const std::string& y = *b.text;
  // QUIRK: a raw character substring either way counts ("car"/"carpet", "man"/"woman").
  if (y.find(x) != std::string::npos || x.find(y) != std::string::npos) return true;
  // The reference then evaluates `len(a.split()) > 0 or len(b.split() > 0)`; the second
  // operand compares a list with an int and raises TypeError, reached when `a` is all space.
  if (python_all_space(x))
    throw CaptureReferenceCrash("the reference CAPTURE crashes (TypeError in compute_synonyms_score) on "
                                "the whitespace-only element \"" + x + "\"");
  if (a.lemmas == nullptr) a.lemmas = lemma_ids(x).get();
  if (b.lemmas == nullptr) b.lemmas = lemma_ids(y).get();
  // Jaccard(L(a), L(b)) > 0  <=>  the lemma-name sets intersect.
  return sorted_ids_intersect(*a.lemmas, *b.lemmas);
}

bool CaptureScorer::synonymous(const std::string& a, const std::string& b) const {
  SynTerm ta{&a}, tb{&b};
  return synonymous(ta, tb);
}

template <class Element, class Equal, class Synonym, class Phrase>
CaptureScorer::Matched CaptureScorer::match(const std::vector<Element>& cands,
                                            const std::vector<Element>& refs, Equal equal,
                                            Synonym synonym, Phrase phrase) const {
  // synonym(i, j) compares cands[i] with refs[j] (by index, so WordNet lookups are resolved
  // once per element rather than once per pair).
  std::vector<char> cand_done(cands.size(), 0), ref_done(refs.size(), 0);
  Matched m;
  // Stage 1: exact, greedy first fit.
  for (size_t i = 0; i < cands.size(); ++i)
    for (size_t j = 0; j < refs.size(); ++j)
      if (!ref_done[j] && equal(cands[i], refs[j])) {
        cand_done[i] = ref_done[j] = 1;
        ++m.exact_and_synonym;
        break;
      }
  // Stage 2: synonyms, greedy first fit over what is left (order-dependent: see TV10).
  if (options_.synonym_matching)
    for (size_t i = 0; i < cands.size(); ++i) {
      if (cand_done[i]) continue;
      for (size_t j = 0; j < refs.size(); ++j)
        if (!ref_done[j] && synonym(i, j)) {
          cand_done[i] = ref_done[j] = 1;
          ++m.exact_and_synonym;
          break;
        }
    }
  m.cand_match = m.ref_match = static_cast<double>(m.exact_and_synonym);
  // Stage 3: soft. Every remaining candidate takes its best remaining reference's cosine and
  // vice versa; no threshold, no one-to-one assignment, negative values are summed too.
  if (similarity_ == nullptr) return m;
  std::vector<std::string> rest_c, rest_r;
  for (size_t i = 0; i < cands.size(); ++i)
    if (!cand_done[i]) rest_c.push_back(phrase(cands[i]));
  for (size_t j = 0; j < refs.size(); ++j)
    if (!ref_done[j]) rest_r.push_back(phrase(refs[j]));
  if (rest_c.empty() || rest_r.empty()) return m;
  std::vector<float> sim = similarity_->matrix(rest_c, rest_r);
  const size_t rows = rest_c.size(), cols = rest_r.size();
  if (sim.size() != rows * cols) throw std::logic_error("CAPTURE: similarity matrix has the wrong size");
  std::vector<float> row_max(rows), col_max(cols);
  for (size_t i = 0; i < rows; ++i) {
    row_max[i] = sim[i * cols];
    for (size_t j = 1; j < cols; ++j) row_max[i] = std::max(row_max[i], sim[i * cols + j]);
  }
  for (size_t j = 0; j < cols; ++j) {
    col_max[j] = sim[j];
    for (size_t i = 1; i < rows; ++i) col_max[j] = std::max(col_max[j], sim[i * cols + j]);
  }
  // int + np.float32 scalar -> float64 (numpy 1.x), so the float32 sums join in double.
  m.cand_match += static_cast<double>(numpy_float32_sum(row_max.data(), rows));
  m.ref_match += static_cast<double>(numpy_float32_sum(col_max.data(), cols));
  return m;
}

CaptureTypeScore CaptureScorer::type_score(const Matched& m, size_t n_cands, size_t n_refs) const {
  const double eps = options_.eps;
  CaptureTypeScore s;
  s.precision = m.cand_match / (static_cast<double>(n_cands) + eps);
  s.recall = m.ref_match / (static_cast<double>(n_refs) + eps);
  s.f1 = 2 * s.precision * s.recall / (s.precision + s.recall + eps);
  return s;
}

namespace {
template <class Term>
std::vector<Term> terms_of(const std::vector<std::string>& words) {
  std::vector<Term> t(words.size());
  for (size_t i = 0; i < words.size(); ++i) t[i].text = &words[i];
  return t;
}
}  // namespace

CapturePairScore CaptureScorer::score(const CaptureElements& cand, const CaptureElements& ref) const {
  auto same = [](const std::string& a, const std::string& b) { return a == b; };
  auto itself = [](const std::string& s) { return s; };
  CapturePairScore out;

  {
    auto tc = terms_of<SynTerm>(cand.objects), tr = terms_of<SynTerm>(ref.objects);
    auto syn = [&](size_t i, size_t j) { return synonymous(tc[i], tr[j]); };
    Matched obj = match(cand.objects, ref.objects, same, syn, itself);
    out.object = type_score(obj, cand.objects.size(), ref.objects.size());
  }

  // Attributes: every key's values concatenated in key order (keys themselves are not matched).
  {
    std::vector<std::string> cand_attrs, ref_attrs;
    for (const auto& kv : cand.attributes) cand_attrs.insert(cand_attrs.end(), kv.second.begin(), kv.second.end());
    for (const auto& kv : ref.attributes) ref_attrs.insert(ref_attrs.end(), kv.second.begin(), kv.second.end());
    auto tc = terms_of<SynTerm>(cand_attrs), tr = terms_of<SynTerm>(ref_attrs);
    auto syn = [&](size_t i, size_t j) { return synonymous(tc[i], tr[j]); };
    Matched attr = match(cand_attrs, ref_attrs, same, syn, itself);
    out.attribute = type_score(attr, cand_attrs.size(), ref_attrs.size());
  }

  // Relations: synonyms need all three parts synonymous; the reference builds the full list
  // (no short-circuit), so all three are evaluated. Soft phrases are ' '.join(triple).
  {
    auto triple_terms = [](const std::vector<CaptureTriple>& rels) {
      std::vector<std::array<SynTerm, 3>> t(rels.size());
      for (size_t i = 0; i < rels.size(); ++i)
        for (int p = 0; p < 3; ++p) t[i][p].text = &rels[i][p];
      return t;
    };
    auto tc = triple_terms(cand.relations), tr = triple_terms(ref.relations);
    auto syn = [&](size_t i, size_t j) {
      bool s0 = synonymous(tc[i][0], tr[j][0]), s1 = synonymous(tc[i][1], tr[j][1]),
           s2 = synonymous(tc[i][2], tr[j][2]);
      return s0 && s1 && s2;
    };
    auto phrase = [](const CaptureTriple& t) { return t[0] + " " + t[1] + " " + t[2]; };
    Matched rel = match(cand.relations, ref.relations, std::equal_to<CaptureTriple>(), syn, phrase);
    out.relation = type_score(rel, cand.relations.size(), ref.relations.size());
  }

  const auto& o = options_;
  out.capture = o.alpha * out.object.f1 + o.beta * out.attribute.f1 + o.gamma * out.relation.f1;
  out.capture /= (o.alpha + o.beta + o.gamma);
  return out;
}

// ---------------------------------------------------------------------------------------
// Corpus evaluation

static std::string shortest_double(double x) {
  char buf[40];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

Signature capture_signature(const CaptureOptions& o, const std::string& mode,
                            const std::string& synonyms_id, const std::string& similarity_id) {
  Signature sig;
  sig.add("capture", mode);
  sig.add("capture_weights", shortest_double(o.alpha) + "," + shortest_double(o.beta) + "," +
                                 shortest_double(o.gamma));
  sig.add("capture_eps", shortest_double(o.eps));
  sig.add("capture_syn", o.synonym_matching ? synonyms_id : "off");
  sig.add("capture_soft", similarity_id.empty() ? "off" : similarity_id);
  sig.add("capture_order", "first-appearance");
  return sig;
}

CaptureResult evaluate_capture(const std::vector<CaptureImage>& images, const CaptureScorer& scorer,
                               int threads) {
  if (images.empty()) throw std::invalid_argument("CAPTURE: no images to score");
  CaptureResult result;
  result.stats.resize(images.size());
  parallel_for(images.size(), threads, [&](size_t i, int) {
    const CaptureImage& img = images[i];
    if (img.refs.empty())
      throw std::invalid_argument("CAPTURE: image \"" + img.id + "\" has no references");
    CaptureStats stats;
    try {
      for (const auto& ref : img.refs) stats.add(scorer.score(img.pred, ref));
    } catch (const CaptureReferenceCrash& e) {
      throw CaptureReferenceCrash("image \"" + img.id + "\": " + e.what());
    }
    result.stats[i] = stats;
  });
  for (size_t i = 0; i < images.size(); ++i) {
    result.ids.push_back(images[i].id);
    result.per_image.push_back(result.stats[i].mean());
  }
  result.corpus = capture_corpus_score(result.stats);
  return result;
}

}  // namespace pgc
