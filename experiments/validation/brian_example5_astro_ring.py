#!/usr/bin/env python3
"""Validation anchor 1, Stimberg et al. example 5: the Ca2+ wave on a ring of 50 astrocytes coupled by IP3
gap junctions, one of them periodically driven by an exogenous IP3 bias (on 20 s of every 50 s), side by side
with Brian 2.5.1.

The model is written here for Brian from BIOPHYSICS.md's equations (network parameter set with
O_delta = 0.6 µM/s, no glutamate), integrated with RK4 at dt = 50 ms in both simulators; coupling fluxes are
computed at the start of each step in both (Brian's summed variables, glia's clock exchange).

The two runs agree to rounding at first, but the ring is chaotic: the difference grows by about 1000x per
200 s, so over the paper's 4000 s the traces decorrelate (in either simulator, a change in the last bit of
one flux does the same). The script therefore reports the difference against time (and its growth rate)
and, for the whole run, statistics: the number of Ca2+ events (upward crossings of 0.5 µM) per astrocyte.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/brian_example5_astro_ring.py [DURATION_S] [OUT_DIR]
Writes OUT_DIR/brian_example5_astro_ring.{json,png} (defaults: 4000 s as in the paper, experiments/results).
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

N = 50
DT = 0.05  # s
DRIVEN = N // 2


def run_brian(duration: float):
    import brian2 as b2

    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = DT * b2.second
    umolar, second = b2.umolar, b2.second
    ns = dict(
        O_P=0.9 * umolar / second, K_P=0.05 * umolar, C_T=2 * umolar, rho_A=0.18, Omega_C=6 / second,
        Omega_L=0.1 / second, d_1=0.13 * umolar, d_2=1.05 * umolar, O_2=0.2 / umolar / second,
        d_3=0.9434 * umolar, d_5=0.08 * umolar, O_delta=0.6 * umolar / second, kappa_delta=1.5 * umolar,
        K_delta=0.1 * umolar, Omega_5P=0.05 / second, K_D=0.7 * umolar, K_3K=1.0 * umolar,
        O_3K=4.5 * umolar / second, F_ex=0.09 * umolar / second, F=0.09 * umolar / second,
        I_Theta=0.3 * umolar, omega_I=0.05 * umolar,
    )
    astro = b2.NeuronGroup(N, """
        dI/dt = O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2)
                - O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K) - Omega_5P * I + J_ex + J_coupling : mmolar
        J_ex = -F_ex/2 * (1 + tanh((abs(I - I_bias * stimulus) - I_Theta)/omega_I))
               * sign(I - I_bias * stimulus) : mmolar/second
        stimulus = int((t % (50*second)) < 20*second) : 1
        J_coupling : mmolar/second
        dC/dt = (Omega_C * m_inf**3 * h**3 + Omega_L) * (C_T - (1 + rho_A) * C) - O_P * C**2/(C**2 + K_P**2) : mmolar
        dh/dt = (Q_2/(Q_2 + C) - h) * O_2 * (Q_2 + C) : 1
        m_inf = I/(I + d_1) * C/(C + d_5) : 1
        Q_2 = d_2 * (I + d_1)/(I + d_3) : mmolar
        I_bias : mmolar (constant)
        """, method="rk4", namespace=ns)
    astro.I_bias[DRIVEN] = 1.0 * umolar
    astro.h = 0.9
    gj = b2.Synapses(astro, astro, """
        J_coupling_post = -F/2 * (1 + tanh((abs(I_post - I_pre) - I_Theta)/omega_I)) * sign(I_post - I_pre)
                          : mmolar/second (summed)
        """, namespace=ns)
    gj.connect("j == (i + 1) % N_pre or j == (i + N_pre - 1) % N_pre")
    mon = b2.StateMonitor(astro, ["C", "I"], record=True)
    t0 = time.perf_counter()
    b2.run(duration * second)
    wall = time.perf_counter() - t0
    return np.asarray(mon.t / second), np.asarray(mon.C / umolar).T, np.asarray(mon.I / umolar).T, wall


def run_glia(duration: float, h0: float = 0.9):
    I_bias = np.zeros(N)
    I_bias[DRIVEN] = 1.0
    t0 = time.perf_counter()
    r = glia.integrate_astrocyte_network(N, duration, DT, edges="ring", params={"O_delta": 0.6}, F=0.09,
                                         I_bias=I_bias, F_ex=0.09, bias_period=50.0, bias_on=20.0,
                                         initial={"h": h0}, method="rk4")
    return r, time.perf_counter() - t0


def compare(duration: float):
    t_b, C_b, I_b, wall_b = run_brian(duration)
    r, wall_g = run_glia(duration)
    n = len(t_b)  # Brian records 0 .. T - dt, glia 0 .. T
    assert np.allclose(r.t[:n], t_b)
    err = {"C": float(np.max(np.abs(r.C[:n] - C_b)) / np.ptp(C_b)),
           "I": float(np.max(np.abs(r.I[:n] - I_b)) / np.ptp(I_b))}
    return err, (t_b, C_b), r, wall_b, wall_g


def events(C: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Upward crossings of `threshold` per astrocyte (columns of C)."""
    return np.sum((C[:-1] <= threshold) & (C[1:] > threshold), axis=0)


