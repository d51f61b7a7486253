#!/usr/bin/env python3
"""One attention op (softmax, linear, astromorphic), forward and forward+backward, glia against PyTorch on the CPU
(Debian python3-torch, OpenBLAS-backed), same shapes, same thread count (BENCHMARKS.md, "Networks").

Shapes: B = 1, 4 heads, d_h = 64 (d_model 256), float32, no mask, non-causal; N = 1024 ... 16384 (softmax up to
--softmax-max-n, 4096 by default: it is O(N^2) in time and memory).

glia is timed inside C++ (glia._core.nn_time_attention: std::chrono around `repeat` calls on pre-built tensors, no
Python or NumPy conversion in the timed region); PyTorch with time.perf_counter around calls on pre-built tensors
(forward under torch.no_grad(); forward+backward on leaves with requires_grad, out.backward(d_out) with a fixed
random d_out, the leaves' .grad reset between calls outside the timed region). For each (op, N, mode) the two
alternate glia, torch, glia, torch ... (--pairs, >= 5); each measurement is the median of `repeat` calls after a
warm-up call (the dense torch_ops reference at N >= 4096: one call, no warm-up), and the reported ratio
torch/glia is the median of the per-pair ratios.

The PyTorch side is the op written efficiently in PyTorch, checked against experiments/reference/torch_ops.py:
  softmax       softmax(Q K^T / sqrt(d)) V
  linear        phi(Q) (phi(K)^T V) / (phi(Q) . sum_t phi(K_t) + eps)
  astromorphic  NETWORKS.md section 2, with A = P_pos E computed in O(N) by a blocked Toeplitz product (64 x 64
                dense blocks on the diagonal, the off-diagonal blocks through a rank-one factor of e^{-s|i-j|})
For astromorphic attention the reference implementation of torch_ops.py (the test oracle, which forms P_pos densely,
O(N^2)) is timed as well, as "astromorphic_torch_ops", up to --reference-max-n (8192 by default: at N = 16384 its
N x N x heads float32 tensors need ~17 GiB).

Usage (2 threads for both; the script sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before importing either):
  PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_nn_attention.py [--quick] [--out DIR]
Writes DIR/bench_nn_attention.{json,md} (DIR = experiments/results by default); prints the summary line last.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import platform
import statistics
import sys
import time

from machine_info import cpu_model, git, loadavg  # shared provenance helpers (this directory)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny smoke run (small N, 2 pairs); not a result")
    ap.add_argument("--threads", type=int, default=2, help="threads for glia (OpenMP) and torch (default 2)")
    ap.add_argument("--pairs", type=int, default=None, help="glia/torch pairs per row (default 5; --quick 2)")
    ap.add_argument("--sizes", type=str, default=None, help="comma-separated N (default 1024,...,16384)")
    ap.add_argument("--softmax-max-n", type=int, default=4096)
    ap.add_argument("--reference-max-n", type=int, default=8192,
                    help="largest N at which torch_ops.astromorphic_attention (dense P_pos) is timed")
    ap.add_argument("--min-seconds", type=float, default=0.25,
                    help="aim for this many seconds per measurement (sets the calls per measurement)")
    ap.add_argument("--pause", type=float, default=0.2,
                    help="seconds to sleep before each sample, so the other side's idle threads stop spinning")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "experiments" / "results")
    return ap.parse_args(argv)


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import glia  # noqa: E402
from glia import _core  # noqa: E402

sys.path.insert(0, str(ROOT / "experiments" / "reference"))
import torch_ops as ref  # noqa: E402

torch.set_num_threads(ARGS.threads)

B, HEADS, D = 1, 4, 64
EPS = 1e-6
ALPHA = 0.25


# ---------------------------------------------------------------------------------------------- PyTorch side


def torch_softmax(q, k, v):
    return torch.softmax((q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1])), dim=-1) @ v


def torch_linear(q, k, v):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    den = phi_q @ phi_k.sum(2)[..., None] + EPS
    return (phi_q @ (phi_k.transpose(-1, -2) @ v)) / den


def toeplitz_blocked(position, s, block=64):
    """A = P E with P_ij = exp(-s|i-j|) per head, in O(N block m): dense block x block products on the diagonal;
    for i in block a (offset p) and j in block b < a (offset q), r^{i-j} = r^{p+1} r^{(a-b-1) block} r^{block-1-q}
    (and symmetrically for b > a), so the off-diagonal part is a (N/block)^2 product of per-block sums."""
    h, n, m = position.shape
    nb = -(-n // block)
    e = F.pad(position, (0, 0, 0, nb * block - n)).reshape(h, nb, block, m)
    p = torch.arange(block, dtype=position.dtype)
    s3 = s[:, None, None]
    diag = torch.exp(-s3 * (p[:, None] - p[None, :]).abs())  # (H, block, block)
    a = diag[:, None] @ e  # (H, nb, block, m)
    idx = torch.arange(nb, dtype=position.dtype)
    gap = idx[:, None] - idx[None, :] - 1  # a - b - 1
    lower = torch.exp(-s3 * block * gap.clamp(min=0)) * (gap >= 0)  # (H, nb, nb): b < a
    upper = torch.exp(-s3 * block * (-gap - 2).clamp(min=0)) * (gap <= -2)  # b > a: r^{(b-a-1) block}
    w_from_left = torch.exp(-s[:, None] * (block - 1 - p))  # r^{block-1-q}
    w_from_right = torch.exp(-s[:, None] * p)  # r^{q}
    left = (w_from_left[:, None, None, :] @ e).squeeze(2)  # (H, nb, m)
    right = (w_from_right[:, None, None, :] @ e).squeeze(2)
    a = a + torch.exp(-s[:, None] * (p + 1))[:, None, :, None] * (lower @ left)[:, :, None, :]
    a = a + torch.exp(-s[:, None] * (block - p))[:, None, :, None] * (upper @ right)[:, :, None, :]
    return a.reshape(h, nb * block, m)[:, :n]


def torch_astromorphic(q, k, v, position, decay):
    """NETWORKS.md section 2 (sigma off, the default; alpha = 0.25), the Toeplitz product in O(N)."""
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    activity = toeplitz_blocked(position, F.softplus(decay))
    hebbian = (phi_k + (F.elu(activity) + 1)[None]).transpose(-1, -2) @ v
    h = hebbian  # σ off: the default (NETWORKS.md §2)
    g = phi_k.sum(2).pow(ALPHA)
    den = phi_q @ g[..., None] + EPS
    return (phi_q @ h) / den


def torch_astromorphic_reference(q, k, v, position, decay):
    return ref.astromorphic_attention(q, k, v, position, decay)


TORCH = {"softmax": torch_softmax, "linear": torch_linear, "astromorphic": torch_astromorphic,
         "astromorphic_torch_ops": torch_astromorphic_reference}
GLIA_KIND = {"softmax": "softmax", "linear": "linear", "astromorphic": "astromorphic",
             "astromorphic_torch_ops": "astromorphic"}


def inputs(n, seed=1):
    rng = np.random.default_rng(seed)
    arrays = {
        "q": rng.standard_normal((B, HEADS, n, D)).astype(np.float32),
        "k": rng.standard_normal((B, HEADS, n, D)).astype(np.float32),
        "v": rng.standard_normal((B, HEADS, n, D)).astype(np.float32),
        "position": (0.5 * rng.standard_normal((HEADS, n, D))).astype(np.float32),
        "decay": rng.uniform(-2.0, 1.0, HEADS).astype(np.float32),
        "d_out": rng.standard_normal((B, HEADS, n, D)).astype(np.float32),
    }
    return arrays


def torch_args(op, arrays, grad):
    names = ["q", "k", "v"] + (["position", "decay"] if op.startswith("astromorphic") else [])
    return [torch.tensor(arrays[name], requires_grad=grad) for name in names]


def time_torch(op, arrays, repeat, backward, warmup=True):
    """Seconds of each of `repeat` calls (after a warm-up call unless warmup is False)."""
    fn = TORCH[op]
    args = torch_args(op, arrays, backward)
    d_out = torch.tensor(arrays["d_out"])
    seconds = []
    for i in range(repeat + 1 if warmup else repeat):
        for a in args:
            a.grad = None
        if backward:
            t0 = time.perf_counter()
            fn(*args).backward(d_out)
            dt = time.perf_counter() - t0
        else:
            with torch.no_grad():
                t0 = time.perf_counter()
                fn(*args)
                dt = time.perf_counter() - t0
        if i or not warmup:
            seconds.append(dt)
    return seconds


def time_glia(op, arrays, repeat, backward):
    extra = (arrays["position"], arrays["decay"]) if op.startswith("astromorphic") else (None, None)
    return _core.nn_time_attention(GLIA_KIND[op], arrays["q"], arrays["k"], arrays["v"], *extra, repeat=repeat,
                                   backward=backward, d_out=arrays["d_out"])


# ---------------------------------------------------------------------------------------------- checks and meta


def blas_gflops(n=1024, calls=30, threads=None):
    """PyTorch's n^3 sgemm in GFLOP/s, the fastest of `calls` calls (the machine is shared), at `threads` threads
    (default: the benchmark's). The generic reference BLAS reaches ~4.5 GFLOP/s here, OpenBLAS ~150-180 on 2
    threads (BENCHMARKS.md)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads or ARGS.threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = math.inf
    for _ in range(calls):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    torch.set_num_threads(previous)
    return 2 * n**3 / best / 1e9


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process (torch and NumPy resolve libblas.so.3 through the
    alternatives system)."""
    names = set()
    try:
        for line in pathlib.Path("/proc/self/maps").read_text().splitlines():
            path = line.split()[-1]
            if "blas" in path or "lapack" in path:
                names.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(names)


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def agreement(n=1000):
    """Relative differences at N = n (not a multiple of the Toeplitz block): the timed PyTorch code against
    torch_ops.py, and glia's outputs and gradients against the timed PyTorch code."""
    arrays = inputs(n, seed=3)
    out = {}
    for op in ("softmax", "linear", "astromorphic"):
        args = torch_args(op, arrays, True)
        y = TORCH[op](*args)
        y.backward(torch.tensor(arrays["d_out"]))
        if op == "softmax":
            r = ref.softmax_attention(*[a.detach() for a in args])
            g = _core.nn_softmax_attention(arrays["q"], arrays["k"], arrays["v"], None, False, arrays["d_out"])
        elif op == "linear":
            r = ref.linear_attention(*[a.detach() for a in args])
            g = _core.nn_linear_attention(arrays["q"], arrays["k"], arrays["v"], None, False, EPS, arrays["d_out"])
        else:
            r = ref.astromorphic_attention(*[a.detach() for a in args])
            g = _core.nn_astromorphic_attention(arrays["q"], arrays["k"], arrays["v"], arrays["position"],
                                                arrays["decay"], None, ALPHA, True, False, EPS, arrays["d_out"])
        names = ["q", "k", "v"] + (["position", "decay"] if op == "astromorphic" else [])
        out[op] = {
            "torch_vs_torch_ops_out": rel(y.detach().numpy(), r.numpy()),
            "glia_vs_torch_out": rel(g["out"], y.detach().numpy()),
            "glia_vs_torch_grad": max(rel(g["d_" + name], a.grad.numpy()) for name, a in zip(names, args)),
        }
    return out


def build_type():
    cache = pathlib.Path(_core.__file__).resolve().parents[2] / "CMakeCache.txt"
    try:
        for line in cache.read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                return line.split("=", 1)[1]
    except OSError:
        pass
    return "unknown"


# ---------------------------------------------------------------------------------------------- benchmark


def calls_for(seconds_per_call):
    target = 0.01 if ARGS.quick else ARGS.min_seconds
    return int(min(1000, max(3, math.ceil(target / max(seconds_per_call, 1e-6)))))


def measure(op, n, backward, pairs):
    arrays = inputs(n)
    # calls per measurement for each side, from one call each
    g_repeat = calls_for(min(time_glia(op, arrays, 1, backward)))
    slow = op == "astromorphic_torch_ops" and n >= 4096  # seconds per call: one call per sample, no warm-up
    t_repeat = 1 if slow else calls_for(min(time_torch(op, arrays, 1, backward)))
    glia_s, torch_s = [], []
    pause = 0.0 if ARGS.quick else ARGS.pause
    for _ in range(pairs):  # glia, torch, glia, torch, ...
        time.sleep(pause)
        glia_s.append(statistics.median(time_glia(op, arrays, g_repeat, backward)))
        time.sleep(pause)
        torch_s.append(statistics.median(time_torch(op, arrays, t_repeat, backward, warmup=not slow)))
    ratios = [t / g for g, t in zip(glia_s, torch_s)]
    return {"op": op, "n": n, "mode": "forward+backward" if backward else "forward",
            "glia_s": statistics.median(glia_s), "torch_s": statistics.median(torch_s),
            "ratio_torch_over_glia": statistics.median(ratios), "ratios": ratios, "glia_samples_s": glia_s,
            "torch_samples_s": torch_s, "glia_calls_per_sample": g_repeat, "torch_calls_per_sample": t_repeat}


def crossover(rows, impl, mode):
    """Smallest measured N from which linear attention is faster than softmax (at every larger measured N where
    both were timed), or None; and the two times there."""
    key = f"{impl}_s"
    t = {(r["op"], r["n"]): r[key] for r in rows if r["mode"] == mode}
    ns = sorted(n for (op, n) in t if op == "softmax" and ("linear", n) in t)
    faster = [n for n in ns if t[("linear", n)] < t[("softmax", n)]]
    first = next((n for n in ns if all(m in faster for m in ns if m >= n)), None)
    result = {"n": first, "measured_n": ns}
    # where the crossover falls between two measured sizes, interpolate log(t_softmax / t_linear) in log N
    prev = [n for n in ns if first is not None and n < first]
    if first is not None and prev:
        n0, n1 = prev[-1], first
        r0 = math.log(t[("softmax", n0)] / t[("linear", n0)])
        r1 = math.log(t[("softmax", n1)] / t[("linear", n1)])
        if r1 != r0:
            result["interpolated_n"] = round(math.exp(math.log(n0) + (0 - r0) * (math.log(n1) - math.log(n0)) /
                                                      (r1 - r0)))
    elif first is not None:
        result["below_smallest_measured"] = True
    return result


def main():
    quick = ARGS.quick
    pairs = ARGS.pairs or (2 if quick else 5)
    if ARGS.sizes:
        sizes = [int(x) for x in ARGS.sizes.split(",")]
    else:
        sizes = [64, 128] if quick else [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]
    softmax_max = 128 if quick else ARGS.softmax_max_n
    reference_max = 64 if quick else ARGS.reference_max_n
    load_start = loadavg()
    gflops = blas_gflops(256 if quick else 1024)
    gflops_1 = blas_gflops(256 if quick else 1024, threads=1)
    blas = loaded_blas()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, sgemm "
          f"{'256' if quick else '1024'}^3: {gflops:.0f} GFLOP/s ({gflops_1:.0f} on 1 thread), BLAS {blas}", flush=True)
    if not quick and gflops < 100:
        print(f"warning: PyTorch sgemm reaches only {gflops:.0f} GFLOP/s (< 100): is it using OpenBLAS? "
              "(or the machine is busy)", flush=True)
    agreement_n = 100 if quick else 1000
    checks = agreement(agreement_n)
    print("agreement:", json.dumps(checks), flush=True)

    rows = []
    plan = []
    for n in sizes:
        ops = ["linear", "astromorphic"]
        if n <= softmax_max:
            ops.insert(0, "softmax")
        if n <= reference_max:
            ops.append("astromorphic_torch_ops")
        plan += [(op, n) for op in ops]
    for op, n in plan:
        for backward in (False, True):
            r = measure(op, n, backward, pairs)
            rows.append(r)
            print(f"{op:>24} N={n:>6} {r['mode']:>16}: glia {r['glia_s']:.4g} s, torch {r['torch_s']:.4g} s, "
                  f"torch/glia {r['ratio_torch_over_glia']:.2f}", flush=True)

    goal_sizes = [n for n in sizes if 1024 <= n <= 16384] or sizes
    astro_fb = {r["n"]: r["ratio_torch_over_glia"] for r in rows
                if r["op"] == "astromorphic" and r["mode"] == "forward+backward"}
    goal = {"target_ratio": 1.5, "sizes": goal_sizes,
            "min_ratio": min(astro_fb[n] for n in goal_sizes),
            "met": all(astro_fb[n] >= 1.5 for n in goal_sizes)}
    cross = {f"{impl}_{mode}": crossover(rows, impl, mode) for impl in ("glia", "torch")
             for mode in ("forward", "forward+backward")}
    load_end = loadavg()

    suffix = " --quick" if quick else ""
    if ARGS.out != ROOT / "experiments" / "results":
        suffix += f" --out {ARGS.out}"
    command = ("PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_nn_attention.py"
               + suffix)
    meta = {
        "command": command, "quick": quick,
        "machine": {"arch": platform.machine(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                    "loadavg_start": load_start, "loadavg_end": load_end},
        "threads": ARGS.threads, "build_type": build_type(), "glia_version": glia.__version__,
        "glia_git_commit": glia.__git_commit__, "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "torch_version": torch.__version__, "numpy_version": np.__version__, "torch_threads": torch.get_num_threads(),
        "blas_libraries": blas, "blas_check_gflops": gflops, "blas_check_gflops_1_thread": gflops_1, "blas_check_size": 256 if quick else 1024,
        "shape": {"batch": B, "heads": HEADS, "d_head": D, "d_model": HEADS * D, "dtype": "float32",
                  "mask": None, "causal": False, "astromorphic": {"alpha": ALPHA, "astrocyte_term": True,
                                                                   "nonlinearity": False, "epsilon": EPS}},
        "pairs": pairs, "sizes": sizes, "agreement_n": agreement_n, "softmax_max_n": softmax_max, "reference_max_n": reference_max,
        "timing": "glia: std::chrono in C++ (glia._core.nn_time_attention); torch: time.perf_counter; median of "
                  "calls per sample after a warm-up, samples alternate glia/torch, ratio = median of per-pair "
                  "ratios",
    }
    result = {"meta": meta, "agreement": checks, "goal_astromorphic_forward_backward": goal, "crossover": cross,
              "rows": rows}
    ARGS.out.mkdir(parents=True, exist_ok=True)
    (ARGS.out / "bench_nn_attention.json").write_text(json.dumps(result, indent=2) + "\n")
    (ARGS.out / "bench_nn_attention.md").write_text(markdown(result))

    def cross_text(c):
        if c["n"] is None:
            return "none measured"
        return f"N={c['n']}" + (f" (~{c['interpolated_n']})" if "interpolated_n" in c else "")

    fb = [r for r in rows if r["op"] == "astromorphic" and r["mode"] == "forward+backward" and r["n"] in goal_sizes]
    dense = [r for r in rows if r["op"] == "astromorphic_torch_ops" and r["mode"] == "forward+backward"]
    dense_text = (f" (torch_ops.py dense reference: {min(r['ratio_torch_over_glia'] for r in dense):.1f}-"
                  f"{max(r['ratio_torch_over_glia'] for r in dense):.0f}x up to N={max(r['n'] for r in dense)})"
                  if dense else "")
    print(f"summary: astromorphic attention forward+backward, torch/glia {min(r['ratio_torch_over_glia'] for r in fb):.2f}"
          f"-{max(r['ratio_torch_over_glia'] for r in fb):.2f}x over N={goal_sizes[0]}..{goal_sizes[-1]} "
          f"(goal >= 1.5x: {'met' if goal['met'] else 'NOT met'}){dense_text}; linear faster than softmax from "
          f"{cross_text(cross['glia_forward+backward'])} in glia, {cross_text(cross['torch_forward+backward'])} in torch "
          f"(fwd+bwd); {ARGS.threads} threads, torch sgemm {gflops:.0f} GFLOP/s"
          + (" [quick: not a result]" if quick else ""))


def markdown(result):
    meta, rows = result["meta"], result["rows"]
    m = meta["machine"]
    lines = [
        "# Attention ops: glia against PyTorch (CPU)",
        "",
        f"B = {meta['shape']['batch']}, {meta['shape']['heads']} heads, d_h = {meta['shape']['d_head']} (d_model "
        f"{meta['shape']['d_model']}), float32, no mask, non-causal; astromorphic with α = {ALPHA}, σ off (the default), astrocyte "
        f"term on. {meta['threads']} threads for both (OpenMP in glia; torch.set_num_threads and OpenBLAS in "
        f"PyTorch {meta['torch_version']}, whose {meta['blas_check_size']}³ sgemm reached {meta['blas_check_gflops']:.0f} "
        f"GFLOP/s here on {meta['threads']} threads and {meta['blas_check_gflops_1_thread']:.0f} on 1; the generic "
        "reference BLAS reaches ~4.5). "
        f"Seconds per call: median over {meta['pairs']} interleaved glia/torch samples (each the median of several "
        "calls); ratio = median of the per-pair ratios torch/glia (> 1: glia faster).",
        "",
        "| op | N | fwd glia (s) | fwd torch (s) | fwd torch/glia | fwd+bwd glia (s) | fwd+bwd torch (s) | "
        "fwd+bwd torch/glia |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    index = {(r["op"], r["n"], r["mode"]): r for r in rows}
    order = ["softmax", "linear", "astromorphic", "astromorphic_torch_ops"]
    for op in order:
        for n in sorted({r["n"] for r in rows if r["op"] == op}):
            f, fb = index.get((op, n, "forward")), index.get((op, n, "forward+backward"))
            cells = []
            for r in (f, fb):
                cells += ([f"{r['glia_s']:.3g}", f"{r['torch_s']:.3g}", f"**{r['ratio_torch_over_glia']:.2f}×**"]
                          if r else ["", "", ""])
            label = "astromorphic vs torch_ops.py (dense P_pos)" if op == "astromorphic_torch_ops" else op
            lines.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
    goal = result["goal_astromorphic_forward_backward"]
    lines += ["", f"Goal (astromorphic forward+backward ≥ {goal['target_ratio']}× the O(N) PyTorch version at N = "
                  f"{goal['sizes'][0]} … {goal['sizes'][-1]}): **{'met' if goal['met'] else 'not met'}** (smallest "
                  f"ratio {goal['min_ratio']:.2f}×).", ""]
    lines += ["Linear-vs-softmax crossover (smallest measured N from which linear attention is faster than softmax; "
              "~: interpolated in log N):", "", "| implementation | forward | forward+backward |", "| --- | --- | --- |"]
    for impl in ("glia", "torch"):
        cells = []
        for mode in ("forward", "forward+backward"):
            c = result["crossover"][f"{impl}_{mode}"]
            if c["n"] is None:
                cells.append("not within the measured N")
            elif c.get("below_smallest_measured"):
                cells.append(f"≤ {c['n']}")
            else:
                cells.append(f"{c['n']}" + (f" (~{c['interpolated_n']})" if "interpolated_n" in c else ""))
        lines.append(f"| {impl} | " + " | ".join(cells) + " |")
    agree = result["agreement"]
    lines += [
        "",
        f"Agreement at N = {meta['agreement_n']} (relative 2-norm differences): " + "; ".join(
            f"{op}: PyTorch code vs torch_ops.py {a['torch_vs_torch_ops_out']:.1e}, glia vs PyTorch out "
            f"{a['glia_vs_torch_out']:.1e}, gradients ≤ {a['glia_vs_torch_grad']:.1e}" for op, a in agree.items()) + ".",
        "",
        "PyTorch side: the op written efficiently in PyTorch (softmax(QKᵀ/√d)V; φ(Q)(φ(K)ᵀV)/(φ(Q)·Σφ(K)+ε); the "
        "astromorphic op of NETWORKS.md §2 with P_pos E as a blocked O(N) Toeplitz product). The row "
        "\"astromorphic vs torch_ops.py\" times the repository's reference/test oracle, which forms P_pos densely "
        f"(O(N²) time and memory; up to N = {meta['reference_max_n']}).",
        "",
        f"{m['cpus']} CPUs ({m['cpu']}, {m['arch']}), load average {m['loadavg_start']} at the start and "
        f"{m['loadavg_end']} at the end (shared machine: ratios, not absolute times, are the result); "
        f"{meta['build_type']} build, glia {meta['glia_version']} ({meta['git_commit'][:12]}"
        f"{', uncommitted changes' if meta['git_dirty'] else ''}); BLAS: {', '.join(meta['blas_libraries']) or '?'}; "
        f"reproduce: `{meta['command']}`",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
