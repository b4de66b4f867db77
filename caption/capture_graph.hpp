#pragma once
// CAPTURE's scene-graph side (spec shared/specs/capture.md §2.4-2.9): the FACTUAL parser's
// graph strings -> normalized graph strings -> graph objects -> one caption's merged, lemmatized
// elements -> noun-filtered, stop-word-filtered CaptureElements for the matcher.
//
// References: FactualSceneGraph utils.py (space_out_symbols_in_graph, clean_graph_string),
// scene_graph_parser.py (graph_string_to_object), CAPTURE capture.py (merge_sentence_results,
// sample_to_parse_results). Where the reference keeps Python sets, this code keeps first
// appearance order (spec §4 CANONICAL), so results are deterministic.
#include <string>
#include <unordered_set>
#include <vector>

#include "caption/wordnet.hpp"
#include "metrics/capture.hpp"

namespace pgc {

// §2.4 step 2 (space_out_symbols_in_graph): one space around '(' ')' ',', whitespace runs
// collapsed (Python str.split()), stripped.
std::string space_out_graph_string(const std::string& graph);
// §2.4 step 3 (clean_graph_string): drop a truncated last fact, strip, de-duplicate, sort by
// code point, re-join as "( f1 ) , ( f2 ) , ...".
std::string clean_graph_string(const std::string& facts);
// §2.4 whole: what the FACTUAL parser returns for one decoded output (removes the literal
// "Generate Scene Graph:", strips, spaces out, cleans). Idempotent.
std::string normalize_graph_string(const std::string& decoded);

// §2.5 graph_string_to_object.
struct SceneGraphEntity {
  std::string head;
  std::string quantity;                 // "" or the digits of `( head , is , 2 )`
  std::vector<std::string> attributes;  // distinct, first appearance (reference: a set)
};
struct SceneGraphRelation {
  size_t subject = 0, object = 0;  // entity indices
  std::string relation;
};
struct SceneGraph {
  std::vector<SceneGraphEntity> entities;  // first-seen order, keyed by exact head
  std::vector<SceneGraphRelation> relations;
};
SceneGraph graph_string_to_object(const std::string& normalized);

// The 317-entry stop-word list of capture_metric/stop_words.py (spec §2.9), in file order.
const std::vector<std::string>& capture_stop_word_list();

// §2.6 merge_sentence_results: objects = lemN(head) over all entities; attributes[lemN(head)]
// += lemA(attribute) unless it contains " of"; relations (lemN(s), rel, lemN(o)). All distinct,
// first appearance. Nothing filtered yet.
CaptureElements merge_sentence_graphs(const std::vector<SceneGraph>& sentences, const WordNet& wordnet);

// §2.7: keep objects not in `stop_words` and present in `nouns`, attribute keys present in
// `nouns` (no stop-word test: reference quirk), relations whose subject and object are present.
// present(x) = x in nouns, or every piece of x.split(' ') is.
CaptureElements filter_capture_elements(const CaptureElements& merged,
                                        const std::unordered_set<std::string>& nouns,
                                        const std::unordered_set<std::string>* stop_words);

// One caption in graphs mode: its text (for the noun filter) and the parser's output per
// sentence (raw or already normalized).
struct CaptionGraphs {
  std::string text;
  std::vector<std::string> graphs;
};

}  // namespace pgc
