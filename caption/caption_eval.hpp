#pragma once
// The caption scoring pipeline shared by `pgc caption` and `pgc grounded`: tokenize as
// pycocoevalcap does (or not), then BLEU@1-4, METEOR, ROUGE-L and CIDEr-D over the images,
// in parallel, with results independent of the thread count.
#include <array>
#include <string>
#include <vector>

#include "caption/caption_io.hpp"
#include "core/bootstrap.hpp"
#include "core/json.hpp"
#include "core/signature.hpp"
#include "metrics/bleu.hpp"
#include "metrics/capture.hpp"
#include "metrics/meteor.hpp"

namespace pgc {

struct CaptionEvalOptions {
  std::string tokenize = "ptb";  // "ptb" (pycocoevalcap's PTBTokenizer) or "none" (already tokenized)
  bool bleu = true, meteor = true, rouge = true, cider = true;
  std::string meteor_data;        // METEOR data folder ("" = find pycocoevalcap's)
  std::string meteor_paraphrase;  // paraphrase table file, "none", or "" (default table)
  int threads = 0;                // 0 = all cores
  bool quiet = false;
};

// Parses "bleu,meteor,rouge,cider" (any subset, any order) into the options; UsageError otherwise.
void set_caption_metrics(const std::string& list, CaptionEvalOptions& options);

struct CaptionResult {
  std::vector<std::string> ids;             // images, in scoring order
  std::vector<std::string> metrics;         // pycocoevalcap names computed, in its order
  std::vector<double> corpus;               // parallel to metrics
  std::vector<std::vector<double>> per_image;  // [image][metric]
  // Per-image sufficient statistics (empty for metrics not computed).
  std::vector<BleuStats> bleu;
  std::vector<MeteorStats> meteor;
  std::vector<double> rouge, cider;
  Signature signature;
  std::string warning;  // something the user should hear (e.g. METEOR ran without paraphrases)
  std::vector<std::pair<std::string, double>> seconds;  // wall time per stage
};

// The captions the scorers see: PTB-tokenized like pycocoevalcap (refs in one tokenizer call,
// predictions in another), or unchanged for "none".
CaptionSet tokenize_for_scoring(const CaptionSet& raw, const CaptionEvalOptions& options);

// Scores `raw` (tokenized first per options.tokenize).
CaptionResult evaluate_captions(const CaptionSet& raw, const CaptionEvalOptions& options);

// Corpus metrics recomputed from per-image statistics for a multiset of image indices:
// BLEU and METEOR from summed statistics, ROUGE-L and CIDEr-D as numpy.mean of the chosen
// images' values (CIDEr-D's idf stays that of the full set).
std::vector<std::pair<std::string, double>> caption_corpus_from_stats(
    const std::vector<BleuStats>* bleu, const std::vector<MeteorStats>* meteor,
    const std::vector<double>* rouge, const std::vector<double>* cider,
    const std::vector<size_t>& samples);

// Per-image statistics of one scored system, from a CaptionResult or read back from a results
// file's "stats" block; corpus_fn() recomputes the corpus metrics for any multiset of images
// (bootstrap intervals, `pgc compare`).
struct CaptionSampleStats {
  std::vector<std::string> ids;
  std::vector<BleuStats> bleu;      // empty when BLEU was not computed
  std::vector<MeteorStats> meteor;  // likewise
  std::vector<double> rouge, cider;  // likewise
  std::vector<CaptureStats> capture;  // CAPTURE (elements mode) runs
  static CaptionSampleStats from_result(const CaptionResult& r);
  static CaptionSampleStats from_results(const JsonValue& results, const std::string& file);
  CorpusFn corpus_fn() const;
};

}  // namespace pgc
