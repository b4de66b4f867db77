// TEMPORARY (dropped when wip/bert, wip/mpnet and wip/t5 are merged): lets gpu_compare link.
#include <stdexcept>

#include "models/scene_graph_parser.hpp"
#include "models/text_encoder.hpp"

namespace pgc {
std::unique_ptr<SceneGraphParser> load_scene_graph_parser(const std::string&, const std::string&,
                                                          const SceneGraphParserOptions&) {
  throw std::runtime_error("T5 not merged yet");
}
}  // namespace pgc
