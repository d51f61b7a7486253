"""Sweeps of retention-factor derivations ("model": "retention"): each variant's summaries equal
glia.mapping.derive_retention of its substituted config run alone; the result file holds the same;
bad paths and values exit 2 naming the design field; a variant without potentiation fails alone."""

import copy
import json
import os
import pathlib
import subprocess
import warnings

import numpy as np
import pytest

import glia
import glia.mapping as gm

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))

# 6 cycles at a coarse step: milliseconds per derivation.
BASE = {"T": [4, 6], "dt": 0.01, "T_on": 2.0, "T_off": 2.0, "params": {"gamma_l": 1.0}}
SUMMARIES = ["rf", "rf_fitted", "fit", "p_l", "p_l.final", "falls_from", "warnings"]


def sweep_config(**extra):
    config = {
        "model": "retention",
        "retention": copy.deepcopy(BASE),
        # T_on and T_off move together: a list design sets both paths per variant.
        "design": {"list": [{"params.tau_pl": 10.0, "T_on": 1.0, "T_off": 1.0},
                            {"params.tau_pl": 60.0, "T_on": 3.0, "T_off": 3.0}]},
        "summaries": SUMMARIES,
    }
    config.update(extra)
    return config


def substituted(values):
    """The base with a variant's values set by hand (paths split at '.')."""
    cfg = copy.deepcopy(BASE)
    for path, value in values.items():
        node, keys = cfg, path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return cfg


def direct(cfg):
    """derive_retention of `cfg` alone, with the number of warnings it issued."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", gm.RetentionWarning)
        d = gm.derive_retention(cfg)
    return d, sum(1 for w in caught if issubclass(w.category, gm.RetentionWarning))


def test_variants_equal_direct_derivations_and_the_file_holds_the_same(tmp_path):
    config = sweep_config()
    r = glia.sweep(config, threads=2)
    assert r.n_variants == 2 and r.ok.all() and list(r.design) == ["T_off", "T_on", "params.tau_pl"]
    assert "output" not in r.config["retention"]
    for v in range(2):
        d, n_warnings = direct(substituted({k: float(r.design[k][v]) for k in r.design}))
        for T in (4, 6):
            np.testing.assert_array_equal(r.rf(T)[v], d.rf(T))
            np.testing.assert_array_equal(r.rf(T, "fitted")[v], d.rf(T, "fitted"))
            assert r[f"falls_from.T{T}"][v] == d.falls_from[T]
        for name, value in d.fit["params"].items():
            assert r[f"fit.{name}"][v] == value, name
        for name in ("rmse", "relative_rmse", "max_abs_error"):
            assert r[f"fit.{name}"][v] == d.fit[name], name
        assert r["fit.at_bound"][v] == float(d.fit["at_bound"])
        for n in range(1, 7):
            assert r[f"p_l.{n}"][v] == d.p_l_mean[n]
        assert r["p_l.final"][v] == d.p_l_mean[-1]
        assert r["warnings"][v] == n_warnings == len(d.warnings)
    # The design reaches the derivation: the tables differ, each sums to 1.
    assert not np.array_equal(r.rf(6)[0], r.rf(6)[1])
    np.testing.assert_allclose(r.rf(6).sum(axis=1), 1.0, rtol=0, atol=1e-12)

    path = tmp_path / "retention_sweep.h5"
    f = glia.sweep(config, output=path, threads=1, chunk=1)
    assert f.complete and f.attrs["model"] == "retention" and f.attrs["method"] == "rk4"
    assert f.summaries.keys() == r.summaries.keys()
    for name in r.summaries:
        np.testing.assert_array_equal(f.summaries[name], r.summaries[name], err_msg=name)
    with pytest.raises(KeyError, match="rf.T8.1"):
        r.rf(8)


def test_grid_over_tau_pl_and_a_variant_without_potentiation():
    config = sweep_config(design={"grid": {"params.tau_pl": [5.0, 50.0], "params.kappa_gain": [0.0, 1.0]}},
                          summaries=["rf.T6.1", "fit.tau_L"])
    r = glia.sweep(config)
    # Columns in key order, the last fastest: kappa_gain 0, 0, 1, 1 and tau_pl 5, 50, 5, 50.
    assert list(r.design) == ["params.kappa_gain", "params.tau_pl"] and r.grid_shape == (2, 2)
    assert list(r.status) == [1, 1, 0, 0]
    assert r.reason[0].startswith("retention.params.kappa_gain: the network produces no long-term potentiation")
    assert np.isnan(r["rf.T6.1"][[0, 1]]).all() and r.reason[2] == r.reason[3] == ""
    # A faster long-term process saturates sooner: a larger first share, a shorter tau_L.
    assert r["rf.T6.1"][2] > r["rf.T6.1"][3] and r["fit.tau_L"][2] < r["fit.tau_L"][3]


def run(cli, *args):
    return subprocess.run([cli, "sweep", *args], capture_output=True, text=True, timeout=120)


BAD = [
    ("unknown_parameter", {"params.tau_pq": [10.0]},
     "design.grid.params.tau_pq[0] = 10.0: unknown parameter of the network"),
    ("bad_value", {"params.tau_pl": [10.0, -1.0]}, "design.grid.params.tau_pl[1] = -1.0: must be > 0 (s)"),
    ("not_a_number", {"dt.x": [1.0]}, 'design.grid.dt.x: dt = 0.01 has no key "x"'),
    ("not_a_parameter", {"output": [1.0]}, 'design.grid.output: "output" is not a parameter'),
    ("bad_index", {"T.3": [8]}, 'design.grid.T.3: "3": T is a list of 2: expected an index in [0, 2)'),
]


@pytest.mark.parametrize("name,grid,message", BAD, ids=[b[0] for b in BAD])
def test_bad_retention_design_exits_2_naming_the_field(cli, tmp_path, name, grid, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(sweep_config(design={"grid": grid})))
    p = run(cli, str(path), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("glia sweep: error: ") and message in p.stderr, p.stderr
    assert not (tmp_path / "out.h5").exists()
    with pytest.raises(glia.ConfigError, match="^" + message.replace("[", r"\[").replace("(", r"\(")
                       .replace(")", r"\)").replace(".", r"\.")):
        glia.sweep(sweep_config(design={"grid": grid}))


def test_cli_runs_a_retention_sweep(cli, tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(sweep_config()))
    out = tmp_path / "ok.h5"
    p = run(cli, str(path), "-o", str(out), "--threads", "1")
    assert p.returncode == 0, p.stderr
    assert "2 variants of model retention" in p.stdout and "failed: 0" in p.stdout
    np.testing.assert_array_equal(glia.load_sweep(out).rf(4), glia.sweep(sweep_config()).rf(4))


def test_example_config_runs_at_a_coarse_step():
    config = json.loads((ROOT / "experiments/configs/sweep_retention_tau_pl.json").read_text())
    config.pop("output")
    config["retention"]["dt"] = 0.01
    r = glia.sweep(config)
    assert r.n_variants == 12 and r.ok.all()
    assert (r["T_on"] == r["T_off"]).all() and r.rf(10).shape == (12, 10) and r.rf(4, "fitted").shape == (12, 4)
