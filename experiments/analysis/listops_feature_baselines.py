#!/usr/bin/env python3
"""What simple features of a ListOps data set predict: the accuracy ceilings behind the 2-core accuracy runs.

Reads a data set written by `glia data generate listops` (docs/data.md) and reports test accuracy of
- the majority class of the training split;
- the outermost operator alone (its first token): the Bayes rule estimated from the training split's counts;
- a bag of tokens (token frequencies and log counts; a one-hidden-layer MLP, PyTorch CPU);
- the bag of tokens plus the first token;
- the bag of the first segment's tokens only (first --segment-length tokens).
A model that learns only "which operator is outermost" sits at the second figure; one that reads only token
statistics at the third. Writes JSON with the data set's manifest seed and the command.

    /usr/bin/python3 experiments/analysis/listops_feature_baselines.py data/generated/listops-512 \
        [-o experiments/results/listops_feature_baselines.json]
"""

import argparse
import collections
import glob
import json
import pathlib
import shlex
import sys

import h5py
import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
VOCAB = 16  # pad, 10 digits, 4 operators, close (docs/data.md)


def load(directory, split):
    files = sorted(glob.glob(str(pathlib.Path(directory) / f"{split}-*.h5")))
    if not files:
        raise FileNotFoundError(f"{directory}: no {split} shards")
    tokens, labels = [], []
    for f in files:
        with h5py.File(f, "r") as h:
            tokens.append(h["tokens"][:])
            labels.append(h["labels"][:])
    return np.concatenate(tokens).astype(np.int64), np.concatenate(labels).astype(np.int64)


def bag(tokens, first=False):
    counts = np.stack([(tokens == k).sum(1) for k in range(VOCAB)], 1).astype(np.float32)
    real = np.maximum(counts[:, 1:].sum(1, keepdims=True), 1)
    parts = [counts / real, np.log1p(counts)]
    if first:
        parts.append(np.eye(VOCAB, dtype=np.float32)[tokens[:, 0]])
    return np.concatenate(parts, 1)


def mlp_accuracy(x_train, y_train, x_test, y_test, seed):
    torch.manual_seed(seed)
    x_train, x_test = torch.tensor(x_train), torch.tensor(x_test)
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    net = torch.nn.Sequential(torch.nn.Linear(x_train.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    y = torch.tensor(y_train)
    for _ in range(300):  # full-batch; converges well before (a few hundred parameters per class)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x_train), y).backward()
        opt.step()
    with torch.no_grad():
        return float((net(x_test).argmax(1).numpy() == y_test).mean())


def outer_operator_accuracy(t_train, y_train, t_test, y_test):
    table = collections.defaultdict(collections.Counter)
    for op, y in zip(t_train[:, 0], y_train):
        table[op][y] += 1
    majority = collections.Counter(y_train.tolist()).most_common(1)[0][0]
    pred = [table[op].most_common(1)[0][0] if op in table else majority for op in t_test[:, 0]]
    return float((np.array(pred) == y_test).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=pathlib.Path, help="ListOps data set directory")
    ap.add_argument("--segment-length", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0, help="MLP initialisation")
    ap.add_argument("-o", "--output", type=pathlib.Path,
                    default=ROOT / "experiments" / "results" / "listops_feature_baselines.json")
    args = ap.parse_args()
    manifest = json.loads((args.data / "manifest.json").read_text())
    if manifest.get("task") != "listops":
        print(f"listops_feature_baselines.py: {args.data}: task {manifest.get('task')!r}, not listops",
              file=sys.stderr)
        return 2
    t_train, y_train = load(args.data, "train")
    t_test, y_test = load(args.data, "test")
    S = args.segment_length
    majority = collections.Counter(y_train.tolist()).most_common(1)[0][0]
    lengths = (t_train != 0).sum(1)
    result = {
        "data": str(args.data), "data_seed": manifest.get("seed"), "train": len(y_train), "test": len(y_test),
        "test_accuracy": {
            "majority_class": float((y_test == majority).mean()),
            "outer_operator": outer_operator_accuracy(t_train, y_train, t_test, y_test),
            "bag_of_tokens": mlp_accuracy(bag(t_train), y_train, bag(t_test), y_test, args.seed),
            "bag_of_tokens_and_first_token": mlp_accuracy(bag(t_train, True), y_train, bag(t_test, True), y_test,
                                                          args.seed),
            f"bag_of_first_{S}_tokens": mlp_accuracy(bag(t_train[:, :S]), y_train, bag(t_test[:, :S]), y_test,
                                                     args.seed),
        },
        "train_share_last_segment_empty": {f"T={T}": float((lengths <= (T - 1) * S).mean())
                                           for T in range(2, t_train.shape[1] // S + 1)},
        "command": "/usr/bin/python3 experiments/analysis/listops_feature_baselines.py "
                   + " ".join(shlex.quote(a) for a in sys.argv[1:]),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    for k, v in result["test_accuracy"].items():
        print(f"{k:32s} {100 * v:5.1f}%")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
