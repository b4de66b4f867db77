// The lenient grounding-markup parser on every deviation of pgc_formats.md §2.2 and the captions
// quoted there; spans are code-point offsets checked exactly (hand-counted).
#define BOOST_TEST_MODULE grounding_markup
#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "caption/code_points.hpp"
#include "caption/grounding_markup.hpp"
#include "caption/pgc_jsonl.hpp"

namespace {

struct Expected {
  std::string text;
  std::vector<int64_t> ids;
  size_t begin, end;
  std::vector<std::string> warnings;
};

std::vector<std::string> codes(const pgc::GroundedCaption& g) {
  std::vector<std::string> out;
  for (const auto& w : g.warnings) out.push_back(w.code);
  return out;
}

void check(const std::string& caption, const std::string& plain, const std::vector<Expected>& phrases,
           const std::vector<std::string>& warning_codes) {
  BOOST_TEST_CONTEXT(caption) {
    const pgc::GroundedCaption g = pgc::parse_grounding_markup(caption);
    BOOST_TEST(g.plain == plain);
    BOOST_REQUIRE_EQUAL(g.phrases.size(), phrases.size());
    for (size_t i = 0; i < phrases.size(); ++i) {
      const auto& got = g.phrases[i];
      const auto& want = phrases[i];
      BOOST_TEST_CONTEXT("phrase " << i) {
        BOOST_TEST(got.text == want.text);
        BOOST_TEST(got.ids == want.ids, boost::test_tools::per_element());
        BOOST_TEST(got.span_begin == want.begin);
        BOOST_TEST(got.span_end == want.end);
        BOOST_TEST(got.warnings == want.warnings, boost::test_tools::per_element());
        // The span really is the phrase inside the plain caption.
        BOOST_TEST(pgc::code_point_slice(g.plain, got.span_begin, got.span_end) == got.text);
      }
    }
    BOOST_TEST(codes(g) == warning_codes, boost::test_tools::per_element());
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(canonical_tags_from_the_paper) {
  check("A beach scene. <5: a cheerful woman is wearing a vibrant swimsuit …> stands near <4:a pink umbrella>.",
        "A beach scene. a cheerful woman is wearing a vibrant swimsuit … stands near a pink umbrella.",
        {{"a cheerful woman is wearing a vibrant swimsuit …", {5}, 15, 63, {}},
         {"a pink umbrella", {4}, 76, 91, {}}},
        {});
  check("<6,7: two man who are dressed in blue and white tops …> walk past <12,13,16,19:additional books>.",
        "two man who are dressed in blue and white tops … walk past additional books.",
        {{"two man who are dressed in blue and white tops …", {6, 7}, 0, 48, {}},
         {"additional books", {12, 13, 16, 19}, 59, 75, {}}},
        {});
  // A phrase may be a clause; a space before '>' stays in the text but not in the span.
  check("<0:the wall is painted blue> behind <9,19,22:potted plants with green leaves >.",
        "the wall is painted blue behind potted plants with green leaves .",
        {{"the wall is painted blue", {0}, 0, 24, {}},
         {"potted plants with green leaves", {9, 19, 22}, 32, 63, {}}},
        {});
}

BOOST_AUTO_TEST_CASE(d1_whitespace_after_colon_comma_and_before_close) {
  check("<0: The floor is neutral-toned>, <11,12: vases> and <8:a fluffy blue teddy bear >",
        "The floor is neutral-toned, vases and a fluffy blue teddy bear",
        {{"The floor is neutral-toned", {0}, 0, 26, {}},
         {"vases", {11, 12}, 28, 33, {}},
         {"a fluffy blue teddy bear", {8}, 38, 62, {}}},
        {});
  check("<12 , 13 : chairs>", "chairs", {{"chairs", {12, 13}, 0, 6, {}}}, {});
}

BOOST_AUTO_TEST_CASE(d2_missing_colon) {
  // `<11skateboard>`: ids run into the phrase. `<9:11skateboard>` (Fig. 9) is well formed: the
  // digits belong to the phrase text.
  check("A boy rides a <11skateboard> and <9:11skateboard>.",
        "A boy rides a skateboard and 11skateboard.",
        {{"skateboard", {11}, 14, 24, {"missing-colon"}}, {"11skateboard", {9}, 29, 41, {}}},
        {"missing-colon"});
}

BOOST_AUTO_TEST_CASE(d3_no_ids) {
  check("He carries <sa backpack>.", "He carries sa backpack.",
        {{"sa backpack", {}, 11, 22, {"no-ids"}}}, {"no-ids"});
}

BOOST_AUTO_TEST_CASE(d4_nested_and_unclosed) {
  // Tag 10 is never closed: it ends before the '.' that ends its sentence; tags opened inside
  // it are nested.
  check("<10:One individual who is carrying <9:a black backpack> is joining the group. <3: A dog> runs.",
        "One individual who is carrying a black backpack is joining the group. A dog runs.",
        {{"One individual who is carrying a black backpack is joining the group", {10}, 0, 68, {"unclosed"}},
         {"a black backpack", {9}, 31, 47, {"nested"}},
         {"A dog", {3}, 70, 75, {"nested"}}},
        {"nested", "nested", "unclosed"});
  // No sentence end: closes at the end of the caption.
  check("<1: a cat on a mat", "a cat on a mat", {{"a cat on a mat", {1}, 0, 14, {"unclosed"}}},
        {"unclosed"});
  // A '.' inside another (closed) tag does not end the sentence.
  check("<1: Mr <2: J. Smith> waves. Bye.", "Mr J. Smith waves. Bye.",
        {{"Mr J. Smith waves", {1}, 0, 17, {"unclosed"}}, {"J. Smith", {2}, 3, 11, {"nested"}}},
        {"nested", "unclosed"});
  // A properly closed nested tag.
  check("<1: a man with <2: a hat>>", "a man with a hat",
        {{"a man with a hat", {1}, 0, 16, {}}, {"a hat", {2}, 11, 16, {"nested"}}}, {"nested"});
}

BOOST_AUTO_TEST_CASE(d5_stray_close) {
  check("<6,10: two boys> wearing in green top and black pants> play.",
        "two boys wearing in green top and black pants play.",
        {{"two boys", {6, 10}, 0, 8, {}}}, {"stray-close"});
}

BOOST_AUTO_TEST_CASE(d6_zero_based_ids_are_read_as_written) {
  // Legacy 0-based numbering is detected by the loader against segments_info, not here.
  check("<0:the sky> above <1:a tree>", "the sky above a tree",
        {{"the sky", {0}, 0, 7, {}}, {"a tree", {1}, 14, 20, {}}}, {});
}

BOOST_AUTO_TEST_CASE(other_repairs) {
  check("a < b and <2: c>", "a < b and c", {{"c", {2}, 10, 11, {}}}, {"literal-open"});
  check("<5: >x", "x", {{"", {5}, 0, 0, {"empty-phrase"}}}, {"empty-phrase"});
  check("<1234567890123456789: x>", "x", {{"x", {}, 0, 1, {}}}, {"id-overflow"});
}

BOOST_AUTO_TEST_CASE(whitespace_is_collapsed_and_spans_follow) {
  check("  Two   <1:  big\n dogs >  run.  ", "Two big dogs run.", {{"big dogs", {1}, 4, 12, {}}}, {});
}

BOOST_AUTO_TEST_CASE(offsets_are_code_points_not_bytes) {
  check("<1: café> — <2: naïve art>", "café — naïve art",
        {{"café", {1}, 0, 4, {}}, {"naïve art", {2}, 7, 16, {}}}, {});
  const auto g = pgc::parse_grounding_markup("<1: x> >");
  BOOST_REQUIRE_EQUAL(g.warnings.size(), 1u);
  BOOST_TEST(g.warnings[0].offset == 7u);  // raw offset of the stray '>'
  BOOST_CHECK_THROW(pgc::parse_grounding_markup("bad \xff utf8"), std::invalid_argument);
}

// Every GT caption of the grounded fixtures, written back as markup from its spans (nested
// where spans nest), parses to the same plain caption, spans and ids.
BOOST_AUTO_TEST_CASE(fixture_captions_round_trip_through_markup) {
  const char* cases[] = {"real_perfect", "real_perturbed", "edge_recall_quirks",
                         "edge_empty_null", "edge_many_preds", "synth_medium_50"};
  size_t checked = 0;
  for (const char* name : cases) {
    for (const auto& gt : pgc::read_ground_truth(std::string(PGC_FIXTURES_DIR) + "/grounded/cases/" + name + "/gt.jsonl")) {
      BOOST_TEST_CONTEXT(name << " image " << gt.image_id.key) {
        // Opening order: by start, longer first (the order the parser reports phrases in).
        std::vector<size_t> order(gt.spans.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
          return gt.spans[a].start != gt.spans[b].start ? gt.spans[a].start < gt.spans[b].start
                                                        : gt.spans[a].end > gt.spans[b].end;
        });
        const std::u32string text = pgc::utf8_to_code_points(gt.caption);
        std::u32string markup;
        std::vector<size_t> open;  // stack of span indices
        size_t next = 0;
        bool nested_properly = true;
        for (size_t pos = 0; pos <= text.size(); ++pos) {
          while (!open.empty() && gt.spans[open.back()].end == pos) {
            markup += U'>';
            open.pop_back();
          }
          while (next < order.size() && gt.spans[order[next]].start == pos) {
            const auto& s = gt.spans[order[next]];
            if (!open.empty() && s.end > gt.spans[open.back()].end) nested_properly = false;
            markup += U'<';
            for (size_t k = 0; k < s.segment_ids.size(); ++k) {
              if (k) markup += U',';
              for (char c : std::to_string(s.segment_ids[k])) markup += char32_t(c);
            }
            markup += U": ";
            open.push_back(order[next++]);
          }
          if (pos < text.size()) markup += text[pos];
        }
        if (!nested_properly) continue;  // crossing spans cannot be written as markup
        const auto g = pgc::parse_grounding_markup(pgc::code_points_to_utf8(markup));
        BOOST_TEST(g.plain == gt.caption);
        BOOST_REQUIRE_EQUAL(g.phrases.size(), order.size());
        for (size_t i = 0; i < order.size(); ++i) {
          const auto& s = gt.spans[order[i]];
          BOOST_TEST(g.phrases[i].span_begin == s.start);
          BOOST_TEST(g.phrases[i].span_end == s.end);
          BOOST_TEST(g.phrases[i].ids == s.segment_ids, boost::test_tools::per_element());
        }
        for (const auto& w : g.warnings) BOOST_TEST(w.code == "nested");
        ++checked;
      }
    }
  }
  BOOST_TEST(checked > 50u);
}
