"""Stimberg et al. example 5 (Ca2+ wave on an astrocyte ring) against Brian 2.5.1, at a shorter duration,
through experiments/validation/brian_example5_astro_ring.py."""

import os
import pathlib
import sys

import numpy as np
import pytest

import glia

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT / "experiments" / "validation"))
pytest.importorskip("brian2", reason="Brian 2 (python3-brian) is not installed")
import brian_example5_astro_ring as ex5  # noqa: E402


def test_ring_agrees_with_brian_rk4():
    err, (t, C), r, _, _ = ex5.compare(150.0)
    assert err["C"] < 1e-9 and err["I"] < 1e-9, err
    # The wave reaches beyond the driven astrocyte's neighbours within three stimulus cycles.
    assert C[:, ex5.DRIVEN + 5].max() > 0.5


def test_uncoupled_ring_is_independent_cells():
    # F = 0: each astrocyte is a single cell; compare one with integrate_cell.
    r = glia.integrate_astrocyte_network(3, 30.0, 0.01, F=0.0, Y_S=[0.0, 0.2, 0.5],
                                         params={"O_beta": 5.0}, initial={"h": 0.9, "C": 0.05, "I": 0.1})
    solo = glia.integrate_cell("gchi", duration=30.0, sample_dt=0.01, method="rk4", dt=0.01,
                               params={"O_beta": 5.0}, input={"Y_S": 0.2},
                               initial={"Gamma_A": 0.0, "I": 0.1, "C": 0.05, "h": 0.9})
    np.testing.assert_allclose(r.C[:, 1], solo["C"], rtol=0, atol=1e-13)


def test_bad_network_arguments():
    with pytest.raises(glia.ConfigError, match=r"astrocyte_coupling\[0\]\.neighbours\.index\[1\] = 7: out of range \[0, 2\)"):
        glia.integrate_astrocyte_network(2, 1.0, 0.05, edges=([0, 1, 2], [1, 7]))
    with pytest.raises(glia.ConfigError, match=r"astrocyte_coupling\[0\]\.F = -1(\.0)?: must be >= 0"):
        glia.integrate_astrocyte_network(2, 1.0, 0.05, F=-1.0)
    with pytest.raises(glia.ConfigError, match=r"groups\[0\]\.params\.O_dleta = 1(\.0)?: unknown parameter"):
        glia.integrate_astrocyte_network(2, 1.0, 0.05, params={"O_dleta": 1.0})
