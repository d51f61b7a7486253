#!/usr/bin/env python3
"""Validation anchor 1, Stimberg et al. example 2 (deterministic astrocyte), side by side with Brian 2.

The model of the example — a G-ChI astrocyte (single-astrocyte parameters) driven by the glutamate
of one synapse released at 0.5 Hz, with IP3 exchange towards a clamped I_bias = 0 — is written here
for Brian 2.5.1 from the equations of BIOPHYSICS.md (not copied from Brian's example), run with
Brian's forward Euler and RK4 at dt = 1 ms, and compared with glia.integrate_cell driven by the
glutamate pulses of Brian's own spike times. Brian applies a spike's release after its state
update, so the astrocyte first sees a release of a spike at t_k at t_k + dt; glia's pulses are
placed there.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/brian_example2_astrocyte.py [OUT_DIR]
Writes OUT_DIR/brian_example2_astrocyte.{json,png} (default OUT_DIR: experiments/results).
Needs python3-brian (scripts/install-deps.sh --validation).
"""

import json
import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import glia  # noqa: E402

DURATION = 30.0  # s
DT = 1e-3  # s
F0 = 0.5  # Hz, source rate
RELEASE = 0.001 * 500e3  # µM per spike: rho_c Y_T with rho_c 0.001, Y_T 500 mM
VARS = ("Gamma_A", "I", "C", "h")


def run_brian(method: str, duration: float = DURATION):
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    umolar, second = b2.umolar, b2.second
    ns = dict(
        f_0=F0 / second, Omega_c=40 / second, amount=RELEASE * umolar,
        O_P=0.9 * umolar / second, K_P=0.1 * umolar, C_T=2 * umolar, rho_A=0.18, Omega_C=6 / second,
        Omega_L=0.1 / second, d_1=0.13 * umolar, d_2=1.05 * umolar, O_2=0.2 / umolar / second,
        d_3=0.9434 * umolar, d_5=0.08 * umolar, O_beta=5 * umolar / second, O_N=0.3 / umolar / second,
        Omega_N=0.5 / second, K_KC=0.5 * umolar, zeta=10, O_delta=0.2 * umolar / second,
        kappa_delta=1.5 * umolar, K_delta=0.3 * umolar, Omega_5P=0.1 / second, K_D=0.5 * umolar,
        K_3K=1 * umolar, O_3K=4.5 * umolar / second, F_ex=0.09 * umolar / second, I_Theta=0.3 * umolar,
        omega_I=0.05 * umolar, I_bias=0 * umolar,
    )
    source = b2.NeuronGroup(1, "dx/dt = f_0 : 1", threshold="x > 1", reset="x = 0", method="euler",
                            namespace=ns)
    target = b2.NeuronGroup(1, "")
    syn = b2.Synapses(source, target, "dY_S/dt = -Omega_c * Y_S : mmolar (clock-driven)",
                      on_pre="Y_S += amount", method="exact", namespace=ns)
    syn.connect()
    astro = b2.NeuronGroup(1, """
        dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C/(C + K_KC)) * Gamma_A : 1
        dI/dt = O_beta * Gamma_A + O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2)
                - O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K) - Omega_5P * I
                - F_ex/2 * (1 + tanh((abs(I - I_bias) - I_Theta)/omega_I)) * sign(I - I_bias) : mmolar
        dC/dt = (Omega_C * m_inf**3 * clip(h, 0, 1)**3 + Omega_L) * (C_T - (1 + rho_A) * C)
                - O_P * C**2/(C**2 + K_P**2) : mmolar
        dh/dt = (Q_2/(Q_2 + C) - clip(h, 0, 1)) * O_2 * (Q_2 + C) : 1
        m_inf = I/(I + d_1) * C/(C + d_5) : 1
        Q_2 = d_2 * (I + d_1)/(I + d_3) : mmolar
        Y_S : mmolar
        """, method=method, namespace=ns)
    astro.h = 0.9
    to_astro = b2.Synapses(syn, astro, "Y_S_post = Y_S_pre : mmolar (summed)")
    to_astro.connect()
    spikes = b2.SpikeMonitor(source)
    mon = b2.StateMonitor(astro, list(VARS), record=True)
    t0 = time.perf_counter()
    b2.run(duration * second)
    wall = time.perf_counter() - t0
    scale = {"Gamma_A": 1.0, "I": 1 / umolar, "C": 1 / umolar, "h": 1.0}
    trace = {v: np.asarray(getattr(mon, v)[0] * scale[v], dtype=float) for v in VARS}
    return np.asarray(mon.t / second), trace, np.asarray(spikes.t / second), wall


