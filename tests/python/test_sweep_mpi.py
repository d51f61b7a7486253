"""`mpirun -np N glia sweep` (apps/glia/mpi_sweep.cpp, models/sweep/chunk_sharing.hpp): the chunks shared among
processes give the file one process writes, bit for bit (every dataset; the attributes but the output path and
the creation time); a job with a killed rank leaves a file that resumes to the same result; processes that run
different sweeps, and a resume against another sweep, are refused; glia.sweep from Python needs no MPI. Skips
when mpirun or glia's MPI build is missing (scripts/install-deps.sh installs OpenMPI)."""

import json
import sys
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

ROOT_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"}


@pytest.fixture(scope="module")
def mpirun(cli):
    path = shutil.which("mpirun")
    if not path:
        pytest.skip("mpirun is not installed (openmpi-bin)")
    if "mpi (glia sweep): built" not in subprocess.run([cli, "info"], capture_output=True, text=True).stdout:
        pytest.skip("glia was built without MPI (libopenmpi-dev)")
    return path


def sweep_config(tmp_path, rates=(0.5, 1.0, 2.0, 5.0, 10.0, 20.0), chunk=4, name="sweep.json", duration=6.0):
    cfg = {"model": "tripartite", "parameter_set": "single_astrocyte", "input": "poisson", "duration": duration,
           "dt": 0.001, "method": "rk4", "transient": 1.0, "parameters": {"seed": 3},
           "design": {"grid": {"O_beta": [1.0, 2.0, 3.0, 4.5], "rate": list(rates)}},
           "summaries": ["C.mean", "C.max", "release_probability", "spike_count"],
           "traces": {"variants": [1, 17], "variables": ["C"], "dt": 0.5}, "chunk": chunk}
    path = tmp_path / name
    path.write_text(json.dumps(cfg))
    return path


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **ROOT_ENV}, **kw)


