#pragma once
// Timing for the benchmarks: wall seconds since a start point, and this process's CPU seconds
// (user + system, all threads). On a shared machine the wall time depends on the neighbours,
// the CPU time much less, so benches report both. Header-only: every bench stays one file that
// builds with its own minimal dependencies.
#include <sys/resource.h>

#include <chrono>

namespace pgc_bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

}  // namespace pgc_bench
