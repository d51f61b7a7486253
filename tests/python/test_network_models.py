"""Rate groups and continuous transmission against a dense NumPy ODE solved by SciPy; the mapping layer's
networks run from their dumped configs; bad new fields exit 2 naming the field; the same seed gives the
same spikes in every form of config."""

import json
import subprocess
import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import glia
import glia.mapping as gm


def dense_rate_network():
    """Two tanh rate groups a (4) and b (3), a -> b with per-synapse weights, b -> a through explicit
    pairs, a -> a one to one; constant biases and a drive on a switched off after 0.1 s."""
    rng = np.random.default_rng(3)
    W_ab = rng.normal(size=(3, 4))  # [post, pre]
    pairs_ba = [(0, 1), (2, 0), (1, 3), (2, 2)]  # (pre in b, post in a)
    w_ba = rng.normal(size=len(pairs_ba))
    self_a = 0.4
    bias_a, bias_b, drive_a = rng.normal(size=4), rng.normal(size=3), rng.normal(size=4)
    net = glia.Network(duration=0.3, dt=1e-4, seed=0)
    net.add_group("a", "rate", n=4, params={"tau_n": 0.02, "lambda": 1.5}, nonlinearity="tanh", bias=bias_a,
                  windows={"durations": [0.1], "drive": [drive_a]}, init={"x": [0.1, -0.2, 0.3, 0.0]})
    net.add_group("b", "rate", n=3, params={"tau_n": 0.01, "lambda": 1.0}, nonlinearity="tanh", bias=bias_b)
    # all_to_all numbers synapses pre-major: synapse j * 3 + i is pre j -> post i.
    net.connect("a", "b", name="ab", connect={"rule": "all_to_all"}, weights=W_ab.T.ravel())
    net.connect("b", "a", name="ba", connect={"rule": "explicit", "pre": [p for p, _ in pairs_ba],
                                               "post": [q for _, q in pairs_ba]}, weights=w_ba)
    net.connect("a", "a", name="aa", connect={"rule": "one_to_one"}, weight=self_a)
    net.monitor("state", "a", variables=["x"], dt=0.01)
    net.monitor("state", "b", variables=["x"], dt=0.01)
    W_ba = np.zeros((4, 3))
    for (p, q), w in zip(pairs_ba, w_ba):
        W_ba[q, p] += w

    def rhs(t, y):
        xa, xb = y[:4], y[4:]
        ua = bias_a + (drive_a if t < 0.1 else 0.0) + W_ba @ np.tanh(xb) + self_a * np.tanh(xa)
        ub = bias_b + W_ab @ np.tanh(xa)
        return np.concatenate([(-1.5 * xa + ua) / 0.02, (-xb + ub) / 0.01])

    return net, rhs, np.array([0.1, -0.2, 0.3, 0.0, 0.0, 0.0, 0.0])


def test_rate_transmission_matches_a_dense_ode():
    net, rhs, y0 = dense_rate_network()
    r = net.run()
    t = r.state["a"]["t"]
    # The drive switches off at 0.1 s: integrate the two pieces separately (no step across the jump).
    first = solve_ivp(rhs, (0.0, 0.1), y0, rtol=1e-12, atol=1e-13, dense_output=True, method="DOP853")
    second = solve_ivp(rhs, (0.1, 0.3), first.sol(0.1), rtol=1e-12, atol=1e-13, dense_output=True, method="DOP853")
    ref = np.array([first.sol(s) if s <= 0.1 else second.sol(s) for s in t])
    sim = np.hstack([r.state["a"]["x"], r.state["b"]["x"]])
    assert np.max(np.abs(sim - ref)) < 1e-9, np.max(np.abs(sim - ref))
    assert np.ptp(sim[:, 4:]) > 0.1  # the network moves


def test_rate_methods_converge_at_their_order():
    net, rhs, y0 = dense_rate_network()
    config = net.config
    config["simulation"]["duration"] = 0.1  # before the drive switches off
    ref = solve_ivp(rhs, (0.0, 0.1), y0, rtol=1e-12, atol=1e-13, method="DOP853").y[:, -1]

    def error(method, dt):
        c = json.loads(json.dumps(config))
        c["simulation"]["dt"] = dt
        for g in c["groups"]:
            g["method"] = method
        c["groups"][0].pop("windows")  # whole run in one window; add the drive to the bias instead
        c["groups"][0]["bias"] = list(np.add(c["groups"][0]["bias"], net.config["groups"][0]["windows"]["drive"][0]))
        for m in c["monitors"]:
            m["dt"] = 0.1
        r = glia.simulate(c)
        sim = np.concatenate([r.state["a"]["x"][-1], r.state["b"]["x"][-1]])
        return np.max(np.abs(sim - ref))

    for method, order in (("euler", 1), ("rk2", 2), ("rk4", 4), ("exact", 1)):
        e1, e2 = error(method, 1e-3), error(method, 5e-4)
        assert abs(np.log2(e1 / e2) - order) < 0.3, (method, e1, e2)


