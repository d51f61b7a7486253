#!/usr/bin/env python3
"""`mpirun -np N glia sweep` against one process (issue #15): throughput ratio on this machine and the files equal.

The sweep is bench_sweep.py's tripartite design (random O_beta and Poisson rate; RK4 at 1 ms), --variants of
--duration biological seconds. Each pair runs, one after the other, `glia sweep CONFIG -o A --threads 1` and
`mpirun -np N glia sweep CONFIG -o B --threads 1` (fresh files; wall time of the whole command, MPI start-up
included), alternating which goes first; the ratio one-process / N-process wall time is the median over the pairs.
Every N-process file is compared with the one-process file (every dataset equal, NaNs included). With N ranks on a
machine with at least N free cores the ideal ratio is N; the issue asks ≥ 1.7 at N = 2 on a quiet 2-core machine
(the load average is recorded at start and end).

Usage: PYTHONPATH=build/python /usr/bin/python3 experiments/benchmarks/bench_sweep_mpi.py [--ranks 2] [--pairs 3]
       [--variants 20000] [--duration 20] [--quick] [--out DIR]
Writes DIR/bench_sweep_mpi.{json,md} (experiments/results by default); prints the summary line last.
"""

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from bench_sweep import config  # noqa: E402  (the same design as the single-machine benchmark)
from machine_info import cpu_model, git, loadavg  # noqa: E402

MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env={**os.environ, **MPI_ENV})
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} exited {p.returncode}: {p.stderr}")
    return time.perf_counter() - t0


def same_file(a, b):
    def datasets(path):
        out = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        return out
    da, db = datasets(a), datasets(b)
    return set(da) == set(db) and all(
        np.array_equal(np.asarray(da[k]), np.asarray(db[k]), equal_nan=np.asarray(da[k]).dtype.kind == "f")
        for k in da)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--variants", type=int, default=20000)
    ap.add_argument("--duration", type=float, default=20.0, help="biological seconds per variant")
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--quick", action="store_true", help="smoke run (1000 variants of 5 s, 1 pair); not a result")
    ap.add_argument("--glia", type=pathlib.Path, default=ROOT / "build" / "glia")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "experiments" / "results")
    args = ap.parse_args(argv)
    if args.quick:
        args.variants, args.duration, args.pairs = 1000, 5.0, 1
    mpirun = shutil.which("mpirun")
    if not mpirun:
        raise SystemExit("mpirun is not installed (scripts/install-deps.sh installs openmpi-bin)")
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench_sweep_mpi_"))
    cfg = tmp / "sweep.json"
    c = config(args.variants, args.duration)
    c["chunk"] = args.chunk
    c.pop("output", None)
    cfg.write_text(json.dumps(c))
    load_start = loadavg()
    one_s, many_s, equal = [], [], []
    for k in range(args.pairs):
        a, b = tmp / f"one{k}.h5", tmp / f"many{k}.h5"
        one_cmd = [args.glia, "sweep", cfg, "-o", a, "--threads", "1", "-q"]
        many_cmd = [mpirun, "-np", args.ranks, args.glia, "sweep", cfg, "-o", b, "--threads", "1", "-q"]
        if k % 2 == 0:
            one_s.append(timed(one_cmd))
            many_s.append(timed(many_cmd))
        else:
            many_s.append(timed(many_cmd))
            one_s.append(timed(one_cmd))
        equal.append(same_file(a, b))
        print(f"pair {k + 1}: one process {one_s[-1]:.3g} s, {args.ranks} ranks {many_s[-1]:.3g} s, ratio "
              f"{one_s[-1] / many_s[-1]:.3g}, same file: {equal[-1]}", flush=True)
        a.unlink()
        b.unlink()
    ratio = statistics.median(o / m for o, m in zip(one_s, many_s))
    throughput = args.variants * args.duration / statistics.median(many_s)
    summary = (f"glia sweep, {args.variants} tripartite variants x {args.duration:g} s: mpirun -np {args.ranks} "
               f"{ratio:.2f}x one process ({throughput:.3g} variant-s per wall s), files equal: {all(equal)}; "
               f"load {load_start} -> {loadavg()}")
    result = {"benchmark": "bench_sweep_mpi", "quick": args.quick, "ranks": args.ranks, "variants": args.variants,
              "duration": args.duration, "chunk": args.chunk, "one_process_s": one_s, "mpi_s": many_s,
              "ratio_median": ratio, "files_equal": all(equal), "summary": summary,
              "provenance": {"command": " ".join(["/usr/bin/python3", "experiments/benchmarks/bench_sweep_mpi.py"]
                                                 + (argv if argv is not None else sys.argv[1:])),
                             "commit": git("rev-parse", "HEAD"), "cpu": cpu_model(), "cores": os.cpu_count(),
                             "loadavg_start": load_start, "loadavg_end": loadavg(),
                             "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
    shutil.rmtree(tmp, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench_sweep_mpi_quick" if args.quick else "bench_sweep_mpi"
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(
        f"# mpirun -np {args.ranks} glia sweep vs one process\n\n| pair | one process (s) | {args.ranks} ranks (s) | "
        "ratio |\n| --- | ---: | ---: | ---: |\n"
        + "".join(f"| {k + 1} | {o:.3g} | {m:.3g} | {o / m:.3g} |\n" for k, (o, m) in enumerate(zip(one_s, many_s)))
        + f"\n{summary}\n\nReproduce: `{result['provenance']['command']}`\n")
    print(summary)


if __name__ == "__main__":
    main()
