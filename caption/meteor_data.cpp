// Locating and parsing METEOR 1.5's English data files (see meteor_data.hpp).
#include "caption/meteor_data.hpp"

#include <glob.h>
#include <libstemmer.h>
#include <zip.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>

#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace pgc {
namespace fs = std::filesystem;

namespace {

const char* kHowToGetData =
    "pass --meteor-data DIR (a folder with METEOR 1.5's english.words, english.synsets and "
    "english.exceptions), or install pycocoevalcap (pip install pycocoevalcap; its "
    "meteor-1.5.jar carries them), or point PGC_METEOR_JAR at a meteor-1.5.jar";

// METEOR 1.5's resources/nonbreaking/english.prefixes (the Moses list), used when the data
// folder does not have the file: "#NUMERIC_ONLY#" entries are nonbreaking only before a number.
const char* kBuiltinEnglishPrefixes =
    "A\nB\nC\nD\nE\nF\nG\nH\nI\nJ\nK\nL\nM\nN\nO\nP\nQ\nR\nS\nT\nU\nV\nW\nX\nY\nZ\n"
    "Adj\nAdm\nAdv\nAsst\nBart\nBldg\nBrig\nBros\nCapt\nCmdr\nCol\nComdr\nCon\nCorp\nCpl\nDR\nDr\n"
    "Drs\nEns\nGen\nGov\nHon\nHr\nHosp\nInsp\nLt\nMM\nMR\nMRS\nMS\nMaj\nMessrs\nMlle\nMme\nMr\n"
    "Mrs\nMs\nMsgr\nOp\nOrd\nPfc\nPh\nProf\nPvt\nRep\nReps\nRes\nRev\nRt\nSen\nSens\nSfc\nSgt\nSr\n"
    "St\nSupt\nSurg\nv\nvs\ni.e\nrev\ne.g\nNo #NUMERIC_ONLY#\nNos\nArt #NUMERIC_ONLY#\nNr\n"
    "pp #NUMERIC_ONLY#\n";

// BufferedReader.readLine: lines end at \n, \r or \r\n.
std::vector<std::string> java_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t i = 0, n = text.size();
  while (i < n) {
    size_t e = text.find_first_of("\r\n", i);
    if (e == std::string::npos) {
      lines.push_back(text.substr(i));
      break;
    }
    lines.push_back(text.substr(i, e - i));
    i = e + 1;
    if (text[e] == '\r' && i < n && text[i] == '\n') ++i;
  }
  return lines;
}

