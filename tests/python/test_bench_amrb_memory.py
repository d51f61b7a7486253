"""Smoke test of experiments/benchmarks/bench_amrb_memory.py --quick: it writes its JSON, Markdown and plot with the
documented fields. The only value checked is a memory fact, not a timing: at the largest quick T (8 segments) an
AMRB step's peak memory is below BPTT's."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SCRIPT = ROOT / "experiments" / "benchmarks" / "bench_amrb_memory.py"


def test_bench_amrb_memory_quick_writes_results(cli, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    p = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--glia", cli, "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip().splitlines()[-1].startswith("summary"), p.stdout
    result = json.loads((tmp_path / "bench_amrb_memory.json").read_text())
    meta = result["meta"]
    for key in ("command", "machine", "threads", "build_type", "glia_git_commit", "shape", "segments"):
        assert key in meta, key
    assert meta["quick"] is True
    rows = result["rows"]
    assert [r["T"] for r in rows] == meta["segments"] == [1, 2, 4, 8]
    for r in rows:
        for strategy in ("bptt", "amrb"):
            for key in ("peak_rss_mib", "rss_before_mib", "activation_mib", "seconds_per_step"):
                assert key in r[strategy], (strategy, key)
        assert "ratio_peak_bptt_over_amrb" in r and "ratio_activation_bptt_over_amrb" in r
    assert "torch" in rows[0] and "torch" not in rows[-1]  # the reference up to T = 2 in the quick run
    for key in ("bptt", "amrb"):
        assert "slope_mib_per_segment" in result["growth"][key]
    assert rows[-1]["amrb"]["peak_rss_mib"] < rows[-1]["bptt"]["peak_rss_mib"]
    assert (tmp_path / "bench_amrb_memory.png").stat().st_size > 0
    assert "| 8 |" in (tmp_path / "bench_amrb_memory.md").read_text()
