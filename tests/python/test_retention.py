"""Retention factors from simulated LTP: glia.mapping.derive_retention / load_retention and
`glia retention`. Tables are distributions over t that fall with t (from t = 2 for the defaults: the
first cycle builds up the synapse–process loop) and shift down as T grows; the fit recovers known
parameters; the file round-trips and rejects a request for another T; bad input exits 2 naming the field."""

import json
import subprocess

import h5py
import numpy as np
import pytest

import glia
import glia.mapping as gm
from glia.ltp import ltp_periodic_closed_form, ltp_square_cycle_gain

# Square drive without feedback (see tests/cpp/test_retention.cpp): neurons and synapses jump to their
# fixed points within a step, so kappa is K for T_on every cycle and p^l is the geometric series.
SQUARE = {"params": {"tau_n": 1e-9, "tau_s": 1e-9, "psi_gain": 0.0, "w_gain": 0.0, "tau_pl": 20.0, "gamma_l": 1.0},
          "b_pre": [0.8, 0.8, 0.8], "b_post": [0.8, 0.8, 0.8], "dt": 1e-2, "method": "exact"}


def test_default_tables_sum_to_one_fall_and_shift_down(tmp_path):
    res = gm.derive_retention(T=[4, 8, 16], output=tmp_path / "rf.h5")
    assert res.T == [4, 8, 16] and res.path == str(tmp_path / "rf.h5")
    firsts = []
    for T in res.T:
        rf = res.rf(T)
        assert rf.shape == (T,)
        assert rf.sum() == pytest.approx(1.0, abs=1e-12)
        assert res.rf(T, "fitted").sum() == pytest.approx(1.0, abs=1e-12)
        assert rf[0] < rf[1]  # the first cycle's build-up
        assert np.all(np.diff(rf[1:]) < 0)
        assert res.falls_from[T] == 2
        firsts.append(rf[0])
        np.testing.assert_allclose(res.rf_per_synapse[T].sum(axis=0), 1.0, atol=1e-12)
    assert firsts[0] > firsts[1] > firsts[2]
    assert res.p_l.shape == (17, 3, 3) and res.p_l_mean[0] == 0.0
    np.testing.assert_allclose(res.p_l_mean, res.p_l.mean(axis=(1, 2)), rtol=1e-14)
    assert 0 < res.fit["relative_rmse"] < 0.05 and res.fit["model"] == "exponential"
    assert not res.warnings
    # The file holds the same, with provenance.
    with h5py.File(res.path, "r") as f:
        assert f.attrs["kind"] == "glia.retention" and f.attrs["complete"] == 1
        assert f.attrs["glia_version"] == glia.__version__ and f.attrs["git_commit"] == glia.__git_commit__
        assert json.loads(f.attrs["config"])["T"] == [4, 8, 16]
        np.testing.assert_array_equal(f["rf/simulated/T8"][:], res.rf(8))
        np.testing.assert_array_equal(f["curve/p_l_mean"][:], res.p_l_mean)
        assert f["fit"].attrs["rmse"] == res.fit["rmse"]
    np.testing.assert_array_equal(gm.load_retention(res.path, 8), res.rf(8))
    np.testing.assert_array_equal(gm.load_retention(res.path, 16, source="fitted"), res.rf(16, "fitted"))
    info = gm.retention_info(res.path, 4)
    assert info["T_cycle"] == 4.0 and info["fit_model"] == "exponential" and info["config"]["T"] == [4, 8, 16]


def test_square_drive_matches_closed_form():
    res = gm.derive_retention(SQUARE, T=[3, 12])
    K = np.tanh(np.tanh(0.8) ** 2)
    A = ltp_square_cycle_gain(K, 2.0, 2.0 - 2e-2, tau_pl=20.0)  # kappa starts two steps into the cycle
    np.testing.assert_allclose(res.p_l_mean[1:], ltp_periodic_closed_form(12, A, 4.0, tau_pl=20.0), rtol=1e-12)
    for T in res.T:
        closed = gm.retention_exponential(4.0 / 20.0, T)
        np.testing.assert_allclose(res.rf(T), closed, rtol=1e-11)
        np.testing.assert_allclose(res.rf(T, "fitted"), closed, rtol=1e-8)
    assert res.fit["params"]["tau_L"] == pytest.approx(20.0, rel=1e-8)


def test_fit_recovers_known_parameters():
    t = 4.0 * np.arange(1, 21)
    f = gm.fit_ltp_curve(t, 0.6 * -np.expm1(-t / 18.0))
    assert f["params"]["p_inf"] == pytest.approx(0.6, rel=1e-8)
    assert f["params"]["tau_L"] == pytest.approx(18.0, rel=1e-8)
    h = gm.fit_ltp_curve(t, 0.5 * t**1.7 / (30.0**1.7 + t**1.7), model="hill")
    assert h["params"] == pytest.approx({"p_inf": 0.5, "t_half": 30.0, "n": 1.7}, rel=1e-6)
    assert h["rmse"] < 1e-10
    with pytest.raises(glia.ConfigError, match="model"):
        gm.fit_ltp_curve(t, t, model="cubic")


