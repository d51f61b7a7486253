"""Sweeps of network models ("model": "network"): a variant's summaries equal those computed from
glia.simulate of the substituted configuration run alone; the design's values reach the network;
a killed sweep resumes to the uninterrupted file; bad paths and values exit 2 naming the design
field; a failing variant is marked failed while the others finish."""

import copy
import json
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

import glia

from test_sweep_cli import datasets, done_count


def base_network(duration=0.4):
    """Poisson input onto a LIF group through tripartite synapses covered by 9 coupled astrocytes."""
    grid = {"grid": {"rows": 6, "spacing": 2e-5}}
    return {
        "simulation": {"duration": duration, "dt": 1e-4, "seed": 5},
        "groups": [
            {"name": "P", "model": "poisson", "n": 60, "rate": 40.0},
            {"name": "E", "model": "lif_coba", "n": 36, "method": "euler", "positions": grid,
             "init": {"v": {"uniform": [-0.06, -0.05]}}},
            {"name": "A", "model": "gchi", "n": 9, "dt": 0.001, "params": {"O_beta": 3.0},
             "init": {"C": 0.4, "I": 0.4},
             "positions": {"grid": {"rows": 3, "spacing": 4e-5}}},
        ],
        "projections": [
            {"name": "PE", "source": "P", "target": "E", "receptor": "g_e", "weight": 1e-9,
             "connect": {"rule": "fixed_indegree", "k": 15}, "model": "tsodyks_markram", "preset": "stimberg",
             "astrocytes": {"group": "A", "assign": "nearest_to_target", "gliotransmission": {"alpha": 1.0}}},
        ],
        "astrocyte_coupling": [{"group": "A", "radius": 5e-5, "F": 0.09}],
        "monitors": [{"type": "rate", "target": "E", "bin": 0.01}],  # replaced by the sweep's
    }


SUMMARIES = ["rate.E", "rate.P", "events.A", "mean.A.C", "max.A.C", "min.A.Y_S", "final.A.Gamma_S",
             "mean.E.v", "final.E.v"]


def sweep_config(**extra):
    config = {
        "model": "network",
        "network": base_network(),
        "transient": 0.1,
        "design": {"grid": {"projections.PE.weight": [0.0, 1e-9], "simulation.seed": [1, 2]}},
        "summaries": SUMMARIES,
    }
    config.update(extra)
    return config


def substituted(config, values):
    net = copy.deepcopy(config["network"])
    for path, value in values.items():
        node, keys = net, path.split(".")
        if keys[0] in ("groups", "projections"):
            node = next(e for e in net[keys[0]] if e["name"] == keys[1])
            keys = keys[2:]
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return net


def seq_mean(values):
    """The mean as the engine sums: in order, then divided."""
    s = 0.0
    for x in values:
        s += x
    return s / len(values)


def solo_summaries(net, transient):
    """The summaries of SUMMARIES from a glia.simulate run of `net` alone, with its own monitors."""
    net = copy.deepcopy(net)
    net["monitors"] = [
        {"type": "spikes", "target": "E"}, {"type": "spikes", "target": "P"}, {"type": "spikes", "target": "A"},
        {"type": "state", "target": "A", "variables": ["C", "Y_S", "Gamma_S"]},
        {"type": "mean", "target": "E", "variable": "v"},
    ]
    r = glia.simulate(net)
    sim = net["simulation"]
    dt, duration = sim["dt"], sim["duration"]
    k0 = round(transient / dt)
    n = {g["name"]: g["n"] for g in net["groups"]}

    def rate(group):
        t = r.spikes[group]["t"]
        return sum(1 for x in t if round(x / dt) > k0) / (n[group] * (duration - transient))

    def group_means(group, var):
        st = r.state[group]
        return st["t"], [seq_mean(row) for row in st[var]]

    def window(t, m):
        return [x for tt, x in zip(t, m) if round(tt / dt) > k0]

    tC, mC = group_means("A", "C")
    tY, mY = group_means("A", "Y_S")
    tG, mG = group_means("A", "Gamma_S")
    mv = r.mean["E"]
    return r, {
        "rate.E": rate("E"), "rate.P": rate("P"), "events.A": rate("A"),
        "mean.A.C": seq_mean(window(tC, mC)), "max.A.C": max(window(tC, mC)), "min.A.Y_S": min(window(tY, mY)),
        "final.A.Gamma_S": mG[-1], "mean.E.v": seq_mean(window(mv["t"], mv["v"])), "final.E.v": mv["v"][-1],
    }


