#!/usr/bin/env python3
"""The LTP macro model (BIOPHYSICS.md §4, MAPPING.md §2): p^l of the default 3 x 3 neuron–astrocyte
network over 10 STP cycles (2 s on + 2 s off), next to its closed form.

p^l is linear in its drive kappa(s), so once the synapses and short-term processes repeat from
cycle to cycle the levels at cycle ends follow the geometric series p_n = q p_{n-1} + A,
q = exp(-gamma_l T_c / tau_pl); for a square drive (kappa = K on, 0 off) A has a closed form
(glia.ltp.ltp_closed_form). The closed form is drawn with the K that gives the simulation's
per-cycle gain in its periodic regime (A = p_10 - q p_9); the gap in the first cycles is the
build-up of the synapse–process loop, which a square drive does not have. The simulation is also
checked against SciPy's solve_ivp at every cycle end.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/ltp_macro_model.py [OUT_DIR]
Writes OUT_DIR/ltp_macro_model.json and .png (default OUT_DIR: experiments/results).
"""

import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import glia  # noqa: E402
from glia.ltp import ltp_closed_form, ltp_square_cycle_gain  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
import neuron_astrocyte_scipy as ref  # noqa: E402

CYCLES, T_ON, T_OFF = 10, 2.0, 2.0


def main(out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    r = glia.neuron_astrocyte_ltp(n_cycles=CYCLES, T_on=T_ON, T_off=T_OFF, dt=1e-3, record_dt=1e-2, method="rk4")
    p = r.params
    curve = r.curve
    scipy_levels = ref.solve([1.0] * 3, [1.0] * 3, T_ON, T_OFF, CYCLES, np.array([0.0]), rtol=1e-12,
                             atol=1e-14)["p_l_cycle_end"]
    scipy_rel = float(np.max(np.abs(r.p_l_cycle_end - scipy_levels)) / np.max(np.abs(scipy_levels)))

    T_c = T_ON + T_OFF
    q = float(np.exp(-p["gamma_l"] * T_c / p["tau_pl"]))
    A = float(curve[-1] - q * curve[-2])  # per-cycle gain once the drive repeats
    K_eff = A / ltp_square_cycle_gain(1.0, T_ON, T_OFF, p["tau_pl"], p["gamma_l"])
    closed = ltp_closed_form(CYCLES, K_eff, T_ON, T_OFF, tau_pl=p["tau_pl"], gamma_l=p["gamma_l"])
    increments = np.diff(np.concatenate([[0.0], curve]))
    ratios = increments[1:] / increments[:-1]
    # kappa(s) over the last cycle's on-phase: what the square drive's K stands for.
    last_on = (r.t > (CYCLES - 1) * T_c) & (r.t <= (CYCLES - 1) * T_c + T_ON)
    kappa_on = p["kappa_gain"] * np.tanh(r.s[last_on])

    results = {
        "glia_version": glia.__version__,
        "git_commit": glia.__git_commit__,
        "network": {"n_pre": 3, "n_post": 3, "theta": "tanh", "drive": "b_pre = b_post = 1 during on-phases",
                    "params": p},
        "protocol": {"cycles": CYCLES, "T_on_s": T_ON, "T_off_s": T_OFF},
        "integration": {"method": "rk4", "dt_s": 1e-3},
        "cycle_end_t_s": r.cycle_end_t.tolist(),
        "p_l_mean": curve.tolist(),
        "p_l_per_synapse": r.p_l_cycle_end.reshape(CYCLES, -1).tolist(),
        "p_l_on_end_mean": r.p_l_on_end.mean(axis=(1, 2)).tolist(),
        "scipy_check": {"reference": "solve_ivp DOP853 rtol 1e-12 atol 1e-14, phase by phase",
                        "max_relative_error_cycle_ends": scipy_rel},
        "closed_form": {
            "formula": "p_n = A (1 - q^n) / (1 - q), A = (K / gamma_l)(1 - exp(-gamma_l T_on / tau_pl)) "
                       "exp(-gamma_l T_off / tau_pl), q = exp(-gamma_l (T_on + T_off) / tau_pl); "
                       "= p_inf (1 - exp(-n T_c / tau_L)) with tau_L = tau_pl / gamma_l",
            "q": q, "A": A, "K_eff": float(K_eff), "p_inf": A / (1 - q), "tau_L_s": p["tau_pl"] / p["gamma_l"],
            "calibration": "A from the last two simulated cycles (periodic regime). K_eff can exceed "
                           "kappa_gain: kappa(s) stays > 0 through each rest (s decays over tau_s / beta), "
                           "which a square drive of the same per-cycle gain must make up during T_on",
            "p_l": closed.tolist(),
            "relative_difference": ((curve - closed) / closed).tolist(),
        },
        "increment_ratios": ratios.tolist(),
        "kappa_during_last_on_phase": {"min": float(kappa_on.min()), "mean": float(kappa_on.mean()),
                                       "max": float(kappa_on.max())},
    }

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), constrained_layout=True)
    n = np.arange(1, CYCLES + 1)
    n0 = np.arange(0, CYCLES + 1)  # with the start at rest
    ax = axes[0]
    for k in range(9):
        ax.plot(n0, np.concatenate([[0.0], r.p_l_cycle_end.reshape(CYCLES, -1)[:, k]]), color="0.75", lw=0.8)
    ax.plot(n0, np.concatenate([[0.0], curve]), "o-", color="C0", label="glia, mean over 9 synapses")
    ax.plot(n, scipy_levels.mean(axis=(1, 2)), "x", color="k", label="SciPy solve_ivp")
    ax.plot(n0, np.concatenate([[0.0], closed]), "s--", color="C3", mfc="none",
            label=f"closed form (square κ, K = {K_eff:.3f})")
    ax.set(title="LTP macro model: p^l at cycle ends", xlabel="cycle", ylabel="p^l")
    ax.legend()
    ax = axes[1]
    centre = (slice(None), 1, 1)
    ax.plot(r.t, r.s[centre], label="s (centre synapse)")
    ax.plot(r.t, r.p_s[centre], label="p^s")
    ax.plot(r.t, r.p_l[centre], label="p^l")
    for c in range(CYCLES):
        ax.axvspan(c * T_c, c * T_c + T_ON, color="0.93", lw=0)
    ax.set(title="traces (shaded: correlated drive on)", xlabel="t (s)")
    ax.legend()
    ax = axes[2]
    ax.plot(n[1:], ratios, "o-", label="Δp_n / Δp_(n-1), simulation")
    ax.axhline(q, color="C3", ls="--", label=f"q = exp(-γ_l T_c / τ_pl) = {q:.4f}")
    ax.set(title="increments become geometric", xlabel="cycle n", ylabel="ratio")
    ax.legend()
    fig.savefig(out_dir / "ltp_macro_model.png", dpi=100)
    (out_dir / "ltp_macro_model.json").write_text(json.dumps(results, indent=2))
    print("p^l mean at cycle ends:", np.round(curve, 5))
    print("closed form (K_eff = %.4f):" % K_eff, np.round(closed, 5))
    print(f"vs SciPy: max relative error {scipy_rel:.2e}; last increment ratio {ratios[-1]:.5f} (q = {q:.5f})")
    print(f"wrote {out_dir / 'ltp_macro_model.json'} and .png")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "results")
