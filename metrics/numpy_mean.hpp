#pragma once
// numpy.mean of a float64 vector, to the last bit. pycocoevalcap's ROUGE-L and CIDEr corpus
// scores are `np.mean(np.array(per_image))`; numpy (1.24, and since 1.9) sums a contiguous
// float64 array with its pairwise summation (numpy/core/src/umath/loops_utils.h.src,
// `pairwise_sum`): fewer than 8 values are added left to right; up to 128 values use
// 8 interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the tail left
// to right; longer arrays split at n/2 rounded down to a multiple of 8 and recurse. The
// reduction starts from add's identity 0.0 and the mean divides the sum by n.
#include <cstddef>
#include <vector>

namespace pgc {

// numpy's pairwise_sum for float64 (np.sum / np.mean) and float32 (CAPTURE's np.sum of float32
// similarities): the same blocking for both types.
template <typename T>
T numpy_pairwise_sum(const T* a, size_t n) {
  if (n < 8) {
    T res = T(0);
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

// numpy.mean; NaN for an empty vector (numpy warns and returns nan).
inline double numpy_mean(const std::vector<double>& values) {
  double sum = 0.0 + numpy_pairwise_sum(values.data(), values.size());
  return sum / static_cast<double>(values.size());
}

}  // namespace pgc
