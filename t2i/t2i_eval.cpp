#include "t2i/t2i_eval.hpp"

#include <charconv>
#include <filesystem>
#include <iostream>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/results.hpp"
#include "t2i/feature_pipeline.hpp"

namespace pgc {

namespace {

namespace fs = std::filesystem;

std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// One side of the comparison: a folder of images (statistics computed here) or a statistics file.
struct Side {
  std::string role, path;
  bool folder = false;
  std::vector<std::string> files;
  GaussianStats stats;
  std::string sha256;  // of the file, or of the folder's image listing (FeatureSet::content_sha256)
  size_t images = 0;
};

Side open_side(const std::string& role, const std::string& path, ImageListRule rule) {
  Side s;
  s.role = role;
  s.path = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    s.folder = true;
    s.files = list_image_files(path, rule);
    if (s.files.size() < 2)
      throw InputError(path, "", "need at least 2 images for a covariance, found " + std::to_string(s.files.size()));
    return s;
  }
  if (!fs::exists(path, ec)) throw InputError(path, "", "no such folder or statistics file");
  s.stats = load_gaussian_stats(path);
  s.sha256 = sha256_file(path);
  return s;
}

void extract_side(Side& s, FeatureExtractor& extractor, const T2iRequest& r) {
  FeaturePipelineOptions opt;
  opt.batch_size = r.batch_size;
  opt.clean_resize = r.clean_resize;
  opt.threads = r.threads;
  opt.keep_rows = false;
  opt.quiet = r.quiet;
  opt.label = s.role + " images";
  FeatureSet f = extract_features(s.files, extractor, opt);
  s.images = f.count;
  s.sha256 = f.content_sha256;
  s.stats.mu = f.stats.mean();
  s.stats.sigma = f.stats.covariance();
  s.stats.count = f.count;
  s.stats.source_kind = "images";
}

size_t dims_of(const Side& s) { return static_cast<size_t>(s.stats.mu.size()); }

void check_dims(const Side& real, const Side& fake) {
  if (dims_of(real) != dims_of(fake))
    throw InputError(fake.path, "", "feature dimension " + std::to_string(dims_of(fake)) + " differs from " +
                                        real.path + "'s " + std::to_string(dims_of(real)));
}

void add_folder_input(JsonDoc& doc, const Side& s) {
  auto& a = doc.GetAllocator();
  JsonValue e(rapidjson::kObjectType);
  e.AddMember("path", JsonValue(s.path.c_str(), a), a);
  e.AddMember("images", static_cast<uint64_t>(s.images), a);
  e.AddMember("listing_sha256", JsonValue(s.sha256.c_str(), a), a);
  doc["inputs"].AddMember(JsonValue(s.role.c_str(), a), e, a);
}

JsonDoc results_document(const T2iRequest& r, const Side& real, const Side& fake, const FrechetResult& fr,
                         const std::string& extractor_name) {
  const bool network = real.folder || fake.folder;
  Signature sig;
  sig.add("metric", r.metric);
  if (network) {
    sig.add("features", extractor_name)
        .add("weights", sha256_file(r.weights).substr(0, 12))
        .add("resize", r.metric == "fid" ? "in-network-bilinear" : r.clean_resize ? "pil-bicubic-f32" : "pil-bicubic-u8")
        .add("device", r.device);
  } else {
    sig.add("features", "stats");
  }
  sig.add("fd", "pytorch-fid")
      .add("method", frechet_method_name(r.frechet.method))
      .add("eps", shortest(r.frechet.eps))
      .add("real", real.sha256.substr(0, 12))
      .add("fake", fake.sha256.substr(0, 12));
  std::vector<InputFile> files;
  if (!real.folder) files.push_back({"real", real.path});
  if (!fake.folder) files.push_back({"fake", fake.path});
  if (network) files.push_back({"weights", r.weights});
  JsonDoc doc = make_results(r.name.empty() ? r.fake : r.name, "t2i", sig, files);
  if (real.folder) add_folder_input(doc, real);
  if (fake.folder) add_folder_input(doc, fake);
  auto& a = doc.GetAllocator();
  JsonValue corpus(rapidjson::kObjectType);
  corpus.AddMember(JsonValue(t2i_corpus_key(r.metric).c_str(), a), JsonValue(fr.fd), a);
  doc.AddMember("corpus", corpus, a);
  doc.AddMember("fd", fr.fd, a);
  JsonValue terms = frechet_terms_json(fr, a);
  terms.AddMember("n_real", static_cast<uint64_t>(real.folder ? real.images : real.stats.count), a);
  terms.AddMember("n_fake", static_cast<uint64_t>(fake.folder ? fake.images : fake.stats.count), a);
  terms.AddMember("dims", static_cast<uint64_t>(dims_of(real)), a);
  doc.AddMember("terms", terms, a);
  return doc;
}

}  // namespace

