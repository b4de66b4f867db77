#pragma once
// The inputs of a Frechet distance as files: pytorch-fid's .npz statistics (`mu`, `sigma`)
// or an (N, d) .npy feature matrix whose mean and covariance are computed here in float64
// (np.mean / np.cov(rowvar=False), as pytorch-fid and dgm-eval do).
#include <Eigen/Dense>

#include <cstddef>
#include <string>

namespace pgc {

struct GaussianStats {
  Eigen::VectorXd mu;
  Eigen::MatrixXd sigma;
  size_t count = 0;         // feature rows behind the statistics; 0 when read from .npz
  std::string source_kind;  // "npz" or "npy"
};

// Reads either format (chosen by extension, else by the file's magic bytes). InputError for
// a missing member, wrong shapes, fewer than 2 rows, or a NaN/Inf value (naming row/column).
GaussianStats load_gaussian_stats(const std::string& path);

// Statistics of an (N, d) row-major feature block; InputError(origin, ...) as above.
GaussianStats stats_from_features(const float* rows, size_t n, size_t d, const std::string& origin);

// pytorch-fid's stats file: np.savez(path, mu=mu, sigma=sigma) (float64; deflated when
// `compressed`, as np.savez_compressed).
void save_gaussian_stats_npz(const std::string& path, const GaussianStats& stats,
                             bool compressed = false);

}  // namespace pgc
