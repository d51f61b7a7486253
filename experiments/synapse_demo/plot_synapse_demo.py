#!/usr/bin/env python3
"""Plots the synapse demo (experiments/configs/synapse_demo.json) from its HDF5 result.

Usage: plot_synapse_demo.py RESULT.h5 OUT.png
Reads the file with glia.load, so the figure shows exactly what the file holds.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import glia  # noqa: E402


def main(result_path: str, png_path: str) -> None:
    r = glia.load(result_path)
    fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True, constrained_layout=True)
    for name, color in (("depressing", "tab:red"), ("facilitating", "tab:blue")):
        s = r.state[name]
        axes[0].plot(s["t"], s["x"][:, 0], color=color, label=f"{name}: x (resources)")
        axes[0].plot(s["t"], s["u"][:, 0], color=color, ls="--", label=f"{name}: u (facilitation)")
        sp = r.spikes[name]
        axes[1].plot(sp["t"], sp["r"], "o-", color=color, ms=3, label=f"{name}: release r = u x")
    s = r.state["poisson_driven"]
    for k, idx in enumerate(s["indices"]):
        axes[2].plot(s["t"], s["x"][:, k], lw=0.8, label=f"Poisson-driven synapse {idx}: x")
    sp = r.spikes["poisson_driven"]
    axes[0].set_ylabel("state")
    axes[1].set_ylabel("released fraction")
    axes[2].set_ylabel("x")
    axes[2].set_xlabel("time (s)")
    for ax in axes:
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(
        f"Tsodyks–Markram synapses, 20 Hz drive (glia {r.attrs['glia_version']}, seed {r.attrs['seed']}, "
        f"mean Poisson-driven release {np.mean(sp['r']):.3f})",
        fontsize=9,
    )
    fig.savefig(png_path, dpi=110)
    dep, fac = r.spikes["depressing"]["r"], r.spikes["facilitating"]["r"]
    print(
        f"synapse demo: depressing release {dep[0]:.3f} -> {dep[-1]:.4f}, "
        f"facilitating {fac[0]:.3f} -> {fac[-1]:.4f} over {dep.size} spikes at 20 Hz; "
        f"{sp['t'].size} Poisson spikes; plot {png_path}"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
