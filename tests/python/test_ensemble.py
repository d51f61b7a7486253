"""glia.integrate_cells: batched variants against solo runs, failures, and argument errors."""

import numpy as np
import pytest

import glia


def test_variant_in_ensemble_equals_solo_run():
    levels = np.array([0.05, 0.1, 0.2, 0.3, 0.5, 1.0])
    o_beta = np.linspace(2.0, 6.0, levels.size)
    ens = glia.integrate_cells(levels.size, duration=10.0, dt=1e-3, parameter_set="single_astrocyte",
                               params={"O_beta": o_beta}, Y_S=levels, initial={"I": 0.1, "C": 0.05},
                               record=[1, 4], record_dt=0.05)
    assert ens.traces.shape == (201, 2, 4)
    assert np.all(ens.status == 0)
    for col, k in enumerate([1, 4]):
        solo = glia.integrate_cell("gchi", duration=10.0, sample_dt=0.05, method="rk4", dt=1e-3,
                                   parameter_set="single_astrocyte", params={"O_beta": o_beta[k]},
                                   input={"Y_S": levels[k]}, initial={"I": 0.1, "C": 0.05, "h": 0.9})
        for v in ("Gamma_A", "I", "C", "h"):
            np.testing.assert_allclose(ens.trace(v)[:, col], solo[v], rtol=0, atol=1e-13)
        np.testing.assert_allclose(ens.final_state[k], [solo[v][-1] for v in ("Gamma_A", "I", "C", "h")], atol=1e-13)
        assert ens.C_max[k] >= solo["C"].max() - 1e-13


def test_unstable_variant_is_marked_and_others_continue():
    ens = glia.integrate_cells(3, duration=2.0, dt=0.05, method="euler", Y_S=[0.1, 500.0, 0.2])
    assert list(ens.status) == [0, 1, 0]
    assert ens.failed_variable[1] == "Gamma_A"
    assert ens.failed_at[1] == pytest.approx(0.05)
    assert np.isnan(ens.failed_at[0]) and ens.failed_variable[0] == ""


def test_bad_arguments_name_field_and_variant():
    with pytest.raises(glia.ConfigError, match=r"params\.O_beta\[2\] = -1\.0: must be > 0"):
        glia.integrate_cells(3, 1.0, 1e-3, params={"O_beta": [1.0, 2.0, -1.0]})
    with pytest.raises(glia.ConfigError, match=r"params\.O_bta: unknown parameter"):
        glia.integrate_cells(2, 1.0, 1e-3, params={"O_bta": 1.0})
    with pytest.raises(glia.ConfigError, match=r"Y_S: shape \(2,\), expected a scalar or \(3,\)"):
        glia.integrate_cells(3, 1.0, 1e-3, Y_S=[0.1, 0.2])
    with pytest.raises(glia.ConfigError, match=r"record\[0\] = 5: out of range \[0, 3\)"):
        glia.integrate_cells(3, 1.0, 1e-3, record=[5])
    with pytest.raises(glia.ConfigError, match=r"Y_S\[1\] = nan: must be >= 0"):
        glia.integrate_cells(2, 1.0, 1e-3, Y_S=[0.1, float("nan")])
    with pytest.raises(glia.ConfigError, match=r"initial\.h\[0\] = 1\.5: must be in \[0, 1\]"):
        glia.integrate_cells(2, 1.0, 1e-3, initial={"h": 1.5})