def test_dumped_mapping_networks_run_as_configs(cli, tmp_path):
    # The retention network: its dump runs with glia simulate and gives the p^l of derive_retention.
    with warnings.catch_warnings():  # a short protocol: the table's shape is not the point here
        warnings.simplefilter("ignore", gm.RetentionWarning)
        res = gm.derive_retention(T=6, T_off=1.0)
    cfg = gm.retention_network_config(T=6, T_off=1.0)
    path = tmp_path / "ltp.json"
    path.write_text(json.dumps(cfg))
    p = subprocess.run([cli, "simulate", str(path), "-o", str(tmp_path / "ltp.h5"), "-q"], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    loaded = glia.load(tmp_path / "ltp.h5")
    np.testing.assert_allclose(loaded.state["p_l_cycle_end"]["p_l"].mean(axis=1), res.p_l_mean[1:], rtol=1e-14)
    # The simulated head: the dumped network's output rows are simulate_head's.
    rng = np.random.default_rng(0)
    q, k, v, a = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2)), rng.normal(size=(5, 4))
    head = gm.simulated_head_config(q, k, v, a, tau_n=2e-3, tau_p=0.1, dt=5e-4)
    np.testing.assert_array_equal(glia.simulate(head).state["output"]["x"],
                                  gm.simulate_head(q, k, v, a, tau_n=2e-3, tau_p=0.1, dt=5e-4)["out"])
    # ... and with its biology changed (leaky synapses) it is another operator.
    head["projections"][0]["params"]["beta"] = 0.5
    leaky = glia.simulate(head).state["output"]["x"]
    assert np.max(np.abs(leaky - gm.head_operator(q, k, v, a))) > 1e-2


@pytest.mark.parametrize("path, value, field", [
    (("groups", 0, "windows", "durations", 0), -0.1, "groups[0].windows.durations[0]"),
    (("groups", 0, "nonlinearity"), "softplus", "groups[0].nonlinearity"),
    (("groups", 1, "params", "lambda"), -1.0, "groups[1].params.lambda"),
    (("projections", 0, "weights"), [1.0], "projections[0].weights"),
    (("projections", 2, "delay"), 1e-3, "projections[2].delay"),
])
def test_bad_new_fields_exit_2_naming_the_field(cli, tmp_path, path, value, field):
    net, _, _ = dense_rate_network()
    config = net.config
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(config))
    p = subprocess.run([cli, "simulate", str(f), "-o", str(tmp_path / "out.h5")], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"glia simulate: error: {field} = "), p.stderr
    assert not (tmp_path / "out.h5").exists()


def test_same_poisson_spikes_from_python_cli_and_driven_forms(cli, tmp_path):
    net = glia.Network(duration=0.1, dt=1e-4, seed=9)
    net.add_group("P", "poisson", n=10, rate=100.0)
    net.monitor("spikes", "P")
    alone = net.run().spikes["P"]
    net.add_group("N", "lif_coba", n=2)
    net.connect("P", "N", name="PN", receptor="g_e", weight=1e-9, connect={"rule": "all_to_all"})
    path = tmp_path / "net.json"
    net.to_json(path, output=tmp_path / "net.h5")
    assert subprocess.run([cli, "simulate", str(path), "-q"]).returncode == 0
    from_cli = glia.load(tmp_path / "net.h5").spikes["P"]
    driven = glia.simulate({"simulation": {"duration": 0.1, "dt": 1e-4, "seed": 9},
                            "groups": [{"name": "P", "model": "poisson", "n": 10, "rate": 100.0}],
                            "monitors": [{"type": "spikes", "target": "P"}]}).spikes["P"]
    assert alone["t"].size > 50
    for other in (from_cli, driven):
        np.testing.assert_array_equal(alone["t"], other["t"])
        np.testing.assert_array_equal(alone["i"], other["i"])
