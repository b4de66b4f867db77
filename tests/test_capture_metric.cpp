// CAPTURE's scorer (metrics/capture) on the spec's §8 test vectors, read from
// shared/specs/capture.md itself (table TV1-TV13, the aggregation check, the lexical
// vectors), plus in-memory checks of the reference's quirks with a fake synonym lookup.
#define BOOST_TEST_MODULE capture_metric
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "caption/wordnet.hpp"
#include "metrics/capture.hpp"

namespace {

const std::string kSpecPath = std::string(PGC_FIXTURES_DIR) + "/../specs/capture.md";

std::string spec_text() {
  std::ifstream in(kSpecPath);
  BOOST_TEST_REQUIRE(static_cast<bool>(in), "cannot read " << kSpecPath);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const pgc::WordNet& wordnet() {
  static const pgc::WordNet wn(pgc::resolve_wordnet_dir(""));
  return wn;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// ---- The spec's element notation: O[a,b] A{k:[x,y]} R[(s,r,o)], sim(c,r)=v, identical, empty.

struct VectorSide {
  pgc::CaptureElements elements;
  bool identical = false;
  std::vector<std::pair<std::string, double>> sims;  // "cand|ref" -> cosine
};

class NotationParser {
 public:
  explicit NotationParser(std::string text) : s_(std::move(text)) {}

  VectorSide parse() {
    VectorSide side;
    while (skip(), pos_ < s_.size()) {
      if (take("identical")) side.identical = true;
      else if (take("empty")) {}
      else if (take("O[")) side.elements.objects = items(']');
      else if (take("A{")) attributes(side.elements);
      else if (take("R[")) relations(side.elements);
      else if (take("sim(")) {
        std::string c = item(), r = (expect(','), item());
        expect(')'), expect('=');
        size_t used = 0;
        double v = std::stod(s_.substr(pos_), &used);
        pos_ += used;
        side.sims.emplace_back(c + "|" + r, v);
      } else if (s_[pos_] == '(') {  // a remark such as "(WordNet synonym)"
        pos_ = s_.find(')', pos_) + 1;
      } else {
        BOOST_FAIL("cannot read spec notation at: " << s_.substr(pos_));
      }
    }
    return side;
  }

 private:
  void skip() { while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == ',')) ++pos_; }
  bool take(const std::string& word) {
    if (s_.compare(pos_, word.size(), word) != 0) return false;
    pos_ += word.size();
    return true;
  }
  void expect(char c) {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    BOOST_TEST_REQUIRE(pos_ < s_.size());
    BOOST_TEST_REQUIRE(s_[pos_] == c, "expected '" << c << "' in " << s_);
    ++pos_;
  }
  std::string item() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (s_[pos_] == '"') {
      size_t end = s_.find('"', pos_ + 1);
      std::string v = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return v;
    }
    size_t end = s_.find_first_of(",])}:", pos_);
    std::string v = trim(s_.substr(pos_, end - pos_));
    pos_ = end;
    return v;
  }
  std::vector<std::string> items(char close) {
    std::vector<std::string> out;
    while (pos_ < s_.size() && s_[pos_] != close) {
      out.push_back(item());
      if (s_[pos_] == ',') ++pos_;
    }
    expect(close);
    return out;
  }
  void attributes(pgc::CaptureElements& e) {
    while (s_[pos_] != '}') {
      std::string key = item();
      expect(':'), expect('[');
      e.attributes.emplace_back(key, items(']'));
      if (s_[pos_] == ',') ++pos_;
    }
    expect('}');
  }
  void relations(pgc::CaptureElements& e) {
    while (s_[pos_] != ']') {
      expect('(');
      pgc::CaptureTriple t;
      t[0] = item(), expect(','), t[1] = item(), expect(','), t[2] = item();
      expect(')');
      e.relations.push_back(t);
      if (s_[pos_] == ',') ++pos_;
    }
    expect(']');
  }
  std::string s_;
  size_t pos_ = 0;
};

// ---- Expected cell: "S" or "S, Po, ..., Fr" (10 positional) or "S; Po = Ro = .99, Fo .98 ...".

struct Expected {
  double value;
  double tolerance;  // half a unit of the last printed decimal, at least the spec's 1e-9
};

