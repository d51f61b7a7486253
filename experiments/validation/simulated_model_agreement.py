#!/usr/bin/env python3
"""A trained at or rmaat model with every attention head run as a neuron-astrocyte simulation (MAPPING.md §1,
issue #6): accuracy and prediction agreement with the operator model on the same test examples.

For each tau_n/tau_p given (--tau-ratio, default 0.01) the first --examples examples of the split are evaluated with
the closed-form operator and with simulated heads (glia.nn.Model.compare_simulated, the same code as
`glia evaluate CHECKPOINT --simulate-heads`): operator and simulated accuracy, prediction agreement (fraction of
identical arg-max predictions), max |logit difference|, wall time. Writes the results as JSON (-o) and a short
Markdown table beside it (same name, .md).

Cost per head and segment ~ N (tau_p/dt) (2m + 2md) 4 flops, tau_p/dt = 1/(tau_ratio dt_ratio): a ListOps-512 rmaat
(d_model 64, 4 heads) takes of the order of a second per example at the default settings on one core; the progress
line on stderr shows the rate and ETA.

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/validation/simulated_model_agreement.py CHECKPOINT
           [--examples 200] [--split test] [--tau-ratio 0.01 [0.001 ...]] [--dt-ratio 1] [--method rk4]
           [--synapse-leak 0] [--threads N] [-o experiments/results/simulated_model_agreement.json]
"""

import argparse
import json
import os
import pathlib
import shlex
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments" / "benchmarks"))
from machine_info import cpu_model, loadavg  # shared provenance helpers  # noqa: E402


def markdown(results, command):
    """A short report: one row per setting."""
    first = results[0]
    lines = [
        "# Trained model with simulated attention heads against the operator",
        "",
        f"`{first['model']}` checkpoint `{first['checkpoint']}` (step {first['checkpoint_step']}), split "
        f"`{first['split']}`, first {first['examples']} examples. Every attention head of every layer and segment runs "
        "as a neuron-astrocyte simulation (real keys presented for tau_p each, then the real queries; c = 1/N_k as in "
        "the operator; docs/training_config.md, \"Running a trained model as a simulation\").",
        "",
        "| tau_n/tau_p | dt/tau_n | method | synapse leak | operator accuracy | simulated accuracy | agreement | "
        "max \\|Δlogit\\| | mean \\|Δlogit\\| | wall (s) | threads |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        s = r["settings"]
        lines.append(
            f"| {s['tau_ratio']:g} | {s['dt_ratio']:g} | {s['method']} | {s['synapse_leak']:g} | "
            f"{r['operator_accuracy']:.4f} | {r['simulated_accuracy']:.4f} | **{r['agreement']:.4f}** "
            f"({r['disagreements']} differ) | {r['max_abs_logit_diff']:.3g} | {r['mean_abs_logit_diff']:.3g} | "
            f"{r['wall_seconds']:.1f} | {r['threads']} |")
    warnings = sorted({w for r in results for w in r["warnings"]})
    lines += ["", f"glia {first['glia_version']}, commit {first['git_commit']}; {cpu_model()}, "
                  f"{os.cpu_count()} CPUs, loadavg {loadavg()}."]
    if warnings:
        lines += ["", "Warnings: " + "; ".join(warnings)]
    lines += ["", f"Reproduce: `{command}`", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", type=pathlib.Path, help="checkpoint.h5 of an at or rmaat run")
    ap.add_argument("--examples", type=int, default=200, help="first N examples of the split (0: all)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--data", default=None, help="data set directory (default: the run's)")
    ap.add_argument("--tau-ratio", type=float, nargs="+", default=[0.01], help="tau_n/tau_p, one run each")
    ap.add_argument("--dt-ratio", type=float, default=1.0, help="dt/tau_n")
    ap.add_argument("--method", default="rk4", choices=["euler", "rk2", "rk4"])
    ap.add_argument("--synapse-leak", type=float, default=0.0)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="OpenMP threads (default: OMP_NUM_THREADS or all)")
    ap.add_argument("-o", "--output", type=pathlib.Path,
                    default=ROOT / "experiments" / "results" / "simulated_model_agreement.json")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    args = ap.parse_args()
    if args.threads > 0:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)  # read when the OpenMP runtime starts, at the import
    import glia  # noqa: E402  (after OMP_NUM_THREADS)
    import glia.nn  # noqa: E402

    model = glia.nn.load(args.checkpoint)
    results = []
    try:
        for ratio in args.tau_ratio:
            r = model.compare_simulated(args.split, examples=args.examples, tau_ratio=ratio, dt_ratio=args.dt_ratio,
                                        method=args.method, synapse_leak=args.synapse_leak, data=args.data,
                                        batch_size=args.batch_size, progress=not args.quiet)
            print(f"tau_n/tau_p {ratio:g}: operator accuracy {r['operator_accuracy']:.4f}, simulated "
                  f"{r['simulated_accuracy']:.4f}, agreement {r['agreement']:.4f}, max |dlogit| "
                  f"{r['max_abs_logit_diff']:.3g}, {r['wall_seconds']:.1f} s")
            results.append(r)
    except glia.ConfigError as e:
        print(f"simulated_model_agreement.py: error: {e}", file=sys.stderr)
        return 2
    command = "PYTHONPATH=build/python /usr/bin/python3 experiments/validation/simulated_model_agreement.py " + \
        " ".join(shlex.quote(a) for a in sys.argv[1:])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    summary = {"command": command, "checkpoint": str(args.checkpoint), "runs": results,
               "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(), "loadavg": loadavg()}}
    args.output.write_text(json.dumps(summary, indent=2) + "\n")
    md = args.output.with_suffix(".md")
    md.write_text(markdown(results, command))
    print(f"wrote {args.output} and {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
