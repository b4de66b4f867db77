#!/usr/bin/env bash
# Downloads (does not install) the Debian 12 packages that pgc's model code needs besides
# LibTorch into .gpu/debs, for tests/gpu/run_gpu_checks.sh on a GPU machine that cannot reach
# a package registry. Run on a Debian 12 machine from the repository root.
set -euo pipefail
mkdir -p .gpu/debs
cd .gpu/debs
apt-get download rapidjson-dev libsentencepiece-dev libsentencepiece0 libprotobuf-lite32 \
  libicu-dev libicu72 libssl-dev libssl3