std::string t2i_corpus_key(const std::string& metric) {
  if (metric == "fid") return "FID";
  if (metric == "fd-dinov2") return "FD_DINOv2";
  throw UsageError("--metric must be fid or fd-dinov2, got '" + metric + "'");
}

JsonValue frechet_terms_json(const FrechetResult& fr, JsonDoc::AllocatorType& a) {
  JsonValue terms(rapidjson::kObjectType);
  terms.AddMember("mean_term", fr.mean_term, a);
  terms.AddMember("trace_sigma1", fr.trace_sigma1, a);
  terms.AddMember("trace_sigma2", fr.trace_sigma2, a);
  terms.AddMember("trace_covmean", fr.trace_covmean, a);
  terms.AddMember("eps_fallback_taken", fr.eps_fallback_taken, a);
  terms.AddMember("sqrtm_complex", fr.sqrtm_complex, a);
  terms.AddMember("max_abs_imag_covmean", fr.max_abs_imag, a);
  return terms;
}

ImageListRule t2i_list_rule(const std::string& metric) {
  return metric == "fd-dinov2" ? ImageListRule::kDgmEval : ImageListRule::kPytorchFid;
}

T2iOutcome run_t2i(const T2iRequest& r, const ExtractorFactory& make_extractor) {
  t2i_corpus_key(r.metric);  // validates the metric
  if (r.clean_resize && r.metric != "fd-dinov2")
    throw UsageError("--clean-resize applies to fd-dinov2 only (pytorch-fid resizes inside the network)");
  if (r.batch_size == 0) throw UsageError("--batch must be at least 1");
  Side real = open_side("real", r.real, t2i_list_rule(r.metric));
  Side fake = open_side("fake", r.fake, t2i_list_rule(r.metric));
  if (!r.save_stats.empty() && !fake.folder)
    throw UsageError("--save-stats writes the statistics of --fake's images: --fake must be an image folder");
  if (!r.save_real_stats.empty() && !real.folder)
    throw UsageError("--save-real-stats writes the statistics of --real's images: --real must be an image folder");
  std::string extractor_name;
  if (real.folder || fake.folder) {
    if (r.weights.empty()) throw UsageError("--weights is required when --real or --fake is an image folder");
    if (!fs::is_regular_file(r.weights)) throw InputError(r.weights, "", "weights file not found");
    std::unique_ptr<FeatureExtractor> extractor = make_extractor();
    extractor_name = extractor->name();
    // A statistics file of the wrong width fails before any image is decoded.
    for (const Side* s : {&real, &fake})
      if (!s->folder && dims_of(*s) != extractor->dim())
        throw InputError(s->path, "", "feature dimension " + std::to_string(dims_of(*s)) + " differs from " +
                                          extractor_name + "'s " + std::to_string(extractor->dim()));
    // dgm-eval subsamples folders above its --nsample (default 50,000) at random; pgc does not.
    for (const Side* s : {&real, &fake})
      if (s->folder && r.metric == "fd-dinov2" && s->files.size() > 50000 && !r.quiet)
        std::cerr << "pgc t2i: note: " << s->path << " has " << s->files.size()
                  << " images; dgm-eval (default --nsample 50000) would use a random 50,000 of them, pgc uses all\n";
    if (real.folder) extract_side(real, *extractor, r);
    if (fake.folder) extract_side(fake, *extractor, r);
  }
  check_dims(real, fake);
  T2iOutcome out;
  try {
    out.terms = frechet_distance(real.stats.mu, real.stats.sigma, fake.stats.mu, fake.stats.sigma, r.frechet);
  } catch (const InputError& e) {
    throw InputError(r.real + " vs " + r.fake, e.item(), e.problem());
  }
  if (out.terms.eps_fallback_taken && !r.quiet)
    std::cerr << "pgc t2i: singular product; added " << shortest(r.frechet.eps)
              << " to the diagonal of both covariances (as pytorch-fid does)\n";
  out.fd = out.terms.fd;
  out.n_real = real.images;
  out.n_fake = fake.images;
  out.results = results_document(r, real, fake, out.terms, extractor_name);
  // Only now, with everything computed, are files written (np.savez_compressed, as pytorch-fid).
  if (!r.save_real_stats.empty()) save_gaussian_stats_npz(r.save_real_stats, real.stats, true);
  if (!r.save_stats.empty()) save_gaussian_stats_npz(r.save_stats, fake.stats, true);
  if (!r.json.empty()) write_file_atomic(r.json, to_json(out.results) + "\n");
  return out;
}

}  // namespace pgc
