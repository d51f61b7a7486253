#!/usr/bin/env python3
"""One full training step of each model, glia against the PyTorch reference (BENCHMARKS.md, "Networks": one
training step of each model at LRA shapes; the figure is the steps/s ratio and the peak RSS). The goal: a full
rmaat training step must be >= 1.5x the reference's steps/s.

Shapes (LRA-ListOps-like, affordable on 2 cores): vocab 16, 10 classes, max_length 2048, d_model 64, 4 heads,
2 layers, ffn 128, batch 8; segment models (rmt, rlt, rmaat) segment_length 128 and 8 memory tokens (T = 16
segments). Configs: rmaat with AMRB (its default), rmaat with BPTT, rmt (BPTT), rlt (BPTT), transformer, and, as a
like-for-like check, rmaat with AMRB and dropout 0. glia runs dropout 0.1 (the config default) except in that last
row; the reference has no dropout at all (it always runs the evaluation behaviour), so glia does the extra dropout
work. The reference has no AMRB: both rmaat rows are compared with the same autograd (BPTT) reference step.

A step is, on both sides: zero grads, forward, mean cross-entropy, backward, global-norm clipping to 1.0, AdamW
(lr 1e-4, betas 0.9/0.999, eps 1e-8, weight decay 0.01) on a random full-length batch (every token real).
  glia:  `glia bench nn CFG.json --batch-size B --steps K --warmup W --threads N [--strategy S]` in a fresh
         process (std::chrono around each step inside C++; peak RSS = getrusage ru_maxrss; RSS before = VmRSS after
         building model, optimizer and batch).
  torch: this script with --torch-worker in a fresh process (OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = N and
         torch.set_num_threads(N) before any work): experiments/reference/torch_models.build(config, None,
         torch.float32) (torch's own initialisation of the documented distributions: weights do not change the
         speed), time.perf_counter around optimizer.zero_grad + model.loss + backward + clip_grad_norm_ +
         torch.optim.AdamW.step; peak RSS = ru_maxrss, RSS before = VmRSS after building model, optimizer and batch
         (the torch import alone is a few hundred MiB, so compare peak - before as well as the peaks).
Both take W untimed warm-up steps (3; transformer 1, see DEFAULT_WARMUP), then K timed steps (1); a process's figure
is the median of its timed steps.
The two alternate glia, torch, glia, torch ... (--pairs, 5 by default; a config whose first pair takes longer than
--slow-pair-seconds gets only --slow-pairs pairs, recorded in the JSON); the ratio torch/glia (> 1: glia faster) is
the median of the per-pair ratios. Each thread count of --threads is a separate set of rows (2,1 by default: 2, the
machine's cores, and 1 because on a shared, oversubscribed 2-core machine both sides' OpenMP barriers stall on
descheduled threads). The glia binary is copied to a temporary directory first, so a rebuild of the build tree during
the run cannot mix binaries.

Usage (PyTorch must be Debian's python3-torch with OpenBLAS: the script records the sgemm GFLOP/s it reaches):
  /usr/bin/python3 experiments/benchmarks/bench_nn_step.py [--quick] [--threads 2,1] [--glia build/glia] [--out DIR]
      [--configs a,b] [--name STEM]
Writes DIR/STEM.{json,md} (DIR = experiments/results, STEM = bench_nn_step by default); prints the summary line last.
The srformer and fam rows are kept apart: --configs srformer,fam,fam_amrb --threads 1 --pairs 3
--name bench_nn_step_srformer_fam.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from machine_info import cpu_model, git, loadavg  # shared provenance helpers (this directory)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "experiments" / "results"

FULL_SHAPE = {"vocab_size": 16, "num_classes": 10, "max_length": 2048, "d_model": 64, "heads": 4, "layers": 2,
              "ffn": 128, "segment_length": 128, "memory_tokens": 8, "batch_size": 8}
QUICK_SHAPE = {"vocab_size": 16, "num_classes": 10, "max_length": 64, "d_model": 16, "heads": 2, "layers": 1,
               "ffn": 32, "segment_length": 16, "memory_tokens": 4, "batch_size": 2}
# (key, model, strategy, dropout)
CONFIGS = [("rmaat_amrb", "rmaat", "amrb", 0.1), ("rmaat_bptt", "rmaat", "bptt", 0.1), ("rmt", "rmt", "bptt", 0.1),
           ("rlt", "rlt", "bptt", 0.1), ("transformer", "transformer", "", 0.1),
           ("rmaat_amrb_dropout0", "rmaat", "amrb", 0.0), ("srformer", "srformer", "", 0.1),
           ("fam", "fam", "bptt", 0.1), ("fam_amrb", "fam", "amrb", 0.1)]
SEGMENT_MODELS = ("rmt", "rlt", "rmaat")
TARGET = 1.5
DEFAULT_THREADS = "2,1"
# The reference's first two steps in a process take ~4x its steady-state step (measured: 2.1, 2.3, 0.52, 0.53, 0.53,
# 0.45 s for rmaat at 1 thread), so 3 warm-up steps on both sides; the transformer's steps do not speed up (107,
# 115, 124 s) and take minutes, so 1.
DEFAULT_WARMUP = 3
SLOW_WARMUP = {"transformer": 1}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny smoke configuration (1 pair); not a result")
    ap.add_argument("--threads", type=str, default=DEFAULT_THREADS,
                    help="comma-separated thread counts, each for both glia (OpenMP) and torch (default 2,1)")
    ap.add_argument("--pairs", type=int, default=None, help="glia/torch pairs per config (default 5; --quick 1)")
    ap.add_argument("--slow-pairs", type=int, default=3, help="pairs for a config whose first pair is slow")
    ap.add_argument("--slow-pair-seconds", type=float, default=150.0,
                    help="a first pair (both processes, wall) longer than this makes the config slow")
    ap.add_argument("--steps", type=int, default=None, help="timed steps per process (default 1)")
    ap.add_argument("--warmup", type=int, default=None,
                    help=f"untimed steps per process first (default {DEFAULT_WARMUP}; transformer "
                         f"{SLOW_WARMUP['transformer']}; --quick 1)")
    ap.add_argument("--max-length", type=int, default=None, help="override max_length (default 2048)")
    ap.add_argument("--configs", type=str, default=None,
                    help="comma-separated subset of " + ",".join(c[0] for c in CONFIGS))
    ap.add_argument("--glia", type=pathlib.Path,
                    default=pathlib.Path(os.environ.get("GLIA_CLI", ROOT / "build" / "glia")),
                    help="glia binary (default $GLIA_CLI or build/glia)")
    ap.add_argument("--pause", type=float, default=0.5, help="seconds to sleep before each process")
    ap.add_argument("--out", type=pathlib.Path, default=RESULTS)
    ap.add_argument("--name", type=str, default="bench_nn_step",
                    help="result file stem (default bench_nn_step; another keeps a subset apart)")
    ap.add_argument("--torch-worker", type=pathlib.Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--blas-worker", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def set_thread_env(env, threads):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


# ---------------------------------------------------------------------------------------------- workers (torch)


def vm_rss_mib():
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def peak_rss_mib():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process."""
    names = set()
    try:
        for line in pathlib.Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1]
            if "blas" in path or "lapack" in path:
                names.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(names)


