#include "caption/perceptron_tagger.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "caption/python_str.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {

namespace {

JsonDoc read_tagger_json(const std::string& path, std::string& digests) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path, "",
                     "missing NLTK tagger file (get NLTK >= 3.9's tagger data: `python -m nltk.downloader "
                     "averaged_perceptron_tagger_eng`, then pass --nltk-data DIR or set PGC_NLTK_DATA to the "
                     "nltk_data folder)");
  std::ostringstream ss;
  ss << in.rdbuf();
  digests += sha256_bytes(ss.str());
  return parse_json(ss.str(), path);
}

std::string str_of(const JsonValue& v) { return std::string(v.GetString(), v.GetStringLength()); }

bool ascii(const std::string& w) {
  for (unsigned char c : w)
    if (c >= 0x80) return false;
  return true;
}

// Python slicing word[-3:] by code point.
std::string last3(const std::string& w) {
  if (ascii(w)) return w.size() <= 3 ? w : w.substr(w.size() - 3);
  std::u32string u = utf8_to_u32(w);
  return u.size() <= 3 ? w : u32_to_utf8(std::u32string_view(u).substr(u.size() - 3));
}

std::string first1(const std::string& w) {
  if (ascii(w)) return w.substr(0, 1);
  std::u32string u = utf8_to_u32(w);
  return u.empty() ? std::string() : u32_to_utf8(std::u32string_view(u).substr(0, 1));
}

}  // namespace

PerceptronTagger PerceptronTagger::load(const std::string& prefix) {
  std::string digests;
  const std::string weights_path = prefix + ".weights.json", tagdict_path = prefix + ".tagdict.json",
                    classes_path = prefix + ".classes.json";
  JsonDoc weights = read_tagger_json(weights_path, digests);
  JsonDoc tagdict = read_tagger_json(tagdict_path, digests);
  JsonDoc classes = read_tagger_json(classes_path, digests);
  PerceptronTagger t;
  if (!classes.IsArray() || classes.Empty()) throw InputError(classes_path, "", "expected a non-empty list of tags");
  std::unordered_map<std::string, int> class_index;
  for (const auto& c : classes.GetArray()) {
    if (!c.IsString()) throw InputError(classes_path, "", "expected a list of tag strings");
    if (class_index.emplace(str_of(c), static_cast<int>(t.classes_.size())).second) t.classes_.push_back(str_of(c));
  }
  if (!tagdict.IsObject()) throw InputError(tagdict_path, "", "expected {\"<word>\": \"<tag>\"}");
  for (auto it = tagdict.MemberBegin(); it != tagdict.MemberEnd(); ++it) {
    if (!it->value.IsString()) throw InputError(tagdict_path, "word \"" + str_of(it->name) + "\"", "tag must be a string");
    t.tagdict_[str_of(it->name)] = str_of(it->value);
  }
  if (!weights.IsObject()) throw InputError(weights_path, "", "expected {\"<feature>\": {\"<tag>\": weight}}");
  t.weights_.reserve(weights.MemberCount());
  for (auto f = weights.MemberBegin(); f != weights.MemberEnd(); ++f) {
    const std::string item = "feature \"" + str_of(f->name) + "\"";
    if (!f->value.IsObject()) throw InputError(weights_path, item, "expected {\"<tag>\": weight}");
    auto& row = t.weights_[str_of(f->name)];
    for (auto w = f->value.MemberBegin(); w != f->value.MemberEnd(); ++w) {
      if (!w->value.IsNumber()) throw InputError(weights_path, item, "weights must be numbers");
      // A label outside `classes` takes part in no argmax (NLTK maximizes over classes only).
      auto c = class_index.find(str_of(w->name));
      if (c != class_index.end()) row.emplace_back(c->second, w->value.GetDouble());
    }
  }
  t.id_ = "perceptron:" + sha256_bytes(digests).substr(0, 12);
  return t;
}

PerceptronTagger::PerceptronTagger(
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>>& weights,
    const std::vector<std::pair<std::string, std::string>>& tagdict, const std::vector<std::string>& classes) {
  std::unordered_map<std::string, int> class_index;
  for (const auto& c : classes)
    if (class_index.emplace(c, static_cast<int>(classes_.size())).second) classes_.push_back(c);
  for (const auto& [word, tag] : tagdict) tagdict_[word] = tag;
  for (const auto& [feature, row] : weights)
    for (const auto& [label, w] : row) {
      auto c = class_index.find(label);
      if (c != class_index.end()) weights_[feature].emplace_back(c->second, w);
    }
}

std::string PerceptronTagger::normalize(const std::string& word) {
  if (word.find('-') != std::string::npos && word[0] != '-') return "!HYPHEN";
  std::u32string u = utf8_to_u32(word);
  if (u.size() == 4 && py_isdigit_str(word)) return "!YEAR";
  if (!u.empty() && py_isdigit(u[0])) return "!DIGITS";
  return py_lower(word);
}

int PerceptronTagger::predict(const std::vector<std::string>& features) const {
  // scores[label] += value * weight, features in insertion order (each value is 1)
  std::vector<double> scores(classes_.size(), 0.0);
  for (const auto& f : features) {
    auto it = weights_.find(f);
    if (it == weights_.end()) continue;
    for (const auto& [c, w] : it->second) scores[c] += 1.0 * w;
  }
  int best = 0;
  for (int c = 1; c < static_cast<int>(classes_.size()); ++c)
    if (scores[c] > scores[best] || (scores[c] == scores[best] && classes_[c] > classes_[best])) best = c;
  return best;
}

std::vector<std::string> PerceptronTagger::tag(const std::vector<std::string>& tokens) const {
  std::vector<std::string> context{"-START-", "-START2-"};
  for (const auto& w : tokens) context.push_back(normalize(w));
  context.push_back("-END-");
  context.push_back("-END2-");
  std::string prev = "-START-", prev2 = "-START2-";
  std::vector<std::string> tags, features;
  for (size_t t = 0; t < tokens.size(); ++t) {
    const std::string& word = tokens[t];
    std::string tag;
    auto known = tagdict_.find(word);
    if (known != tagdict_.end() && !known->second.empty()) {
      tag = known->second;
    } else {
      const size_t i = t + 2;
      features = {"bias",
                  "i suffix " + last3(word),
                  "i pref1 " + first1(word),
                  "i-1 tag " + prev,
                  "i-2 tag " + prev2,
                  "i tag+i-2 tag " + prev + " " + prev2,
                  "i word " + context[i],
                  "i-1 tag+i word " + prev + " " + context[i],
                  "i-1 word " + context[i - 1],
                  "i-1 suffix " + last3(context[i - 1]),
                  "i-2 word " + context[i - 2],
                  "i+1 word " + context[i + 1],
                  "i+1 suffix " + last3(context[i + 1]),
                  "i+2 word " + context[i + 2]};
      tag = classes_[predict(features)];
    }
    tags.push_back(tag);
    prev2 = prev;
    prev = tag;
  }
  return tags;
}

}  // namespace pgc
