"""glia.simulate and glia.load against closed-form results and the HDF5 file."""

import json
import math

import h5py
import numpy as np
import pytest

import glia


def analytic_release(U, tau_rec, tau_fac, rate):
    """Steady-state release of a regular train (BIOPHYSICS.md §6.3), computed independently."""
    delta = 1.0 / rate
    ef = math.exp(-delta / tau_fac) if tau_fac > 0 else 0.0
    ed = math.exp(-delta / tau_rec)
    u = U / (1 - (1 - U) * ef)
    x = (1 - ed) / (1 - (1 - u) * ed)
    return u * x


def test_depressing_train_reaches_analytic_steady_state(base_config):
    base_config["simulation"]["duration"] = 20.0
    r = glia.simulate(base_config)
    rel = r.spikes["syn"]["r"]
    assert rel.shape == (800,)  # 2 synapses x 400 spikes
    assert rel[0] == pytest.approx(0.5, abs=1e-15)
    assert abs(rel[-1] - analytic_release(0.5, 0.8, 0.0, 20.0)) < 1e-12


def test_facilitating_preset_reaches_closed_form(base_config):
    base_config["simulation"]["duration"] = 20.0
    base_config["synapses"][0] = {"name": "syn", "model": "tsodyks_markram", "source": "pre", "preset": "facilitating"}
    r = glia.simulate(base_config)
    assert abs(r.spikes["syn"]["r"][-1] - analytic_release(0.03, 0.13, 0.53, 20.0)) < 1e-12
    # The config that ran is the network the driven form describes, every default filled in.
    assert r.config["projections"][0]["params"]["tau_fac"] == 0.53


def test_recorded_state_at_spikes_is_post_spike_state(base_config):
    # Depressing (tau_fac = 0): at a spike's own sample u = U and x = x- - r; between spikes u = 0.
    base_config["monitors"][0]["dt"] = 1e-4
    r = glia.simulate(base_config)
    s, sp = r.state["syn"], r.spikes["syn"]
    rows = np.rint(sp["t"][sp["i"] == 0] / 1e-4).astype(int)
    np.testing.assert_allclose(s["u"][rows, 0], 0.5, atol=1e-15)
    x_before = s["x"][rows[1:] - 1, 0]
    expected_after = x_before * np.exp(-1e-4 / 0.8) + (1 - np.exp(-1e-4 / 0.8)) - sp["r"][sp["i"] == 0][1:]
    np.testing.assert_allclose(s["x"][rows[1:], 0], expected_after, atol=1e-12)
    assert np.all(np.delete(s["u"][:, 0], rows) == 0.0)


def test_resolved_config_fills_defaults(base_config):
    r = glia.simulate(base_config)
    assert r.config["groups"][0]["start"] == 0.0
    assert r.config["monitors"][0]["indices"] == [0, 1]
    assert r.config["monitors"][0]["dt"] == pytest.approx(1e-3)
    assert r.config["projections"][0]["connect"] == {"rule": "one_to_one", "autapses": True}
    assert r.config["projections"][0]["init"] == {"u": 0.0, "x": 1.0}


def test_config_output_is_written_unless_overridden(base_config, tmp_path):
    base_config["output"] = str(tmp_path / "from_config.h5")
    glia.simulate(base_config)
    assert (tmp_path / "from_config.h5").exists()
    glia.simulate(base_config, output=tmp_path / "explicit.h5")
    assert (tmp_path / "explicit.h5").exists()


def test_state_arrays_shapes_and_bounds(base_config):
    r = glia.simulate(base_config)
    s = r.state["syn"]
    assert s["t"].shape == (1001,)  # 0 to the end of the run
    assert np.allclose(np.diff(s["t"]), 1e-3)
    assert list(s["indices"]) == [0, 1]
    for v in ("u", "x"):
        assert s[v].shape == (1001, 2)
        assert np.all((s[v] >= 0) & (s[v] <= 1))
    # Between spikes x recovers towards 1 with tau_rec: check one gap against the exponential.
    x = s["x"][:, 0]
    t = s["t"]
    a, b = np.searchsorted(t, 0.002), np.searchsorted(t, 0.049)
    expected = 1 - (1 - x[a]) * np.exp(-(t[a:b] - t[a]) / 0.8)
    assert np.max(np.abs(x[a:b] - expected)) < 1e-12


