#include "t2i/feature_pipeline.hpp"

#include <cmath>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/progress.hpp"
#include "core/thread_pool.hpp"
#include "t2i/pillow_resize.hpp"

namespace pgc {

namespace {

struct PreparedImage {
  ImageF32 image;
  std::string sha256;
  std::exception_ptr error;
};

// Images in file order through a ring of `capacity` slots: producers claim the next index
// only while it is less than `capacity` ahead of the consumer, so at most `capacity`
// prepared images exist at once, and slot i % capacity is always free when i is claimed.
class OrderedImageQueue {
 public:
  OrderedImageQueue(size_t total, size_t capacity) : total_(total), slots_(capacity) {}

  // Next index to prepare, or nothing when all are claimed or the run stopped.
  std::optional<size_t> claim() {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return stop_ || next_claim_ >= total_ || next_claim_ < consumed_ + slots_.size(); });
    if (stop_ || next_claim_ >= total_) return std::nullopt;
    return next_claim_++;
  }

  void put(size_t index, PreparedImage item) {
    std::lock_guard<std::mutex> lock(mu_);
    slots_[index % slots_.size()] = std::move(item);
    ready_.notify_all();
  }

  // The item at `consumed_` (file order), waiting for it.
  PreparedImage take() {
    std::unique_lock<std::mutex> lock(mu_);
    auto& slot = slots_[consumed_ % slots_.size()];
    ready_.wait(lock, [&] { return slot.has_value(); });
    PreparedImage item = std::move(*slot);
    slot.reset();
    ++consumed_;
    space_.notify_all();
    return item;
  }

  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    space_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable space_, ready_;
  size_t total_;
  std::vector<std::optional<PreparedImage>> slots_;
  size_t next_claim_ = 0, consumed_ = 0;
  bool stop_ = false;
};

// Producer threads that stop and join when the consumer leaves, normally or by an exception.
class Producers {
 public:
  Producers(OrderedImageQueue& queue, int count, const std::vector<std::string>& files, int input_size,
            bool clean_resize)
      : queue_(queue) {
    for (int t = 0; t < count; ++t)
      threads_.emplace_back([this, &files, input_size, clean_resize] {
        while (auto index = queue_.claim()) {
          PreparedImage item;
          try {
            const std::string& path = files[*index];
            std::error_code ec;
            if (std::filesystem::is_directory(path, ec)) throw InputError(path, "", "is a folder, not an image");
            const std::string bytes = read_file(path);
            item.sha256 = sha256_bytes(bytes);
            item.image = prepare_image(decode_image(bytes, path).image, input_size, clean_resize);
          } catch (...) {
            item.error = std::current_exception();
          }
          queue_.put(*index, std::move(item));
        }
      });
  }
  ~Producers() {
    queue_.stop();
    for (auto& t : threads_) t.join();
  }

 private:
  OrderedImageQueue& queue_;
  std::vector<std::thread> threads_;
};

// Feeds FeatureStats in blocks of kFeatureStatsBlockRows rows, counted from the first row.
class BlockedStats {
 public:
  explicit BlockedStats(FeatureStats& stats) : stats_(stats) {}
  void add(const float* rows, size_t n, size_t dim) {
    pending_.insert(pending_.end(), rows, rows + n * dim);
    if (pending_.size() >= kFeatureStatsBlockRows * dim) {
      stats_.add_rows(pending_.data(), kFeatureStatsBlockRows, dim);
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(kFeatureStatsBlockRows * dim));
    }
  }
  void finish(size_t dim) {
    if (!pending_.empty()) stats_.add_rows(pending_.data(), pending_.size() / dim, dim);
    pending_.clear();
  }

 private:
  FeatureStats& stats_;
  std::vector<float> pending_;
};

void check_finite(const float* rows, size_t n, size_t dim, size_t first_row,
                  const std::vector<std::string>& files) {
  for (size_t i = 0; i < n * dim; ++i)
    if (!std::isfinite(rows[i]))
      throw InputError(files[first_row + i / dim], "feature column " + std::to_string(i % dim),
                       std::string(std::isnan(rows[i]) ? "NaN" : "Inf") + " value from the network");
}

}  // namespace

ImageF32 prepare_image(const ImageU8& rgb, int input_size, bool clean_resize) {
  if (input_size <= 0) return to_image_f32(rgb);
  if (clean_resize) return clean_resize_bicubic(rgb, input_size, input_size);
  return to_image_f32(pillow_resize_bicubic(rgb, input_size, input_size));
}

FeatureSet extract_features(const std::vector<std::string>& files, FeatureExtractor& extractor,
                            const FeaturePipelineOptions& options) {
  if (options.batch_size == 0) throw UsageError("batch size must be at least 1");
  FeatureSet result;
  result.dim = extractor.dim();
  const size_t n = files.size(), dim = result.dim;
  const int threads = std::max(1, std::min<int>(resolve_threads(options.threads), static_cast<int>(std::max<size_t>(n, 1))));
  // Two batches (the one being extracted and the next) plus one image in hand per thread.
  OrderedImageQueue queue(n, 2 * options.batch_size + static_cast<size_t>(threads));
  Producers producers(queue, threads, files, extractor.input_size(), options.clean_resize);
  Progress progress(options.label, n, options.quiet);
  BlockedStats stats(result.stats);
  std::string listing;
  std::vector<ImageF32> batch;
  std::vector<float> out;
  if (options.keep_rows) result.rows.reserve(n * dim);
  for (size_t first = 0; first < n; first += options.batch_size) {
    const size_t m = std::min(options.batch_size, n - first);
    batch.clear();
    for (size_t i = first; i < first + m; ++i) {
      PreparedImage item = queue.take();
      if (item.error) std::rethrow_exception(item.error);
      listing += item.sha256 + "  " + std::filesystem::path(files[i]).filename().string() + "\n";
      batch.push_back(std::move(item.image));
    }
    out.clear();
    extractor.extract(batch, out);
    if (out.size() != m * dim)
      throw std::logic_error(extractor.name() + " returned " + std::to_string(out.size()) + " values for " +
                             std::to_string(m) + " images of dimension " + std::to_string(dim));
    check_finite(out.data(), m, dim, first, files);
    stats.add(out.data(), m, dim);
    if (options.keep_rows) result.rows.insert(result.rows.end(), out.begin(), out.end());
    result.count += m;
    progress.tick(m);
  }
  stats.finish(dim);
  progress.done();
  result.content_sha256 = sha256_bytes(listing);
  return result;
}

}  // namespace pgc
