#!/usr/bin/python3
"""Validation anchor 1, Stimberg et al. (2018) example 6 (Fig. 6, recurrent neuron-astrocyte network), side by
side: Brian 2.5.1 C++ standalone (experiments/reference/brian_fig6.py) and glia's network engine (`glia simulate`
on experiments/configs/fig6_config.py's config) on one model: 3,200 E + 800 I COBA LIF, 3,200 G-ChI astrocytes,
~1.28 M Tsodyks-Markram synapses with Y_S and Gamma_S, IP3 coupling, 0.1 ms Euler / 10 ms RK4, stimulus
100 pA x [1, 1.2, 1, 1] in 2 s pieces, the project's tripartite rule (astrocyte nearest to the postsynaptic
neuron; see brian_fig6.py's docstring for this one change from the example).

Brian runs its `--lean` build by default: the example's structure without the Y_S/Gamma_S state of the I-source
synapses, which nothing reads -- identical numbers, half the cost (`--brian-example` for the example's
structure). Known difference in clock semantics: glia's synapses use the astrocyte's G_A sampled at the start of
each 10 ms astrocyte step, Brian's the post-step G_A over the preceding step (a 10 ms lag); spikes are stamped
at the end of their step in glia, at its start in Brian (0.1 ms).

Comparison: the network is chaotic and each simulator draws its own connectivity and initial state from the
seed, so only statistics can agree. For each of `--seeds` seeds (default 3) both are run and give, per 2 s
stimulus piece: mean E rate, mean I rate (Hz), astrocyte releases per astrocyte per second, the time mean of
the population-mean astrocyte C (µM); and the fraction of astrocytes that released at least once. PASS when
each of these lies within K = 4 standard errors of the difference (SE_diff = sqrt(sd_glia^2/n + sd_brian^2/n),
sd the seed-to-seed standard deviation), or within Brian's seed-to-seed range (max - min), or both are below
1e-9. Seed-to-seed spreads of 3 seeds are rough, so K is generous; the figure shows every seed.

Cost: Brian ~35 s per biological second (lean, 1 thread, scale 1) plus ~1 min build: the default (scale 1, 8 s,
3 seeds) takes ~15-20 min, glia a few seconds. --quick: scale 0.25, 4 s, 3 seeds (about 1-2 min).
Usage: nice -n 5 /usr/bin/python3 experiments/validation/brian_example6_network.py [--quick] [--scale 1]
       [--duration 8] [--seeds 3] [--threads 1] [--brian-example] [--glia build/apps/glia]
       [--out-dir experiments/results]
Writes OUT_DIR/brian_example6_network{,_quick}.{json,png}; prints PASS/FAIL last, exits 1 on FAIL.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments" / "configs"))
sys.path.insert(0, str(ROOT / "experiments" / "reference"))
from fig6_config import fig6_config, read_glia_fig6  # noqa: E402
from fig6_geometry import sizes  # noqa: E402

BRIAN_SCRIPT = ROOT / "experiments" / "reference" / "brian_fig6.py"
K = 4.0
QUANTITIES = ("rate_E_Hz", "rate_I_Hz", "release_per_astrocyte_per_s", "mean_C_uM_per_piece")


def find_glia(given):
    for c in ([given] if given else []) + ["build/apps/glia", "build/glia"]:
        p = pathlib.Path(c) if os.path.isabs(c) else ROOT / c
        if p.is_file() and os.access(p, os.X_OK):
            return p
    raise SystemExit("glia binary not found (build/apps/glia or build/glia); run scripts/build.sh")


def run_brian(work, scale, duration, seed, threads, lean):
    out, spikes = work / f"brian_{seed}.json", work / f"brian_{seed}.npz"
    cmd = ["nice", "-n", "5", "/usr/bin/python3", str(BRIAN_SCRIPT), "--scale", str(scale), "--duration",
           str(duration), "--seed", str(seed), "--threads", str(threads), "--build-dir", str(work / "brian_build"),
           "--out", str(out), "--spikes", str(spikes)] + (["--lean"] if lean else [])
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise RuntimeError(f"Brian failed:\n{proc.stderr[-3000:]}")
    r = json.loads(out.read_text())
    d = np.load(spikes)
    return r, {"t_E": d["t_E"], "t_I": d["t_I"], "C_t": d["C_t"], "C_mean": d["C_mean"]}


def run_glia(glia, work, scale, duration, seed, threads):
    cfg, out = work / f"glia_{seed}.json", work / f"glia_{seed}.h5"
    cfg.write_text(json.dumps(fig6_config(scale, duration, seed, "stats", str(out))))
    t0 = time.perf_counter()
    subprocess.run([str(glia), "simulate", str(cfg), "-o", str(out), "-q", "--threads", str(threads)], check=True)
    wall = time.perf_counter() - t0
    g = read_glia_fig6(out)
    return g["statistics"], wall, {"t_E": g["spikes"]["E"][0], "t_I": g["spikes"]["I"][0], "C_t": g["C_t"],
                                   "C_mean": g["C_mean"]}, g["attrs"]


def compare(B: list, G: list) -> dict:
    """Per quantity and piece: means, sds, difference, tolerance, pass."""
    out = {}
    n = len(B)
    keys = [(q, k) for q in QUANTITIES for k in range(len(B[0][q]))] + [("fraction_astrocytes_released", None)]
    for q, k in keys:
        b = np.array([s[q] if k is None else s[q][k] for s in B], float)
        g = np.array([s[q] if k is None else s[q][k] for s in G], float)
        mb, mg = b.mean(), g.mean()
        sb, sg = (b.std(ddof=1), g.std(ddof=1)) if n > 1 else (0.0, 0.0)
        se = float(np.sqrt(sb**2 / n + sg**2 / n))
        diff = abs(mg - mb)
        rng = float(b.max() - b.min())
        ok = diff <= K * se or diff <= rng or (abs(mb) < 1e-9 and abs(mg) < 1e-9)
        out[q if k is None else f"{q}[piece {k}]"] = {
            "brian_mean": float(mb), "glia_mean": float(mg), "brian_sd": float(sb), "glia_sd": float(sg),
            "brian_per_seed": b.tolist(), "glia_per_seed": g.tolist(), "abs_diff": float(diff),
            "tolerance_K_se": K * se, "brian_seed_range": rng, "z": float(diff / se) if se > 0 else 0.0,
            "pass": bool(ok)}
    return out


def figure(path, duration, B_tr, G_tr, Bs, Gs, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(4, 1, figsize=(8, 10), constrained_layout=True)
    edges = np.arange(0, duration + 1e-9, 0.01)
    for tr, name, c in ((B_tr[0], "Brian", "k"), (G_tr[0], "glia", "C3")):
        h, _ = np.histogram(np.r_[tr["t_E"], tr["t_I"]], edges)
        n_cells = tr["n_cells"]
        ax[0].plot(edges[:-1], np.maximum(h / n_cells / 0.01, 1e-2), color=c, lw=0.8, label=f"{name} (first seed)")
    ax[0].set(yscale="log", ylabel="E+I rate (Hz, 10 ms bins)", xlim=(0, duration))
    ax[0].legend(loc="upper right", fontsize=8)
    ax[0].set_title(title, fontsize=10)
    npieces = len(Bs[0]["rate_E_Hz"])
    x = np.arange(npieces)
    for a_, q, lab in ((ax[1], "rate_E_Hz", "E"), (ax[1], "rate_I_Hz", "I"),
                       (ax[2], "release_per_astrocyte_per_s", "releases")):
        off = -0.15 if lab != "I" else 0.05
        for S, name, c, dx in ((Bs, "Brian", "k", 0.0), (Gs, "glia", "C3", 0.1)):
            v = np.array([s[q] for s in S])
            a_.plot(np.repeat(x + off + dx, len(S)).reshape(npieces, -1).T.ravel(), v.ravel(), "o", ms=3, color=c,
                    alpha=0.5, mfc="none" if lab == "I" else c)
            a_.errorbar(x + off + dx, v.mean(0), yerr=v.std(0, ddof=1) / np.sqrt(len(S)) if len(S) > 1 else None,
                        fmt="_", ms=14, color=c, label=f"{name} {lab}")
    ax[1].set(ylabel="rate (Hz)", xticks=x, xticklabels=[f"piece {k}" for k in x], xlim=(-0.5, npieces - 0.5))
    ax[1].legend(fontsize=8, ncol=2)
    ax[2].set(ylabel="releases / astrocyte / s", xticks=x, xticklabels=[f"piece {k}" for k in x],
              xlim=(-0.5, npieces - 0.5))
    ax[1].set_title("per 2 s stimulus piece: seeds (dots; open: I) and mean ± SE", fontsize=9)
    ax[2].legend(fontsize=8)
    for trs, name, c in ((B_tr, "Brian", "k"), (G_tr, "glia", "C3")):
        for j, tr in enumerate(trs):
            ax[3].plot(tr["C_t"], tr["C_mean"], color=c, lw=0.8, alpha=0.7, label=name if j == 0 else None)
    ax[3].set(xlabel="time (s)", ylabel="population-mean C (µM)", xlim=(0, duration))
    ax[3].legend(fontsize=8)
    fig.savefig(path, dpi=90)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Stimberg example 6 (Fig. 6 network): glia vs Brian 2 C++ standalone")
    ap.add_argument("--quick", action="store_true", help="scale 0.25, 4 s, 3 seeds")
    ap.add_argument("--scale", type=float, default=None)
    ap.add_argument("--duration", type=float, default=None)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="for both simulators")
    ap.add_argument("--brian-example", action="store_true", help="Brian with the example's structure, not --lean")
    ap.add_argument("--glia", default=None)
    ap.add_argument("--out-dir", default=str(ROOT / "experiments" / "results"))
    a = ap.parse_args(argv)
    scale = a.scale if a.scale is not None else (0.25 if a.quick else 1.0)
    duration = a.duration if a.duration is not None else (4.0 if a.quick else 8.0)
    seeds = [28371 + k for k in range(a.seeds)]
    glia = find_glia(a.glia)
    work = pathlib.Path(tempfile.mkdtemp(prefix="ex6_"))
    Bs, Gs, B_tr, G_tr, walls, attrs = [], [], [], [], {"brian_run": [], "glia": []}, None
    print(f"example 6: scale {scale:g}, {duration:g} s, seeds {seeds}, {a.threads} thread(s); work dir {work}",
          flush=True)
    for seed in seeds:
        t0 = time.perf_counter()
        rb, trb = run_brian(work, scale, duration, seed, a.threads, not a.brian_example)
        sg, wg, trg, attrs = run_glia(glia, work, scale, duration, seed, a.threads)
        n_cells = rb["n_e"] + rb["n_i"]
        trb["n_cells"] = trg["n_cells"] = n_cells
        Bs.append(rb["statistics"])
        Gs.append(sg)
        B_tr.append(trb)
        G_tr.append(trg)
        walls["brian_run"].append(rb["run_seconds"])
        walls["glia"].append(wg)
        print(f"seed {seed} ({time.perf_counter() - t0:.0f} s): E {rb['statistics']['rate_E_Hz_overall']:.2f}/"
              f"{sg['rate_E_Hz_overall']:.2f} Hz, I {rb['statistics']['rate_I_Hz_overall']:.2f}/"
              f"{sg['rate_I_Hz_overall']:.2f} Hz, releases {rb['statistics']['releases_total']}/"
              f"{sg['releases_total']}, mean C {rb['statistics']['mean_C_uM']:.4f}/{sg['mean_C_uM']:.4f} µM "
              f"(Brian/glia; Brian run {rb['run_seconds']:.0f} s, glia {wg:.1f} s)", flush=True)
    table = compare(Bs, Gs)
    passed = all(v["pass"] for v in table.values())
    results = {"what": "Stimberg example 6 (Fig. 6 network) statistics, glia vs Brian 2.5.1 C++ standalone",
               "scale": scale, "duration_s": duration, "seeds": seeds, "threads": a.threads,
               "brian_build": "example" if a.brian_example else "lean", "quick": a.quick,
               "sizes": {k: v for k, v in sizes(scale).items()},
               "criterion": f"|mean diff| <= {K:g} * SE_diff, or <= Brian's seed range, per quantity and piece",
               "comparison": table, "brian_statistics": Bs, "glia_statistics": Gs,
               "wall_s": walls, "glia_version": attrs.get("glia_version"), "glia_git_commit": attrs.get("git_commit"),
               "pass": passed}
    out = pathlib.Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = "brian_example6_network" + ("_quick" if a.quick else "")
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    figure(out / f"{stem}.png", duration, B_tr, G_tr, Bs, Gs,
           f"Stimberg example 6 (scale {scale:g}): glia vs Brian 2.5.1, {len(seeds)} seeds")
    for k, v in table.items():
        print(f"  {k:<42} Brian {v['brian_mean']:.4g} ± {v['brian_sd']:.2g}, glia {v['glia_mean']:.4g} ± "
              f"{v['glia_sd']:.2g}  z {v['z']:.1f}{'' if v['pass'] else '  <-- FAIL'}")
    print(f"wrote {out / stem}.json and .png")
    shutil.rmtree(work, ignore_errors=True)
    bad = [k for k, v in table.items() if not v["pass"]]
    print(("PASS" if passed else "FAIL") + f": example 6 network statistics glia vs Brian, scale {scale:g}, "
          f"{duration:g} s, {len(seeds)} seeds, criterion {K:g} SE or Brian's seed range"
          + ("" if passed else f"; failing: {', '.join(bad)}"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
