#pragma once
// CAPTURE (Dong et al. 2024, "Benchmarking and Improving Detail Image Caption"; reference:
// foundation-multimodal-models/CAPTURE, package capture_metric 0.1.12, capture.py) on
// already-extracted scene-graph elements ("elements" mode, spec shared/specs/capture.md §3).
//
// Per (candidate, reference) pair and per element type (objects, attributes, relations) the
// reference matches elements in three greedy stages: exact, synonym (substring rule, then
// shared WordNet lemma names), soft (sum of best cosine similarities of what is left, no
// threshold, no one-to-one assignment). P/R/F1 with eps, then
// CAPTURE = (alpha F_obj + beta F_attr + gamma F_rel) / (alpha + beta + gamma).
// Per image: mean over its references; corpus: mean over images.
//
// Pure code: WordNet and the phrase encoder come in through the two interfaces below.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/signature.hpp"

namespace pgc {

using CaptureTriple = std::array<std::string, 3>;  // subject, relation, object

// What the reference extracts from one caption (spec §2.6-2.7), in the canonical
// first-appearance order (the reference keeps Python sets; see docs/capture.md).
struct CaptureElements {
  std::vector<std::string> objects;
  // attribute key (an object, usually) -> its attributes; keys in insertion order
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;
  std::vector<CaptureTriple> relations;
};

// WordNet as the synonym stage needs it: the lemma names (case kept, underscores) of every
// synset of `word` over noun, verb, adjective (satellites included) and adverb, exactly as
// NLTK's `wordnet.synsets(word)` finds them (lowercasing, then morphy per part of speech).
// Order and duplicates do not matter. Must be safe to call from several threads.
class SynonymLookup {
 public:
  virtual ~SynonymLookup() = default;
  virtual std::vector<std::string> lemma_names(const std::string& word) const = 0;
};

// The soft stage's cosine similarities. The reference encodes the remaining candidates and
// references with all-mpnet-base-v2 and takes E_c . E_r^T in float32; an implementation
// returns that |cands| x |refs| matrix, row-major, in float32. Must be thread-safe.
class PhraseSimilarity {
 public:
  virtual ~PhraseSimilarity() = default;
  virtual std::vector<float> matrix(const std::vector<std::string>& cands,
                                    const std::vector<std::string>& refs) const = 0;
};

// A supplied similarity table {"<cand phrase>|<ref phrase>": cosine}; a missing pair is 0.
// Values are rounded to float32, as the reference's encoder output is float32.
class SimilarityTable : public PhraseSimilarity {
 public:
  // `key` is "<cand phrase>|<ref phrase>"; false if that key was already added (the value is
  // then left unchanged). A key with several '|' serves every split of it, exactly as a
  // lookup of the concatenation cand + "|" + ref would.
  bool add(const std::string& key, double cosine);
  float lookup(const std::string& cand, const std::string& ref) const;
  std::vector<float> matrix(const std::vector<std::string>& cands,
                            const std::vector<std::string>& refs) const override;
  size_t size() const { return keys_; }

 private:
  static constexpr uint32_t kAbsent = 0xFFFFFFFFu;
  uint32_t id_of(const std::unordered_map<std::string, uint32_t>& ids, const std::string& s) const;
  // Phrases interned once, pairs keyed by (cand id, ref id): a matrix costs |cands| + |refs|
  // string lookups, not |cands| x |refs|.
  std::unordered_map<std::string, uint32_t> cand_ids_, ref_ids_;
  std::unordered_map<uint64_t, float> pairs_;
  size_t keys_ = 0;
};

struct CaptureOptions {
  // The reference's defaults; it asserts alpha + beta == 1.
  double alpha = 0.5;  // weight of the object F1
  double beta = 0.5;   // weight of the attribute F1
  double gamma = 0.2;  // weight of the relation F1
  double eps = 1e-6;   // added to every P/R/F1 denominator
  bool synonym_matching = true;
};

struct CaptureTypeScore {
  double precision = 0, recall = 0, f1 = 0;
};

// One (candidate, reference) pair, or the mean of an image's pairs.
struct CapturePairScore {
  double capture = 0;
  CaptureTypeScore object, attribute, relation;
  // capture, Po, Ro, Fo, Pa, Ra, Fa, Pr, Rr, Fr (the reference's compute_f_score order)
  std::array<double, 10> values() const;
  static CapturePairScore from_values(const std::array<double, 10>& v);
};

// Names of values() in results files (as the reference's parse results, on the 0-1 scale).
extern const std::array<const char*, 10> kCaptureValueNames;

// One image's sufficient statistics: per-value sums over its references, in reference order.
struct CaptureStats {
  std::array<double, 10> sums{};
  size_t references = 0;

