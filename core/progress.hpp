#pragma once
// A progress line on stderr for long runs; silent unless stderr is a terminal (or when quiet).
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace pgc {

class Progress {
 public:
  Progress(std::string label, size_t total, bool quiet = false);
  ~Progress();
  void tick(size_t n = 1);  // thread-safe
  void done();

 private:
  void draw(size_t done);
  std::string label_;
  size_t total_;
  bool enabled_;
  std::atomic<size_t> count_{0};
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_, last_;
  bool finished_ = false;
};

}  // namespace pgc
