#!/usr/bin/env bash
# Configures and builds pgc with both cores into ./build (ccache makes rebuilds cheap).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-2}"
