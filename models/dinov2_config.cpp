// read_dinov2_config: the DINOv2 ViT shape from a JSON file with the fields of the t2i
// fixtures' *.config.json. Torch-free (the network itself is models/torch/dinov2.cpp).
//
// Fields that size the network (img_size, patch_size, embed_dim, depth, num_heads, mlp_ratio,
// num_register_tokens, interpolate_antialias, interpolate_offset) fill Dinov2Config; missing
// ones keep ViT-L/14 as dgm-eval loads it. The descriptive fields the fixtures also carry
// (init_values, ffn_layer, layernorm_eps, qkv_bias, proj_bias, ffn_bias, act) are checked
// against the one architecture pgc implements, so a config for another variant (SwiGLU FFN
// as in ViT-g, no LayerScale, no biases) is an error rather than a silently wrong network.
// Any other key is an error too (a misspelt field would otherwise keep its default).
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"
#include "models/feature_extractor.hpp"

namespace pgc {
namespace {

struct ConfigReader {
  const std::string& file;

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw InputError(file, key, what);
  }

  int integer(const JsonValue& v, const std::string& key, int min_value) const {
    if (!v.IsInt()) fail(key, "must be an integer");
    const int value = v.GetInt();
    if (value < min_value) fail(key, "must be >= " + std::to_string(min_value) + ", not " + std::to_string(value));
    return value;
  }

  double number(const JsonValue& v, const std::string& key) const {
    if (!v.IsNumber()) fail(key, "must be a number");
    const double value = v.GetDouble();
    if (!std::isfinite(value)) fail(key, "must be finite");
    return value;
  }

  bool boolean(const JsonValue& v, const std::string& key) const {
    if (!v.IsBool()) fail(key, "must be true or false");
    return v.GetBool();
  }

  std::string string(const JsonValue& v, const std::string& key) const {
    if (!v.IsString()) fail(key, "must be a string");
    return v.GetString();
  }

  void read_field(const std::string& key, const JsonValue& v, Dinov2Config& c) const {
    if (key == "img_size") c.img_size = integer(v, key, 1);
    else if (key == "patch_size") c.patch_size = integer(v, key, 1);
    else if (key == "embed_dim") c.embed_dim = integer(v, key, 1);
    else if (key == "depth") c.depth = integer(v, key, 1);
    else if (key == "num_heads") c.num_heads = integer(v, key, 1);
    else if (key == "num_register_tokens") c.num_register_tokens = integer(v, key, 0);
    else if (key == "interpolate_antialias") c.interpolate_antialias = boolean(v, key);
    else if (key == "mlp_ratio") {
      c.mlp_ratio = number(v, key);
      if (!(c.mlp_ratio > 0)) fail(key, "must be > 0");
    } else if (key == "interpolate_offset") {
      c.interpolate_offset = number(v, key);
      if (c.interpolate_offset < 0) fail(key, "must be >= 0");
    }
    // Descriptive fields: only the values of the architecture implemented are accepted.
    else if (key == "init_values") {
      // LayerScale is present iff init_values is truthy; its value only initialises gamma,
      // which the checkpoint overwrites.
      if (v.IsNull() || number(v, key) == 0)
        fail(key, "models without LayerScale (init_values null or 0) are not supported");
    } else if (key == "ffn_layer") {
      if (string(v, key) != "mlp") fail(key, "only \"mlp\" is supported (not SwiGLU), got \"" + string(v, key) + "\"");
    } else if (key == "layernorm_eps") {
      if (number(v, key) != 1e-6) fail(key, "DINOv2 uses LayerNorm eps 1e-06; other values are not supported");
    } else if (key == "qkv_bias" || key == "proj_bias" || key == "ffn_bias") {
      if (!boolean(v, key)) fail(key, "only true is supported (DINOv2 hub models have these biases)");
    } else if (key == "act") {
      const std::string act = string(v, key);
      if (act.rfind("GELU", 0) != 0 || act.find("tanh") != std::string::npos)
        fail(key, "only exact (erf) GELU is supported, got \"" + act + "\"");
    } else {
      fail(key, "unknown field (expected img_size, patch_size, embed_dim, depth, num_heads, mlp_ratio, "
                "num_register_tokens, interpolate_antialias, interpolate_offset, init_values, ffn_layer, "
                "layernorm_eps, qkv_bias, proj_bias, ffn_bias, act)");
    }
  }
};

}  // namespace

Dinov2Config read_dinov2_config(const std::string& json_file) {
  const JsonDoc doc = read_json_file(json_file);
  if (!doc.IsObject()) throw InputError(json_file, "", "a DINOv2 config must be a JSON object");
  const ConfigReader reader{json_file};
  Dinov2Config config;
  for (const auto& m : doc.GetObject()) reader.read_field(m.name.GetString(), m.value, config);
  if (config.embed_dim % config.num_heads != 0)
    reader.fail("num_heads", "embed_dim " + std::to_string(config.embed_dim) + " is not divisible by " +
                                 std::to_string(config.num_heads) + " heads");
  if (config.img_size < config.patch_size)
    reader.fail("img_size", "is smaller than patch_size " + std::to_string(config.patch_size));
  return config;
}

}  // namespace pgc
