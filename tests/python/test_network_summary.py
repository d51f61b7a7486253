"""Summary monitors of a network (docs/network_config.md): one number per monitor, reduced while the
network runs. Each statistic is checked against the same statistic computed with NumPy from a state
monitor of the same run (every sample of the group's clock), for one element and for the group mean;
the release statistics of a Tsodyks–Markram projection against its analytic steady state; the result
file holds them; bad monitors are refused naming the field."""

import math

import numpy as np
import pytest

import glia

STATS = ["mean", "max", "min", "final", "time_above", "events", "frequency", "amplitude"]
START = 5.0


def astrocytes(duration=40.0):
    """One Poisson-driven synapse onto astrocyte 0 of three (1 and 2 oscillate on their own)."""
    net = glia.Network(duration=duration, dt=1e-3, seed=3)
    net.add_group("P", "poisson", n=1, rate=0.5)
    net.add_group("A", "gchi", n=3, dt=0.001, params={"O_beta": 3.0}, init={"C": [0.1, 0.3, 0.05]})
    net.connect("P", None, name="S", connect={"rule": "one_to_one"}, model="tsodyks_markram", preset="stimberg",
                astrocytes={"group": "A", "assign": "index", "index": [0]})
    net.monitor("state", "A", variables=["C", "I"])
    for stat in STATS:
        net.monitor("summary", "A", name=f"{stat}_0", variable="C", stat=stat, index=0, start=START)
        net.monitor("summary", "A", name=f"{stat}_mean", variable="C", stat=stat, start=START)
    net.monitor("summary", "A", name="I_above", variable="I", stat="time_above", threshold=0.4, start=START)
    return net


def reference(t, x, stat, threshold, h, start=START):
    """The statistic of samples x(t) on a clock of step h, window t > start, by NumPy."""
    k0 = round(start / h)
    win = np.arange(len(x)) > k0
    crossed = np.zeros(len(x), bool)
    crossed[1:] = (x[:-1] <= threshold) & (x[1:] > threshold)
    crossed &= win
    if stat == "mean":
        return x[win].mean()
    if stat == "max":
        return x[win].max()
    if stat == "min":
        return x[win].min()
    if stat == "final":
        return x[-1]
    if stat == "time_above":
        return (x[win] > threshold).sum() * h
    if stat == "events":
        return float(crossed.sum())
    idx = np.flatnonzero(crossed)
    if stat == "frequency":  # crossing times by linear interpolation between samples
        tc = t[idx - 1] + h * (threshold - x[idx - 1]) / (x[idx] - x[idx - 1])
        return (len(tc) - 1) / (tc[-1] - tc[0]) if len(tc) >= 2 else 0.0
    if stat == "amplitude":  # cycles from one crossing to the sample before the next
        amps = [x[a:b].max() - x[a:b].min() for a, b in zip(idx[:-1], idx[1:])]
        return np.mean(amps) if amps else math.nan
    raise ValueError(stat)


def test_every_statistic_equals_numpy_on_the_recorded_samples(tmp_path):
    out = tmp_path / "s.h5"
    r = astrocytes().run(output=out, threads=1)
    t, C, I = r.state["A"]["t"], r.state["A"]["C"], r.state["A"]["I"]
    assert len(t) == 40001 and t[-1] == pytest.approx(40.0)
    threshold = r.config["groups"][1]["release"]["C_Theta"]  # the default threshold of C
    h = 0.001
    for stat in STATS:
        got0, got_mean = r.summary[f"{stat}_0"], r.summary[f"{stat}_mean"]
        assert got0 == pytest.approx(reference(t, C[:, 0], stat, threshold, h), rel=1e-12, abs=1e-12), stat
        # (the group mean may complete no cycle: amplitude NaN on both sides)
        assert got_mean == pytest.approx(reference(t, C.mean(axis=1), stat, threshold, h), rel=1e-12, abs=1e-12,
                                         nan_ok=True), stat
    assert r.summary["I_above"] == pytest.approx(reference(t, I.mean(axis=1), "time_above", 0.4, h), rel=1e-12)
    # The run is not degenerate: astrocyte 0 oscillates, and the mean differs from it.
    assert r.summary["events_0"] >= 2 and 0.01 < r.summary["frequency_0"] < 1.0
    assert r.summary["amplitude_0"] > 0.1 and r.summary["mean_mean"] != r.summary["mean_0"]
    loaded = glia.load(out)
    assert loaded.summary == r.summary
    assert loaded.config["monitors"][1] == {"type": "summary", "name": "mean_0", "target": "A", "variable": "C",
                                            "stat": "mean", "index": 0, "start": START}


def test_a_window_without_samples_gives_nan_and_final_still_reads_the_end():
    net = glia.Network(duration=0.05, dt=1e-3, seed=1)
    net.add_group("A", "gchi", n=1, dt=0.05)
    net.monitor("summary", "A", name="m", variable="C", stat="mean", start=0.05)
    net.monitor("summary", "A", name="f", variable="C", stat="final", start=0.05)
    net.monitor("state", "A", variables=["C"])
    r = net.run()
    assert math.isnan(r.summary["m"]) and r.summary["f"] == r.state["A"]["C"][-1, 0]


