#include "caption/caption_eval.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <sstream>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "caption/meteor_data.hpp"
#include "caption/ptb_tokenizer.hpp"
#include "metrics/cider.hpp"
#include "metrics/numpy_mean.hpp"
#include "metrics/python_text.hpp"
#include "metrics/rouge.hpp"

namespace pgc {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One caption's words: `words` for BLEU/CIDEr (str.split()), `rouge_words` for ROUGE-L
// (str.split(" ")) only where the two splits differ.
struct CaptionWords {
  TokenIds words, rouge_words;
  bool rouge_same = true;
  const TokenIds& rouge() const { return rouge_same ? words : rouge_words; }
};

struct TokenizedCorpus {
  std::vector<CaptionWords> preds;
  std::vector<std::vector<CaptionWords>> refs;
};

void add_caption(Vocabulary& vocab, const std::string& text, bool need_rouge, CaptionWords& out) {
  out.words = vocab.add_split(text);
  out.rouge_same = !need_rouge || splits_agree(text);
  if (!out.rouge_same) out.rouge_words = vocab.add_split_single_space(text);
}

void remap(TokenIds& ids, const std::vector<uint32_t>& to_global) {
  for (auto& id : ids) id = to_global[id];
}

// Word ids for every caption. Images are split into one contiguous chunk per thread; each chunk
// interns into its own Vocabulary in parallel, then the (small) chunk vocabularies are merged
// into one and the chunk's ids remapped. Ids only need to be consistent, never ordered.
TokenizedCorpus words_of(const CaptionSet& set, bool need_rouge, int threads) {
  const size_t n = set.ids.size();
  TokenizedCorpus c;
  c.preds.resize(n);
  c.refs.resize(n);
  const size_t chunks = std::max<size_t>(1, std::min<size_t>(threads, n / 64 + 1));
  std::vector<Vocabulary> local(chunks);
  auto chunk_range = [&](size_t k) { return std::make_pair(k * n / chunks, (k + 1) * n / chunks); };
  parallel_for(chunks, threads, [&](size_t k, int) {
    auto [lo, hi] = chunk_range(k);
    for (size_t i = lo; i < hi; ++i) {
      add_caption(local[k], set.preds[i], need_rouge, c.preds[i]);
      c.refs[i].resize(set.refs[i].size());
      for (size_t r = 0; r < set.refs[i].size(); ++r) add_caption(local[k], set.refs[i][r], need_rouge, c.refs[i][r]);
    }
  });
  if (chunks == 1) return c;
  Vocabulary global;
  std::vector<std::vector<uint32_t>> to_global(chunks);
  for (size_t k = 0; k < chunks; ++k)
    for (uint32_t id = 0; id < local[k].size(); ++id) to_global[k].push_back(global.add(local[k].word(id)));
  parallel_for(chunks, threads, [&](size_t k, int) {
    auto [lo, hi] = chunk_range(k);
    for (size_t i = lo; i < hi; ++i) {
      remap(c.preds[i].words, to_global[k]);
      remap(c.preds[i].rouge_words, to_global[k]);
      for (auto& w : c.refs[i]) {
        remap(w.words, to_global[k]);
        remap(w.rouge_words, to_global[k]);
      }
    }
  });
  return c;
}

// Per-worker buffers, so scoring an image allocates nothing in the steady state.
struct Worker {
  CaptionNgrams cand;
  std::vector<CaptionNgrams> refs;
  std::vector<const CaptionNgrams*> ref_ptrs;
  std::vector<const TokenIds*> rouge_refs;
  RougeL rouge;
  std::unique_ptr<CiderD> cider;
};

// Every image's statistics, in parallel; each value lands in its image's slot, so the result
// does not depend on the thread count.
void score_images(const TokenizedCorpus& words, const CiderIdf* idf, const CaptionEvalOptions& options,
                  int threads, CaptionResult& result) {
  const size_t n = words.preds.size();
  if (options.bleu) result.bleu.resize(n);
  if (options.rouge) result.rouge.resize(n);
  if (options.cider) result.cider.resize(n);
  std::vector<Worker> workers(threads);
  for (auto& w : workers)
    if (idf) w.cider = std::make_unique<CiderD>(*idf);

  Progress progress("caption metrics", n, options.quiet);
  parallel_for(n, threads, [&](size_t i, int wi) {
    Worker& w = workers[wi];
    const auto& refs = words.refs[i];
    if (options.bleu || options.cider) {
      w.cand.build(words.preds[i].words);
      if (w.refs.size() < refs.size()) w.refs.resize(refs.size());
      w.ref_ptrs.clear();
      for (size_t r = 0; r < refs.size(); ++r) {
        w.refs[r].build(refs[r].words);
        w.ref_ptrs.push_back(&w.refs[r]);
      }
      if (options.bleu) result.bleu[i] = bleu_stats(w.cand, w.ref_ptrs);
      if (options.cider) result.cider[i] = w.cider->score(w.cand, w.ref_ptrs);
    }
    if (options.rouge) {
      w.rouge_refs.clear();
      for (const auto& r : refs) w.rouge_refs.push_back(&r.rouge());
      result.rouge[i] = w.rouge.score(words.preds[i].rouge(), w.rouge_refs);
    }
    progress.tick();
  });
  progress.done();
}

// METEOR 1.5 per image (pycocoevalcap sends each image's tokenized prediction and references
// to the jar); each image's statistics land in its slot, so thread count changes nothing.
void score_meteor(const CaptionSet& set, const CaptionEvalOptions& options, int threads,
                  CaptionResult& result) {
  MeteorResources resources = load_meteor_resources(options.meteor_data, options.meteor_paraphrase);
  result.warning = resources.warning;
  Meteor meteor(std::move(resources));
  result.signature.add("meteor", meteor.signature());
  const size_t n = set.ids.size();
  result.meteor.resize(n);
  Progress progress("METEOR", n, options.quiet);
  parallel_for(n, threads, [&](size_t i, int) {
    try {
      result.meteor[i] = meteor.segment(set.preds[i], set.refs[i]);
    } catch (const std::invalid_argument& e) {
      throw InputError("", "image \"" + set.ids[i] + "\"", std::string("METEOR: ") + e.what());
    }
    progress.tick();
  });
  progress.done();
}

// pycocoevalcap's two tokenizer calls: every reference in one, every prediction in another.
// A line break inside a caption shifts later captions (the reference's quirk, kept); an image
// left with no caption by that shift would crash the reference, so it is an error here.
CaptionSet ptb_tokenize_set(const CaptionSet& raw, const CaptionEvalOptions& options) {
  CaptionSet out = raw;
  out.refs = ptb_tokenize(raw.refs, options.threads);
  std::vector<std::vector<std::string>> groups;
  groups.reserve(raw.preds.size());
  for (const auto& p : raw.preds) groups.push_back({p});
  auto preds = ptb_tokenize(groups, options.threads);
  for (size_t i = 0; i < raw.ids.size(); ++i) {
    if (i >= preds.size() || preds[i].empty() || i >= out.refs.size() || out.refs[i].empty())
      throw InputError("", "image \"" + raw.ids[i] + "\"",
                       "no caption left after PTB tokenization (a line break in an earlier caption shifted the "
                       "captions, as pycocoevalcap does); remove line breaks or use --tokenize none");
    out.preds[i] = preds[i][0];
  }
  return out;
}

// One image's statistics array ("meteor", "capture") of a results file, rebuilt by the metric's
// own from_vector; a malformed array is an InputError naming the file and the image.
template <typename FromVector>
auto stats_from_json(const JsonValue& image, const char* key, const std::string& file, const std::string& item,
                     FromVector from_vector) -> decltype(from_vector(std::vector<double>{})) {
  const JsonValue& a = member(image, key, file, item);
  std::vector<double> v;
  if (a.IsArray())
    for (const auto& x : a.GetArray()) v.push_back(get_number(x, file, item + " " + key));
  try {
    return from_vector(v);
  } catch (const std::exception& e) {
    throw InputError(file, item, "\"" + std::string(key) + "\" statistics: " + e.what());
  }
}

}  // namespace

