#pragma once
// From image files to feature rows: decoding threads (producers) read, decode and prepare
// images (PIL convert("RGB"); for extractors with a fixed input size, Pillow's bicubic
// resize, 8-bit or dgm-eval's clean float variant; then float32 / 255) into a bounded,
// ordered queue; the calling thread (consumer) takes them in file order, in batches, through
// FeatureExtractor::extract. Rows come out in file order whatever the thread timing, the
// values do not depend on the number of decoding threads, and the float64 statistics are
// accumulated on the way in fixed blocks, so they are bit-identical to stats_from_features()
// of the finished (N, d) matrix (the same thing `pgc fd` computes from a saved .npy).
#include <cstddef>
#include <string>
#include <vector>

#include "metrics/frechet_distance.hpp"
#include "models/feature_extractor.hpp"
#include "t2i/image_io.hpp"

namespace pgc {

struct FeaturePipelineOptions {
  size_t batch_size = 50;     // images per extract() call (pytorch-fid's and dgm-eval's default)
  bool clean_resize = false;  // dgm-eval --clean_resize: float 'F' bicubic instead of 8-bit
  int threads = 0;            // decoding threads; 0: one per core
  bool keep_rows = true;      // keep the (N, d) matrix in FeatureSet::rows (else statistics only)
  bool quiet = false;         // no progress line
  std::string label = "features";  // progress label
};

struct FeatureSet {
  size_t count = 0;            // rows = images
  size_t dim = 0;
  std::vector<float> rows;     // count x dim, file order (when keep_rows)
  FeatureStats stats;          // float64 count / mean / co-moment of the rows
  // SHA-256 of the listing "<sha256 of file>  <file name>\n" over the files in order (the
  // format of sha256sum's output): names the image set in results files and signatures.
  std::string content_sha256;
};

// The image an extractor gets: decoded pixels -> (input_size > 0: resized to input_size
// square with Pillow's 8-bit bicubic, or the clean float variant) -> float32 in [0, 1].
ImageF32 prepare_image(const ImageU8& rgb, int input_size, bool clean_resize);

// Runs `files` (in the given order) through `extractor`. InputError(file, ...) for an
// unreadable or undecodable image or a non-finite feature (naming the row's file and
// column); the first failing file in list order is the one reported.
FeatureSet extract_features(const std::vector<std::string>& files, FeatureExtractor& extractor,
                            const FeaturePipelineOptions& options);

// The row block size FeatureStats::add_rows works in (metrics/frechet_distance.cpp); adding
// rows in blocks of this size from the first row gives the same bits as one add_rows call.
inline constexpr size_t kFeatureStatsBlockRows = 4096;

}  // namespace pgc
