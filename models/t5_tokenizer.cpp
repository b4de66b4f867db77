#include "models/t5_tokenizer.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <type_traits>

#include "core/error.hpp"

namespace pgc {
namespace {

const std::string kMetaspace = "\xE2\x96\x81";  // U+2581, SentencePiece's word boundary mark

// Python's str.isspace code points.
bool is_python_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Decodes the UTF-8 code point at s[i]; sets `len`. Malformed bytes decode as themselves
// (never whitespace), length 1.
char32_t code_point_at(const std::string& s, size_t i, size_t& len) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (b < 0x80) { len = 1; return b; }
  if ((b & 0xE0) == 0xC0 && cont(1)) {
    len = 2;
    return (char32_t(b & 0x1F) << 6) | (s[i + 1] & 0x3F);
  }
  if ((b & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    len = 3;
    return (char32_t(b & 0x0F) << 12) | (char32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
  }
  if ((b & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    len = 4;
    return (char32_t(b & 0x07) << 18) | (char32_t(s[i + 1] & 0x3F) << 12) |
           (char32_t(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
  }
  len = 1;
  return 0xFFFD;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

// libpgc_spm.so's C interface (models/spm_shim.cc), loaded once.
struct SpmModule {
  void* (*load)(const char*, char*, size_t) = nullptr;
  void (*free)(void*) = nullptr;
  int (*piece_size)(void*) = nullptr;
  size_t (*id_to_piece)(void*, int, char*, size_t) = nullptr;
  size_t (*encode)(void*, const char*, size_t, int*, size_t) = nullptr;
  int (*train)(const char*, char*, size_t) = nullptr;
};

std::string module_candidate() {
  if (const char* env = std::getenv("PGC_SPM_MODULE")) return env;
#ifdef PGC_SPM_MODULE
  if (std::filesystem::exists(PGC_SPM_MODULE)) return PGC_SPM_MODULE;
#endif
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "libpgc_spm.so" : (exe.parent_path() / "libpgc_spm.so").string();
}

const SpmModule& spm() {
  static const SpmModule module = [] {
    const std::string path = module_candidate();
    // RTLD_DEEPBIND: libsentencepiece resolves its bundled protobuf to itself, and RTLD_LOCAL
    // keeps it away from LibTorch's libprotobuf.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle)
      throw std::runtime_error("cannot load the SentencePiece module " + path + " (set PGC_SPM_MODULE): " + dlerror());
    SpmModule m;
    auto sym = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, name));
      if (!fn) throw std::runtime_error(path + " lacks " + name);
    };
    sym(m.load, "pgc_spm_load");
    sym(m.free, "pgc_spm_free");
    sym(m.piece_size, "pgc_spm_piece_size");
    sym(m.id_to_piece, "pgc_spm_id_to_piece");
    sym(m.encode, "pgc_spm_encode");
    sym(m.train, "pgc_spm_train");
    return m;
  }();
  return module;
}

}  // namespace

void train_sentencepiece(const std::string& args) {
  char error[1024] = {0};
  if (spm().train(args.c_str(), error, sizeof error) != 0)
    throw std::runtime_error(std::string("SentencePiece training failed: ") + error);
}

T5Tokenizer::T5Tokenizer(const std::string& spiece_model, int extra_ids)
    : path_(spiece_model), extra_ids_(extra_ids) {
  if (!std::filesystem::is_regular_file(spiece_model))
    throw InputError(spiece_model, "", "T5 SentencePiece model not found (the model folder's spiece.model)");
  char error[1024] = {0};
  sp_ = spm().load(spiece_model.c_str(), error, sizeof error);
  if (!sp_) throw InputError(spiece_model, "", std::string("not a SentencePiece model: ") + error);
  piece_count_ = spm().piece_size(sp_);
  std::map<std::string, int64_t> ids;
  for (int id = 0; id < piece_count_; ++id) {
    std::string piece(64, '\0');
    size_t n = spm().id_to_piece(sp_, id, piece.data(), piece.size());
    if (n > piece.size()) {
      piece.resize(n);
      spm().id_to_piece(sp_, id, piece.data(), piece.size());
    }
    piece.resize(n);
    ids.emplace(piece, id);
    pieces_.push_back(std::move(piece));
  }
  // HF's T5Tokenizer looks the special tokens up by their strings.
  auto special = [&](const char* token) {
    const auto it = ids.find(token);
    if (it == ids.end())
      throw InputError(spiece_model, token, "the SentencePiece model has no such piece (not a T5 tokenizer)");
    return it->second;
  };
  pad_id_ = special("<pad>");
  eos_id_ = special("</s>");
  unk_id_ = special("<unk>");
}

T5Tokenizer::~T5Tokenizer() {
  if (sp_) spm().free(sp_);
}

bool T5Tokenizer::is_special(int64_t id) const {
  return id == pad_id_ || id == eos_id_ || id == unk_id_ || (id >= piece_count_ && id < vocab_size());
}

std::string T5Tokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id >= vocab_size()) return "";
  if (id >= piece_count_) return "<extra_id_" + std::to_string(vocab_size() - 1 - id) + ">";
  return pieces_[static_cast<size_t>(id)];
}

std::vector<int64_t> T5Tokenizer::encode_plain(const std::string& segment) const {
  // At most one piece per byte plus the dummy prefix; asked again if ever short.
  std::vector<int> ids(segment.size() + 2);
  size_t n = spm().encode(sp_, segment.data(), segment.size(), ids.data(), ids.size());
  if (n > ids.size()) {
    ids.resize(n);
    n = spm().encode(sp_, segment.data(), segment.size(), ids.data(), ids.size());
  }
  return std::vector<int64_t>(ids.begin(), ids.begin() + static_cast<long>(n));
}

std::vector<int64_t> T5Tokenizer::encode(const std::string& text, bool append_eos) const {
  // Special-token strings are cut out first (HF's added-token split), the segments between
  // them are encoded separately (each gets SentencePiece's dummy prefix, as in HF).
  std::vector<int64_t> ids;
  size_t segment_start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '<') continue;
    int64_t id = -1;
    size_t len = 0;
    for (const auto& [token, tid] : {std::pair<std::string, int64_t>{"<pad>", pad_id_},
                                     {"</s>", eos_id_}, {"<unk>", unk_id_}})
      if (text.compare(i, token.size(), token) == 0) { id = tid; len = token.size(); }
    const std::string extra = "<extra_id_";
    if (id < 0 && text.compare(i, extra.size(), extra) == 0) {
      size_t j = i + extra.size(), k = j;
      while (k < text.size() && k - j < 6 && text[k] >= '0' && text[k] <= '9') ++k;
      if (k > j && k < text.size() && text[k] == '>') {
        const long n = std::stol(text.substr(j, k - j));
        if (n < extra_ids_ && std::to_string(n) == text.substr(j, k - j)) {
          id = vocab_size() - 1 - n;
          len = k + 1 - i;
        }
      }
    }
    if (id < 0) continue;
    auto part = encode_plain(text.substr(segment_start, i - segment_start));
    ids.insert(ids.end(), part.begin(), part.end());
    ids.push_back(id);
    segment_start = i + len;
    i = segment_start - 1;
  }
  auto tail = encode_plain(text.substr(segment_start));
  ids.insert(ids.end(), tail.begin(), tail.end());
  if (append_eos) ids.push_back(eos_id_);
  return ids;
}

