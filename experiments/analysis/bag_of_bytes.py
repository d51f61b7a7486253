#!/usr/bin/env python3
"""Bag-of-bytes logistic regression on the text and retrieval surrogates (docs/data.md): the simple baseline the
accuracy rows of the models stand beside (issue #17).

Features (bytes are tokens 1 … 256 of the data set; padding 0 is not counted):
  text       h = byte frequencies of the body (counts / length, 256 values) and log(1 + length);
  retrieval  h_a, h_b for the two chunks, then [h_a, h_b, h_a ∘ h_b, |h_a − h_b|] — the two-tower features of
             NETWORKS.md §3 over bags of bytes instead of encoder outputs.
Standardised with the training split's mean and std; L2-regularised binary logistic regression fitted by SciPy's
L-BFGS on the training split, the L2 weight chosen from a grid by validation accuracy; test accuracy reported with
the majority class of the training split. Deterministic (no random draw). Writes JSON with the manifest's seed,
generator version and the command.

    /usr/bin/python3 experiments/analysis/bag_of_bytes.py data/generated/text-4096 \
        [-o experiments/results/accuracy_baselines/text_bag_of_bytes.json]
"""

import argparse
import glob
import json
import pathlib
import shlex
import subprocess
import sys
import time

import h5py
import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

ROOT = pathlib.Path(__file__).resolve().parents[2]
L2_GRID = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def load(directory, split):
    files = sorted(glob.glob(str(pathlib.Path(directory) / f"{split}-*.h5")))
    if not files:
        raise SystemExit(f"{directory}: no {split} shards (glia data generate …)")
    tokens, lengths, labels = [], [], []
    for f in files:
        with h5py.File(f, "r") as h:
            tokens.append(h["tokens"][:])
            lengths.append(h["lengths"][:])
            labels.append(h["labels"][:])
    return np.concatenate(tokens), np.concatenate(lengths), np.concatenate(labels).astype(np.int64)


def byte_frequencies(tokens):
    """(n, width) tokens → (n, 256) frequencies of bytes 0 … 255 (token − 1), padding ignored."""
    n, width = tokens.shape
    counts = np.zeros((n, 257))
    for start in range(0, n, 1024):  # one bincount per block of rows: ids offset by 257 per row
        block = tokens[start:start + 1024].astype(np.int64)
        offsets = (np.arange(len(block)) * 257)[:, None]
        counts[start:start + len(block)] = np.bincount((block + offsets).ravel(),
                                                       minlength=len(block) * 257).reshape(-1, 257)
    counts = counts[:, 1:]
    return counts / np.maximum(counts.sum(1, keepdims=True), 1.0)


def features(task, tokens, lengths, manifest):
    if task == "text":
        return np.hstack([byte_frequencies(tokens), np.log1p(lengths)[:, None]])
    side = manifest["parameters"]["chunk_bytes"]
    a, b = byte_frequencies(tokens[:, :side]), byte_frequencies(tokens[:, side:])
    return np.hstack([a, b, a * b, np.abs(a - b)])


def fit(x, y, l2):
    """Weights (d + 1) of L2-regularised logistic regression (the bias not regularised)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])

    def loss(w):
        z = xb @ w
        # log(1 + e^z) − y z, stable
        value = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * np.dot(w[:-1], w[:-1])
        p = expit(z)
        grad = xb.T @ (p - y) / n
        grad[:-1] += l2 * w[:-1]
        return value, grad

    r = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    return r.x


def accuracy(w, x, y):
    return float(np.mean(((np.hstack([x, np.ones((len(x), 1))]) @ w) > 0).astype(np.int64) == y))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=pathlib.Path, help="a text or retrieval data set directory")
    ap.add_argument("-o", "--output", type=pathlib.Path, default=None,
                    help="JSON (default experiments/results/accuracy_baselines/<task>_bag_of_bytes.json)")
    args = ap.parse_args(argv)
    manifest = json.loads((args.data / "manifest.json").read_text())
    task = manifest["task"]
    if task not in ("text", "retrieval"):
        raise SystemExit(f"{args.data}: task {task!r}, expected text or retrieval")
    started = time.time()
    split = {s: load(args.data, s) for s in ("train", "val", "test")}
    x = {s: features(task, t, l, manifest) for s, (t, l, _) in split.items()}
    y = {s: v[2] for s, v in split.items()}
    mean, std = x["train"].mean(0), x["train"].std(0) + 1e-12
    x = {s: (v - mean) / std for s, v in x.items()}
    grid = []
    for l2 in L2_GRID:
        w = fit(x["train"], y["train"], l2)
        grid.append({"l2": l2, "train": accuracy(w, x["train"], y["train"]), "val": accuracy(w, x["val"], y["val"]),
                     "test": accuracy(w, x["test"], y["test"])})
        print(f"l2 = {l2:g}: train {grid[-1]['train']:.4f}, val {grid[-1]['val']:.4f}", flush=True)
    best = max(grid, key=lambda g: (g["val"], -g["l2"]))
    majority = int(np.bincount(y["train"]).argmax())
    result = {
        "task": task, "data": str(args.data), "baseline": "bag-of-bytes logistic regression",
        "features": "byte frequencies + log length" if task == "text" else "[h_a, h_b, h_a*h_b, abs(h_a-h_b)] of byte frequencies",
        "l2": best["l2"], "val_accuracy": best["val"], "test_accuracy": best["test"],
        "train_accuracy": best["train"], "grid": grid,
        "majority_class": majority, "majority_test_accuracy": float(np.mean(y["test"] == majority)),
        "examples": {s: int(len(v)) for s, v in y.items()},
        "provenance": {"command": shlex.join(["/usr/bin/python3", "experiments/analysis/bag_of_bytes.py"]
                                             + (list(argv) if argv is not None else sys.argv[1:])),
                       "data_seed": manifest["seed"], "generator_version": manifest["generator_version"],
                       "source_checksum": manifest["parameters"].get("source_checksum"),
                       "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                                text=True).stdout.strip(),
                       "seconds": time.time() - started}}
    out = args.output or ROOT / "experiments" / "results" / "accuracy_baselines" / f"{task}_bag_of_bytes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{task}: bag-of-bytes logistic regression test accuracy {best['test']:.4f} (val {best['val']:.4f}, "
          f"l2 {best['l2']:g}); majority class {result['majority_test_accuracy']:.4f} -> {out}")


if __name__ == "__main__":
    main()
