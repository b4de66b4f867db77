#include "metrics/frechet_distance.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/error.hpp"

// LAPACK (Fortran ABI, with gfortran's hidden string lengths). scipy calls the same routines,
// so the Schur form, and with it the rounding, follows the reference.
extern "C" {
void dgees_(const char* jobvs, const char* sort, int (*select)(const double*, const double*),
            const int* n, double* a, const int* lda, int* sdim, double* wr, double* wi,
            double* vs, const int* ldvs, double* work, const int* lwork, int* bwork, int* info,
            size_t jobvs_len, size_t sort_len);
void dtrsyl_(const char* trana, const char* tranb, const int* isgn, const int* m, const int* n,
             const double* a, const int* lda, const double* b, const int* ldb, double* c,
             const int* ldc, double* scale, int* info, size_t trana_len, size_t tranb_len);
void ztrsyl_(const char* trana, const char* tranb, const int* isgn, const int* m, const int* n,
             const std::complex<double>* a, const int* lda, const std::complex<double>* b,
             const int* ldb, std::complex<double>* c, const int* ldc, double* scale, int* info,
             size_t trana_len, size_t tranb_len);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
             double* w, double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             size_t jobz_len, size_t uplo_len);
}

namespace pgc {

using Eigen::MatrixXcd;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using cplx = std::complex<double>;

namespace {

[[noreturn]] void fail(const std::string& what) { throw InputError("", "frechet distance", what); }

// Shortest round-trip text, as Python's repr prints the reference's message.
std::string fmt(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// ---------------------------------------------------------------- FeatureStats helpers

// Adds a row-major (n, d) block to (count, mean, co-moment) without copying the whole input:
// each chunk of rows is upcast into one reused column-major (d, rows) buffer, centered on the
// chunk's own mean, and folded in with Chan et al.'s update, all on the lower triangle
// (BLAS syrk / syr), which is mirrored once at the end.
template <typename T>
void add_row_chunks(const T* rows, size_t n, size_t d, size_t& count, VectorXd& mean,
                    MatrixXd& comoment) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const auto dd = static_cast<Eigen::Index>(d);
  const size_t chunk = std::min<size_t>(n, 4096);  // bounds the float64 copy
  MatrixXd buf(dd, static_cast<Eigen::Index>(chunk));
  for (size_t first = 0; first < n; first += chunk) {
    const size_t m = std::min(chunk, n - first);
    const auto mm = static_cast<Eigen::Index>(m);
    auto cols = buf.leftCols(mm);
    cols = Eigen::Map<const Mat>(rows + first * d, dd, mm).template cast<double>();
    const VectorXd chunk_mean = cols.rowwise().sum() / static_cast<double>(m);
    cols.colwise() -= chunk_mean;
    comoment.selfadjointView<Eigen::Lower>().rankUpdate(cols);
    if (count > 0) {
      const double na = static_cast<double>(count), nb = static_cast<double>(m);
      const VectorXd delta = chunk_mean - mean;
      comoment.selfadjointView<Eigen::Lower>().rankUpdate(delta, na * nb / (na + nb));
      mean += delta * (nb / (na + nb));
    } else {
      mean = chunk_mean;
    }
    count += m;
  }
  comoment.triangularView<Eigen::StrictlyUpper>() = comoment.triangularView<Eigen::StrictlyLower>().transpose();
}

}  // namespace

FeatureStats::FeatureStats(size_t dims)
    : mean_(VectorXd::Zero(static_cast<Eigen::Index>(dims))),
      comoment_(MatrixXd::Zero(static_cast<Eigen::Index>(dims), static_cast<Eigen::Index>(dims))) {}

void FeatureStats::add_rows(const float* rows, size_t n, size_t d) { add_rows_impl(rows, n, d); }

void FeatureStats::add_rows(const double* rows, size_t n, size_t d) { add_rows_impl(rows, n, d); }

template <typename T>
void FeatureStats::add_rows_impl(const T* rows, size_t n, size_t d) {
  if (n == 0) return;
  if (count_ == 0 && mean_.size() == 0) *this = FeatureStats(d);
  if (dims() != d)
    throw std::logic_error("FeatureStats::add_rows: rows have " + std::to_string(d) +
                           " values, the statistics " + std::to_string(dims()));
  add_row_chunks(rows, n, d, count_, mean_, comoment_);
}

void FeatureStats::merge(const FeatureStats& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  if (other.dims() != dims())
    throw std::logic_error("FeatureStats::merge: dimensions " + std::to_string(dims()) +
                           " and " + std::to_string(other.dims()) + " differ");
  // Chan, Golub & LeVeque: combine means and co-moments of two disjoint sets.
  const double na = static_cast<double>(count_), nb = static_cast<double>(other.count_);
  const double n = na + nb;
  VectorXd delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  comoment_ += other.comoment_;
  comoment_.noalias() += (na * nb / n) * delta * delta.transpose();
  count_ += other.count_;
}

MatrixXd FeatureStats::covariance() const {
  if (count_ < 2)
    throw std::logic_error("FeatureStats::covariance needs at least 2 samples, has " +
                           std::to_string(count_));
  return comoment_ / static_cast<double>(count_ - 1);
}

// ---------------------------------------------------------------- scipy.linalg.sqrtm

namespace {

struct RealSchur {
  MatrixXd t, z;
};

// scipy.linalg.schur(a, output="real"): LAPACK dgees with the optimal workspace.
RealSchur real_schur(const MatrixXd& a) {
  RealSchur s{a, MatrixXd(a.rows(), a.cols())};
  const int n = static_cast<int>(a.rows());
  int sdim = 0, info = 0, lwork = -1;
  std::vector<double> wr(n), wi(n);
  double query = 0;
  dgees_("V", "N", nullptr, &n, s.t.data(), &n, &sdim, wr.data(), wi.data(), s.z.data(), &n,
         &query, &lwork, nullptr, &info, 1, 1);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<size_t>(lwork));
  dgees_("V", "N", nullptr, &n, s.t.data(), &n, &sdim, wr.data(), wi.data(), s.z.data(), &n,
         work.data(), &lwork, nullptr, &info, 1, 1);
  if (info != 0)
    fail("Schur form not found (LAPACK dgees info " + std::to_string(info) +
         "); scipy raises LinAlgError here");
  return s;
}

// scipy.linalg.rsf2csf: Givens rotations turn each 2x2 block of the real Schur form into
// complex upper-triangular form, bottom block first.
void rsf2csf(MatrixXcd& t, MatrixXcd& z) {
  const double eps = std::numeric_limits<double>::epsilon();
  const Eigen::Index n = t.rows();
  for (Eigen::Index m = n - 1; m > 0; --m) {
    if (std::abs(t(m, m - 1)) > eps * (std::abs(t(m - 1, m - 1)) + std::abs(t(m, m)))) {
      // First eigenvalue of the 2x2 block as LAPACK lists it (positive imaginary part first).
      const cplx p = t(m - 1, m - 1), q = t(m - 1, m), r = t(m, m - 1), s = t(m, m);
      const cplx half = (p - s) / 2.0, root = std::sqrt(half * half + q * r);
      const cplx lambda = root.imag() >= 0 ? (p + s) / 2.0 + root : (p + s) / 2.0 - root;
      const cplx mu = lambda - s;
      const double rr = std::sqrt(std::norm(mu) + std::norm(t(m, m - 1)));
      const cplx c = mu / rr, sn = t(m, m - 1) / rr;
      Eigen::Matrix2cd g;
      g << std::conj(c), sn, -sn, c;
      const Eigen::Index cols = n - (m - 1);
      t.block(m - 1, m - 1, 2, cols) = (g * t.block(m - 1, m - 1, 2, cols)).eval();
      t.block(0, m - 1, m + 1, 2) = (t.block(0, m - 1, m + 1, 2) * g.adjoint()).eval();
      z.block(0, m - 1, n, 2) = (z.block(0, m - 1, n, 2) * g.adjoint()).eval();
    }
    t(m, m - 1) = 0.0;
  }
}

// Unblocked Higham recurrence inside one diagonal block, in scipy's loop order.
// Returns false where scipy raises SqrtmError (zero denominator, non-zero numerator).
template <typename S>
bool within_block(Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& r,
                  const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& t, Eigen::Index start,
                  Eigen::Index stop) {
  for (Eigen::Index j = start; j < stop; ++j) {
    for (Eigen::Index i = j - 1; i >= start; --i) {
      S s = S(0);
      for (Eigen::Index k = i + 1; k < j; ++k) s += r(i, k) * r(k, j);
      const S denom = r(i, i) + r(j, j);
      const S num = t(i, j) - s;
      if (denom != S(0))
        r(i, j) = num / denom;
      else if (num == S(0))
        r(i, j) = S(0);
      else
        return false;
    }
  }
  return true;
}

void trsyl(const MatrixXd& r, Eigen::Index i0, Eigen::Index ni, Eigen::Index j0, Eigen::Index nj,
           MatrixXd& c, double& scale) {
  const int ld = static_cast<int>(r.rows()), m = static_cast<int>(ni), n = static_cast<int>(nj);
  const int ldc = static_cast<int>(c.rows()), isgn = 1;
  int info = 0;
  dtrsyl_("N", "N", &isgn, &m, &n, r.data() + i0 + i0 * ld, &ld, r.data() + j0 + j0 * ld, &ld,
          c.data(), &ldc, &scale, &info, 1, 1);
}

void trsyl(const MatrixXcd& r, Eigen::Index i0, Eigen::Index ni, Eigen::Index j0,
           Eigen::Index nj, MatrixXcd& c, double& scale) {
  const int ld = static_cast<int>(r.rows()), m = static_cast<int>(ni), n = static_cast<int>(nj);
  const int ldc = static_cast<int>(c.rows()), isgn = 1;
  int info = 0;
  ztrsyl_("N", "N", &isgn, &m, &n, r.data() + i0 + i0 * ld, &ld, r.data() + j0 + j0 * ld, &ld,
          c.data(), &ldc, &scale, &info, 1, 1);
}

// scipy's _sqrtm_triu: sqrt of the diagonal, the recurrence within blocks of ~64 rows, then
// a Sylvester solve (LAPACK trsyl) for each off-diagonal block. scipy multiplies the
// solution by trsyl's `scale` (not divides); scale is 1 unless overflow threatens.
template <typename S>
bool sqrtm_triu(const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& t,
                Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>& r) {
  using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index n = t.rows();
  r = Mat::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) r(i, i) = std::sqrt(t(i, i));
  const Eigen::Index blocksize = 64;
  const Eigen::Index nblocks = std::max<Eigen::Index>(n / blocksize, 1);
  const Eigen::Index bsmall = n / nblocks, nlarge = n % nblocks, nsmall = nblocks - nlarge;
  std::vector<std::pair<Eigen::Index, Eigen::Index>> blocks;
  Eigen::Index start = 0;
  for (Eigen::Index b = 0; b < nsmall; ++b, start += bsmall) blocks.push_back({start, start + bsmall});
  for (Eigen::Index b = 0; b < nlarge; ++b, start += bsmall + 1)
    blocks.push_back({start, start + bsmall + 1});

