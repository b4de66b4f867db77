#!/usr/bin/env bash
# Extra Debian packages the benchmarks use to run the references side by side (not needed to
# build or test): numpy/scipy/Pillow regenerate fixtures/panoptic synth_large_1000 and run
# panopticapi's pq_compute.
set -euo pipefail
bash "$(dirname "$0")/install-deps.sh"
PKGS=(python3-numpy python3-scipy python3-pil)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
