"""`glia simulate` from the command line: success, and every kind of bad input exits 2 with
one line naming the field and value, leaving no output file behind."""

import json
import os
import signal
import subprocess
import time

import h5py
import pytest


def run(cli, *args, cwd=None):
    return subprocess.run([cli, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def write_config(tmp_path, config, name="config.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config) if isinstance(config, dict) else config)
    return path


def test_simulate_writes_file_and_summary(cli, base_config, tmp_path):
    out = tmp_path / "out.h5"
    base_config["output"] = str(out)
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)))
    assert p.returncode == 0, p.stderr
    assert "syn: 40 spikes" in p.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["complete"] == 1
        assert f["spikes/syn/r"].shape == (40,)
    assert [x.name for x in tmp_path.iterdir() if ".tmp" in x.name] == []


def test_output_option_overrides_config(cli, base_config, tmp_path):
    base_config["output"] = str(tmp_path / "ignored.h5")
    out = tmp_path / "chosen.h5"
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)), "--output", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    assert out.exists() and not (tmp_path / "ignored.h5").exists()
    assert p.stdout == ""


def _break(config, path, value):
    """Set (or with value=None delete) a nested key given as a list path."""
    node = config
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value


BAD = [
    ("unknown_key", ["synapses", 0, "tau_recc"], 0.8, "synapses[0].tau_recc = 0.8: unknown key"),
    ("unknown_top_key", ["outptu"], "x.h5", 'outptu = "x.h5": unknown key'),
    ("missing_tau", ["synapses", 0, "tau_rec"], None, "synapses[0].tau_rec: missing required field"),
    ("negative_tau", ["synapses", 0, "tau_fac"], -0.2, "synapses[0].tau_fac = -0.2: must be >= 0 (s)"),
    ("negative_dt", ["simulation", "dt"], -1e-4, "simulation.dt = -0.0001: must be > 0 (s)"),
    ("string_number", ["groups", 0, "rate"], "20", 'groups[0].rate = "20": expected a number'),
    ("unknown_model", ["synapses", 0, "model"], "tm", 'synapses[0].model = "tm": unknown synapse model'),
    ("bad_index", ["monitors", 0, "indices"], [0, 7], "monitors[0].indices[1] = 7: out of range [0, 2)"),
    ("repeated_variable", ["monitors", 0, "variables"], ["u", "u"], 'monitors[0].variables[1] = "u": listed twice'),
]


@pytest.mark.parametrize("name,path,value,message", BAD, ids=[b[0] for b in BAD])
def test_bad_config_exits_2_naming_field(cli, base_config, tmp_path, name, path, value, message):
    out = tmp_path / "out.h5"
    base_config["output"] = str(out)
    _break(base_config, path, value)
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)))
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1, p.stderr
    assert message in p.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "config.json"]


def test_duplicate_key_exits_2(cli, base_config, tmp_path):
    text = json.dumps(base_config).replace('"dt": 0.0001', '"dt": 0.0001, "dt": 0.001')
    p = run(cli, "simulate", str(write_config(tmp_path, text)), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2
    assert "simulation.dt: key given twice" in p.stderr


def test_output_directory_exits_2(cli, base_config, tmp_path):
    for target in (str(tmp_path), str(tmp_path) + "/"):
        p = run(cli, "simulate", str(write_config(tmp_path, base_config)), "-o", target)
        assert p.returncode == 2
        assert "is a directory" in p.stderr


def test_oversized_recording_exits_2_before_running(cli, base_config, tmp_path):
    base_config["groups"][0]["n"] = 100000
    base_config["simulation"]["duration"] = 1000.0
    base_config["monitors"][0].pop("dt")
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2
    assert "monitors[0].indices" in p.stderr and "GiB" in p.stderr


def test_sigterm_leaves_no_file(cli, base_config, tmp_path):
    base_config["groups"][0] = {"name": "pre", "model": "poisson", "n": 20000, "rate": 10.0}
    base_config["simulation"]["duration"] = 200.0
    base_config["monitors"] = [{"type": "spikes", "target": "syn"}]
    proc = subprocess.Popen([cli, "simulate", str(write_config(tmp_path, base_config)), "-o",
                             str(tmp_path / "out.h5"), "--quiet"])
    time.sleep(1.0)
    assert proc.poll() is None, "run finished before it could be interrupted"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGTERM
    assert sorted(x.name for x in tmp_path.iterdir()) == ["config.json"]


def test_non_finite_value_exits_2(cli, base_config, tmp_path):
    # 1e999 is valid JSON syntax but overflows to infinity.
    text = json.dumps(base_config).replace('"tau_rec": 0.8', '"tau_rec": 1e999')
    base_config["output"] = str(tmp_path / "out.h5")
    p = run(cli, "simulate", str(write_config(tmp_path, text)), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1
    assert "synapses[0].tau_rec" in p.stderr and "finite" in p.stderr
    assert not (tmp_path / "out.h5").exists()


def test_invalid_json_exits_2(cli, tmp_path):
    p = run(cli, "simulate", str(write_config(tmp_path, '{"simulation": {"dt": 0.1,')))
    assert p.returncode == 2
    assert "config.json: invalid JSON" in p.stderr


def test_unwritable_output_exits_2(cli, base_config, tmp_path):
    target = tmp_path / "no_such_dir" / "out.h5"
    base_config["output"] = str(target)
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)))
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1
    assert f'output = "{target}": cannot create file' in p.stderr
    assert not target.parent.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_read_only_directory_exits_2(cli, base_config, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    base_config["output"] = str(ro / "out.h5")
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)))
    assert p.returncode == 2
    assert "Permission denied" in p.stderr


def test_missing_output_and_usage_errors_exit_2(cli, base_config, tmp_path):
    p = run(cli, "simulate", str(write_config(tmp_path, base_config)))
    assert p.returncode == 2 and "output: no output file" in p.stderr
    assert run(cli, "simulate").returncode == 2
    assert run(cli, "frobnicate").returncode == 2
    p = run(cli, "simulate", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and "missing.json\": no such file" in p.stderr