std::map<std::string, Expected> parse_expected(const std::string& cell) {
  static const std::vector<std::string> kOrder = {"S", "Po", "Ro", "Fo", "Pa", "Ra", "Fa", "Pr", "Rr", "Fr"};
  std::regex token(R"(\b([PRF][oar])\b|(-?\d*\.\d+|-?\d+)|(/))");
  std::vector<std::pair<int, std::string>> toks;  // 0 name, 1 number, 2 slash
  for (auto it = std::sregex_iterator(cell.begin(), cell.end(), token); it != std::sregex_iterator(); ++it)
    toks.emplace_back((*it)[1].matched ? 0 : (*it)[2].matched ? 1 : 2, it->str());
  auto expected_of = [](const std::string& num) {
    size_t dot = num.find('.');
    double tol = 1e-9;
    if (dot != std::string::npos) tol = std::max(tol, 0.5 * std::pow(10.0, -static_cast<double>(num.size() - dot - 1)));
    return Expected{std::stod(num), tol};
  };
  std::map<std::string, Expected> out;
  std::vector<std::string> pending, bare;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].first == 0) { pending.push_back(toks[i].second); continue; }
    if (toks[i].first != 1) continue;
    if (i + 1 < toks.size() && toks[i + 1].first == 2) { i += 2; continue; }  // "1.25/2.000001"
    if (pending.empty()) bare.push_back(toks[i].second);
    for (const auto& name : pending) out[name] = expected_of(toks[i].second);
    pending.clear();
  }
  BOOST_TEST_REQUIRE(!bare.empty(), "no CAPTURE value in " << cell);
  if (out.empty() && bare.size() == kOrder.size()) {
    for (size_t k = 0; k < kOrder.size(); ++k) out[kOrder[k]] = expected_of(bare[k]);
  } else {
    BOOST_TEST_REQUIRE(bare.size() == 1u, "ambiguous expected cell " << cell);
    out["S"] = expected_of(bare[0]);
  }
  return out;
}

struct TestVector {
  std::string id;
  VectorSide ref, cand;
  std::map<std::string, Expected> expected;
};

std::vector<TestVector> spec_vectors() {
  std::vector<TestVector> out;
  std::istringstream lines(spec_text());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| TV", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '|');) cells.push_back(trim(c));
    BOOST_TEST_REQUIRE(cells.size() >= 5u, "bad table row " << line);
    TestVector tv;
    tv.id = cells[1];
    tv.ref = NotationParser(cells[2]).parse();
    tv.cand = NotationParser(cells[3]).parse();
    if (tv.cand.identical) tv.cand.elements = tv.ref.elements;
    tv.expected = parse_expected(cells[4]);
    out.push_back(std::move(tv));
  }
  return out;
}

std::map<std::string, double> named_values(const pgc::CapturePairScore& s) {
  auto v = s.values();
  static const std::vector<std::string> kOrder = {"S", "Po", "Ro", "Fo", "Pa", "Ra", "Fa", "Pr", "Rr", "Fr"};
  std::map<std::string, double> out;
  for (size_t k = 0; k < kOrder.size(); ++k) out[kOrder[k]] = v[k];
  return out;
}

// A synonym lookup from a fixed map (no WordNet), recording the words it was asked about.
class FakeSynonyms : public pgc::SynonymLookup {
 public:
  std::map<std::string, std::vector<std::string>> lemmas;
  mutable std::set<std::string> asked;
  std::vector<std::string> lemma_names(const std::string& word) const override {
    asked.insert(word);
    auto it = lemmas.find(word);
    return it == lemmas.end() ? std::vector<std::string>{} : it->second;
  }
};

