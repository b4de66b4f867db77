// CAPTURE graphs and full modes without the T5 network: graph-string normalization, parsing,
// merging, noun/stop-word filtering (spec §2.4-2.9 rules, each with hand-built cases and the
// spec's §8 extraction vectors), the text pipeline with a fake scene-graph parser, and the
// elements fixtures re-expressed as parser outputs scoring exactly as the fixtures expect.
#define BOOST_TEST_MODULE capture_graph
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <map>

#include "caption/capture_graph.hpp"
#include "caption/capture_io.hpp"
#include "caption/capture_text.hpp"
#include "caption/python_str.hpp"
#include "caption/wordnet.hpp"
#include "core/json.hpp"

using namespace pgc;
namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {

const WordNet& wordnet() {
  static const WordNet wn(resolve_wordnet_dir(""));
  return wn;
}

const CaptureTextPipeline& pipeline() {
  static const std::unique_ptr<CaptureTextPipeline> p =
      CaptureTextPipeline::load(std::string(PGC_SOURCE_DIR) + "/tests/data/capture_nltk", wordnet());
  return *p;
}

using Attrs = std::vector<std::pair<std::string, Strings>>;

void check_elements(const CaptureElements& got, const Strings& objects, const Attrs& attrs,
                    const std::vector<CaptureTriple>& relations) {
  BOOST_TEST(got.objects == objects, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(got.attributes.size() == attrs.size());
  for (size_t k = 0; k < attrs.size(); ++k) {
    BOOST_TEST(got.attributes[k].first == attrs[k].first);
    BOOST_TEST(got.attributes[k].second == attrs[k].second, boost::test_tools::per_element());
  }
  BOOST_TEST_REQUIRE(got.relations.size() == relations.size());
  for (size_t k = 0; k < relations.size(); ++k)
    BOOST_TEST((got.relations[k] == relations[k]), "relation " << k);
}

}  // namespace

BOOST_AUTO_TEST_CASE(space_out_puts_one_space_around_symbols) {
  BOOST_TEST(space_out_graph_string("(dog,on,grass),(dog,is,big)") == "( dog , on , grass ) , ( dog , is , big )");
  BOOST_TEST(space_out_graph_string("  (  big \t  dog ,is,  brown\xc2\xa0)  ") == "( big dog , is , brown )");
  BOOST_TEST(space_out_graph_string("") == "");
}

BOOST_AUTO_TEST_CASE(clean_sorts_deduplicates_and_drops_truncated_facts) {
  // spec §8: sorted by code point
  BOOST_TEST(normalize_graph_string("( dogs , is , white ) , ( dogs , on , grass ) , ( dogs , is , 2 )") ==
             "( dogs , is , 2 ) , ( dogs , is , white ) , ( dogs , on , grass )");
  // spec §8: a truncated last fact is dropped when there are several
  BOOST_TEST(normalize_graph_string("( dog , on , grass ) , ( dog , near") == "( dog , on , grass )");
  // one truncated fact: its text before the first comma
  BOOST_TEST(normalize_graph_string("( dog , on") == "( dog )");
  BOOST_TEST(normalize_graph_string("dog") == "( dog )");
  // duplicates go, empty facts go
  BOOST_TEST(normalize_graph_string("( a , is , red ) , ( a , is , red ) , ( )") == "( a , is , red )");
  // the prompt literal is removed wherever it is; then stripped
  BOOST_TEST(normalize_graph_string("Generate Scene Graph: (cat, on, mat)") == "( cat , on , mat )");
  BOOST_TEST(normalize_graph_string("(cat, Generate Scene Graph:on, mat)") == "( cat , on , mat )");
  // code-point order: upper case before lower case before non-ASCII
  BOOST_TEST(normalize_graph_string("(zebra, is, striped), (\xc3\xa9" "clair, is, sweet), (Zebra, is, big)") ==
             "( Zebra , is , big ) , ( zebra , is , striped ) , ( \xc3\xa9" "clair , is , sweet )");
  BOOST_TEST(normalize_graph_string("") == "");
  BOOST_TEST(normalize_graph_string("   ") == "");
  // idempotent, so graphs-mode inputs may be raw or already normalized
  const std::string once = normalize_graph_string("(b,on,c),(a , is,red),(b,on");
  BOOST_TEST(once == "( a , is , red ) , ( b , on , c )");
  BOOST_TEST(normalize_graph_string(once) == once);
  // clean_graph_string tests the unstripped string's last character
  BOOST_TEST(clean_graph_string("( a , is , red ) ") == "( a )");
}

BOOST_AUTO_TEST_CASE(graph_string_to_object_rules) {
  SceneGraph g = graph_string_to_object("( dogs , is , 2 ) , ( dogs , is , white ) , ( dogs , on , grass )");
  BOOST_TEST_REQUIRE(g.entities.size() == 2u);
  BOOST_TEST(g.entities[0].head == "dogs");
  BOOST_TEST(g.entities[0].quantity == "2");
  BOOST_TEST(g.entities[0].attributes == Strings{"white"}, boost::test_tools::per_element());
  BOOST_TEST(g.entities[1].head == "grass");
  BOOST_TEST_REQUIRE(g.relations.size() == 1u);
  BOOST_TEST(g.relations[0].subject == 0u);
  BOOST_TEST(g.relations[0].relation == "on");
  BOOST_TEST(g.relations[0].object == 1u);
  // the empty graph is one entity with head ""
  SceneGraph empty = graph_string_to_object("");
  BOOST_TEST_REQUIRE(empty.entities.size() == 1u);
  BOOST_TEST(empty.entities[0].head == "");
  // a lone piece without 3 parts makes an entity of its first part; among several it is skipped
  BOOST_TEST(graph_string_to_object("( dog , on )").entities.size() == 1u);
  SceneGraph skipped = graph_string_to_object("( a , b ) , ( dog , on , grass )");
  BOOST_TEST_REQUIRE(skipped.entities.size() == 2u);
  BOOST_TEST(skipped.entities[0].head == "dog");
  // Unicode digits are quantities (str.isdigit); attributes keep first appearance, distinct
  SceneGraph q = graph_string_to_object("( cat , is , \xc2\xb2 ) , ( cat , is , red ) , ( cat , is , big ) , ( cat , is , red )");
  BOOST_TEST(q.entities[0].quantity == "\xc2\xb2");
  BOOST_TEST(q.entities[0].attributes == (Strings{"red", "big"}), boost::test_tools::per_element());
  // "is" with a relation-like object is still an attribute; other predicates make entities
  SceneGraph rel = graph_string_to_object("( man , riding , horse ) , ( horse , is , brown )");
  BOOST_TEST(rel.entities.size() == 2u);
  BOOST_TEST(rel.relations.size() == 1u);
}

BOOST_AUTO_TEST_CASE(merge_lemmatizes_and_keeps_first_appearance) {
  std::vector<SceneGraph> sentences = {
      graph_string_to_object(normalize_graph_string("( dogs , is , white ) , ( dogs , on , grass )")),
      graph_string_to_object(normalize_graph_string(
          "( dog , is , bigger ) , ( man , is , full of energy ) , ( cars , near , dogs ) , ( Cars , is , redder )")),
  };
  CaptureElements m = merge_sentence_graphs(sentences, wordnet());
  // objects: lemN(head); "Cars" stays capitalised (morphy is case-sensitive)
  check_elements(m, {"dog", "grass", "Cars", "car", "man"}, {{"dog", {"white", "big"}}, {"Cars", {"red"}}},
                 {{"dog", "on", "grass"}, {"car", "near", "dog"}});
  // the " of" rule: "full of energy" dropped, and "man" gets no attribute key at all
}

BOOST_AUTO_TEST_CASE(filter_by_nouns_and_stop_words) {
  CaptureElements merged;
  merged.objects = {"tennis racket", "background", "dog", "", "table tennis"};
  merged.attributes = {{"background", {"blue"}}, {"dog", {"small"}}, {"cat", {"black"}}};
  merged.relations = {{"dog", "near", "tennis racket"}, {"dog", "on", "background"}, {"dog", "with", "cat"}};
  const auto& stop = capture_stop_word_list();
  std::unordered_set<std::string> stop_set(stop.begin(), stop.end());
  std::unordered_set<std::string> nouns = {"tennis", "racket", "background", "dog"};
  CaptureElements f = filter_capture_elements(merged, nouns, &stop_set);
  // "tennis racket": every piece is a noun; "background": a stop word; "": never a noun;
  // "table tennis": "table" is not a noun of the text
  check_elements(f, {"tennis racket", "dog"}, {{"background", {"blue"}}, {"dog", {"small"}}},
                 {{"dog", "near", "tennis racket"}, {"dog", "on", "background"}});
  CaptureElements no_stop = filter_capture_elements(merged, nouns, nullptr);
  BOOST_TEST(no_stop.objects == (Strings{"tennis racket", "background", "dog"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stop_word_list_is_the_reference_list) {
  const auto& words = capture_stop_word_list();
  BOOST_TEST(words.size() == 317u);
  std::unordered_set<std::string> distinct(words.begin(), words.end());
  BOOST_TEST(distinct.size() == 317u);
  BOOST_TEST(words.front() == "background");
  BOOST_TEST(words.back() == "interpretation");
  BOOST_TEST(distinct.count("Atmosph\xc3\xa4re") == 1u);
  BOOST_TEST(distinct.count("vantage point") == 1u);
  BOOST_TEST(distinct.count("Background") == 0u);  // case-sensitive
}

BOOST_AUTO_TEST_CASE(spec_section8_extraction_vectors) {
  const CaptureTextPipeline& p = pipeline();
  // raw graph -> O[dog, grass], A{dog:[white]}, R[(dog,on,grass)]
  check_elements(p.elements("Two white dogs are on the grass.",
                            {"( dogs , is , white ) , ( dogs , on , grass ) , ( dogs , is , 2 )"}),
                 {"dog", "grass"}, {{"dog", {"white"}}}, {{"dog", "on", "grass"}});
  // truncated output
  check_elements(p.elements("A dog on grass near a tree.", {"( dog , on , grass ) , ( dog , near"}),
                 {"dog", "grass"}, {}, {{"dog", "on", "grass"}});
  // " of" rule
  check_elements(p.elements("A man full of energy.", {"( man , is , full of energy )"}), {"man"}, {}, {});
  // empty parse: entity "" removed by the noun filter
  check_elements(p.elements("Nothing here.", {""}), {}, {}, {});
  // stop word object dropped though it is a noun; its attribute key is kept (reference quirk)
  check_elements(p.elements("A dog in the background.", {"( background , is , blue ) , ( dog , in , background )"}),
                 {"dog"}, {{"background", {"blue"}}}, {{"dog", "in", "background"}});
  // nouns come from the text: "racket" missing from the text drops "tennis racket"
  check_elements(p.elements("A boy holds a tennis bat.", {"( boy , holding , tennis racket )"}), {"boy"}, {}, {});
  check_elements(p.elements("A boy holds a tennis racket.", {"( boy , holding , tennis racket )"}),
                 {"boy", "tennis racket"}, {}, {{"boy", "holding", "tennis racket"}});
  // capitalised tokens are not lemmatized (spec §7.7): "He" / "Dogs" do not make "he" / "dog" nouns
  check_elements(p.elements("He holds a racket.", {"( he , holding , racket )"}), {"racket"}, {}, {});
  check_elements(p.elements("Dogs run.", {"( dogs , is , fast )"}), {}, {}, {});
  // sentences merge in order; the same object from two sentences appears once
  check_elements(p.elements("Cars park on a street. A car is red.", {"( cars , park on , street )", "( car , is , red )"}),
                 {"car", "street"}, {{"car", {"red"}}}, {{"car", "park on", "street"}});
  BOOST_TEST(p.sentences("Cars park on a street. A car is red.") == (Strings{"Cars park on a street.", "A car is red."}),
             boost::test_tools::per_element());
  // the noun set: word_tokenize + tagger (test model: every content word NN) + noun lemmas
  std::unordered_set<std::string> nouns = p.nouns("The dogs are running on grass.");
  BOOST_TEST(nouns.count("dog") == 1u);
  BOOST_TEST(nouns.count("grass") == 1u);
  BOOST_TEST(nouns.count("running") == 0u);  // VBG in the test model
  BOOST_TEST(nouns.count("are") == 0u);      // VBP from the tag dictionary
}

namespace {

// A scene-graph parser returning canned outputs; records each parse() call's batch.
class FakeParser : public SceneGraphParser {
 public:
  std::map<std::string, std::string> graphs;
  std::vector<size_t> batches;
  std::string name() const override { return "fake"; }
  std::vector<std::string> parse(const std::vector<std::string>& sentences) override {
    batches.push_back(sentences.size());
    std::vector<std::string> out;
    for (const auto& s : sentences) {
      auto it = graphs.find(s);
      out.push_back(it == graphs.end() ? "" : it->second);
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(full_mode_with_a_fake_parser_end_to_end) {
  FakeParser parser;
  parser.graphs["A red car is on the road."] = "( car , is , red ) , ( car , on , road )";
  parser.graphs["Tall trees line it."] = "( trees , is , tall ) , ( trees , line , it )";
  parser.graphs["A red automobile drives on a road."] = "( automobile , is , red ) , ( automobile , drives on , road )";
  const Strings ids = {"img1"};
  const std::vector<Strings> refs = {{"A red car is on the road. Tall trees line it."}};
  const Strings preds = {"A red automobile drives on a road."};
  size_t callbacks = 0;
  std::vector<CaptureGraphImage> parsed =
      parse_capture_captions(ids, refs, preds, pipeline(), parser, [&] { ++callbacks; });
  BOOST_TEST(callbacks == 2u);
  BOOST_TEST_REQUIRE(parsed.size() == 1u);
  BOOST_TEST(parsed[0].refs[0].graphs.size() == 2u);  // one graph per Punkt sentence
  BOOST_TEST(parsed[0].pred.graphs.size() == 1u);
  std::vector<CaptureImage> images = extract_capture_images(parsed, pipeline(), 2);
  // "it" is a stop word: dropped from objects, but the relation (tree, line, it) stays
  check_elements(images[0].refs[0], {"car", "road", "tree"}, {{"car", {"red"}}, {"tree", {"tall"}}},
                 {{"car", "on", "road"}, {"tree", "line", "it"}});
  check_elements(images[0].pred, {"automobile", "road"}, {{"automobile", {"red"}}},
                 {{"automobile", "drives on", "road"}});
  // Scored: car/automobile are WordNet synonyms, road exact, red exact; relations: subject
  // car/automobile synonymous, "drives on"/"on" by substring, road exact.
  WordNetSynonyms syn(wordnet());
  CaptureScorer scorer(CaptureOptions{}, &syn, nullptr);
  CaptureResult r = evaluate_capture(images, scorer, 1);
  const double eps = 1e-6;
  auto f = [&](double m, double nc, double nr) {
    double p = m / (nc + eps), rc = m / (nr + eps);
    return 2 * p * rc / (p + rc + eps);
  };
  const double expected = (0.5 * f(2, 2, 3) + 0.5 * f(1, 1, 2) + 0.2 * f(1, 1, 2)) / 1.2;
  BOOST_TEST(std::abs(r.corpus - expected) < 1e-12);

  // Batches of at most 32 sentences per caption, in order.
  FakeParser batching;
  std::string many;
  for (int i = 0; i < 70; ++i) many += "Sentence number " + std::to_string(i) + " is here. ";
  Strings sentences = pipeline().sentences(many);
  BOOST_TEST(sentences.size() == 70u);
  Strings graphs = parse_caption_sentences(batching, sentences);
  BOOST_TEST(graphs.size() == 70u);
  BOOST_TEST(batching.batches == (std::vector<size_t>{32, 32, 6}), boost::test_tools::per_element());
}

// ---- the elements fixtures, re-expressed as parser outputs ---------------------------------

namespace {

bool plain_element(const std::string& s) {
  return !s.empty() && s.find_first_of("(),") == std::string::npos && py_strip(s) == s &&
         s.find("  ") == std::string::npos && s.find(" of") == std::string::npos;
}

// Graph strings whose extraction gives back `e` exactly (up to order), or false when `e` cannot
// be written so: keys and relation ends must be objects, lemmatization must not change anything,
// no stop-word objects, no "is" predicates, no digit-only attributes.
bool graphs_for(const CaptureElements& e, CaptionGraphs& out) {
  const WordNet& wn = wordnet();
  const auto& stop = capture_stop_word_list();
  std::unordered_set<std::string> objects(e.objects.begin(), e.objects.end());
  if (objects.size() != e.objects.size()) return false;
  out = CaptionGraphs{};
  for (const auto& o : e.objects) {
    if (!plain_element(o) || wn.lemmatize(o, WordNet::kNoun) != o ||
        std::find(stop.begin(), stop.end(), o) != stop.end())
      return false;
    for (const auto& piece : py_split(o))
      if (wn.lemmatize(piece, WordNet::kNoun) != piece) return false;
    out.text += (out.text.empty() ? "" : " , ") + o;
  }
  out.text += " .";
  // the test tagger must see every object word as a noun (it tags "-ing" words VBG)
  std::unordered_set<std::string> nouns = pipeline().nouns(out.text);
  for (const auto& o : e.objects)
    for (const auto& piece : py_split(o))
      if (!nouns.count(piece)) return false;
  // one sentence per attribute key, in key order (the reference's key order is deterministic)
  for (const auto& [key, values] : e.attributes) {
    if (!objects.count(key) || values.empty()) return false;
    std::string g;
    std::unordered_set<std::string> seen;
    for (const auto& v : values) {
      if (!plain_element(v) || !seen.insert(v).second || wn.lemmatize(v, WordNet::kAdj) != v || py_isdigit_str(v))
        return false;
      g += (g.empty() ? "" : " , ") + ("( " + key + " , is , " + v + " )");
    }
    out.graphs.push_back(g);
  }
  for (const auto& t : e.relations) {
    if (!objects.count(t[0]) || !objects.count(t[2]) || !plain_element(t[1]) || t[1] == "is") return false;
    out.graphs.push_back("( " + t[0] + " , " + t[1] + " , " + t[2] + " )");
  }
  for (const auto& o : e.objects) out.graphs.push_back("( " + o + " )");
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fixtures_through_graphs_mode_score_as_expected) {
  const fs::path root = fs::path(PGC_FIXTURES_DIR) / "capture";
  WordNetSynonyms syn(wordnet());
  size_t converted = 0, total = 0;
  for (const char* name : {"spec_vectors", "small", "random_small"}) {
    const fs::path dir = root / name;
    std::vector<CaptureImage> images = read_capture_images((dir / "refs.json").string(), (dir / "preds.json").string());
    SimilarityTable table = fs::exists(dir / "similarity.json") ? read_similarity_table((dir / "similarity.json").string())
                                                                : SimilarityTable();
    JsonDoc expected = read_json_file((dir / "expected.json").string());
    std::vector<CaptureGraphImage> as_graphs;
    for (const auto& img : images) {
      ++total;
      CaptureGraphImage g;
      g.id = img.id;
      bool ok = graphs_for(img.pred, g.pred);
      for (const auto& r : img.refs) {
        g.refs.emplace_back();
        ok = ok && graphs_for(r, g.refs.back());
      }
      if (ok) as_graphs.push_back(std::move(g));
    }
    converted += as_graphs.size();
    std::vector<CaptureImage> extracted = extract_capture_images(as_graphs, pipeline(), 2);
    CaptureScorer scorer(CaptureOptions{}, &syn, &table);
    if (extracted.empty()) continue;
    CaptureResult r = evaluate_capture(extracted, scorer, 2);
    for (size_t i = 0; i < r.ids.size(); ++i) {
      const JsonValue& want = expected["per_image"][r.ids[i].c_str()];
      auto got = r.per_image[i].values();
      for (size_t k = 0; k < got.size(); ++k)
        BOOST_TEST(std::abs(got[k] - want[kCaptureValueNames[k]].GetDouble()) < 1e-9,
                   name << " " << r.ids[i] << " " << kCaptureValueNames[k]);
    }
  }
  BOOST_TEST_MESSAGE("graphs-mode fixture images: " << converted << " of " << total);
  BOOST_TEST(converted >= 15u);
}
