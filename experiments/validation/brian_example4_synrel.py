#!/usr/bin/python3
"""Validation anchor 1, Stimberg et al. (2018) example 4 (Fig. 4B, closed- and open-loop gliotransmission),
side by side: Brian 2.5.1 (runtime, NumPy target) and glia's network engine (`glia simulate`) on one model.

Model (written for this project from BIOPHYSICS.md and the paper's parameters; nothing copied from Brian's
example): 500 Poisson sources whose rate steps through 0.011, 0.11, 1.1, 11 Hz in 5 s pieces (20 s), each driving
three Tsodyks-Markram synapses (Stimberg's form: U_0* 0.6, Omega_f 3.33/s, Omega_d 2/s) without postsynaptic
effect, with synaptic glutamate Y_S (rho_c 0.005, Y_T 500 mM, Omega_c 40/s) and presynaptic receptors Gamma_S
(alpha 0, O_G 1.5/µM/s, Omega_G 1/120 /s):
  set "closed" (synapses 0..499):   astrocyte i reads synapse i's Y_S and its G_A acts back on it;
  set "open"   (synapses 500..999): astrocyte 500+i reads no glutamate, is driven by an exogenous IP3 bias
                                    (I_bias 1 µM through the bias coupling with F_ex 2 µM/s) and its G_A acts on it;
  set "none"   (synapses 1000..1499): no astrocyte.
1,000 G-ChI astrocytes with the example's parameters (network set with O_beta 3.2, O_delta 0.6 µM/s; I_bias 0
for the closed-loop ones, so their IP3 is drained above I_Theta as in the example), gliotransmitter release at
C > 0.5 µM. Everything on one 1 ms clock (astrocytes RK4). glia: three one-to-one projections from one Poisson
group, astrocytes assigned by index (`feedback` closed / open; the third set has index -1 for every synapse, i.e.
no astrocyte, which keeps its glutamate recordable).

Clock semantics differ by about a step (Brian applies a spike's release after the state update of its step and
lets synapses see the astrocyte's post-step G_A; glia stamps spikes at the end of the step and exchanges
values at the astrocyte tick, 1 ms here), which is far below the statistical resolution.

Comparison: the input is Poisson, so only statistics can agree. For each of `--seeds` seeds (default 5; the two
simulators draw their own spike trains) the mean of Y_S over the 500 synapses of a set and over the samples of
a 5 s piece (samples every 10 ms) gives one value per (set, piece). PASS when, for all 12 (set, piece) pairs,
|mean_glia - mean_brian| <= K * SE_diff (K = 4, SE_diff = sqrt(sd_glia^2/n + sd_brian^2/n), sd the seed-to-seed
standard deviation) or the difference lies within Brian's seed-to-seed range (max - min), or both are below
1e-9 µM. The time course (0.5 s bins, mean over seeds) is plotted with its seed-to-seed standard errors and
its largest |z| reported, not tested. The figure also shows the expected ordering (open < closed < none at
11 Hz in the paper).

Usage: /usr/bin/python3 experiments/validation/brian_example4_synrel.py [--seeds 5] [--quick]
       [--glia build/apps/glia] [--out-dir experiments/results]
--quick: 2 s pieces (8 s), 3 seeds. Writes OUT_DIR/brian_example4_synrel.{json,png}; prints PASS/FAIL last
and exits 1 on FAIL. Cost: ~1 min per Brian seed (NumPy runtime) at full length; glia ~1 s per seed.
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
N = 500
RATES = [0.011, 0.11, 1.1, 11.0]  # Hz
DT = 1e-3
SAMPLE = 0.01  # s
SETS = ("closed", "open", "none")
K = 4.0

SYN = {"U_0_star": 0.6, "Omega_f": 3.33, "Omega_d": 2.0, "rho_c": 0.005, "Y_T": 5e5, "Omega_c": 40.0,
       "O_G": 1.5, "Omega_G": 0.5 / 60.0, "alpha": 0.0}
GCHI = {"O_P": 0.9, "K_P": 0.05, "C_T": 2.0, "rho_A": 0.18, "Omega_C": 6.0, "Omega_L": 0.1, "d1": 0.13, "d2": 1.05,
        "O_2": 0.2, "d3": 0.9434, "d5": 0.08, "O_beta": 3.2, "O_N": 0.3, "Omega_N": 0.5, "K_KC": 0.5, "zeta": 10.0,
        "O_delta": 0.6, "kappa_delta": 1.5, "K_delta": 0.1, "Omega_5P": 0.05, "K_D": 0.7, "K_3K": 1.0, "O_3K": 4.5}
BIAS = {"F_ex": 2.0, "I_Theta": 0.3, "omega_I": 0.05}
RELEASE = {"C_Theta": 0.5, "Omega_A": 0.6, "U_A": 0.6, "G_T": 2e5, "rho_e": 6.5e-4, "Omega_e": 60.0}


def find_glia(given):
    for c in ([given] if given else []) + ["build/apps/glia", "build/glia"]:
        p = pathlib.Path(c) if os.path.isabs(c) else ROOT / c
        if p.is_file() and os.access(p, os.X_OK):
            return p
    raise SystemExit("glia binary not found (build/apps/glia or build/glia); run scripts/build.sh")


# ---------------------------------------------------------------------------------------------------- Brian
def run_brian(seed: int, piece: float) -> tuple[np.ndarray, np.ndarray]:
    """Returns sample times [T] and Y_S [3, N, T] (µM) of the three synapse sets."""
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.seed(seed)
    b2.defaultclock.dt = DT * b2.second
    s, uM, Hz = b2.second, b2.umolar, b2.Hz
    ns = {k: v for k, v in {
        "U_0_star": SYN["U_0_star"], "Omega_f": SYN["Omega_f"] * Hz, "Omega_d": SYN["Omega_d"] * Hz,
        "rho_c": SYN["rho_c"], "Y_T": SYN["Y_T"] * uM, "Omega_c": SYN["Omega_c"] * Hz,
        "O_G": SYN["O_G"] / uM / s, "Omega_G": SYN["Omega_G"] * Hz, "alpha": SYN["alpha"],
        "O_P": GCHI["O_P"] * uM / s, "K_P": GCHI["K_P"] * uM, "C_T": GCHI["C_T"] * uM, "rho_A": GCHI["rho_A"],
        "Omega_C": GCHI["Omega_C"] * Hz, "Omega_L": GCHI["Omega_L"] * Hz, "d_1": GCHI["d1"] * uM,
        "d_2": GCHI["d2"] * uM, "O_2": GCHI["O_2"] / uM / s, "d_3": GCHI["d3"] * uM, "d_5": GCHI["d5"] * uM,
        "O_beta": GCHI["O_beta"] * uM / s, "O_N": GCHI["O_N"] / uM / s, "Omega_N": GCHI["Omega_N"] * Hz,
        "K_KC": GCHI["K_KC"] * uM, "zeta": GCHI["zeta"], "O_delta": GCHI["O_delta"] * uM / s,
        "kappa_delta": GCHI["kappa_delta"] * uM, "K_delta": GCHI["K_delta"] * uM,
        "Omega_5P": GCHI["Omega_5P"] * Hz, "K_D": GCHI["K_D"] * uM, "K_3K": GCHI["K_3K"] * uM,
        "O_3K": GCHI["O_3K"] * uM / s, "F_ex": BIAS["F_ex"] * uM / s, "I_Theta": BIAS["I_Theta"] * uM,
        "omega_I": BIAS["omega_I"] * uM, "C_Theta": RELEASE["C_Theta"] * uM, "Omega_A": RELEASE["Omega_A"] * Hz,
        "U_A": RELEASE["U_A"], "G_T": RELEASE["G_T"] * uM, "rho_e": RELEASE["rho_e"],
        "Omega_e": RELEASE["Omega_e"] * Hz}.items()}
    ns["rate_of"] = b2.TimedArray(np.asarray(RATES) * Hz, dt=piece * s)
    sources = b2.PoissonGroup(N, rates="rate_of(t)", namespace=ns)
    sink = b2.NeuronGroup(N, "")
    syn = b2.Synapses(sources, sink, """
        dY_S/dt = -Omega_c*Y_S : mmolar (clock-driven)
        dGamma_S/dt = O_G*G_A*(1 - Gamma_S) - Omega_G*Gamma_S : 1 (clock-driven)
        du_S/dt = -Omega_f*u_S : 1 (event-driven)
        dx_S/dt = Omega_d*(1 - x_S) : 1 (event-driven)
        G_A : mmolar
        r_S : 1
        """, on_pre="""
        u_S += ((1 - Gamma_S)*U_0_star + alpha*Gamma_S)*(1 - u_S)
        r_S = u_S*x_S
        x_S -= r_S
        Y_S += rho_c*Y_T*r_S
        """, method="exact", namespace=ns)
    for _ in SETS:  # synapses k, N + k, 2N + k all from source k
        syn.connect(j="i")
    syn.x_S = 1.0
    # G-ChI as glia's gchi_rhs (Gamma_A and h clipped where they enter the rates), bias coupling to I_bias.
    astro = b2.NeuronGroup(2 * N, """
        dGamma_A/dt = O_N*Y_S*(1 - clip(Gamma_A, 0, 1)) - Omega_N*(1 + zeta*C/(C + K_KC))*clip(Gamma_A, 0, 1) : 1
        dI/dt = O_beta*clip(Gamma_A, 0, 1) + O_delta/(1 + I/kappa_delta)*C**2/(C**2 + K_delta**2)
                - O_3K*C**4/(C**4 + K_D**4)*I/(I + K_3K) - Omega_5P*I
                - F_ex/2*(1 + tanh((abs(I - I_bias) - I_Theta)/omega_I))*sign(I - I_bias) : mmolar
        dC/dt = (Omega_C*m_inf**3*clip(h, 0, 1)**3 + Omega_L)*(C_T - (1 + rho_A)*C) - O_P*C**2/(C**2 + K_P**2) : mmolar
        dh/dt = (Q_2/(Q_2 + C) - clip(h, 0, 1))*O_2*(Q_2 + C) : 1
        m_inf = I/(I + d_1)*C/(C + d_5) : 1
        Q_2 = d_2*(I + d_1)/(I + d_3) : mmolar
        dx_A/dt = Omega_A*(1 - x_A) : 1
        dG_A/dt = -Omega_e*G_A : mmolar
        Y_S : mmolar
        I_bias : mmolar (constant)
        """, threshold="C > C_Theta", refractory="C > C_Theta",
        reset="G_A += rho_e*G_T*U_A*x_A\nx_A -= U_A*x_A", method="rk4", namespace=ns)
    astro.C = 0.01 * uM
    astro.I = 0.01 * uM
    astro.h = 0.9
    astro.x_A = 1.0
    astro.I_bias = np.r_[np.zeros(N), np.ones(N)] * uM
    reads = b2.Synapses(syn, astro, "Y_S_post = Y_S_pre : mmolar (summed)")
    reads.connect(i=np.arange(N), j=np.arange(N))  # closed loop: synapse k -> astrocyte k
    acts = b2.Synapses(astro, syn, "G_A_post = G_A_pre : mmolar (summed)")
    acts.connect(i=np.arange(2 * N), j=np.arange(2 * N))  # astrocyte k -> synapse k (closed and open sets)
    mon = b2.StateMonitor(syn, "Y_S", record=True, dt=SAMPLE * s)
    net = b2.Network(sources, sink, syn, astro, reads, acts, mon)
    net.run(4 * piece * s)
    Y = np.asarray(mon.Y_S / uM).reshape(3, N, -1)
    return np.asarray(mon.t / s), Y


# ----------------------------------------------------------------------------------------------------- glia
def glia_config(seed: int, piece: float, output: str) -> dict:
    proj = lambda name: {"name": name, "source": "P", "connect": {"rule": "one_to_one"},  # noqa: E731
                         "model": "tsodyks_markram",
                         "params": {"U": SYN["U_0_star"], "tau_rec": 1 / SYN["Omega_d"], "tau_fac": 1 / SYN["Omega_f"]}}
    cover = lambda feedback, first: {  # noqa: E731
        "group": "A", "assign": "index", "index": list(range(first, first + N)), "feedback": feedback,
        "glutamate": {k: SYN[k] for k in ("rho_c", "Y_T", "Omega_c")},
        "gliotransmission": {k: SYN[k] for k in ("alpha", "O_G", "Omega_G")}}
    closed, open_, none = proj("closed"), proj("open"), proj("none")
    closed["astrocytes"] = cover("closed", 0)
    open_["astrocytes"] = cover("open", N)
    # No astrocyte (index -1 everywhere): glia then still tracks the set's glutamate, so Y_S can be recorded.
    none["astrocytes"] = {**cover("none", 0), "index": [-1] * N}
    mon = lambda name: {"type": "state", "target": name, "variables": ["Y_S"],  # noqa: E731
                        "indices": list(range(N)), "dt": SAMPLE}
    return {
        "simulation": {"duration": 4 * piece, "dt": DT, "seed": seed},
        "groups": [
            {"name": "P", "model": "poisson", "n": N, "rate": RATES[0], "rate_schedule": {"dt": piece, "values": RATES}},
            {"name": "A", "model": "gchi", "n": 2 * N, "dt": DT, "method": "rk4", "params": GCHI, "release": RELEASE,
             "ip3_bias": {"I_bias": [0.0] * N + [1.0] * N, **BIAS},
             "init": {"C": 0.01, "h": 0.9, "I": 0.01, "Gamma_A": 0.0, "x_A": 1.0, "G_A": 0.0}}],
        "projections": [closed, open_, none],
        "monitors": [mon("closed"), mon("open"), mon("none")],
        "output": output,
    }


def run_glia(glia, seed: int, piece: float, work: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    import h5py

    out = work / f"ex4_glia_{seed}.h5"
    cfg = work / f"ex4_glia_{seed}.json"
    cfg.write_text(json.dumps(glia_config(seed, piece, str(out))))
    subprocess.run([str(glia), "simulate", str(cfg), "-o", str(out), "-q"], check=True)
    with h5py.File(out, "r") as f:
        t = np.asarray(f["state/closed/t"])
        Y = np.stack([np.asarray(f[f"state/{name}/Y_S"]).T for name in SETS])  # [3, N, T]
    return t, Y


# --------------------------------------------------------------------------------------------- comparison
def piece_means(t, Y, piece):
    """[3, 4]: mean Y_S over synapses and the samples in each piece [k piece, (k+1) piece)."""
    m = Y.mean(axis=1)  # [3, T]
    return np.array([[m[s, (t >= k * piece - 1e-9) & (t < (k + 1) * piece - 1e-9)].mean() for k in range(4)]
                     for s in range(3)])


def binned(t, Y, T, width):
    m = Y.mean(axis=1)
    nb = int(round(T / width))
    idx = np.minimum((t / width + 1e-9).astype(int), nb - 1)
    keep = t < T - 1e-9
    return np.array([[m[s, keep & (idx == b)].mean() for b in range(nb)] for s in range(3)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Stimberg example 4 (synaptic release with gliotransmission): "
                                             "glia vs Brian 2")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="2 s pieces and 3 seeds")
    ap.add_argument("--glia", default=None)
    ap.add_argument("--out-dir", default=str(ROOT / "experiments" / "results"))
    a = ap.parse_args(argv)
    piece = 2.0 if a.quick else 5.0
    seeds = list(range(1, 1 + (a.seeds or (3 if a.quick else 5))))
    glia = find_glia(a.glia)
    work = pathlib.Path(tempfile.mkdtemp(prefix="ex4_"))
    T = 4 * piece
    Mb, Mg, Bb, Bg = [], [], [], []
    wall = {"brian": 0.0, "glia": 0.0}
    for seed in seeds:
        t0 = time.perf_counter()
        tb, Yb = run_brian(seed, piece)
        wall["brian"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        tg, Yg = run_glia(glia, seed, piece, work)
        wall["glia"] += time.perf_counter() - t0
        Mb.append(piece_means(tb, Yb, piece))
        Mg.append(piece_means(tg, Yg, piece))
        Bb.append(binned(tb, Yb, T, 0.5))
        Bg.append(binned(tg, Yg, T, 0.5))
        print(f"seed {seed}: <Y_S> at the last piece (µM) Brian " +
              ", ".join(f"{s} {Mb[-1][i, 3]:.2f}" for i, s in enumerate(SETS)) + "; glia " +
              ", ".join(f"{s} {Mg[-1][i, 3]:.2f}" for i, s in enumerate(SETS)), flush=True)
    Mb, Mg, Bb, Bg = map(np.asarray, (Mb, Mg, Bb, Bg))  # [seed, set, piece|bin]
    n = len(seeds)
    mb, mg = Mb.mean(0), Mg.mean(0)
    sb, sg = Mb.std(0, ddof=1), Mg.std(0, ddof=1)
    se = np.sqrt(sb**2 / n + sg**2 / n)
    diff = np.abs(mg - mb)
    spread = Mb.max(0) - Mb.min(0)
    tiny = (np.abs(mb) < 1e-9) & (np.abs(mg) < 1e-9)
    ok = (diff <= K * se) | (diff <= spread) | tiny
    z_bins = np.abs(Bg.mean(0) - Bb.mean(0)) / np.maximum(np.sqrt(Bb.std(0, ddof=1)**2 / n + Bg.std(0, ddof=1)**2 / n),
                                                          1e-12)
    table = {s: {f"piece_{k}_{RATES[k]:g}Hz": {
        "brian_mean_uM": float(mb[i, k]), "glia_mean_uM": float(mg[i, k]), "brian_sd_uM": float(sb[i, k]),
        "glia_sd_uM": float(sg[i, k]), "abs_diff_uM": float(diff[i, k]), "tolerance_K_se_uM": float(K * se[i, k]),
        "brian_seed_range_uM": float(spread[i, k]), "z": float(diff[i, k] / se[i, k]) if se[i, k] > 0 else 0.0,
        "pass": bool(ok[i, k])} for k in range(4)} for i, s in enumerate(SETS)}
    passed = bool(ok.all())
    results = {"what": "Stimberg example 4: mean Y_S per synapse set and rate piece, glia vs Brian 2.5.1",
               "seeds": seeds, "piece_s": piece, "rates_Hz": RATES, "quick": a.quick,
               "criterion": f"|mean diff| <= {K:g} * SE_diff, or <= Brian's seed range, per (set, piece)",
               "per_set_and_piece": table,
               "time_course_bins_s": 0.5, "time_course_max_abs_z": float(np.nanmax(z_bins)),
               "time_course": {"brian_mean_uM": Bb.mean(0).tolist(), "glia_mean_uM": Bg.mean(0).tolist()},
               "wall_s": wall, "pass": passed}
    out = pathlib.Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "_quick" if a.quick else ""
    (out / f"brian_example4_synrel{suffix}.json").write_text(json.dumps(results, indent=2) + "\n")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(4, 1, figsize=(7, 9), sharex=True, constrained_layout=True,
                           gridspec_kw={"height_ratios": [1, 3, 3, 3]})
    ax[0].step([k * piece for k in range(5)], RATES + RATES[-1:], where="post", color="k")
    ax[0].set(yscale="log", ylabel="rate (Hz)")
    ax[0].set_title(f"Stimberg example 4: glia vs Brian 2.5.1, {n} seeds (mean ± SE over seeds, 0.5 s bins)",
                    fontsize=10)
    centers = (np.arange(Bb.shape[2]) + 0.5) * 0.5
    for i, (s, row) in enumerate(zip(SETS, ("none", "open", "closed"))):
        j = SETS.index(row)
        axi = ax[1 + i]
        for name, B, c in (("Brian", Bb, "k"), ("glia", Bg, "C3")):
            m, e = B[:, j].mean(0), B[:, j].std(0, ddof=1) / np.sqrt(n)
            axi.plot(centers, m, color=c, label=name)
            axi.fill_between(centers, m - e, m + e, color=c, alpha=0.25)
        axi.set(ylabel=r"$\langle Y_S \rangle$ (µM)", title=f"{row}-loop gliotransmission" if row != "none"
                else "no gliotransmission")
        axi.legend(loc="upper left")
    ax[-1].set_xlabel("time (s)")
    fig.savefig(out / f"brian_example4_synrel{suffix}.png", dpi=90)
    for s in SETS:
        print(f"{s:>6}: " + "  ".join(
            f"{v['glia_mean_uM']:.3g}/{v['brian_mean_uM']:.3g} (z {v['z']:.1f})" for v in table[s].values()))
    print(f"wrote {out / f'brian_example4_synrel{suffix}.json'} and .png; wall Brian {wall['brian']:.0f} s, "
          f"glia {wall['glia']:.1f} s")
    shutil.rmtree(work, ignore_errors=True)
    bad = [f"{s} {k}" for s in SETS for k, v in table[s].items() if not v["pass"]]
    print(("PASS" if passed else "FAIL") + f": example 4, <Y_S> glia vs Brian per set and piece, {n} seeds, "
          f"criterion {K:g} SE or Brian's seed range" + ("" if passed else f"; failing: {', '.join(bad)}"))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
