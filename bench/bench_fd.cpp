// Benchmark: feature statistics + Frechet distance at FID's size (N = 10,000 rows, d = 2048)
// for both routes, with peak memory. pytorch-fid's own computation (numpy mean/cov + scipy
// sqrtm) is timed on the same data in the same run when python3 with numpy and scipy is
// importable; otherwise its time is reported as unavailable.
// Usage: bench_fd [N] [d]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "metrics/frechet_distance.hpp"
#include "t2i/npy.hpp"
#include "bench_clock.hpp"

namespace {

using pgc_bench::seconds_since;
using pgc_bench::cpu_seconds;

long peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// Inception-like features: non-negative, correlated through a low-rank mixing plus noise.
std::vector<float> make_features(size_t n, size_t d, unsigned seed, float shift) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  const size_t k = 64;
  std::vector<float> mix(k * d), out(n * d);
  for (auto& m : mix) m = g(rng) * 0.15f;
  std::vector<float> z(k);
  for (size_t i = 0; i < n; ++i) {
    for (auto& v : z) v = g(rng);
    for (size_t j = 0; j < d; ++j) {
      float s = shift + 0.1f * g(rng);
      for (size_t t = 0; t < k; t += 8) s += z[t] * mix[t * d + j];  // sparse mixing keeps it fast
      out[i * d + j] = s > 0 ? s : 0.f;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  const size_t d = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2048;
  std::printf("bench_fd: N=%zu d=%zu\n", n, d);
  std::vector<float> a = make_features(n, d, 1, 0.3f), b = make_features(n, d, 2, 0.35f);

  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  pgc::FeatureStats sa, sb;
  sa.add_rows(a.data(), n, d);
  sb.add_rows(b.data(), n, d);
  Eigen::MatrixXd c1 = sa.covariance(), c2 = sb.covariance();
  const double t_stats = seconds_since(t0), c_stats = cpu_seconds() - c0;

  pgc::FrechetOptions schur_opt;
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_seconds();
  pgc::FrechetResult rs = pgc::frechet_distance(sa.mean(), c1, sb.mean(), c2, schur_opt);
  const double t_schur = seconds_since(t0), c_schur = cpu_seconds() - c0;

  pgc::FrechetOptions eig_opt;
  eig_opt.method = pgc::FrechetMethod::kSymmetricEigen;
  t0 = std::chrono::steady_clock::now();
  c0 = cpu_seconds();
  pgc::FrechetResult re = pgc::frechet_distance(sa.mean(), c1, sb.mean(), c2, eig_opt);
  const double t_eig = seconds_since(t0), c_eig = cpu_seconds() - c0;

  std::printf("                              wall s    cpu s\n");
  std::printf("stats (mean+cov, both sets) %8.2f %8.2f\n", t_stats, c_stats);
  std::printf("fd schur (scipy route)      %8.2f %8.2f   fd = %.17g\n", t_schur, c_schur, rs.fd);
  std::printf("fd eigen (symmetric route)  %8.2f %8.2f   fd = %.17g  rel diff %.2e\n", t_eig, c_eig,
              re.fd, std::abs(re.fd - rs.fd) / std::abs(rs.fd));
  std::printf("end to end: schur %.2f s wall (%.2f cpu), eigen %.2f s wall (%.2f cpu); peak RSS %ld MB\n",
              t_stats + t_schur, c_stats + c_schur, t_stats + t_eig, c_stats + c_eig, peak_rss_mb());

  // The reference on the same data, if numpy + scipy are importable.
  if (std::system("python3 -c 'import numpy, scipy' >/dev/null 2>&1") != 0) {
    std::printf("reference (numpy+scipy, pytorch-fid calculate_frechet_distance): unavailable here "
                "(python3 with numpy and scipy not importable)\n");
    return 0;
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("pgc_bench_fd_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  pgc::write_npy((dir / "a.npy").string(), pgc::NpyArray::from_float({n, d}, a));
  pgc::write_npy((dir / "b.npy").string(), pgc::NpyArray::from_float({n, d}, b));
  std::ofstream py(dir / "ref.py");
  py << "import sys, time, numpy as np\nfrom scipy import linalg\n"
        "a = np.load(sys.argv[1]).astype(np.float64); b = np.load(sys.argv[2]).astype(np.float64)\n"
        "t0 = time.perf_counter()\n"
        "m1, s1 = np.mean(a, axis=0), np.cov(a, rowvar=False)\n"
        "m2, s2 = np.mean(b, axis=0), np.cov(b, rowvar=False)\n"
        "t1 = time.perf_counter()\n"
        "diff = m1 - m2\n"
        "covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)\n"
        "if not np.isfinite(covmean).all():\n"
        "    off = np.eye(s1.shape[0]) * 1e-6\n"
        "    covmean = linalg.sqrtm((s1 + off).dot(s2 + off))\n"
        "if np.iscomplexobj(covmean): covmean = covmean.real\n"
        "fd = diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)\n"
        "t2 = time.perf_counter()\n"
        "print('reference stats %.2f s, fd %.2f s, end to end %.2f s, fd = %r' % (t1-t0, t2-t1, t2-t0, fd))\n";
  py.close();
  std::string cmd = "python3 " + (dir / "ref.py").string() + " " + (dir / "a.npy").string() + " " +
                    (dir / "b.npy").string();
  std::fflush(stdout);
  int rc = std::system(cmd.c_str());
  fs::remove_all(dir);
  return rc == 0 ? 0 : 1;
}
