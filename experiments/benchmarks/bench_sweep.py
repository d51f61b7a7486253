#!/usr/bin/env python3
"""Throughput of glia sweeps of the tripartite unit (Poisson train -> Tsodyks-Markram synapse -> glutamate ->
G-ChI astrocyte) against a Brian 2 runtime loop (one network per variant, numpy target) and a SciPy solve_ivp loop
over the same variants, and glia's scaling from 1 to 1e5 variants.

Design: random (seeded) O_beta in [0.5, 6] uM/s and Poisson rate in [0.1, 20] Hz (log-uniform), single-astrocyte
G-ChI, synapse U 0.6, tau_rec 0.5 s, tau_fac 0.3 s, glutamate rho_c 0.005, Y_T 500 mM, Omega_c 40/s, no feedback.
glia and Brian integrate the astrocyte with RK4 at dt = 1 ms (Brian's synapse and glutamate decay exactly, as
glia's); SciPy integrates (Gamma_A, I, C, h, Y_S) with adaptive RK45 (rtol 1e-6) between spikes and applies each
release in closed form. glia writes its HDF5 result file (summaries C.frequency, C.amplitude, release_probability)
as a user's sweep does. The loops' cost is linear in their number of variants, so they are timed on a subsample and
compared by throughput (variants x biological seconds per wall second); ratios are medians of interleaved pairs
(glia, loop, glia, loop, ...) as BENCHMARKS.md asks.

The same unit also runs as a network config on the network engine (batched, summaries reduced online); both
paths are timed against the loops, against each other, and for scaling.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep.py [--quick]
Writes experiments/results/bench_sweep.{json,md}; prints the summary line last.
"""

import json
import math
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import solve_ivp

import glia

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
import astrocytes_scipy as ref  # noqa: E402

DT = 1e-3
SYN = dict(U=0.6, tau_rec=0.5, tau_fac=0.3, rho_c=0.005, Y_T=5e5, Omega_c=40.0)
TMP = tempfile.mkdtemp(prefix="bench_sweep_")


def config(n, duration, seed=1):
    return {
        "model": "tripartite", "parameter_set": "single_astrocyte", "input": "poisson",
        "duration": duration, "dt": DT, "method": "rk4", "transient": min(2.0, duration / 2),
        "parameters": {"seed": 11},
        "design": {"random": {"n": n, "seed": seed,
                              "ranges": {"O_beta": [0.5, 6.0], "rate": {"min": 0.1, "max": 20.0, "log": True}}}},
        "summaries": ["C.frequency", "C.amplitude", "release_probability"],
        "chunk": 1024,
    }


def network_config(n, duration, seed=1):
    """The same unit and design as a network config (model "network"), run by the network engine in batches:
    a Poisson source, a Tsodyks-Markram synapse with no postsynaptic target whose glutamate the astrocyte reads
    (no feedback), and a G-ChI astrocyte with the single-astrocyte parameters on the base clock."""
    single = {k: ref.GCHI_SINGLE[k] for k in ("K_P", "O_delta", "K_delta", "Omega_5P", "K_D")}
    net = {
        "simulation": {"duration": duration, "dt": DT, "seed": 11},
        "groups": [
            {"name": "P", "model": "poisson", "n": 1, "rate": 1.0},
            {"name": "A", "model": "gchi", "n": 1, "dt": DT, "method": "rk4", "params": dict(single, O_beta=5.0),
             "init": {"Gamma_A": 0.0, "I": 0.0, "C": 0.0, "h": 0.9}},
        ],
        "projections": [
            {"name": "S", "source": "P", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
             "params": {k: SYN[k] for k in ("U", "tau_rec", "tau_fac")},
             "astrocytes": {"group": "A", "assign": "index", "index": [0], "feedback": "none",
                            "glutamate": {k: SYN[k] for k in ("rho_c", "Y_T", "Omega_c")}}},
        ],
    }
    return {
        "model": "network", "network": net, "transient": min(2.0, duration / 2),
        "design": {"random": {"n": n, "seed": seed, "ranges": {
            "groups.A.params.O_beta": [0.5, 6.0], "groups.P.rate": {"min": 0.1, "max": 20.0, "log": True}}}},
        "summaries": ["frequency.A.C", "amplitude.A.C", "release_probability.S"],
        "chunk": 1024,
    }