std::vector<std::string> tokens(const std::string& line) {  // StringTokenizer defaults
  std::vector<std::string> out;
  size_t i = 0, n = line.size();
  auto delim = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (i < n) {
    while (i < n && delim(line[i])) ++i;
    size_t b = i;
    while (i < n && !delim(line[i])) ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

void parse_synsets(const std::string& text, const std::string& origin, MeteorResources& r) {
  auto lines = java_lines(text);
  if (lines.size() % 2) throw InputError(origin, "last word", "word without a synset line (truncated file?)");
  r.synsets.reserve(lines.size() / 2);
  for (size_t i = 0; i < lines.size(); i += 2) {
    std::vector<int> ids;
    for (const auto& tok : tokens(lines[i + 1])) {
      char* end = nullptr;
      long v = std::strtol(tok.c_str(), &end, 10);
      if (*end || tok.empty()) throw InputError(origin, "line " + std::to_string(i + 2), "synset id '" + tok + "' is not an integer");
      ids.push_back(static_cast<int>(v));
    }
    r.synsets[lines[i]] = std::move(ids);  // a repeated word replaces the earlier one (Hashtable.put)
  }
}

void parse_exceptions(const std::string& text, const std::string& origin, MeteorResources& r) {
  auto lines = java_lines(text);
  if (lines.size() % 2) throw InputError(origin, "last base form", "base form without a line of inflected forms (truncated file?)");
  for (size_t i = 0; i < lines.size(); i += 2)
    for (const auto& form : tokens(lines[i + 1])) r.exception_bases[form].push_back(lines[i]);
}

void parse_prefixes(const std::string& text, MeteorResources& r) {
  for (const auto& line : java_lines(text)) {
    auto tok = tokens(line);
    if (tok.empty() || tok[0].rfind("#", 0) == 0) continue;
    r.nonbreaking_prefixes[tok[0]] = tok.size() > 1 && tok[1] == "#NUMERIC_ONLY#" ? 2 : 1;
  }
}

std::string short_digest(const std::string& bytes) { return sha256_bytes(bytes).substr(0, 12); }

// The three required files plus optional prefixes, however they were found.
struct RawData {
  std::string words, synsets, exceptions, prefixes;  // prefixes: "" = use the built-in list
  std::string words_origin, synsets_origin, exceptions_origin;
  bool has_prefixes = false;
};

MeteorResources parse_data(const RawData& raw) {
  MeteorResources r;
  r.function_words = java_lines(raw.words);
  parse_synsets(raw.synsets, raw.synsets_origin, r);
  parse_exceptions(raw.exceptions, raw.exceptions_origin, r);
  parse_prefixes(raw.has_prefixes ? raw.prefixes : kBuiltinEnglishPrefixes, r);
  r.data_digest = short_digest(sha256_bytes(raw.words) + sha256_bytes(raw.synsets) +
                               sha256_bytes(raw.exceptions));
  r.prefixes_digest = raw.has_prefixes ? short_digest(raw.prefixes) : "builtin";
  r.stemmer = snowball_english_stemmer();
  return r;
}

// Attaches the paraphrase table: `choice` "", "none" or a path; `default_path` may be "".
void attach_paraphrase(MeteorResources& r, const std::string& choice, const std::string& default_path) {
  std::string path;
  if (choice == "none") return;
  if (!choice.empty()) {
    path = choice;
    if (!fs::is_regular_file(path))
      throw InputError(path, "", "METEOR paraphrase table not found (pass a paraphrase-en.gz, or 'none')");
  } else if (!default_path.empty() && fs::is_regular_file(default_path)) {
    path = default_path;
  } else {
    r.warning = "METEOR: no paraphrase table (paraphrase-en.gz) next to the data" +
                (default_path.empty() ? std::string() : " (looked for " + default_path + ")") +
                "; scoring with exact+stem+synonym only, which differs from pycocoevalcap's "
                "METEOR (pass --meteor-paraphrase FILE, or --meteor-paraphrase none to accept this)";
    return;
  }
  std::string bytes = read_file(path);
  std::string text = gunzip(bytes, path);
  // Records of 3 lines (probability, phrase, paraphrase), read like BufferedReader.readLine.
  size_t pos = 0, line_count = 0;
  auto next_line = [&](std::string& line) {
    if (pos >= text.size()) return false;
    size_t e = text.find_first_of("\r\n", pos);
    if (e == std::string::npos) e = text.size();
    line.assign(text, pos, e - pos);
    pos = e + 1;
    if (e < text.size() && text[e] == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
    ++line_count;
    return true;
  };
  std::string probability, phrase, paraphrase_line;
  while (next_line(probability)) {
    if (!next_line(phrase) || !next_line(paraphrase_line))
      throw InputError(path, "record " + std::to_string(line_count / 3 + 1),
                       "incomplete record: METEOR paraphrase files hold 3 lines per record (probability, phrase, paraphrase)");
    r.paraphrases.emplace_back(phrase, paraphrase_line);
  }
  r.use_paraphrase = true;
  r.paraphrase_digest = short_digest(bytes);
}

// --- directory layout

std::string find_in_dir(const std::string& dir, const std::string& name, const std::string& subdir) {
  for (const auto& p : {fs::path(dir) / name, fs::path(dir) / subdir / name})
    if (fs::is_regular_file(p)) return p.string();
  return "";
}

// --- jar (zip) layout

class Jar {
 public:
  explicit Jar(const std::string& path) : path_(path) {
    int err = 0;
    zip_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!zip_) {
      zip_error_t ze;
      zip_error_init_with_code(&ze, err);
      std::string what = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      throw InputError(path, "", "cannot open as a jar/zip (" + what + "); " + kHowToGetData);
    }
  }
  ~Jar() { zip_discard(zip_); }
  Jar(const Jar&) = delete;
  Jar& operator=(const Jar&) = delete;

  bool has(const std::string& member) const { return zip_name_locate(zip_, member.c_str(), 0) >= 0; }

  std::string read(const std::string& member) const {
    zip_stat_t st;
    if (zip_stat(zip_, member.c_str(), 0, &st) != 0)
      throw InputError(path_, member, std::string("missing from the jar; ") + kHowToGetData);
    zip_file_t* f = zip_fopen(zip_, member.c_str(), 0);
    if (!f) throw InputError(path_, member, std::string("cannot read: ") + zip_strerror(zip_));
    std::string out(static_cast<size_t>(st.size), '\0');
    zip_int64_t got = zip_fread(f, out.data(), st.size);
    zip_fclose(f);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
      throw InputError(path_, member, "cannot read (corrupt jar?)");
    return out;
  }

 private:
  std::string path_;
  zip_t* zip_ = nullptr;
};

class SnowballEnglishStemmer : public MeteorStemmer {
 public:
  std::string stem(const std::string& word) const override {
    struct Deleter {
      void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
    };
    // libstemmer objects are not thread-safe: one per thread
    thread_local std::unique_ptr<sb_stemmer, Deleter> stemmer(sb_stemmer_new("english", "UTF_8"));
    if (!stemmer) throw std::runtime_error("libstemmer: no English stemmer");
    const sb_symbol* out = sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
    if (!out) throw std::bad_alloc();
    return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(sb_stemmer_length(stemmer.get())));
  }
};

}  // namespace

std::shared_ptr<const MeteorStemmer> snowball_english_stemmer() {
  static const auto stemmer = std::make_shared<const SnowballEnglishStemmer>();
  return stemmer;
}