def test_variants_equal_their_solo_runs_and_the_design_reaches_the_network():
    config = sweep_config()
    r = glia.sweep(config, threads=2)
    assert r.n_variants == 4 and r.ok.all()
    assert list(r.design) == ["projections.PE.weight", "simulation.seed"]
    assert r.config["network"].get("monitors") != base_network()["monitors"]
    runs = []
    for v in range(4):
        values = {k: float(r.design[k][v]) for k in r.design}
        solo, expected = solo_summaries(substituted(config, values), 0.1)
        runs.append(solo)
        for name in SUMMARIES:
            assert r.summaries[name][v] == expected[name], (v, name, r.summaries[name][v], expected[name])
    # The group mean from all elements' states equals the engine's own mean monitor.
    net = substituted(config, {"simulation.seed": 1})
    net["monitors"] = [{"type": "mean", "target": "A", "variable": "C"}]
    mean_C = glia.simulate(net).mean["A"]["C"]
    _, via_state = solo_summaries(net, 0.1)
    assert via_state["mean.A.C"] == seq_mean([x for t, x in zip(glia.simulate(net).mean["A"]["t"], mean_C)
                                              if round(t / 1e-4) > 1000])
    # Weight 0 (row 0) cuts the input: E fires from its own I_ext only; the seed changes the spikes.
    rate = r.grid("rate.E")
    assert (rate[1] > rate[0] + 1.0).all()
    assert not np.array_equal(runs[2].spikes["E"]["t"], runs[3].spikes["E"]["t"])
    assert r.summaries["rate.P"][2] != r.summaries["rate.P"][3]
    assert np.isfinite(r.summaries["mean.A.C"]).all()


def test_alpha_and_rate_paths_and_random_design():
    config = sweep_config(design={"list": [
        {"projections.PE.astrocytes.gliotransmission.alpha": 0.0, "groups.P.rate": 20.0},
        {"projections.PE.astrocytes.gliotransmission.alpha": 1.0, "groups.P.rate": 60.0}]})
    r = glia.sweep(config, threads=1)
    assert r.ok.all() and r.summaries["rate.P"][1] > 2 * r.summaries["rate.P"][0]
    lhs = glia.sweep(sweep_config(design={"lhs": {"n": 3, "seed": 2, "ranges": {"groups.A.params.O_beta": [1.0, 4.0]}}},
                                  summaries=["mean.A.C"]))
    assert lhs.ok.all() and len(set(lhs.summaries["mean.A.C"])) == 3


def slow_config(tmp_path):
    config = sweep_config(network=base_network(duration=1.5),
                          design={"grid": {"groups.P.rate": [10.0, 30.0], "simulation.seed": [1, 2, 3, 4]}})
    path = tmp_path / "net_sweep.json"
    path.write_text(json.dumps(config))
    return str(path)


def run(cli, *args):
    return subprocess.run([cli, "sweep", *args], capture_output=True, text=True, timeout=120)


def test_killed_network_sweep_resumes_to_the_uninterrupted_result(cli, tmp_path):
    config = slow_config(tmp_path)
    whole, parts = str(tmp_path / "whole.h5"), str(tmp_path / "parts.h5")
    p = run(cli, config, "-o", whole, "--threads", "1")
    assert p.returncode == 0, p.stderr
    assert "8 variants of model network" in p.stdout and "computed 8" in p.stdout

    # Chunks of 2 variants, each run as one batch (the default, 16, would hold the whole sweep).
    proc = subprocess.Popen([cli, "sweep", config, "-o", parts, "--threads", "1", "--chunk", "2", "-q"])
    deadline = time.monotonic() + 60
    while done_count(parts) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_with = done_count(parts)
    assert 1 <= killed_with < 8, "the sweep must be killed after its first chunk and before its end"

    p = run(cli, config, "-o", parts, "--threads", "2", "--chunk", "3")
    assert p.returncode == 0, p.stderr
    assert f"{8 - int(p.stdout.split('computed ')[1].split()[0])} already in the file" in p.stdout
    a, b = datasets(whole), datasets(parts)
    assert a.keys() == b.keys() and "summaries/rate.E" in a
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    with h5py.File(parts, "r") as f:
        assert f.attrs["complete"] == 1 and f.attrs["model"] == "network"
    # Another design at the same output is refused.
    other = json.loads(open(config).read())
    other["design"]["grid"]["groups.P.rate"] = [10.0, 31.0]
    (tmp_path / "other.json").write_text(json.dumps(other))
    p = run(cli, str(tmp_path / "other.json"), "-o", parts)
    assert p.returncode == 2 and 'exists and holds a different sweep ("design" differs)' in p.stderr


