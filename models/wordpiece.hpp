#pragma once
// BERT-style text -> token ids, as HF tokenizers' BertTokenizerFast does it (the tokenizer that
// `AutoTokenizer.from_pretrained("bert-base-uncased")` returns, used by GLaMM's GCG recall),
// and as MPNetTokenizerFast (all-mpnet-base-v2) does with its own special tokens:
//   1. special tokens written literally in the text ("[CLS]", "<mask>", ...) are kept whole;
//   2. BertNormalizer: drop U+0000, U+FFFD and control characters (Unicode categories Cc, Cf,
//      Co, Cs, except \t \n \r; unassigned code points stay), every whitespace -> ' '; spaces around CJK ideographs; with strip_accents
//      NFD + drop nonspacing marks (Mn); with lower_case full per-character lowercase;
//   3. BertPreTokenizer: split on whitespace, every punctuation character (ASCII punctuation
//      or Unicode P*) is a word of its own;
//   4. WordPiece: greedy longest-match-first, continuation pieces prefixed "##"; a word with
//      no full cover, or longer than max_input_chars_per_word code points, becomes unk_token;
//   5. truncation to max_length ids including the two specials, then cls + ids + sep.
// Torch-free; needs only ICU (uc) and core/error.hpp (it also builds in the GPU check).
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgc {

struct WordPieceOptions {
  bool lower_case = true;
  bool strip_accents = true;           // HF: strip_accents=None follows lower_case
  bool tokenize_chinese_chars = true;
  std::string unk_token = "[UNK]";
  std::string cls_token = "[CLS]";     // first id of every encoded text
  std::string sep_token = "[SEP]";     // last id of every encoded text
  std::string pad_token = "[PAD]";     // fills batches (attention mask 0)
  // Further tokens kept whole when they appear literally in the text (if in the vocab).
  std::vector<std::string> other_special_tokens = {"[MASK]"};
  size_t max_length = 512;             // ids per text, specials included (HF truncation=True)
  size_t max_input_chars_per_word = 100;

  // bert-base-uncased: [CLS] x [SEP], lower case, 512.
  static WordPieceOptions bert_uncased();
  // all-mpnet-base-v2 (MPNetTokenizerFast): <s> x </s>, <pad>, <mask>, unk [UNK], lower case;
  // max_length 512 as the tokenizer (sentence-transformers truncates at 384: set it).
  static WordPieceOptions mpnet();
};

class WordPieceTokenizer {
 public:
  // vocab.txt: one token per line, id = line number (0-based); "\r\n" and "\r" end lines
  // as "\n" does (Python's text mode); a token listed twice keeps its last line. InputError
  // naming the file when it cannot be read, is not UTF-8, or lacks the unk/cls/sep/pad tokens.
  WordPieceTokenizer(const std::string& vocab_path, WordPieceOptions options);
  // The same from tokens in id order (`source` names them in errors).
  WordPieceTokenizer(const std::vector<std::string>& vocab, WordPieceOptions options,
                     const std::string& source = "<vocab>");

  // Steps 1-3: words (special tokens whole). std::invalid_argument on malformed UTF-8.
  std::vector<std::string> basic_tokenize(const std::string& text) const;
  // Steps 1-4: word pieces, without cls/sep and without truncation.
  std::vector<std::string> tokenize(const std::string& text) const;
  // Steps 1-5: ids, cls + pieces (truncated to max_length - 2) + sep.
  std::vector<int64_t> encode(const std::string& text) const;

  // -1 when absent.
  int64_t token_to_id(const std::string& token) const;
  const std::string& id_to_token(int64_t id) const;  // std::out_of_range when not an id
  int64_t pad_id() const { return pad_id_; }
  int64_t cls_id() const { return cls_id_; }
  int64_t sep_id() const { return sep_id_; }
  int64_t unk_id() const { return unk_id_; }
  size_t vocab_size() const { return id_to_token_.size(); }  // lines, duplicates included
  const WordPieceOptions& options() const { return options_; }

 private:
  void init(const std::string& source);
  void wordpiece(const std::string& word, std::vector<std::string>& out) const;

  WordPieceOptions options_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<std::string, int64_t> token_to_id_;
  std::vector<std::string> specials_;  // kept whole, longest first
  int64_t unk_id_ = -1, cls_id_ = -1, sep_id_ = -1, pad_id_ = -1;
};

}  // namespace pgc
