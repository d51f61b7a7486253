#!/usr/bin/env python3
"""Plots a run of the Stimberg et al. (2019) Fig. 6 neuron–astrocyte network
(experiments/configs/stimberg_fig6.json) in the paper's layout: the external stimulus, a raster of
excitatory and inhibitory spikes and astrocyte gliotransmitter releases, the population rates, and
astrocyte Ca²⁺. Prints the figures a reader checks (rates before, during and after the stimulus,
release counts, mean Ca²⁺).

Usage: plot_fig6.py RESULT.h5 OUT.png [--summary OUT.json]
Reads the file with glia.load, so the figure shows exactly what the file holds.
"""

import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import glia  # noqa: E402

SHOWN = {"E": 400, "I": 100, "A": 400}  # elements shown in the raster
COLORS = {"E": "tab:red", "I": "tab:blue", "A": "tab:green"}


def smooth(rate: np.ndarray, bin_s: float, width_s: float = 0.05) -> np.ndarray:
    k = max(1, int(round(width_s / bin_s)))
    return np.convolve(rate, np.ones(k) / k, mode="same")


def stimulus(config: dict, t: np.ndarray) -> np.ndarray:
    """I_ext of the E group (pA) over time, from the resolved config."""
    g = next(g for g in config["groups"] if g["name"] == "E")
    base = g["params"]["I_ext"]
    s = g.get("I_ext_schedule")
    if not s:
        return np.full_like(t, base * 1e12)
    k = np.clip(np.floor(t / s["dt"] + 1e-9).astype(int), 0, len(s["factors"]) - 1)
    return base * np.asarray(s["factors"])[k] * 1e12


def summary(r: glia.SimulationResult) -> dict:
    duration = r.config["simulation"]["duration"]
    g = next(g for g in r.config["groups"] if g["name"] == "E")
    sched = g.get("I_ext_schedule", {"dt": duration, "factors": [1.0]})
    out = {"duration_s": duration, "run_seconds": float(r.attrs.get("run_seconds", float("nan")))}
    for name in ("E", "I"):
        n = next(gg["n"] for gg in r.config["groups"] if gg["name"] == name)
        t = r.spikes[name]["t"]
        for k, f in enumerate(sched["factors"]):
            a, b = k * sched["dt"], min((k + 1) * sched["dt"], duration)
            if a < duration:
                out[f"{name}_rate_Hz_{a:g}_{b:g}s"] = float(np.sum((t >= a) & (t < b)) / (n * (b - a)))
    out["astrocyte_releases"] = int(r.spikes["A"]["t"].size)
    out["mean_C_uM"] = float(np.mean(r.mean["A"]["C"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("result")
    ap.add_argument("png")
    ap.add_argument("--summary", help="also write the printed figures as JSON here")
    a = ap.parse_args()
    r = glia.load(a.result)
    duration = r.config["simulation"]["duration"]
    fig, ax = plt.subplots(5, 1, figsize=(8, 10), sharex=True, constrained_layout=True,
                           gridspec_kw={"height_ratios": [1, 3, 1.5, 2, 2]})
    t = np.linspace(0, duration, 2001)
    ax[0].plot(t, stimulus(r.config, t), color="k")
    ax[0].set_ylabel("I_ext (pA)")
    ax[0].set_title("external stimulus (E neurons)", fontsize=9, loc="left")
    offset = 0
    for name in ("E", "I"):
        sp = r.spikes[name]
        keep = sp["i"] < SHOWN[name]
        ax[1].plot(sp["t"][keep], sp["i"][keep] + offset, ".", ms=0.8, color=COLORS[name], label=name)
        offset += SHOWN[name]
    ax[1].set_ylabel("neuron")
    ax[1].set_title(f"spikes of the first {SHOWN['E']} E and {SHOWN['I']} I neurons", fontsize=9, loc="left")
    ax[1].legend(loc="upper right", markerscale=10, fontsize=8)
    sp = r.spikes["A"]
    keep = sp["i"] < SHOWN["A"]
    ax[2].plot(sp["t"][keep], sp["i"][keep], "|", ms=3, color=COLORS["A"])
    ax[2].set_ylabel("astrocyte")
    ax[2].set_title(f"gliotransmitter releases of the first {SHOWN['A']} astrocytes", fontsize=9, loc="left")
    for name in ("E", "I"):
        rr = r.rates[name]
        bin_s = rr["t"][1] - rr["t"][0]
        ax[3].plot(rr["t"], smooth(rr["rate"], bin_s), color=COLORS[name], lw=1, label=name)
    ax[3].set_ylabel("rate (Hz)")
    ax[3].set_title("population rates (50 ms window)", fontsize=9, loc="left")
    ax[3].legend(loc="upper right", fontsize=8)
    st = r.state["A"]
    for k, idx in enumerate(st["indices"]):
        ax[4].plot(st["t"], st["C"][:, k], lw=0.8, alpha=0.8, label=f"astrocyte {idx}")
    ax[4].plot(r.mean["A"]["t"], r.mean["A"]["C"], color="k", lw=1.5, label="mean")
    ax[4].set_ylabel("Ca²⁺ (µM)")
    ax[4].set_xlabel("time (s)")
    ax[4].set_title("astrocyte Ca²⁺", fontsize=9, loc="left")
    ax[4].legend(loc="upper right", fontsize=7, ncol=3)
    s = summary(r)
    fig.suptitle(f"Stimberg et al. Fig. 6 network in glia {r.attrs['glia_version']} ({r.attrs['git_commit'][:7]}), "
                 f"seed {r.attrs['seed']}: {duration:g} s in {s['run_seconds']:.1f} s", fontsize=9)
    fig.savefig(a.png, dpi=110)
    for k, v in s.items():
        print(f"  {k}: {v:.4g}" if isinstance(v, float) else f"  {k}: {v}")
    print(f"  wrote {a.png}")
    if a.summary:
        with open(a.summary, "w", encoding="utf-8") as f:
            json.dump(s, f, indent=1)


if __name__ == "__main__":
    main()
