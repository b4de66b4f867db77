#!/usr/bin/env bash
# One-shot GPU check (not CI): builds pgc's networks against the machine's CUDA LibTorch (the
# one inside pip's torch) with -DPGC_MODELS_ONLY=ON, then runs tests/gpu/hf_reference.py, which
# compares them on CPU and CUDA with Hugging Face transformers on the same random weights and
# measures throughput. The few Debian libraries the model code needs (RapidJSON, ICU, OpenSSL,
# SentencePiece) come as .deb files in .gpu/debs (scripts: tests/gpu/README.md) and are unpacked
# into a private prefix, never into /.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${PGC_GPU_WORK:-/tmp/pgc_gpu}
PREFIX=$WORK/root
OUT=${OUT:-$WORK}
mkdir -p "$PREFIX" "$OUT"
for f in "$ROOT"/.gpu/debs/*.deb; do dpkg -x "$f" "$PREFIX"; done
LIBDIR=$PREFIX/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
TORCH_CMAKE=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__)' | tee -a "$OUT/gpu.txt"
TORCH_ROOT=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
configure() {
  cmake -S "$ROOT" -B "$WORK/build" -G Ninja -DPGC_MODELS_ONLY=ON -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$TORCH_CMAKE;$PREFIX/usr" -DPGC_DEPS_PREFIX="$PREFIX/usr" "$@"
}
# TorchConfig.cmake first (what users get); if it cannot set up its CUDA toolkit here, the
# manual fallback (headers + libraries straight from the torch package).
if ! configure >"$OUT/cmake.log" 2>&1; then
  tail -15 "$OUT/cmake.log"; echo "== TorchConfig failed; PGC_TORCH_MANUAL fallback"
  rm -rf "$WORK/build"
  configure -DPGC_TORCH_MANUAL=ON -DPGC_TORCH_ROOT="$TORCH_ROOT" >"$OUT/cmake2.log" 2>&1 || { tail -30 "$OUT/cmake2.log"; exit 1; }
fi
grep -i -E "torch|cuda" "$OUT/cmake.log" | head -20
time cmake --build "$WORK/build" -j16 --target gpu_compare >"$OUT/build.log" 2>&1 || { grep -E "error|Error" "$OUT/build.log" | head -40; exit 1; }
PGC_GPU_WORK=$WORK PGC_GPU_DRIVER=$WORK/build/gpu_compare OUT=$OUT PYTHONUNBUFFERED=1 \
  python3 "$ROOT/tests/gpu/hf_reference.py" "$@"
