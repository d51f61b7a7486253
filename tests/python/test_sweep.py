"""glia.sweep / glia.load_sweep: variants equal solo runs and independent references, designs,
files, failures and errors."""

import json
import math

import numpy as np
import pytest

import glia


def tripartite(**extra):
    config = {
        "model": "tripartite",
        "parameter_set": "single_astrocyte",
        "duration": 10.0,
        "dt": 1e-3,
        "transient": 2.0,
        "parameters": {"seed": 9, "alpha": 1.0},
        "design": {"grid": {"O_beta": [1.0, 4.0], "rate": [1.0, 4.0], "feedback": [0, 1]}},
        "summaries": ["C.mean", "C.frequency", "C.amplitude", "C.events", "U_0.mean", "release_probability",
                      "released_fraction", "spike_count"],
        "traces": {"variants": [3, 5], "variables": ["C", "Gamma_S"], "dt": 0.01},
    }
    config.update(extra)
    return config


def assert_same(a, b):
    assert a.summaries.keys() == b.summaries.keys()
    for k in a.summaries:
        np.testing.assert_array_equal(a.summaries[k], b.summaries[k], err_msg=k)
    np.testing.assert_array_equal(a.status, b.status)


def test_variant_does_not_depend_on_chunk_threads_or_position():
    ref = glia.sweep(tripartite(), chunk=256, threads=1)
    assert ref.n_variants == 8 and ref.ok.all()
    for chunk, threads in [(1, 2), (3, 1), (5, 2)]:
        r = glia.sweep(tripartite(), chunk=chunk, threads=threads)
        assert_same(r, ref)
        for v in r.traces:
            np.testing.assert_array_equal(r.traces[v], ref.traces[v])
    # Variant 5 alone, and second in a list after another variant.
    row = {k: float(ref.design[k][5]) for k in ref.design}
    other = dict(row, O_beta=2.5)
    traces = dict(tripartite()["traces"])
    alone = glia.sweep(tripartite(design={"list": [row]}, traces=dict(traces, variants=[0])))
    second = glia.sweep(tripartite(design={"list": [other, row]}, traces=dict(traces, variants=[1])), chunk=1,
                        threads=2)
    for k in ref.summaries:
        np.testing.assert_array_equal(alone.summaries[k][0], ref.summaries[k][5], err_msg=k)
        np.testing.assert_array_equal(second.summaries[k][1], ref.summaries[k][5], err_msg=k)
    for v in ref.traces:
        np.testing.assert_array_equal(alone.traces[v][0], ref.trace(v, 5))
        np.testing.assert_array_equal(second.traces[v][0], ref.trace(v, 5))


def test_bare_astrocyte_equals_integrate_cell():
    r = glia.sweep({
        "model": "gchi", "parameter_set": "single_astrocyte", "duration": 10.0, "dt": 1e-3,
        "parameters": {"initial.I": 0.1, "initial.C": 0.05},
        "design": {"list": [{"Y_S": 0.2, "O_beta": 5.0}, {"Y_S": 0.5, "O_beta": 3.0}]},
        "summaries": ["C.max"],
        "traces": {"variants": [0, 1], "dt": 0.05},
    })
    for v in range(2):
        solo = glia.integrate_cell("gchi", duration=10.0, sample_dt=0.05, method="rk4", dt=1e-3,
                                   parameter_set="single_astrocyte", params={"O_beta": r.design["O_beta"][v]},
                                   input={"Y_S": r.design["Y_S"][v]}, initial={"I": 0.1, "C": 0.05, "h": 0.9})
        for var in ("Gamma_A", "I", "C", "h"):
            np.testing.assert_allclose(r.trace(var, v), solo[var], rtol=0, atol=1e-13)


