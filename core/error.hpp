#pragma once
// The one error type of pgc: what is wrong, in which file, at which item.
// Printed by the CLI as one line `pgc: <file>: <item>: <what>` with exit code 2.
#include <stdexcept>
#include <string>

namespace pgc {

enum ExitCode { kExitOk = 0, kExitRegression = 1, kExitBadInput = 2, kExitInternal = 3 };

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string item, std::string what)
      : std::runtime_error(format(file, item, what)),
        file_(std::move(file)), item_(std::move(item)), what_(std::move(what)) {}
  const std::string& file() const { return file_; }
  const std::string& item() const { return item_; }
  const std::string& problem() const { return what_; }

 private:
  static std::string format(const std::string& f, const std::string& i, const std::string& w) {
    std::string s;
    if (!f.empty()) s += f + ": ";
    if (!i.empty()) s += i + ": ";
    return s + w;
  }
  std::string file_, item_, what_;
};

// A usage error (bad flag combination); exit code 2 as well.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace pgc
