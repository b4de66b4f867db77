#include "core/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace pgc {

Progress::Progress(std::string label, size_t total, bool quiet)
    : label_(std::move(label)), total_(total), enabled_(!quiet && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

Progress::~Progress() { done(); }

void Progress::tick(size_t n) {
  size_t c = count_.fetch_add(n) + n;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  if (now - last_ < std::chrono::milliseconds(200) && c < total_) return;
  last_ = now;
  draw(c);
}

void Progress::draw(size_t c) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s: %zu/%zu (%.0f%%) %.1fs", label_.c_str(), c, total_,
               total_ ? 100.0 * c / total_ : 100.0, secs);
  std::fflush(stderr);
}

void Progress::done() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  draw(count_.load());
  std::fputc('\n', stderr);
}

}  // namespace pgc
