#!/usr/bin/env bash
# The main job: install what is missing, build, run the demo simulation, plot it.
# Writes results/synapse_demo.h5 and results/synapse_demo.png and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p results
build/glia simulate experiments/configs/synapse_demo.json --output results/synapse_demo.h5
PYTHONPATH=build/python /usr/bin/python3 experiments/synapse_demo/plot_synapse_demo.py \
  results/synapse_demo.h5 results/synapse_demo.png
