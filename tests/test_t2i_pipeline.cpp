// The feature pipeline and the t2i evaluation flow with a fake network (per-image channel
// statistics): row order, independence from batch size and thread count, statistics
// bit-identical to those of the finished matrix, errors naming the file, and the .npz
// statistics written by --save-stats / --save-real-stats read back by `pgc fd`.
#define BOOST_TEST_MODULE t2i_pipeline
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>

#include "cli_util.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "t2i/feature_pipeline.hpp"
#include "t2i/gaussian_stats.hpp"
#include "t2i/image_io.hpp"
#include "t2i/npy.hpp"
#include "t2i/t2i_eval.hpp"

namespace fs = std::filesystem;
using namespace pgc;

namespace {

const fs::path kImages = fs::path(PGC_FIXTURES_DIR) / "t2i" / "images";

// Features of one image: mean and mean square of each channel, plus its size. Checks that
// every image has the size the pipeline promises.
class ChannelStatsExtractor : public FeatureExtractor {
 public:
  explicit ChannelStatsExtractor(int input_size, size_t dim = 8) : input_size_(input_size), dim_(dim) {}
  size_t dim() const override { return dim_; }
  std::string name() const override { return "channel-stats"; }
  int input_size() const override { return input_size_; }
  void extract(const std::vector<ImageF32>& batch, std::vector<float>& out) override {
    batch_sizes.push_back(batch.size());
    for (const ImageF32& im : batch) {
      BOOST_REQUIRE_EQUAL(im.rgb.size(), static_cast<size_t>(im.width) * im.height * 3);
      if (input_size_ > 0) {
        BOOST_REQUIRE_EQUAL(im.width, input_size_);
        BOOST_REQUIRE_EQUAL(im.height, input_size_);
      }
      std::vector<float> row = features_of(im);
      row.resize(dim_);
      if (nan_at_call >= 0 && calls == nan_at_call) row[1] = std::numeric_limits<float>::quiet_NaN();
      out.insert(out.end(), row.begin(), row.end());
      ++calls;
    }
  }
  static std::vector<float> features_of(const ImageF32& im) {
    double s[3] = {0, 0, 0}, q[3] = {0, 0, 0};
    const size_t n = im.rgb.size() / 3;
    for (size_t i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) {
        s[c] += im.rgb[i * 3 + c];
        q[c] += double(im.rgb[i * 3 + c]) * im.rgb[i * 3 + c];
      }
    return {float(s[0] / n), float(s[1] / n), float(s[2] / n), float(q[0] / n), float(q[1] / n), float(q[2] / n),
            float(im.width) / 1000.0f, float(im.height) / 1000.0f};
  }
  std::vector<size_t> batch_sizes;
  int nan_at_call = -1;
  int calls = 0;

 private:
  int input_size_;
  size_t dim_;
};

std::vector<std::string> fixture_files() { return list_image_files(kImages.string(), ImageListRule::kPytorchFid); }

FeatureSet run(const std::vector<std::string>& files, FeatureExtractor& ex, size_t batch, int threads,
               bool clean = false) {
  FeaturePipelineOptions opt;
  opt.batch_size = batch;
  opt.threads = threads;
  opt.clean_resize = clean;
  opt.quiet = true;
  return extract_features(files, ex, opt);
}

bool same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data(), a.data() + a.size(), b.data());
}

}  // namespace

