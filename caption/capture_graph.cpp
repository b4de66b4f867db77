#include "caption/capture_graph.hpp"

#include <algorithm>
#include <unordered_map>

#include "caption/python_str.hpp"

namespace pgc {

namespace {

// Python str.split(sep) with a literal, non-empty separator.
std::vector<std::string> split_on(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    if (at == std::string::npos) break;
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

bool ends_with(const std::string& s, char c) { return !s.empty() && s.back() == c; }

// A vector with first-appearance order and O(1) membership.
template <class T, class Hash = std::hash<T>>
struct OrderedSet {
  std::vector<T> items;
  std::unordered_set<T, Hash> seen;
  bool add(const T& x) {
    if (!seen.insert(x).second) return false;
    items.push_back(x);
    return true;
  }
};

struct TripleHash {
  size_t operator()(const CaptureTriple& t) const {
    std::hash<std::string> h;
    return h(t[0]) * 1000003u ^ h(t[1]) * 10007u ^ h(t[2]);
  }
};

}  // namespace

std::string space_out_graph_string(const std::string& graph) {
  std::string spaced;
  spaced.reserve(graph.size() + graph.size() / 2);
  for (char c : graph) {
    if (c == '(' || c == ')' || c == ',') {
      spaced += ' ';
      spaced += c;
      spaced += ' ';
    } else {
      spaced += c;
    }
  }
  std::string out;
  for (const auto& w : py_split(spaced)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

std::string clean_graph_string(const std::string& fact_str) {
  std::vector<std::string> facts = split_on(py_strip(fact_str), ") ,");
  // The test is on the string as given, not the stripped one (as the reference).
  if (!ends_with(fact_str, ')')) {
    if (facts.size() > 1) facts.pop_back();
    else facts = {facts[0].substr(0, facts[0].find(','))};
  }
  std::vector<std::string> unique;
  std::unordered_set<std::string> seen;
  for (const auto& f : facts) {
    std::string fact = py_strip(py_strip_chars(py_strip(f), "()"));
    if (!fact.empty() && seen.insert(fact).second) unique.push_back(fact);
  }
  // Python sorts str by code point; std::string compares bytes as unsigned char, and UTF-8
  // byte order is code-point order.
  std::sort(unique.begin(), unique.end());
  std::string out;
  for (const auto& f : unique) {
    if (!out.empty()) out += " , ";
    out += "( " + f + " )";
  }
  return out;
}

std::string normalize_graph_string(const std::string& decoded) {
  static const std::string kPrompt = "Generate Scene Graph:";
  std::string text = decoded;
  for (size_t at = text.find(kPrompt); at != std::string::npos; at = text.find(kPrompt, at))
    text.erase(at, kPrompt.size());
  return clean_graph_string(space_out_graph_string(py_strip(text)));
}

SceneGraph graph_string_to_object(const std::string& graph_text) {
  SceneGraph graph;
  std::unordered_map<std::string, size_t> index_of;
  auto entity = [&](const std::string& head) {
    auto [it, added] = index_of.emplace(head, graph.entities.size());
    if (added) graph.entities.push_back(SceneGraphEntity{head, "", {}});
    return it->second;
  };
  const std::vector<std::string> pieces = split_on(py_strip(graph_text), ") ,");
  for (const auto& piece : pieces) {
    // relation_str.strip().strip('()'), then split(',') and strip each part
    std::string fact = py_strip_chars(py_strip(piece), "()");
    std::vector<std::string> parts;
    for (const auto& p : split_on(fact, ",")) parts.push_back(py_strip(p));
    if (parts.size() != 3) {
      if (pieces.size() == 1) entity(parts[0]);  // e.g. the empty graph: entity ""
      continue;
    }
    size_t subject = entity(parts[0]);
    if (parts[1] == "is") {
      if (py_isdigit_str(parts[2])) {
        graph.entities[subject].quantity = parts[2];
      } else {
        auto& attrs = graph.entities[subject].attributes;
        if (std::find(attrs.begin(), attrs.end(), parts[2]) == attrs.end()) attrs.push_back(parts[2]);
      }
    } else {
      size_t object = entity(parts[2]);
      graph.relations.push_back(SceneGraphRelation{subject, object, parts[1]});
    }
  }
  return graph;
}

CaptureElements merge_sentence_graphs(const std::vector<SceneGraph>& sentences, const WordNet& wordnet) {
  OrderedSet<std::string> objects;
  std::vector<std::pair<std::string, OrderedSet<std::string>>> attrs;
  std::unordered_map<std::string, size_t> attr_key;
  OrderedSet<CaptureTriple, TripleHash> relations;
  for (const auto& graph : sentences) {
    std::vector<std::string> heads;  // lemN(head) per entity
    for (const auto& e : graph.entities) {
      heads.push_back(wordnet.lemmatize(e.head, WordNet::kNoun));
      const std::string& object = heads.back();
      objects.add(object);
      for (const auto& a : e.attributes) {
        std::string attribute = wordnet.lemmatize(a, WordNet::kAdj);
        if (attribute.find(" of") != std::string::npos) continue;
        // reference: a defaultdict(set); the key appears with its first kept attribute
        auto [it, added] = attr_key.emplace(object, attrs.size());
        if (added) attrs.emplace_back(object, OrderedSet<std::string>{});
        attrs[it->second].second.add(attribute);
      }
    }
    for (const auto& r : graph.relations) relations.add(CaptureTriple{heads[r.subject], r.relation, heads[r.object]});
  }
  CaptureElements out;
  out.objects = std::move(objects.items);
  for (auto& [key, values] : attrs) out.attributes.emplace_back(key, std::move(values.items));
  out.relations = std::move(relations.items);
  return out;
}

CaptureElements filter_capture_elements(const CaptureElements& merged, const std::unordered_set<std::string>& nouns,
                                        const std::unordered_set<std::string>* stop_words) {
  auto present = [&](const std::string& x) {
    if (nouns.count(x)) return true;
    for (const auto& piece : split_on(x, " "))
      if (!nouns.count(piece)) return false;
    return true;
  };
  CaptureElements out;
  for (const auto& o : merged.objects)
    if (!(stop_words && stop_words->count(o)) && present(o)) out.objects.push_back(o);
  for (const auto& kv : merged.attributes)
    if (present(kv.first)) out.attributes.push_back(kv);
  for (const auto& t : merged.relations)
    if (present(t[0]) && present(t[2])) out.relations.push_back(t);
  return out;
}

}  // namespace pgc
