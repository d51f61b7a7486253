#!/usr/bin/env python3
"""Copies the outcome of finished training runs into experiments/results/accuracy/ for the README table.

For each training config given, reads its run directory (the config's "output"): result.json (final val/test
evaluation, provenance) and eval.csv (the periodic evaluations), and writes experiments/results/accuracy/<config
stem>.json with both, the config path and the command that reproduces the run. A run that has not finished (no
result.json) is an error naming it: nothing partial is written.

    /usr/bin/python3 scripts/collect_accuracy.py experiments/configs/nn/listops512_rmaat.json [...]
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "experiments" / "results" / "accuracy"


def collect(config_path: pathlib.Path) -> dict:
    config = json.loads(config_path.read_text())
    run = pathlib.Path(config["output"])
    run = run if run.is_absolute() else ROOT / run
    result_path = run / "result.json"
    if not result_path.exists():
        raise FileNotFoundError(f"{config_path}: run {run} has no result.json (not finished)")
    result = json.loads(result_path.read_text())
    curve = []
    eval_csv = run / "eval.csv"
    if eval_csv.exists():
        with eval_csv.open() as f:
            for row in csv.DictReader(f):
                curve.append({"step": int(row["step"]), "split": row["split"], "loss": float(row["loss"]),
                              "accuracy": float(row["accuracy"]), "examples": int(row["examples"])})
    rel = config_path.resolve().relative_to(ROOT)
    return {"config_path": str(rel), "command": f"build/glia train {rel} --threads 1", "result": result,
            "evaluations_during_training": curve}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    try:
        records = {c: collect(c) for c in args.configs}
    except (FileNotFoundError, KeyError, json.JSONDecodeError) as e:
        print(f"collect_accuracy: {e}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for config, record in records.items():
        path = OUT / f"{config.stem}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record, indent=2) + "\n")
        tmp.replace(path)
        test = [e for e in record["result"]["evaluations"] if e["split"] == "test"]
        print(f"{path.relative_to(ROOT)}: test accuracy {test[0]['accuracy']:.4f}" if test else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
