// CAPTURE `elements` mode on 1,000 generated image pairs the size a ~230-word detailed caption
// parses to (about 25 objects, 20 attributes over 12 keys, 15 relations per side), one
// reference each, with real English words so the WordNet synonym stage does real lookups.
// Reports WordNet load time, scoring time with the soft stage off and from a similarity
// table (1 and 2 threads), and peak memory.
// `graphs` mode: the same number of generated ~230-word caption pairs (about 20 sentences each)
// with one FACTUAL-style graph string per sentence: Punkt + word_tokenize + perceptron tagging +
// graph normalization/merge/filter, then scoring.
// Usage: bench_capture [images] [wordnet dir] [nltk_data dir (default: tests/data/capture_nltk,
// a tiny tagger model; the real English model costs the same per token: 14 hash lookups)]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "caption/capture_text.hpp"
#include "caption/python_str.hpp"
#include "caption/wordnet.hpp"
#include "metrics/capture.hpp"
#include "bench_clock.hpp"

namespace {

const std::vector<std::string> kNouns = {
    "dog", "cat", "car", "automobile", "truck", "bus", "tree", "grass", "sky", "cloud", "building",
    "street", "road", "sidewalk", "pavement", "man", "woman", "child", "person", "people", "shirt",
    "jacket", "hat", "table", "chair", "sofa", "couch", "window", "door", "wall", "floor", "lamp",
    "plate", "cup", "glass", "bottle", "fork", "knife", "pizza", "sandwich", "bowl", "horse", "cow",
    "sheep", "bird", "boat", "water", "river", "mountain", "hill", "field", "fence", "sign", "pole",
    "light", "traffic light", "clock tower", "tower", "bench", "bicycle", "bike", "motorcycle",
    "train", "track", "platform", "umbrella", "bag", "backpack", "handbag", "phone", "laptop",
    "computer", "keyboard", "screen", "book", "shelf", "bed", "pillow", "blanket", "curtain",
    "flower", "plant", "vase", "kitchen", "counter", "sink", "refrigerator", "oven", "stove",
    "tennis racket", "ball", "player", "court", "net", "beach", "sand", "wave", "surfboard", "kite",
    "snow", "ski", "skier", "slope", "helmet", "glove", "elephant", "giraffe", "zebra", "tiger",
    "lion", "bear", "puppy", "kitten", "frisbee", "airplane", "sign post", "stop sign", "hydrant",
    "leaf", "branch", "trunk", "rock", "stone", "path", "bridge", "city", "town", "crowd", "van"};
const std::vector<std::string> kAdjectives = {
    "red", "white", "black", "blue", "green", "yellow", "brown", "gray", "grey", "orange", "pink",
    "purple", "large", "big", "small", "little", "tall", "short", "long", "wooden", "metal",
    "glass", "old", "new", "young", "bright", "dark", "clear", "cloudy", "sunny", "wet", "dry",
    "empty", "full", "open", "closed", "round", "square", "striped", "spotted", "shiny", "dirty",
    "clean", "modern", "ancient", "busy", "quiet", "happy", "smiling", "standing", "sitting",
    "parked", "colorful", "light blue", "dark green", "stone", "plastic", "fluffy", "furry"};
const std::vector<std::string> kPredicates = {
    "on", "in", "near", "next to", "behind", "in front of", "under", "above", "beside", "holding",
    "wearing", "sitting on", "standing on", "lying on", "walking on", "riding", "carrying",
    "looking at", "parked on", "hanging on", "leaning against", "covered in", "surrounded by",
    "on top of", "attached to", "with", "has", "over", "across", "along"};

struct Generator {
  std::mt19937_64 rng;
  explicit Generator(uint64_t seed) : rng(seed) {}
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  size_t around(size_t mean) { return mean - mean / 4 + pick(mean / 2 + 1); }
  bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  std::vector<std::string> distinct(const std::vector<std::string>& vocab, size_t n) {
    std::vector<std::string> out;
    while (out.size() < n && out.size() < vocab.size()) {
      const std::string& w = vocab[pick(vocab.size())];
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    }
    return out;
  }

