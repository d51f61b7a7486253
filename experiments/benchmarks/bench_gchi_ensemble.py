#!/usr/bin/env python3
"""Throughput of batched G-ChI astrocyte variants: glia.integrate_cells against a SciPy solve_ivp loop,
a NumPy-vectorised RK4 and a Brian 2 (runtime, numpy target) NeuronGroup, on the same design.

Design: n variants of the single-astrocyte G-ChI model with constant glutamate Y_S log-spaced in
[0.01, 10] µM, 10 s of biological time. glia, NumPy and Brian integrate with RK4 at dt = 1 ms; SciPy uses
its default adaptive RK45 (rtol 1e-6), timed on a subsample of variants because a loop's cost is linear
in their number. Figure: variants x biological seconds per wall second. Ratios are medians of
interleaved pairs (A, B, A, B, ...) as BENCHMARKS.md asks.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_gchi_ensemble.py [--quick]
Writes experiments/results/bench_gchi_ensemble.{json,md}; prints the summary line last.
"""

import json
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

import glia

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
import astrocytes_scipy as ref  # noqa: E402

T = 10.0
DT = 1e-3
P = ref.GCHI_SINGLE


def design(n):
    return np.logspace(-2, 1, n)


def run_glia(n):
    t0 = time.perf_counter()
    glia.integrate_cells(n, T, DT, parameter_set="single_astrocyte", Y_S=design(n), initial={"I": 0.1, "C": 0.05})
    return time.perf_counter() - t0


def run_numpy(n):
    """RK4 over all variants at once with NumPy arrays (the equations of BIOPHYSICS.md §3)."""
    Y = design(n)
    y = np.zeros((4, n))
    y[1], y[2], y[3] = 0.1, 0.05, 0.9

    def f(s):
        g, I, C, h = np.clip(s[0], 0, 1), s[1], s[2], np.clip(s[3], 0, 1)
        C2 = C * C
        d = np.empty_like(s)
        d[0] = P["O_N"] * Y * (1 - g) - P["Omega_N"] * (1 + P["zeta"] * C / (C + P["K_KC"])) * g
        d[1] = (P["O_beta"] * g + P["O_delta"] / (1 + I / P["kappa_delta"]) * C2 / (C2 + P["K_delta"] ** 2)
                - P["O_3K"] * C2 * C2 / (C2 * C2 + P["K_D"] ** 4) * I / (I + P["K_3K"]) - P["Omega_5P"] * I)
        m = I / (I + P["d1"]) * C / (C + P["d5"])
        d[2] = (P["Omega_C"] * m**3 * h**3 + P["Omega_L"]) * (P["C_T"] - (1 + P["rho_A"]) * C) - P["O_P"] * C2 / (
            C2 + P["K_P"] ** 2)
        Q2 = P["d2"] * (I + P["d1"]) / (I + P["d3"])
        d[3] = (Q2 / (Q2 + C) - h) * P["O_2"] * (Q2 + C)
        return d

    t0 = time.perf_counter()
    for _ in range(int(round(T / DT))):
        k1 = f(y)
        k2 = f(y + 0.5 * DT * k1)
        k3 = f(y + 0.5 * DT * k2)
        k4 = f(y + DT * k3)
        y = y + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return time.perf_counter() - t0


def run_scipy(n_sub):
    Y = design(n_sub)
    t0 = time.perf_counter()
    for y_s in Y:
        solve_ivp(ref.gchi_rhs(P, y_s, 0.0), (0, T), [0.0, 0.1, 0.05, 0.9], rtol=1e-6, atol=1e-9)
    return time.perf_counter() - t0


def run_brian(n):
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    um, s = b2.umolar, b2.second
    ns = {k: v for k, v in dict(
        O_P=P["O_P"] * um / s, K_P=P["K_P"] * um, C_T=P["C_T"] * um, rho_A=P["rho_A"], Omega_C=P["Omega_C"] / s,
        Omega_L=P["Omega_L"] / s, d_1=P["d1"] * um, d_2=P["d2"] * um, O_2=P["O_2"] / um / s, d_3=P["d3"] * um,
        d_5=P["d5"] * um, O_beta=P["O_beta"] * um / s, O_N=P["O_N"] / um / s, Omega_N=P["Omega_N"] / s,
        K_KC=P["K_KC"] * um, zeta=P["zeta"], O_delta=P["O_delta"] * um / s, kappa_delta=P["kappa_delta"] * um,
        K_delta=P["K_delta"] * um, Omega_5P=P["Omega_5P"] / s, K_D=P["K_D"] * um, K_3K=P["K_3K"] * um,
        O_3K=P["O_3K"] * um / s).items()}
    g = b2.NeuronGroup(n, """
        dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C/(C + K_KC)) * Gamma_A : 1
        dI/dt = O_beta * Gamma_A + O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2)
                - O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K) - Omega_5P * I : mmolar
        dC/dt = (Omega_C * m_inf**3 * h**3 + Omega_L) * (C_T - (1 + rho_A) * C) - O_P * C**2/(C**2 + K_P**2) : mmolar
        dh/dt = (Q_2/(Q_2 + C) - h) * O_2 * (Q_2 + C) : 1
        m_inf = I/(I + d_1) * C/(C + d_5) : 1
        Q_2 = d_2 * (I + d_1)/(I + d_3) : mmolar
        Y_S : mmolar (constant)
        """, method="rk4", namespace=ns)
    g.Y_S = design(n) * um
    g.I, g.C, g.h = 0.1 * um, 0.05 * um, 0.9
    net = b2.Network(g)
    t0 = time.perf_counter()
    net.run(T * s)
    return time.perf_counter() - t0