@pytest.mark.parametrize("monitor, message", [
    ({"stat": "median", "variable": "C"}, r'monitors\[0\]\.stat = "median": unknown statistic'),
    ({"stat": "frequency", "variable": "I"}, r'monitors\[0\]\.threshold: missing: statistic "frequency" of "I" needs a threshold'),
    ({"stat": "mean", "variable": "C", "threshold": 0.3}, r'monitors\[0\]\.threshold = 0\.3: statistic "mean" takes no threshold'),
    ({"stat": "mean", "variable": "C", "index": 2}, r'monitors\[0\]\.index = 2: out of range \[0, 2\)'),
    ({"stat": "mean", "variable": "v"}, r'monitors\[0\]\.variable = "v": not a recordable variable of "A"'),
    ({"stat": "mean", "variable": "C", "start": 2.0}, r'monitors\[0\]\.start = 2\.0: after the end of the run'),
    ({"stat": "spike_count", "variable": "C"}, r'monitors\[0\]\.stat = "spike_count": a group\'s summary is one of'),
])
def test_bad_summary_monitors_name_the_field(monitor, message):
    config = {"simulation": {"duration": 1.0, "dt": 1e-3}, "groups": [{"name": "A", "model": "gchi", "n": 2}],
              "projections": [], "monitors": [{"type": "summary", "target": "A", **monitor}]}
    with pytest.raises(glia.ConfigError, match=message):
        glia.simulate(config)


def test_release_statistics_of_a_tsodyks_markram_projection_match_its_steady_state():
    """A regular 10 Hz train through depressing synapses (no facilitation): every release probability is U
    and, after the transient, every release is the steady state r = U (1 - e) / (1 - (1 - U) e), e = exp(-T/tau_rec)."""
    net = glia.Network(duration=12.0, dt=1e-3, seed=1)
    net.add_group("R", "regular", n=3, rate=10.0)
    net.connect("R", None, name="S", connect={"rule": "one_to_one"}, model="tsodyks_markram",
                params={"U": 0.3, "tau_rec": 0.5, "tau_fac": 0.0})
    for stat in ["release_probability", "released_fraction", "spike_count"]:
        net.monitor("summary", "S", stat=stat, start=8.0)
    r = net.run()
    e = math.exp(-0.1 / 0.5)
    assert r.summary["release_probability_S"] == pytest.approx(0.3, rel=1e-12)
    assert r.summary["released_fraction_S"] == pytest.approx(0.3 * (1 - e) / (1 - 0.7 * e), rel=1e-10)
    assert r.summary["spike_count_S"] == 3 * 40  # three synapses, 40 spikes each in (8, 12] s


def test_a_synapse_state_summary_equals_numpy_on_its_recorded_samples():
    """Summaries of one Tsodyks–Markram synapse's u, x, Y_S, Gamma_S and U_0 (the release probability in force,
    (1 - Gamma_S) U + alpha Gamma_S with gliotransmitter feedback) against the same synapse's state recorded every
    base step; U_0 also against its definition on the recorded Gamma_S."""
    net = glia.Network(duration=20.0, dt=1e-3, seed=2)
    net.add_group("P", "poisson", n=2, rate=3.0)
    net.add_group("A", "gchi", n=1, dt=1e-3, params={"O_beta": 3.0}, init={"C": 0.3, "I": 0.4})
    net.connect("P", None, name="S", connect={"rule": "one_to_one"}, model="tsodyks_markram", preset="stimberg",
                astrocytes={"group": "A", "assign": "index", "index": [0, 0], "feedback": "closed",
                            "gliotransmission": {"alpha": 1.0}})
    variables = ["u", "x", "Y_S", "Gamma_S", "U_0"]
    net.monitor("state", "S", variables=variables, indices=[1])
    for var in variables:
        for stat in ("mean", "max", "final"):
            net.monitor("summary", "S", name=f"{stat}_{var}", variable=var, stat=stat, index=1, start=START)
    net.monitor("summary", "S", name="above_x", variable="x", stat="time_above", threshold=0.8, index=1, start=START)
    r = net.run()
    t = r.state["S"]["t"]
    rec = {var: r.state["S"][var][:, 0] for var in variables}
    assert rec["Gamma_S"].max() > 0.01  # gliotransmission did reach the synapse
    np.testing.assert_allclose(rec["U_0"], (1 - rec["Gamma_S"]) * 0.6 + rec["Gamma_S"], rtol=1e-14)
    for var in variables:
        for stat in ("mean", "max", "final"):
            want = reference(t, rec[var], stat, 0.0, 1e-3)
            assert r.summary[f"{stat}_{var}"] == pytest.approx(want, rel=1e-12, abs=1e-14), (stat, var)
    assert r.summary["above_x"] == pytest.approx(reference(t, rec["x"], "time_above", 0.8, 1e-3), rel=1e-12)


@pytest.mark.parametrize("monitor, message", [
    ({"stat": "mean", "variable": "u"}, r'monitors\[0\]\.index: missing'),
    ({"stat": "mean", "variable": "q", "index": 0}, r'monitors\[0\]\.variable = "q": not a recordable variable of "S"'),
    ({"stat": "frequency", "variable": "x", "index": 0}, r'monitors\[0\]\.threshold: missing'),
    ({"stat": "spike_count", "variable": "x", "index": 0}, r'monitors\[0\]\.stat = "spike_count": a synapse\'s state'),
    ({"stat": "mean", "variable": "x", "index": 2}, r'monitors\[0\]\.index = 2: out of range: projection "S" has 1 synapses'),
])
def test_bad_synapse_summaries_name_the_field(monitor, message):
    config = {"simulation": {"duration": 1.0, "dt": 1e-3},
              "groups": [{"name": "P", "model": "poisson", "n": 1, "rate": 1.0}],
              "projections": [{"name": "S", "source": "P", "connect": {"rule": "one_to_one"},
                               "model": "tsodyks_markram"}],
              "monitors": [{"type": "summary", "target": "S", **monitor}]}
    with pytest.raises(glia.ConfigError, match=message):
        glia.simulate(config)
