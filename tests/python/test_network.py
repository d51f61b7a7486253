"""Networks from the command line and from Python (glia.Network): the result file's layout,
agreement of the two front ends, errors that name the field, and a run that fails mid-way
leaving a valid file marked incomplete."""

import json
import subprocess

import h5py
import numpy as np
import pytest

import glia


def small_network(duration=0.3):
    """Poisson input onto E/I LIF populations with tripartite E synapses and coupled astrocytes."""
    net = glia.Network(duration=duration, dt=1e-4, seed=5)
    grid = {"grid": {"rows": 10, "spacing": 2e-5}}
    net.add_group("P", "poisson", n=200, rate=30.0)
    net.add_group("E", "lif_coba", n=100, method="euler", positions=grid,
                  init={"v": {"uniform": [-0.06, -0.05]}})
    net.add_group("I", "lif_coba", n=25)
    net.add_group("A", "gchi", n=100, dt=0.001, positions=grid, params={"O_beta": 3.0})
    stimberg = {"U": 0.6, "tau_rec": 0.5, "tau_fac": 0.3}
    net.connect("P", "E", name="PE", receptor="g_e", weight=3e-10, connect={"rule": "fixed_indegree", "k": 20},
                model="tsodyks_markram", params=stimberg,
                astrocytes={"group": "A", "assign": "nearest_to_target", "gliotransmission": {"alpha": 1.0}})
    net.connect("E", "I", name="EI", receptor="g_e", weight=5e-10, connect={"rule": "fixed_probability", "p": 0.2},
                delay=1e-3)
    net.connect("I", "E", name="IE", receptor="g_i", weight=1e-9, connect={"rule": "all_to_all"})
    net.couple_astrocytes("A", radius=2.5e-5, F=0.09)
    net.monitor("spikes", "E")
    net.monitor("rate", "E", bin=0.01)
    net.monitor("state", "A", variables=["C", "Y_S", "Gamma_S"], indices=[0, 55], dt=0.01)
    net.monitor("state", "PE", variables=["u", "x", "Y_S"], indices=[0, 1999])
    net.monitor("mean", "A", variable="C", dt=0.01)
    return net


def run_cli(cli, *args):
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=300)


def test_cli_and_python_give_the_same_network_run(cli, tmp_path):
    net = small_network()
    config_path = tmp_path / "net.json"
    out = tmp_path / "net.h5"
    net.to_json(config_path, output=out)
    p = run_cli(cli, "simulate", str(config_path), "--threads", "1")
    assert p.returncode == 0, p.stderr
    assert "PE: 2000 synapses" in p.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        assert f["projections/IE"].attrs["synapses"] == 100 * 25
        assert f["state/A/C"].shape == (31, 2)
        assert f["state/PE/u"].shape == (3001, 2)
        assert f["rates/E/rate"].shape == (30,)
        assert f.attrs["run_seconds"] > 0
    loaded = glia.load(out)
    direct = net.run(threads=2)
    assert direct.synapses == loaded.synapses
    assert len(direct.spikes["E"]["t"]) > 0
    np.testing.assert_array_equal(direct.spikes["E"]["t"], loaded.spikes["E"]["t"])
    np.testing.assert_array_equal(direct.spikes["E"]["i"], loaded.spikes["E"]["i"])
    np.testing.assert_array_equal(direct.state["A"]["C"], loaded.state["A"]["C"])
    np.testing.assert_array_equal(direct.state["PE"]["Y_S"], loaded.state["PE"]["Y_S"])
    np.testing.assert_array_equal(direct.mean["A"]["C"], loaded.mean["A"]["C"])
    # The population rate is the spike count per bin.
    counts, _ = np.histogram(direct.spikes["E"]["t"] - 1e-9, bins=np.arange(31) * 0.01)
    np.testing.assert_allclose(direct.rates["E"]["rate"], counts / (100 * 0.01))
    # Glutamate reached the astrocytes, and their gliotransmitter the receptors, only through the network.
    assert direct.state["A"]["Y_S"].max() > 0