def glia_pulse_times(spike_t):
    """Brian's spike times moved to the step where the astrocyte first sees the release, on the
    grid exactly as glia computes step times (step * dt), so that rounding cannot move a pulse."""
    return (np.rint(np.asarray(spike_t) / DT) + 1) * DT


def run_glia(method: str, pulse_times, duration: float = DURATION):
    kw = dict(method=method) if method == "dopri5" else dict(method=method, dt=DT)
    if method == "dopri5":
        kw.update(rtol=1e-10, atol=1e-12)
    t0 = time.perf_counter()
    tr = glia.integrate_cell(
        "gchi", duration=duration, sample_dt=DT, parameter_set="single_astrocyte",
        input={"Y_S_pulses": {"times": list(pulse_times), "amount": RELEASE, "Omega_c": 40.0},
               "IP3_bias_coupling": {"I_bias": 0.0, "F_ex": 0.09, "I_Theta": 0.3, "omega_I": 0.05}},
        initial={"Gamma_A": 0.0, "I": 0.0, "C": 0.0, "h": 0.9}, **kw)
    return tr, time.perf_counter() - t0


def main(out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__, "duration_s": DURATION,
               "dt_s": DT, "comparisons": {}}
    brian = {}
    for method in ("euler", "rk4"):
        t, trace, spike_t, wall = run_brian(method)
        brian[method] = (t, trace)
        results[f"brian_{method}_wall_s"] = wall
    pulses = glia_pulse_times(spike_t)
    results["spike_times_s"] = spike_t.tolist()
    glia_runs = {m: run_glia(m, pulses) for m in ("euler", "rk4", "dopri5")}
    for gm, bm in (("euler", "euler"), ("rk4", "rk4"), ("dopri5", "rk4")):
        tr, wall = glia_runs[gm]
        t_b, b = brian[bm]
        n = min(len(t_b), len(tr.t))  # Brian records 0 .. T - dt, glia 0 .. T
        assert np.allclose(t_b[:n], tr.t[:n])
        errs = {v: float(np.max(np.abs(tr[v][:n] - b[v][:n])) / (np.ptp(b[v]) or 1.0)) for v in VARS}
        results["comparisons"][f"glia_{gm}_vs_brian_{bm}"] = {"max_abs_error_over_range": errs, "glia_wall_s": wall}
        print(f"glia {gm:6s} vs Brian {bm}: max |diff| / range = " + ", ".join(f"{v} {e:.2e}" for v, e in errs.items()))
    # Brian's RK4 holds Y_S fixed over a step (it is updated once per step), glia's evaluates the
    # exact Y_S(t) at every stage: the converged adaptive run shows which is closer.
    ref_tr = glia_runs["dopri5"][0]
    t_b, b = brian["rk4"]
    n = len(t_b)
    for name, values in (("glia_rk4", glia_runs["rk4"][0]), ("brian_rk4", b)):
        errs = {v: float(np.max(np.abs(values[v][:n] - ref_tr[v][:n])) / np.ptp(ref_tr[v])) for v in VARS}
        results["comparisons"][f"{name}_vs_glia_dopri5"] = {"max_abs_error_over_range": errs}
        print(f"{name} vs glia dopri5 (converged): " + ", ".join(f"{v} {e:.2e}" for v, e in errs.items()))
    fig, axes = plt.subplots(4, 1, figsize=(9, 8), sharex=True, constrained_layout=True)
    t_b, b = brian["rk4"]
    for ax, v in zip(axes, VARS):
        ax.plot(t_b, b[v], lw=2.5, alpha=0.5, label="Brian 2 (rk4)")
        ax.plot(glia_runs["rk4"][0].t, glia_runs["rk4"][0][v], "k--", lw=1, label="glia (rk4)")
        ax.set_ylabel(v)
    axes[0].legend(loc="upper right")
    axes[-1].set_xlabel("time (s)")
    fig.suptitle("Stimberg et al. example 2, deterministic G-ChI astrocyte: Brian 2.5.1 vs glia")
    fig.savefig(out_dir / "brian_example2_astrocyte.png", dpi=100)
    (out_dir / "brian_example2_astrocyte.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out_dir / 'brian_example2_astrocyte.json'} and .png")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[1] / "results")
