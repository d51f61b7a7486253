#!/usr/bin/env python3
"""A network-config sweep batched against the same sweep one variant at a time (issue #15).

The network: 800 excitatory and 200 inhibitory COBA LIF neurons (exponential Euler), 400 Poisson inputs onto the
excitatory cells through Tsodyks–Markram synapses covered by 100 G-ChI astrocytes on a 10 ms clock (closed loop,
gliotransmission onto the synapses' release probability), E->I and I->E static projections (p = 0.05 and 0.1),
1 s at dt = 0.1 ms. The design: --variants random (seeded) variants of the astrocytes' O_beta, the input rate and
the input weight. Summaries: rate.E, rate.I, mean.A.C.

Each pair runs `glia.sweep(config, chunk=V)` (the chunk is one batch of the network engine) and
`glia.sweep(config, chunk=1)` (each variant a network alone, on all threads), alternating which goes first, with
the same thread count; the ratio is the median over the pairs. Both must give the same summaries, bit for bit.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep_network.py [--variants 64]
       [--pairs 3] [--threads 2] [--quick] [--out DIR]
Writes DIR/bench_sweep_network.{json,md} (experiments/results by default); prints the summary line last.
"""

import argparse
import json
import pathlib
import platform
import statistics
import sys
import time

import numpy as np

import glia

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine_info import cpu_model, git, loadavg  # noqa: E402


def network(duration):
    return {
        "simulation": {"duration": duration, "dt": 1e-4, "seed": 3},
        "groups": [
            {"name": "P", "model": "poisson", "n": 400, "rate": 8.0},
            {"name": "E", "model": "lif_coba", "n": 800, "init": {"v": {"uniform": [-0.07, -0.05]}},
             "positions": {"grid": {"rows": 20, "spacing": 1e-5}}},
            {"name": "I", "model": "lif_coba", "n": 200, "init": {"v": {"uniform": [-0.07, -0.05]}}},
            {"name": "A", "model": "gchi", "n": 100, "dt": 0.01,
             "positions": {"grid": {"rows": 10, "spacing": 2e-5}}},
        ],
        "projections": [
            {"name": "PE", "source": "P", "target": "E", "receptor": "g_e", "weight": 2e-9,
             "connect": {"rule": "fixed_probability", "p": 0.05}, "model": "tsodyks_markram", "preset": "stimberg",
             "astrocytes": {"group": "A", "gliotransmission": {"O_G": 1.5, "alpha": 0.0}}},
            {"name": "EI", "source": "E", "target": "I", "receptor": "g_e", "weight": 1e-9,
             "connect": {"rule": "fixed_probability", "p": 0.05}},
            {"name": "IE", "source": "I", "target": "E", "receptor": "g_i", "weight": 3e-9,
             "connect": {"rule": "fixed_probability", "p": 0.1}},
        ],
    }


def config(variants, duration):
    return {
        "model": "network", "network": network(duration),
        "design": {"random": {"n": variants, "seed": 7, "ranges": {
            "groups.A.params.O_beta": [0.5, 5.0], "groups.P.rate": [4.0, 12.0],
            "projections.PE.weight": [4e-9, 1e-8]}}},
        "summaries": ["rate.E", "rate.I", "mean.A.C"],
        "transient": 0.1,
    }


def timed(cfg, chunk, threads):
    t0 = time.perf_counter()
    r = glia.sweep(cfg, chunk=chunk, threads=threads)
    return time.perf_counter() - t0, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", type=int, default=64)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", type=float, default=1.0)
    ap.add_argument("--quick", action="store_true", help="smoke run (8 variants of 0.2 s, 1 pair); not a result")
    ap.add_argument("--out", type=pathlib.Path, default=HERE.parents[0] / "results")
    a = ap.parse_args()
    if a.quick:
        a.variants, a.pairs, a.duration = 8, 1, 0.2
    cfg = config(a.variants, a.duration)
    load_start = loadavg()
    rows, same = [], True
    for k in range(a.pairs):
        order = ["batched", "one_by_one"] if k % 2 == 0 else ["one_by_one", "batched"]
        t, res = {}, {}
        for which in order:
            t[which], res[which] = timed(cfg, a.variants if which == "batched" else 1, a.threads)
        for name in res["batched"].summaries:
            same = same and np.array_equal(res["batched"].summaries[name], res["one_by_one"].summaries[name])
        ok = bool(res["batched"].ok.all())
        rows.append({"pair": k + 1, "batched_s": t["batched"], "one_by_one_s": t["one_by_one"],
                     "ratio": t["one_by_one"] / t["batched"], "all_ok": ok})
        print(f"pair {k + 1}: batched {t['batched']:.2f} s, one by one {t['one_by_one']:.2f} s, "
              f"ratio {rows[-1]['ratio']:.2f}, same summaries: {same}", flush=True)
    ratio = statistics.median(r["ratio"] for r in rows)
    mean_rate = float(np.mean(res["batched"].summaries["rate.E"]))
    command = "PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep_network.py" + (
        " --quick" if a.quick else "")
    result = {
        "meta": {"command": command, "quick": a.quick, "variants": a.variants, "pairs": a.pairs, "threads": a.threads,
                 "duration_s": a.duration, "commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain")),
                 "machine": platform.node(), "cpu": cpu_model(), "load_start": load_start, "load_end": loadavg(),
                 "network": "800 E + 200 I COBA LIF, 400 Poisson, 100 G-ChI astrocytes, TM synapses with gliotransmission"},
        "rows": rows, "median_ratio_one_by_one_over_batched": ratio, "same_summaries": same,
        "mean_rate_E_hz": mean_rate,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bench_sweep_network.json").write_text(json.dumps(result, indent=1))
    summary = (f"glia sweep, {a.variants} variants of a 1000-neuron network with 100 astrocytes ({a.duration:g} s, "
               f"{a.threads} threads): batched {ratio:.2f}x one by one, same summaries: {same}; "
               f"load {load_start} -> {result['meta']['load_end']}")
    md = ["# Network-config sweep: one batch vs one variant at a time", "",
          "| pair | batched (s) | one by one (s) | ratio |", "| --- | ---: | ---: | ---: |"]
    md += [f"| {r['pair']} | {r['batched_s']:.2f} | {r['one_by_one_s']:.2f} | {r['ratio']:.2f} |" for r in rows]
    md += ["", summary, "", f"Reproduce: `{command}`"]
    (a.out / "bench_sweep_network.md").write_text("\n".join(md) + "\n")
    print(summary)


if __name__ == "__main__":
    main()