@pytest.mark.parametrize(
    "edit, field",
    [
        (lambda c: c["groups"][1].update(model="izhikevich"), "groups[1].model"),
        (lambda c: c["groups"][1].update(params={"tau_m": 0.02}), "groups[1].params.tau_m"),
        (lambda c: c["groups"][3].update(dt=0.0105), "groups[3].dt"),
        (lambda c: c["projections"][1].update(connect={"rule": "explicit", "pre": [0, 100], "post": [0, 0]}),
         "projections[1].connect.pre[1]"),
        (lambda c: c["projections"][0]["astrocytes"].update(assign="index", index=[3200]),
         "projections[0].astrocytes.index[0]"),
        (lambda c: c["projections"][2].update(receptor="g_x"), "projections[2].receptor"),
        (lambda c: c["monitors"][2].update(variables=["Ca"]), "monitors[2].variables[0]"),
    ],
)
def test_bad_network_config_exits_2_naming_the_field(cli, tmp_path, edit, field):
    config = small_network().config
    edit(config)
    out = tmp_path / "bad.h5"
    config["output"] = str(out)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    p = run_cli(cli, "simulate", str(path))
    assert p.returncode == 2, p.stdout + p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], p.stderr
    assert not out.exists()
    with pytest.raises(glia.ConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        glia.simulate(config)


def test_failure_mid_run_leaves_a_valid_file_marked_incomplete(cli, tmp_path):
    # Astrocytes stepped by forward Euler with a 1 s step: C turns negative at the second step.
    net = glia.Network(duration=30.0, dt=1e-3, seed=1)
    net.add_group("A", "gchi", n=4, dt=1.0, method="euler")
    net.add_group("S", "regular", n=1, rate=2.0)
    net.connect("S", None, name="syn", connect={"rule": "one_to_one"}, model="tsodyks_markram",
                preset="stimberg", astrocytes={"group": "A", "assign": "index", "index": [2]})
    net.monitor("state", "A", variables=["C"], dt=1.0)
    net.monitor("spikes", "S")
    out = tmp_path / "failed.h5"
    path = tmp_path / "failed.json"
    net.to_json(path, output=out)
    p = run_cli(cli, "simulate", str(path), "-q")
    assert p.returncode == 1, p.stdout + p.stderr
    assert 'groups[0] "A"' in p.stderr and "marked complete = 0" in p.stderr, p.stderr
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 0
        error = f.attrs["error"]
        error = error.decode() if isinstance(error, bytes) else error
        assert 'groups[0] "A"' in error
        steps = int(f.attrs["steps_done"])
        assert steps == 1000  # the failing astrocyte step started at t = 1 s
        assert f["state/A/C"].shape == (2, 4)  # samples at t = 0 and 1 s
        assert np.all(np.isfinite(f["state/A/C"][()]))
    with pytest.raises(ValueError, match="complete"):
        glia.load(out)
    with pytest.raises(glia.SimulationError, match='groups\\[0\\] "A"'):
        net.run()


def test_astrocyte_fractions_out_of_bounds_stop_a_deterministic_run_not_a_stochastic_one():
    """Gamma_A and h are fractions: a deterministic step that carries one out of [0, 1] is too long and stops the
    run, naming it; the stochastic G-ChI's noise on h may carry h out (its right-hand side clips), so it goes on."""
    net = glia.Network(duration=2.0, dt=1e-3, seed=1)
    net.add_group("S", "regular", n=1, rate=5.0)
    net.add_group("A", "gchi", n=1, dt=0.01)  # 10 ms RK4 steps under 1250 uM glutamate pulses
    net.connect("S", None, name="syn", connect={"rule": "one_to_one"}, model="tsodyks_markram", preset="stimberg",
                astrocytes={"group": "A", "assign": "index", "index": [0], "feedback": "none"})
    with pytest.raises(glia.SimulationError, match=r'groups\[1\] "A": Gamma_A\[0\] = [0-9.]+: outside \[0, 1\] at t = 0\.2'):
        net.run()
    noisy = glia.Network(duration=20.0, dt=0.01, seed=3)
    noisy.add_group("A", "gchi", n=4, method="euler_maruyama", sigma=2.0, params={"O_beta": 3.0})
    noisy.monitor("state", "A", variables=["h"])
    h = noisy.run().state["A"]["h"]
    assert h.min() < 0.0 or h.max() > 1.0  # the noise did carry h out, and the run went on


def test_decaying_glutamate_needs_one_decay_rate_for_the_synapses_it_reads():
    config = {
        "simulation": {"duration": 0.1, "dt": 1e-3},
        "groups": [{"name": "P", "model": "poisson", "n": 2, "rate": 5.0},
                   {"name": "A", "model": "gchi", "n": 1, "glutamate_input": "decaying"}],
        "projections": [
            {"name": "S1", "source": "P", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
             "astrocytes": {"group": "A", "assign": "index", "index": [0, 0]}},
            {"name": "S2", "source": "P", "connect": {"rule": "one_to_one"}, "model": "tsodyks_markram",
             "astrocytes": {"group": "A", "assign": "index", "index": [0, 0], "glutamate": {"Omega_c": 60.0}}}],
    }
    with pytest.raises(glia.ConfigError, match=r'^projections\[1\]\.astrocytes\.glutamate\.Omega_c = 60\.0: differs '
                                               r'from projection "S1"\'s 40\.0 1/s'):
        glia.simulate(config)
    config["groups"][1]["glutamate_input"] = "held"
    assert glia.simulate(config).config["groups"][1]["glutamate_input"] == "held"  # runs
    config["groups"][1]["glutamate_input"] = "exact"
    with pytest.raises(glia.ConfigError, match=r'^groups\[1\]\.glutamate_input = "exact": expected "held" or "decaying"'):
        glia.simulate(config)