def test_synaptic_glutamate_drives_the_astrocyte_as_integrate_cell_pulses():
    # Full recovery between spikes (tau_rec 1 us) makes every release r = U: glutamate pulses of
    # rho_c Y_T U = 1250 uM at each spike of the regular 2 Hz train (t = 0.5, 1.0, ... s), which integrate_cell
    # takes as input. The preset's glutamate decays exactly inside the astrocyte's step, as integrate_cell's.
    r = glia.sweep({
        "model": "tripartite", "parameter_set": "single_astrocyte", "input": "regular",
        "duration": 6.0, "dt": 1e-3,
        "parameters": {"rate": 2.0, "U": 0.5, "tau_rec": 1e-6, "tau_fac": 0.0},
        "design": {"grid": {"O_beta": [3.0]}},
        "summaries": ["released_fraction"],
        "traces": {"variants": [0], "variables": ["Gamma_A", "I", "C", "h"], "dt": 0.01},
    })
    assert r.summaries["released_fraction"][0] == 0.5
    solo = glia.integrate_cell("gchi", duration=6.0, sample_dt=0.01, method="rk4", dt=1e-3,
                               parameter_set="single_astrocyte", params={"O_beta": 3.0},
                               input={"Y_S_pulses": {"times": [0.5 * k for k in range(1, 12)], "amount": 1250.0,
                                                     "Omega_c": 40.0}})
    assert solo["Gamma_A"].max() > 0.5  # the pulses do drive the astrocyte
    for var in ("Gamma_A", "I", "C", "h"):
        np.testing.assert_allclose(r.trace(var, 0), solo[var], rtol=0, atol=1e-10)


def test_the_preset_is_a_network_config():
    # The same unit written by hand as a network sweep gives the preset's summaries bit for bit.
    defaults = glia.sweep_parameters("tripartite", "single_astrocyte")
    gchi = {k: defaults[k]["default"] for k in ("O_P", "K_P", "C_T", "rho_A", "Omega_C", "Omega_L", "d1", "d2", "O_2",
                                                "d3", "d5", "O_beta", "O_N", "Omega_N", "K_KC", "zeta", "O_delta",
                                                "kappa_delta", "K_delta", "Omega_5P", "K_D", "K_3K", "O_3K")}
    net = {
        "simulation": {"duration": 5.0, "dt": 1e-3, "seed": 3},
        "groups": [{"name": "P", "model": "poisson", "n": 1, "rate": 4.0},
                   {"name": "A", "model": "gchi", "n": 1, "params": gchi, "glutamate_input": "decaying",
                    "init": {"Gamma_A": 0.0, "I": 0.0, "C": 0.0, "h": 0.9}}],
        "projections": [{"name": "S", "source": "P", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
                         "params": {"U": 0.6, "tau_rec": 0.5, "tau_fac": 0.3},
                         "astrocytes": {"group": "A", "assign": "index", "index": [0], "feedback": "none"}}],
    }
    by_hand = glia.sweep({"model": "network", "network": net, "transient": 1.0,
                          "design": {"list": [{"groups.A.params.O_beta": 2.0}, {"groups.A.params.O_beta": 5.0}]},
                          "summaries": ["mean.A.C", {"stat": "events", "group": "A", "variable": "C"},
                                        "release_probability.S", "spike_count.S"]})
    preset = glia.sweep({"model": "tripartite", "parameter_set": "single_astrocyte", "duration": 5.0, "dt": 1e-3,
                         "transient": 1.0, "parameters": {"seed": 3, "rate": 4.0},
                         "design": {"list": [{"O_beta": 2.0}, {"O_beta": 5.0}]},
                         "summaries": ["C.mean", "C.events", "release_probability", "spike_count"]})
    assert preset.summaries["spike_count"].min() > 5 and np.ptp(preset.summaries["C.mean"]) > 0.01
    for a, b in [("C.mean", "mean.A.C"), ("C.events", "events.A.C"), ("release_probability", "release_probability.S"),
                 ("spike_count", "spike_count.S")]:
        np.testing.assert_array_equal(preset.summaries[a], by_hand.summaries[b], err_msg=a)


