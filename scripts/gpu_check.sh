#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU, build glia with CUDA, run every CPU-vs-GPU test and the GPU
# benchmarks (the Stimberg Fig. 6 network and a tripartite sweep, each on the GPU and on the CPU), and write logs
# and result JSON into OUT_DIR. Meant to finish in under 8 minutes (a 16-core build plus about 3 minutes of runs).
#
# Usage: bash scripts/gpu_check.sh OUT_DIR
# Without a GPU it says so and exits 0 (GLIA_GPU_CHECK_FORCE=1 runs it anyway: the CUDA tests then skip and the
# benchmarks record the device error; useful to check the script itself).
#
# Build dependencies: the Debian packages of scripts/install-deps.sh when apt can install them; on a machine that
# cannot reach a package registry, the .deb files that `bash scripts/gpu_deps.sh` downloads into .gpu-deps/ (carry
# that folder along): they are unpacked into a private prefix, never into /.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gpu_check.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
log() { echo "gpu_check: $*" | tee -a "$out/gpu_check.log"; }

if ! nvidia-smi -L >"$out/nvidia_smi.txt" 2>&1 || ! grep -q "^GPU" "$out/nvidia_smi.txt"; then
  if [[ "${GLIA_GPU_CHECK_FORCE:-0}" != "1" ]]; then
    echo "gpu_check: no NVIDIA GPU on this machine (nvidia-smi -L found none): nothing to check"
    exit 0
  fi
  log "no GPU, forced: CUDA tests will skip"
fi
log "$(head -n 3 "$out/nvidia_smi.txt")"
start=$(date +%s)

# ---- dependencies ----------------------------------------------------------------------------------------
cmake_args=()
if [[ -d .gpu-deps ]] && ls .gpu-deps/*.deb >/dev/null 2>&1; then
  prefix=/tmp/glia-gpu-deps
  rm -rf "$prefix" && mkdir -p "$prefix"
  for deb in .gpu-deps/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
  multiarch=$prefix/usr/lib/x86_64-linux-gnu
  # Absolute links (zlib1g-dev's libz.so -> /lib/...) point into the prefix instead.
  find "$prefix" -type l | while read -r link; do
    target=$(readlink "$link")
    if [[ $target == /* && -e $prefix$target ]]; then ln -sfn "$prefix$target" "$link"; fi
  done
  # A library this machine has (by soname) is the machine's: drop the carried soname so that the loader and the
  # linker find the system's; the carried ones fill only the gaps (libcurl-gnutls and its kind for libhdf5).
  system_sonames=$(ldconfig -p 2>/dev/null | awk '{print $1}' | sort -u)
  kept=0
  for lib in "$prefix"/lib/x86_64-linux-gnu/lib*.so.* "$multiarch"/lib*.so.*; do
    [[ -e $lib || -L $lib ]] || continue
    name=$(basename "$lib")
    [[ $name =~ ^lib.*\.so\.[0-9]+$ ]] || continue
    if grep -qxF "$name" <<<"$system_sonames"; then rm -f "$lib"; else kept=$((kept + 1)); fi
  done
  log "dependencies: $kept carried sonames this machine lacks"
  export CMAKE_PREFIX_PATH="$prefix/usr${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}"
  export CPATH="$prefix/usr/include${CPATH:+:$CPATH}"
  export LD_LIBRARY_PATH="$multiarch:$multiarch/hdf5/serial:$prefix/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  cmake_args+=(-DHDF5_C_INCLUDE_DIR="$prefix/usr/include/hdf5/serial"
               -DHDF5_C_LIBRARY_hdf5="$multiarch/hdf5/serial/libhdf5.so"
               -DGTEST_ROOT="$prefix/usr" -DBoost_INCLUDE_DIR="$prefix/usr/include"
               -DEigen3_DIR="$prefix/usr/share/eigen3/cmake"
               -Dnlohmann_json_DIR="$multiarch/cmake/nlohmann_json" -DCLI11_DIR="$prefix/usr/share/cmake/CLI11")
  log "dependencies: unpacked $(ls .gpu-deps/*.deb | wc -l) carried .deb files into $prefix"
elif command -v apt-get >/dev/null && apt-get -v >/dev/null 2>&1; then
  bash scripts/install-deps.sh >>"$out/build.log" 2>&1 || log "install-deps failed (see build.log); trying with what is here"
fi

# ---- build -----------------------------------------------------------------------------------------------
nvcc=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
arch=90
if nvidia-smi --query-gpu=compute_cap --format=csv,noheader >/dev/null 2>&1; then
  arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '.')
fi
log "building with $nvcc for sm_$arch"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DGLIA_CUDA=ON -DGLIA_PYTHON=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="$arch" "${cmake_args[@]}" >>"$out/build.log" 2>&1 ||
  { log "configure failed: see build.log"; tail -n 30 "$out/build.log"; exit 1; }
cmake --build build-gpu --parallel "$(nproc)" --target glia glia_cuda_tests glia_sweep_cuda_tests \
  >>"$out/build.log" 2>&1 || { log "build failed: see build.log"; tail -n 30 "$out/build.log"; exit 1; }
log "built in $(($(date +%s) - start)) s"
if [[ "${GLIA_GPU_CHECK_BUILD_ONLY:-0}" == "1" ]]; then exit 0; fi  # the build alone (for another script)

# ---- CPU-vs-GPU tests --------------------------------------------------------------------------------------
status=0
for t in glia_cuda_tests glia_sweep_cuda_tests; do
  if build-gpu/tests/$t --gtest_output="json:$out/$t.json" >"$out/$t.log" 2>&1; then
    log "$t: $(grep -E '^\[  PASSED  \]|SKIPPED \]' "$out/$t.log" | tr '\n' ' ')"
  else
    status=1
    log "$t FAILED: $(grep -E '^\[  FAILED  \]' "$out/$t.log" | tr '\n' ' ')"
  fi
done

# ---- benchmarks ----------------------------------------------------------------------------------------
python=$( [[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || command -v python3)
if "$python" scripts/gpu_bench.py --glia build-gpu/glia --out "$out/gpu_bench.json" >"$out/gpu_bench.log" 2>&1; then
  log "benchmarks: $(tail -n 1 "$out/gpu_bench.log")"
else
  status=1
  log "benchmarks failed: $(tail -n 3 "$out/gpu_bench.log" | tr '\n' ' ')"
fi
log "done in $(($(date +%s) - start)) s, status $status"
exit $status
