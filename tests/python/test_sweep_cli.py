"""`glia sweep` from the command line: a run killed with SIGKILL after its first chunk is resumed
by the same command into a file equal to an uninterrupted run's; bad input exits 2 with one
line naming the field."""

import json
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest


def run(cli, *args):
    return subprocess.run([cli, "sweep", *args], capture_output=True, text=True, timeout=120)


def write(tmp_path, config, name="sweep.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config) if isinstance(config, dict) else config)
    return str(path)


def slow_config():
    """24 variants in chunks of 2 (~0.1 s each on one thread): long enough to be killed mid-way."""
    return {
        "model": "tripartite", "parameter_set": "single_astrocyte", "duration": 400.0, "dt": 1e-3,
        "transient": 20.0,
        "parameters": {"feedback": 1, "alpha": 1.0},
        "design": {"grid": {"O_beta": [1.0, 3.0, 5.0], "rate": [0.5, 4.0], "seed": [1, 2, 3, 4]}},
        "summaries": ["C.frequency", "C.amplitude", "U_0.mean", "release_probability"],
        "traces": {"variants": [0, 5, 23], "variables": ["C", "G_A"], "dt": 0.5},
    }


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def done_count(path):
    """Variants marked done in a file another process is writing (HDF5 locks it while open)."""
    try:
        with h5py.File(path, "r", locking=False) as f:
            return int(f["status/done"][()].sum())
    except (OSError, KeyError):
        return 0


def test_killed_sweep_resumes_to_the_uninterrupted_result(cli, tmp_path):
    config = write(tmp_path, slow_config())
    whole, parts = str(tmp_path / "whole.h5"), str(tmp_path / "parts.h5")
    p = run(cli, config, "-o", whole, "--threads", "1", "--chunk", "2")
    assert p.returncode == 0, p.stderr
    assert "computed 24" in p.stdout

    proc = subprocess.Popen([cli, "sweep", config, "-o", parts, "--threads", "1", "--chunk", "2", "-q"])
    deadline = time.monotonic() + 60
    while done_count(parts) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_with = done_count(parts)
    assert 2 <= killed_with < 24, "the sweep must be killed after its first chunk and before its end"
    with h5py.File(parts, "r") as f:  # a valid file, marked incomplete
        assert f.attrs["complete"] == 0

    p = run(cli, config, "-o", parts, "--threads", "2", "--chunk", "5")
    assert p.returncode == 0, p.stderr
    resumed = 24 - int(p.stdout.split("computed ")[1].split()[0])
    assert resumed >= killed_with and f"{resumed} already in the file" in p.stdout

    a, b = datasets(whole), datasets(parts)
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    with h5py.File(parts, "r") as f:
        assert f.attrs["complete"] == 1
    assert [x.name for x in tmp_path.iterdir() if ".init" in x.name] == []


def small_config():
    return {
        "model": "tripartite", "duration": 1.0, "dt": 1e-3,
        "parameters": {"rate": 2.0},
        "design": {"grid": {"O_beta": [0.5, 1.0]}},
        "summaries": ["C.max"],
    }


def test_sweep_writes_file_and_summary(cli, tmp_path):
    config = small_config()
    config["output"] = str(tmp_path / "out.h5")
    p = run(cli, write(tmp_path, config))
    assert p.returncode == 0, p.stderr
    assert "2 variants of model tripartite" in p.stdout and "failed: 0" in p.stdout
    with h5py.File(tmp_path / "out.h5", "r") as f:
        assert f.attrs["complete"] == 1 and f.attrs["format"] == "glia-sweep"
        assert list(f["design/O_beta"][()]) == [0.5, 1.0]
    p = run(cli, write(tmp_path, config), "-q")  # already complete: nothing to do, nothing printed
    assert p.returncode == 0 and p.stdout == ""


BAD = [
    ("unknown_parameter", ["design", "grid", "O_bta"], [1.0], "design.grid.O_bta: unknown parameter"),
    ("empty_design", ["design"], {}, "design = {}: the design is empty"),
    ("empty_list", ["design"], {"list": []}, "design.list = []: the design is empty"),
    ("non_finite", ["design", "grid", "O_beta"], "[1.0, 1e999]", "design.grid.O_beta[1] = 1e999: must be finite"),
    ("out_of_range", ["design", "grid", "O_beta"], [1.0, -1.0], "design.grid.O_beta[1] = -1.0: must be in (0, inf)"),
    ("rate_above_step", ["parameters", "rate"], 5000.0, "parameters.rate = 5000.0: must be <= 1/dt = 1000 Hz"),
    ("unknown_key", ["chunks"], 3, "chunks = 3: unknown key"),
    ("bad_method", ["method"], "rk5", 'method = "rk5": expected "euler", "rk2" or "rk4"'),
]


@pytest.mark.parametrize("name,path,value,message", BAD, ids=[b[0] for b in BAD])
def test_bad_config_exits_2_naming_the_field(cli, tmp_path, name, path, value, message):
    config = small_config()
    node = config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "@@" if isinstance(value, str) and value.startswith("[") else value
    text = json.dumps(config).replace('"@@"', value) if isinstance(value, str) and value.startswith("[") else config
    p = run(cli, write(tmp_path, text), "-o", str(tmp_path / "out.h5"))
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("glia sweep: error: ") and message in p.stderr, p.stderr
    assert not (tmp_path / "out.h5").exists()


def test_existing_file_of_another_sweep_exits_2(cli, tmp_path):
    out = str(tmp_path / "out.h5")
    assert run(cli, write(tmp_path, small_config()), "-o", out, "-q").returncode == 0
    other = small_config()
    other["design"]["grid"]["O_beta"] = [0.5, 2.0]
    p = run(cli, write(tmp_path, other, "other.json"), "-o", out)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1
    assert f'output = "{out}": exists and holds a different sweep ("design" differs)' in p.stderr
    p = run(cli, write(tmp_path, small_config()), "--threads", "0", "-o", str(tmp_path / "x.h5"))
    assert p.returncode == 2 and "--threads = 0: must be an integer between 1 and" in p.stderr


def test_dump_config_writes_the_network_a_variant_runs(cli, tmp_path):
    import glia

    config = dict(slow_config(), duration=4.0, transient=1.0)
    path = write(tmp_path, config)
    out = tmp_path / "variant.json"
    p = run(cli, path, "--dump-config", str(out), "--variant", "5")
    assert p.returncode == 0, p.stderr
    assert "network config of design variant 5" in p.stdout
    net = json.loads(out.read_text())
    assert net == glia.sweep_network_config(config, 5)
    # Run alone by glia simulate, it gives the sweep's summaries of variant 5.
    r, s = glia.sweep(config), glia.simulate(net)
    for k, name in enumerate(r.summaries):
        np.testing.assert_array_equal(s.summary[f"s{k}"], r.summaries[name][5], err_msg=name)
    p = run(cli, path, "--dump-config", str(out), "--variant", "24")
    assert p.returncode == 2 and "--variant = 24: out of range [0, 24) (design indices)" in p.stderr
    p = run(cli, path, "--variant", "3")  # without --dump-config it means nothing: a usage error
    assert p.returncode == 2 and "--variant requires --dump-config" in p.stderr, p.stderr