  pgc::CaptureElements caption() {
    pgc::CaptureElements e;
    e.objects = distinct(kNouns, around(25));
    size_t n_keys = std::min<size_t>(around(12), e.objects.size());
    size_t n_attrs = around(20);
    for (size_t k = 0; k < n_keys; ++k) e.attributes.emplace_back(e.objects[k], std::vector<std::string>{});
    for (size_t a = 0; a < n_attrs; ++a) {
      auto& values = e.attributes[a % n_keys].second;
      const std::string& adj = kAdjectives[pick(kAdjectives.size())];
      if (std::find(values.begin(), values.end(), adj) == values.end()) values.push_back(adj);
    }
    size_t n_rel = around(15);
    while (e.relations.size() < n_rel) {
      pgc::CaptureTriple t{e.objects[pick(e.objects.size())], kPredicates[pick(kPredicates.size())],
                           e.objects[pick(e.objects.size())]};
      if (std::find(e.relations.begin(), e.relations.end(), t) == e.relations.end()) e.relations.push_back(t);
    }
    return e;
  }

  // A candidate sharing about half of the reference's elements, the rest new.
  pgc::CaptureElements candidate_for(const pgc::CaptureElements& ref) {
    pgc::CaptureElements c = caption();
    for (size_t i = 0; i < c.objects.size() && i < ref.objects.size(); ++i)
      if (coin(0.5) && std::find(c.objects.begin(), c.objects.end(), ref.objects[i]) == c.objects.end())
        c.objects[i] = ref.objects[i];
    for (size_t i = 0; i < c.relations.size() && i < ref.relations.size(); ++i)
      if (coin(0.4) && std::find(c.relations.begin(), c.relations.end(), ref.relations[i]) == c.relations.end())
        c.relations[i] = ref.relations[i];
    return c;
  }
};

// One ~230-word caption in graphs-mode form: sentences like "A red dog is on the green grass
// near a wooden bench." with the parser-style graph of each sentence.
pgc::CaptionGraphs caption_with_graphs(Generator& gen) {
  pgc::CaptionGraphs c;
  size_t words = 0;
  while (words < 230) {
    const std::string& s = kNouns[gen.pick(kNouns.size())];
    const std::string& o = kNouns[gen.pick(kNouns.size())];
    const std::string& o2 = kNouns[gen.pick(kNouns.size())];
    const std::string& a = kAdjectives[gen.pick(kAdjectives.size())];
    const std::string& a2 = kAdjectives[gen.pick(kAdjectives.size())];
    const std::string& p = kPredicates[gen.pick(kPredicates.size())];
    const std::string& p2 = kPredicates[gen.pick(kPredicates.size())];
    std::string sentence = "A " + a + " " + s + " is " + p + " the " + a2 + " " + o + " " + p2 + " a " + o2 + ".";
    std::string graph = "( " + s + " , is , " + a + " ) , ( " + s + " , " + p + " , " + o + " ) , ( " + o + " , is , " +
                        a2 + " ) , ( " + s + " , " + p2 + " , " + o2 + " )";
    c.text += (c.text.empty() ? "" : " ") + sentence;
    c.graphs.push_back(graph);
    words += 12;
  }
  return c;
}

std::vector<std::string> soft_phrases(const pgc::CaptureElements& e) {
  std::vector<std::string> p = e.objects;
  for (const auto& kv : e.attributes) p.insert(p.end(), kv.second.begin(), kv.second.end());
  for (const auto& t : e.relations) p.push_back(t[0] + " " + t[1] + " " + t[2]);
  return p;
}

using pgc_bench::seconds_since;

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n_images = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  const std::string wordnet_dir = pgc::resolve_wordnet_dir(argc > 2 ? argv[2] : "");

  auto t0 = std::chrono::steady_clock::now();
  pgc::WordNet wordnet(wordnet_dir);
  double load_s = seconds_since(t0);
  double rss_after_wordnet = peak_rss_mib();