def test_other_fit_models_are_selectable():
    res = gm.derive_retention(T=10, fit="exponential2")
    assert set(res.fit["params"]) == {"a_1", "tau_1", "a_2", "tau_2"}
    one = gm.derive_retention(T=10)
    # Two exponentials fit the build-up better than one.
    assert res.fit["rmse"] < one.fit["rmse"]
    assert res.rf(10, "fitted").sum() == pytest.approx(1.0, abs=1e-12)


def test_no_saturation_warns():
    cfg = json.loads(json.dumps(SQUARE))
    cfg["params"]["gamma_l"] = 0.0
    with pytest.warns(gm.RetentionWarning, match="does not saturate"):
        res = gm.derive_retention(cfg, T=6)
    np.testing.assert_allclose(res.rf(6), 1.0 / 6.0, rtol=1e-12)
    # Short bursts against tau_s = 1 s: a long build-up, the table rises up to t = 4.
    with pytest.warns(gm.RetentionWarning, match=r"rises up to t = 4"):
        short = gm.derive_retention(T=10, T_on=1.0, T_off=1.0)
    assert short.falls_from[10] == 4 and np.all(np.diff(short.rf(10)[:4]) > 0)


def test_bad_input_names_the_field(tmp_path):
    with pytest.raises(glia.ConfigError, match=r"params\.tau_pl"):
        gm.derive_retention(params={"tau_pl": 0.0})
    with pytest.raises(glia.ConfigError, match=r"^b_pre: the network produces no long-term potentiation"):
        gm.derive_retention(b_pre=[0.0, 0.0, 0.0])
    with pytest.raises(glia.ConfigError, match=r"fit\.model"):
        gm.derive_retention(fit="spline")
    with pytest.raises(glia.ConfigError, match=r"^n_cycles"):
        gm.derive_retention(T=8, n_cycles=4)


def test_wrong_T_and_malformed_files(tmp_path):
    path = tmp_path / "rf.h5"
    gm.derive_retention(SQUARE, T=[3, 12], output=path)
    with pytest.raises(glia.ConfigError, match=r"model\.retention = .*T = 3, 12, not for T = 10"):
        gm.load_retention(path, 10, field="model.retention")
    bad = tmp_path / "bad.h5"
    with h5py.File(path, "r") as src, h5py.File(bad, "w") as dst:
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        dst["rf/T"] = np.array([3], dtype=np.uint32)
        dst["rf/simulated/T3"] = np.array([0.2, 0.2, np.nan])
    with pytest.raises(glia.ConfigError, match=r"malformed retention file: RF\(3, 3\)"):
        gm.load_retention(bad, 3)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = [1.0]
    with pytest.raises(glia.ConfigError, match="not a glia retention file"):
        gm.load_retention(other, 3)
    with pytest.raises(glia.ConfigError, match="no such retention file"):
        gm.load_retention(tmp_path / "missing.h5", 3)


def run(cli, *args):
    return subprocess.run([cli, "retention", *args], capture_output=True, text=True, timeout=60)


def test_cli(cli, tmp_path):
    cfg = tmp_path / "rf.json"
    cfg.write_text(json.dumps({**SQUARE, "T": [3, 6], "output": str(tmp_path / "from_config.h5")}))
    r = run(cli, str(cfg), "-o", str(tmp_path / "out.h5"))
    assert r.returncode == 0, r.stderr
    assert "T = 6: RF(1)" in r.stdout and "wrote" in r.stdout
    assert not (tmp_path / "from_config.h5").exists()
    np.testing.assert_allclose(gm.load_retention(tmp_path / "out.h5", 6), gm.retention_exponential(0.2, 6),
                               rtol=1e-11)
    r = run(cli, str(cfg), "-q")
    assert r.returncode == 0 and r.stdout == "" and (tmp_path / "from_config.h5").exists()
    # Bad input: exit 2, one line naming the field.
    for bad, field in (({"T": [4, 4]}, "T"), ({"params": {"gamma_l": -1.0}}, "params.gamma_l"),
                       ({"fit": {"model": "cubic"}}, "fit.model"), ({"b_post": [0.0, 0.0]}, "b_post"),
                       ({"T": 5, "n_cycles": 2}, "n_cycles")):
        cfg.write_text(json.dumps(bad))
        r = run(cli, str(cfg), "-o", str(tmp_path / "bad.h5"))
        assert r.returncode == 2, (bad, r.stderr)
        assert r.stderr.startswith(f"glia retention: error: {field}") and r.stderr.count("\n") == 1, r.stderr
    assert not (tmp_path / "bad.h5").exists()
    # No saturation: a warning on stderr, exit 0.
    cfg.write_text(json.dumps({**SQUARE, "params": {**SQUARE["params"], "gamma_l": 0.0}, "T": 4}))
    r = run(cli, str(cfg), "-o", str(tmp_path / "flat.h5"), "-q")
    assert r.returncode == 0 and "warning: params.gamma_l / params.tau_pl" in r.stderr
