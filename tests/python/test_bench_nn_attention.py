"""Smoke test of experiments/benchmarks/bench_nn_attention.py: a --quick run into a temporary directory writes the
JSON and Markdown result files with the documented fields and prints its summary line last. No timing assertions
(benchmarks are measured by the benchmark, never by tests: BENCHMARKS.md)."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("torch")

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SCRIPT = ROOT / "experiments" / "benchmarks" / "bench_nn_attention.py"


def test_quick_run_writes_the_result_files(tmp_path):
    p = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)], capture_output=True,
                       text=True, timeout=600, env=dict(os.environ))
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].startswith("summary: ")
    result = json.loads((tmp_path / "bench_nn_attention.json").read_text())
    meta = result["meta"]
    for key in ("command", "machine", "threads", "build_type", "torch_version", "blas_check_gflops", "git_commit",
                "glia_git_commit", "pairs", "shape"):
        assert key in meta, key
    assert meta["quick"] is True and meta["threads"] == 2 and meta["pairs"] >= 2
    assert {"cpu", "cpus", "loadavg_start", "loadavg_end"} <= set(meta["machine"])
    assert meta["blas_check_gflops"] > 0 and meta["blas_check_gflops_1_thread"] > 0
    ops = {(r["op"], r["mode"]) for r in result["rows"]}
    for op in ("softmax", "linear", "astromorphic"):
        assert (op, "forward") in ops and (op, "forward+backward") in ops, op
    for r in result["rows"]:
        assert r["glia_s"] > 0 and r["torch_s"] > 0 and r["ratio_torch_over_glia"] > 0
        assert len(r["ratios"]) == meta["pairs"]
    for impl in ("glia", "torch"):
        for mode in ("forward", "forward+backward"):
            assert "n" in result["crossover"][f"{impl}_{mode}"]
    assert "met" in result["goal_astromorphic_forward_backward"]
    # glia and the timed PyTorch code compute the same ops
    for op, a in result["agreement"].items():
        assert a["glia_vs_torch_out"] < 1e-4 and a["glia_vs_torch_grad"] < 1e-3, op
        assert a["torch_vs_torch_ops_out"] < 1e-4, op
    md = (tmp_path / "bench_nn_attention.md").read_text()
    assert "| op | N |" in md and "bench_nn_attention.py" in md