  void add(const CapturePairScore& pair);
  // Appends another shard of the same image's references (summed after this one's).
  void merge(const CaptureStats& other);
  // sum / count per value, as the reference (sum(scores) / len(scores)).
  CapturePairScore mean() const;
  // [11 numbers]: the 10 sums then the reference count (the results file's "stats" form).
  std::vector<double> to_vector() const;
  static CaptureStats from_vector(const std::vector<double>& v);  // throws std::invalid_argument
};

// Corpus CAPTURE: mean of the per-image means, summed in image order (reference: sum/len).
double capture_corpus_score(const std::vector<CaptureStats>& images);

// Thrown where the reference itself crashes: compute_synonyms_score(a, b) raises a TypeError
// when `a` is non-empty but all whitespace and neither string contains the other.
class CaptureReferenceCrash : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class CaptureScorer {
 public:
  // `synonyms` may be null only when options.synonym_matching is false; `similarity` null =
  // soft stage off (reference soft_matching=False). Both must outlive the scorer.
  CaptureScorer(CaptureOptions options, const SynonymLookup* synonyms,
                const PhraseSimilarity* similarity);

  // The reference's compute_f_score(ref, cand). Thread-safe.
  CapturePairScore score(const CaptureElements& cand, const CaptureElements& ref) const;

  // The reference's compute_synonyms_score(a, b) > 0 (spec §3.2 syn).
  bool synonymous(const std::string& a, const std::string& b) const;

  const CaptureOptions& options() const { return options_; }
  bool soft() const { return similarity_ != nullptr; }

 private:
  struct SynTerm;
  bool synonymous(SynTerm& a, SynTerm& b) const;
  struct Matched {
    size_t exact_and_synonym = 0;
    double cand_match = 0, ref_match = 0;
  };
  template <class Element, class Equal, class Synonym, class Phrase>
  Matched match(const std::vector<Element>& cands, const std::vector<Element>& refs,
                Equal equal, Synonym synonym, Phrase phrase) const;
  CaptureTypeScore type_score(const Matched& m, size_t n_cands, size_t n_refs) const;
  // Sorted ids of the word's WordNet lemma names (after '_'-joining whitespace runs), memoized.
  std::shared_ptr<const std::vector<unsigned>> lemma_ids(const std::string& word) const;

  CaptureOptions options_;
  const SynonymLookup* synonyms_;
  const PhraseSimilarity* similarity_;
  mutable std::shared_mutex memo_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const std::vector<unsigned>>> memo_;
  mutable std::unordered_map<std::string, unsigned> lemma_name_ids_;
};

// Python's str.split() without arguments: the pieces between runs of Unicode whitespace.
std::vector<std::string> python_str_split(const std::string& utf8);

// numpy's float32 np.sum of a contiguous vector (pairwise summation, 8 accumulators), which
// the reference applies to the soft stage's row / column maxima.
float numpy_float32_sum(const float* values, size_t n);

// One image: its references (one or more) and the candidate.
struct CaptureImage {
  std::string id;
  std::vector<CaptureElements> refs;
  CaptureElements pred;
};

struct CaptureResult {
  double corpus = 0;                          // corpus CAPTURE, 0-1 scale
  std::vector<std::string> ids;               // images in input order
  std::vector<CapturePairScore> per_image;    // means over each image's references
  std::vector<CaptureStats> stats;            // per image, for bootstrap / merge
  Signature signature;                        // every setting that changes a number
};

// Signature fields of a CAPTURE run; `synonyms_id` / `similarity_id` name the resources
// (e.g. "wordnet-3.0:<sha12>", "table:<sha12>"); soft off when similarity_id is empty.
Signature capture_signature(const CaptureOptions& options, const std::string& mode,
                            const std::string& synonyms_id, const std::string& similarity_id);

// Scores every image (in parallel on `threads`, 0 = all cores); the numbers do not depend on
// the thread count. Throws std::invalid_argument for an image without references and
// CaptureReferenceCrash (naming the image) where the reference would crash.
CaptureResult evaluate_capture(const std::vector<CaptureImage>& images, const CaptureScorer& scorer,
                               int threads);

}  // namespace pgc
