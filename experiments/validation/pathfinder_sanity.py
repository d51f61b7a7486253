#!/usr/bin/env python3
"""Sanity check of the Pathfinder-32 generator (DATA.md): a small CNN trained on generated images must learn
well above chance. A generator whose label is not visible in the image (markers on the wrong ends, labels
swapped, snakes broken) leaves the network stuck at 50%.

The images are generated with `glia data generate pathfinder32` (skipped if the directory already holds a
complete data set with the same parameters: generation resumes) and read from the HDF5 shards with h5py;
the network is trained with PyTorch on the CPU.

The hard level (14 paddles per target snake, the default) is slow to leave chance: a plain deep CNN stays at
exactly 50% (its loss never moves), the dilated CNN below reaches ~54% after 10 epochs of 20,000 images with
its loss still falling. `--contour-length 6` (LRA's "easy" level, same generator code) learns within a few
epochs and shows that the labels are visible in the images.

Usage: /usr/bin/python3 experiments/validation/pathfinder_sanity.py [--train N] [--test N] [--epochs E]
       [--contour-length 14] [--data DIR] [--cli PATH] [--out JSON]
Writes experiments/results/pathfinder_sanity.json (default; the easy run: --contour-length 6 --epochs 6
--data data/generated/pathfinder_sanity_easy --out experiments/results/pathfinder_sanity_easy.json).
Needs python3-torch and python3-h5py; ~4 min per epoch on 2 shared CPU cores.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]


def generate(cli, out, n_train, n_test, seed, contour_length):
    cmd = [cli, "data", "generate", "pathfinder32", "--out", str(out), "--train", str(n_train), "--val", "0",
           "--test", str(n_test), "--seed", str(seed), "--contour-length", str(contour_length)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"glia data generate failed ({p.returncode}): {p.stderr.strip()}")
    return time.perf_counter() - t0, p.stdout


def load(out, split):
    """All examples of a split as (images float32 (n, 1, 32, 32) in [0, 1], labels int64)."""
    manifest = json.loads((out / "manifest.json").read_text())
    xs, ys = [], []
    for shard in manifest["splits"][split]["shards"]:
        with h5py.File(out / shard["file"], "r") as f:
            xs.append(f["tokens"][()])
            ys.append(f["labels"][()])
    x = np.concatenate(xs).astype(np.float32).reshape(-1, 1, 32, 32) / 255.0
    return x, np.concatenate(ys).astype(np.int64)


def make_net(torch, channels=24):
    """Full-resolution CNN whose dilated convolutions (1, 1, 2, 4, 8, 16, 1) see the whole 32 x 32 image,
    with batch norm (a plain deep stack starts dead on these sparse images), then global max and mean pooling and a
    small MLP. Pooling early instead blurs the 2-px dashes into their neighbours and the network stays at 50%."""
    nn = torch.nn

    def block(c_in, c_out, dilation=1):
        return [nn.Conv2d(c_in, c_out, 3, padding=dilation, dilation=dilation, bias=False), nn.BatchNorm2d(c_out),
                nn.ReLU()]

    class Net(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.features = nn.Sequential(*block(1, c), *block(c, c), *block(c, c, 2), *block(c, c, 4),
                                          *block(c, c, 8), *block(c, c, 16), *block(c, c))
            self.head = nn.Sequential(nn.Linear(2 * c, 64), nn.ReLU(), nn.Linear(64, 2))

        def forward(self, x):
            h = self.features(x)
            return self.head(torch.cat([h.amax(dim=(2, 3)), h.mean(dim=(2, 3))], dim=1))

    return Net(channels)


def accuracy(torch, net, x, y, batch=1000):
    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            pred = net(torch.from_numpy(x[i:i + batch])).argmax(dim=1).numpy()
            correct += int((pred == y[i:i + batch]).sum())
    net.train()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=int, default=20000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--contour-length", type=int, default=14, help="paddles per target snake (14: hard)")
    ap.add_argument("--data", type=pathlib.Path, default=ROOT / "data" / "generated" / "pathfinder_sanity")
    ap.add_argument("--cli", default=os.environ.get("GLIA_CLI", str(ROOT / "build" / "glia")))
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "experiments" / "results" / "pathfinder_sanity.json")
    args = ap.parse_args()

    import torch

    torch.manual_seed(args.seed)
    gen_seconds, gen_log = generate(args.cli, args.data, args.train, args.test, args.seed, args.contour_length)
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "test")

    net = make_net(torch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(args.seed)
    history = []
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        order = rng.permutation(len(x_train))
        total = 0.0
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            xb = torch.from_numpy(x_train[idx])
            # The label does not change under the 8 symmetries of the square: a free 8x augmentation.
            xb = torch.rot90(xb, int(rng.integers(4)), (2, 3))
            if rng.integers(2):
                xb = torch.flip(xb, (3,))
            opt.zero_grad()
            loss = loss_fn(net(xb), torch.from_numpy(y_train[idx]))
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        test_acc = accuracy(torch, net, x_test, y_test)
        history.append({"epoch": epoch + 1, "train_loss": total / len(order), "test_accuracy": test_acc})
        print(f"epoch {epoch + 1}: loss {total / len(order):.4f}, test accuracy {test_acc:.4f}", flush=True)
    train_seconds = time.perf_counter() - t0

    result = {
        "task": "pathfinder32 (glia data generate, generator pathfinder32-1)",
        "model": "CNN: 7 conv 3x3, 24 channels, dilations 1-1-2-4-8-16-1, batch norm, global max+mean pooling, "
                 "MLP 48-64-2; Adam 1e-3, batch 64, random rotations/flips",
        "train_examples": int(len(x_train)),
        "test_examples": int(len(x_test)),
        "train_label_share_1": float(y_train.mean()),
        "epochs": args.epochs,
        "train_accuracy": accuracy(torch, net, x_train, y_train),
        "test_accuracy": history[-1]["test_accuracy"],
        "chance": 0.5,
        "history": history,
        "generation_seconds": gen_seconds,
        "training_seconds": train_seconds,
        "torch_threads": torch.get_num_threads(),
        "generator_output": gen_log.strip().splitlines(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"train accuracy {result['train_accuracy']:.4f}, test accuracy {result['test_accuracy']:.4f} "
          f"(chance 0.5); wrote {args.out}")


if __name__ == "__main__":
    main()