  for (const auto& [b0, b1] : blocks)
    if (!within_block(r, t, b0, b1)) return false;

  for (size_t j = 0; j < blocks.size(); ++j) {
    const auto [j0, j1] = blocks[j];
    for (size_t i = j; i-- > 0;) {
      const auto [i0, i1] = blocks[i];
      Mat s = t.block(i0, j0, i1 - i0, j1 - j0);
      if (j - i > 1)
        s.noalias() -= r.block(i0, i1, i1 - i0, j0 - i1) * r.block(i1, j0, j0 - i1, j1 - j0);
      double scale = 1.0;
      trsyl(r, i0, i1 - i0, j0, j1 - j0, s, scale);
      r.block(i0, j0, i1 - i0, j1 - j0) = s * scale;
    }
  }
  return true;
}

bool strictly_lower_is_zero(const MatrixXd& t) {
  for (Eigen::Index j = 0; j < t.cols(); ++j)
    for (Eigen::Index i = j + 1; i < t.rows(); ++i)
      if (t(i, j) != 0.0) return false;
  return true;
}

}  // namespace

MatrixSqrt scipy_sqrtm(const MatrixXd& a) {
  if (a.rows() != a.cols()) fail("sqrtm needs a square matrix");
  if (!a.allFinite()) fail("array must not contain infs or NaNs (the product of the covariances)");
  MatrixSqrt out;
  const Eigen::Index n = a.rows();
  if (n == 0) return out;
  RealSchur schur = real_schur(a);
  bool quasi_triangular = !strictly_lower_is_zero(schur.t);
  const bool real_path = !quasi_triangular && schur.t.diagonal().minCoeff() >= 0.0;
  if (real_path) {
    MatrixXd r;
    if (!sqrtm_triu(schur.t, r)) {
      out.failed = true;
    } else {
      MatrixXd zr = schur.z * r;
      MatrixXd x = zr * schur.z.transpose();
      out.value = x.cast<cplx>();
    }
  } else {
    MatrixXcd t = schur.t.cast<cplx>(), z = schur.z.cast<cplx>();
    if (quasi_triangular) rsf2csf(t, z);
    out.is_complex = true;
    MatrixXcd r;
    if (!sqrtm_triu(t, r)) {
      out.failed = true;
    } else if (quasi_triangular) {
      MatrixXcd zr = z * r;
      out.value = zr * z.adjoint();
    } else {
      // Z is still real (only negative eigenvalues made T complex): four real products
      // give the same X as two complex ones at half the cost.
      const MatrixXd& zreal = schur.z;
      MatrixXd re = zreal * r.real(), im = zreal * r.imag();
      out.value.resize(n, n);
      out.value.real() = re * zreal.transpose();
      out.value.imag() = im * zreal.transpose();
    }
  }
  if (out.failed) {
    // scipy's failure result: np.empty_like(A) filled with NaN, so a real array.
    out.is_complex = false;
    out.value = MatrixXcd::Constant(n, n, cplx(std::nan(""), 0.0));
  }
  return out;
}

