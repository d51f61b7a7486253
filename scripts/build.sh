#!/usr/bin/env bash
# Configures (once) and builds glia in ./build (Release; CUDA when nvcc is found).
# Extra arguments go to the CMake configure step, e.g. -DGLIA_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/CMakeCache.txt || $# -gt 0 ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build build --parallel "$(nproc)"