void set_caption_metrics(const std::string& list, CaptionEvalOptions& o) {
  o.bleu = o.meteor = o.rouge = o.cider = false;
  std::stringstream ss(list);
  std::string name;
  bool any = false;
  while (std::getline(ss, name, ',')) {
    if (name == "bleu") o.bleu = true;
    else if (name == "meteor") o.meteor = true;
    else if (name == "rouge") o.rouge = true;
    else if (name == "cider") o.cider = true;
    else throw UsageError("--metrics: unknown metric \"" + name + "\" (choose from bleu,meteor,rouge,cider)");
    any = true;
  }
  if (!any) throw UsageError("--metrics: no metric named (choose from bleu,meteor,rouge,cider)");
}

CaptionSet tokenize_for_scoring(const CaptionSet& raw, const CaptionEvalOptions& options) {
  if (options.tokenize == "none") return raw;
  if (options.tokenize == "ptb")
    return ptb_tokenize_set(raw, options);
  throw UsageError("--tokenize must be ptb or none, not \"" + options.tokenize + "\"");
}

CaptionResult evaluate_captions(const CaptionSet& raw, const CaptionEvalOptions& options) {
  CaptionResult result;
  const int threads = resolve_threads(options.threads);
  auto t0 = Clock::now();
  // "none" scores the input as it is (no copy of a possibly large set).
  CaptionSet tokenized;
  if (options.tokenize != "none") tokenized = tokenize_for_scoring(raw, options);
  const CaptionSet& set = options.tokenize == "none" ? raw : tokenized;
  result.seconds.emplace_back("tokenize", seconds_since(t0));
  const size_t n = set.ids.size();
  result.ids = set.ids;

  result.signature.add("tok", options.tokenize == "ptb" ? kPtbTokenizerVersion : options.tokenize);
  if (options.bleu) result.signature.add("bleu", "coco-closest");
  if (options.meteor) {
      t0 = Clock::now();
    score_meteor(set, options, threads, result);
    result.seconds.emplace_back("meteor", seconds_since(t0));
  }
  if (options.rouge) result.signature.add("rouge", "L-beta1.2-split-space");
  if (options.cider) result.signature.add("cider", "D-n4-sigma6-idf.refs");

  t0 = Clock::now();
  TokenizedCorpus words = words_of(set, options.rouge, threads);
  result.seconds.emplace_back("words", seconds_since(t0));

  std::vector<std::vector<const TokenIds*>> ref_words(n);
  for (size_t i = 0; i < n; ++i)
    for (const auto& r : words.refs[i]) ref_words[i].push_back(&r.words);

  std::unique_ptr<CiderIdf> idf;
  if (options.cider) {
    t0 = Clock::now();
    // The full frequency table is large; only the frozen idf (df >= 2) outlives this block.
    idf = std::make_unique<CiderIdf>(CiderDocumentFrequency::build(ref_words, threads));
    result.seconds.emplace_back("cider-df", seconds_since(t0));
  }

  t0 = Clock::now();
  score_images(words, idf.get(), options, threads, result);
  result.seconds.emplace_back("score", seconds_since(t0));

  // Per-image scores and corpus values, in the reference's metric order.
  std::vector<size_t> all(n);
  for (size_t i = 0; i < n; ++i) all[i] = i;
  auto corpus = caption_corpus_from_stats(options.bleu ? &result.bleu : nullptr,
                                          options.meteor ? &result.meteor : nullptr,
                                          options.rouge ? &result.rouge : nullptr,
                                          options.cider ? &result.cider : nullptr, all);
  for (auto& [name, value] : corpus) {
    result.metrics.push_back(name);
    result.corpus.push_back(value);
  }
  result.per_image.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    auto& row = result.per_image[i];
    if (options.bleu) {
      auto b = bleu_score(result.bleu[i]);
      row.insert(row.end(), b.begin(), b.end());
    }
    if (options.meteor) row.push_back(meteor_score(result.meteor[i]));
    if (options.rouge) row.push_back(result.rouge[i]);
    if (options.cider) row.push_back(result.cider[i]);
  }
  return result;
}

