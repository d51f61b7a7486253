#!/usr/bin/env python3
"""The simulated attention head against the closed-form operator (MAPPING.md §1): error against tau_n/tau_p and
against dt, with the fitted orders, and the distance of leaky (biologically constrained) heads from the operator.

One head with N = 16 keys/queries, m = 8 hidden neurons (feature width), d = 8 output neurons, astrocyte term on,
alpha = 0.25, sigma on; inputs drawn from a seeded normal distribution (seed --seed).
1. Error against the operator (max abs over the outputs) for tau_n/tau_p = 0.04 ... 0.0025 (tau_p = 0.1 s,
   RK4, dt = tau_n/20, where the integration error is negligible): the expected order is 1.
2. At tau_n/tau_p = 0.1 the simulation is an ODE solution: error against an RK4 run at dt = tau_n/512 for
   Euler, RK2 and RK4 at dt = tau_n/8 ... tau_n/64 (positive drives: phi = elu + 1 is only C^1 at 0, and a neuron
   crossing 0 within a step lowers the order). Expected orders 1, 2, 4.
3. Leaky synapses (beta = 0.01, 0.1, 1 over tau_s = tau_p) at tau_n/tau_p = 0.005: relative distance from the
   operator (a different operator, reported, not asserted).

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/simulated_head_convergence.py [--seed S]
Writes experiments/results/simulated_head_convergence.{json,png}; prints the fitted orders last.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import warnings

import numpy as np

import glia
import glia.mapping as gm

ROOT = pathlib.Path(__file__).resolve().parents[2]


def fitted_order(x, err):
    """Slope of log(err) against log(x) by least squares."""
    return float(np.polyfit(np.log(x), np.log(err), 1)[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "experiments" / "results")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n, m, d = 16, 8, 8
    q, k, v = rng.standard_normal((n, m)), rng.standard_normal((n, m)), rng.standard_normal((n, d))
    activity = 0.5 * rng.standard_normal((n, m))
    op = gm.head_operator(q, k, v, activity)
    scale = float(np.abs(op).max())
    tau_p = 0.1

    ratios = [0.04, 0.02, 0.01, 0.005, 0.0025]
    err_ratio = []
    for r in ratios:
        tau_n = r * tau_p
        out = gm.simulate_head(q, k, v, activity, tau_n=tau_n, tau_p=tau_p, dt=tau_n / 20)["out"]
        err_ratio.append(float(np.abs(out - op).max()))

    qp, kp = np.abs(q) + 0.1, np.abs(k) + 0.1
    tau_n = 0.1 * tau_p
    reference = gm.simulate_head(qp, kp, v, activity, tau_n=tau_n, tau_p=tau_p, dt=tau_n / 512)["out"]
    divisions = [8, 16, 32, 64]
    err_dt = {}
    warnings.simplefilter("ignore", RuntimeWarning)  # tau_n/tau_p = 0.1 is far from the operator on purpose
    for method in ("euler", "rk2", "rk4"):
        err_dt[method] = [float(np.abs(gm.simulate_head(qp, kp, v, activity, tau_n=tau_n, tau_p=tau_p,
                                                        dt=tau_n / s, method=method)["out"] - reference).max())
                          for s in divisions]

    leaky = []
    tau_n = 0.005 * tau_p
    for beta in (0.0, 0.01, 0.1, 1.0):
        out = gm.simulate_head(q, k, v, activity, tau_n=tau_n, tau_p=tau_p, dt=tau_n / 20, synapse_leak=beta)["out"]
        leaky.append({"synapse_leak": beta, "relative_distance": float(np.abs(out - op).max() / scale)})

    dts = [0.1 * tau_p / s for s in divisions]
    orders = {"tau_n_over_tau_p": fitted_order(ratios, err_ratio),
              **{f"dt_{mth}": fitted_order(dts, e) for mth, e in err_dt.items()}}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    result = {
        "command": "PYTHONPATH=build/python /usr/bin/python3 experiments/validation/simulated_head_convergence.py",
        "glia_version": glia.__version__ if hasattr(glia, "__version__") else "", "git_commit": commit,
        "seed": args.seed, "shape": {"keys": n, "width": m, "values": d}, "tau_p": tau_p,
        "operator_max_abs": scale,
        "error_vs_tau_ratio": {"tau_n_over_tau_p": ratios, "max_abs_error": err_ratio},
        "error_vs_dt": {"tau_n_over_tau_p": 0.1, "dt": dts, "max_abs_error": err_dt},
        "fitted_orders": orders, "expected_orders": {"tau_n_over_tau_p": 1, "dt_euler": 1, "dt_rk2": 2, "dt_rk4": 4},
        "leaky_synapses": leaky,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "simulated_head_convergence.json").write_text(json.dumps(result, indent=2) + "\n")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].loglog(ratios, err_ratio, "o-", label=f"simulation (order {orders['tau_n_over_tau_p']:.2f})")
    ax[0].loglog(ratios, [err_ratio[0] * r / ratios[0] for r in ratios], "k--", lw=0.8, label="order 1")
    ax[0].set(xlabel="τ_n / τ_p", ylabel="max |simulation − operator|", title="against the closed-form operator")
    ax[0].legend()
    for mth, e in err_dt.items():
        ax[1].loglog(dts, e, "o-", label=f"{mth} (order {orders['dt_' + mth]:.2f})")
    ax[1].set(xlabel="dt (s)", ylabel="max |simulation − fine RK4|", title="integration error, τ_n/τ_p = 0.1")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(args.out / "simulated_head_convergence.png", dpi=120)
    print("fitted orders: " + ", ".join(f"{k_} {o:.2f}" for k_, o in orders.items()))


if __name__ == "__main__":
    sys.exit(main())
