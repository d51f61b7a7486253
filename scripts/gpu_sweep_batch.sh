#!/usr/bin/env bash
# On the GPU machine, after scripts/gpu_check.sh has built build-gpu/: the network-config sweep of
# experiments/configs/sweep_network_batch.json (64 variants of a 1000-neuron network with 100 astrocytes)
# on the CPU (all cores) and on the GPU, one variant at a time (--chunk 1) and as one batch (--chunk 64);
# wall times and the summaries compared (CPU chunk 1 = CPU chunk 64 bit for bit; GPU against CPU).
# Usage: bash scripts/gpu_sweep_batch.sh OUT_DIR     (writes OUT_DIR/gpu_sweep_batch.json)
# DEVICES="cpu cuda" and CHUNKS="64 1" choose the runs (a run left out is NaN/null in the file).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cd "${1:?usage: gpu_sweep_batch.sh OUT_DIR}" && pwd)
glia=${GLIA:-build-gpu/glia}
work=$(mktemp -d)
cfg=${CONFIG:-experiments/configs/sweep_network_batch.json}
sed 's/"model": "network",/"model": "network", "device": "cuda",/' "$cfg" >"$work/cuda.json"
declare -A wall
wall=([cpu_64]=nan [cpu_1]=nan [cuda_64]=nan [cuda_1]=nan)
for device in ${DEVICES:-cpu cuda}; do
  for chunk in ${CHUNKS:-64 1}; do
    c=$cfg
    [[ $device == cuda ]] && c=$work/cuda.json
    t0=$EPOCHREALTIME
    "$glia" sweep "$c" -o "$work/${device}_$chunk.h5" --chunk "$chunk" -q
    wall[${device}_$chunk]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
    echo "$device chunk $chunk: ${wall[${device}_$chunk]} s"
  done
done
# A Python with h5py: Debian's here, the image's own (first on PATH) on the GPU machine.
python=/usr/bin/python3
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c "import h5py, numpy" 2>/dev/null; then python=$(command -v "$p"); break; fi
done
"$python" - "$work" "$out/gpu_sweep_batch.json" "${wall[cpu_64]}" "${wall[cpu_1]}" "${wall[cuda_64]}" "${wall[cuda_1]}" \
  "${GLIA_COMMIT:-}" <<'PY'
import json, os, sys
import h5py, numpy as np
work, out, c64, c1, g64, g1, commit = sys.argv[1:]
def summaries(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):  # that device was not run (DEVICES)
        return None
    with h5py.File(path, "r") as f:
        return {k: f["summaries"][k][()] for k in f["summaries"]}
a, b, g, h = (summaries(f"{n}.h5") for n in ("cpu_64", "cpu_1", "cuda_64", "cuda_1"))
same = lambda x, y: None if x is None or y is None else all(np.array_equal(x[k], y[k]) for k in x)
rel = None if g is None else max(float(np.max(np.abs(g[k] - a[k]) / (1e-12 + np.abs(a[k])))) for k in a)
r = {"commit": commit, "cpus": os.cpu_count(), "variants": 64,
     "wall_s": {"cpu_batch": float(c64), "cpu_one_by_one": float(c1), "gpu_batch": float(g64),
                "gpu_one_by_one": float(g1)},
     "cpu_batch_equals_one_by_one": same(a, b), "gpu_batch_equals_gpu_one_by_one": same(g, h),
     "gpu_vs_cpu_max_relative_difference": rel,
     "summary_means": {k: float(np.mean(a[k])) for k in a}}
open(out, "w").write(json.dumps(r, indent=1))
print(json.dumps(r))
PY
rm -rf "$work"
