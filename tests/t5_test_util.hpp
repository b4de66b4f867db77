#pragma once
// Shared by test_t5_tokenizer and test_torch_t5: a temporary folder and a tiny T5-style
// SentencePiece model (unigram, <pad> 0, </s> 1, <unk> 2, no <s>) trained on a small corpus.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/t5_tokenizer.hpp"

namespace t5_test {

namespace fs = std::filesystem;

inline fs::path temp_dir(const std::string& tag) {
  fs::path p = fs::temp_directory_path() / ("pgc_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

inline const std::vector<std::string>& corpus() {
  static const std::vector<std::string> lines = {
      "a man is riding a brown horse on the beach",
      "two dogs are playing with a red ball in the park",
      "the woman wears a white shirt and blue jeans",
      "a cat sleeps on the wooden table near the window",
      "three people are standing next to a large building",
      "a small boy holds a yellow umbrella in the rain",
      "the train is stopped at the station platform",
      "a plate of food with rice and green vegetables",
      "Generate Scene Graph: a bird sits on a branch",
      "Generate Scene Graph: the sky is blue and clear",
      "( man , ride , horse ) , ( horse , is , brown )",
      "( dog , play with , ball ) , ( ball , is , red )",
      "( woman , wear , shirt ) , ( shirt , is , white )",
      "( cat , sleep on , table ) , ( table , is , wooden )",
      "a tall tree stands beside the old stone house",
      "cars are parked along the busy city street",
      "the girl is eating an orange on the bench",
      "a group of players on the green soccer field",
  };
  return lines;
}

// Trains the model once per process into `dir`/spiece.model and returns its path.
inline std::string train_spiece(const fs::path& dir) {
  const fs::path model = dir / "spiece.model";
  if (fs::exists(model)) return model.string();
  const fs::path input = dir / "corpus.txt";
  {
    std::ofstream out(input);
    for (int repeat = 0; repeat < 3; ++repeat)
      for (const auto& line : corpus()) out << line << "\n";
  }
  const std::string args = "--input=" + input.string() + " --model_prefix=" + (dir / "spiece").string() +
                           " --vocab_size=120 --model_type=unigram --hard_vocab_limit=false"
                           " --character_coverage=1.0 --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1"
                           " --minloglevel=2";
  pgc::train_sentencepiece(args);
  return model.string();
}

}  // namespace t5_test
