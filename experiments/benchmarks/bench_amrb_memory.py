#!/usr/bin/env python3
"""Peak memory of an rmaat training step with AMRB against BPTT over T = 1 ... 64 segments (BENCHMARKS.md,
"Networks": AMRB vs BPTT; NETWORKS.md section 4). AMRB keeps only the memory buffer mem_1 ... mem_{T+1} (O(T M d))
plus one segment's activations, so its peak must be flat in T apart from that buffer; BPTT keeps every segment's
activations, linear in T. The goal: at T = 16 AMRB uses <= 1/3 of BPTT's peak memory (the RMAAT paper reports
4.41x).

Config: rmaat, segment_length 128, memory_tokens 8, max_length = 128 T, d_model 64, 4 heads, 2 layers, ffn 128,
vocab 16, 10 classes, dropout 0.1, batch 8 (--quick: batch 2, 1 layer, T = 1 ... 8). For each T, in this order,
fresh processes: `glia bench nn CFG.json --batch-size 8 --steps 1 --warmup 0 --threads N --strategy bptt`, the same
with `--strategy amrb`, and (T <= --torch-max-t, 16 by default) the PyTorch reference's step with full autograd
(BPTT; experiments/benchmarks/bench_nn_step.py --torch-worker, float32, no dropout). Each process reports its peak
RSS (getrusage ru_maxrss) and its RSS before the first step (VmRSS after building model, optimizer and batch); the
step's own memory ("activation memory") is peak - before. The figures are the BPTT/AMRB ratios of peaks and of
activation memory per T, and least-squares slopes of activation memory against T (MiB per segment): BPTT's is the
per-segment activation cost, AMRB's should be about the buffer's B M d 4 bytes per segment.

Memory does not depend on timing, so one thread (--threads 1) is the default: the machine is shared and memory is
the figure here (the reported step seconds are incidental). Peak RSS is deterministic up to allocator page
granularity; --repeats > 1 re-runs each process and keeps the median.

Usage: /usr/bin/python3 experiments/benchmarks/bench_amrb_memory.py [--quick] [--glia build/glia] [--out DIR]
Writes DIR/bench_amrb_memory.{json,md,png} (DIR = experiments/results by default); prints the summary line last.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "experiments" / "results"
sys.path.insert(0, str(HERE))
import bench_nn_step as common  # noqa: E402  (meta helpers and the PyTorch worker)

FULL = {"vocab_size": 16, "num_classes": 10, "d_model": 64, "heads": 4, "layers": 2, "ffn": 128,
        "segment_length": 128, "memory_tokens": 8, "dropout": 0.1, "batch_size": 8,
        "segments": [1, 2, 4, 8, 16, 32, 64]}
QUICK = dict(FULL, layers=1, batch_size=2, segments=[1, 2, 4, 8])
TARGET_T, TARGET_RATIO, PAPER_RATIO = 16, 3.0, 4.41


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny smoke run (batch 2, 1 layer, T <= 8); not a result")
    ap.add_argument("--segments", type=str, default=None, help="comma-separated T (default 1,2,4,8,16,32,64)")
    ap.add_argument("--threads", type=int, default=1, help="threads of every process (default 1)")
    ap.add_argument("--repeats", type=int, default=1, help="processes per (T, strategy); the median is kept")
    ap.add_argument("--torch-max-t", type=int, default=None,
                    help="largest T at which the PyTorch reference is measured (default 16; --quick 2; 0: never)")
    ap.add_argument("--glia", type=pathlib.Path,
                    default=pathlib.Path(os.environ.get("GLIA_CLI", ROOT / "build" / "glia")),
                    help="glia binary (default $GLIA_CLI or build/glia)")
    ap.add_argument("--out", type=pathlib.Path, default=RESULTS)
    return ap.parse_args(argv)


def fit(ts, ys):
    """Least-squares line y = a + b T: (intercept, slope, r^2)."""
    n = len(ts)
    mt, my = sum(ts) / n, sum(ys) / n
    stt = sum((t - mt) ** 2 for t in ts)
    if stt == 0:
        return my, 0.0, 1.0
    b = sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / stt
    a = my - b * mt
    ss = sum((y - my) ** 2 for y in ys)
    res = sum((y - a - b * t) ** 2 for t, y in zip(ts, ys))
    return a, b, (1 - res / ss) if ss > 0 else 1.0


def median_run(cmd, env, repeats):
    runs = [common.run_json(cmd, env) for _ in range(repeats)]
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    secs = [statistics.median(r["seconds_per_step"]) for r in runs]
    return {"peak_rss_mib": med("peak_rss_mib"), "rss_before_mib": med("rss_before_mib"),
            "activation_mib": statistics.median(r["peak_rss_mib"] - r["rss_before_mib"] for r in runs),
            "seconds_per_step": statistics.median(secs), "peak_rss_runs_mib": [r["peak_rss_mib"] for r in runs],
            "raw": runs[-1]}


def plot(rows, path, shape):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ts = [r["T"] for r in rows]
    for key, label, color in (("bptt", "glia BPTT", "tab:red"), ("amrb", "glia AMRB", "tab:blue")):
        ax.plot(ts, [r[key]["peak_rss_mib"] for r in rows], "o-", color=color, label=f"{label}: peak RSS")
        ax.plot(ts, [r[key]["activation_mib"] for r in rows], "s--", color=color, alpha=0.6,
                label=f"{label}: peak − before")
    tr = [r for r in rows if r.get("torch")]
    if tr:
        ax.plot([r["T"] for r in tr], [r["torch"]["peak_rss_mib"] for r in tr], "^-", color="tab:gray",
                label="PyTorch reference (autograd BPTT): peak RSS")
        ax.plot([r["T"] for r in tr], [r["torch"]["activation_mib"] for r in tr], "v--", color="tab:gray",
                alpha=0.6, label="PyTorch reference: peak − before")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(ts)
    ax.set_xticklabels([str(t) for t in ts])
    ax.set_xlabel("segments T (max_length = 128 T)")
    ax.set_ylabel("MiB")
    ax.set_title(f"rmaat training step memory, batch {shape['batch_size']}, d {shape['d_model']}, "
                 f"{shape['layers']} layers", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    args = parse_args()
    quick = args.quick
    shape = dict(QUICK if quick else FULL)
    segments = [int(x) for x in args.segments.split(",")] if args.segments else shape["segments"]
    torch_max_t = args.torch_max_t if args.torch_max_t is not None else (2 if quick else 16)
    B, M, d, S = shape["batch_size"], shape["memory_tokens"], shape["d_model"], shape["segment_length"]
    if not os.access(args.glia, os.X_OK):
        raise SystemExit(f"glia binary not found at {args.glia} (build it, or pass --glia)")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_amrb_memory_"))
    glia = tmp / "glia"
    shutil.copy2(args.glia, glia)  # a snapshot: a rebuild of the build tree cannot change it mid-run
    env = common.set_thread_env(dict(os.environ), args.threads)
    load_start = common.loadavg()
    rows = []
    glia_meta = {}
    torch_version = None
    for T in segments:
        cfg = {"name": "rmaat", "vocab_size": shape["vocab_size"], "num_classes": shape["num_classes"],
               "max_length": S * T, "d_model": d, "heads": shape["heads"], "layers": shape["layers"],
               "ffn": shape["ffn"], "dropout": shape["dropout"], "segment_length": S, "memory_tokens": M}
        path = tmp / f"rmaat_T{T}.json"
        path.write_text(json.dumps(cfg))
        row = {"T": T, "max_length": S * T}
        for strategy in ("bptt", "amrb"):
            cmd = [str(glia), "bench", "nn", str(path), "--batch-size", str(B), "--steps", "1", "--warmup", "0",
                   "--threads", str(args.threads), "--strategy", strategy]
            r = median_run(cmd, env, args.repeats)
            glia_meta = {k: r["raw"][k] for k in ("glia_version", "git_commit")}
            r.pop("raw")
            row[strategy] = r
            time.sleep(0.2)
        if T <= torch_max_t:
            cmd = [sys.executable, str(HERE / "bench_nn_step.py"), "--torch-worker", str(path), "--batch-size",
                   str(B), "--steps", "1", "--warmup", "0", "--threads", str(args.threads)]
            r = median_run(cmd, env, args.repeats)
            torch_version = r["raw"]["torch_version"]
            r.pop("raw")
            row["torch"] = r
        row["ratio_peak_bptt_over_amrb"] = row["bptt"]["peak_rss_mib"] / row["amrb"]["peak_rss_mib"]
        row["ratio_activation_bptt_over_amrb"] = row["bptt"]["activation_mib"] / row["amrb"]["activation_mib"]
        row["loadavg"] = common.loadavg()
        rows.append(row)
        print(f"T = {T:>2}: peak RSS BPTT {row['bptt']['peak_rss_mib']:.1f} MiB, AMRB {row['amrb']['peak_rss_mib']:.1f}"
              f" MiB (x{row['ratio_peak_bptt_over_amrb']:.2f}); peak - before BPTT {row['bptt']['activation_mib']:.1f}"
              f", AMRB {row['amrb']['activation_mib']:.1f} MiB (x{row['ratio_activation_bptt_over_amrb']:.2f})"
              + (f"; torch peak {row['torch']['peak_rss_mib']:.0f} MiB, peak - before "
                 f"{row['torch']['activation_mib']:.0f} MiB" if "torch" in row else ""), flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    load_end = common.loadavg()

    ts = [r["T"] for r in rows]
    growth = {}
    for key in ("bptt", "amrb"):
        a, b, r2 = fit(ts, [r[key]["activation_mib"] for r in rows])
        growth[key] = {"intercept_mib": a, "slope_mib_per_segment": b, "r2": r2,
                       "activation_first_mib": rows[0][key]["activation_mib"],
                       "activation_last_mib": rows[-1][key]["activation_mib"]}
    tt = [r for r in rows if "torch" in r]
    if len(tt) >= 2:
        a, b, r2 = fit([r["T"] for r in tt], [r["torch"]["activation_mib"] for r in tt])
        growth["torch"] = {"intercept_mib": a, "slope_mib_per_segment": b, "r2": r2}
    buffer_mib = B * M * d * 4 / 2**20
    growth["amrb_buffer_mib_per_segment"] = buffer_mib
    target = next((r for r in rows if r["T"] == TARGET_T), None)
    goal = None
    if target:
        goal = {"T": TARGET_T, "target_ratio": TARGET_RATIO, "paper_ratio": PAPER_RATIO,
                "ratio_peak": target["ratio_peak_bptt_over_amrb"],
                "ratio_activation": target["ratio_activation_bptt_over_amrb"],
                "met": target["ratio_peak_bptt_over_amrb"] >= TARGET_RATIO}

    suffix = " --quick" if quick else ""
    for flag, value, default in (("--segments", args.segments, None), ("--threads", args.threads, 1),
                                 ("--repeats", args.repeats, 1), ("--torch-max-t", args.torch_max_t, None)):
        if value != default:
            suffix += f" {flag} {value}"
    if args.glia.resolve() != (ROOT / "build" / "glia").resolve():
        suffix += f" --glia {args.glia}"
    if args.out.resolve() != RESULTS.resolve():
        suffix += f" --out {args.out}"
    command = "/usr/bin/python3 experiments/benchmarks/bench_amrb_memory.py" + suffix
    meta = {
        "command": command, "quick": quick,
        "machine": {"arch": platform.machine(), "cpu": common.cpu_model(), "cpus": os.cpu_count(),
                    "loadavg_start": load_start, "loadavg_end": load_end},
        "threads": args.threads, "repeats": args.repeats, **common.build_info(args.glia),
        "glia_binary": str(args.glia), "glia_version": glia_meta.get("glia_version"),
        "glia_git_commit": glia_meta.get("git_commit"), "git_commit": common.git("rev-parse", "HEAD"),
        "git_dirty": bool(common.git("status", "--porcelain", "--untracked-files=no")),
        "torch_version": torch_version, "torch_max_t": torch_max_t, "shape": shape, "segments": segments,
        "dtype": "float32",
        "notes": [
            "peak = getrusage ru_maxrss of a fresh process; before = VmRSS after building model, optimizer and "
            "batch; activation = peak - before",
            "glia: one step (--steps 1 --warmup 0), dropout 0.1; the reference: autograd BPTT, no dropout, "
            "its peak includes the torch import",
            f"AMRB's buffer mem_1 ... mem_(T+1) is B M d 4 bytes = {buffer_mib:.4f} MiB per segment",
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_amrb_memory.json").write_text(
        json.dumps({"meta": meta, "goal": goal, "growth": growth, "rows": rows}, indent=2))
    png = args.out / "bench_amrb_memory.png"
    plot(rows, png, shape)

    lines = [
        "# AMRB against BPTT: peak memory of an rmaat training step over T segments",
        "",
        f"rmaat, S = {S}, M = {M}, max_length = {S} T, d_model {d}, {shape['heads']} heads, {shape['layers']} "
        f"layer(s), ffn {shape['ffn']}, batch {B}, float32, dropout {shape['dropout']}; one step per fresh process, "
        f"{args.threads} thread(s). Peak = ru_maxrss; peak − before = the step's own memory (before = RSS after "
        "building model, optimizer and batch).",
        "",
        "| T | BPTT peak (MiB) | AMRB peak (MiB) | BPTT/AMRB peak | BPTT peak − before | AMRB peak − before | "
        "BPTT/AMRB (peak − before) | torch peak (peak − before) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        tc = (f"{r['torch']['peak_rss_mib']:.0f} ({r['torch']['activation_mib']:.0f})" if "torch" in r else "–")
        lines.append(f"| {r['T']} | {r['bptt']['peak_rss_mib']:.1f} | {r['amrb']['peak_rss_mib']:.1f} | "
                     f"**{r['ratio_peak_bptt_over_amrb']:.2f}** | {r['bptt']['activation_mib']:.1f} | "
                     f"{r['amrb']['activation_mib']:.1f} | {r['ratio_activation_bptt_over_amrb']:.2f} | {tc} |")
    g_b, g_a = growth["bptt"], growth["amrb"]
    lines += [
        "",
        f"Growth (least squares of peak − before against T = {ts[0]} … {ts[-1]}): BPTT "
        f"{g_b['slope_mib_per_segment']:.2f} MiB per segment (r² {g_b['r2']:.3f}); AMRB "
        f"{g_a['slope_mib_per_segment']:.3f} MiB per segment (its buffer mem_1 … mem_(T+1) is "
        f"{buffer_mib:.4f} MiB per segment), {g_a['activation_first_mib']:.1f} MiB at T = {ts[0]} and "
        f"{g_a['activation_last_mib']:.1f} MiB at T = {ts[-1]}."
        + (f" PyTorch reference (autograd BPTT): {growth['torch']['slope_mib_per_segment']:.2f} MiB per segment."
           if "torch" in growth else ""),
        "",
        (f"Goal: at T = {TARGET_T} AMRB ≤ 1/{TARGET_RATIO:g} of BPTT's peak — "
         f"{'met' if goal['met'] else 'not met'}: {goal['ratio_peak']:.2f}× peak, {goal['ratio_activation']:.2f}× "
         f"peak − before (the paper reports {PAPER_RATIO}×)." if goal else f"T = {TARGET_T} not measured."),
        "",
        f"{meta['machine']['cpu']}, {meta['machine']['cpus']} CPUs, loadavg {load_start} → {load_end}; glia "
        f"{meta['build_type']} build, commit {meta['glia_git_commit']}; torch {torch_version}. "
        f"Plot: [bench_amrb_memory.png](bench_amrb_memory.png).",
        "",
        f"Reproduce: `{command}`",
    ]
    (args.out / "bench_amrb_memory.md").write_text("\n".join(lines) + "\n")
    head = (f"at T = {TARGET_T} BPTT/AMRB peak {goal['ratio_peak']:.2f}x (peak - before "
            f"{goal['ratio_activation']:.2f}x; goal >= {TARGET_RATIO:g}x: {'met' if goal['met'] else 'NOT met'}, "
            f"paper {PAPER_RATIO}x)" if goal else
            f"at T = {ts[-1]} BPTT/AMRB peak {rows[-1]['ratio_peak_bptt_over_amrb']:.2f}x")
    print(f"summary{' (quick smoke run, not a result)' if quick else ''}: rmaat step memory, {head}; activation "
          f"memory slope BPTT {g_b['slope_mib_per_segment']:.2f} MiB/segment, AMRB "
          f"{g_a['slope_mib_per_segment']:.3f} MiB/segment (buffer {buffer_mib:.4f})")


if __name__ == "__main__":
    main()
