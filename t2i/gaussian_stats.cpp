#include "t2i/gaussian_stats.hpp"

#include <cmath>
#include <cstring>
#include <fstream>

#include "core/error.hpp"
#include "core/json.hpp"
#include "metrics/frechet_distance.hpp"
#include "t2i/npy.hpp"

namespace pgc {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shape_text(const std::vector<size_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

void require_float(const NpyArray& a, const std::string& path, const std::string& item) {
  if (a.dtype == NpyDType::kUInt8)
    throw InputError(path, item, "expected float32 or float64 values, got uint8");
}

void require_finite(const std::vector<double>& v, size_t cols, const std::string& path,
                    const std::string& item) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw InputError(path, item + (cols > 1 ? " row " + std::to_string(i / cols) + ", column " +
                                                    std::to_string(i % cols)
                                              : " entry " + std::to_string(i)),
                       std::string(std::isnan(v[i]) ? "NaN" : "Inf") + " value");
}

GaussianStats load_npz(const std::string& path) {
  auto members = read_npz(path);
  const NpyArray& mu = npz_member(members, "mu", path);
  const NpyArray& sigma = npz_member(members, "sigma", path);
  require_float(mu, path, "mu");
  require_float(sigma, path, "sigma");
  // pytorch-fid applies np.atleast_1d / np.atleast_2d (d = 1 statistics are 0-d arrays).
  if (mu.shape.size() > 1) throw InputError(path, "mu", "expected a vector, got shape " + shape_text(mu.shape));
  const size_t d = mu.size();
  const bool sigma_ok = (sigma.shape.size() == 2 && sigma.shape[0] == d && sigma.shape[1] == d) ||
                        (d == 1 && sigma.size() == 1 && sigma.shape.size() <= 2);
  if (!sigma_ok)
    throw InputError(path, "sigma", "expected shape (" + std::to_string(d) + ", " + std::to_string(d) +
                                        ") to match mu, got " + shape_text(sigma.shape));
  GaussianStats s;
  s.source_kind = "npz";
  std::vector<double> m = mu.to_double(), c = sigma.to_double();
  require_finite(m, 1, path, "mu");
  require_finite(c, d, path, "sigma");
  s.mu = Eigen::Map<const Eigen::VectorXd>(m.data(), static_cast<Eigen::Index>(d));
  // Row-major (d, d) read as column-major is the transpose; copy element-wise to keep it exact.
  s.sigma.resize(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) s.sigma(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c[i * d + j];
  return s;
}

GaussianStats load_npy(const std::string& path) {
  NpyArray a = read_npy(path);
  require_float(a, path, "features");
  if (a.shape.size() != 2)
    throw InputError(path, "features", "expected an (N, d) feature matrix, got shape " + shape_text(a.shape));
  const size_t n = a.shape[0], d = a.shape[1];
  if (a.dtype == NpyDType::kFloat32) {
    std::vector<float> f(a.size());
    if (!f.empty()) std::memcpy(f.data(), a.data.data(), f.size() * 4);
    a.data.clear();
    a.data.shrink_to_fit();
    return stats_from_features(f.data(), n, d, path);
  }
  std::vector<double> v = a.to_double();
  a.data.clear();
  a.data.shrink_to_fit();
  if (n < 2) throw InputError(path, "features", "need at least 2 rows for a covariance, got " + std::to_string(n));
  if (d == 0) throw InputError(path, "features", "zero feature columns");
  require_finite(v, d, path, "features");
  FeatureStats fs;
  fs.add_rows(v.data(), n, d);
  GaussianStats s;
  s.source_kind = "npy";
  s.count = n;
  s.mu = fs.mean();
  s.sigma = fs.covariance();
  return s;
}

}  // namespace

GaussianStats stats_from_features(const float* rows, size_t n, size_t d, const std::string& origin) {
  if (n < 2) throw InputError(origin, "features", "need at least 2 rows for a covariance, got " + std::to_string(n));
  if (d == 0) throw InputError(origin, "features", "zero feature columns");
  for (size_t i = 0; i < n * d; ++i)
    if (!std::isfinite(rows[i]))
      throw InputError(origin, "features row " + std::to_string(i / d) + ", column " + std::to_string(i % d),
                       std::string(std::isnan(rows[i]) ? "NaN" : "Inf") + " value");
  FeatureStats fs;
  fs.add_rows(rows, n, d);
  GaussianStats s;
  s.source_kind = "npy";
  s.count = n;
  s.mu = fs.mean();
  s.sigma = fs.covariance();
  return s;
}

GaussianStats load_gaussian_stats(const std::string& path) {
  if (ends_with(path, ".npz")) return load_npz(path);
  if (ends_with(path, ".npy")) return load_npy(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open");
  std::string head(6, '\0');
  in.read(head.data(), 6);
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.compare(0, 2, "PK") == 0) return load_npz(path);
  if (head == "\x93NUMPY") return load_npy(path);
  throw InputError(path, "", "neither an .npz statistics file nor an .npy feature matrix");
}

void save_gaussian_stats_npz(const std::string& path, const GaussianStats& stats, bool compressed) {
  const size_t d = static_cast<size_t>(stats.mu.size());
  std::vector<double> mu(stats.mu.data(), stats.mu.data() + d), sigma(d * d);
  for (size_t i = 0; i < d; ++i)
    for (size_t j = 0; j < d; ++j) sigma[i * d + j] = stats.sigma(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  write_npz(path, {{"mu", NpyArray::from_double({d}, mu)}, {"sigma", NpyArray::from_double({d, d}, sigma)}},
            compressed);
}

}  // namespace pgc