def torch_worker(args):
    """One process: the reference model's training step, timed; prints one JSON line."""
    import torch

    torch.set_num_threads(args.threads)
    sys.path.insert(0, str(ROOT / "experiments" / "reference"))
    import torch_models as tm
    import torch_srformer_fam as sf

    config = json.loads(args.torch_worker.read_text())
    ref = sf if config["name"] in sf.MODELS else tm
    model = ref.build(config, None, torch.float32)
    B, L = args.batch_size, config["max_length"]
    g = torch.Generator().manual_seed(args.seed)
    tokens = torch.randint(0, config["vocab_size"], (B, L), generator=g)
    mask = torch.ones(B, L, dtype=torch.bool)
    labels = torch.arange(B) % config["num_classes"]
    params = list(model.parameters())
    named = list(model.named_parameters())  # AdamW groups: decayed and not, as glia (NETWORKS.md §3)
    groups = [{"params": [p for n, p in named if ref.decays_weight(n)], "weight_decay": 0.01},
              {"params": [p for n, p in named if not ref.decays_weight(n)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    rss_before = vm_rss_mib()
    seconds = []
    for s in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=False)
        loss = model.loss(tokens, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        dt = time.perf_counter() - t0
        if s >= args.warmup:
            seconds.append(dt)
    print(json.dumps({"model": config["name"], "batch_size": B, "max_length": L,
                      "parameters": sum(p.numel() for p in params), "threads": torch.get_num_threads(),
                      "seconds_per_step": seconds, "rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib(),
                      "loss": float(loss), "torch_version": torch.__version__, "blas_libraries": loaded_blas()}))


def blas_worker(n):
    """sgemm n^3 GFLOP/s of torch (best of 3 rounds of 10 calls), with the libraries it mapped."""
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(10):
            a @ b
        best = min(best, (time.perf_counter() - t0) / 10)
    print(json.dumps({"n": n, "gflops": 2 * n**3 / best / 1e9, "torch_version": torch.__version__,
                      "threads": torch.get_num_threads(), "blas_libraries": loaded_blas()}))


# ---------------------------------------------------------------------------------------------- meta


def build_info(binary):
    """CMAKE_BUILD_TYPE and CMAKE_CXX_FLAGS of the build tree holding the binary."""
    info = {"build_type": "unknown", "cxx_flags": None}
    try:
        for line in (binary.resolve().parent / "CMakeCache.txt").read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                info["build_type"] = line.split("=", 1)[1]
            elif line.startswith("CMAKE_CXX_FLAGS:"):
                info["cxx_flags"] = line.split("=", 1)[1]
    except OSError:
        pass
    return info


def run_json(cmd, env=None, timeout=3600):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    line = [x for x in p.stdout.splitlines() if x.startswith("{")][-1]
    out = json.loads(line)
    out["process_wall_s"] = wall
    return out


def blas_check(threads, n):
    env = set_thread_env(dict(os.environ), threads)
    return run_json([sys.executable, __file__, "--blas-worker", str(n)], env)


# ---------------------------------------------------------------------------------------------- benchmark


def model_config(model, dropout, shape):
    c = {"name": model, "vocab_size": shape["vocab_size"], "num_classes": shape["num_classes"],
         "max_length": shape["max_length"], "d_model": shape["d_model"], "heads": shape["heads"],
         "layers": shape["layers"], "ffn": shape["ffn"], "dropout": dropout}
    if model in SEGMENT_MODELS:
        c.update(segment_length=shape["segment_length"], memory_tokens=shape["memory_tokens"])
    if model == "srformer":
        c.update(segment_length=shape["segment_length"])
    if model == "fam":  # B_len = S, F = M (NETWORKS.md §7), one cached block
        c.update(segment_length=shape["segment_length"], memory_tokens=shape["memory_tokens"], mem_segment=1)
    return c


def warmup_steps(args, key):
    if args.warmup is not None:
        return args.warmup
    return 1 if args.quick else SLOW_WARMUP.get(key, DEFAULT_WARMUP)


def measure(key, model, strategy, dropout, shape, threads, args, tmp, glia, pairs, steps, quick):
    """Alternating glia and torch processes for one config at one thread count: a result row."""
    B = shape["batch_size"]
    warmup = warmup_steps(args, key)
    cfg = model_config(model, dropout, shape)
    path = tmp / f"{key}.json"
    path.write_text(json.dumps(cfg))
    glia_cmd = [str(glia), "bench", "nn", str(path), "--batch-size", str(B), "--steps", str(steps),
                "--warmup", str(warmup), "--threads", str(threads), "--seed", str(args.seed)]
    if strategy:
        glia_cmd += ["--strategy", strategy]
    torch_cmd = [sys.executable, __file__, "--torch-worker", str(path), "--batch-size", str(B), "--steps",
                 str(steps), "--warmup", str(warmup), "--threads", str(threads), "--seed", str(args.seed)]
    glia_env = dict(os.environ)  # glia sets its own thread count (--threads)
    torch_env = set_thread_env(dict(os.environ), threads)
    samples = []
    want = pairs
    while len(samples) < want:
        time.sleep(args.pause)
        g = run_json(glia_cmd, glia_env)
        time.sleep(args.pause)
        t = run_json(torch_cmd, torch_env)
        gs, ts = statistics.median(g["seconds_per_step"]), statistics.median(t["seconds_per_step"])
        samples.append({"glia_s": gs, "torch_s": ts, "ratio": ts / gs, "glia_steps_s": g["seconds_per_step"],
                        "torch_steps_s": t["seconds_per_step"], "glia_peak_rss_mib": g["peak_rss_mib"],
                        "glia_rss_before_mib": g["rss_before_mib"], "torch_peak_rss_mib": t["peak_rss_mib"],
                        "torch_rss_before_mib": t["rss_before_mib"], "glia_wall_s": g["process_wall_s"],
                        "torch_wall_s": t["process_wall_s"], "loadavg": loadavg()})
        print(f"  {key} ({threads} thr) pair {len(samples)}: glia {gs:.4g} s, torch {ts:.4g} s, "
              f"torch/glia {ts / gs:.3g}", flush=True)
        if len(samples) == 1 and not quick and g["process_wall_s"] + t["process_wall_s"] > args.slow_pair_seconds:
            want = min(want, args.slow_pairs)
    med = lambda k: statistics.median(s[k] for s in samples)  # noqa: E731
    row = {"config": key, "model": model, "strategy": strategy or None, "glia_dropout": dropout, "threads": threads,
           "segments": g["segments"], "parameters_glia": g["parameters"], "parameters_torch": t["parameters"],
           "pairs": len(samples), "reduced_pairs": len(samples) < pairs, "warmup_steps": warmup, "timed_steps": steps,
           "glia_s_per_step": med("glia_s"), "torch_s_per_step": med("torch_s"),
           "ratio_torch_over_glia": med("ratio"), "ratios": [s["ratio"] for s in samples],
           "glia_steps_per_s": 1 / med("glia_s"), "torch_steps_per_s": 1 / med("torch_s"),
           "glia_peak_rss_mib": max(s["glia_peak_rss_mib"] for s in samples),
           "glia_rss_before_mib": med("glia_rss_before_mib"),
           "torch_peak_rss_mib": max(s["torch_peak_rss_mib"] for s in samples),
           "torch_rss_before_mib": med("torch_rss_before_mib"), "model_config": cfg,
           "glia_command": "glia " + " ".join(glia_cmd[1:]).replace(str(tmp) + "/", ""),
           "glia_version": g["glia_version"], "glia_git_commit": g["git_commit"], "samples": samples}
    row["glia_activation_mib"] = row["glia_peak_rss_mib"] - row["glia_rss_before_mib"]
    row["torch_activation_mib"] = row["torch_peak_rss_mib"] - row["torch_rss_before_mib"]
    print(f"{key:>20} ({threads} thr): glia {row['glia_s_per_step']:.4g} s/step, torch {row['torch_s_per_step']:.4g} "
          f"s/step, torch/glia {row['ratio_torch_over_glia']:.3g} ({row['pairs']} pairs); peak RSS glia "
          f"{row['glia_peak_rss_mib']:.0f} MiB, torch {row['torch_peak_rss_mib']:.0f} MiB", flush=True)
    return row


def main():
    args = parse_args()
    if args.torch_worker is not None:
        args.threads = int(args.threads)
        return torch_worker(args)
    if args.blas_worker is not None:
        return blas_worker(args.blas_worker)

    quick = args.quick
    thread_counts = [int(x) for x in str(args.threads).split(",")]
    shape = dict(QUICK_SHAPE if quick else FULL_SHAPE)
    if args.max_length:
        shape["max_length"] = args.max_length
    B = shape["batch_size"]
    pairs = args.pairs or (1 if quick else 5)
    steps = args.steps or 1
    keys = args.configs.split(",") if args.configs else [c[0] for c in CONFIGS]
    configs = [c for c in CONFIGS if c[0] in keys]
    if len(configs) != len(keys):
        raise SystemExit(f"--configs: unknown name in {args.configs!r}")
    if not os.access(args.glia, os.X_OK):
        raise SystemExit(f"glia binary not found at {args.glia} (build it, or pass --glia)")

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_nn_step_"))
    glia = tmp / "glia"
    shutil.copy2(args.glia, glia)  # a snapshot: a rebuild of the build tree cannot change it mid-run

    load_start = loadavg()
    n_blas = 256 if quick else 1024
    blas = {}
    rows = []
    for threads in thread_counts:
        b = blas_check(threads, n_blas)
        blas[threads] = {"start_gflops": b["gflops"], "libraries": b["blas_libraries"],
                         "torch_version": b["torch_version"]}
        print(f"torch {b['torch_version']}, {b['threads']} threads, sgemm {n_blas}^3: {b['gflops']:.0f} GFLOP/s, "
              f"BLAS {b['blas_libraries']}; loadavg {loadavg()}", flush=True)
        if not quick and threads >= 2 and b["gflops"] < 100:
            print(f"warning: PyTorch sgemm reaches only {b['gflops']:.0f} GFLOP/s (< 100) on {threads} threads: not "
                  "OpenBLAS, or the machine is busy (see loadavg)", flush=True)
        for key, model, strategy, dropout in configs:
            rows.append(measure(key, model, strategy, dropout, shape, threads, args, tmp, glia, pairs, steps, quick))
        blas[threads]["end_gflops"] = blas_check(threads, n_blas)["gflops"]
    load_end = loadavg()
    shutil.rmtree(tmp, ignore_errors=True)

    suffix = " --quick" if quick else ""
    for flag, value, default in (("--threads", args.threads, DEFAULT_THREADS), ("--pairs", args.pairs, None),
                                 ("--steps", args.steps, None), ("--warmup", args.warmup, None),
                                 ("--max-length", args.max_length, None), ("--configs", args.configs, None),
                                 ("--name", args.name, "bench_nn_step")):
        if value != default:
            suffix += f" {flag} {value}"
    if args.glia.resolve() != (ROOT / "build" / "glia").resolve():
        suffix += f" --glia {args.glia}"
    if args.out.resolve() != RESULTS.resolve():
        suffix += f" --out {args.out}"
    command = "/usr/bin/python3 experiments/benchmarks/bench_nn_step.py" + suffix
    goal = []
    for r in rows:
        if r["config"] == "rmaat_amrb":
            goal.append({"target_ratio": TARGET, "config": "rmaat_amrb", "threads": r["threads"],
                         "ratio": r["ratio_torch_over_glia"], "met": r["ratio_torch_over_glia"] >= TARGET})
    first = blas[thread_counts[0]]
    meta = {
        "command": command, "quick": quick,
        "machine": {"arch": platform.machine(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                    "loadavg_start": load_start, "loadavg_end": load_end},
        "threads": thread_counts, **build_info(args.glia), "glia_binary": str(args.glia),
        "glia_version": rows[-1]["glia_version"], "glia_git_commit": rows[-1]["glia_git_commit"],
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "python": sys.executable, "torch_version": first["torch_version"], "blas_libraries": first["libraries"],
        "blas_check_size": n_blas, "blas_gflops": {str(k): {"start": v["start_gflops"], "end": v["end_gflops"]}
                                                   for k, v in blas.items()},
        "shape": shape, "steps": steps,
        "warmup": {key: warmup_steps(args, key) for key, *_ in configs}, "pairs": pairs, "slow_pairs": args.slow_pairs,
        "slow_pair_seconds": args.slow_pair_seconds, "dtype": "float32",
        "optimizer": {"name": "AdamW", "lr": 1e-4, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01,
                      "clip_grad_norm": 1.0},
        "notes": [
            "ratio = torch s/step / glia s/step, median of per-pair ratios (> 1: glia faster)",
            "glia runs dropout 0.1 except rmaat_amrb_dropout0; the PyTorch reference has no dropout",
            "the reference has no AMRB: both rmaat rows are compared with the same autograd (BPTT) step",
            "the reference's weights are torch's own initialisation of the documented distributions",
            "peak RSS = ru_maxrss of the process; the torch process includes the torch import "
            "(a few hundred MiB), so activation = peak - RSS before the first step is reported as well",
            "machines are shared: only the side-by-side ratios count; see loadavg (per pair in samples)",
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps({"meta": meta, "goal": goal, "rows": rows}, indent=2))

    L, T = shape["max_length"], -(-shape["max_length"] // shape["segment_length"])
    lines = [
        "# One training step: glia against the PyTorch reference",
        "",
        f"Forward, loss, backward, clipping and AdamW on a random full-length batch: batch {B}, max_length {L}, "
        f"d_model {shape['d_model']}, {shape['heads']} heads, {shape['layers']} layers, ffn {shape['ffn']}, vocab "
        f"{shape['vocab_size']}, {shape['num_classes']} classes; segment models S = {shape['segment_length']}, "
        f"M = {shape['memory_tokens']} (T = {T}). float32, the same thread count on both sides; glia and torch "
        f"processes alternate, {steps} timed step(s) per process after "
        + ", ".join(sorted({f"{w} warm-up step(s) ({', '.join(k for k, *_ in configs if warmup_steps(args, k) == w)})"
                            for w in {warmup_steps(args, k) for k, *_ in configs}}))
        + "; ratio = median of the per-pair ratios torch/glia (> 1: glia faster).",
        "",
        "| config | threads | glia dropout | glia s/step | torch s/step | torch/glia | glia peak RSS (MiB) | torch "
        "peak RSS (MiB) | glia / torch peak − before (MiB) | pairs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['config']} | {r['threads']} | {r['glia_dropout']:g} | {r['glia_s_per_step']:.3g} | "
                     f"{r['torch_s_per_step']:.3g} | **{r['ratio_torch_over_glia']:.2f}** | "
                     f"{r['glia_peak_rss_mib']:.0f} | {r['torch_peak_rss_mib']:.0f} | "
                     f"{r['glia_activation_mib']:.0f} / {r['torch_activation_mib']:.0f} | {r['pairs']}"
                     f"{' (slow config)' if r['reduced_pairs'] else ''} |")
    gflops = "; ".join(f"{k} thread(s) {v['start_gflops']:.0f} / {v['end_gflops']:.0f}" for k, v in blas.items())
    lines += [
        "",
        f"{meta['machine']['cpu']}, {meta['machine']['cpus']} CPUs, loadavg {load_start} → {load_end} (shared "
        f"machine); glia {meta['build_type']} build (CMAKE_CXX_FLAGS {meta['cxx_flags']!r}), commit "
        f"{meta['glia_git_commit']}; torch {meta['torch_version']} with "
        f"{', '.join(pathlib.Path(b).name for b in meta['blas_libraries']) or 'unknown BLAS'}, sgemm {n_blas}³ "
        f"GFLOP/s (start / end): {gflops}.",
        "",
        "Notes: glia runs dropout 0.1 (rmaat_amrb_dropout0: 0); the reference has no dropout. The reference has no "
        "AMRB, so both rmaat rows face the same autograd BPTT step. torch's peak RSS includes the torch import; the "
        "column 'peak − before' is the step's own memory on each side. Goal: rmaat (AMRB) ≥ "
        f"{TARGET}× the reference's steps/s — "
        + ("; ".join(f"{g['threads']} thread(s): {'met' if g['met'] else 'not met'} ({g['ratio']:.2f}×)"
                     for g in goal) if goal else "not measured") + ".",
        "",
        f"Reproduce: `{command}`",
    ]
    (args.out / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    parts = [f"{r['config']} {r['ratio_torch_over_glia']:.2f}x" for r in rows if r["threads"] == thread_counts[0]]
    goal_text = "".join(f"; goal rmaat (AMRB) >= {TARGET}x the reference at {g['threads']} thread(s): "
                        f"{'met' if g['met'] else 'NOT met'} ({g['ratio']:.2f}x)" for g in goal)
    print(f"summary{' (quick smoke run, not a result)' if quick else ''}: training step, torch/glia s/step ratio at "
          f"{thread_counts[0]} threads, L = {L}, batch {B}: " + ", ".join(parts) + goal_text)


if __name__ == "__main__":
    main()
