// WordNet 3.0 lookups as NLTK 3.8's WordNetCorpusReader performs them (nltk/corpus/reader/
// wordnet.py: _load_lemma_pos_offset_map, _load_exception_map, _morphy, synsets,
// synset_from_pos_and_offset, WordNetLemmatizer.lemmatize). Files are read once; lookups
// are const and thread-safe.
#include "caption/wordnet.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "core/digest.hpp"
#include "core/error.hpp"

namespace pgc {

namespace {

constexpr std::array<const char*, 4> kPosFile = {"noun", "verb", "adj", "adv"};

// NLTK's MORPHOLOGICAL_SUBSTITUTIONS (adverbs have none).
const std::array<std::vector<std::pair<std::string, std::string>>, 4> kSubstitutions = {{
    {{"s", ""}, {"ses", "s"}, {"ves", "f"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"},
     {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
    {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"},
     {"ing", ""}},
    {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
    {},
}};

std::string read_wordnet_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path, "",
                     "missing WordNet 3.0 file (install it with `apt-get install wordnet-base`, or "
                     "point --wordnet-dir / $PGC_WORDNET_DIR at a WordNet 3.0 dict folder)");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> split_ws(const std::string& line) {
  std::vector<std::string> t;
  std::istringstream is(line);
  for (std::string s; is >> s;) t.push_back(s);
  return t;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Python str.lower() as far as it can matter for an ASCII database: ASCII letters, and the
// one non-ASCII character that lowercases to ASCII (U+212A KELVIN SIGN -> 'k').
std::string python_lower(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 3, "\xE2\x84\xAA") == 0) {
      out += 'k';
      i += 2;
      continue;
    }
    char c = s[i];
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace

std::string resolve_wordnet_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv(kWordNetDirEnv);
  if (env != nullptr && *env != '\0') return env;
  return kDefaultWordNetDir;
}

WordNet::WordNet(const std::string& dir) : dir_(dir) {
  std::string digests;
  auto path_of = [&](const std::string& name) { return dir_ + "/" + name; };
  for (int pos = 0; pos < 4; ++pos) {
    // index.<pos>: "lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets..."
    const std::string index_path = path_of(std::string("index.") + kPosFile[pos]);
    const std::string index_text = read_wordnet_file(index_path);
    digests += sha256_bytes(index_text);
    std::istringstream lines(index_text);
    size_t line_no = 0;
    for (std::string line; std::getline(lines, line);) {
      ++line_no;
      if (line.empty() || line[0] == ' ') continue;  // license header
      auto bad = [&](const char* what) {
        return InputError(index_path, "line " + std::to_string(line_no), what);
      };
      std::vector<std::string> t = split_ws(line);
      if (t.size() < 6) throw bad("malformed WordNet index line");
      try {
        size_t k = 2;
        size_t n_synsets = std::stoul(t.at(k++));
        size_t n_pointers = std::stoul(t.at(k++));
        k += n_pointers;
        size_t n_senses = std::stoul(t.at(k++));
        ++k;  // tagsense_cnt
        if (n_synsets == 0 || n_senses != n_synsets) throw bad("synset and sense counts disagree");
        std::vector<unsigned> offsets;
        for (size_t s = 0; s < n_synsets; ++s) offsets.push_back(static_cast<unsigned>(std::stoul(t.at(k++))));
        index_[t[0]].offsets[pos] = std::move(offsets);
      } catch (const std::logic_error&) {  // stoul / at
        throw bad("malformed WordNet index line");
      }
    }
    // <pos>.exc: "inflected base1 [base2 ...]"
    const std::string exc_path = path_of(std::string(kPosFile[pos]) + ".exc");
    const std::string exc_text = read_wordnet_file(exc_path);
    digests += sha256_bytes(exc_text);
    std::istringstream exc_lines(exc_text);
    for (std::string line; std::getline(exc_lines, line);) {
      std::vector<std::string> t = split_ws(line);
      if (t.empty()) continue;
      exceptions_[pos][t[0]] = std::vector<std::string>(t.begin() + 1, t.end());
    }
    data_path_[pos] = path_of(std::string("data.") + kPosFile[pos]);
    data_[pos] = read_wordnet_file(data_path_[pos]);
    digests += sha256_bytes(data_[pos]);
  }
  id_ = "wordnet-3.0:" + sha256_bytes(digests).substr(0, 12);
}

bool WordNet::is_lemma(const std::string& form, Pos pos) const {
  auto it = index_.find(form);
  return it != index_.end() && !it->second.offsets[pos].empty();
}

std::vector<std::string> WordNet::morphy(const std::string& form, Pos pos) const {
  const auto& subs = kSubstitutions[pos];
  auto apply_rules = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    for (const auto& f : forms)
      for (const auto& [old_suffix, new_suffix] : subs)
        if (ends_with(f, old_suffix)) out.push_back(f.substr(0, f.size() - old_suffix.size()) + new_suffix);
    return out;
  };
  auto filter_forms = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    for (const auto& f : forms)
      if (is_lemma(f, pos) && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    return out;
  };
  // 0. The exception list decides alone when it knows the form.
  auto exc = exceptions_[pos].find(form);
  if (exc != exceptions_[pos].end()) {
    std::vector<std::string> forms{form};
    forms.insert(forms.end(), exc->second.begin(), exc->second.end());
    return filter_forms(forms);
  }
  // 1-2. Rules once; the form itself and its rule outputs that are lemmas.
  std::vector<std::string> forms = apply_rules({form});
  std::vector<std::string> with_form{form};
  with_form.insert(with_form.end(), forms.begin(), forms.end());
  std::vector<std::string> results = filter_forms(with_form);
  if (!results.empty()) return results;
  // 3. Keep applying the rules until something is a lemma.
  while (!forms.empty()) {
    forms = apply_rules(forms);
    results = filter_forms(forms);
    if (!results.empty()) return results;
  }
  return {};
}

std::string WordNet::lemmatize(const std::string& word, Pos pos) const {
  std::vector<std::string> lemmas = morphy(word, pos);
  if (lemmas.empty()) return word;
  // min(lemmas, key=len): the first of the shortest
  return *std::min_element(lemmas.begin(), lemmas.end(),
                           [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
}

void WordNet::lemma_names_at(Pos pos, unsigned offset, std::vector<std::string>& out) const {
  // data.<pos> line: "offset lex_filenum ss_type w_cnt(hex) word lex_id [word lex_id ...] ..."
  const std::string& data = data_[pos];
  auto corrupt = [&]() {
    return InputError(data_path_[pos], "offset " + std::to_string(offset),
                      "no WordNet synset at this offset (corrupt or not WordNet 3.0 data)");
  };
  if (offset >= data.size()) throw corrupt();
  size_t end = data.find('\n', offset);
  std::vector<std::string> t = split_ws(data.substr(offset, end == std::string::npos ? std::string::npos : end - offset));
  if (t.size() < 4 || t[0].size() != 8 || std::stoul(t[0]) != offset) throw corrupt();
  size_t n_words = std::strtoul(t[3].c_str(), nullptr, 16);
  if (t.size() < 4 + 2 * n_words) throw corrupt();
  for (size_t w = 0; w < n_words; ++w) {
    std::string name = t[4 + 2 * w];
    // Adjective syntactic markers "(a)", "(p)", "(ip)": NLTK's re.match(r"(.*?)(\(.*\))?$").
    size_t paren = name.find('(');
    if (paren != std::string::npos && paren > 0 && name.back() == ')') name.resize(paren);
    else if (paren == 0 && name.size() >= 2 && name.back() == ')') name.clear();
    out.push_back(std::move(name));
  }
}

template <class Fn>
void WordNet::for_each_synset(const std::string& word, Fn fn) const {
  const std::string lower = python_lower(word);
  for (int p = 0; p < 4; ++p) {
    Pos pos = static_cast<Pos>(p);
    for (const auto& form : morphy(lower, pos)) {
      auto it = index_.find(form);
      for (unsigned offset : it->second.offsets[pos]) fn(pos, offset);
    }
  }
}

std::vector<std::string> WordNet::synset_lemma_names(const std::string& word) const {
  std::vector<std::string> names;
  for_each_synset(word, [&](Pos pos, unsigned offset) { lemma_names_at(pos, offset, names); });
  return names;
}

size_t WordNet::synset_count(const std::string& word) const {
  size_t n = 0;
  for_each_synset(word, [&](Pos, unsigned) { ++n; });
  return n;
}

}  // namespace pgc
