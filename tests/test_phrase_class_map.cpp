// Phrase -> class mapping and embedding similarity (panoptic/phrase_class_map.hpp) with a fake
// sentence encoder whose embeddings the test chooses.
#define BOOST_TEST_MODULE phrase_class_map
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "panoptic/panoptic_io.hpp"
#include "panoptic/phrase_class_map.hpp"

namespace {

// Embeddings from a table; an unknown text embeds as the zero vector. Counts calls and texts.
class FakeEncoder : public pgc::SentenceEncoder {
 public:
  explicit FakeEncoder(std::map<std::string, std::vector<float>> table) : table_(std::move(table)) {}
  size_t dim() const override { return 3; }
  std::string name() const override { return "fake"; }
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) override {
    ++calls;
    embedded += texts.size();
    std::vector<std::vector<float>> out;
    for (const auto& t : texts) {
      auto it = table_.find(t);
      out.push_back(it == table_.end() ? std::vector<float>{0, 0, 0} : it->second);
    }
    return out;
  }
  int calls = 0;
  size_t embedded = 0;

 private:
  std::map<std::string, std::vector<float>> table_;
};

const std::vector<pgc::PqCategory> kCategories = {
    {184, "tree-merged", false}, {1, "person", true}, {187, "sky-other-merged", false}, {3, "car", true},
    {190, "wall-brick", false}};

}  // namespace

BOOST_AUTO_TEST_CASE(class_names_are_cleaned_as_the_spec_says) {
  BOOST_TEST(pgc::clean_class_name("sky-other-merged") == "sky");
  BOOST_TEST(pgc::clean_class_name("wall-brick") == "wall brick");
  BOOST_TEST(pgc::clean_class_name("door-stuff") == "door");
  BOOST_TEST(pgc::clean_class_name("window-other") == "window");
  BOOST_TEST(pgc::clean_class_name("food-other-merged") == "food");
  BOOST_TEST(pgc::clean_class_name("window-blind") == "window blind");
  BOOST_TEST(pgc::clean_class_name("teddy bear") == "teddy bear");
  BOOST_TEST(pgc::clean_class_name("person") == "person");
  // Every one of the shipped 133 names cleans to non-empty text without '-'.
  const auto shipped = pgc::read_categories(pgc::shipped_categories_path());
  BOOST_TEST(shipped.size() == 133u);
  for (const auto& c : shipped) {
    const std::string n = pgc::clean_class_name(c.name);
    BOOST_TEST(!n.empty());
    BOOST_TEST(n.find('-') == std::string::npos, n);
  }
}

BOOST_AUTO_TEST_CASE(cosine_similarity_in_double) {
  BOOST_TEST(pgc::cosine_similarity({1, 0, 0}, {1, 0, 0}) == 1.0);
  BOOST_TEST(pgc::cosine_similarity({1, 0, 0}, {0, 2, 0}) == 0.0);
  BOOST_TEST(std::abs(pgc::cosine_similarity({1, 1, 0}, {1, 0, 0}) - 1 / std::sqrt(2.0)) < 1e-15);
  BOOST_TEST(pgc::cosine_similarity({0, 0, 0}, {1, 0, 0}) == 0.0);  // sklearn: zero rows give 0
  BOOST_CHECK_THROW(pgc::cosine_similarity({1, 0}, {1, 0, 0}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(argmax_over_cleaned_class_names) {
  FakeEncoder enc({{"tree", {1, 0, 0}},
                   {"person", {0, 1, 0}},
                   {"sky", {0, 0, 1}},
                   {"car", {0, 1, 0.2f}},
                   {"wall brick", {1, 0, 1}},
                   {"a man", {0.1f, 1, 0}},
                   {"the blue sky", {0, 0.1f, 1}},
                   {"a red car", {0, 1, 0.3f}},
                   {"bricks", {1, 0, 0.9f}}});
  pgc::PhraseClassMap map(enc, kCategories);
  BOOST_TEST(enc.calls == 1);
  // Sorted by id, names cleaned; the cleaned names are what was embedded.
  std::vector<std::string> texts = {"person", "car", "tree", "sky", "wall brick"};
  BOOST_TEST(map.class_texts() == texts, boost::test_tools::per_element());
  const std::vector<int64_t> got = map.map({"a man", "the blue sky", "a red car", "bricks"});
  BOOST_TEST(enc.calls == 2);
  // Expected ids from the cosines themselves.
  for (size_t i = 0; i < got.size(); ++i) {
    const std::vector<double> c = map.cosines(enc.embed({std::vector<std::string>{"a man", "the blue sky", "a red car",
                                                                                  "bricks"}[i]})[0]);
    size_t best = 0;
    for (size_t k = 1; k < c.size(); ++k)
      if (c[k] > c[best]) best = k;
    BOOST_TEST(got[i] == map.categories()[best].id);
  }
  BOOST_TEST(got == (std::vector<int64_t>{1, 187, 3, 190}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ties_go_to_the_smallest_id_and_isthing_restricts) {
  // "thing" is equally close to person (1) and car (3); "x" equally to everything (zero vector).
  FakeEncoder enc({{"tree", {1, 0, 0}},
                   {"person", {0, 1, 0}},
                   {"car", {0, 1, 0}},
                   {"sky", {0, 0, 1}},
                   {"wall brick", {0, 0, 1}},
                   {"thing", {0, 1, 0}},
                   {"leafy", {1, 0.5f, 0}}});
  pgc::PhraseClassMap map(enc, kCategories);
  BOOST_TEST(map.map({"thing"}) == (std::vector<int64_t>{1}), boost::test_tools::per_element());
  BOOST_TEST(map.map({"x"}) == (std::vector<int64_t>{1}), boost::test_tools::per_element());
  // "leafy" is closest to tree (stuff); told it is a thing, it gets person; told stuff, tree.
  BOOST_TEST(map.map({"leafy", "leafy", "leafy"}, {std::nullopt, true, false}) ==
                 (std::vector<int64_t>{184, 1, 184}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(map.map({"a", "b"}, {true}), std::invalid_argument);
  pgc::PhraseClassMap things_only(enc, {{1, "person", true}});
  BOOST_CHECK_THROW(things_only.map({"leafy"}, {false}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(embedding_similarity_embeds_each_text_once) {
  FakeEncoder enc({{"a man", {1, 0, 0}}, {"the man", {1, 1, 0}}, {"sky", {0, 0, 1}}});
  pgc::EmbeddingSimilarity sim(enc);
  sim.add({"a man", "the man", "a man", "sky"});
  BOOST_TEST(enc.embedded == 3u);
  sim.add({"sky", "a man"});  // nothing new: no encoder call
  BOOST_TEST(enc.calls == 1);
  BOOST_TEST(sim.size() == 3u);
  BOOST_TEST(std::abs(sim("a man", "the man") - 1 / std::sqrt(2.0)) < 1e-15);
  BOOST_TEST(sim("a man", "sky") == 0.0);
  BOOST_CHECK_THROW(sim("a man", "unseen"), std::out_of_range);
}
