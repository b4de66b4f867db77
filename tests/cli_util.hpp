#pragma once
// Running the built `pgc` from tests: a temp folder per test, the binary run through the shell
// with stdout and stderr captured, exit status decoded. Shared by the CLI test programs.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace pgc_test {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A path quoted for the shell.
inline std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// A fresh folder under the temp dir, removed with everything in it at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("pgc_test_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
    return path / name;
  }
};

struct Run {
  int rc = -1;
  std::string out, err;
};

// Runs `pgc <args>`; `logs` is a folder for the captured streams (removed afterwards).
inline Run run_pgc_command(const std::string& args, const fs::path& logs) {
  const fs::path out = logs / "stdout.log", err = logs / "stderr.log";
  const std::string cmd = std::string("'") + PGC_BINARY + "' " + args + " >" + q(out) + " 2>" + q(err);
  const int status = std::system(cmd.c_str());
  Run r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

}  // namespace pgc_test
