#!/usr/bin/env python3
"""Copies the outcome of finished training runs into experiments/results/accuracy/ for the README table.

For each training config given, reads its run directory (the config's "output"): result.json (final val/test
evaluation, provenance) and eval.csv (the periodic evaluations), and writes experiments/results/accuracy/<config
stem>.json with both, the config path and the command that reproduces the run. A run that has not finished (no
result.json) is an error naming it: nothing partial is written.

    /usr/bin/python3 scripts/collect_accuracy.py experiments/configs/nn/listops512_rmaat.json [...]

With --seeds, the runs of `glia train CONFIG --seed N -o OUTPUT_seed<N>` (OUTPUT: the config's "output") are
collected instead, one file
<stem>.seed<N>.json each (scripts/readme_results.py reports them as mean ± std over the seeds).

    /usr/bin/python3 scripts/collect_accuracy.py experiments/configs/nn/listops512_rmaat.json --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "experiments" / "results" / "accuracy"


def seed_run_dir(config: dict, seed: int) -> str:
    return f"{config['output']}_seed{seed}"


def collect(config_path: pathlib.Path, seed: int | None = None) -> dict:
    config = json.loads(config_path.read_text())
    run = pathlib.Path(config["output"] if seed is None else seed_run_dir(config, seed))
    run = run if run.is_absolute() else ROOT / run
    result_path = run / "result.json"
    if not result_path.exists():
        raise FileNotFoundError(f"{config_path}: run {run} has no result.json (not finished)")
    result = json.loads(result_path.read_text())
    if seed is not None and (result["seed"] != seed or result["config"]["model"]["seed"] != seed):
        raise KeyError(f"{run}: trained with seed {result['seed']}, not {seed}")
    curve = []
    eval_csv = run / "eval.csv"
    if eval_csv.exists():
        with eval_csv.open() as f:
            for row in csv.DictReader(f):
                curve.append({"step": int(row["step"]), "split": row["split"], "loss": float(row["loss"]),
                              "accuracy": float(row["accuracy"]), "examples": int(row["examples"])})
    # The test split's majority-class share (the accuracy of always answering the most frequent label).
    majority = None
    data = pathlib.Path(result["config"]["data"]["path"])
    manifest = (data if data.is_absolute() else ROOT / data) / "manifest.json"
    if manifest.exists():
        split = json.loads(manifest.read_text())["splits"].get(result["config"]["data"].get("test", "test"), {})
        shares = split.get("statistics", {}).get("label_shares")
        majority = max(shares) if shares else None
    resolved = config_path.resolve()
    rel = resolved.relative_to(ROOT) if resolved.is_relative_to(ROOT) else resolved
    command = f"build/glia train {rel} --threads 1"
    if seed is not None:
        command += f" --seed {seed} -o {seed_run_dir(config, seed)}"
    return {"config_path": str(rel), "seed": seed, "command": command, "result": result,
            "test_majority_share": majority, "evaluations_during_training": curve}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", type=pathlib.Path)
    ap.add_argument("--seeds", type=int, nargs="+", help="collect the runs of these seeds (glia train --seed)")
    ap.add_argument("--out", type=pathlib.Path, default=OUT, help=f"output directory (default {OUT})")
    args = ap.parse_args()
    try:
        if args.seeds is None:
            records = {f"{c.stem}.json": collect(c) for c in args.configs}
        else:
            records = {f"{c.stem}.seed{s}.json": collect(c, s) for c in args.configs for s in args.seeds}
    except (FileNotFoundError, KeyError, json.JSONDecodeError) as e:
        print(f"collect_accuracy: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name, record in records.items():
        path = args.out / name
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(record, indent=2) + "\n")
        tmp.replace(path)
        test = [e for e in record["result"]["evaluations"] if e["split"] == "test"]
        print(f"{path}: test accuracy {test[0]['accuracy']:.4f}" if test else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
