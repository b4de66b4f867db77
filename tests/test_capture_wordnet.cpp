// caption/wordnet against Debian's wordnet-base files (WordNet 3.0), on cases from NLTK's
// published behaviour (NLTK wordnet / lemmatizer how-tos) and the spec's §2.8 examples.
#define BOOST_TEST_MODULE capture_wordnet
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "caption/wordnet.hpp"
#include "core/error.hpp"

namespace {

const pgc::WordNet& wordnet() {
  static const pgc::WordNet wn(pgc::resolve_wordnet_dir(""));
  return wn;
}

std::set<std::string> lemma_set(const std::string& word) {
  auto v = wordnet().synset_lemma_names(word);
  return {v.begin(), v.end()};
}

std::string first_morphy(const std::string& form, pgc::WordNet::Pos pos) {
  auto m = wordnet().morphy(form, pos);
  return m.empty() ? "<none>" : m.front();
}

}  // namespace

BOOST_AUTO_TEST_CASE(morphy_as_nltk_howto) {
  using W = pgc::WordNet;
  BOOST_TEST(first_morphy("dogs", W::kNoun) == "dog");
  BOOST_TEST(first_morphy("churches", W::kNoun) == "church");
  BOOST_TEST(first_morphy("aardwolves", W::kNoun) == "aardwolf");
  BOOST_TEST(first_morphy("abaci", W::kNoun) == "abacus");  // noun.exc
  BOOST_TEST(first_morphy("book", W::kNoun) == "book");
  BOOST_TEST(first_morphy("hardrock", W::kAdv) == "<none>");
  BOOST_TEST(first_morphy("book", W::kAdj) == "<none>");
  BOOST_TEST(first_morphy("denied", W::kNoun) == "<none>");
  BOOST_TEST(first_morphy("denied", W::kVerb) == "deny");
  // The form itself comes first when it is a lemma too ("axes" -> ax, axis via noun.exc).
  auto axes = wordnet().morphy("axes", W::kNoun);
  BOOST_TEST(axes.size() >= 2u);
  BOOST_TEST((std::find(axes.begin(), axes.end(), "axis") != axes.end()));
}

BOOST_AUTO_TEST_CASE(lemmatizer_as_nltk) {
  using W = pgc::WordNet;
  BOOST_TEST(wordnet().lemmatize("dogs", W::kNoun) == "dog");
  BOOST_TEST(wordnet().lemmatize("abaci", W::kNoun) == "abacus");
  BOOST_TEST(wordnet().lemmatize("hardrock", W::kNoun) == "hardrock");
  BOOST_TEST(wordnet().lemmatize("better", W::kAdj) == "good");  // adj.exc
  BOOST_TEST(wordnet().lemmatize("redder", W::kAdj) == "red");
  BOOST_TEST(wordnet().lemmatize("bigger", W::kAdj) == "big");
  BOOST_TEST(wordnet().lemmatize("Cars", W::kNoun) == "Cars");  // case-sensitive morphy
  BOOST_TEST(wordnet().lemmatize("tennis rackets", W::kNoun) == "tennis rackets");
}

BOOST_AUTO_TEST_CASE(lemmatizer_examples_of_the_spec) {
  // Spec §2.8 "Verified examples (NLTK 3.8 + WordNet 3.0): cars→car, ..., wooden→wooden."
  std::ifstream in(std::string(PGC_FIXTURES_DIR) + "/../specs/capture.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string spec = ss.str();
  size_t start = spec.find("Verified examples");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  std::string para = spec.substr(start, spec.find("\n\n", start) - start);
  std::regex pair(R"((\*\*)?("[^"]+"|[A-Za-z]+)→("[^"]+"|[A-Za-z]+))");
  size_t n = 0;
  for (auto it = std::sregex_iterator(para.begin(), para.end(), pair); it != std::sregex_iterator(); ++it, ++n) {
    auto unquote = [](std::string s) { return s[0] == '"' ? s.substr(1, s.size() - 2) : s; };
    std::string word = unquote((*it)[2]), want = unquote((*it)[3]);
    // Objects are lemmatised as nouns, attributes as adjectives; each example holds for one.
    std::string as_noun = wordnet().lemmatize(word, pgc::WordNet::kNoun);
    std::string as_adj = wordnet().lemmatize(word, pgc::WordNet::kAdj);
    BOOST_TEST((as_noun == want || as_adj == want), word << " -> " << as_noun << " / " << as_adj << ", want " << want);
  }
  BOOST_TEST(n >= 13u);
}

BOOST_AUTO_TEST_CASE(synsets_as_nltk_howto) {
  // wn.synsets('dog'): dog.n.01, frump.n.01, dog.n.03, cad.n.01, frank.n.02, pawl.n.01,
  // andiron.n.01, chase.v.01
  BOOST_TEST(wordnet().synset_count("dog") == 8u);
  auto dog = lemma_set("dog");
  for (const char* name : {"dog", "domestic_dog", "Canis_familiaris", "frump", "cad", "frankfurter",
                           "hotdog", "pawl", "andiron", "chase_after", "give_chase"})
    BOOST_TEST(dog.count(name) == 1u, name);
  // synsets() lowercases and applies morphy per part of speech.
  BOOST_TEST((lemma_set("Dogs") == dog));
  BOOST_TEST(lemma_set("").empty());
  BOOST_TEST(lemma_set("qwertyuiop").empty());
  // Collocations use underscores; spaces are not converted here (the metric joins them).
  BOOST_TEST(lemma_set("clock_tower").count("clock_tower") == 1u);
  BOOST_TEST(lemma_set("clock tower").empty());
  // Adjective satellites are included and syntactic markers "(ip)" are stripped.
  auto galore = lemma_set("galore");
  BOOST_TEST(galore.count("galore") == 1u);
  BOOST_TEST(galore.count("abounding") == 1u);
  BOOST_TEST(galore.count("galore(ip)") == 0u);
  // U+212A KELVIN SIGN lowercases to ASCII 'k' in Python.
  BOOST_TEST((lemma_set("\xE2\x84\xAA" "ing") == lemma_set("king")));
}

BOOST_AUTO_TEST_CASE(missing_wordnet_is_a_clear_error) {
  try {
    pgc::WordNet wn("/nonexistent/wordnet");
    BOOST_FAIL("no error");
  } catch (const pgc::InputError& e) {
    BOOST_TEST(e.file().find("index.noun") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("apt-get install wordnet-base") != std::string::npos);
  }
  BOOST_TEST(pgc::resolve_wordnet_dir("/my/dir") == "/my/dir");
}

BOOST_AUTO_TEST_CASE(identity_names_the_files) {
  BOOST_TEST(wordnet().id().rfind("wordnet-3.0:", 0) == 0u);
  BOOST_TEST(wordnet().id().size() == std::string("wordnet-3.0:").size() + 12);
}