pgc::CaptureElements objects(std::vector<std::string> o) {
  pgc::CaptureElements e;
  e.objects = std::move(o);
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(spec_table_vectors) {
  auto vectors = spec_vectors();
  BOOST_TEST_REQUIRE(vectors.size() >= 14u, "expected TV1-TV13 with TV10C/D in " << kSpecPath);
  pgc::WordNetSynonyms synonyms(wordnet());
  for (const auto& tv : vectors) {
    BOOST_TEST_CONTEXT(tv.id) {
      pgc::SimilarityTable table;
      for (const auto& side : {tv.ref, tv.cand})
        for (const auto& [key, v] : side.sims) table.add(key, v);
      // Soft stage on with the vector's table (empty = all zeros); the spec's values hold
      // for soft off too whenever no similarity is given.
      pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, &table);
      auto got = named_values(scorer.score(tv.cand.elements, tv.ref.elements));
      for (const auto& [name, want] : tv.expected)
        BOOST_TEST(std::fabs(got[name] - want.value) <= want.tolerance,
                   name << std::setprecision(12) << " got " << got[name] << " want " << want.value);
      if (table.size() == 0) {
        pgc::CaptureScorer nosoft(pgc::CaptureOptions{}, &synonyms, nullptr);
        BOOST_TEST(nosoft.score(tv.cand.elements, tv.ref.elements).capture == got["S"]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(spec_aggregation_check) {
  // "image with refs {TV1-ref, TV5-ref} and the TV1 candidate -> ... image X. Corpus of that
  // image plus a TV1 image -> Y"
  const std::string spec = spec_text();
  std::smatch image_m, corpus_m;
  BOOST_TEST_REQUIRE(std::regex_search(spec, image_m, std::regex(R"(→ image ([0-9.]+))")));
  BOOST_TEST_REQUIRE(std::regex_search(spec, corpus_m, std::regex(R"(plus a TV1 image → ([0-9.]+))")));
  std::map<std::string, TestVector> by_id;
  for (auto& tv : spec_vectors()) by_id[tv.id] = tv;
  pgc::WordNetSynonyms synonyms(wordnet());
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, nullptr);
  std::vector<pgc::CaptureImage> images(2);
  images[0] = {"agg", {by_id["TV1"].ref.elements, by_id["TV5"].ref.elements}, by_id["TV1"].cand.elements};
  images[1] = {"tv1", {by_id["TV1"].ref.elements}, by_id["TV1"].cand.elements};
  pgc::CaptureResult r = pgc::evaluate_capture(images, scorer, 2);
  BOOST_TEST(std::fabs(r.per_image[0].capture - std::stod(image_m[1])) <= 1e-9);
  BOOST_TEST(std::fabs(r.corpus - std::stod(corpus_m[1])) <= 1e-9);
  BOOST_TEST(r.stats[0].references == 2u);
}

BOOST_AUTO_TEST_CASE(spec_lexical_vectors) {
  // "`syn(a, b)` true|false" entries, "(shared: ...)" intersections and "L(x) = {...}" sets.
  const std::string spec = spec_text();
  size_t start = spec.find("Lexical vectors");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  std::string para = spec.substr(start, spec.find("\n\n", start) - start);
  for (char& c : para) if (c == '\n') c = ' ';
  pgc::WordNetSynonyms synonyms(wordnet());
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, nullptr);
  auto lemma_set = [&](const std::string& w) {
    auto names = wordnet().synset_lemma_names(w);
    return std::set<std::string>(names.begin(), names.end());
  };
  auto list_of = [](const std::string& s) {
    std::set<std::string> out;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, ',');) out.insert(trim(x));
    return out;
  };
  size_t n_syn = 0;
  std::regex entry(R"(`syn\(("[^"]*"|[^,]+), ("[^"]*"|[^)]+)\)` (true|false)( \(([^()]*(\([^()]*\)[^()]*)*)\))?)");
  for (auto it = std::sregex_iterator(para.begin(), para.end(), entry); it != std::sregex_iterator(); ++it) {
    auto unquote = [](std::string s) { return s.size() > 1 && s[0] == '"' ? s.substr(1, s.size() - 2) : s; };
    std::string a = unquote((*it)[1]), b = unquote((*it)[2]);
    bool want = (*it)[3] == "true";
    BOOST_TEST(scorer.synonymous(a, b) == want, "syn(" << a << ", " << b << ")");
    ++n_syn;
    std::string remark = (*it)[5];
    if (remark.rfind("shared: ", 0) == 0) {
      std::set<std::string> la = lemma_set(a), lb = lemma_set(b), shared;
      for (const auto& x : la) if (lb.count(x)) shared.insert(x);
      BOOST_TEST((shared == list_of(remark.substr(8))), "shared lemmas of " << a << ", " << b);
    }
    std::regex lset(R"(L\((\w+)\) = \{([^}]*)\})");
    for (auto m = std::sregex_iterator(remark.begin(), remark.end(), lset); m != std::sregex_iterator(); ++m)
      BOOST_TEST((lemma_set((*m)[1]) == list_of((*m)[2])), "L(" << (*m)[1] << ")");
  }
  BOOST_TEST(n_syn >= 9u, "lexical vectors not found in " << kSpecPath);
}

BOOST_AUTO_TEST_CASE(first_fit_synonym_stage_depends_on_order) {
  // TV10C/TV10D: same sets, different order, different scores; pgc follows the given order.
  std::map<std::string, TestVector> by_id;
  for (auto& tv : spec_vectors()) by_id[tv.id] = tv;
  BOOST_TEST_REQUIRE(by_id.count("TV10C") == 1u);
  pgc::WordNetSynonyms synonyms(wordnet());
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &synonyms, nullptr);
  double c = scorer.score(by_id["TV10C"].cand.elements, by_id["TV10C"].ref.elements).capture;
  double d = scorer.score(by_id["TV10D"].cand.elements, by_id["TV10D"].ref.elements).capture;
  BOOST_TEST(c < d);
}