def test_failing_variant_is_marked_failed_and_the_rest_finish():
    # Astrocytes stepped by forward Euler with a 1 s step: C turns negative at the second step (at 1 and 2 ms
    # the synapse's glutamate pulses keep Gamma_A in [0, 1]).
    net = {
        "simulation": {"duration": 3.0, "dt": 1e-3, "seed": 1},
        "groups": [{"name": "A", "model": "gchi", "n": 4, "dt": 0.001, "method": "euler"},
                   {"name": "S", "model": "regular", "n": 1, "rate": 2.0}],
        "projections": [{"name": "syn", "source": "S", "connect": {"rule": "one_to_one"},
                         "model": "tsodyks_markram", "preset": "stimberg",
                         "astrocytes": {"group": "A", "assign": "index", "index": [2]}}],
    }
    r = glia.sweep({"model": "network", "network": net, "design": {"grid": {"groups.A.dt": [0.001, 1.0, 0.002]}},
                    "summaries": ["mean.A.C", "events.A"]})
    assert list(r.status) == [0, 1, 0]
    assert 'groups[0] "A"' in r.reason[1] and r.failed_at[1] == 1.0
    assert np.isnan(r.summaries["mean.A.C"][1]) and np.isfinite(r.summaries["mean.A.C"][[0, 2]]).all()
    assert r.reason[0] == "" and r.reason[2] == ""


BAD = [
    ("unknown_group", {"groups.X.params.O_beta": [1.0]}, None,
     'design.grid.groups.X.params.O_beta: no group "X" in network'),
    ("unknown_projection", {"projections.QQ.weight": [1.0]}, None,
     'design.grid.projections.QQ.weight: no projection "QQ" in network'),
    ("not_a_number", {"groups.E.method": [1.0]}, None,
     'design.grid.groups.E.method: groups[1].method = "euler": not a number'),
    ("non_finite", {"groups.A.params.O_beta": "[1.0, 1e999]"}, None,
     "design.grid.groups.A.params.O_beta[1] = 1e999: must be finite"),
    ("parser_rejects_value", {"groups.E.params.tau_e": [0.005, -1.0]}, None,
     "design.grid.groups.E.params.tau_e[1] = -1.0: must be > 0 (s)"),
    ("unknown_key", {"groups.A.params.O_bta": [1.0]}, None,
     "design.grid.groups.A.params.O_bta[0] = 1.0: unknown parameter of gchi"),
    ("bad_index", {"groups.E.init.v.uniform.5": [1.0]}, None,
     'design.grid.groups.E.init.v.uniform.5: "5": groups[1].init.v.uniform is a list of 2'),
    ("summary_group", None, ["rate.X"], 'summaries[0] = "rate.X": no group "X" in network'),
    ("summary_astro_rate", None, ["rate.A"], 'summaries[0] = "rate.A": group "A" is an astrocyte group'),
    ("summary_variable", None, ["mean.A.Q"], 'summaries[0] = "mean.A.Q": unknown variable "Q" of group "A"'),
    ("summary_no_threshold", None, ["frequency.A.I"],
     'summaries[0] = "frequency.A.I": statistic "frequency" of "I" needs a threshold'),
    ("summary_stat", None, [{"stat": "median", "group": "A", "variable": "C"}],
     'summaries[0].stat = "median": unknown statistic'),
    ("summary_index", None, [{"stat": "mean", "group": "A", "variable": "C", "index": 9}],
     'summaries[0] = {"group":"A","index":9,"stat":"mean","variable":"C"}: index 9 out of range [0, 9)'),
]


