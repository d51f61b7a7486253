#!/usr/bin/env bash
# The main job: install what is missing, build, run the Stimberg et al. (2019) Fig. 6 neuron–astrocyte
# network for its full 8 s (4,000 LIF neurons, 3,200 G-ChI astrocytes, 1.28 M tripartite synapses; a 20 %
# stronger drive from 2 to 4 s), and plot it in the paper's layout.
# Writes results/fig6.h5, results/fig6.png and results/fig6_summary.json and prints a summary.
# (The Tsodyks–Markram synapse demo stays as an example: experiments/configs/synapse_demo.json.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p results
build/glia simulate experiments/configs/stimberg_fig6.json --output results/fig6.h5
PYTHONPATH=build/python /usr/bin/python3 experiments/fig6/plot_fig6.py results/fig6.h5 results/fig6.png \
  --summary results/fig6_summary.json