def rank_process(output, rank):
    """The pid of the `glia sweep … -o output` process of MPI rank `rank` (from /proc), or None."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"sweep" in cmd and str(output).encode() in cmd and f"OMPI_COMM_WORLD_RANK={rank}".encode() in env:
            return int(pid)
    return None


def contents(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        config = json.loads(f.attrs["config"])
        config.pop("output")
        attrs = {k: v for k, v in f.attrs.items() if k not in ("config", "created")}
    return out, config, attrs


def assert_same_file(a, b):
    da, ca, aa = contents(a)
    db, cb, ab = contents(b)
    assert set(da) == set(db) and ca == cb
    for n in da:
        x, y = np.asarray(da[n]), np.asarray(db[n])
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), n
        else:
            assert np.array_equal(x, y), n
    assert {k: str(v) for k, v in aa.items()} == {k: str(v) for k, v in ab.items()}


@pytest.mark.parametrize("ranks", [2, 3])
def test_ranks_write_the_file_of_one_process(cli, mpirun, tmp_path, ranks):
    cfg = sweep_config(tmp_path)
    one, many = tmp_path / "one.h5", tmp_path / "many.h5"
    assert run([cli, "sweep", cfg, "-o", one, "--threads", "1", "-q"]).returncode == 0
    r = run([mpirun, "-np", ranks, cli, "sweep", cfg, "-o", many, "--threads", "1"])
    assert r.returncode == 0, r.stderr
    assert f"by {ranks} processes" in r.stdout and r.stdout.count("wrote") == 1  # rank 0 speaks for the job
    assert_same_file(one, many)


def test_network_sweep_batched_under_mpirun_equals_one_process_one_by_one(cli, mpirun, tmp_path):
    """A network-config sweep whose chunks run as batches of the network engine, shared by 2 ranks, writes the
    file of one process running every variant alone (--chunk 1), bit for bit."""
    net = {"simulation": {"duration": 0.3, "dt": 1e-4, "seed": 2},
           "groups": [{"name": "P", "model": "poisson", "n": 40, "rate": 20.0},
                      {"name": "E", "model": "lif_coba", "n": 30, "positions": {"grid": {"rows": 5, "spacing": 1e-5}}},
                      {"name": "A", "model": "gchi", "n": 4, "dt": 0.001,
                       "positions": {"grid": {"rows": 2, "spacing": 2e-5}}}],
           "projections": [{"name": "PE", "source": "P", "target": "E", "receptor": "g_e", "weight": 3e-9,
                            "connect": {"rule": "fixed_probability", "p": 0.3}, "model": "tsodyks_markram",
                            "astrocytes": {"group": "A", "gliotransmission": {"O_G": 1.5, "alpha": 0.0}}}]}
    cfg = tmp_path / "net.json"
    cfg.write_text(json.dumps({"model": "network", "network": net, "transient": 0.05,
                               "design": {"grid": {"groups.A.params.O_beta": [0.5, 2.0, 4.0],
                                                   "groups.P.rate": [10.0, 20.0, 40.0], "simulation.seed": [1, 2]}},
                               "summaries": ["rate.E", "events.A", "mean.A.C"], "chunk": 4}))
    one, many = tmp_path / "one.h5", tmp_path / "many.h5"
    assert run([cli, "sweep", cfg, "-o", one, "--threads", "1", "--chunk", "1", "-q"]).returncode == 0
    r = run([mpirun, "-np", 2, cli, "sweep", cfg, "-o", many, "--threads", "1"])
    assert r.returncode == 0, r.stderr
    da, _, _ = contents(one)
    db, _, _ = contents(many)
    assert set(da) == set(db)
    for n in da:  # the datasets bit for bit (the config attribute differs in its chunk alone)
        x, y = np.asarray(da[n]), np.asarray(db[n])
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), n
    with h5py.File(one, "r") as f:
        assert np.all(f["summaries"]["rate.E"][()] > 0) and len(set(f["summaries"]["mean.A.C"][()])) > 1


def test_killed_job_resumes_to_the_same_file(cli, mpirun, tmp_path):
    cfg = sweep_config(tmp_path, rates=[0.5 + 0.5 * i for i in range(40)], chunk=2, duration=60.0)
    one, many = tmp_path / "one.h5", tmp_path / "many.h5"
    started = time.monotonic()
    assert run([cli, "sweep", cfg, "-o", one, "--threads", "1", "-q"]).returncode == 0
    alone = time.monotonic() - started
    p = subprocess.Popen([mpirun, "-np", "2", cli, "sweep", str(cfg), "-o", str(many), "--threads", "1", "-q"],
                         env={**os.environ, **ROOT_ENV}, stderr=subprocess.PIPE, text=True)
    while not many.exists() and p.poll() is None:
        time.sleep(0.02)
    time.sleep(0.25 * alone)  # a quarter of one process's time: part of the chunks are written
    victim = rank_process(many, 1)
    assert victim, "rank 1 not found"
    os.kill(victim, signal.SIGKILL)  # one rank dies mid-sweep: mpirun ends the job
    _, err = p.communicate(timeout=60)
    assert p.returncode != 0, err
    with h5py.File(many, "r", locking=False) as f:
        done = int(np.sum(f["status/done"][()]))
    assert 0 < done < 160, done
    r = run([mpirun, "-np", "2", cli, "sweep", cfg, "-o", many, "--threads", "1"])
    assert r.returncode == 0, r.stderr
    assert_same_file(one, many)


def test_ranks_that_disagree_are_refused(cli, mpirun, tmp_path):
    a, b = sweep_config(tmp_path), sweep_config(tmp_path, rates=[0.5, 1.0, 2.0, 5.0, 10.0, 30.0], name="other.json")
    out = tmp_path / "x.h5"
    r = run([mpirun, "-np", "1", cli, "sweep", a, "-o", out, "--threads", "1", ":",
             "-np", "1", cli, "sweep", b, "-o", out, "--threads", "1"])
    assert r.returncode != 0
    assert "differs from rank 0's" in r.stderr
    r = run([mpirun, "-np", "1", cli, "sweep", a, "-o", out, "--threads", "1", "--chunk", "2", ":",
             "-np", "1", cli, "sweep", a, "-o", out, "--threads", "1", "--chunk", "3"])  # chunks cut differently
    assert r.returncode != 0 and "differs from rank 0's" in r.stderr, r.stderr


def test_resume_against_another_sweep_is_refused(cli, mpirun, tmp_path):
    out = tmp_path / "a.h5"
    assert run([cli, "sweep", sweep_config(tmp_path), "-o", out, "--threads", "1", "-q"]).returncode == 0
    other = sweep_config(tmp_path, rates=[0.5, 1.0, 2.0, 5.0, 10.0, 30.0], name="other.json")
    r = run([mpirun, "-np", "2", cli, "sweep", other, "-o", out, "--threads", "1"])
    assert r.returncode == 2 and "rank 0: output" in r.stderr, r.stderr


def test_python_sweep_ignores_launchers(tmp_path):
    """glia.sweep (the library, no MPI) runs the whole sweep in its own process, also inside a launcher's job step."""
    cfg = sweep_config(tmp_path)
    env = {**os.environ, "SLURM_STEP_NUM_TASKS": "2"}
    res = subprocess.run([sys.executable, "-c", f"import glia; r = glia.sweep({str(cfg)!r}); print(r.n_variants)"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0 and res.stdout.strip() == "24", res.stderr
