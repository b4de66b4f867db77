// The one place that links libsentencepiece, built as its own module (libpgc_spm.so) and
// loaded by models/t5_tokenizer.cpp with dlopen(RTLD_LOCAL | RTLD_DEEPBIND). Why: Debian's
// libsentencepiece bundles protobuf-lite and exports its symbols; in one process with
// LibTorch (which loads libprotobuf.so.32) the two protobufs interpose on each other and the
// process crashes during static initialization. Loaded this way each keeps its own.
// (Named .cc so that the models/*.cpp glob leaves it out of pgc_models.) Plain C interface.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <string>
#include <vector>

namespace {
void set_error(const std::string& text, char* error, size_t error_size) {
  if (error_size == 0) return;
  std::strncpy(error, text.c_str(), error_size - 1);
  error[error_size - 1] = '\0';
}
}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* pgc_spm_load(const char* path, char* error, size_t error_size) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  const auto status = sp->Load(path);
  if (!status.ok()) {
    set_error(status.ToString(), error, error_size);
    delete sp;
    return nullptr;
  }
  return sp;
}

__attribute__((visibility("default"))) void pgc_spm_free(void* handle) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(handle);
}

__attribute__((visibility("default"))) int pgc_spm_piece_size(void* handle) {
  return static_cast<sentencepiece::SentencePieceProcessor*>(handle)->GetPieceSize();
}

// Copies the piece (no terminator) if it fits; returns its length.
__attribute__((visibility("default"))) size_t pgc_spm_id_to_piece(void* handle, int id, char* buffer, size_t size) {
  const std::string& piece = static_cast<sentencepiece::SentencePieceProcessor*>(handle)->IdToPiece(id);
  if (piece.size() <= size) std::memcpy(buffer, piece.data(), piece.size());
  return piece.size();
}

// Encodes text[0, length) into at most `capacity` ids; returns the number of ids (which may
// exceed capacity: call again with more room).
__attribute__((visibility("default"))) size_t pgc_spm_encode(void* handle, const char* text, size_t length, int* ids,
                                                             size_t capacity) {
  const std::vector<int> out =
      static_cast<sentencepiece::SentencePieceProcessor*>(handle)->EncodeAsIds(std::string(text, length));
  if (out.size() <= capacity) std::copy(out.begin(), out.end(), ids);
  return out.size();
}

// SentencePieceTrainer::Train(args) (tests train tiny models); 0 on success.
__attribute__((visibility("default"))) int pgc_spm_train(const char* args, char* error, size_t error_size) {
  const auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (status.ok()) return 0;
  set_error(status.ToString(), error, error_size);
  return 1;
}

}  // extern "C"
