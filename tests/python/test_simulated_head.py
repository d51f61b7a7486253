"""glia.mapping.simulate_head from Python: the simulated head approaches the closed-form operator (checked here
against an independent NumPy evaluation of NETWORKS.md §2 for one head), and settings that cannot converge raise
ConfigError naming the setting. The convergence orders are asserted in tests/cpp/test_simulated_head.cpp."""

import numpy as np
import pytest

import glia
import glia.mapping as gm


def phi(x):
    return np.where(x > 0, x + 1.0, np.exp(x))


def numpy_operator(q, k, v, a, alpha=0.25, eps=1e-6):
    h = (phi(k) + phi(a)).T @ v
    w = 1.0 / (1.0 + np.exp(-h / k.shape[0]))
    g = phi(k).sum(0) ** alpha
    return (phi(q) @ w) / (phi(q) @ g + eps)[:, None]


def test_simulated_head_approaches_the_operator():
    rng = np.random.default_rng(0)
    q, k, a = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    v = rng.standard_normal((5, 2))
    op = numpy_operator(q, k, v, a)
    np.testing.assert_allclose(gm.head_operator(q, k, v, a), op, rtol=1e-12, atol=1e-12)
    coarse = gm.simulate_head(q, k, v, a, tau_n=1e-3, tau_p=0.1, dt=1e-4)
    fine = gm.simulate_head(q, k, v, a, tau_n=1e-4, tau_p=0.1, dt=1e-5)
    e_coarse, e_fine = np.abs(coarse["out"] - op).max(), np.abs(fine["out"] - op).max()
    assert e_fine < 0.2 * e_coarse and e_fine < 1e-3 * np.abs(op).max()
    assert coarse["synapses"].shape == (3, 2) and coarse["calcium"].shape == (3,)
    np.testing.assert_allclose(fine["calcium"], phi(k).sum(0), rtol=1e-3)


def test_settings_that_cannot_converge_name_the_setting():
    q = k = np.zeros((2, 2))
    v = np.zeros((2, 1))
    with pytest.raises(glia.ConfigError, match="simulated_head.tau_n"):
        gm.simulate_head(q, k, v, tau_n=0.2, tau_p=0.1)
    with pytest.raises(glia.ConfigError, match="simulated_head.dt"):
        gm.simulate_head(q, k, v, dt=3e-5)
    with pytest.raises(glia.ConfigError, match="method"):
        gm.simulate_head(q, k, v, method="rk45")
    with pytest.warns(RuntimeWarning, match="tau_n/tau_p"):
        gm.simulate_head(q, k, v, tau_n=0.01, tau_p=0.1, dt=1e-3)