BOOST_AUTO_TEST_CASE(substring_rule_comes_before_wordnet) {
  FakeSynonyms fake;
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, nullptr);
  BOOST_TEST(scorer.synonymous("car", "carpet"));
  BOOST_TEST(scorer.synonymous("woman", "man"));
  BOOST_TEST(scorer.synonymous("", "anything"));  // "" is a substring of every string
  BOOST_TEST(!scorer.synonymous("Car", "carpet"));  // case-sensitive
  BOOST_TEST(fake.asked.empty() == false);
}

BOOST_AUTO_TEST_CASE(multiword_elements_are_looked_up_with_underscores) {
  FakeSynonyms fake;
  fake.lemmas["clock_tower"] = {"clock_tower"};
  fake.lemmas["steeple"] = {"steeple", "clock_tower"};
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, nullptr);
  BOOST_TEST(scorer.synonymous("clock \t tower", "steeple"));
  BOOST_TEST(fake.asked.count("clock_tower") == 1u);
  // Python's str.split() also splits on Unicode spaces (U+00A0, U+3000, ...).
  BOOST_TEST((pgc::python_str_split("a\xC2\xA0" "b\xE3\x80\x80 c ") == std::vector<std::string>{"a", "b", "c"}));
}

BOOST_AUTO_TEST_CASE(whitespace_only_element_crashes_like_the_reference) {
  FakeSynonyms fake;
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, nullptr);
  BOOST_CHECK_THROW(scorer.synonymous(" ", "dog"), pgc::CaptureReferenceCrash);
  BOOST_TEST(!scorer.synonymous("dog", " "));    // short-circuit: no crash in this order
  BOOST_TEST(scorer.synonymous(" ", "hot dog"));  // substring first
  std::vector<pgc::CaptureImage> images = {{"img", {objects({"dog"})}, objects({" "})}};
  BOOST_CHECK_THROW(pgc::evaluate_capture(images, scorer, 1), pgc::CaptureReferenceCrash);
  pgc::CaptureOptions no_syn;
  no_syn.synonym_matching = false;
  pgc::CaptureScorer plain(no_syn, nullptr, nullptr);
  BOOST_TEST(plain.score(objects({" "}), objects({"dog"})).capture == 0.0);
}

BOOST_AUTO_TEST_CASE(soft_stage_sums_best_matches_without_assignment_or_threshold) {
  FakeSynonyms fake;
  pgc::SimilarityTable table;
  table.add("lion|tiger", 0.75);
  table.add("puma|tiger", 0.5);
  table.add("lion|zebra", -0.25);
  table.add("puma|zebra", -0.5);
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, &table);
  auto s = scorer.score(objects({"lion", "puma"}), objects({"tiger", "zebra"}));
  // rows: lion max 0.75, puma max 0.5 -> 1.25; columns: tiger 0.75, zebra -0.25 -> 0.5
  BOOST_TEST(s.object.precision == 1.25 / (2 + 1e-6));
  BOOST_TEST(s.object.recall == 0.5 / (2 + 1e-6));
  // Entirely negative similarities give a negative score.
  auto neg = scorer.score(objects({"puma"}), objects({"zebra"}));
  BOOST_TEST(neg.object.precision < 0);
  // Exact matches leave the soft stage only what is unmatched.
  auto mixed = scorer.score(objects({"tiger", "lion"}), objects({"tiger", "zebra"}));
  BOOST_TEST(mixed.object.precision == (1 + static_cast<double>(-0.25f)) / (2 + 1e-6));
}

