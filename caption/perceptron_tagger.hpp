#pragma once
// NLTK's averaged-perceptron part-of-speech tagger (nltk.tag.perceptron.PerceptronTagger, the
// tagger behind nltk.pos_tag for English; Honnibal's design): a tag dictionary for frequent
// unambiguous words, else the argmax over classes of summed feature weights, with NLTK's
// feature template (bias, suffix-3, prefix-1, previous tags, surrounding words and suffixes,
// -START-/-END- padding, !HYPHEN / !YEAR / !DIGITS normalization). Ties go to the larger tag
// string, as NLTK's max(classes, key=(score, label)).
//
// Model files: NLTK >= 3.9's JSON release `averaged_perceptron_tagger_eng`:
// <nltk_data>/taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng.
// {weights,tagdict,classes}.json. (The NLTK 3.8 pickle holds the same numbers; it is not read.)
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pgc {

class PerceptronTagger {
 public:
  // Reads the three JSON files named `<prefix>.weights.json`, `<prefix>.tagdict.json`,
  // `<prefix>.classes.json`; InputError naming a missing or malformed file.
  static PerceptronTagger load(const std::string& path_prefix);
  // From parsed content (tests): weights {feature: {tag: weight}}, tagdict {word: tag}, classes.
  PerceptronTagger(const std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>>& weights,
                   const std::vector<std::pair<std::string, std::string>>& tagdict,
                   const std::vector<std::string>& classes);

  // PerceptronTagger.tag(tokens): one tag per token. Thread-safe.
  std::vector<std::string> tag(const std::vector<std::string>& tokens) const;
  // PerceptronTagger.normalize(word).
  static std::string normalize(const std::string& word);

  const std::string& id() const { return id_; }  // "perceptron:<sha12>" (files) or "inline"

 private:
  PerceptronTagger() = default;
  int predict(const std::vector<std::string>& features) const;
  std::vector<std::string> classes_;  // index -> tag
  std::unordered_map<std::string, std::vector<std::pair<int, double>>> weights_;  // feature -> (class, w)
  std::unordered_map<std::string, std::string> tagdict_;
  std::string id_ = "inline";
};

}  // namespace pgc
