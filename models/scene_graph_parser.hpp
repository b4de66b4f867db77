#pragma once
// CAPTURE's FACTUAL scene-graph parser (Flan-T5-base fine-tuned, lizhuang144/flan-t5-base-
// VG-factual-sg), behind a torch-free interface; implementation in models/torch/t5.cpp.
// See ../shared/specs/capture.md sections 2.2-2.3 and 7.2.
#include <memory>
#include <string>
#include <vector>

namespace pgc {

struct SceneGraphParserOptions {
  int num_beams = 5;
  int max_length = 128;          // generated tokens, as the reference's max_length
  bool early_stopping = true;
  double length_penalty = 1.0;   // beam hypotheses scored sum_logprob / len^length_penalty
  std::string parser_version = "v0.5";  // input truncation rules differ (spec 7.2); v0.5 = 2024 reference
  // Length dividing a beam's score when it is cut at max_length: true = the sequence with the
  // decoder start token (transformers <= 4.35, spec 7.2's 2024 default), false = generated
  // tokens only (later releases). Beams ended by </s> count the same either way.
  bool beam_length_counts_start = true;
};

class SceneGraphParser {
 public:
  virtual ~SceneGraphParser() = default;
  virtual std::string name() const = 0;  // for result signatures
  // One decoded graph string per input sentence (the reference's raw parser output, before
  // graph-string normalization), in input order; independent of batching.
  virtual std::vector<std::string> parse(const std::vector<std::string>& sentences) = 0;
};

// HF model folder: config.json, spiece.model, model.safetensors (or sharded with
// model.safetensors.index.json); fp32/fp16/bf16 weights are computed in float32.
std::unique_ptr<SceneGraphParser> load_scene_graph_parser(const std::string& model_dir,
                                                          const std::string& device,
                                                          const SceneGraphParserOptions& options);

}  // namespace pgc
