#!/usr/bin/env bash
# Installs every Debian package pgc needs to build and test. Idempotent: skips apt when all are present.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-pthread libeigen3-dev liblapack-dev libzip-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  rapidjson-dev libicu-dev libcli11-dev libboost-test-dev
  libspng-dev libpng-dev zlib1g-dev libssl-dev libtbb-dev libsentencepiece-dev wordnet-base
  libstemmer-dev libdeflate-dev libjpeg62-turbo-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
