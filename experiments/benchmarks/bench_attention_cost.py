#!/usr/bin/env python3
"""The cost model of srformer and fam attention against full softmax attention (issue #16), and a measured check.

Predicted: experiments/reference/torch_srformer_fam.py `cost_model` (FLOPs of the operator and floats it keeps for
the backward pass, per token; its docstring gives the counting rules), as a function of the segment / block length
S at a fixed sequence length N.

Measured, on glia's own ops (glia._core.nn_time_attention_cost: std::chrono around whole-sequence forward+backward
passes on pre-built float32 tensors, median of `repeat` calls after a warm-up; fam as its blocks in order with
their caches, the FAM rows teacher-forced), and the floats the ops' forward contexts actually hold:
  - time ratio kind/softmax against the predicted FLOPs ratio, and seconds per predicted GFLOP for every row
    (constant across rows if the model captures where the time goes);
  - context floats beyond the token rows' q, k, v and output (4·heads·N·d_h) against the predicted memory.
fam's blocked implementation also computes the masked upper triangle of each block's causal scores and copies the
cache and FAM keys next to the block's, which the model (visible pairs only) does not count: the measured/predicted
ratios say how much that costs.

Usage:
  PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_attention_cost.py [--quick] [--out DIR]
Writes DIR/bench_attention_cost.{json,md} (DIR = experiments/results by default); prints the summary line last.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import time

from machine_info import cpu_model, git, loadavg  # shared provenance helpers (this directory)

HERE = pathlib.Path(__file__).resolve().parent
FAM_ROWS = "FAM rows: projections and FFN"  # a term of cost_model's fam breakdown
ROOT = HERE.parents[1]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny smoke run (N = 256); not a result")
    ap.add_argument("--n", type=int, default=2048, help="sequence length N (default 2048)")
    ap.add_argument("--lengths", type=str, default="32,64,128,256,512,1024",
                    help="comma-separated segment / block lengths S")
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--memory-tokens", type=int, default=8, help="fam: F")
    ap.add_argument("--mem-segment", type=int, default=1, help="fam: cached blocks")
    ap.add_argument("--repeat", type=int, default=5, help="timed calls per measurement (median)")
    ap.add_argument("--threads", type=int, default=1, help="OpenMP threads (default 1)")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "experiments" / "results")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import numpy as np
    from glia import _core

    sys.path.insert(0, str(ROOT / "experiments" / "reference"))
    import torch_srformer_fam as sf

    n = 256 if args.quick else args.n
    lengths = [s for s in (int(x) for x in args.lengths.split(",")) if s <= n]
    if args.quick:
        lengths = [32, 64]
    d, heads = args.d_model, args.heads
    dh = d // heads
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((1, heads, n, dh)).astype(np.float32) for _ in range(3))
    token_rows = 4 * heads * n * dh  # q, k, v and the output of the token rows: not counted by the model

    def measure(kind, s=0):
        r = _core.nn_time_attention_cost(kind, q, k, v, s, args.memory_tokens, args.mem_segment,
                                         repeat=1 if args.quick else args.repeat, backward=True)
        return statistics.median(r["seconds"]), r["context_floats"] - token_rows

    started = time.time()
    t_soft, m_soft = measure("softmax")
    predicted_soft = sf.attention_cost("softmax", n, d, heads)
    rows = [{"kind": "softmax", "segment_length": None, "seconds": t_soft, "measured_floats": m_soft,
             "predicted_flops": predicted_soft["flops"], "predicted_floats": predicted_soft["memory"],
             "predicted_op_flops": predicted_soft["flops"]}]
    for s in lengths:
        model = sf.cost_model(n, s, d, heads, args.memory_tokens, args.mem_segment)
        for kind in ("srformer", "fam"):
            t, m = measure(kind, s)
            terms = model[kind]["terms"]
            rows.append({"kind": kind, "segment_length": s, "seconds": t, "measured_floats": m,
                         "predicted_flops": model[kind]["flops"], "predicted_floats": model[kind]["memory"],
                         # the op alone: fam's FAM-row projections and FFN belong to the layer, not the op
                         "predicted_op_flops": model[kind]["flops"] - terms.get(FAM_ROWS, 0)})
        print(f"S = {s}: srformer {rows[-2]['seconds']:.4g} s, fam {rows[-1]['seconds']:.4g} s "
              f"(softmax {t_soft:.4g} s)", flush=True)
    for r in rows:
        r["predicted_flops_ratio"] = r["predicted_flops"] / predicted_soft["flops"]
        r["predicted_op_flops_ratio"] = r["predicted_op_flops"] / predicted_soft["flops"]
        r["measured_time_ratio"] = r["seconds"] / t_soft
        r["seconds_per_gflop"] = r["seconds"] / (r["predicted_op_flops"] / 1e9)
        r["predicted_memory_ratio"] = r["predicted_floats"] / predicted_soft["memory"]
        r["measured_memory_ratio"] = r["measured_floats"] / m_soft
        r["measured_over_predicted_floats"] = r["measured_floats"] / r["predicted_floats"]
        r["flops_per_token"] = r["predicted_flops"] / n
        r["predicted_floats_per_token"] = r["predicted_floats"] / n

    per_gflop = [r["seconds_per_gflop"] for r in rows]
    summary = (f"cost model, N = {n}, d = {d}, {heads} heads, {args.threads} thread(s): seconds per predicted op GFLOP "
               f"{min(per_gflop):.3g} … {max(per_gflop):.3g} over {len(rows)} rows (softmax "
               f"{rows[0]['seconds_per_gflop']:.3g}); context floats / predicted: srformer "
               f"{_span(rows, 'srformer', 'measured_over_predicted_floats')}, fam "
               f"{_span(rows, 'fam', 'measured_over_predicted_floats')}")
    result = {
        "benchmark": "bench_attention_cost", "quick": args.quick, "n": n, "d_model": d, "heads": heads,
        "memory_tokens": args.memory_tokens, "mem_segment": args.mem_segment, "threads": args.threads,
        "repeat": 1 if args.quick else args.repeat, "dtype": "float32", "rows": rows, "summary": summary,
        "provenance": {"command": " ".join([pathlib.Path(sys.argv[0]).name] + (argv or sys.argv[1:])),
                       "commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
                       "cpu": cpu_model(), "machine": platform.machine(), "loadavg": loadavg(),
                       "seconds": time.time() - started,
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench_attention_cost_quick" if args.quick else "bench_attention_cost"
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(markdown(result))
    print(summary)


def _span(rows, kind, key):
    values = [r[key] for r in rows if r["kind"] == kind]
    return f"{min(values):.2f}–{max(values):.2f}" if values else "-"


def markdown(result):
    lines = [f"# Attention cost model vs measurement (N = {result['n']}, d = {result['d_model']}, "
             f"{result['heads']} heads, F = {result['memory_tokens']}, mem_segment = {result['mem_segment']})", "",
             f"Command: `{result['provenance']['command']}` (commit {result['provenance']['commit'][:10]}, "
             f"load {result['provenance']['loadavg']}). Forward + backward of the operator alone, float32, "
             f"{result['threads']} thread(s); predicted = torch_srformer_fam.cost_model.", "",
             "FLOPs/token and the FLOPs ratio are the model's (fam: with its FAM rows' projections and FFN); the op "
             "ratio and seconds per GFLOP count the operator alone, which is what is timed.", "",
             "| kind | S | predicted FLOPs/token | FLOPs ratio (pred.) | op FLOPs ratio (pred.) | time ratio (meas.) | "
             "s per pred. op GFLOP | predicted floats/token | memory ratio (pred.) | memory ratio (meas.) | "
             "meas./pred. floats |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in result["rows"]:
        lines.append(f"| {r['kind']} | {r['segment_length'] or 'N'} | {r['flops_per_token']:.4g} | "
                     f"{r['predicted_flops_ratio']:.3f} | {r['predicted_op_flops_ratio']:.3f} | "
                     f"{r['measured_time_ratio']:.3f} | "
                     f"{r['seconds_per_gflop']:.3g} | {r['predicted_floats_per_token']:.4g} | "
                     f"{r['predicted_memory_ratio']:.3f} | {r['measured_memory_ratio']:.3f} | "
                     f"{r['measured_over_predicted_floats']:.2f} |")
    lines += ["", result["summary"], ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