// ---------------------------------------------------------------- Frechet distance

namespace {

void check_inputs(const VectorXd& mu1, const MatrixXd& sigma1, const VectorXd& mu2,
                  const MatrixXd& sigma2) {
  if (mu1.size() != mu2.size())
    fail("mean vectors have different lengths (" + std::to_string(mu1.size()) + " and " +
         std::to_string(mu2.size()) + ")");
  const auto d = mu1.size();
  if (sigma1.rows() != d || sigma1.cols() != d || sigma2.rows() != d || sigma2.cols() != d)
    fail("covariances must be " + std::to_string(d) + "x" + std::to_string(d) + ", got " +
         std::to_string(sigma1.rows()) + "x" + std::to_string(sigma1.cols()) + " and " +
         std::to_string(sigma2.rows()) + "x" + std::to_string(sigma2.cols()));
  if (d == 0) fail("zero-dimensional features");
  if (!mu1.allFinite() || !mu2.allFinite()) fail("mean has a NaN or Inf entry");
  if (!sigma1.allFinite() || !sigma2.allFinite()) fail("covariance has a NaN or Inf entry");
}

bool all_finite(const MatrixXcd& m) {
  return m.real().allFinite() && m.imag().allFinite();
}

// Trace of the real part of sqrtm(sigma1 sigma2) with pytorch-fid's retry and complex rule.
double schur_trace(const MatrixXd& sigma1, const MatrixXd& sigma2, double eps,
                   FrechetResult& res) {
  MatrixXd product = sigma1 * sigma2;
  MatrixSqrt covmean = scipy_sqrtm(product);
  if (!all_finite(covmean.value)) {
    // pytorch-fid: "fid calculation produces singular product; adding eps to diagonal".
    res.eps_fallback_taken = true;
    const auto d = sigma1.rows();
    MatrixXd offset = MatrixXd::Identity(d, d) * eps;
    product = (sigma1 + offset) * (sigma2 + offset);
    covmean = scipy_sqrtm(product);
  }
  if (covmean.is_complex) {
    res.sqrtm_complex = true;
    res.max_abs_imag = covmean.value.imag().cwiseAbs().maxCoeff();
    // np.allclose(diag.imag, 0, atol=1e-3): a NaN is never close.
    for (Eigen::Index i = 0; i < covmean.value.rows(); ++i) {
      const double im = covmean.value(i, i).imag();
      if (!(std::abs(im) <= 1e-3)) fail("Imaginary component " + fmt(res.max_abs_imag));
    }
  }
  if (!all_finite(covmean.value))
    fail(res.eps_fallback_taken
             ? "matrix square root is not finite even with the eps offset (pytorch-fid returns NaN)"
             : "matrix square root is not finite");
  return covmean.value.real().trace();
}

// Symmetric eigendecomposition with LAPACK dsyevd (lower triangle); vectors optional.
VectorXd symmetric_eigen(MatrixXd& a, bool vectors) {
  const int n = static_cast<int>(a.rows());
  VectorXd w(n);
  int info = 0, lwork = -1, liwork = -1, iquery = 0;
  double query = 0;
  const char* jobz = vectors ? "V" : "N";
  dsyevd_(jobz, "L", &n, a.data(), &n, w.data(), &query, &lwork, &iquery, &liwork, &info, 1, 1);
  lwork = std::max(1, static_cast<int>(query));
  liwork = std::max(1, iquery);
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  dsyevd_(jobz, "L", &n, a.data(), &n, w.data(), work.data(), &lwork, iwork.data(), &liwork,
          &info, 1, 1);
  if (info != 0) fail("symmetric eigensolver did not converge (LAPACK dsyevd info " +
                      std::to_string(info) + ")");
  return w;
}

// tr sqrt(s1^1/2 s2 s1^1/2) = sum sqrt(eig(s1 s2)) through symmetric matrices only.
// When sigma1 is positive definite (N > d, the usual FID case), s1 = L L^T and
// L^T s2 L is similar to s1 s2: one Cholesky, two triangular products and an
// eigenvalues-only solve. Otherwise s1 = V diag(w) V^T and D (V^T s2 V) D with
// D = diag(sqrt(max(w, 0))) (orthogonally similar to s1^1/2 s2 s1^1/2) takes its place.
double symmetric_trace(const MatrixXd& sigma1, const MatrixXd& sigma2) {
  MatrixXd m;
  Eigen::LLT<MatrixXd> llt(sigma1);
  if (llt.info() == Eigen::Success) {
    const auto lower = llt.matrixL();
    MatrixXd s2l = sigma2 * lower;
    m = lower.transpose() * s2l;
  } else {
    MatrixXd v = (sigma1 + sigma1.transpose()) / 2.0;
    const VectorXd root = symmetric_eigen(v, true).cwiseMax(0.0).cwiseSqrt();
    MatrixXd s2v = sigma2 * v;
    m = v.transpose() * s2v;
    m = root.asDiagonal() * m * root.asDiagonal();
  }
  m = (m + m.transpose()) / 2.0;
  const VectorXd lambda = symmetric_eigen(m, false);
  return lambda.cwiseMax(0.0).cwiseSqrt().sum();
}

}  // namespace

FrechetResult frechet_distance(const VectorXd& mu1, const MatrixXd& sigma1, const VectorXd& mu2,
                               const MatrixXd& sigma2, const FrechetOptions& options) {
  check_inputs(mu1, sigma1, mu2, sigma2);
  FrechetResult res;
  const VectorXd diff = mu1 - mu2;
  res.mean_term = diff.dot(diff);
  res.trace_sigma1 = sigma1.trace();
  res.trace_sigma2 = sigma2.trace();
  res.trace_covmean = options.method == FrechetMethod::kSchur
                          ? schur_trace(sigma1, sigma2, options.eps, res)
                          : symmetric_trace(sigma1, sigma2);
  // Same association as the reference: ((|d|^2 + tr1) + tr2) - 2 tr.
  res.fd = res.mean_term + res.trace_sigma1 + res.trace_sigma2 - 2.0 * res.trace_covmean;
  return res;
}

std::string frechet_method_name(FrechetMethod m) {
  return m == FrechetMethod::kSchur ? "schur" : "eigen";
}

}  // namespace pgc