  Generator gen(2024);
  std::vector<pgc::CaptureImage> images;
  pgc::SimilarityTable table;
  size_t elements = 0;
  for (size_t i = 0; i < n_images; ++i) {
    pgc::CaptureImage img;
    img.id = std::to_string(i);
    img.refs.push_back(gen.caption());
    img.pred = gen.candidate_for(img.refs[0]);
    // A sparse table: 20% of the candidate x reference phrase pairs get a cosine.
    auto cp = soft_phrases(img.pred), rp = soft_phrases(img.refs[0]);
    elements += cp.size() + rp.size();
    for (const auto& c : cp)
      for (const auto& r : rp)
        if (gen.coin(0.2)) table.add(c + "|" + r, std::uniform_real_distribution<double>(-0.1, 0.9)(gen.rng));
    images.push_back(std::move(img));
  }

  pgc::WordNetSynonyms synonyms(wordnet);
  std::printf("CAPTURE elements mode: %zu images, %.1f elements per caption, table %zu pairs\n", n_images,
              static_cast<double>(elements) / (2.0 * n_images), table.size());
  std::printf("  WordNet load (%s): %.3f s\n", wordnet_dir.c_str(), load_s);
  double checksum = 0;
  for (const char* mode : {"no-soft", "table"}) {
    for (int threads : {1, 2}) {
      // A fresh scorer each time: its WordNet memo starts cold, as in one CLI run.
      pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, std::string(mode) == "table" ? &table : nullptr);
      auto t1 = std::chrono::steady_clock::now();
      pgc::CaptureResult r = pgc::evaluate_capture(images, scorer, threads);
      double s = seconds_since(t1);
      checksum += r.corpus;
      std::printf("  score %-7s threads %d: %.3f s (%.0f images/s), corpus CAPTURE %.6f\n", mode, threads, s,
                  n_images / s, r.corpus);
    }
  }
  std::printf("  peak RSS: %.1f MiB (after WordNet load %.1f MiB)\n", peak_rss_mib(), rss_after_wordnet);

  // graphs mode
  std::string nltk = argc > 3 ? argv[3] : "";
  if (nltk.empty()) {
    std::filesystem::path guess = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests/data/capture_nltk";
    if (std::filesystem::exists(guess)) nltk = guess.string();
  }
  auto t2 = std::chrono::steady_clock::now();
  std::unique_ptr<pgc::CaptureTextPipeline> pipeline = pgc::CaptureTextPipeline::load(nltk, wordnet);
  double nltk_load_s = seconds_since(t2);
  Generator ggen(7);
  std::vector<pgc::CaptureGraphImage> graph_images(n_images);
  size_t sentences = 0, words = 0;
  for (size_t i = 0; i < n_images; ++i) {
    graph_images[i].id = std::to_string(i);
    graph_images[i].refs.push_back(caption_with_graphs(ggen));
    graph_images[i].pred = caption_with_graphs(ggen);
    for (const auto* c : {&graph_images[i].refs[0], &graph_images[i].pred}) {
      sentences += c->graphs.size();
      words += pgc::py_split(c->text).size();
    }
  }
  std::printf("CAPTURE graphs mode: %zu images, %.0f words and %.1f sentences per caption (NLTK data %s, load %.3f s)\n",
              n_images, words / (2.0 * n_images), sentences / (2.0 * n_images), nltk.c_str(), nltk_load_s);
  for (int threads : {1, 2}) {
    auto t3 = std::chrono::steady_clock::now();
    std::vector<pgc::CaptureImage> extracted = pgc::extract_capture_images(graph_images, *pipeline, threads);
    double extract_s = seconds_since(t3);
    pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, nullptr);
    auto t4 = std::chrono::steady_clock::now();
    pgc::CaptureResult r = pgc::evaluate_capture(extracted, scorer, threads);
    double score_s = seconds_since(t4);
    size_t objects = 0;
    for (const auto& img : extracted) objects += img.pred.objects.size() + img.refs[0].objects.size();
    std::printf("  threads %d: extract %.3f s (%.0f captions/s), score no-soft %.3f s, total %.3f s; "
                "%.1f objects per caption, corpus CAPTURE %.6f\n",
                threads, extract_s, 2.0 * n_images / extract_s, score_s, extract_s + score_s,
                objects / (2.0 * n_images), r.corpus);
    checksum += r.corpus;
  }
  std::printf("  peak RSS: %.1f MiB\n", peak_rss_mib());
  return checksum > 0 ? 0 : 1;
}
