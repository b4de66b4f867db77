#pragma once
// METEOR 1.5 (CMU, Denkowski & Lavie), exactly as pycocoevalcap drives it:
// `java -jar meteor-1.5.jar - - -stdio -l en -norm` fed one `SCORE ||| refs ||| hyp` line per
// image and one `EVAL` line. Pure scorer: the English data (function words, WordNet synsets,
// morphological exceptions, nonbreaking prefixes, optional paraphrase table) and the Snowball
// stemmer come in through MeteorResources; caption/meteor_data.hpp loads them from files.
//
// Per image: segment() -> MeteorStats, score(stats) = the segment score pycocoevalcap reports.
// Corpus: merge() every image's stats (METEOR's MeteorStats.addStats) and score() the total.
#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pgc {

// Snowball English (Porter2) stemming, injected so metrics/ needs no stemming library.
// stem() is called from several threads at once and must be safe for that.
class MeteorStemmer {
 public:
  virtual ~MeteorStemmer() = default;
  virtual std::string stem(const std::string& word) const = 0;
};

// Everything METEOR reads from its data files, already parsed (no file I/O here).
struct MeteorResources {
  std::vector<std::string> function_words;  // english.words, one per line
  // english.synsets: word -> WordNet synset ids (a later duplicate word replaces an earlier one)
  std::unordered_map<std::string, std::vector<int>> synsets;
  // english.exceptions: inflected form -> base forms, in file order
  std::unordered_map<std::string, std::vector<std::string>> exception_bases;
  // nonbreaking/english.prefixes: prefix -> 1 (always nonbreaking) or 2 (only before a number)
  std::unordered_map<std::string, int> nonbreaking_prefixes;
  // paraphrase table records (reference phrase, paraphrase phrase), in file order
  std::vector<std::pair<std::string, std::string>> paraphrases;
  bool use_paraphrase = false;  // modules exact stem synonym, plus paraphrase when true
  std::shared_ptr<const MeteorStemmer> stemmer;
  // Provenance for the signature (sha256 prefixes, "builtin", "none").
  std::string data_digest;
  std::string prefixes_digest;
  std::string paraphrase_digest = "none";
  std::string origin;   // where the data came from (a directory or a jar), for messages
  std::string warning;  // non-empty: something the user should hear (printed by the CLI)
};

// METEOR's sufficient statistics for one image (or a sum of images), in word counts.
// Stage arrays are indexed by module: 0 exact, 1 stem, 2 synonym, 3 paraphrase.
struct MeteorStats {
  double test_length = 0, reference_length = 0;
  double test_function_words = 0, reference_function_words = 0;
  double test_total_matches = 0, reference_total_matches = 0;
  std::array<double, 4> test_content{}, reference_content{};
  std::array<double, 4> test_function{}, reference_function{};
  double chunks = 0;
  double test_word_matches = 0, reference_word_matches = 0;

  // Every word matched in one chunk: the score formula sets fragmentation to 0.
  bool perfect() const;
  // MeteorStats.addStats, including its quirk: a perfect segment does not add its chunk.
  void merge(const MeteorStats& other);
};

// The 23 numbers of METEOR's stats line (MeteorStats.toString order):
// tstLen refLen tstFunc refFunc, 4 x (tstContent refContent tstFunction refFunction), chunks,
// tstWordMatches refWordMatches.
std::vector<double> meteor_stats_to_vector(const MeteorStats& stats);
// Inverse (METEOR's MeteorStats(String)): totals are recomputed from the stage counts.
// Throws std::invalid_argument unless given exactly 23 values.
MeteorStats meteor_stats_from_vector(const std::vector<double>& values);

// METEOR's computeMetrics(stats).score with the English parameters and module weights
// (1.0 0.6 0.8 0.6). Needs no data files: a configuration without the paraphrase module has
// zero paraphrase counts, which adds exact zeros, so the same formula serves both. Use it to
// rescore merged per-image stats (corpus, bootstrap resamples).
double meteor_score(const MeteorStats& stats);

class Meteor {
 public:
  // English "rank" task: alpha beta gamma delta and module weights as METEOR's Constants.
  static constexpr double kAlpha = 0.85, kBeta = 0.20, kGamma = 0.60, kDelta = 0.75;
  static constexpr int kBeamSize = 40;

  // Builds lookup tables from the resources (pass an rvalue to avoid copying the WordNet
  // tables); throws std::invalid_argument without a stemmer.
  explicit Meteor(MeteorResources resources);
  ~Meteor();
  Meteor(const Meteor&) = delete;
  Meteor& operator=(const Meteor&) = delete;

  // Stats of the best reference for one image, as METEOR's SCORE line computes them,
  // including pycocoevalcap's line building: `|||` removed from the hypothesis, double spaces
  // collapsed once, refs containing `|||` split apart. Thread-safe.
  MeteorStats segment(const std::string& hypothesis, const std::vector<std::string>& references) const;
  // METEOR's computeMetrics(stats).score: the per-image score, or the corpus score of merged
  // stats (same as meteor_score).
  double score(const MeteorStats& stats) const;
  // The -norm tokenization (Normalizer.normalizeLine + toLowerCase + whitespace split).
  std::vector<std::string> tokenize(const std::string& text) const;
  // e.g. "1.5,norm,m=ex_st_sy_pa,w=1.0_0.6_0.8_0.6,p=0.85_0.2_0.6_0.75,beam=40,data=...,nbp=...,para=..."
  std::string signature() const;
  int module_count() const;

 struct Tables;  // lookup tables built from the resources (defined in meteor.cpp)

 private:
  std::unique_ptr<Tables> tables_;
};

}  // namespace pgc
