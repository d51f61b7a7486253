#!/usr/bin/env bash
# Installs the Debian packages glia needs to build, test and run its demo.
# Idempotent: packages already present are skipped and apt-get update runs at most once.
# Usage: scripts/install-deps.sh [--validation]
#   --validation  also install the reference tools used by validation scripts and benchmarks
#                 (Brian 2 with its examples, PyTorch, OpenBLAS).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libhdf5-dev libeigen3-dev libboost-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libomp-dev
  pybind11-dev python3-dev python3-numpy python3-h5py python3-matplotlib python3-pytest python3-scipy python3-pandas
  python3-brian python3-nbclient python3-nbformat python3-ipykernel
  python3-torch libopenblas0-pthread  # the PyTorch reference the nn ops are tested against
  zlib1g-dev dataset-fashion-mnist  # sFashion-MNIST (gzip-compressed IDX files; docs/data.md)
  libopenmpi-dev openmpi-bin  # `mpirun -np N glia sweep` (docs/sweep_config.md)
)
if [[ "${1:-}" == "--validation" ]]; then
  packages+=(python-brian-doc)
elif [[ -n "${1:-}" ]]; then
  echo "install-deps.sh: unknown option '$1' (expected --validation or nothing)" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
