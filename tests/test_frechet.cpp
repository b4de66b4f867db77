// Pure-math tests of metrics/frechet_distance: every expected value is derived here in closed
// form or by an independent computation (no files).
#define BOOST_TEST_MODULE frechet
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <string>

#include "core/error.hpp"
#include "metrics/frechet_distance.hpp"

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

const pgc::FrechetMethod kBoth[] = {pgc::FrechetMethod::kSchur, pgc::FrechetMethod::kSymmetricEigen};

pgc::FrechetOptions with(pgc::FrechetMethod m, double eps = 1e-6) {
  pgc::FrechetOptions o;
  o.method = m;
  o.eps = eps;
  return o;
}

MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = g(rng);
  return m;
}

MatrixXd random_spd(Eigen::Index d, unsigned seed) {
  MatrixXd x = random_matrix(d + 20, d, seed);
  return x.transpose() * x / double(d + 19);
}

// Two-pass textbook covariance, as np.cov(rowvar=False) defines it.
MatrixXd naive_cov(const MatrixXd& rows) {
  VectorXd mean = rows.colwise().mean().transpose();
  MatrixXd c = rows.rowwise() - mean.transpose();
  return c.transpose() * c / double(rows.rows() - 1);
}

std::vector<double> row_major(const MatrixXd& m) {
  std::vector<double> v;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v.push_back(m(i, j));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(identical_statistics_give_zero) {
  MatrixXd s = random_spd(40, 1);
  VectorXd mu = random_matrix(40, 1, 2).col(0);
  for (auto m : kBoth) {
    auto r = pgc::frechet_distance(mu, s, mu, s, with(m));
    BOOST_TEST(std::abs(r.fd) < 1e-10 * s.trace());
    BOOST_TEST(!r.eps_fallback_taken);
  }
}

BOOST_AUTO_TEST_CASE(diagonal_covariances_have_a_closed_form) {
  // For commuting diagonal covariances: fd = |mu1-mu2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2.
  const int d = 150;  // > 2 blocks of 64: exercises the blocked recurrence and trsyl
  VectorXd a(d), b(d), mu1(d), mu2(d);
  for (int i = 0; i < d; ++i) {
    a(i) = 0.5 + 0.01 * i;
    b(i) = 2.0 - 0.005 * i;
    mu1(i) = std::sin(i);
    mu2(i) = std::cos(i);
  }
  double expected = (mu1 - mu2).squaredNorm();
  for (int i = 0; i < d; ++i) expected += std::pow(std::sqrt(a(i)) - std::sqrt(b(i)), 2);
  for (auto m : kBoth) {
    auto r = pgc::frechet_distance(mu1, a.asDiagonal().toDenseMatrix(), mu2,
                                   b.asDiagonal().toDenseMatrix(), with(m));
    BOOST_TEST(r.fd == expected, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(r.trace_sigma1 == a.sum(), boost::test_tools::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(routes_agree_on_random_full_covariances) {
  MatrixXd s1 = random_spd(130, 3), s2 = random_spd(130, 4);
  VectorXd mu1 = random_matrix(130, 1, 5).col(0), mu2 = VectorXd::Zero(130);
  auto schur = pgc::frechet_distance(mu1, s1, mu2, s2, with(pgc::FrechetMethod::kSchur));
  auto eig = pgc::frechet_distance(mu1, s1, mu2, s2, with(pgc::FrechetMethod::kSymmetricEigen));
  BOOST_TEST(schur.fd == eig.fd, boost::test_tools::tolerance(1e-10));
  // Independent check of the trace: sum of sqrt of the eigenvalues of s1 s2.
  Eigen::EigenSolver<MatrixXd> es(s1 * s2);
  double tr = 0;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i) tr += std::sqrt(es.eigenvalues()(i)).real();
  BOOST_TEST(schur.trace_covmean == tr, boost::test_tools::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(sqrtm_squares_back_across_block_boundaries) {
  MatrixXd a = random_spd(200, 6) * random_spd(200, 7);  // positive spectrum, non-symmetric
  pgc::MatrixSqrt x = pgc::scipy_sqrtm(a);
  BOOST_TEST(!x.failed);
  Eigen::MatrixXcd sq = x.value * x.value;
  BOOST_TEST((sq - a.cast<std::complex<double>>()).norm() / a.norm() < 1e-10);
}

BOOST_AUTO_TEST_CASE(sqrtm_of_a_rotation_is_the_half_rotation) {
  // Complex eigenvalues: the real Schur form has a 2x2 block, so rsf2csf and the complex path run.
  const double th = 1.1;
  MatrixXd rot(2, 2);
  rot << std::cos(th), -std::sin(th), std::sin(th), std::cos(th);
  pgc::MatrixSqrt x = pgc::scipy_sqrtm(rot);
  BOOST_TEST(x.is_complex);
  MatrixXd half(2, 2);
  half << std::cos(th / 2), -std::sin(th / 2), std::sin(th / 2), std::cos(th / 2);
  BOOST_TEST((x.value.real() - half).norm() < 1e-13);
  BOOST_TEST(x.value.imag().norm() < 1e-13);
  // Embedded in a larger matrix with real eigenvalues too, across a 64-row block boundary.
  MatrixXd big = MatrixXd::Zero(70, 70);
  for (int i = 0; i < 70; ++i) big(i, i) = 1.0 + i;
  big.block(40, 40, 2, 2) = rot * 3.0;
  MatrixXd q = random_matrix(70, 70, 8).householderQr().householderQ();
  MatrixXd a = q * big * q.transpose();
  pgc::MatrixSqrt y = pgc::scipy_sqrtm(a);
  BOOST_TEST(y.is_complex);
  BOOST_TEST((y.value * y.value - a.cast<std::complex<double>>()).norm() / a.norm() < 1e-11);
}

BOOST_AUTO_TEST_CASE(nilpotent_product_fails_like_scipy) {
  MatrixXd j(2, 2);
  j << 0, 1, 0, 0;  // no square root exists
  pgc::MatrixSqrt x = pgc::scipy_sqrtm(j);
  BOOST_TEST(x.failed);
  BOOST_TEST(!x.is_complex);
  BOOST_TEST(std::isnan(x.value(0, 0).real()));
}

BOOST_AUTO_TEST_CASE(eps_fallback_uses_offset_product_but_unoffset_traces) {
  // s1 s2 = [[0,1],[0,0]] has no square root -> retry with (s1+eps I)(s2+eps I).
  // With eps = 1 that product is [[2,2],[1,1]] (eigenvalues 3, 0; A^2 = 3A), whose square
  // root is A / sqrt(3) with trace sqrt(3); the traces of sigma stay un-offset: 1 + 0.
  MatrixXd s1(2, 2), s2(2, 2);
  s1 << 1, 0, 0, 0;
  s2 << 0, 1, 1, 0;
  VectorXd mu = VectorXd::Zero(2);
  auto r = pgc::frechet_distance(mu, s1, mu, s2, with(pgc::FrechetMethod::kSchur, 1.0));
  BOOST_TEST(r.eps_fallback_taken);
  BOOST_TEST(!r.sqrtm_complex);
  BOOST_TEST(r.trace_covmean == std::sqrt(3.0), boost::test_tools::tolerance(1e-13));
  BOOST_TEST(r.fd == 1.0 - 2.0 * std::sqrt(3.0), boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(large_imaginary_diagonal_raises_like_pytorch_fid) {
  // Same sigmas with the default eps: the offset product has eigenvalues ~ +-1e-3, so the
  // square root's diagonal has imaginary parts ~1.6e-2 > 1e-3 -> ValueError("Imaginary component ...").
  MatrixXd s1(2, 2), s2(2, 2);
  s1 << 1, 0, 0, 0;
  s2 << 0, 1, 1, 0;
  VectorXd mu = VectorXd::Zero(2);
  try {
    pgc::frechet_distance(mu, s1, mu, s2, with(pgc::FrechetMethod::kSchur));
    BOOST_FAIL("no error");
  } catch (const pgc::InputError& e) {
    BOOST_TEST(e.problem().rfind("Imaginary component ", 0) == 0u);
    double m = std::stod(e.problem().substr(20));
    BOOST_TEST(m > 1e-3);
  }
  // The symmetric route clips instead and never raises.
  auto r = pgc::frechet_distance(mu, s1, mu, s2, with(pgc::FrechetMethod::kSymmetricEigen));
  BOOST_TEST(std::isfinite(r.fd));
}

BOOST_AUTO_TEST_CASE(small_imaginary_parts_are_dropped) {
  // A tiny negative eigenvalue (|.| << 1e-3) makes scipy's result complex; pytorch-fid keeps
  // the real part. Diagonal covariances: sqrt of (-1e-12) contributes 1e-6 i on the diagonal.
  MatrixXd s1 = VectorXd::Constant(3, 1.0).asDiagonal();
  VectorXd d2(3);
  d2 << 4.0, 9.0, -1e-12;
  MatrixXd s2 = d2.asDiagonal();
  VectorXd mu = VectorXd::Zero(3);
  auto r = pgc::frechet_distance(mu, s1, mu, s2, with(pgc::FrechetMethod::kSchur));
  BOOST_TEST(r.sqrtm_complex);
  BOOST_TEST(r.max_abs_imag == 1e-6, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(r.trace_covmean == 5.0, boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(shape_mismatch_and_non_finite_inputs_are_errors) {
  MatrixXd s = MatrixXd::Identity(3, 3);
  VectorXd mu3 = VectorXd::Zero(3), mu2 = VectorXd::Zero(2);
  BOOST_CHECK_THROW(pgc::frechet_distance(mu3, s, mu2, s), pgc::InputError);
  MatrixXd bad = s;
  bad(1, 2) = std::nan("");
  BOOST_CHECK_THROW(pgc::frechet_distance(mu3, s, mu3, bad), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(feature_stats_match_numpy_definitions_and_merge) {
  MatrixXd rows = random_matrix(301, 17, 9);
  rows.array() += 5.0;  // a mean far from zero, where raw-moment formulas lose digits
  std::vector<double> flat = row_major(rows);
  pgc::FeatureStats all;
  all.add_rows(flat.data(), 301, 17);
  BOOST_TEST(all.count() == 301u);
  BOOST_TEST((all.mean() - rows.colwise().mean().transpose()).norm() < 1e-13);
  BOOST_TEST((all.covariance() - naive_cov(rows)).norm() < 1e-13);

  pgc::FeatureStats first, second;
  first.add_rows(flat.data(), 100, 17);
  second.add_rows(flat.data() + 100 * 17, 201, 17);
  first.merge(second);
  BOOST_TEST(first.count() == 301u);
  BOOST_TEST((first.covariance() - all.covariance()).norm() < 1e-13);

  std::vector<float> f(flat.begin(), flat.end());
  pgc::FeatureStats single;
  single.add_rows(f.data(), 301, 17);
  MatrixXd up = rows.cast<float>().cast<double>();  // float32 upcast, as the reference does
  BOOST_TEST((single.covariance() - naive_cov(up)).norm() < 1e-12);

  pgc::FeatureStats one;
  one.add_rows(flat.data(), 1, 17);
  BOOST_CHECK_THROW(one.covariance(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(feature_stats_across_internal_chunks) {
  // More rows than one internal chunk (4096): the chunks merge like separate sets.
  MatrixXd rows = random_matrix(9000, 5, 10);
  rows.col(2).array() += 100.0;
  std::vector<double> flat = row_major(rows);
  pgc::FeatureStats s(5);
  s.add_rows(flat.data(), 9000, 5);
  BOOST_TEST((s.covariance() - naive_cov(rows)).norm() < 1e-12);
  BOOST_TEST((s.mean() - rows.colwise().mean().transpose()).norm() < 1e-12);
  pgc::FeatureStats wrong(4);
  BOOST_CHECK_THROW(wrong.add_rows(flat.data(), 10, 5), std::logic_error);
}

BOOST_AUTO_TEST_CASE(one_dimensional_features) {
  std::vector<double> x = {1.0, 2.0, 4.0}, y = {0.0, 3.0};
  pgc::FeatureStats a, b;
  a.add_rows(x.data(), 3, 1);
  b.add_rows(y.data(), 2, 1);
  // var(x, ddof=1) = 7/3, var(y) = 4.5; means 7/3 and 1.5
  BOOST_TEST(a.covariance()(0, 0) == 7.0 / 3.0, boost::test_tools::tolerance(1e-15));
  const double expected = std::pow(7.0 / 3.0 - 1.5, 2) + std::pow(std::sqrt(7.0 / 3.0) - std::sqrt(4.5), 2);
  for (auto m : kBoth) {
    auto r = pgc::frechet_distance(a.mean(), a.covariance(), b.mean(), b.covariance(), with(m));
    BOOST_TEST(r.fd == expected, boost::test_tools::tolerance(1e-13));
  }
}
