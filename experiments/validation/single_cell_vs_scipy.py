#!/usr/bin/env python3
"""Validation anchor 2 (BIOPHYSICS.md §6): single G-ChI and Li–Rinzel astrocytes against
SciPy's solve_ivp (DOP853, rtol 1e-10), and the convergence order of each fixed-step method.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/single_cell_vs_scipy.py [OUT_DIR]
Writes OUT_DIR/single_cell_vs_scipy.json (errors, orders, provenance) and .png (default
OUT_DIR: experiments/results).
"""

import json
import pathlib
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import glia  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "reference"))
import astrocytes_scipy as ref  # noqa: E402

CASES = {
    "gchi": dict(model="gchi", parameter_set="single_astrocyte", input={"Y_S": 0.2},
                 initial={"Gamma_A": 0.0, "I": 0.1, "C": 0.05, "h": 0.9}),
    "li_rinzel": dict(model="li_rinzel", params={"IP3_0": 0.5}, initial={"C": 0.073, "h": 0.793, "IP3": 0.5}),
}
METHODS = {"euler": (1e-3, 1), "rk2": (4e-3, 2), "rk4": (4e-2, 4)}


def reference(name, t, rtol=1e-10, atol=1e-12):
    case = CASES[name]
    if name == "gchi":
        return ref.solve("gchi", [case["initial"][v] for v in ref.GCHI_VARS], t, ref.GCHI_SINGLE,
                         Y_S=case["input"]["Y_S"], rtol=rtol, atol=atol)
    return ref.solve("li_rinzel", [case["initial"][v] for v in ref.LI_RINZEL_VARS], t,
                     dict(ref.LI_RINZEL, **case["params"]), rtol=rtol, atol=atol)


def main(out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    results = {"glia_version": glia.__version__, "git_commit": glia.__git_commit__ or commit,
               "reference": "scipy.integrate.solve_ivp DOP853: rtol 1e-10 atol 1e-12 for traces, "
               "rtol 1e-13 atol 1e-15 for convergence orders", "models": {}}
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    for row, name in enumerate(CASES):
        case = CASES[name]
        tr = glia.integrate_cell(duration=60.0, sample_dt=0.05, method="dopri5", rtol=1e-11, atol=1e-13, **case)
        expected = reference(name, tr.t)
        rel = {v: float(np.max(np.abs(tr[v] - expected[v])) / np.max(np.abs(expected[v]))) for v in expected}
        entry = {"adaptive_dopri5": {"rtol": 1e-11, "atol": 1e-13, "max_relative_error": rel,
                                     "rhs_evaluations": tr.rhs_evaluations},
                 "fixed_step": {}}
        ax = axes[row, 0]
        ax.plot(tr.t, tr["C"], label="glia dopri5")
        ax.plot(tr.t, expected["C"], "--", label="SciPy solve_ivp")
        ax.set(title=f"{name}: cytosolic Ca2+", xlabel="t (s)", ylabel="C (µM)")
        ax.legend()
        ax = axes[row, 1]
        for method, (dt0, order) in METHODS.items():
            dts = [dt0 / 2**k for k in range(4)]
            errors = []
            for dt in dts:
                fixed = glia.integrate_cell(duration=20.0, sample_dt=0.2, method=method, dt=dt, **case)
                # A tighter reference here, so its own error stays below the finest step's.
                exact = reference(name, fixed.t, rtol=1e-13, atol=1e-15)["C"]
                errors.append(float(np.max(np.abs(fixed["C"] - exact))))
            orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:])).tolist()
            entry["fixed_step"][method] = {"dt": dts, "max_abs_error_C": errors, "measured_order": orders,
                                           "expected_order": order}
            ax.loglog(dts, errors, "o-", label=f"{method} (order {np.mean(orders):.2f})")
        ax.set(title=f"{name}: error in C over 20 s vs dt", xlabel="dt (s)", ylabel="max |C - C_ref| (µM)")
        ax.legend()
        results["models"][name] = entry
        print(f"{name}: dopri5 max relative error {max(rel.values()):.2e}; measured orders "
              + ", ".join(f"{m} {np.mean(entry['fixed_step'][m]['measured_order']):.3f}" for m in METHODS))
    fig.savefig(out_dir / "single_cell_vs_scipy.png", dpi=100)
    (out_dir / "single_cell_vs_scipy.json").write_text(json.dumps(results, indent=2))
    print(f"wrote {out_dir / 'single_cell_vs_scipy.json'} and .png")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "results")
