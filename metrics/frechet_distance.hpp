#pragma once
// Frechet distance between two Gaussians fitted to feature sets (FID, FD-DINOv2), computed
// exactly as pytorch-fid's calculate_frechet_distance (and dgm-eval's compute_FD_with_reps):
//
//   fd = |mu1 - mu2|^2 + tr(sigma1) + tr(sigma2) - 2 tr(sqrtm(sigma1 sigma2))
//
// FeatureStats are the sufficient statistics (count, mean, co-moment matrix) in float64;
// they merge exactly like Chan et al.'s parallel variance, so shards combine.
// Two routes for the trace term (docs/t2i.md lists their measured agreement):
//  - kSchur: scipy.linalg.sqrtm(sigma1 @ sigma2) as scipy 1.10 does it (LAPACK dgees real
//    Schur form, rsf2csf when it has 2x2 blocks, the blocked Higham recurrence with 64-row
//    blocks and trsyl between blocks, X = Z R Z^H), including pytorch-fid's control flow:
//    the eps*I offset retry when the result has a non-finite entry and the
//    "Imaginary component" error when the diagonal's imaginary part exceeds 1e-3.
//  - kSymmetricEigen: the eigenvalues of sigma1 sigma2 through symmetric matrices only
//    (Cholesky of sigma1 when it is positive definite, else its eigendecomposition with
//    negative eigenvalues clipped to 0); about 4x faster at d=2048, no offset retry and no
//    imaginary parts (they cannot arise).
#include <Eigen/Dense>

#include <complex>
#include <cstddef>
#include <string>

namespace pgc {

// Count, mean and sum of outer products of deviations of a set of feature rows, in float64.
class FeatureStats {
 public:
  FeatureStats() = default;
  explicit FeatureStats(size_t dims);

  // Adds `n` rows of `d` values each (row-major, as a (N, d) .npy stores them).
  // The first call fixes the dimension; the rows' values must be finite (not checked here).
  void add_rows(const float* rows, size_t n, size_t d);
  void add_rows(const double* rows, size_t n, size_t d);
  // Combines another set's statistics into this one (same result as adding its rows).
  void merge(const FeatureStats& other);

  size_t count() const { return count_; }
  size_t dims() const { return static_cast<size_t>(mean_.size()); }
  // np.mean(act, axis=0)
  const Eigen::VectorXd& mean() const { return mean_; }
  // np.cov(act, rowvar=False): divides by N - 1; needs count() >= 2 (std::logic_error otherwise).
  Eigen::MatrixXd covariance() const;

 private:
  template <typename T>
  void add_rows_impl(const T* rows, size_t n, size_t d);
  size_t count_ = 0;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd comoment_;  // sum over samples of (x - mean)(x - mean)^T
};

enum class FrechetMethod { kSchur, kSymmetricEigen };

struct FrechetOptions {
  FrechetMethod method = FrechetMethod::kSchur;
  double eps = 1e-6;  // pytorch-fid's offset added to both diagonals on the retry
};

struct FrechetResult {
  double fd = 0;
  double mean_term = 0;      // |mu1 - mu2|^2
  double trace_sigma1 = 0;
  double trace_sigma2 = 0;
  double trace_covmean = 0;  // tr(sqrtm(sigma1 sigma2)) (real part)
  bool eps_fallback_taken = false;  // the first sqrtm had a non-finite entry
  bool sqrtm_complex = false;       // scipy returned a complex matrix (real part used)
  double max_abs_imag = 0;          // max |imag(covmean)| over the whole matrix
};

// The Frechet distance. Throws InputError (empty file, item "frechet distance") where
// pytorch-fid raises or returns NaN: mismatched shapes, non-finite input, Schur form not
// found, "Imaginary component <max|imag|>" (the reference's ValueError text), or a
// square root that is still non-finite after the offset retry.
FrechetResult frechet_distance(const Eigen::VectorXd& mu1, const Eigen::MatrixXd& sigma1,
                               const Eigen::VectorXd& mu2, const Eigen::MatrixXd& sigma2,
                               const FrechetOptions& options = {});

// scipy.linalg.sqrtm(A, disp=False) (scipy 1.10, blocksize 64), exposed for tests.
// `value` is complex; `is_complex` says whether scipy would return a complex array.
// When the recurrence fails (scipy's SqrtmError) every entry is NaN, as scipy returns.
struct MatrixSqrt {
  Eigen::MatrixXcd value;
  bool is_complex = false;
  bool failed = false;
};
MatrixSqrt scipy_sqrtm(const Eigen::MatrixXd& a);

// Name used in signatures and --method: "schur" or "eigen".
std::string frechet_method_name(FrechetMethod m);

}  // namespace pgc
