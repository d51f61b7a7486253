#!/usr/bin/env python3
"""Learning curves of full-length ListOps runs (issue #17): validation accuracy against training examples seen, one
line per model, in one figure, with the LRA numbers and this data set's outermost-operator baseline as reference
lines. Reads each run directory's eval.csv (written by `glia train` at every eval) and its config (checkpoint or
result.json) for batch size × accumulate; a run still in progress contributes the evaluations it has so far.

    /usr/bin/python3 scripts/plot_learning_curves.py experiments/configs/nn/listops2000_{transformer,rmt,rlt,rmaat}.json \
        [--baseline experiments/results/listops_feature_baselines_full.json] \
        [--csv experiments/results/listops2000_curves.csv] [--png docs/listops2000_curves.png]

The CSV (model, step, examples_seen, val_accuracy, val_loss, steps planned, command) is the committed result; the
PNG is drawn from it.
"""

import argparse
import csv
import json
import pathlib
import shlex
import subprocess
import sys

import h5py

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Test accuracy reported on LRA ListOps: the LRA paper's transformer (Tay et al.), RMT, the RMAAT paper's rmaat.
LRA = {"LRA transformer": 36.37, "RMT": 37.0, "RMAAT paper": 38.9}


def examples_per_step(run_dir, config):
    """batch_size × accumulate of the run: from its checkpoint's stored config if any, else the config file."""
    training = config["training"]
    ckpt = run_dir / "checkpoint.h5"
    if ckpt.exists():
        with h5py.File(ckpt, "r") as f:
            stored = f.attrs.get("config")
            if stored is not None:
                training = json.loads(stored if isinstance(stored, str) else stored.decode())["training"]
    return int(training.get("batch_size", 16)) * int(training.get("accumulate", 1))


def read_curve(config_path, seed):
    config = json.loads(pathlib.Path(config_path).read_text())
    run_dir = ROOT / (config["output"] + (f"_seed{seed}" if seed is not None else ""))
    rows = []
    eval_csv = run_dir / "eval.csv"
    if not eval_csv.exists():
        print(f"{config_path}: no evaluations yet ({eval_csv})", file=sys.stderr)
        return config, rows
    per_step = examples_per_step(run_dir, config)
    with eval_csv.open() as f:
        for r in csv.DictReader(f):
            if r["split"] == "val":
                step = int(r["step"])
                rows.append({"model": config["model"]["name"], "step": step, "examples_seen": step * per_step,
                             "val_accuracy": float(r["accuracy"]), "val_loss": float(r["loss"]),
                             "steps_planned": config["training"]["steps"],
                             "run": str(run_dir.relative_to(ROOT)) if run_dir.is_relative_to(ROOT) else str(run_dir)})
    return config, rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", type=pathlib.Path)
    ap.add_argument("--seed", type=int, default=0, help="runs of scripts/run_accuracy.sh: <output>_seed<N> (-1: <output>)")
    ap.add_argument("--baseline", type=pathlib.Path, default=None,
                    help="listops_feature_baselines.py JSON of the same data set (outermost operator line)")
    ap.add_argument("--csv", type=pathlib.Path, default=ROOT / "experiments" / "results" / "listops2000_curves.csv")
    ap.add_argument("--png", type=pathlib.Path, default=ROOT / "docs" / "listops2000_curves.png")
    args = ap.parse_args(argv)
    seed = None if args.seed < 0 else args.seed
    command = shlex.join(["/usr/bin/python3"] + [str(a) for a in sys.argv])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    curves = [read_curve(c, seed) for c in args.configs]
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    with args.csv.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "step", "examples_seen", "val_accuracy", "val_loss", "steps_planned", "run"])
        for _, rows in curves:
            for r in rows:
                w.writerow([r[k] for k in ("model", "step", "examples_seen", "val_accuracy", "val_loss",
                                           "steps_planned", "run")])
        w.writerow([f"# {command} (commit {commit})"])

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for config, rows in curves:
        if rows:
            ax.plot([r["examples_seen"] / 1000 for r in rows], [100 * r["val_accuracy"] for r in rows], marker="o",
                    ms=3, label=f"{config['model']['name']} ({rows[-1]['step']}/{config['training']['steps']} steps)")
    for name, acc in LRA.items():
        ax.axhline(acc, ls=":", lw=0.8, color="grey")
        ax.text(ax.get_xlim()[1], acc, f" {name} {acc}", va="center", fontsize=7, color="grey")
    if args.baseline and args.baseline.exists():
        b = json.loads(args.baseline.read_text())
        op = 100 * b["test_accuracy"]["outer_operator"]
        if op:
            ax.axhline(op, ls="--", lw=0.8, color="black")
            ax.text(0, op, f"outermost operator alone {op:.1f}", va="bottom", fontsize=7)
    ax.set_xlabel("training examples seen (thousands)")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title("ListOps at full length (500–2000 tokens), 2 CPU cores", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.text(0.01, 0.01, f"{command.split(' --')[0][:100]}… commit {commit}", fontsize=5, color="grey")
    fig.tight_layout()
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.png, dpi=120)
    print(f"wrote {args.csv} and {args.png}: " + ", ".join(
        f"{c['model']['name']} {r[-1]['val_accuracy']:.3f} at {r[-1]['examples_seen']} examples" if r
        else f"{c['model']['name']} (no evaluation yet)" for c, r in curves))


if __name__ == "__main__":
    main()