def run_glia(n, duration, path="tripartite"):
    """Wall time of a glia sweep of n variants with its HDF5 file: the tripartite runner or the network engine."""
    out = os.path.join(TMP, f"glia_{path}_{n}.h5")
    if os.path.exists(out):
        os.remove(out)  # a finished file would be resumed, computing nothing
    c = config(n, duration) if path == "tripartite" else network_config(n, duration)
    t0 = time.perf_counter()
    res = glia.sweep(c, output=out)
    wall = time.perf_counter() - t0
    assert res.ok.all()
    return wall


def variants(n_sub, duration):
    """The first n_sub variants of the design, as glia draws them."""
    d = glia.sweep(dict(config(1000, duration), duration=0.002, transient=0.0))
    return [(float(b), float(r)) for b, r in zip(d["O_beta"][:n_sub], d["rate"][:n_sub])]


def run_brian(vs, duration):
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    P = ref.GCHI_SINGLE
    um, s, Hz = b2.umolar, b2.second, b2.Hz
    t0 = time.perf_counter()
    for k, (o_beta, rate) in enumerate(vs):
        b2.start_scope()
        b2.seed(k)
        b2.defaultclock.dt = DT * s
        ns = dict(O_P=P["O_P"] * um / s, K_P=P["K_P"] * um, C_T=P["C_T"] * um, rho_A=P["rho_A"],
                  Omega_C=P["Omega_C"] / s, Omega_L=P["Omega_L"] / s, d_1=P["d1"] * um, d_2=P["d2"] * um,
                  O_2=P["O_2"] / um / s, d_3=P["d3"] * um, d_5=P["d5"] * um, O_beta=o_beta * um / s,
                  O_N=P["O_N"] / um / s, Omega_N=P["Omega_N"] / s, K_KC=P["K_KC"] * um, zeta=P["zeta"],
                  O_delta=P["O_delta"] * um / s, kappa_delta=P["kappa_delta"] * um, K_delta=P["K_delta"] * um,
                  Omega_5P=P["Omega_5P"] / s, K_D=P["K_D"] * um, K_3K=P["K_3K"] * um, O_3K=P["O_3K"] * um / s,
                  U_0=SYN["U"], Omega_d=1 / SYN["tau_rec"] / s, Omega_f=1 / SYN["tau_fac"] / s, rho_c=SYN["rho_c"],
                  Y_T=SYN["Y_T"] * um, Omega_c=SYN["Omega_c"] / s)
        pre = b2.PoissonGroup(1, rate * Hz)
        astro = b2.NeuronGroup(1, """
            dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C/(C + K_KC)) * Gamma_A : 1
            dI/dt = O_beta * Gamma_A + O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2)
                    - O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K) - Omega_5P * I : mmolar
            dC/dt = (Omega_C * m_inf**3 * h**3 + Omega_L) * (C_T - (1 + rho_A) * C) - O_P * C**2/(C**2 + K_P**2) : mmolar
            dh/dt = (Q_2/(Q_2 + C) - h) * O_2 * (Q_2 + C) : 1
            m_inf = I/(I + d_1) * C/(C + d_5) : 1
            Q_2 = d_2 * (I + d_1)/(I + d_3) : mmolar
            Y_S : mmolar
            """, method="rk4", namespace=ns)
        astro.h = 0.9
        syn = b2.Synapses(pre, astro, """
            du_S/dt = -Omega_f * u_S : 1 (clock-driven)
            dx_S/dt = Omega_d * (1 - x_S) : 1 (clock-driven)
            dY/dt = -Omega_c * Y : mmolar (clock-driven)
            Y_S_post = Y : mmolar (summed)
            r_S : 1
            """, on_pre="""
            u_S += U_0 * (1 - u_S)
            r_S = u_S * x_S
            x_S -= r_S
            Y += rho_c * Y_T * r_S
            """, method="exact", namespace=ns)
        syn.connect(i=0, j=0)
        syn.x_S = 1.0
        b2.run(duration * s, namespace=ns)
    return time.perf_counter() - t0


