// pgc features: one feature row per image (sorted file names) from pytorch-fid's InceptionV3
// or dgm-eval's DINOv2, written as a float32 (N, d) .npy.
#include <filesystem>

#include "core/error.hpp"
#include "models/device.hpp"
#include "runners/command.hpp"
#include "runners/t2i_extractors.hpp"
#include "t2i/feature_pipeline.hpp"
#include "t2i/npy.hpp"

namespace {

struct FeaturesArgs {
  std::string model, weights, config, images, out, device = "auto";
  size_t batch = 50;
  bool clean_resize = false, quiet = false;
  int threads = 0;
};

int run_features(const FeaturesArgs& a) {
  if (a.clean_resize && a.model != "dinov2")
    throw pgc::UsageError("--clean-resize applies to --model dinov2 only (pytorch-fid resizes inside the network)");
  // Inputs first: a bad folder fails before the network loads.
  const auto files = pgc::list_image_files(
      a.images, a.model == "dinov2" ? pgc::ImageListRule::kDgmEval : pgc::ImageListRule::kPytorchFid);
  if (!std::filesystem::is_regular_file(a.weights)) throw pgc::InputError(a.weights, "", "weights file not found");
  const std::string device = pgc::resolve_device(a.device);
  auto extractor = pgc::load_t2i_extractor(a.model, a.weights, a.config, device);
  pgc::FeaturePipelineOptions opt;
  opt.batch_size = a.batch;
  opt.clean_resize = a.clean_resize;
  opt.threads = a.threads;
  opt.quiet = a.quiet;
  opt.label = "features";
  pgc::FeatureSet f = pgc::extract_features(files, *extractor, opt);
  pgc::write_npy(a.out, pgc::NpyArray::from_float({f.count, f.dim}, f.rows));
  return pgc::kExitOk;
}

pgc::RegisterCommand reg(
    "features",
    "Image features (InceptionV3 pool3 as pytorch-fid, or DINOv2 CLS as dgm-eval) of a folder, as an (N, d) float32 .npy",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto a = std::make_shared<FeaturesArgs>();
      sub.add_option("--model", a->model, "inception (pytorch-fid FID InceptionV3, 2048-d) or dinov2 (dgm-eval DINOv2)")
          ->required()
          ->check(CLI::IsMember({"inception", "dinov2"}));
      sub.add_option("--weights", a->weights, "network weights (safetensors; see docs/t2i.md for converting .pth)")
          ->required();
      sub.add_option("--config", a->config,
                     "DINOv2 config JSON (fields of the fixtures' *.config.json; default: ViT-L/14 as dgm-eval)");
      sub.add_option("--images", a->images,
                     "folder of images (*.png, *.jpg, ...; not recursive); rows follow sorted file names")
          ->required();
      sub.add_option("--out", a->out, "output .npy: float32 (N, d), written atomically")->required();
      sub.add_option("--device", a->device, "auto (cuda when a GPU is usable, else cpu), cpu or cuda (default: auto)")
          ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
      sub.add_option("--batch", a->batch, "images per network call (default: 50)")->check(CLI::PositiveNumber);
      sub.add_flag("--clean-resize", a->clean_resize,
                   "dinov2: dgm-eval's --clean_resize float bicubic (default: off, 8-bit Pillow bicubic)");
      sub.add_option("--threads", a->threads, "image decoding threads (default: 0 = one per core)");
      sub.add_flag("--quiet", a->quiet, "no progress on stderr (default: off)");
      return [a] { return run_features(*a); };
    });

}  // namespace
