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

`model: tripartite` is a preset: its variants are network configs run by the network engine in batches
(summaries reduced online). With --runner PATH (the python/ folder of a build of commit 5c1d09c, the last with
the special tripartite runner) the preset is also timed against that runner, each sweep in a fresh interpreter.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep.py [--quick] [--runner PATH]
Writes experiments/results/bench_sweep.{json,md}; prints the summary line last.
"""

import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
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


def run_glia(n, duration):
    """Wall time of a glia sweep of n variants with its HDF5 file (the tripartite preset: network configs run by
    the network engine in batches)."""
    out = os.path.join(TMP, f"glia_{n}.h5")
    if os.path.exists(out):
        os.remove(out)  # a finished file would be resumed, computing nothing
    t0 = time.perf_counter()
    res = glia.sweep(config(n, duration), output=out)
    wall = time.perf_counter() - t0
    assert res.ok.all()
    return wall


RUNNER_SNIPPET = """
import json, os, resource, sys, time
import glia
n, T, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
config = json.loads(sys.argv[4])
if os.path.exists(out):
    os.remove(out)
t0 = time.perf_counter()
res = glia.sweep(config, output=out)
wall = time.perf_counter() - t0
assert res.ok.all()
print(wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def run_glia_in(pythonpath, n, duration, tag, rss=False):
    """The same sweep in a fresh interpreter whose glia comes from `pythonpath` (another build), timed inside it;
    with rss, also its peak resident memory (bytes)."""
    out = os.path.join(TMP, f"glia_{tag}_{n}.h5")
    env = dict(os.environ, PYTHONPATH=pythonpath)
    r = subprocess.run([sys.executable, "-c", RUNNER_SNIPPET, str(n), str(duration), out,
                        json.dumps(config(n, duration))], env=env, capture_output=True, text=True, check=True)
    wall, peak = r.stdout.strip().splitlines()[-1].split()
    return (float(wall), int(peak)) if rss else float(wall)


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


def main(quick: bool, runner: str) -> None:
    pairs = 3 if quick else 5
    T = 10.0
    rows = {}
    # glia against each loop at 1e3 and 1e4 variants, interleaved (glia, loop, glia, loop, ...); the loops are
    # timed on a subsample and compared by throughput
    for n in (1000, 10000):
        for name, loop, n_sub in [("brian_runtime_loop", run_brian, 1 if quick else 2),
                                  ("scipy_solve_ivp_loop", run_scipy, 2 if quick else 5)]:
            vs = variants(n_sub, T)
            ta, tb = paired(lambda: run_glia(n, T), lambda: loop(vs, T), pairs if n <= 1000 else 3)
            ratios = [(n / a) / (n_sub / b) for a, b in zip(ta, tb)]
            key = f"{name}__{n}"
            rows[key] = {"reference": name, "variants": n, "glia_s": statistics.median(ta),
                         "loop_s": statistics.median(tb), "loop_variants": n_sub,
                         "glia_throughput": n * T / statistics.median(ta),
                         "loop_throughput": n_sub * T / statistics.median(tb), "speedup": statistics.median(ratios),
                         "speedups": ratios}
            print(f"{name} at {n}: glia {rows[key]['glia_throughput']:.3g} variant-s/s, loop "
                  f"{rows[key]['loop_throughput']:.3g}, x{rows[key]['speedup']:.0f}", flush=True)
    # the preset against the retired tripartite runner (a build of the last commit that had it), interleaved
    engine = []
    if runner:
        here = str(pathlib.Path(glia.__file__).resolve().parent.parent)
        for m in (1000, 10000):
            Tm = T if m <= 1000 else 2.0
            tn, tt = paired(lambda: run_glia_in(here, m, Tm, "preset"), lambda: run_glia_in(runner, m, Tm, "runner"),
                            pairs)
            ratios = [b / a for a, b in zip(tn, tt)]
            engine.append({"variants": m, "biological_seconds": Tm, "preset_s": statistics.median(tn),
                           "runner_s": statistics.median(tt), "preset_over_runner": statistics.median(ratios),
                           "ratios": ratios})
            print(f"preset / retired tripartite runner at {m} variants: x{engine[-1]['preset_over_runner']:.2f}",
                  flush=True)
    # scaling
    T_scale = 2.0
    sizes = [1, 10, 100, 1000, 10000] + ([] if quick else [100000])
    scaling = []
    for m in sizes:
        walls = [run_glia(m, T_scale) for _ in range(3 if m <= 1000 else 1)]
        w = statistics.median(walls)
        scaling.append({"variants": m, "wall_s": w, "throughput": m * T_scale / w})
        print(f"scaling n={m}: {w:.3g} s, {m * T_scale / w:.3g} variant-s/s", flush=True)
    # memory: sweeps in a fresh interpreter (peak RSS, Python and glia included), 1e3 variants and the largest
    here = str(pathlib.Path(glia.__file__).resolve().parent.parent)
    memory = []
    for m in (1000, sizes[-1]):
        w, peak = run_glia_in(here, m, T_scale, "memory", rss=True)
        memory.append({"variants": m, "chunk": config(m, T_scale)["chunk"], "wall_s": w, "peak_rss_bytes": peak})
        print(f"memory n={m}: peak RSS {peak / 2**20:.0f} MiB", flush=True)

    out = HERE.parent / "results"
    out.mkdir(exist_ok=True)
    command = "PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep.py" + (
        " --quick" if quick else "") + (" --runner RUNNER_BUILD/python" if runner else "")
    meta = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__, "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count(),
            "threads": os.environ.get("OMP_NUM_THREADS", "all"), "build": "Release", "dt_s": DT,
            "biological_seconds": T, "scaling_biological_seconds": T_scale, "pairs": pairs,
            "runner_build": runner, "command": command}
    (out / "bench_sweep.json").write_text(json.dumps(
        {"meta": meta, "comparison": rows, "preset_vs_runner": engine, "scaling": scaling, "memory": memory},
        indent=2))
    lines = [
        "# Sweep throughput: glia against Brian 2 and SciPy loops",
        "",
        f"Tripartite unit (Poisson train → TM synapse → glutamate → G-ChI), {T:g} s biological time, dt 1 ms RK4; "
        "a seeded random O_β × rate design run by `glia sweep` with `model: tripartite` — a preset whose variants "
        "are network configs run by the network engine in batches, summaries reduced online. Throughput in "
        "variants × biological seconds per wall second; speed-up = median over interleaved pairs.",
        "",
        "| variants | reference | glia (variant·s/s) | reference (variant·s/s) | glia faster by |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows.values():
        lines.append(f"| {r['variants']} | {r['reference'].replace('_', ' ')} ({r['loop_variants']} variants timed) | "
                     f"{r['glia_throughput']:.3g} | {r['loop_throughput']:.3g} | {r['speedup']:.0f}× |")
    if engine:
        lines += ["", "The preset against the retired tripartite runner (a build of commit 5c1d09c, the last with it; "
                  "each sweep in a fresh interpreter, interleaved pairs, same design and summaries):", "",
                  "| variants | biological s | preset (s) | runner (s) | preset faster by |",
                  "| --- | --- | --- | --- | --- |"]
        for e in engine:
            lines.append(f"| {e['variants']} | {e['biological_seconds']:g} | {e['preset_s']:.3g} | {e['runner_s']:.3g} | "
                         f"{e['preset_over_runner']:.2f}× |")
    lines += ["", f"Scaling ({T_scale:g} s biological time per variant, one file per run):", "",
              "| variants | wall (s) | variant·s/s | wall per variant (ms) |", "| --- | --- | --- | --- |"]
    for a in scaling:
        lines.append(f"| {a['variants']} | {a['wall_s']:.3g} | {a['throughput']:.3g} | "
                     f"{1e3 * a['wall_s'] / a['variants']:.3g} |")
    lines += ["", "Memory (peak resident set of a fresh interpreter running the sweep, Python, NumPy and glia included; "
              f"{T_scale:g} s, chunks of {memory[0]['chunk']} variants): " +
              ", ".join(f"{x['variants']} variants {x['peak_rss_bytes'] / 2**20:.0f} MiB" for x in memory) +
              ". A sweep holds one chunk's networks and results at a time, plus the design table."]
    lines += ["", f"{meta['cpus']} CPUs ({meta['machine']}), threads: {meta['threads']}, {meta['build']}, "
              f"glia {meta['glia_version']} ({meta['git_commit']}); reproduce: `{command}`", "",
              "Notes: Brian runs one runtime (numpy target) network per variant, as a user looping over a grid does; "
              "the SciPy loop takes adaptive RK45 steps between spikes, so it is not at equal accuracy. The preset and "
              "the retired runner draw their Poisson trains from different streams, so their summaries agree "
              "statistically, not bit for bit. Machines here are shared: ratios, not absolute times, are the result."]
    (out / "bench_sweep.md").write_text("\n".join(lines) + "\n")
    b, sc = rows["brian_runtime_loop__1000"], rows["scipy_solve_ivp_loop__1000"]
    b4, sc4 = rows["brian_runtime_loop__10000"], rows["scipy_solve_ivp_loop__10000"]
    vs_runner = f", {engine[0]['preset_over_runner']:.2f}x the retired runner" if engine else ""
    print(f"summary: at 1e3 / 1e4 variants glia is {b['speedup']:.0f}x / {b4['speedup']:.0f}x a Brian 2 runtime "
          f"loop and {sc['speedup']:.0f}x / {sc4['speedup']:.0f}x a SciPy solve_ivp loop{vs_runner}")


if __name__ == "__main__":
    runner_path = ""
    if "--runner" in sys.argv:
        runner_path = sys.argv[sys.argv.index("--runner") + 1]
    main("--quick" in sys.argv, runner_path)
