"""scripts/plot_learning_curves.py on run directories written here: examples seen = step × batch × accumulate (from
the run's config), only val rows, a run without evaluations listed as such, the CSV and the PNG written."""

import csv
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_curves_from_eval_files(tmp_path):
    configs = []
    for name, batch, acc in (("rmaat", 8, 2), ("rlt", 4, 1), ("rmt", 8, 1)):
        out = tmp_path / "results" / f"run_{name}"
        cfg = {"model": {"name": name}, "training": {"steps": 100, "batch_size": batch, "accumulate": acc},
               "output": str(out)}
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(cfg))
        configs.append(path)
        if name != "rmt":  # rmt has not evaluated yet
            run = pathlib.Path(str(out) + "_seed0")
            run.mkdir(parents=True)
            (run / "eval.csv").write_text("step,split,loss,accuracy,examples\n50,val,1.5,0.30,1000\n"
                                          "50,test,1.4,0.31,2000\n100,val,1.2,0.40,1000\n")
    out_csv, out_png = tmp_path / "curves.csv", tmp_path / "curves.png"
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"test_accuracy": {"outer_operator": 0.36}}))
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "plot_learning_curves.py"), *map(str, configs),
                        "--baseline", str(baseline), "--csv", str(out_csv), "--png", str(out_png)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "rmt (no evaluation yet)" in p.stdout and "no evaluations yet" in p.stderr
    rows = [r for r in csv.DictReader(out_csv.open()) if not r["model"].startswith("#")]
    assert [(r["model"], int(r["step"]), int(r["examples_seen"]), float(r["val_accuracy"])) for r in rows] == [
        ("rmaat", 50, 800, 0.30), ("rmaat", 100, 1600, 0.40), ("rlt", 50, 200, 0.30), ("rlt", 100, 400, 0.40)]
    assert out_png.stat().st_size > 10000