std::string T5Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special_tokens,
                                bool clean_up_tokenization_spaces) const {
  std::string out;
  bool first = true;
  for (int64_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;  // the fast tokenizer drops unknown ids
    if (skip_special_tokens && is_special(id)) continue;
    std::string piece = id_to_token(id);
    if (!is_special(id)) {
      if (first && piece.compare(0, kMetaspace.size(), kMetaspace) == 0) piece.erase(0, kMetaspace.size());
      replace_all(piece, kMetaspace, " ");
    }
    out += piece;
    first = false;
  }
  return clean_up_tokenization_spaces ? clean_up_tokenization(std::move(out)) : out;
}

std::string clean_up_tokenization(std::string text) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) {
    // Python's str.replace: left to right, non-overlapping, on the original string.
    std::string out;
    const std::string f = from;
    size_t pos = 0;
    for (size_t hit = text.find(f); hit != std::string::npos; hit = text.find(f, pos)) {
      out.append(text, pos, hit - pos);
      out += to;
      pos = hit + f.size();
    }
    out.append(text, pos, std::string::npos);
    text = std::move(out);
  }
  return text;
}

std::string python_strip(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end) {
    size_t len = 0;
    if (!is_python_space(code_point_at(text, begin, len))) break;
    begin += len;
  }
  // Scan forward remembering the end of the last non-space code point.
  size_t last = begin;
  for (size_t i = begin; i < end;) {
    size_t len = 0;
    const char32_t c = code_point_at(text, i, len);
    i += len;
    if (!is_python_space(c)) last = i;
  }
  return text.substr(begin, last - begin);
}

std::vector<std::vector<int64_t>> scene_graph_parser_inputs(const T5Tokenizer& tokenizer,
                                                            const std::vector<std::string>& sentences,
                                                            const std::string& parser_version,
                                                            int max_input_len) {
  if (parser_version != "v0.5" && parser_version != "v0.6")
    throw UsageError("scene-graph parser version must be v0.5 or v0.6, not '" + parser_version + "'");
  if (max_input_len < 2) throw UsageError("scene-graph parser: max input length must be >= 2");
  std::vector<std::vector<int64_t>> content;
  size_t longest = 0;
  for (const auto& s : sentences) {
    content.push_back(tokenizer.encode(kSceneGraphPrompt + python_strip(s), false));
    longest = std::max(longest, content.back().size());
  }
  size_t max_len = static_cast<size_t>(max_input_len);
  if (parser_version == "v0.6") max_len = std::min(max_len, longest);
  // Truncation keeps the first max_len-1 content tokens; max_len can be < 2 only for an empty
  // batch or an empty prompt, which the fixed prompt rules out.
  const size_t keep = max_len > 0 ? max_len - 1 : 0;
  for (auto& ids : content) {
    if (ids.size() > keep) ids.resize(keep);
    ids.push_back(tokenizer.eos_id());
  }
  return content;
}

}  // namespace pgc