BOOST_AUTO_TEST_CASE(similarity_table_keys_are_concatenations) {
  // The key is cand + "|" + ref; a phrase may itself hold '|', so every split must be found.
  pgc::SimilarityTable t;
  BOOST_TEST(t.add("a|b|c", 0.5));
  BOOST_TEST(!t.add("a|b|c", 0.25));  // duplicate key
  BOOST_TEST(t.add("a|b", -0.75));
  BOOST_TEST(t.lookup("a", "b|c") == 0.5f);
  BOOST_TEST(t.lookup("a|b", "c") == 0.5f);
  BOOST_TEST(t.lookup("a", "b") == -0.75f);
  BOOST_TEST(t.lookup("b", "a") == 0.f);
  BOOST_TEST(t.size() == 2u);
  auto m = t.matrix({"a", "a|b", "x"}, {"b|c", "c", "b"});
  BOOST_TEST((m == std::vector<float>{0.5f, 0.f, -0.75f, 0.f, 0.5f, 0.f, 0.f, 0.f, 0.f}));
}

BOOST_AUTO_TEST_CASE(empty_types_score_zero_and_weights_apply) {
  FakeSynonyms fake;
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, nullptr);
  pgc::CaptureElements e = objects({"dog"});
  e.attributes = {{"dog", {"white"}}};
  auto s = scorer.score(e, e);
  BOOST_TEST(s.relation.f1 == 0.0);
  BOOST_TEST(s.capture == (0.5 * s.object.f1 + 0.5 * s.attribute.f1 + 0.2 * 0.0) / 1.2);
  BOOST_TEST(s.capture < 0.8334);
  // Duplicate attribute values across keys are kept (red car + red truck).
  pgc::CaptureElements two;
  two.attributes = {{"car", {"red"}}, {"truck", {"red"}}};
  BOOST_TEST(scorer.score(two, two).attribute.precision == 2 / (2 + 1e-6));
  pgc::CaptureOptions bad;
  bad.beta = 0.6;
  BOOST_CHECK_THROW(pgc::CaptureScorer(bad, &fake, nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(float32_sum_follows_numpy_pairwise_summation) {
  // Fewer than 8 values: plain float accumulation.
  std::vector<float> few = {0.1f, 0.2f, 0.3f};
  BOOST_TEST(pgc::numpy_float32_sum(few.data(), few.size()) == ((0.f + 0.1f) + 0.2f) + 0.3f);
  // 9 values: 8 partial sums combined pairwise, then the 9th; 2^24 + 8 ones gives 2^24 + 8
  // where a sequential float sum would stay at 2^24.
  std::vector<float> nine(9, 1.f);
  nine[0] = 16777216.f;
  BOOST_TEST(pgc::numpy_float32_sum(nine.data(), nine.size()) == 16777224.f);
  // Large vectors split in halves (multiples of 8) above 128 values.
  std::vector<float> many(1000, 0.001f);
  float expected_half = pgc::numpy_float32_sum(many.data(), 496) + pgc::numpy_float32_sum(many.data(), 504);
  BOOST_TEST(pgc::numpy_float32_sum(many.data(), many.size()) == expected_half);
}

BOOST_AUTO_TEST_CASE(stats_merge_and_round_trip) {
  FakeSynonyms fake;
  pgc::CaptureScorer scorer(pgc::CaptureOptions{}, &fake, nullptr);
  auto a = scorer.score(objects({"dog"}), objects({"dog"}));
  auto b = scorer.score(objects({"dog"}), objects({"cat"}));
  pgc::CaptureStats one, two, both;
  one.add(a);
  two.add(b);
  both.add(a);
  both.add(b);
  one.merge(two);
  BOOST_TEST((one.to_vector() == both.to_vector()));
  BOOST_TEST(one.mean().capture == (a.capture + b.capture) / 2);
  BOOST_TEST((pgc::CaptureStats::from_vector(one.to_vector()).to_vector() == one.to_vector()));
  BOOST_CHECK_THROW(pgc::CaptureStats::from_vector({1, 2}), std::invalid_argument);
  BOOST_CHECK_THROW(pgc::capture_corpus_score({}), std::invalid_argument);
  std::vector<pgc::CaptureImage> no_refs = {{"x", {}, objects({"dog"})}};
  BOOST_CHECK_THROW(pgc::evaluate_capture(no_refs, scorer, 1), std::invalid_argument);
}
