#!/usr/bin/env bash
# The README's ListOps-512 accuracy runs (issue #17): every config × seed below, JOBS runs at a time, one thread
# each. A run that was stopped resumes from its checkpoint (glia train does that by itself); a finished one
# (result.json present) is skipped. Then collect the results for the README, each config with the seeds it ran
# (and remove the config's older single-run file, experiments/results/accuracy/<stem>.json, if any):
#   /usr/bin/python3 scripts/collect_accuracy.py experiments/configs/nn/listops512_rmaat.json ... --seeds 0 1 2
#   /usr/bin/python3 scripts/collect_accuracy.py experiments/configs/nn/listops512_at.json ... --seeds 0
#   /usr/bin/python3 scripts/readme_results.py
#
# Usage: bash scripts/run_accuracy.sh [JOBS]     (default 2; logs in results/logs/)
# GLIA=path runs another binary than build/glia (a copy, so that rebuilding does not touch running runs).
# ONLY="name ..." runs only those configs of the queue (e.g. ONLY="text4096_rmaat text4096_rlt"), so that a second
# invocation never trains a run that another one is training.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-2}
export GLIA=${GLIA:-build/glia}
data=data/generated/listops-512
if [[ ! -f $data/manifest.json ]]; then
  "$GLIA" data generate listops -o "$data" --min-length 64 --max-length 512
fi
# The text and retrieval surrogates (docs/data.md): the npm corpora, then the data sets (seed 1, 4096 bytes).
if [[ ! -f data/generated/listops/manifest.json ]]; then
  "$GLIA" data generate listops -o data/generated/listops -q  # the LRA rule at full length, 96k/2k/2k
fi
if [[ ! -f data/generated/pathfinder32-40k/manifest.json ]]; then
  "$GLIA" data generate pathfinder32 -o data/generated/pathfinder32-40k --train 40000 --val 2000 --test 2000 -q
fi
if [[ ! -f data/generated/text-4096/manifest.json || ! -f data/generated/retrieval-4096/manifest.json ]]; then
  bash scripts/fetch-text-data.sh
  "$GLIA" data generate text -o data/generated/text-4096 -q
  "$GLIA" data generate retrieval -o data/generated/retrieval-4096 -q
fi
mkdir -p results/logs

# Three seeds: the retention ablation (none, sum, mean, gated) and rmaat against rlt and rmt; one seed elsewhere.
queue=()
for seed in 0 1 2; do
  for name in rmaat rlt rmt rmaat_no_retention rmaat_rf_sum rmaat_gated; do queue+=("listops512_$name $seed"); done
done
for name in at rmaat_sigmoid transformer srformer fam; do queue+=("listops512_$name 0"); done
for name in text4096_rmaat text4096_rlt retrieval4096_rmaat retrieval4096_rlt pathfinder32_rmaat; do
  queue+=("$name 0")
done
# ListOps at full length (500-2000 tokens): long runs (20k steps) that resume across sittings; the learning
# curves: scripts/plot_learning_curves.py experiments/configs/nn/listops2000_{transformer,rmt,rlt,rmaat}.json
for name in listops2000_rmaat listops2000_rlt listops2000_rmt listops2000_transformer; do queue+=("$name 0"); done
if [[ -n ${ONLY:-} ]]; then
  kept=()
  for item in "${queue[@]}"; do
    for name in $ONLY; do [[ ${item%% *} == "$name" || ${item%% *} == "listops512_$name" ]] && kept+=("$item"); done
  done
  queue=("${kept[@]}")
fi

run_one() {
  local name=$1 seed=$2
  local config=experiments/configs/nn/$name.json
  local out
  out=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['output'])" "$config")_seed$seed
  if [[ -f $out/result.json ]]; then
    echo "run_accuracy: $name seed $seed: finished earlier ($out)"
    return 0
  fi
  echo "run_accuracy: $name seed $seed -> $out"
  if "$GLIA" train "$config" --threads 1 --seed "$seed" -o "$out" >"results/logs/${name}_seed$seed.log" 2>&1; then
    echo "run_accuracy: $name seed $seed done: $(grep -E 'test: accuracy' "results/logs/${name}_seed$seed.log")"
  else
    local rc=$?
    echo "run_accuracy: $name seed $seed FAILED (exit $rc): see results/logs/${name}_seed$seed.log"
    return "$rc"  # xargs then exits non-zero
  fi
}
export -f run_one
printf '%s\n' "${queue[@]}" | xargs -P "$jobs" -L 1 bash -c 'run_one $0 $1'