def main(duration: float, out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    err, (t_b, C_b), r, wall_b, wall_g = compare(duration)
    C_g = r.C[: len(t_b)]
    diff = np.max(np.abs(C_g - C_b), axis=1)
    checkpoints = [T for T in (50, 100, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 4000) if T < duration]
    growth = {str(T): float(diff[: int(round(T / DT))].max()) for T in checkpoints}
    ev_b, ev_g = events(C_b), events(C_g)
    # The spread of the statistic itself: glia runs whose initial h differs in the 12th-9th digit.
    perturbed = [float(events(run_glia(duration, 0.9 + eps)[0].C).mean()) for eps in (1e-12, 1e-11, 1e-10, 1e-9)]
    results = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__, "duration_s": duration,
               "dt_s": DT, "astrocytes": N, "max_abs_error_over_range_whole_run": err,
               "max_abs_C_difference_until_uM": growth,
               "ca_events_per_astrocyte": {"brian": ev_b.tolist(), "glia": ev_g.tolist(),
                                           "mean_brian": float(ev_b.mean()), "mean_glia": float(ev_g.mean()),
                                           "mean_glia_with_initial_h_perturbed_1e-12_to_1e-9": perturbed},
               "wall_s": {"brian_numpy_runtime": wall_b, "glia": wall_g}}
    print(f"glia rk4 vs Brian rk4: max |C diff| until " + ", ".join(f"{k} s {v:.1e}" for k, v in growth.items()))
    print(f"Ca2+ events per astrocyte over {duration:g} s: Brian {ev_b.mean():.2f}, glia {ev_g.mean():.2f} "
          f"(glia with h0 perturbed by 1e-12..1e-9: {min(perturbed):.2f} to {max(perturbed):.2f}); "
          f"wall Brian {wall_b:.1f} s, glia {wall_g:.2f} s")
    fig, ax = plt.subplots(1, 2, figsize=(11, 5), sharey=True, constrained_layout=True)
    for a, (name, C) in zip(ax, (("Brian 2.5.1", C_b), ("glia", r.C[: len(t_b)]))):
        a.imshow(C.T, aspect="auto", origin="lower", extent=(0, t_b[-1], 0, N), cmap="viridis")
        a.set(title=f"{name}: C (µM), astrocyte {DRIVEN} driven", xlabel="time (s)")
    ax[0].set_ylabel("astrocyte")
    fig.savefig(out_dir / "brian_example5_astro_ring.png", dpi=90)
    (out_dir / "brian_example5_astro_ring.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out_dir / 'brian_example5_astro_ring.json'} and .png")


if __name__ == "__main__":
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 4000.0
    out = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path(__file__).resolve().parents[1] / "results"
    main(duration, out)
