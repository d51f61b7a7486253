#!/usr/bin/env bash
# Downloads (does not install) the Debian 12 packages glia needs to build on a machine without a package
# registry — the GPU machine of scripts/gpu_check.sh — into .gpu-deps/ (ignored by git; carry it there).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu-deps
cd .gpu-deps
packages=(libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libhdf5-cpp-103-1 libhdf5-hl-cpp-100 libsz2 libaec0 libaec-dev
          libcurl3-gnutls nlohmann-json3-dev libcli11-dev libeigen3-dev libboost1.74-dev libgtest-dev zlib1g-dev)
apt-get download "${packages[@]}"
du -sh .
