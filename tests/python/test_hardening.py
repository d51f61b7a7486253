"""Hardening (issue 18): adversarial but realistic input on every front end. One test per class of failure:
no crash, no input destroyed, resources bounded before allocation, damaged files refused, training logs cut
back on resume, usage errors exit 2 with one line naming the path or field, no silent NaN. CLI and Python."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import glia
import glia.mapping
import glia.nn

DEEP = 100_000


def run(cli, *args, timeout=120, **kw):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


def one_line_error(p, *needles, code=2):
    """The process failed with `code` and one stderr line holding every needle."""
    assert p.returncode == code, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and ": error: " in p.stderr, p.stderr
    for n in needles:
        assert n in p.stderr, p.stderr


def network(**changes):
    c = {"simulation": {"duration": 0.01, "dt": 1e-4, "seed": 1},
         "groups": [{"name": "a", "model": "poisson", "n": 10, "rate": 5.0},
                    {"name": "b", "model": "lif_coba", "n": 10}],
         "projections": [{"name": "p", "source": "a", "target": "b", "receptor": "g_e", "weight": 1e-9,
                          "connect": {"rule": "one_to_one"}}],
         "monitors": [{"type": "spikes", "target": "b"}]}
    c.update(changes)
    return c


def write(path, config):
    path.write_text(json.dumps(config))
    return path


def tiny_sweep():
    return {"model": "tripartite", "duration": 1.0, "dt": 1e-3, "parameters": {"rate": 2.0},
            "design": {"grid": {"O_beta": [0.5, 1.0, 1.5, 2.0]}}, "summaries": ["C.max"], "chunk": 2}


def model_config(name="rmaat", **changes):
    m = {"name": name, "vocab_size": 16, "num_classes": 10, "max_length": 80, "d_model": 16, "heads": 2, "layers": 2,
         "ffn": 32, "seed": 3}
    if name == "rmaat":
        m.update(segment_length=20, memory_tokens=3, retention={"source": "exponential", "c": 0.5})
    m.update(changes)
    return m


def train_config(data, output, steps=4, **training):
    t = {"steps": steps, "batch_size": 4, "checkpoint_every": 2, "log_every": 1, "eval_every": 2, "seed": 9}
    t.update(training)
    return {"model": model_config(), "data": {"path": str(data), "eval_examples": 8}, "training": t,
            "output": str(output)}


@pytest.fixture(scope="module")
def listops(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "listops"
    subprocess.run([cli, "data", "generate", "listops", "-o", str(out), "--train", "48", "--val", "16", "--test", "16",
                    "--min-length", "20", "--max-length", "80", "--shard-size", "48", "-q"], check=True)
    return out


def listops_of(trained):
    """The data set directory a trained run read."""
    return pathlib.Path(json.loads(trained[1].read_text())["data"]["path"])


@pytest.fixture(scope="module")
def trained(cli, listops, tmp_path_factory):
    """A finished tiny rmaat run: its directory and config path."""
    d = tmp_path_factory.mktemp("run")
    cfg = write(d / "train.json", train_config(listops, d / "run"))
    p = run(cli, "train", cfg, "--threads", "1", "-q")
    assert p.returncode == 0, p.stderr
    return d / "run", cfg


# ---- 1. crashes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["array", "object"])
def test_deeply_nested_json_is_a_config_error_on_every_subcommand(cli, tmp_path, shape):
    text = ('{"a":' + "[" * DEEP + "]" * DEEP + "}") if shape == "array" else ('{"a":' * DEEP + "1" + "}" * DEEP)
    path = tmp_path / "deep.json"
    path.write_text(text)
    for args in (["simulate", path, "-o", tmp_path / "o.h5"], ["sweep", path, "-o", tmp_path / "s.h5"],
                 ["retention", path, "-o", tmp_path / "r.h5"], ["train", path], ["bench", "nn", path]):
        one_line_error(run(cli, *args), "nested deeper than 64 levels")
    with pytest.raises(glia.ConfigError, match="nested deeper than 64 levels"):
        glia.simulate(path)


def test_checkpoint_holding_a_deeply_nested_config_is_refused(cli, trained, tmp_path):
    ckpt = tmp_path / "deep.h5"
    shutil.copy(trained[0] / "checkpoint.h5", ckpt)
    with h5py.File(ckpt, "r+") as f:
        f.attrs["config"] = '{"model":' + "[" * DEEP + "]" * DEEP + "}"
    with pytest.raises(glia.ConfigError, match="nested deeper than 64 levels"):
        glia.nn.load(ckpt)
    one_line_error(run(cli, "evaluate", ckpt), "nested deeper than 64 levels")


def test_config_too_large_for_the_memory_limit_is_refused_before_parsing(cli, tmp_path):
    # 100 MB of JSON (50 M numbers) needs ~2 GiB parsed: under a 1 GB address-space limit it must be refused,
    # not abort inside the parser.
    path = tmp_path / "big.json"
    with open(path, "w") as f:
        f.write('{"a":[')
        chunk = ",".join(["1"] * 1_000_000)
        for k in range(50):
            f.write(("," if k else "") + chunk)
        f.write("]}")
    for sub in ("simulate", "train"):
        p = subprocess.run(["bash", "-c", f'ulimit -v 1000000; exec "{cli}" {sub} "{path}"'], capture_output=True,
                           text=True, timeout=120)
        one_line_error(p, "of JSON: parsing it would take about", "this process may use")


def test_sweep_path_with_100000_components_is_a_config_error(cli, tmp_path):
    config = {"model": "network", "network": network(), "design": {"grid": {".".join(["groups"] * DEEP): [1, 2]}},
              "summaries": [{"target": "b", "stat": "spike_count"}]}
    one_line_error(run(cli, "sweep", write(tmp_path / "s.json", config), "-o", tmp_path / "s.h5"), "components")
    with pytest.raises(glia.ConfigError, match="components"):
        glia.sweep(config, tmp_path / "py.h5")


def test_thread_counts_beyond_4_per_processor_are_refused(cli, tmp_path):
    cfg = write(tmp_path / "net.json", network(output=str(tmp_path / "o.h5")))
    for args in (["simulate", cfg, "--threads", "10000"], ["sweep", cfg, "--threads", "10000"],
                 ["train", cfg, "--threads", "10000"], ["simulate", cfg, "--threads", "-1"]):
        one_line_error(run(cli, *args), "--threads = ", "must be an integer between")
    with pytest.raises(glia.ConfigError, match="threads = 10000"):
        glia.simulate(network(), threads=10000)
    with pytest.raises(glia.ConfigError, match="threads = 10000"):
        glia.sweep(tiny_sweep(), tmp_path / "s.h5", threads=10000)
    assert not (tmp_path / "s.h5").exists() and not (tmp_path / "o.h5").exists()


# ---- 2. input destroyed ------------------------------------------------------------------------------------------


def test_output_that_is_an_input_is_refused_also_through_a_link(cli, trained, tmp_path):
    cfg = write(tmp_path / "net.json", network())
    link = tmp_path / "link.json"
    link.symlink_to(cfg)
    before = cfg.read_text()
    for out in (cfg, link):
        one_line_error(run(cli, "simulate", cfg, "-o", out), "is the input", str(out))
    ret = write(tmp_path / "ret.json", {"T": [3], "n_cycles": 3})
    one_line_error(run(cli, "retention", ret, "-o", ret), "is the input")
    one_line_error(run(cli, "retention", ret, "--dump-config", ret), "is the input")
    ckpt = tmp_path / "ckpt.h5"
    shutil.copy(trained[0] / "checkpoint.h5", ckpt)
    ckpt_bytes = ckpt.read_bytes()
    one_line_error(run(cli, "evaluate", ckpt, "--simulate-heads", "-o", ckpt), "is the input")
    one_line_error(run(cli, "evaluate", ckpt, "-o", ckpt), "is the input")
    # the data set a checkpoint reads, and a training run's files
    one_line_error(run(cli, "evaluate", ckpt, "-o", listops_of(trained) / "manifest.json"), "inside the input directory")
    run_cfg = json.loads(trained[1].read_text())
    one_line_error(run(cli, "train", trained[1], "-o", listops_of(trained)), "inside the input directory")
    own = tmp_path / "own"
    own.mkdir()
    write(own / "result.json", {**run_cfg, "output": str(own)})
    one_line_error(run(cli, "train", own / "result.json"), "is the input")
    with pytest.raises(glia.ConfigError, match="is the input"):
        glia.simulate(cfg, output=link)
    with pytest.raises(glia.ConfigError, match="is the input"):
        glia.mapping.derive_retention(ret, output=ret)
    assert cfg.read_text() == before and ckpt.read_bytes() == ckpt_bytes


# ---- 3. resources bounded before allocation -----------------------------------------------------------------------


def _bigger(edit):
    c = network(output="unused.h5")
    edit(c)
    return c


RESOURCES = [
    ("neurons", lambda c: (c["groups"][1].update(n=2**31 - 1), c["projections"].clear()), "groups[1].n = 2147483647"),
    ("all_to_all", lambda c: (c["groups"][0].update(n=100000), c["groups"][1].update(n=100000),
                              c["projections"][0]["connect"].update(rule="all_to_all")), "projections[0].connect"),
    ("delay", lambda c: c["projections"][0].update(delay=1e8), "projections[0].delay"),  # 1e12 steps
    ("astrocytes", lambda c: c["groups"].append({"name": "astro", "model": "gchi", "n": 10**9}), "groups[2].n"),
    ("traces", lambda c: (c["simulation"].update(duration=1e8),
                          c["monitors"].append({"type": "state", "target": "b", "variables": ["v"], "dt": 1e-4})),
     "monitors[1]"),
]


@pytest.mark.parametrize("name,edit,field", RESOURCES, ids=[r[0] for r in RESOURCES])
def test_network_too_large_for_memory_is_refused_naming_the_field(cli, tmp_path, name, edit, field):
    c = _bigger(edit)
    p = run(cli, "simulate", write(tmp_path / "c.json", c), "-q")
    one_line_error(p, field, "GiB", "this process may use")
    del c["output"]
    with pytest.raises(glia.ConfigError, match="this process may use"):
        glia.simulate(c)


@pytest.mark.parametrize("change,field", [({"d_model": 2**20}, "model.d_model = 1048576"),
                                          ({"vocab_size": 2**31}, "model.vocab_size = 2147483648"),
                                          ({"max_length": 10**9}, "model.max_length = 1000000000")])
def test_model_too_large_for_memory_is_refused_naming_the_field(cli, tmp_path, change, field):
    m = write(tmp_path / "m.json", model_config("transformer", **change))
    one_line_error(run(cli, "bench", "nn", m, "--steps", "1"), field, "this process may use")
    with pytest.raises(glia.ConfigError, match="this process may use"):
        glia.nn.init(model_config("transformer", **change))


def test_batch_too_large_for_memory_is_refused(cli, listops, tmp_path):
    m = write(tmp_path / "m.json", model_config("transformer"))
    one_line_error(run(cli, "bench", "nn", m, "--steps", "1", "--batch-size", 10**12), "--batch-size = 1000000000000")
    cfg = write(tmp_path / "t.json", train_config(listops, tmp_path / "run", batch_size=10**12))
    one_line_error(run(cli, "train", cfg), "training.batch_size = 1000000000000", "this process may use")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("n_cycles", [10**8, 10**12])
def test_retention_cycles_beyond_memory_are_refused(cli, tmp_path, n_cycles):
    cfg = write(tmp_path / "r.json", {"n_cycles": n_cycles, "output": str(tmp_path / "r.h5")})
    one_line_error(run(cli, "retention", cfg), f"n_cycles = {n_cycles}", "this process may use")
    with pytest.raises(glia.ConfigError, match="n_cycles"):
        glia.mapping.derive_retention({"n_cycles": n_cycles})


@pytest.mark.parametrize("what", ["simulate", "retention"])
def test_long_runs_show_progress_and_eta_at_once(cli, tmp_path, what):
    if what == "simulate":
        cfg = write(tmp_path / "c.json", network(simulation={"duration": 1e12, "dt": 1e-4, "seed": 1},
                                                 output=str(tmp_path / "o.h5")))
    else:
        cfg = write(tmp_path / "c.json", {"n_cycles": 10**6, "output": str(tmp_path / "o.h5")})
    p = subprocess.Popen([cli, what, str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    p.kill()
    err = p.communicate()[1]
    assert "ETA" in err and "/s" in err, err
    assert not (tmp_path / "o.h5").exists()


# ---- 4. damaged files ---------------------------------------------------------------------------------------------


@pytest.fixture
def finished_sweep(cli, tmp_path):
    path = tmp_path / "s.h5"
    cfg = write(tmp_path / "s.json", tiny_sweep())
    assert run(cli, "sweep", cfg, "-o", path, "-q").returncode == 0
    return cfg, path


@pytest.mark.parametrize("alter", ["done", "code", "summary", "swap"])
def test_altered_sweep_file_is_refused_on_resume_and_load(cli, finished_sweep, alter):
    cfg, path = finished_sweep
    with h5py.File(path, "r+") as f:
        if alter == "done":  # a variant marked done that never ran
            f["status/done"][3] = 0
            f.attrs["complete"] = 0
        elif alter == "code":
            f["status/code"][1] = 5
        elif alter == "summary":
            f["summaries/C.max"][2] = 0.123
        else:
            v = f["summaries/C.max"][()]
            f["summaries/C.max"][0], f["summaries/C.max"][1] = v[1], v[0]
    if alter == "done":  # resumed: variant 3 runs again and the file is whole
        assert run(cli, "sweep", cfg, "-o", path, "-q").returncode == 0
        assert (glia.load_sweep(path).status == 0).all()
        with h5py.File(path, "r+") as f:  # now claim a variant ran that did not
            f["status/done"][2] = 1
            f["status/checksum"][2] = 0
            f.attrs["complete"] = 0
    p = run(cli, "sweep", cfg, "-o", path)
    one_line_error(p, str(path), "/status/checksum", "altered or is damaged")
    with pytest.raises(glia.ConfigError, match="altered or is damaged"):
        glia.load_sweep(path)


def test_truncated_sweep_file_is_reported_as_damaged(cli, finished_sweep):
    cfg, path = finished_sweep
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    one_line_error(run(cli, "sweep", cfg, "-o", path), str(path), "damaged")
    with pytest.raises(glia.ConfigError, match="damaged"):
        glia.load_sweep(path)


def _fnv1a(values):
    h = 1469598103934665603
    for b in np.ascontiguousarray(values, dtype="<f8").tobytes():
        h = ((h ^ b) * 1099511628211) % 2**64
    return h - 2**64 if h >= 2**63 else h


@pytest.mark.parametrize("damage", ["altered", "nan", "rank3"])
def test_damaged_checkpoint_is_refused_on_load_and_resume(cli, listops, tmp_path, damage):
    run_dir = tmp_path / "run"
    cfg = write(tmp_path / "t.json", train_config(listops, run_dir))
    assert run(cli, "train", cfg, "--threads", "1", "--until-step", "2", "-q").returncode == 0
    ckpt = run_dir / "checkpoint.h5"
    with h5py.File(ckpt, "r+") as f:
        name = "parameters/" + f["parameters"].attrs["order"].split("\n")[0]
        v = f[name][()]
        if damage == "altered":
            v.flat[0] += 1e-3
            f[name][...] = v
        elif damage == "nan":  # with a matching checksum: the finiteness check must catch it
            v.flat[0] = np.nan
            f[name][...] = v
            f.attrs["checksum /" + name] = _fnv1a(v)
        else:  # the same values as a rank-3 dataset, checksum intact
            del f[name]
            f.create_dataset(name, data=v.reshape(1, *v.shape) if v.ndim == 2 else v.reshape(1, 1, -1))
    expected = {"altered": "does not match its checksum", "nan": "finite values only", "rank3": "has shape"}[damage]
    with pytest.raises(glia.ConfigError, match=expected):
        glia.nn.load(ckpt)
    one_line_error(run(cli, "train", cfg, "--threads", "1"), str(ckpt), expected)


def test_truncated_checkpoint_is_a_usage_error_naming_it(cli, trained, tmp_path):
    ckpt = tmp_path / "checkpoint.h5"
    data = (trained[0] / "checkpoint.h5").read_bytes()
    ckpt.write_bytes(data[: len(data) // 2])
    one_line_error(run(cli, "evaluate", ckpt), str(ckpt), "damaged")
    with pytest.raises(glia.ConfigError, match="damaged"):
        glia.nn.load(ckpt)


def test_load_reads_only_simulation_results(trained, finished_sweep):
    with pytest.raises(ValueError, match="glia-sweep file, not a simulation result: read it with glia.load_sweep"):
        glia.load(finished_sweep[1])
    with pytest.raises(ValueError, match="glia-checkpoint file, not a simulation result: read it with glia.nn.load"):
        glia.load(trained[0] / "checkpoint.h5")


# ---- 5. training run directory ------------------------------------------------------------------------------------


def test_training_logs_are_cut_back_to_the_checkpoint_on_resume(cli, listops, tmp_path):
    run_dir = tmp_path / "run"
    cfg = write(tmp_path / "t.json", train_config(listops, run_dir, steps=4))
    assert run(cli, "train", cfg, "--threads", "1", "--until-step", "2", "-q").returncode == 0
    # A run killed after step 2's checkpoint, having logged steps 3 and 4 already:
    metrics = (run_dir / "metrics.csv").read_text().splitlines()
    (run_dir / "metrics.csv").write_text("\n".join(metrics + ["3,0,0,0,0,0,0", "4,0,0,0,0,0,0"]) + "\n")
    assert run(cli, "train", cfg, "--threads", "1", "-q").returncode == 0
    rows = (run_dir / "metrics.csv").read_text().splitlines()
    assert [r.split(",")[0] for r in rows] == ["step", "1", "2", "3", "4"]
    # A run killed before its first checkpoint leaves logs only: the rerun starts them afresh.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "metrics.csv").write_text(rows[0] + "\n1,0,0,0,0,0,0\n")
    (fresh / "eval.csv").write_text("step,split,loss,accuracy\n2,val,0,0\n")
    cfg2 = write(tmp_path / "t2.json", train_config(listops, fresh, steps=2))
    assert run(cli, "train", cfg2, "--threads", "1", "-q").returncode == 0
    assert [r.split(",")[0] for r in (fresh / "metrics.csv").read_text().splitlines()] == ["step", "1", "2"]
    assert len((fresh / "eval.csv").read_text().splitlines()) == 2  # header + step 2


# ---- 6. exit codes and messages -----------------------------------------------------------------------------------


def test_filesystem_failures_are_usage_errors_naming_the_path(cli, tmp_path):
    cfg = write(tmp_path / "net.json", network())
    (tmp_path / "adir").mkdir()
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    for out, why in ((tmp_path / "adir", "directory"), (cfg / "x.h5", "Not a directory"),
                     (loop / "x.h5", "symbolic links"), ("/proc/glia/x.h5", "")):
        one_line_error(run(cli, "simulate", cfg, "-o", out), str(out), why)
    one_line_error(run(cli, "simulate", tmp_path / "adir"), "is a directory")
    one_line_error(run(cli, "simulate", loop), str(loop))


def test_cli_option_errors_are_one_line_with_the_real_range(cli, tmp_path):
    one_line_error(run(cli, "simulate", "x.json", "--threads", "abc"), "--threads = abc")
    one_line_error(run(cli, "simulate"), "CONFIG")
    for seed in ("-1", str(2**64), "1.5"):
        one_line_error(run(cli, "data", "generate", "listops", "-o", tmp_path / "d", "--seed", seed),
                       f"--seed = {seed}", "18446744073709551615")
    assert not (tmp_path / "d").exists()


# ---- 7. silent NaN ------------------------------------------------------------------------------------------------


def test_non_finite_inputs_to_the_python_integrators_are_refused():
    with pytest.raises(glia.ConfigError, match="Y_S"):
        glia.integrate_cells(2, 1.0, 1e-3, Y_S=np.inf)
    with pytest.raises(glia.ConfigError, match="record_dt = 0"):
        glia.integrate_cells(2, 1.0, 1e-3, record=[0], record_dt=0.0)
    q = np.ones((4, 2))
    for bad in ("q", "k", "v"):
        args = {"q": q.copy(), "k": q.copy(), "v": q.copy()}
        args[bad][1, 1] = np.nan
        with pytest.raises(glia.ConfigError, match=bad):
            glia.mapping.simulate_head(**args)
    with pytest.raises(glia.ConfigError, match="tau_n"):
        glia.mapping.simulate_head(q, q, q, tau_n=np.inf)


# ---- a small fuzz of the CLI: random mutations of a config file through the real binary ---------------------------


def test_cli_fuzz_of_a_network_config(cli, tmp_path):
    rng = np.random.default_rng(5)
    base = network(output=str(tmp_path / "o.h5"))
    values = [0, -1, 1e300, -1e300, "", "x", None, True, [], {}, [1, 2], 2**63, 0.5]
    paths = []

    def collect(v, at):
        paths.append(at)
        if isinstance(v, dict):
            for k, x in v.items():
                collect(x, at + [k])
        elif isinstance(v, list):
            for k, x in enumerate(v):
                collect(x, at + [k])

    collect(base, [])
    start = time.monotonic()
    for trial in range(40):
        if time.monotonic() - start > 30:
            break
        c = json.loads(json.dumps(base))
        at = paths[1 + rng.integers(len(paths) - 1)]
        node = c
        for k in at[:-1]:
            node = node[k]
        node[at[-1]] = values[rng.integers(len(values))]
        p = run(cli, "simulate", write(tmp_path / "f.json", c), "-q", timeout=60)
        assert p.returncode in (0, 2), (c, p.stderr)
        if p.returncode == 2:
            one_line_error(p)
            assert "error: " in p.stderr and ("=" in p.stderr or ":" in p.stderr.split("error: ", 1)[1]), p.stderr
        assert not any(".tmp" in x.name for x in tmp_path.iterdir())
