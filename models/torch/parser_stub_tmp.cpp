// TEMPORARY: lets pgc link before the t5 branch (models/torch/t5.cpp) is merged. Drop this
// file (its commit starts with "TEMP stub") when merging t5.
#include <stdexcept>

#include "models/scene_graph_parser.hpp"

namespace pgc {

std::unique_ptr<SceneGraphParser> load_scene_graph_parser(const std::string& model_dir, const std::string&,
                                                          const SceneGraphParserOptions&) {
  throw std::runtime_error("the FACTUAL T5 scene-graph parser is not built into this pgc (models/torch/t5.cpp "
                           "missing); cannot load " + model_dir);
}

}  // namespace pgc
