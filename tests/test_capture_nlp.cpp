// The NLTK pieces of CAPTURE's text pipeline: NLTKWordTokenizer (NLTK's own doctests), Punkt
// (a hand-written parameter set, expected splits produced by NLTK 3.8's PunktSentenceTokenizer
// with the same parameters), the averaged-perceptron tagger (a hand-written model, expected tags
// from NLTK 3.8's PerceptronTagger with the same weights), and resource loading errors.
#define BOOST_TEST_MODULE capture_nlp
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "caption/capture_text.hpp"
#include "caption/perceptron_tagger.hpp"
#include "caption/punkt.hpp"
#include "caption/python_str.hpp"
#include "caption/treebank_tokenizer.hpp"
#include "core/error.hpp"

using namespace pgc;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

static const std::string kNltkTestData = std::string(PGC_SOURCE_DIR) + "/tests/data/capture_nltk";

BOOST_AUTO_TEST_CASE(treebank_matches_nltk_doctests) {
  // nltk/test/tokenize.doctest (NLTKWordTokenizer regression tests) and destructive.py.
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"On a $50,000 mortgage of 30 years at 8 percent, the monthly payment would be $366.88.",
       {"On", "a", "$", "50,000", "mortgage", "of", "30", "years", "at", "8", "percent", ",", "the", "monthly",
        "payment", "would", "be", "$", "366.88", "."}},
      {"\"We beat some pretty good teams to get here,\" Slocum said.",
       {"``", "We", "beat", "some", "pretty", "good", "teams", "to", "get", "here", ",", "''", "Slocum", "said", "."}},
      {"Well, we couldn't have this predictable, cliche-ridden, \"Touched by an Angel\" (a show creator John Masius "
       "worked on) wanna-be if she didn't.",
       {"Well", ",", "we", "could", "n't", "have", "this", "predictable", ",", "cliche-ridden", ",", "``", "Touched",
        "by", "an", "Angel", "''", "(", "a", "show", "creator", "John", "Masius", "worked", "on", ")", "wanna-be", "if",
        "she", "did", "n't", "."}},
      {"I cannot cannot work under these conditions!",
       {"I", "can", "not", "can", "not", "work", "under", "these", "conditions", "!"}},
      {"The company spent $30,000,000 last year.", {"The", "company", "spent", "$", "30,000,000", "last", "year", "."}},
      {"The company spent 40.75% of its income last year.",
       {"The", "company", "spent", "40.75", "%", "of", "its", "income", "last", "year", "."}},
      {"He arrived at 3:00 pm.", {"He", "arrived", "at", "3:00", "pm", "."}},
      {"I bought these items: books, pencils, and pens.",
       {"I", "bought", "these", "items", ":", "books", ",", "pencils", ",", "and", "pens", "."}},
      {"Though there were 150, 100 of them were old.",
       {"Though", "there", "were", "150", ",", "100", "of", "them", "were", "old", "."}},
      {"There were 300,000, but that wasn't enough.",
       {"There", "were", "300,000", ",", "but", "that", "was", "n't", "enough", "."}},
      {"It's more'n enough.", {"It", "'s", "more", "'n", "enough", "."}},
      {"\xc2\xabNow that I can do.\xc2\xbb", {"\xc2\xab", "Now", "that", "I", "can", "do", ".", "\xc2\xbb"}},
      {"Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.",
       {"Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York.", "Please",
        "buy", "me", "two", "of", "them.", "Thanks", "."}},
  };
  TreebankWordTokenizer tok;
  for (const auto& [text, expected] : cases) {
    BOOST_TEST_CONTEXT(text) {
      Strings got = tok.tokenize(text);
      BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(punkt_matches_nltk_with_the_same_parameters) {
  PunktSentenceTokenizer punkt(load_punkt_tab(kNltkTestData + "/tokenizers/punkt_tab/english"));
  BOOST_TEST(punkt.params().abbrev_types.count(U"e.g") == 1u);
  BOOST_TEST(punkt.params().collocations.count({U"jan", U"5"}) == 1u);
  BOOST_TEST(punkt.params().ortho_context.at(U"the") == 114);
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"Mr. Smith went to Washington. He said hello.", {"Mr. Smith went to Washington.", "He said hello."}},
      {"This is a test... Another one! And? yes.", {"This is a test... Another one!", "And?", "yes."}},
      {"(Sent1.) Sent2.", {"(Sent1.)", "Sent2."}},
      {"He left on Jan. 5 to St. Paul. It rained.", {"He left on Jan. 5 to St. Paul.", "It rained."}},
      {"I saw J. Smith. the end.", {"I saw J. Smith.", "the end."}},
      {"The U.S. is big. The end.", {"The U.S. is big.", "The end."}},
      {"Hello world.  \n\nNew para here.", {"Hello world.", "New para here."}},
      {"Very bad acting!!! I promise.", {"Very bad acting!!!", "I promise."}},
      {"A sentence \"quoted.\" Next one.", {"A sentence \"quoted.\"", "Next one."}},
      {"Numbers 1. 2. 3. Then.", {"Numbers 1.", "2.", "3.", "Then."}},
      {"ends without period", {"ends without period"}},
      {"  leading spaces. trailing.   ", {"  leading spaces.", "trailing."}},
      {"\"Stop.\" -- he said. Go.", {"\"Stop.\"", "-- he said.", "Go."}},
      {"Is it? Yes! It is.", {"Is it?", "Yes!", "It is."}},
      {"Wait...what? Ok.", {"Wait...what?", "Ok."}},
      {"\xc3\x9c" "ber alles. \xc3\xbc" "ber alles. Caf\xc3\xa9.",
       {"\xc3\x9c" "ber alles.", "\xc3\xbc" "ber alles.", "Caf\xc3\xa9."}},
      {"", {}},
      {"   ", {}},
  };
  for (const auto& [text, expected] : cases) {
    BOOST_TEST_CONTEXT(text) {
      Strings got = punkt.tokenize(text);
      BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(perceptron_tagger_matches_nltk_with_the_same_weights) {
  PerceptronTagger tagger(
      {{"bias", {{"NN", 0.5}, {"VB", 0.5}}},
       {"i-1 tag DT", {{"NN", 1.0}, {"JJ", 0.75}}},
       {"i suffix ing", {{"VBG", 2.0}}},
       {"i word !YEAR", {{"CD", 3.0}}},
       {"i word !DIGITS", {{"CD", 2.5}}},
       {"i word !HYPHEN", {{"JJ", 3.0}}},
       {"i+1 word dog", {{"JJ", 1.0}}},
       {"i+1 suffix ogs", {{"JJ", 1.0}}},
       {"i tag+i-2 tag JJ DT", {{"NNS", 2.0}}},
       {"i pref1 C", {{"NNP", 1.5}}},
       {"i suffix sen", {{"NNP", 1.5}}},
       {"i-2 word -START-", {{"DT", 0.25}}},
       {"i+2 word -END2-", {{"RB", 0.5}}},
       {"i-1 tag+i word VBG dogs", {{"NNS", 3.0}}}},
      {{"the", "DT"}, {"a", "DT"}}, {"NN", "VB", "JJ", "VBG", "CD", "NNS", "NNP", "DT", "RB"});
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"the big dog", {"DT", "JJ", "NNS"}},
      {"running dogs 1999 and 12 well-known", {"VBG", "NNS", "CD", "VB", "CD", "JJ"}},
      {"Caf\xc3\xa9 \xc3\x98lsen", {"NNP", "NNP"}},
      {"a red big dogs", {"DT", "NN", "JJ", "VB"}},
      {"x", {"VB"}},  // NN and VB tie on the bias: the larger label wins
      {"-x 12345 2020s", {"VB", "CD", "CD"}},
      {"the the", {"DT", "DT"}},
  };
  for (const auto& [text, expected] : cases) {
    BOOST_TEST_CONTEXT(text) {
      Strings got = tagger.tag(py_split(text));
      BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
  }
  BOOST_TEST(PerceptronTagger::normalize("well-known") == "!HYPHEN");
  BOOST_TEST(PerceptronTagger::normalize("-x") == "-x");
  BOOST_TEST(PerceptronTagger::normalize("2020") == "!YEAR");
  BOOST_TEST(PerceptronTagger::normalize("2020s") == "!DIGITS");
  BOOST_TEST(PerceptronTagger::normalize("\xc3\x89T\xc3\x89") == "\xc3\xa9t\xc3\xa9");  // ÉTÉ -> été
}

BOOST_AUTO_TEST_CASE(tagger_loads_nltk_json_files) {
  PerceptronTagger tagger = PerceptronTagger::load(kNltkTestData + "/" + kTaggerPrefix);
  BOOST_TEST(tagger.id().rfind("perceptron:", 0) == 0u);
  Strings got = tagger.tag({"the", "dog", "is", "running", "on", "grass", "."});
  Strings expected = {"DT", "NN", "VBZ", "VBG", "IN", "NN", "."};
  BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(missing_resources_name_the_file_and_the_fix) {
  const fs::path dir = fs::temp_directory_path() / ("pgc_capture_nlp_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  try {
    load_punkt_tab(dir.string());
    BOOST_FAIL("expected an InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("abbrev_types.txt") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("punkt_tab") != std::string::npos);
  }
  try {
    PerceptronTagger::load((dir / "x").string());
    BOOST_FAIL("expected an InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("x.weights.json") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("averaged_perceptron_tagger_eng") != std::string::npos);
  }
  // A malformed ortho_context line names its line.
  fs::path bad = dir / "bad";
  fs::copy(kNltkTestData + "/tokenizers/punkt_tab/english", bad);
  std::ofstream(bad / "ortho_context.tab") << "the\t114\nword without tab\n";
  try {
    load_punkt_tab(bad.string());
    BOOST_FAIL("expected an InputError");
  } catch (const InputError& e) {
    BOOST_TEST(e.file().find("ortho_context.tab") != std::string::npos);
    BOOST_TEST(e.item() == "line 2");
  }
  // The search path: the flag first; an unknown resource lists what was searched.
  BOOST_TEST(nltk_data_search_path("/flag/dir").front() == "/flag/dir");
  BOOST_TEST(find_nltk_resource(kNltkTestData, kPunktEnglishDir) == kNltkTestData + "/" + kPunktEnglishDir);
  ::setenv("PGC_NLTK_DATA", kNltkTestData.c_str(), 1);
  BOOST_TEST(find_nltk_resource("", kPunktEnglishDir) == kNltkTestData + "/" + kPunktEnglishDir);
  ::unsetenv("PGC_NLTK_DATA");
  try {
    find_nltk_resource(dir.string(), kPunktEnglishDir);
    BOOST_FAIL("expected an InputError");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find(dir.string()) != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("nltk.downloader punkt_tab") != std::string::npos);
  }
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(python_string_helpers) {
  BOOST_TEST(py_strip("\xc2\xa0 a b\t\n") == "a b");
  BOOST_TEST(py_strip_chars("(( a ))", "()") == " a ");
  BOOST_TEST(py_lower("\xc3\x84pfel ABC") == "\xc3\xa4pfel abc");
  BOOST_TEST(py_isdigit_str("12") == true);
  BOOST_TEST(py_isdigit_str("\xc2\xb2") == true);  // superscript two: isdigit, not isdecimal
  BOOST_TEST(py_isdigit_str("1a") == false);
  BOOST_TEST(py_isdigit_str("") == false);
  Strings split = py_split(" a\xe2\x80\x83" "b  c ");
  BOOST_TEST(split == (Strings{"a", "b", "c"}), boost::test_tools::per_element());
}
