#pragma once
// T5's tokenizer (HF T5TokenizerFast as AutoTokenizer loads it for a T5 checkpoint) on top of
// libsentencepiece, and the FACTUAL scene-graph parser's input building (spec capture.md §2.2,
// §7.2). Torch-free.
//
// Vocabulary: the SentencePiece pieces (ids 0 .. n-1; T5's model has <pad> 0, </s> 1, <unk> 2)
// followed by `extra_ids` sentinels, <extra_id_0> = n + extra_ids - 1 down to
// <extra_id_{extra_ids-1}> = n (HF's numbering, reversed). Special tokens: <pad>, </s>,
// <unk> and every <extra_id_*>.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pgc {

class T5Tokenizer {
 public:
  // Loads `spiece_model` (InputError naming the file when missing or not a SentencePiece model,
  // or when it lacks <pad>, </s> or <unk>).
  explicit T5Tokenizer(const std::string& spiece_model, int extra_ids = 100);
  ~T5Tokenizer();
  T5Tokenizer(const T5Tokenizer&) = delete;
  T5Tokenizer& operator=(const T5Tokenizer&) = delete;

  // HF `tokenizer(text)["input_ids"]`: the text is split at special-token strings (which map to
  // their ids), every other segment is SentencePiece-encoded on its own; </s> is appended
  // when `append_eos`.
  std::vector<int64_t> encode(const std::string& text, bool append_eos = true) const;

  // HF `decode(ids, skip_special_tokens, clean_up_tokenization_spaces)` of the fast tokenizer:
  // special tokens (and ids outside the vocabulary) dropped when skipping, pieces joined,
  // U+2581 -> ' ', the first piece's leading U+2581 dropped (Metaspace decoder, no final
  // strip), then clean_up_tokenization when asked.
  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true,
                     bool clean_up_tokenization_spaces = true) const;

  int64_t pad_id() const { return pad_id_; }
  int64_t eos_id() const { return eos_id_; }
  int64_t unk_id() const { return unk_id_; }
  // SentencePiece pieces + extra ids (32100 for T5; the model's vocab_size may be larger).
  int64_t vocab_size() const { return piece_count_ + extra_ids_; }
  bool is_special(int64_t id) const;
  // The token string of an id ("<extra_id_3>" for sentinels); "" outside the vocabulary.
  std::string id_to_token(int64_t id) const;
  const std::string& path() const { return path_; }

 private:
  std::vector<int64_t> encode_plain(const std::string& segment) const;

  std::string path_;
  void* sp_ = nullptr;                // the SentencePieceProcessor inside libpgc_spm.so
  std::vector<std::string> pieces_;   // by id
  int64_t piece_count_ = 0;
  int extra_ids_ = 0;
  int64_t pad_id_ = 0, eos_id_ = 1, unk_id_ = 2;
};

// SentencePieceTrainer::Train(args) (tests train tiny models with it); std::runtime_error on
// failure. libsentencepiece is reached through the module libpgc_spm.so (see
// models/spm_shim.cc for why), found at $PGC_SPM_MODULE, the build's path, or next to the
// executable.
void train_sentencepiece(const std::string& args);

// transformers' PreTrainedTokenizerBase.clean_up_tokenization: the replacements " ." -> ".",
// " ?" -> "?", " !" -> "!", " ," -> ",", " ' " -> "'", " n't" -> "n't", " 'm" -> "'m",
// " 's" -> "'s", " 've" -> "'ve", " 're" -> "'re", applied one after the other.
std::string clean_up_tokenization(std::string text);

// Python str.strip() with no argument (Unicode whitespace as str.isspace, on UTF-8).
std::string python_strip(const std::string& text);

// The FACTUAL parser's encoder inputs for one batch of sentences (the parser's batches hold up
// to 32 sentences of one caption): "Generate Scene Graph: " + strip(s), tokenized with </s>.
//   "v0.5": truncated to max_input_len tokens including </s> (first max_input_len-1 content
//           tokens, then </s>), each sentence on its own.
//   "v0.6": max_len = min(max_input_len, longest content length of the batch without </s>);
//           every sentence truncated to max_len tokens including </s> (so the batch's longest
//           prompt loses its last content token).
// Unpadded; UsageError for another parser_version.
std::vector<std::vector<int64_t>> scene_graph_parser_inputs(const T5Tokenizer& tokenizer,
                                                            const std::vector<std::string>& sentences,
                                                            const std::string& parser_version,
                                                            int max_input_len = 64);
inline constexpr const char* kSceneGraphPrompt = "Generate Scene Graph: ";
inline constexpr int kSceneGraphParserBatch = 32;

}  // namespace pgc