def paired(a, b, pairs):
    """Median wall time of a and b and the median of per-pair ratios b/a, measured interleaved."""
    ta, tb = [], []
    for _ in range(pairs):
        ta.append(a())
        tb.append(b())
    return statistics.median(ta), statistics.median(tb), statistics.median([y / x for x, y in zip(ta, tb)])


def main(quick: bool) -> None:
    pairs = 3 if quick else 5
    sizes = [1, 10, 100, 1000] + ([] if quick else [10000])
    rows = []
    for n in sizes:
        t_glia, t_np, ratio_np = paired(lambda: run_glia(n), lambda: run_numpy(n), pairs)
        row = {"variants": n, "glia_s": t_glia, "numpy_rk4_s": t_np, "numpy_over_glia": ratio_np,
               "glia_throughput": n * T / t_glia, "numpy_throughput": n * T / t_np}
        if n in (1000,):
            n_sub = 10 if quick else 20
            t_g, t_sp, _ = paired(lambda: run_glia(n), lambda: run_scipy(n_sub), pairs)
            row["scipy_loop_throughput"] = n_sub * T / t_sp
            row["scipy_over_glia"] = (n * T / t_g) / row["scipy_loop_throughput"]
            t_g, t_b, ratio_b = paired(lambda: run_glia(n), lambda: run_brian(n), 1 if quick else 3)
            row["brian_numpy_s"] = t_b
            row["brian_over_glia"] = ratio_b
            row["brian_throughput"] = n * T / t_b
        rows.append(row)
        print(f"n={n}: glia {row['glia_throughput']:.3g} variant-s/s, NumPy RK4 x{ratio_np:.1f} slower", flush=True)
    out = HERE.parent / "results"
    out.mkdir(exist_ok=True)
    meta = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__, "machine": platform.machine(),
            "cpus": os.cpu_count(), "threads": os.environ.get("OMP_NUM_THREADS", "all"), "build": "Release",
            "biological_seconds": T, "dt_s": DT, "pairs": pairs,
            "command": "PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_gchi_ensemble.py"
                       + (" --quick" if quick else "")}
    (out / "bench_gchi_ensemble.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    lines = ["| variants | glia (variant·s/s) | NumPy RK4 slower by | SciPy loop slower by | Brian 2 runtime slower by |",
             "| --- | --- | --- | --- | --- |"]
    for r in rows:
        sp = f"{r['scipy_over_glia']:.0f}×" if "scipy_over_glia" in r else ""
        br = f"{r['brian_over_glia']:.0f}×" if "brian_over_glia" in r else ""
        lines.append(f"| {r['variants']} | {r['glia_throughput']:.3g} | {r['numpy_over_glia']:.1f}× | {sp} | {br} |")
    lines.append("")
    lines.append(f"{meta['cpus']} CPUs, threads: {meta['threads']}, {meta['build']}; reproduce: `{meta['command']}`")
    lines.append("")
    lines.append("glia, NumPy and Brian integrate RK4 at 1 ms; SciPy uses adaptive RK45 (rtol 1e-6), which takes far fewer "
                 "but less accurate steps on this smooth input, so its ratio is not at equal accuracy. This design has no "
                 "synaptic input; the sweep benchmark of issue #4 (G-ChI with Tsodyks–Markram input) is still to be written.")
    (out / "bench_gchi_ensemble.md").write_text("\n".join(lines) + "\n")
    r1000 = next(r for r in rows if r["variants"] == 1000)
    print(f"summary: at 1000 variants glia is {r1000['scipy_over_glia']:.0f}x a SciPy loop, "
          f"{r1000['brian_over_glia']:.0f}x Brian 2 runtime, {r1000['numpy_over_glia']:.1f}x NumPy RK4")


if __name__ == "__main__":
    main("--quick" in sys.argv)
