#pragma once
// A small reader of the WordNet 3.0 database files (index.*, data.*, *.exc; Debian package
// wordnet-base installs them in /usr/share/wordnet) doing exactly what NLTK 3.8's
// WordNetCorpusReader does for CAPTURE: morphy (exception lists + suffix rules), the
// WordNetLemmatizer, and synsets(word) -> lemma names.
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/capture.hpp"

namespace pgc {

inline constexpr const char* kDefaultWordNetDir = "/usr/share/wordnet";
inline constexpr const char* kWordNetDirEnv = "PGC_WORDNET_DIR";

// The folder to read: `flag` if given, else $PGC_WORDNET_DIR, else /usr/share/wordnet.
std::string resolve_wordnet_dir(const std::string& flag);

class WordNet {
 public:
  enum Pos { kNoun = 0, kVerb = 1, kAdj = 2, kAdv = 3 };  // NLTK's POS_LIST order: n, v, a, r

  // Reads index.{noun,verb,adj,adv}, {noun,verb,adj,adv}.exc and data.* from `dir`; throws
  // InputError naming the missing or malformed file (and how to install wordnet-base).
  explicit WordNet(const std::string& dir);

  // NLTK WordNetCorpusReader._morphy(form, pos): base forms that are lemmas of `pos`
  // (case-sensitive, no space/underscore conversion), in NLTK's order.
  std::vector<std::string> morphy(const std::string& form, Pos pos) const;
  // NLTK WordNetLemmatizer.lemmatize: the shortest (first among equals) morphy result, or
  // the word unchanged.
  std::string lemmatize(const std::string& word, Pos pos) const;
  // Lemma names of every synset of NLTK wordnet.synsets(word): `word` lowercased, morphy per
  // POS (n, v, a incl. satellites, r), every synset of every base form; in synset order.
  std::vector<std::string> synset_lemma_names(const std::string& word) const;
  // Number of synsets wordnet.synsets(word) returns (for tests).
  size_t synset_count(const std::string& word) const;

  const std::string& dir() const { return dir_; }
  // "wordnet-3.0:<first 12 hex of SHA-256 over every file read>" for signatures.
  const std::string& id() const { return id_; }

 private:
  struct IndexEntry {
    std::array<std::vector<unsigned>, 4> offsets;  // synset offsets per POS (empty = not a lemma)
  };
  bool is_lemma(const std::string& form, Pos pos) const;
  void lemma_names_at(Pos pos, unsigned offset, std::vector<std::string>& out) const;
  template <class Fn>
  void for_each_synset(const std::string& word, Fn fn) const;

  std::string dir_, id_;
  std::unordered_map<std::string, IndexEntry> index_;
  std::array<std::unordered_map<std::string, std::vector<std::string>>, 4> exceptions_;
  std::array<std::string, 4> data_;       // whole data.* files (lines addressed by byte offset)
  std::array<std::string, 4> data_path_;  // for error messages
};

// WordNet as CAPTURE's synonym stage sees it.
class WordNetSynonyms : public SynonymLookup {
 public:
  explicit WordNetSynonyms(const WordNet& wordnet) : wordnet_(wordnet) {}
  std::vector<std::string> lemma_names(const std::string& word) const override {
    return wordnet_.synset_lemma_names(word);
  }

 private:
  const WordNet& wordnet_;
};

}  // namespace pgc
