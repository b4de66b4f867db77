#include "core/resample.hpp"

#include <map>

namespace pgc {
namespace {
std::map<std::string, ResamplerFactory>& registry() {
  static std::map<std::string, ResamplerFactory> r;
  return r;
}
}  // namespace

void register_resampler(const std::string& task, ResamplerFactory factory) {
  registry()[task] = std::move(factory);
}

const ResamplerFactory* find_resampler(const std::string& task) {
  auto it = registry().find(task);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace pgc