BOOST_AUTO_TEST_CASE(rows_follow_the_file_order_and_match_single_image_preparation) {
  const auto files = fixture_files();
  BOOST_REQUIRE_EQUAL(files.size(), 11u);
  for (int input_size : {0, 224}) {
    ChannelStatsExtractor ex(input_size);
    FeatureSet f = run(files, ex, 4, 2);
    BOOST_REQUIRE_EQUAL(f.count, files.size());
    BOOST_REQUIRE_EQUAL(f.rows.size(), files.size() * 8);
    for (size_t i = 0; i < files.size(); ++i) {
      ImageF32 im = prepare_image(read_image_file(files[i]).image, input_size, false);
      std::vector<float> expect = ChannelStatsExtractor::features_of(im);
      BOOST_TEST_CONTEXT(files[i] << " input_size " << input_size) {
        BOOST_TEST(std::equal(expect.begin(), expect.end(), f.rows.begin() + static_cast<std::ptrdiff_t>(i * 8)));
      }
    }
    // Batches of 4, 4, 3.
    BOOST_TEST(ex.batch_sizes == (std::vector<size_t>{4, 4, 3}), boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_batch_size_or_threads) {
  // 11 fixture images repeated: 55 rows, enough for several batches per thread.
  std::vector<std::string> files;
  for (int r = 0; r < 5; ++r)
    for (const auto& f : fixture_files()) files.push_back(f);
  ChannelStatsExtractor base_ex(224);
  const FeatureSet base = run(files, base_ex, 1, 1);
  for (size_t batch : {size_t(3), size_t(32), size_t(100)})
    for (int threads : {1, 2, 5}) {
      ChannelStatsExtractor ex(224);
      FeatureSet f = run(files, ex, batch, threads);
      BOOST_TEST_CONTEXT("batch " << batch << " threads " << threads) {
        BOOST_TEST(f.rows == base.rows);
        BOOST_TEST(same_bits(f.stats.covariance(), base.stats.covariance()));
        BOOST_TEST(same_bits(f.stats.mean(), base.stats.mean()));
        BOOST_TEST(f.content_sha256 == base.content_sha256);
      }
    }
}

BOOST_AUTO_TEST_CASE(statistics_are_bit_identical_to_those_of_the_finished_matrix) {
  // More rows than one FeatureStats block (4096), so the block boundary is crossed.
  std::vector<std::string> files;
  std::vector<std::string> pngs;  // the small ones (64x64, 128x96, 100x100) keep this fast
  for (const char* name : {"img00_rgb_64x64.png", "img05_rgba_128x96.png", "img06_palette_100x100.png"})
    pngs.push_back((kImages / name).string());
  while (files.size() < kFeatureStatsBlockRows + 300) files.push_back(pngs[files.size() % pngs.size()]);
  // Small images: the fake network's input size 8 keeps this fast.
  ChannelStatsExtractor ex(8);
  FeatureSet f = run(files, ex, 64, 2);
  BOOST_REQUIRE_EQUAL(f.count, files.size());
  GaussianStats whole = stats_from_features(f.rows.data(), f.count, f.dim, "rows");
  BOOST_TEST(same_bits(f.stats.mean(), whole.mu));
  BOOST_TEST(same_bits(f.stats.covariance(), whole.sigma));
}

BOOST_AUTO_TEST_CASE(content_digest_is_the_sha256sum_listing) {
  const auto files = fixture_files();
  ChannelStatsExtractor ex(0);
  FeatureSet f = run(files, ex, 5, 2);
  std::string listing;
  for (const auto& p : files) listing += sha256_file(p) + "  " + fs::path(p).filename().string() + "\n";
  BOOST_TEST(f.content_sha256 == sha256_bytes(listing));
}

BOOST_AUTO_TEST_CASE(clean_resize_changes_the_input_and_stays_in_range) {
  const auto files = fixture_files();
  ChannelStatsExtractor a(224), b(224);
  FeatureSet u8 = run(files, a, 4, 2, false);
  FeatureSet clean = run(files, b, 4, 2, true);
  BOOST_TEST(u8.rows != clean.rows);
  for (size_t i = 0; i < u8.rows.size(); ++i) BOOST_TEST(std::abs(u8.rows[i] - clean.rows[i]) < 0.01);
}

BOOST_AUTO_TEST_CASE(the_first_bad_file_in_order_is_reported) {
  pgc_test::TempDir dir("t2i_bad");
  auto files = fixture_files();
  const fs::path bad1 = dir.write("bad1.png", "\x89PNG\r\n\x1a\n garbage");
  const fs::path bad2 = dir.write("bad2.jpg", "not a jpeg");
  files.insert(files.begin() + 3, bad1.string());
  files.insert(files.begin() + 7, bad2.string());
  for (int threads : {1, 3}) {
    ChannelStatsExtractor ex(224);
    try {
      run(files, ex, 2, threads);
      BOOST_ERROR("no error");
    } catch (const InputError& e) {
      BOOST_TEST(e.file() == bad1.string());
    }
  }
  files.insert(files.begin(), (dir.path / "missing.png").string());
  ChannelStatsExtractor ex(0);
  try {
    run(files, ex, 2, 2);
    BOOST_ERROR("no error");
  } catch (const InputError& e) {
    BOOST_TEST(e.file() == (dir.path / "missing.png").string());
  }
}

BOOST_AUTO_TEST_CASE(a_nan_feature_names_the_image_and_column) {
  const auto files = fixture_files();
  ChannelStatsExtractor ex(0);
  ex.nan_at_call = 6;
  try {
    run(files, ex, 4, 2);
    BOOST_ERROR("no error");
  } catch (const InputError& e) {
    BOOST_TEST(e.file() == files[6]);
    BOOST_TEST(e.item() == "feature column 1");
    BOOST_TEST(std::string(e.what()).find("NaN") != std::string::npos);
  }
}

// ---------------------------------------------------------------- run_t2i

namespace {

struct T2iFixture {
  pgc_test::TempDir dir{"t2i_eval"};
  fs::path fake_dir = dir.path / "fake";
  fs::path weights = dir.write("weights.safetensors", "fake weights");
  T2iFixture() {
    fs::create_directories(fake_dir);
    const auto files = fixture_files();
    for (size_t i = 0; i < files.size(); i += 2) fs::copy_file(files[i], fake_dir / fs::path(files[i]).filename());
  }
  T2iRequest request(const std::string& metric) const {
    T2iRequest r;
    r.real = kImages.string();
    r.fake = fake_dir.string();
    r.metric = metric;
    r.weights = weights.string();
    r.quiet = true;
    r.batch_size = 4;
    return r;
  }
};

ExtractorFactory fake_factory(int input_size, size_t dim = 3) {
  return [input_size, dim] { return std::make_unique<ChannelStatsExtractor>(input_size, dim); };
}

}  // namespace

BOOST_AUTO_TEST_CASE(t2i_writes_results_and_statistics_that_pgc_fd_reads_back) {
  T2iFixture fx;
  for (const std::string metric : {"fid", "fd-dinov2"}) {
    T2iRequest r = fx.request(metric);
    r.json = (fx.dir.path / (metric + ".json")).string();
    r.save_stats = (fx.dir.path / (metric + "_fake.npz")).string();
    r.save_real_stats = (fx.dir.path / (metric + "_real.npz")).string();
    T2iOutcome out = run_t2i(r, fake_factory(metric == "fid" ? 0 : 224));
    BOOST_TEST(out.n_real == 11u);
    BOOST_TEST(out.n_fake == 6u);
    BOOST_TEST(std::isfinite(out.fd));
    BOOST_TEST(out.fd > 0);
    JsonDoc doc = read_json_file(r.json);
    const std::string key = metric == "fid" ? "FID" : "FD_DINOv2";
    BOOST_TEST(doc["task"].GetString() == std::string("t2i"));
    BOOST_TEST(doc["corpus"][key.c_str()].GetDouble() == out.fd);
    BOOST_TEST(doc["inputs"]["real"]["images"].GetUint64() == 11u);
    BOOST_TEST(std::string(doc["signature"].GetString()).find("features:channel-stats") != std::string::npos);
    // pgc fd on the saved statistics gives the same number, to the last bit.
    pgc_test::Run fd = pgc_test::run_pgc_command(
        "fd " + pgc_test::q(r.save_real_stats) + " " + pgc_test::q(r.save_stats) + " --json -", fx.dir.path);
    BOOST_REQUIRE_EQUAL(fd.rc, 0);
    JsonDoc fd_doc = parse_json(fd.out, "pgc fd output");
    BOOST_TEST(fd_doc["fd"].GetDouble() == out.fd);
    // The saved real statistics as --real: same FD without re-extracting the real side.
    T2iRequest again = fx.request(metric);
    again.real = r.save_real_stats;
    T2iOutcome out2 = run_t2i(again, fake_factory(metric == "fid" ? 0 : 224));
    BOOST_TEST(out2.fd == out.fd);
    BOOST_TEST(out2.n_real == 0u);
  }
}

BOOST_AUTO_TEST_CASE(t2i_rejects_bad_inputs_before_writing_anything) {
  T2iFixture fx;
  const fs::path json = fx.dir.path / "out.json", npz = fx.dir.path / "s.npz";
  auto expect_input_error = [&](T2iRequest r, const std::string& file, int input_size = 0, size_t dim = 3) {
    r.json = json.string();
    r.save_stats = r.save_stats.empty() && fs::is_directory(r.fake) ? npz.string() : r.save_stats;
    try {
      run_t2i(r, fake_factory(input_size, dim));
      BOOST_ERROR("no error for " + file);
    } catch (const InputError& e) {
      BOOST_TEST(e.file() == file);
    }
    BOOST_TEST(!fs::exists(json));
    BOOST_TEST(!fs::exists(npz));
  };
  T2iRequest r = fx.request("fid");
  r.real = (fx.dir.path / "nowhere").string();
  expect_input_error(r, r.real);
  // A folder without images.
  fs::create_directories(fx.dir.path / "empty");
  r = fx.request("fid");
  r.fake = (fx.dir.path / "empty").string();
  expect_input_error(r, r.fake);
  // A broken image among the fake ones.
  const fs::path broken = fx.fake_dir / "zzz_broken.png";
  fx.dir.write("fake/zzz_broken.png", "\x89PNG\r\n\x1a\nbroken");
  expect_input_error(fx.request("fid"), broken.string());
  fs::remove(broken);
  // Statistics of the wrong width for the network (3) and between two statistics files.
  const fs::path stats192 = fs::path(PGC_FIXTURES_DIR) / "t2i" / "fd" / "stats_npz_d192" / "stats_a.npz";
  r = fx.request("fid");
  r.real = stats192.string();
  expect_input_error(r, stats192.string());
  const fs::path feats64 = fs::path(PGC_FIXTURES_DIR) / "t2i" / "fd" / "small_d64" / "a.npy";
  r = fx.request("fid");
  r.real = stats192.string();
  r.fake = feats64.string();
  expect_input_error(r, feats64.string());
  // A network that produces NaN.
  r = fx.request("fid");
  r.json = json.string();
  auto nan_factory = [] {
    auto ex = std::make_unique<ChannelStatsExtractor>(0, 3);
    ex->nan_at_call = 2;
    return ex;
  };
  BOOST_CHECK_THROW(run_t2i(r, nan_factory), InputError);
  BOOST_TEST(!fs::exists(json));
  // Flag combinations.
  r = fx.request("fid");
  r.clean_resize = true;
  BOOST_CHECK_THROW(run_t2i(r, fake_factory(0)), UsageError);
  r = fx.request("fid");
  r.fake = stats192.string();
  r.real = stats192.string();
  r.save_stats = npz.string();
  BOOST_CHECK_THROW(run_t2i(r, fake_factory(0)), UsageError);
  r = fx.request("fid");
  r.weights.clear();
  BOOST_CHECK_THROW(run_t2i(r, fake_factory(0)), UsageError);
  BOOST_TEST(!fs::exists(npz));
}

BOOST_AUTO_TEST_CASE(listing_rules_differ_between_the_metrics) {
  T2iFixture fx;
  // An upper-case extension counts for dgm-eval (fd-dinov2) but not for pytorch-fid (fid).
  fs::copy_file(kImages / "img00_rgb_64x64.png", fx.fake_dir / "UPPER.PNG");
  T2iRequest fid = fx.request("fid");
  T2iRequest dino = fx.request("fd-dinov2");
  BOOST_TEST(run_t2i(fid, fake_factory(0)).n_fake == 6u);
  BOOST_TEST(run_t2i(dino, fake_factory(224)).n_fake == 7u);
}