def test_poisson_rate_and_seed_determinism(base_config):
    base_config["groups"][0] = {"name": "pre", "model": "poisson", "n": 500, "rate": 15.0}
    base_config["monitors"].append({"type": "spikes", "target": "pre"})
    a = glia.simulate(base_config)
    b = glia.simulate(base_config)
    n_spikes = a.spikes["pre"]["t"].size
    expected = 500 * 15.0 * 1.0
    assert abs(n_spikes - expected) < 5 * math.sqrt(expected)
    np.testing.assert_array_equal(a.spikes["pre"]["t"], b.spikes["pre"]["t"])
    np.testing.assert_array_equal(a.spikes["syn"]["r"], b.spikes["syn"]["r"])
    # The synapse sees exactly its source's spikes, as drawn by a run of the source alone.
    alone = dict(base_config, synapses=[], monitors=[{"type": "spikes", "target": "pre"}])
    src = glia.simulate(alone).spikes["pre"]
    np.testing.assert_array_equal(src["t"], a.spikes["syn"]["t"])
    np.testing.assert_array_equal(src["i"], a.spikes["syn"]["i"])
    base_config["simulation"]["seed"] = 12
    c = glia.simulate(base_config)
    assert not np.array_equal(a.spikes["pre"]["t"], c.spikes["pre"]["t"])


def test_output_file_has_data_and_provenance(base_config, tmp_path):
    out = tmp_path / "run.h5"
    r = glia.simulate(base_config, output=out)
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        assert f.attrs["glia_version"] == glia.__version__
        assert len(f.attrs["git_commit"]) > 0
        assert f.attrs["seed"] == 11
        cfg = json.loads(f.attrs["config"])
        assert cfg["projections"][0]["params"]["tau_rec"] == 0.8
        assert cfg["output"] == str(out)
        np.testing.assert_array_equal(f["state/syn/x"][()], r.state["syn"]["x"])
        np.testing.assert_array_equal(f["spikes/syn/r"][()], r.spikes["syn"]["r"])
    loaded = glia.load(out)
    np.testing.assert_array_equal(loaded.state["syn"]["u"], r.state["syn"]["u"])
    assert loaded.attrs["seed"] == 11


def test_config_errors_are_python_exceptions_naming_the_field(base_config):
    base_config["synapses"][0]["tau_rec"] = float("nan")
    with pytest.raises(glia.ConfigError, match=r"synapses\[0\]\.tau_rec = nan: must be finite"):
        glia.simulate(base_config)
    base_config["synapses"][0]["tau_rec"] = -1.0
    with pytest.raises(ValueError, match=r"synapses\[0\]\.tau_rec = -1.0: must be > 0"):
        glia.simulate(base_config)


def test_numpy_values_in_config_are_accepted(base_config):
    base_config["synapses"][0]["U"] = np.float64(0.25)
    base_config["monitors"][0]["indices"] = np.array([1])
    r = glia.simulate(base_config)
    assert r.spikes["syn"]["r"][0] == pytest.approx(0.25, abs=1e-15)
    assert list(r.state["syn"]["indices"]) == [1]


def test_load_rejects_incomplete_file(tmp_path):
    path = tmp_path / "partial.h5"
    with h5py.File(path, "w") as f:
        f.attrs["complete"] = 0
        f.attrs["config"] = "{}"
    with pytest.raises(ValueError, match="not a complete glia result"):
        glia.load(path)


def test_cuda_request_without_device_is_a_clear_error(base_config):
    if glia.cuda_device_count() > 0:
        pytest.skip("a CUDA device is present; the CPU-vs-GPU tests cover this path")
    base_config["simulation"]["device"] = "cuda"
    with pytest.raises(glia.ConfigError, match=r"simulation\.device = \"cuda\""):
        glia.simulate(base_config)
