#pragma once
// Each runners/cmd_*.cpp registers one subcommand with a static RegisterCommand object, so
// adding a subcommand touches no other file. `setup` declares the flags on the CLI11
// subcommand and returns the function that runs it (its return value is the exit code).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace pgc {

using CommandRun = std::function<int()>;
using CommandSetup = std::function<CommandRun(CLI::App& sub)>;

struct CommandSpec {
  std::string name;
  std::string description;
  CommandSetup setup;
};

std::vector<CommandSpec>& command_registry();

struct RegisterCommand {
  RegisterCommand(std::string name, std::string description, CommandSetup setup) {
    command_registry().push_back({std::move(name), std::move(description), std::move(setup)});
  }
};

}  // namespace pgc