std::vector<std::pair<std::string, double>> caption_corpus_from_stats(
    const std::vector<BleuStats>* bleu, const std::vector<MeteorStats>* meteor,
    const std::vector<double>* rouge, const std::vector<double>* cider,
    const std::vector<size_t>& samples) {
  std::vector<std::pair<std::string, double>> out;
  if (bleu) {
    BleuStats total;
    for (size_t i : samples) total.merge((*bleu)[i]);
    auto b = bleu_score(total);
    for (int k = 0; k < 4; ++k) out.emplace_back("Bleu_" + std::to_string(k + 1), b[k]);
  }
  if (meteor) {
    MeteorStats total;  // meteor.py's EVAL line: statistics summed in image order
    for (size_t i : samples) total.merge((*meteor)[i]);
    out.emplace_back("METEOR", meteor_score(total));
  }
  std::vector<double> values(samples.size());
  if (rouge) {
    for (size_t j = 0; j < samples.size(); ++j) values[j] = (*rouge)[samples[j]];
    out.emplace_back("ROUGE_L", numpy_mean(values));
  }
  if (cider) {
    for (size_t j = 0; j < samples.size(); ++j) values[j] = (*cider)[samples[j]];
    out.emplace_back("CIDEr", numpy_mean(values));
  }
  return out;
}

