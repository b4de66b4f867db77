#pragma once
// CAPTURE's text side (spec shared/specs/capture.md §2.1-2.7) for `--capture-mode graphs` and
// `full`:
//   caption text --Punkt--> sentences --SceneGraphParser (full mode only)--> graph strings
//   --normalize/parse/merge (caption/capture_graph)--> elements --noun filter--> CaptureElements
// The noun filter tags NLTK word_tokenize(text) (Punkt + NLTKWordTokenizer) with the averaged
// perceptron and keeps the WordNet noun lemmas of NN* tokens (capture.py
// get_all_lemmatized_nouns).
//
// NLTK data (not packaged by Debian) is found in the first of: the --nltk-data flag,
// $PGC_NLTK_DATA, each folder of $NLTK_DATA (':'-separated), ~/nltk_data, /usr/share/nltk_data,
// /usr/local/share/nltk_data, /usr/lib/nltk_data, /usr/local/lib/nltk_data that holds the file.
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "caption/capture_graph.hpp"
#include "caption/perceptron_tagger.hpp"
#include "caption/punkt.hpp"
#include "caption/treebank_tokenizer.hpp"
#include "caption/wordnet.hpp"
#include "metrics/capture.hpp"
#include "models/scene_graph_parser.hpp"

namespace pgc {

inline constexpr const char* kNltkDataEnv = "PGC_NLTK_DATA";
inline constexpr const char* kPunktEnglishDir = "tokenizers/punkt_tab/english";
inline constexpr const char* kTaggerPrefix = "taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng";

// The nltk_data folders searched, in order (flag first when given).
std::vector<std::string> nltk_data_search_path(const std::string& flag);
// `<folder>/<relative>` of the first searched folder where it exists; InputError naming the
// resource, the folders searched and how to get it when none has it.
std::string find_nltk_resource(const std::string& flag, const std::string& relative);

// sent_tokenize + word_tokenize + pos_tag + lemmatize, as the reference calls them.
class CaptureTextPipeline {
 public:
  CaptureTextPipeline(const WordNet& wordnet, PunktSentenceTokenizer punkt, PerceptronTagger tagger);
  // Finds and loads Punkt English and the tagger from the NLTK data search path.
  static std::unique_ptr<CaptureTextPipeline> load(const std::string& nltk_data_flag, const WordNet& wordnet);

  // nltk.sent_tokenize(text) (English Punkt).
  std::vector<std::string> sentences(const std::string& text) const;
  // nltk.word_tokenize(text): Punkt sentences, each NLTKWordTokenizer-tokenized.
  std::vector<std::string> word_tokenize(const std::string& text) const;
  // {lemmatize(token, noun) : (token, tag) in pos_tag(word_tokenize(text)), tag starts with NN}
  std::unordered_set<std::string> nouns(const std::string& text) const;
  // Graphs -> merged -> filtered elements of one caption (stop words on unless disabled).
  CaptureElements elements(const std::string& text, const std::vector<std::string>& sentence_graphs,
                           bool stop_words = true) const;

  const PerceptronTagger& tagger() const { return tagger_; }
  const PunktSentenceTokenizer& punkt() const { return punkt_; }
  const WordNet& wordnet() const { return wordnet_; }
  std::string id() const;  // "<punkt id>,<tagger id>" for signatures

 private:
  const WordNet& wordnet_;
  PunktSentenceTokenizer punkt_;
  TreebankWordTokenizer treebank_;
  PerceptronTagger tagger_;
  std::unordered_set<std::string> stop_words_;
};

// The reference's parser calls for one caption: its Punkt sentences in batches of up to
// `batch` (32) sentences, each batch one SceneGraphParser::parse call (v0.6 truncation depends
// on the batch). Returns one decoded graph string per sentence.
std::vector<std::string> parse_caption_sentences(SceneGraphParser& parser, const std::vector<std::string>& sentences,
                                                 size_t batch = 32);

// ---- inputs of the two modes --------------------------------------------------------------

// graphs mode: REFS {"<id>": [CAPTION_GRAPHS, ...]}, PREDS {"<id>": CAPTION_GRAPHS},
// CAPTION_GRAPHS = {"text": "<caption>", "graphs": ["<parser output of sentence 1>", ...]}.
struct CaptureGraphImage {
  std::string id;
  std::vector<CaptionGraphs> refs;
  CaptionGraphs pred;
};
std::vector<CaptureGraphImage> read_capture_graph_images(const std::string& refs_path, const std::string& preds_path);
std::vector<CaptureGraphImage> parse_capture_graph_images(const JsonValue& refs, const std::string& refs_file,
                                                          const JsonValue& preds, const std::string& preds_file);

// Extracts every caption's elements (in parallel on `threads`; order-independent results).
std::vector<CaptureImage> extract_capture_images(const std::vector<CaptureGraphImage>& images,
                                                 const CaptureTextPipeline& pipeline, int threads,
                                                 bool stop_words = true);

// full mode: caption text -> graphs with `parser`, captions in order (refs of each image, then
// its prediction), then as graphs mode. `on_caption` (may be empty) is called after each caption.
std::vector<CaptureGraphImage> parse_capture_captions(const std::vector<std::string>& ids,
                                                      const std::vector<std::vector<std::string>>& refs,
                                                      const std::vector<std::string>& preds,
                                                      const CaptureTextPipeline& pipeline, SceneGraphParser& parser,
                                                      const std::function<void()>& on_caption = {});

// {"refs": {"<id>": [ELEMENTS, ...]}, "preds": {"<id>": ELEMENTS}}: what --dump-parse writes.
std::string capture_parse_dump(const std::vector<CaptureImage>& images);

}  // namespace pgc
