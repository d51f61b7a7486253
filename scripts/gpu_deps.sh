#!/usr/bin/env bash
# Downloads (does not install) the Debian 12 packages glia needs to build on a machine without a package
# registry — the GPU machine of scripts/gpu_check.sh — into .gpu-deps/ (ignored by git; carry it there).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu-deps
cd .gpu-deps
# The build's packages, then the run-time closure of libhdf5 (libcurl3-gnutls for its ROS3 driver and what that
# links). The base system (libc6, libstdc++6, libgcc-s1) is the GPU machine's own; gpu_check.sh keeps a carried
# library only where that machine lacks it.
packages=(libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libhdf5-cpp-103-1 libhdf5-hl-cpp-100 libsz2 libaec0 libaec-dev
          nlohmann-json3-dev libcli11-dev libeigen3-dev libboost1.74-dev libgtest-dev zlib1g-dev zlib1g
          libcurl3-gnutls libbrotli1 libcom-err2 libgmp10 libgnutls30 libgssapi-krb5-2 libhogweed6 libidn2-0
          libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0 libnettle8 libnghttp2-14 libp11-kit0
          libpsl5 librtmp1 libsasl2-2 libsasl2-modules-db libdb5.3 libssh2-1 libssl3 libtasn1-6 libunistring2
          libzstd1 libffi8)
apt-get download "${packages[@]}"
du -sh .