CaptionSampleStats CaptionSampleStats::from_result(const CaptionResult& r) {
  return CaptionSampleStats{r.ids, r.bleu, r.meteor, r.rouge, r.cider, {}};
}

CaptionSampleStats CaptionSampleStats::from_results(const JsonValue& results, const std::string& file) {
  const JsonValue& stats = member(results, "stats", file, "");
  if (!stats.IsObject() || stats.MemberCount() == 0)
    throw InputError(file, "stats", "expected per-image statistics {\"<id>\": {...}}");
  CaptionSampleStats s;
  const JsonValue& first = stats.MemberBegin()->value;
  const bool has_bleu = first.IsObject() && first.HasMember("bleu");
  const bool has_meteor = first.IsObject() && first.HasMember("meteor");
  const bool has_rouge = first.IsObject() && first.HasMember("rouge");
  const bool has_capture = first.IsObject() && first.HasMember("capture");
  const bool has_cider = first.IsObject() && first.HasMember("cider");
  for (auto m = stats.MemberBegin(); m != stats.MemberEnd(); ++m) {
    std::string id(m->name.GetString(), m->name.GetStringLength());
    std::string item = "stats \"" + id + "\"";
    s.ids.push_back(id);
    if (has_bleu) {
      const JsonValue& b = member(m->value, "bleu", file, item);
      std::array<int64_t, 10> arr{};
      bool ok = b.IsArray() && b.Size() == 10;
      for (rapidjson::SizeType k = 0; ok && k < 10; ++k) {
        ok = b[k].IsInt64() && b[k].GetInt64() >= 0;
        if (ok) arr[k] = b[k].GetInt64();
      }
      if (!ok) throw InputError(file, item, "\"bleu\" must be a list of 10 non-negative integers");
      s.bleu.push_back(BleuStats::from_array(arr));
    }
    if (has_meteor) {
      s.meteor.push_back(stats_from_json(m->value, "meteor", file, item, meteor_stats_from_vector));
    }
    if (has_capture) {
      s.capture.push_back(stats_from_json(m->value, "capture", file, item, CaptureStats::from_vector));
    }
    if (has_rouge) s.rouge.push_back(get_number(member(m->value, "rouge", file, item), file, item + " rouge"));
    if (has_cider) s.cider.push_back(get_number(member(m->value, "cider", file, item), file, item + " cider"));
  }
  return s;
}

CorpusFn CaptionSampleStats::corpus_fn() const {
  auto self = std::make_shared<CaptionSampleStats>(*this);
  return [self](const std::vector<size_t>& samples) {
    std::map<std::string, double> out;
    for (auto& [k, v] : caption_corpus_from_stats(self->bleu.empty() ? nullptr : &self->bleu,
                                                  self->meteor.empty() ? nullptr : &self->meteor,
                                                  self->rouge.empty() ? nullptr : &self->rouge,
                                                  self->cider.empty() ? nullptr : &self->cider, samples))
      out[k] = v;
    if (!self->capture.empty()) {
      std::vector<CaptureStats> chosen;
      chosen.reserve(samples.size());
      for (size_t i : samples) chosen.push_back(self->capture[i]);
      out["CAPTURE"] = capture_corpus_score(chosen);
    }
    return out;
  };
}

}  // namespace pgc
