"""The neuron–astrocyte LTP network against SciPy's solve_ivp (BIOPHYSICS.md §4; MAPPING.md §2)."""

import os
import pathlib
import sys

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import glia
from glia.ltp import ltp_closed_form

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT / "experiments" / "reference"))
import neuron_astrocyte_scipy as ref  # noqa: E402

VARIABLES = ("x_pre", "x_post", "s", "p_s", "p_l")


def max_relative_errors(result, expected):
    return {k: np.max(np.abs(getattr(result, k) - expected[k])) / np.max(np.abs(expected[k])) for k in VARIABLES}


def test_default_ltp_protocol_matches_solve_ivp():
    """3 x 3 network, 10 cycles of 2 s on + 2 s off: every trace and the per-cycle p^l levels."""
    r = glia.neuron_astrocyte_ltp(dt=5e-4, record_dt=1e-2)
    expected = ref.solve([1.0] * 3, [1.0] * 3, 2.0, 2.0, 10, r.t, rtol=1e-12, atol=1e-14)
    errors = max_relative_errors(r, expected)
    assert max(errors.values()) < 2e-7, errors
    np.testing.assert_allclose(r.p_l_cycle_end, expected["p_l_cycle_end"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(r.cycle_end_t, 4.0 * np.arange(1, 11), rtol=1e-12)
    # The curve the mapping layer uses: accumulating and saturating below kappa_gain / gamma_l.
    curve = r.curve
    assert np.all(np.diff(curve) > 0) and curve[-1] < 1.0
    assert np.diff(curve)[-1] < 0.5 * np.diff(curve).max()


def test_non_square_network_with_other_parameters_matches_solve_ivp():
    """4 post x 2 pre, relu neurons, unequal drives, stronger and longer-range process coupling,
    and a protocol whose phases differ in length: checks the wiring and every parameter's role."""
    params = {"tau_n": 0.02, "lambda": 0.8, "tau_s": 0.7, "beta": 0.6, "c": 1.3, "tau_ps": 1.5, "tau_pl": 20.0,
              "gamma_s": 1.2, "gamma_l": 0.7, "c_T": 0.4, "lambda_T": 1.5, "psi_gain": 0.3, "kappa_gain": 0.9,
              "w_gain": 0.3}
    b_pre, b_post = [0.8, 0.4], [1.0, 0.5, -0.2, 0.9]
    r = glia.neuron_astrocyte_ltp(n_cycles=3, T_on=1.5, T_off=1.0, b_pre=b_pre, b_post=b_post,
                                  theta="relu", params=params, dt=5e-4, record_dt=5e-3)
    assert r.s.shape == (len(r.t), 4, 2)
    assert r.params == params
    expected = ref.solve(b_pre, b_post, 1.5, 1.0, 3, r.t, params=params, theta="relu", rtol=1e-12, atol=1e-14)
    errors = max_relative_errors(r, expected)
    assert max(errors.values()) < 2e-7, errors
    np.testing.assert_allclose(r.p_l_cycle_end, expected["p_l_cycle_end"], rtol=1e-8, atol=0)


@pytest.mark.parametrize("method,dt,order", [("euler", 2e-3, 1), ("exact", 2e-3, 1), ("rk2", 4e-3, 2),
                                             ("rk4", 4e-3, 4)])
def test_fixed_step_convergence_order_against_solve_ivp(method, dt, order):
    kwargs = dict(n_cycles=1, T_on=0.5, T_off=0.5, b_pre=[1.0, 0.6, 1.4], b_post=[0.8, 1.2, 1.0],
                  params={"c_T": 0.3}, record_dt=0.5)
    t = np.array([0.0, 0.5, 1.0])
    exact = ref.solve(kwargs["b_pre"], kwargs["b_post"], 0.5, 0.5, 1, t, params=kwargs["params"], rtol=1e-13,
                      atol=1e-15)
    errors = []
    for h in (dt, dt / 2, dt / 4):
        r = glia.neuron_astrocyte_ltp(dt=h, method=method, **kwargs)
        errors.append(max(np.max(np.abs(getattr(r, k) - exact[k])) for k in VARIABLES))
    measured = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(measured - order) < 0.15), f"{method}: errors {errors}, orders {measured}"


@pytest.mark.parametrize("gamma_l", [1.0, 0.4, 0.0])
def test_square_drive_closed_form_matches_solve_ivp(gamma_l):
    """ltp_closed_form (the geometric series) against the p^l equation integrated phase by phase
    with kappa = K on and 0 off."""
    K, T_on, T_off, tau_pl = 0.7, 2.0, 3.0, 30.0
    p, levels = 0.0, []
    for _ in range(10):
        for drive, length in ((K, T_on), (0.0, T_off)):
            sol = solve_ivp(lambda _t, y, k=drive: [(-gamma_l * y[0] + k) / tau_pl], (0.0, length), [p],
                            method="DOP853", rtol=1e-12, atol=1e-14)
            p = sol.y[0, -1]
        levels.append(p)
    closed = ltp_closed_form(10, K, T_on, T_off, tau_pl=tau_pl, gamma_l=gamma_l)
    np.testing.assert_allclose(closed, levels, rtol=1e-10)


def test_bad_arguments_raise_config_error():
    with pytest.raises(glia.ConfigError, match=r"params\.tau_pl = -1(\.0)?: must be > 0"):
        glia.neuron_astrocyte_ltp(params={"tau_pl": -1.0})
    with pytest.raises(glia.ConfigError, match=r"params\.tau_x"):
        glia.neuron_astrocyte_ltp(params={"tau_x": 1.0})
    with pytest.raises(glia.ConfigError, match=r"T_on = 0\.0015: must be a whole multiple of dt"):
        glia.neuron_astrocyte_ltp(T_on=0.0015)
    with pytest.raises(glia.ConfigError, match=r'theta = "sigmoid"'):
        glia.neuron_astrocyte_ltp(theta="sigmoid")
    with pytest.raises(glia.ConfigError, match=r"b_post: shape \(2,\)"):
        glia.neuron_astrocyte_ltp(n_post=3, b_post=[1.0, 2.0])
    with pytest.raises(glia.ConfigError, match=r'method = "rk45"'):
        glia.neuron_astrocyte_ltp(method="rk45")
    with pytest.raises(glia.ConfigError, match=r"n_cycles = 0: must be >= 1"):
        glia.neuron_astrocyte_ltp(n_cycles=0)
