"""Stimberg et al. example 2 (deterministic G-ChI astrocyte driven by a synapse) against Brian 2.5.1,
through experiments/validation/brian_example2_astrocyte.py at a shorter duration."""

import os
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(ROOT / "experiments" / "validation"))
pytest.importorskip("brian2", reason="Brian 2 (python3-brian) is not installed")
import brian_example2_astrocyte as ex2  # noqa: E402

DURATION = 8.0  # s: three releases and the Ca2+ response to each


def test_same_scheme_agrees_to_rounding():
    # Brian's forward Euler at 1 ms and glia's on the same glutamate pulses: the same arithmetic.
    t, brian, spikes, _ = ex2.run_brian("euler", DURATION)
    assert len(spikes) >= 3
    tr, _ = ex2.run_glia("euler", ex2.glia_pulse_times(spikes), DURATION)
    n = len(t)
    np.testing.assert_allclose(tr.t[:n], t)
    for v in ex2.VARS:
        err = np.max(np.abs(tr[v][:n] - brian[v])) / np.ptp(brian[v])
        assert err < 1e-10, f"{v}: {err:.2e}"
    assert np.max(brian["C"]) > 0.3  # the releases do raise Ca2+


def test_rk4_converges_to_adaptive_reference():
    _, _, spikes, _ = ex2.run_brian("euler", DURATION)
    pulses = ex2.glia_pulse_times(spikes)
    rk4, _ = ex2.run_glia("rk4", pulses, DURATION)
    ref, _ = ex2.run_glia("dopri5", pulses, DURATION)
    for v in ex2.VARS:
        assert np.max(np.abs(rk4[v] - ref[v])) / np.ptp(ref[v]) < 1e-5, v
