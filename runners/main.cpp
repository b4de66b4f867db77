// pgc: one binary for the PGC benchmark. Subcommands register themselves (command.hpp);
// main parses, runs the chosen one, and maps errors to exit codes (core/error.hpp).
#include <algorithm>
#include <iostream>
#include <map>

#include "core/error.hpp"
#include "runners/command.hpp"

namespace pgc {
std::vector<CommandSpec>& command_registry() {
  static std::vector<CommandSpec> registry;
  return registry;
}
}  // namespace pgc

int main(int argc, char** argv) {
  CLI::App app{"pgc " PGC_VERSION
               ": Panoptic segmentation and Grounded Captioning benchmark. Scores caption,\n"
               "panoptic, grounded-caption and text-to-image predictions with numbers identical to\n"
               "the reference implementations (pycocoevalcap, panopticapi, pytorch-fid)."};
  app.set_version_flag("--version", std::string("pgc ") + PGC_VERSION);
  app.require_subcommand(1);
  auto specs = pgc::command_registry();
  std::sort(specs.begin(), specs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<CLI::App*, pgc::CommandRun> runs;
  for (auto& spec : specs) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.description);
    runs[sub] = spec.setup(*sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : pgc::kExitBadInput;
  }
  try {
    for (auto& [sub, run] : runs)
      if (sub->parsed()) return run();
    return pgc::kExitBadInput;
  } catch (const pgc::InputError& e) {
    std::cerr << "pgc: " << e.what() << "\n";
    return pgc::kExitBadInput;
  } catch (const pgc::UsageError& e) {
    std::cerr << "pgc: " << e.what() << "\n";
    return pgc::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "pgc: internal error (a bug, please report it): " << e.what() << "\n";
    return pgc::kExitInternal;
  }
}