@pytest.mark.parametrize("name,grid,summaries,message", BAD, ids=[b[0] for b in BAD])
def test_bad_network_design_exits_2_naming_the_field(cli, tmp_path, name, grid, summaries, message):
    config = sweep_config()
    if grid is not None:
        config["design"] = {"grid": {k: ("@@" if isinstance(v, str) else v) for k, v in grid.items()}}
    if summaries is not None:
        config["summaries"] = summaries
    text = json.dumps(config)
    for v in (grid or {}).values():
        if isinstance(v, str):
            text = text.replace('"@@"', v)
    path = tmp_path / "bad.json"
    path.write_text(text)
    p = run(cli, str(path), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("glia sweep: error: ") and message in p.stderr, p.stderr
    assert not (tmp_path / "out.h5").exists()


def test_keys_of_other_models_and_transient_are_checked():
    with pytest.raises(glia.ConfigError, match=r'traces = .*not a key of a "network" sweep'):
        glia.sweep(sweep_config(traces={"variants": [0]}))
    with pytest.raises(glia.ConfigError, match=r"transient = 0\.4: must be < simulation\.duration = 0\.4 s"):
        glia.sweep(sweep_config(transient=0.4))
    with pytest.raises(glia.ConfigError, match=r"^transient = 0\.5: must be < simulation\.duration = 0\.4 s"):
        glia.sweep(sweep_config(transient=0.5))
    with pytest.raises(glia.ConfigError, match=r"^transient = 0\.10005: must be a whole number of simulation\.dt"):
        glia.sweep(sweep_config(transient=0.10005))
    with pytest.raises(glia.ConfigError, match=r"^network\.groups\[1\]\.params\.V_x = 1\.0: unknown parameter of lif_coba"):
        config = sweep_config()
        config["network"]["groups"][1]["params"] = {"V_x": 1.0}
        glia.sweep(config)


def test_threshold_statistics_equal_numpy_on_the_solo_run_recordings():
    """frequency/amplitude/time_above of the group mean (default threshold C_Theta) and of one element with
    an explicit threshold, against NumPy on the state recorded by glia.simulate of each variant alone."""
    from test_network_summary import reference

    net = base_network(duration=40.0)  # sparse input: Ca2+ transients every few seconds
    net["simulation"]["dt"] = 1e-3
    net["groups"][0]["n"], net["groups"][1]["n"] = 2, 2
    net["groups"][1].pop("positions")
    net.pop("astrocyte_coupling")
    net["projections"][0]["connect"] = {"rule": "one_to_one"}
    net["projections"][0]["astrocytes"] = {"group": "A", "assign": "index", "index": [0, 4],
                                           "gliotransmission": {"alpha": 1.0}}
    summaries = ["frequency.A.C", "amplitude.A.C", "time_above.A.C",
                 {"stat": "frequency", "group": "A", "variable": "C", "index": 4, "threshold": 0.6},
                 {"stat": "time_above", "group": "A", "variable": "I", "threshold": 0.5, "name": "I_high"}]
    config = {"model": "network", "network": net, "transient": 2.0, "summaries": summaries,
              "design": {"grid": {"groups.A.params.O_beta": [2.0, 4.0], "groups.P.rate": [0.5, 2.0]}}}
    r = glia.sweep(config, threads=2)
    assert r.ok.all()
    assert list(r.summaries) == ["frequency.A.C", "amplitude.A.C", "time_above.A.C", "frequency.A.C[4]", "I_high"]
    for v in range(4):
        solo = copy.deepcopy(net)
        solo["groups"][2]["params"]["O_beta"] = float(r.design["groups.A.params.O_beta"][v])
        solo["groups"][0]["rate"] = float(r.design["groups.P.rate"][v])
        solo["monitors"] = [{"type": "state", "target": "A", "variables": ["C", "I"]}]
        s = glia.simulate(solo)
        t, C, I = s.state["A"]["t"], s.state["A"]["C"], s.state["A"]["I"]
        theta = s.config["groups"][2]["release"]["C_Theta"]
        want = {"frequency.A.C": reference(t, C.mean(axis=1), "frequency", theta, 0.001, start=2.0),
                "amplitude.A.C": reference(t, C.mean(axis=1), "amplitude", theta, 0.001, start=2.0),
                "time_above.A.C": reference(t, C.mean(axis=1), "time_above", theta, 0.001, start=2.0),
                "frequency.A.C[4]": reference(t, C[:, 4], "frequency", 0.6, 0.001, start=2.0),
                "I_high": reference(t, I.mean(axis=1), "time_above", 0.5, 0.001, start=2.0)}
        for name, x in want.items():
            assert r.summaries[name][v] == pytest.approx(x, rel=1e-12, abs=1e-12, nan_ok=True), (v, name)
    assert (r.summaries["frequency.A.C[4]"] > 0).any() and np.isfinite(r.summaries["amplitude.A.C"]).any()


def test_release_statistics_of_a_projection_match_the_tsodyks_markram_steady_state():
    net = {"simulation": {"duration": 12.0, "dt": 1e-3, "seed": 1},
           "groups": [{"name": "R", "model": "regular", "n": 2, "rate": 10.0}],
           "projections": [{"name": "S", "source": "R", "connect": {"rule": "one_to_one"},
                            "model": "tsodyks_markram", "params": {"tau_fac": 0.0}}]}
    r = glia.sweep({"model": "network", "network": net, "transient": 8.0,
                    "design": {"grid": {"projections.S.params.U": [0.2, 0.5, 0.9],
                                        "projections.S.params.tau_rec": [0.3, 0.8]}},
                    "summaries": ["released_fraction.S", "release_probability.S", "spike_count.S"]})
    e = np.exp(-0.1 / r.design["projections.S.params.tau_rec"])
    U = r.design["projections.S.params.U"]
    np.testing.assert_allclose(r.summaries["released_fraction.S"], U * (1 - e) / (1 - (1 - U) * e), rtol=1e-10)
    np.testing.assert_allclose(r.summaries["release_probability.S"], U, rtol=1e-12)
    assert (r.summaries["spike_count.S"] == 80).all()
    with pytest.raises(glia.ConfigError, match=r'summaries\[0\] = "release_probability.R": no tsodyks_markram projection "R"'):
        glia.sweep({"model": "network", "network": net, "design": {"grid": {"simulation.seed": [1]}},
                    "summaries": ["release_probability.R"]})
