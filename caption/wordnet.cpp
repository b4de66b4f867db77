// WordNet 3.0 lookups as NLTK 3.8's WordNetCorpusReader performs them (nltk/corpus/reader/
// wordnet.py: _load_lemma_pos_offset_map, _load_exception_map, _morphy, synsets,
// synset_from_pos_and_offset, WordNetLemmatizer.lemmatize). Files are read once; lookups
// are const and thread-safe.
#include "caption/wordnet.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
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

// Whitespace-separated fields of one line (views into `line`).
std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> t;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && !(line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i > start) t.push_back(line.substr(start, i - start));
  }
  return t;
}

// A decimal (base 10) or hex (base 16) field; false unless it is all digits.
bool parse_unsigned(std::string_view s, int base, unsigned long& out) {
  if (s.empty() || s.size() > 16) return false;
  out = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0'
            : (base == 16 && c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (base == 16 && c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    out = out * base + d;
  }
  return true;
}

// Calls fn(line, line_number) for every line of text.
template <class Fn>
void for_each_line(const std::string& text, Fn fn) {
  size_t start = 0, line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    fn(std::string_view(text).substr(start, end - start), ++line_no);
    start = end + 1;
  }
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
  index_.reserve(160000);  // WordNet 3.0 has 147,306 distinct lemmas
  auto path_of = [&](const std::string& name) { return dir_ + "/" + name; };
  for (int pos = 0; pos < 4; ++pos) {
    // index.<pos>: "lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offsets..."
    const std::string index_path = path_of(std::string("index.") + kPosFile[pos]);
    const std::string index_text = read_wordnet_file(index_path);
    digests += sha256_bytes(index_text);
    for_each_line(index_text, [&](std::string_view line, size_t line_no) {
      if (line.empty() || line[0] == ' ') return;  // license header
      auto bad = [&](const char* what) {
        return InputError(index_path, "line " + std::to_string(line_no), what);
      };
      std::vector<std::string_view> t = split_ws(line);
      unsigned long n_synsets = 0, n_pointers = 0, n_senses = 0, offset = 0;
      size_t k = 2;
      if (t.size() < 6 || !parse_unsigned(t[k++], 10, n_synsets) || !parse_unsigned(t[k++], 10, n_pointers))
        throw bad("malformed WordNet index line");
      k += n_pointers;
      if (k + 2 + n_synsets > t.size() || !parse_unsigned(t[k++], 10, n_senses))
        throw bad("malformed WordNet index line");
      ++k;  // tagsense_cnt
      if (n_synsets == 0 || n_senses != n_synsets) throw bad("synset and sense counts disagree");
      std::vector<unsigned>& offsets = index_[std::string(t[0])].offsets[pos];
      offsets.clear();
      for (size_t s = 0; s < n_synsets; ++s) {
        if (!parse_unsigned(t[k++], 10, offset)) throw bad("malformed synset offset");
        offsets.push_back(static_cast<unsigned>(offset));
      }
    });
    // <pos>.exc: "inflected base1 [base2 ...]"
    const std::string exc_path = path_of(std::string(kPosFile[pos]) + ".exc");
    const std::string exc_text = read_wordnet_file(exc_path);
    digests += sha256_bytes(exc_text);
    for_each_line(exc_text, [&](std::string_view line, size_t) {
      std::vector<std::string_view> t = split_ws(line);
      if (t.empty()) return;
      exceptions_[pos][std::string(t[0])] = std::vector<std::string>(t.begin() + 1, t.end());
    });
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
  std::vector<std::string_view> t = split_ws(std::string_view(data).substr(
      offset, end == std::string::npos ? std::string::npos : end - offset));
  unsigned long line_offset = 0, n_words = 0;
  if (t.size() < 4 || t[0].size() != 8 || !parse_unsigned(t[0], 10, line_offset) ||
      line_offset != offset || !parse_unsigned(t[3], 16, n_words) || t.size() < 4 + 2 * n_words)
    throw corrupt();
  for (size_t w = 0; w < n_words; ++w) {
    std::string name(t[4 + 2 * w]);
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