def test_a_variant_is_the_network_config_that_glia_simulate_runs():
    config = tripartite()
    r = glia.sweep(config)
    names = list(r.summaries)
    for v in (2, 5):  # 5 is traced
        net = glia.sweep_network_config(config, v)
        assert [g["name"] for g in net["groups"]] == ["P", "A"] and net["projections"][0]["name"] == "S"
        s = glia.simulate(net)
        for k, name in enumerate(names):
            np.testing.assert_array_equal(s.summary[f"s{k}"], r.summaries[name][v], err_msg=name)
    np.testing.assert_array_equal(s.state["trace_A"]["C"][:, 0], r.trace("C", 5))
    np.testing.assert_array_equal(s.state["trace_S"]["Gamma_S"][:, 0], r.trace("Gamma_S", 5))
    with pytest.raises(glia.ConfigError, match=r"^variant = 8: out of range \[0, 8\)"):
        glia.sweep_network_config(config, 8)


def test_mean_release_matches_the_tsodyks_markram_steady_state():
    r = glia.sweep({
        "model": "tripartite", "input": "regular", "duration": 12.0, "dt": 1e-3, "transient": 8.0,
        "parameters": {"rate": 10.0, "tau_fac": 0.0},
        "design": {"grid": {"U": [0.2, 0.5, 0.9], "tau_rec": [0.3, 0.8]}},
        "summaries": ["released_fraction", "release_probability"],
    })
    e = np.exp(-0.1 / r.design["tau_rec"])
    U = r.design["U"]
    np.testing.assert_allclose(r.summaries["released_fraction"], U * (1 - e) / (1 - (1 - U) * e), rtol=1e-10)
    np.testing.assert_allclose(r.summaries["release_probability"], U, rtol=1e-12)


def test_latin_hypercube_design_through_the_api():
    r = glia.sweep({
        "model": "gchi", "duration": 0.1, "dt": 1e-3,
        "design": {"lhs": {"n": 20, "seed": 4, "ranges": {"O_beta": {"min": 0.1, "max": 10.0, "log": True},
                                                          "Y_S": [0.0, 2.0]}}},
        "summaries": ["C.final"],
    })
    assert r.design_kind == "lhs"
    strata_b = np.floor(np.log(r.design["O_beta"] / 0.1) / np.log(100.0) * 20).astype(int)
    strata_y = np.floor(r.design["Y_S"] / 2.0 * 20).astype(int)
    assert sorted(strata_b) == list(range(20)) and sorted(strata_y) == list(range(20))


def test_file_round_trip_grid_and_dataframe(tmp_path):
    mem = glia.sweep(tripartite())
    out = tmp_path / "s.h5"
    disk = glia.sweep(tripartite(), output=out, chunk=3)
    assert disk.complete and disk.path == str(out)
    assert_same(disk, mem)
    for v in mem.traces:
        np.testing.assert_array_equal(disk.traces[v], mem.traces[v])
    np.testing.assert_array_equal(disk.trace_t, mem.trace_t)
    assert disk.attrs["format"] == "glia-sweep" and disk.attrs["glia_version"] == glia.__version__
    assert disk.config["design"] == tripartite()["design"]
    again = glia.load_sweep(out)
    assert_same(again, mem)
    assert disk.grid("C.mean").shape == (2, 2, 2)
    axes = disk.axes()
    np.testing.assert_array_equal(axes["rate"], [1.0, 4.0])
    assert list(axes) == ["O_beta", "feedback", "rate"]
    assert disk.grid("rate")[1, 0, 1] == 4.0 and disk.grid("O_beta")[1, 0, 1] == 4.0
    pd = pytest.importorskip("pandas")
    df = disk.to_dataframe()
    assert isinstance(df, pd.DataFrame) and len(df) == 8
    assert {"O_beta", "rate", "C.frequency", "status", "reason"} <= set(df.columns)


