#pragma once
// The one parallel primitive pgc needs: run fn(i, worker) for i in [0, n) on `threads` threads.
// Work is handed out in order from an atomic counter, so a per-worker accumulator plus a
// merge in worker order gives results independent of timing when the merge is exact
// (integer counts); scorers whose float sums depend on order store per-item values instead.
#include <cstddef>
#include <functional>

namespace pgc {

// Number of threads to use: `requested` if > 0, else the hardware concurrency (at least 1).
int resolve_threads(int requested);

// Runs fn for every index; rethrows the first exception (by lowest index) after all threads stop.
void parallel_for(size_t n, int threads, const std::function<void(size_t index, int worker)>& fn);

}  // namespace pgc