def run_scipy(vs, duration):
    n_steps = int(round(duration / DT))
    t0 = time.perf_counter()
    for k, (o_beta, rate) in enumerate(vs):
        p = dict(ref.GCHI_SINGLE, O_beta=o_beta)
        rng = np.random.default_rng(k)
        times = np.flatnonzero(rng.random(n_steps) < rate * DT) * DT

        def rhs(t, y):
            return ref.gchi_rhs(p, y[4], 0.0)(t, y[:4]) + [-SYN["Omega_c"] * y[4]]

        y = np.array([0.0, 0.0, 0.0, 0.9, 0.0])
        t, u, x, t_last = 0.0, 0.0, 1.0, 0.0
        for ts in list(times) + [duration]:
            if ts > t:
                y = solve_ivp(rhs, (t, ts), y, rtol=1e-6, atol=1e-9).y[:, -1]
                t = ts
            if ts < duration:  # the release, in closed form
                u *= math.exp(-(ts - t_last) / SYN["tau_fac"])
                x = 1 - (1 - x) * math.exp(-(ts - t_last) / SYN["tau_rec"])
                u += SYN["U"] * (1 - u)
                r = u * x
                x -= r
                t_last = ts
                y[4] += SYN["rho_c"] * SYN["Y_T"] * r
    return time.perf_counter() - t0


def paired(a, b, pairs):
    ta, tb = [], []
    for _ in range(pairs):
        ta.append(a())
        tb.append(b())
    return ta, tb