def test_diverging_variant_is_marked_failed_and_the_rest_finish():
    r = glia.sweep({
        "model": "tripartite", "duration": 2.0, "dt": 1e-2, "method": "euler", "input": "regular",
        "design": {"list": [{"rate": 0.0, "O_beta": 0.5}, {"rate": 5.0, "O_beta": 0.5}, {"rate": 0.0, "O_beta": 2.0}]},
        "summaries": ["C.mean"],
    })
    assert list(r.status) == [0, 1, 0]
    # The train's first spike (t = 0.2 s) drives Gamma_A out of [0, 1] within the next steps.
    assert r.failed_variable[1] == "Gamma_A" and 0.2 <= r.failed_at[1] < 0.3
    assert not 0.0 <= r.failed_value[1] <= 1.0
    assert "Gamma_A[0] = " in r.reason[1] and "outside [0, 1]" in r.reason[1]
    assert np.isnan(r.summaries["C.mean"][1]) and np.isfinite(r.summaries["C.mean"][[0, 2]]).all()
    assert r.reason[0] == ""


BAD = [
    ("unknown_parameter", {"design": {"grid": {"O_bta": [1.0]}}}, r"design\.grid\.O_bta: unknown parameter"),
    ("empty_design", {"design": {}}, r"design = \{\}: the design is empty"),
    ("empty_values", {"design": {"grid": {"O_beta": []}}}, r"design\.grid\.O_beta = \[\]: the design is empty"),
    ("nan_value", {"design": {"grid": {"O_beta": [1.0, 2.0, float("nan")]}}},
     r"design\.grid\.O_beta\[2\] = nan: must be finite"),
    ("inf_value", {"design": {"list": [{"rate": float("inf")}]}}, r"design\.list\[0\]\.rate = inf: must be finite"),
    ("out_of_range", {"design": {"grid": {"U": [0.5, 1.5]}}}, r"design\.grid\.U\[1\] = 1\.5: must be in \(0, 1\]"),
    ("negative", {"design": {"grid": {"tau_rec": [-0.1]}}}, r"design\.grid\.tau_rec\[0\] = -0\.1: must be in \(0, inf\)"),
    ("unknown_summary", {"summaries": ["C.freq"]}, r"summaries\[0\] = \"C\.freq\": expected VARIABLE\.STAT"),
]


@pytest.mark.parametrize("name,change,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_raises_config_error_naming_the_field(name, change, message):
    with pytest.raises(glia.ConfigError, match=message):
        glia.sweep(tripartite(**change))


def test_output_of_another_sweep_is_an_error(tmp_path):
    out = tmp_path / "s.h5"
    glia.sweep(tripartite(duration=1.0, transient=0.0), output=out)
    with pytest.raises(glia.ConfigError, match=r'output = ".*s\.h5": exists and holds a different sweep \("duration" differs\)'):
        glia.sweep(tripartite(duration=2.0, transient=0.0), output=out)
    (tmp_path / "t.h5").write_text("text")
    with pytest.raises(glia.ConfigError, match="exists and is not a glia sweep file"):
        glia.sweep(tripartite(), output=tmp_path / "t.h5")


def test_a_file_the_retired_tripartite_runner_began_is_not_resumed(tmp_path):
    # Its definition lacks "simulator" (the preset's results differ from that runner's): refused, not mixed.
    h5py = pytest.importorskip("h5py")
    out = tmp_path / "s.h5"
    glia.sweep(tripartite(duration=1.0, transient=0.0), output=out)
    with h5py.File(out, "r+") as f:
        definition = json.loads(f.attrs["definition"])
        assert definition.pop("simulator") == "network engine"
        f.attrs["definition"] = json.dumps(definition)
    with pytest.raises(glia.ConfigError, match=r'exists and holds a different sweep \("simulator" differs\)'):
        glia.sweep(tripartite(duration=1.0, transient=0.0), output=out)


def test_sweep_parameters_lists_names_defaults_and_ranges():
    p = glia.sweep_parameters("tripartite", "single_astrocyte")
    assert p["O_beta"]["default"] == 5.0 and p["O_beta"]["min"] == 0.0 and p["O_beta"]["min_open"]
    assert p["U"]["max"] == 1.0 and p["seed"]["integer"] and "initial.C" in p and "rate" in p
    assert "Y_S" in glia.sweep_parameters("gchi") and "rate" not in glia.sweep_parameters("gchi")
