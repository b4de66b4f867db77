// pgc t2i: FID (pytorch-fid's InceptionV3) or FD-DINOv2 (dgm-eval) between real and generated
// images, each side a folder of images or pytorch-fid statistics (.npz). See docs/t2i.md.
#include <charconv>
#include <iostream>

#include "core/error.hpp"
#include "models/device.hpp"
#include "runners/command.hpp"
#include "runners/t2i_extractors.hpp"
#include "t2i/t2i_eval.hpp"

namespace {

struct T2iArgs {
  pgc::T2iRequest request;
  std::string device_flag = "auto", config, method = "schur";
};

std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

int run_t2i_command(T2iArgs& args) {
  pgc::T2iRequest& r = args.request;
  r.frechet.method = args.method == "eigen" ? pgc::FrechetMethod::kSymmetricEigen : pgc::FrechetMethod::kSchur;
  const std::string model = r.metric == "fid" ? "inception" : "dinov2";
  if (!args.config.empty() && model != "dinov2") throw pgc::UsageError("--config applies to --metric fd-dinov2 only");
  const std::string device_flag = args.device_flag;
  const std::string config = args.config;
  r.device = "";  // resolved only when a network is needed (stats-only runs need no LibTorch device)
  auto factory = [&r, model, device_flag, config] {
    r.device = pgc::resolve_device(device_flag);
    return pgc::load_t2i_extractor(model, r.weights, config, r.device);
  };
  pgc::T2iOutcome out = pgc::run_t2i(r, factory);
  if (r.json.empty()) std::cout << pgc::t2i_corpus_key(r.metric) << ": " << shortest(out.fd) << "\n";
  return pgc::kExitOk;
}

pgc::RegisterCommand reg(
    "t2i",
    "FID (pytorch-fid InceptionV3) or FD-DINOv2 (dgm-eval) between real and generated images (folders or .npz statistics)",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto args = std::make_shared<T2iArgs>();
      pgc::T2iRequest& r = args->request;
      sub.add_option("--real", r.real,
                     "real images: a folder (*.png, *.jpg, ... sorted by name, not recursive) or pytorch-fid "
                     "statistics (.npz with mu, sigma) or an (N, d) .npy feature matrix")
          ->required();
      sub.add_option("--fake", r.fake, "generated images: the same kinds as --real")->required();
      sub.add_option("--metric", r.metric,
                     "fid: pytorch-fid's InceptionV3 pool3 (2048-d), result key FID; fd-dinov2: dgm-eval's "
                     "DINOv2 CLS feature, result key FD_DINOv2")
          ->required()
          ->check(CLI::IsMember({"fid", "fd-dinov2"}));
      sub.add_option("--weights", r.weights,
                     "network weights (safetensors; docs/t2i.md shows the one-line conversion of pytorch-fid's "
                     "pt_inception .pth and the DINOv2 hub weights); required when a side is a folder");
      sub.add_option("--config", args->config,
                     "DINOv2 config JSON (img_size, patch_size, embed_dim, depth, num_heads, mlp_ratio, "
                     "num_register_tokens, interpolate_antialias, interpolate_offset; default: ViT-L/14 as dgm-eval)");
      sub.add_option("--device", args->device_flag, "auto (cuda when a GPU is usable, else cpu), cpu or cuda (default: auto)")
          ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
      sub.add_option("--batch", r.batch_size, "images per network call (default: 50, as pytorch-fid and dgm-eval)")
          ->check(CLI::PositiveNumber);
      sub.add_flag("--clean-resize", r.clean_resize,
                   "fd-dinov2: dgm-eval's --clean_resize (float 'F' bicubic per channel instead of the 8-bit "
                   "torchvision/Pillow resize; default: off)");
      sub.add_option("--save-stats", r.save_stats,
                     "also write the FAKE side's statistics to FILE.npz (pytorch-fid format: mu, sigma, "
                     "np.savez_compressed); --fake must be a folder (default: not written)");
      sub.add_option("--save-real-stats", r.save_real_stats,
                     "also write the REAL side's statistics to FILE.npz, to reuse as --real next time; --real must "
                     "be a folder (default: not written)");
      sub.add_option("--json", r.json,
                     "write a results file (pgc.results/1, task t2i, corpus.FID or corpus.FD_DINOv2) to OUT, '-' "
                     "for stdout (default: print 'FID: value')");
      sub.add_option("--name", r.name, "system name in the results file (default: --fake's path)");
      sub.add_option("--method", args->method,
                     "schur: scipy's sqrtm as pytorch-fid (default); eigen: symmetric-eigenvalue route (faster, "
                     "agrees to ~1e-9 relative; see pgc fd --help)")
          ->check(CLI::IsMember({"schur", "eigen"}));
      sub.add_option("--eps", r.frechet.eps,
                     "offset added to both covariance diagonals when the first sqrtm is not finite (default 1e-6)");
      sub.add_option("--threads", r.threads, "image decoding threads (default: 0 = one per core)");
      sub.add_flag("--quiet", r.quiet, "no progress or notes on stderr (default: off)");
      return [args] { return run_t2i_command(*args); };
    });

}  // namespace