std::string gunzip(const std::string& bytes, const std::string& origin) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b)
    throw InputError(origin, "", "not a gzip file (METEOR paraphrase tables are gzip'd)");
  std::string out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zs.avail_in = static_cast<uInt>(bytes.size());
  char buf[1 << 16];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // concatenated gzip members, as GZIPInputStream reads them
      continue;
    }
    if (rc != Z_OK) {
      inflateEnd(&zs);
      throw InputError(origin, "", "corrupt or truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

std::vector<std::string> meteor_jar_search_patterns() {
  const std::string jar = "pycocoevalcap/meteor/meteor-1.5.jar";
  std::vector<std::string> out;
  auto env = [](const char* name) { const char* v = std::getenv(name); return std::string(v ? v : ""); };
  for (const std::string& prefix : {env("VIRTUAL_ENV"), env("CONDA_PREFIX")})
    if (!prefix.empty()) out.push_back(prefix + "/lib/python3*/site-packages/" + jar);
  std::string home = env("HOME");
  if (!home.empty()) {
    out.push_back(home + "/.local/lib/python3*/site-packages/" + jar);
    out.push_back(home + "/.pyenv/versions/*/lib/python3*/site-packages/" + jar);
  }
  for (const char* p : {"/usr/local/lib/python3*/dist-packages/", "/usr/local/lib/python3*/site-packages/",
                        "/usr/lib/python3/dist-packages/", "/usr/lib/python3*/site-packages/",
                        "/usr/lib/python3*/dist-packages/", "/opt/conda/lib/python3*/site-packages/"})
    out.push_back(p + jar);
  return out;
}

std::string find_meteor_jar() {
  if (const char* env = std::getenv("PGC_METEOR_JAR"); env && *env) {
    if (!fs::is_regular_file(env))
      throw InputError(env, "", "PGC_METEOR_JAR names no file; " + std::string(kHowToGetData));
    return env;
  }
  for (const auto& pattern : meteor_jar_search_patterns()) {
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
      std::string hit = g.gl_pathv[g.gl_pathc - 1];  // sorted: the newest python3.X last
      globfree(&g);
      return hit;
    }
    globfree(&g);
  }
  return "";
}

MeteorResources load_meteor_resources_from_jar(const std::string& jar_path, const std::string& paraphrase) {
  Jar jar(jar_path);
  RawData raw;
  raw.words = jar.read("function/english.words");
  raw.synsets = jar.read("synonym/english.synsets");
  raw.exceptions = jar.read("synonym/english.exceptions");
  raw.words_origin = jar_path + ":function/english.words";
  raw.synsets_origin = jar_path + ":synonym/english.synsets";
  raw.exceptions_origin = jar_path + ":synonym/english.exceptions";
  raw.has_prefixes = jar.has("nonbreaking/english.prefixes");
  if (raw.has_prefixes) raw.prefixes = jar.read("nonbreaking/english.prefixes");
  MeteorResources r = parse_data(raw);
  r.origin = jar_path;
  attach_paraphrase(r, paraphrase, (fs::path(jar_path).parent_path() / "data" / "paraphrase-en.gz").string());
  return r;
}

MeteorResources load_meteor_resources(const std::string& data_dir, const std::string& paraphrase) {
  if (data_dir.empty()) {
    std::string jar = find_meteor_jar();
    if (!jar.empty()) return load_meteor_resources_from_jar(jar, paraphrase);
    // pgc ships METEOR's English data (data/meteor) but not the 4 MB+ paraphrase table.
    const std::string bundled = std::string(PGC_DATA_DIR) + "/meteor";
    if (!fs::is_directory(bundled))
      throw InputError("", "METEOR data", std::string("METEOR 1.5's English data was not found: ") + kHowToGetData);
    return load_meteor_resources(bundled, paraphrase);
  }
  if (!fs::is_directory(data_dir))
    throw InputError(data_dir, "", std::string("--meteor-data is not a folder; ") + kHowToGetData);
  RawData raw;
  auto require = [&](const std::string& name, const std::string& subdir, std::string& bytes, std::string& origin) {
    origin = find_in_dir(data_dir, name, subdir);
    if (origin.empty())
      throw InputError(data_dir, name, std::string("missing METEOR data file; ") + kHowToGetData);
    bytes = read_file(origin);
  };
  require("english.words", "function", raw.words, raw.words_origin);
  require("english.synsets", "synonym", raw.synsets, raw.synsets_origin);
  require("english.exceptions", "synonym", raw.exceptions, raw.exceptions_origin);
  std::string prefixes = find_in_dir(data_dir, "english.prefixes", "nonbreaking");
  raw.has_prefixes = !prefixes.empty();
  if (raw.has_prefixes) raw.prefixes = read_file(prefixes);
  MeteorResources r = parse_data(raw);
  r.origin = data_dir;
  std::string default_para = find_in_dir(data_dir, "paraphrase-en.gz", "data");
  attach_paraphrase(r, paraphrase, default_para.empty() ? (fs::path(data_dir) / "paraphrase-en.gz").string() : default_para);
  return r;
}

}  // namespace pgc
