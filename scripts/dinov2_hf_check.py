#!/usr/bin/env python3
"""GPU-machine check of bench_dinov2 against HF transformers' Dinov2Model (torch 2.x).

Builds a seeded random small Dinov2Model (HF names, separate query/key/value), saves it as
safetensors, computes its pooler_output (CLS token after the final LayerNorm) on bench_dinov2's
8 built-in inputs, runs `bench_dinov2 --dump-json` with the same weights on each device and
prints the largest differences; then times a random ViT-L/14 in both at batch 64.

HF's Dinov2Embeddings.interpolate_pos_encoding always uses size=(H/14, W/14), bicubic, no
antialias: that is the hub rule only with interpolate_offset 0 and interpolate_antialias false,
so the config written here sets those (dgm-eval's hub default, offset 0.1, is checked against
the torch.hub-generated fixtures in tests/test_torch_dinov2.cpp instead).

    python3 scripts/dinov2_hf_check.py --bench build/bench/bench_dinov2 [--out DIR]
Exit status 1 if a difference exceeds the tolerance (1e-4 of max |feature|).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import Dinov2Config, Dinov2Model


def inputs(n=8):
    """bench_dinov2's built-in inputs, normalized as torchvision's Normalize does."""
    k = np.arange(n)[:, None, None, None]
    y = np.arange(224)[None, :, None, None]
    x = np.arange(224)[None, None, :, None]
    c = np.arange(3)[None, None, None, :]
    v = ((3 * x * (k + 1) + y * (2 * k + 5) + 85 * c + 31 * k) % 256).astype(np.float32) / np.float32(255)
    t = torch.from_numpy(v).permute(0, 3, 1, 2).contiguous()
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float32)[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float32)[:, None, None]
    return (t - mean) / std


def hf_model(dim, depth, heads):
    cfg = Dinov2Config(hidden_size=dim, num_hidden_layers=depth, num_attention_heads=heads, mlp_ratio=4,
                       image_size=518, patch_size=14, layer_norm_eps=1e-6, layerscale_value=1.0,
                       hidden_act="gelu", qkv_bias=True, use_swiglu_ffn=False)
    return Dinov2Model(cfg).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="path of the built bench_dinov2")
    ap.add_argument("--out", default=tempfile.mkdtemp(prefix="dinov2_hf_check_"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

    torch.manual_seed(0)
    model = hf_model(192, 4, 3)
    with torch.no_grad():  # HF's init leaves biases 0 and LayerNorm/LayerScale 1: perturb all
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    weights = os.path.join(args.out, "dinov2_small_hf.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
    config = os.path.join(args.out, "dinov2_small_hf.config.json")
    json.dump(dict(img_size=518, patch_size=14, embed_dim=192, depth=4, num_heads=3, mlp_ratio=4.0,
                   num_register_tokens=0, interpolate_antialias=False, interpolate_offset=0.0), open(config, "w"))

    failed = False
    for dev in devices:
        with torch.inference_mode():
            want = model.to(dev)(pixel_values=inputs().to(dev)).pooler_output.float().cpu().numpy()
        dump = os.path.join(args.out, f"cpp_{dev}.json")
        subprocess.run([args.bench, "--weights", weights, "--config", config, "--device", dev,
                        "--dump-json", dump], check=True)
        got = np.asarray(json.load(open(dump))["features"], dtype=np.float64)
        diff = np.abs(got - want).max()
        rel = diff / np.abs(want).max()
        print(f"{dev}: C++ vs HF Dinov2Model (torch {torch.__version__}): max |diff| {diff:.3g}, relative {rel:.3g}")
        failed |= not rel <= 1e-4

    dev = devices[-1]
    batch = 64 if dev == "cuda" else 8
    vitl = hf_model(1024, 24, 16).to(dev)
    x = inputs().repeat(batch // 8, 1, 1, 1).to(dev)
    with torch.inference_mode():
        vitl(pixel_values=x)
        n = 10 if dev == "cuda" else 2
        t = time.perf_counter()
        for _ in range(n):
            vitl(pixel_values=x).pooler_output.cpu()
        s = time.perf_counter() - t
    print(f"HF transformers ViT-L/14 {dev} batch {batch}: {n * batch / s:.1f} images/s")
    subprocess.run([args.bench, "--vitl", "--device", dev, "--batch", str(batch), "--images", str(n * batch)], check=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
