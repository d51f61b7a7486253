"""scripts/collect_accuracy.py: a finished run is copied with its command, evaluations and the test split's
majority share; a run without result.json is an error (exit 2) naming it, and nothing is written."""

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SCRIPT = ROOT / "scripts" / "collect_accuracy.py"


def make_run(tmp_path, finished):
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text(json.dumps(
        {"splits": {"test": {"statistics": {"label_shares": [0.25, 0.6, 0.15]}}}}))
    run = tmp_path / "run"
    run.mkdir()
    config = {"model": {"name": "rmaat"}, "data": {"path": str(data)}, "output": str(run)}
    (tmp_path / "cfg.json").write_text(json.dumps(config))
    (run / "eval.csv").write_text("step,split,loss,accuracy,examples\n10,val,1.5,0.25,8\n")
    if finished:
        result = {"config": config, "task": "listops", "steps": 10, "seed": 0,
                  "evaluations": [{"split": "test", "accuracy": 0.5, "examples": 8, "loss": 1.0}]}
        (run / "result.json").write_text(json.dumps(result))
    return tmp_path / "cfg.json"


def test_finished_run_is_collected(tmp_path):
    cfg = make_run(tmp_path, True)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(SCRIPT), str(cfg), "--out", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    record = json.loads((out / "cfg.json").read_text())
    assert record["test_majority_share"] == 0.6
    assert record["command"].startswith("build/glia train ") and record["command"].endswith("--threads 1")
    assert record["evaluations_during_training"] == [
        {"step": 10, "split": "val", "loss": 1.5, "accuracy": 0.25, "examples": 8}]
    assert record["result"]["evaluations"][0]["accuracy"] == 0.5


def test_unfinished_run_is_an_error_naming_it(tmp_path):
    cfg = make_run(tmp_path, False)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(SCRIPT), str(cfg), "--out", str(out)], capture_output=True, text=True)
    assert p.returncode == 2 and "not finished" in p.stderr and "cfg.json" in p.stderr
    assert not out.exists()


def test_seeded_runs_are_collected_one_file_each(tmp_path):
    cfg = make_run(tmp_path, True)
    config = json.loads(cfg.read_text())
    for seed in (1, 2):
        run = pathlib.Path(config["output"] + f"_seed{seed}")
        run.mkdir()
        result = {"config": {**config, "model": {"name": "rmaat", "seed": seed}}, "task": "listops", "steps": 10,
                  "seed": seed, "train_seconds": 60.0 * seed,
                  "evaluations": [{"split": "test", "accuracy": 0.3 + 0.1 * seed, "examples": 8, "loss": 1.0}]}
        (run / "result.json").write_text(json.dumps(result))
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, str(SCRIPT), str(cfg), "--seeds", "1", "2", "--out", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for seed in (1, 2):
        record = json.loads((out / f"cfg.seed{seed}.json").read_text())
        assert record["seed"] == seed
        assert record["command"].endswith(f"--threads 1 --seed {seed} -o {config['output']}_seed{seed}")
    # a run trained with another seed than its directory says is refused
    p = subprocess.run([sys.executable, str(SCRIPT), str(cfg), "--seeds", "3", "--out", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "seed3" in p.stderr
