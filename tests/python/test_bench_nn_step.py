"""Smoke test of experiments/benchmarks/bench_nn_step.py --quick: it runs glia and the PyTorch reference side by
side and writes its JSON and Markdown with the documented fields. No timing assertions (machines are shared)."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SCRIPT = ROOT / "experiments" / "benchmarks" / "bench_nn_step.py"


def test_bench_nn_step_quick_writes_results(cli, tmp_path):
    pytest.importorskip("torch")
    p = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1", "--configs", "rmaat_amrb,rmt",
                        "--glia", cli, "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].startswith("summary"), p.stdout
    result = json.loads((tmp_path / "bench_nn_step.json").read_text())
    meta = result["meta"]
    for key in ("command", "machine", "threads", "build_type", "torch_version", "blas_gflops", "git_commit", "glia_git_commit", "shape", "pairs"):
        assert key in meta, key
    for key in ("cpu", "cpus", "loadavg_start", "loadavg_end"):
        assert key in meta["machine"], key
    assert meta["quick"] is True and meta["threads"] == [1]
    assert [r["config"] for r in result["rows"]] == ["rmaat_amrb", "rmt"]
    for r in result["rows"]:
        for key in ("glia_s_per_step", "torch_s_per_step", "ratio_torch_over_glia", "glia_peak_rss_mib",
                    "torch_peak_rss_mib", "glia_rss_before_mib", "torch_rss_before_mib", "pairs", "samples"):
            assert key in r, key
        assert r["threads"] == 1
        assert r["glia_s_per_step"] > 0 and r["torch_s_per_step"] > 0 and r["pairs"] == 1
        assert r["parameters_glia"] == r["parameters_torch"]  # the same model on both sides
    assert result["rows"][0]["strategy"] == "amrb" and [(g["config"], g["threads"]) for g in result["goal"]] == [("rmaat_amrb", 1)]
    assert "| rmaat_amrb |" in (tmp_path / "bench_nn_step.md").read_text()
