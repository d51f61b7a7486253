"""Single astrocytes against SciPy's solve_ivp (BIOPHYSICS.md §6, anchor 2)."""

import os
import pathlib
import sys

import numpy as np
import pytest

import glia

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT / "experiments" / "reference"))
import astrocytes_scipy as ref  # noqa: E402

GCHI = dict(model="gchi", parameter_set="single_astrocyte", input={"Y_S": 0.2},
            initial={"Gamma_A": 0.0, "I": 0.1, "C": 0.05, "h": 0.9})
# IP3 held at 0.5 µM: sustained Li–Rinzel Ca2+ oscillations.
LR = dict(model="li_rinzel", params={"IP3_0": 0.5}, initial={"C": 0.073, "h": 0.793, "IP3": 0.5})


def reference(case, t, rtol=1e-10, atol=1e-12):
    if case["model"] == "gchi":
        y0 = [case["initial"][v] for v in ref.GCHI_VARS]
        return ref.solve("gchi", y0, t, ref.GCHI_SINGLE, Y_S=case["input"]["Y_S"], rtol=rtol, atol=atol)
    params = dict(ref.LI_RINZEL, **case["params"])
    return ref.solve("li_rinzel", [case["initial"][v] for v in ref.LI_RINZEL_VARS], t, params, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", [GCHI, LR], ids=["gchi", "li_rinzel"])
def test_adaptive_run_agrees_with_solve_ivp(case):
    tr = glia.integrate_cell(duration=60.0, sample_dt=0.05, method="dopri5", rtol=1e-11, atol=1e-13, **case)
    expected = reference(case, tr.t)
    for name, values in expected.items():
        scale = np.max(np.abs(values))
        rel = np.max(np.abs(tr[name] - values)) / scale
        assert rel < 1e-7, f"{case['model']}.{name}: max relative error {rel:.2e}"
    # The run must be dynamic enough for the comparison to mean something: Ca2+ oscillates.
    C = tr["C"]
    peaks = np.sum((C[1:-1] > C[:-2]) & (C[1:-1] > C[2:]) & (C[1:-1] > 0.3))
    assert peaks >= 2


@pytest.mark.parametrize("method,dt,order", [("euler", 5e-4, 1), ("rk2", 2e-3, 2), ("rk4", 2e-2, 4)])
def test_fixed_step_convergence_order_against_solve_ivp(method, dt, order):
    errors = []
    for h in (dt, dt / 2, dt / 4):
        tr = glia.integrate_cell(duration=20.0, sample_dt=0.1, method=method, dt=h, **GCHI)
        # A tighter reference, so that its own error is far below the finest step's.
        exact = reference(GCHI, tr.t, rtol=1e-13, atol=1e-15)["C"]
        errors.append(np.max(np.abs(tr["C"] - exact)))
    measured = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(measured - order) < 0.15), f"{method}: errors {errors}, orders {measured}"


def test_bad_arguments_raise_config_error():
    with pytest.raises(glia.ConfigError, match=r"params\.O_beta = -1\.0: must be > 0"):
        glia.integrate_cell("gchi", 1.0, 0.1, params={"O_beta": -1.0})
    with pytest.raises(glia.ConfigError, match=r"model = \"hodgkin\""):
        glia.integrate_cell("hodgkin", 1.0, 0.1)


def test_unstable_step_raises_simulation_error():
    with pytest.raises(glia.SimulationError, match="left its bounds"):
        glia.integrate_cell("gchi", 10.0, 0.1, method="euler", dt=0.1, input={"Y_S": 500.0},
                            parameter_set="single_astrocyte")