def main(quick: bool) -> None:
    pairs = 3 if quick else 5
    T = 10.0
    n = 1000
    paths = ("tripartite", "network")
    rows = {}
    # each glia path against each loop at 1e3 variants, interleaved (glia, loop, glia, loop, ...)
    for name, loop, n_sub in [("brian_runtime_loop", run_brian, 1 if quick else 2),
                              ("scipy_solve_ivp_loop", run_scipy, 2 if quick else 5)]:
        vs = variants(n_sub, T)
        for path in paths:
            key = name if path == "tripartite" else f"{name}__network"
            ta, tb = paired(lambda: run_glia(n, T, path), lambda: loop(vs, T), pairs)
            ratios = [(n / a) / (n_sub / b) for a, b in zip(ta, tb)]
            rows[key] = {"path": path, "reference": name, "glia_s": statistics.median(ta),
                         "loop_s": statistics.median(tb), "loop_variants": n_sub,
                         "glia_throughput": n * T / statistics.median(ta),
                         "loop_throughput": n_sub * T / statistics.median(tb), "speedup": statistics.median(ratios),
                         "speedups": ratios}
            print(f"{name} ({path}): glia {rows[key]['glia_throughput']:.3g} variant-s/s, loop "
                  f"{rows[key]['loop_throughput']:.3g}, x{rows[key]['speedup']:.0f}", flush=True)
    # the network engine against the tripartite runner, interleaved, at 1e3 and 1e4 variants
    engine = []
    for m in (1000, 10000):
        Tm = T if m <= 1000 else 2.0
        tn, tt = paired(lambda: run_glia(m, Tm, "network"), lambda: run_glia(m, Tm, "tripartite"), pairs)
        ratios = [b / a for a, b in zip(tn, tt)]
        engine.append({"variants": m, "biological_seconds": Tm, "network_s": statistics.median(tn),
                       "tripartite_s": statistics.median(tt), "network_over_tripartite": statistics.median(ratios),
                       "ratios": ratios})
        print(f"network engine / tripartite runner at {m} variants: x{engine[-1]['network_over_tripartite']:.2f}",
              flush=True)
    # scaling of each path alone
    T_scale = 2.0
    sizes = [1, 10, 100, 1000, 10000] + ([] if quick else [100000])
    scaling = {}
    for path in paths:
        scaling[path] = []
        for m in sizes:
            walls = [run_glia(m, T_scale, path) for _ in range(3 if m <= 1000 else 1)]
            w = statistics.median(walls)
            scaling[path].append({"variants": m, "wall_s": w, "throughput": m * T_scale / w})
            print(f"scaling {path} n={m}: {w:.3g} s, {m * T_scale / w:.3g} variant-s/s", flush=True)

    out = HERE.parent / "results"
    out.mkdir(exist_ok=True)
    command = "PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep.py" + (" --quick" if quick else "")
    meta = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__, "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count(),
            "threads": os.environ.get("OMP_NUM_THREADS", "all"), "build": "Release", "dt_s": DT,
            "biological_seconds": T, "scaling_biological_seconds": T_scale, "variants": n, "pairs": pairs,
            "command": command}
    (out / "bench_sweep.json").write_text(json.dumps(
        {"meta": meta, "comparison": rows, "network_vs_tripartite": engine, "scaling": scaling["tripartite"],
         "scaling_network": scaling["network"]}, indent=2))
    lines = [
        "# Sweep throughput: glia against Brian 2 and SciPy loops",
        "",
        f"Tripartite unit (Poisson train → TM synapse → glutamate → G-ChI), {T:g} s biological time, dt 1 ms RK4; "
        f"{n} variants of a seeded random O_β × rate design, run by glia's tripartite runner (`model: tripartite`) "
        "and by the network engine (`model: network`, the same unit as a network config, batched; summaries "
        "reduced online). Throughput in variants × biological seconds per wall second; speed-up = median over "
        "interleaved pairs.",
        "",
        "| reference | glia path | glia (variant·s/s) | reference (variant·s/s) | glia faster by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows.values():
        lines.append(f"| {r['reference'].replace('_', ' ')} ({r['loop_variants']} variants timed) | {r['path']} | "
                     f"{r['glia_throughput']:.3g} | {r['loop_throughput']:.3g} | {r['speedup']:.0f}× |")
    lines += ["", "Network engine against the tripartite runner (interleaved pairs, same design and summaries):", "",
              "| variants | biological s | network (s) | tripartite (s) | network faster by |", "| --- | --- | --- | --- | --- |"]
    for e in engine:
        lines.append(f"| {e['variants']} | {e['biological_seconds']:g} | {e['network_s']:.3g} | {e['tripartite_s']:.3g} | "
                     f"{e['network_over_tripartite']:.2f}× |")
    lines += ["", f"Scaling ({T_scale:g} s biological time per variant, one file per run):", "",
              "| variants | tripartite wall (s) | variant·s/s | network wall (s) | variant·s/s | network wall per variant (ms) |",
              "| --- | --- | --- | --- | --- | --- |"]
    for a, b in zip(scaling["tripartite"], scaling["network"]):
        lines.append(f"| {a['variants']} | {a['wall_s']:.3g} | {a['throughput']:.3g} | {b['wall_s']:.3g} | "
                     f"{b['throughput']:.3g} | {1e3 * b['wall_s'] / b['variants']:.3g} |")
    lines += ["", f"{meta['cpus']} CPUs ({meta['machine']}), threads: {meta['threads']}, {meta['build']}, "
              f"glia {meta['glia_version']} ({meta['git_commit']}); reproduce: `{command}`", "",
              "Notes: Brian runs one runtime (numpy target) network per variant, as a user looping over a grid does; "
              "the SciPy loop takes adaptive RK45 steps between spikes, so it is not at equal accuracy. The two glia "
              "paths differ in how glutamate reaches the astrocyte within a step (the tripartite runner decays it "
              "exactly inside the RK stages; the network engine holds it over the astrocyte step, as Brian's summed "
              "variables do) and in their Poisson streams, so their summaries agree statistically, not bit for bit. "
              "Machines here are shared: ratios, not absolute times, are the result."]
    (out / "bench_sweep.md").write_text("\n".join(lines) + "\n")
    b, sc = rows["brian_runtime_loop__network"], rows["scipy_solve_ivp_loop__network"]
    print(f"summary: at {n} variants the network engine is {b['speedup']:.0f}x a Brian 2 runtime loop and "
          f"{sc['speedup']:.0f}x a SciPy solve_ivp loop, {engine[0]['network_over_tripartite']:.2f}x the tripartite "
          f"runner; the tripartite runner {rows['brian_runtime_loop']['speedup']:.0f}x and "
          f"{rows['scipy_solve_ivp_loop']['speedup']:.0f}x")


if __name__ == "__main__":
    main("--quick" in sys.argv)
