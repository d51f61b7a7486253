#!/usr/bin/python3
"""Benchmark (not a test): glia vs Brian 2.5.1 C++ standalone on the Stimberg et al. (2018) Fig. 6 network
(3,200 E + 800 I COBA LIF, 3,200 G-ChI astrocytes, ~1.28 M Tsodyks-Markram synapses with Y_S and Gamma_S,
IP3 coupling, 0.1 ms / 10 ms clocks), side by side in one run, plus a scaling sweep of glia alone.

Models: glia runs experiments/configs/fig6_config.py's config, Brian runs experiments/reference/brian_fig6.py (same
parameters, same geometry and tripartite rule, same clocks and integrators; connectivity and random initial
values are drawn by each simulator from the same seed, so the networks are statistically, not bitwise, equal).
Both record the same things (spikes of E, I, astrocyte releases, astrocyte C every 10 ms).

Measurement (BENCHMARKS.md: ratios measured side by side, A,B,A,B..., median of >= 5 pairs):
* Brian's binaries are generated and compiled first, one per (build, threads, duration) (build time reported
  separately); each is run once untimed (warm-up; its statistics are kept). Two Brian builds by default
  (brian_fig6.py): `example`, the example's structure, and `lean`, the same without the dead Y_S/Gamma_S state
  of the I-source synapses (identical results, about half the synapse work) -- the fair reference.
* Then for each pair p and thread count n in (1, 2) and duration d in (d1, d2): run glia, then each Brian
  binary (A, B, C), each as a subprocess timed by wall clock, peak RSS from os.wait4 (through the
  minimal launcher brian_fig6.LAUNCHER, so the RSS is the simulator's own; floor ~6 MB). glia:
  `GLIA simulate CONFIG.json -o OUT.h5 -q --threads n`; Brian: `BUILD/main` in its project directory
  (threads = 1 is Brian's serial build, openmp_threads = 0; n > 1 is OpenMP with n threads).
* Cost per biological second = (median T(d2) - median T(d1)) / (d2 - d1): process start, config parsing,
  network construction and writing results cancel. Per-pair ratios Brian/glia of that cost are reported too
  (median over pairs). Total wall seconds and peak RSS (max over runs) of each are reported as measured.
* Scaling sweep (glia alone): scales s with 1.28e6 s^2 synapses from ~1e3 to ~1e6; per scale the cost per
  biological second by the same difference (median of `--sweep-repeats` runs), and the slope of log(cost) vs
  log(synapses) (least squares). Fan-in grows with s (fixed p), so the spike rate changes with scale: the
  spike counts are reported beside the cost.

Writes experiments/results/bench_fig6.json and bench_fig6.md (or NAME.json/md with --name; the run over the
active part, durations 2 and 4 s that include the stimulus, is bench_fig6_active) (machine, build type, glia commit, Brian version,
thread counts) and prints a one-line summary last.

Usage (Debian's python3; long: ~15 min with the defaults on 2 cores, most of it Brian):
  nice -n 5 /usr/bin/python3 experiments/benchmarks/bench_fig6.py [--pairs 5] [--durations 0.2 0.6]
      [--threads 1 2] [--scale 1] [--glia build/apps/glia] [--no-sweep] [--sweep-durations 1 3]
      [--out-dir experiments/results] [--work-dir DIR]
Quick look: --pairs 1 --durations 0.1 0.3 --no-sweep.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import shutil
import statistics as st
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments" / "configs"))
sys.path.insert(0, str(ROOT / "experiments" / "reference"))
from fig6_config import fig6_config, read_glia_fig6  # noqa: E402
from fig6_geometry import sizes  # noqa: E402
from brian_fig6 import launcher_cmd  # noqa: E402

BRIAN_SCRIPT = ROOT / "experiments" / "reference" / "brian_fig6.py"
PY = "/usr/bin/python3"


def find_glia(given: str | None) -> pathlib.Path:
    for c in ([given] if given else []) + ["build/apps/glia", "build/glia"]:
        p = (ROOT / c) if not os.path.isabs(c) else pathlib.Path(c)
        if p.is_file() and os.access(p, os.X_OK):
            return p
    raise SystemExit(f"glia binary not found ({given or 'build/apps/glia, build/glia'}); run scripts/build.sh")


def timed(cmd: list[str], cwd=None) -> tuple[float, int]:
    """Runs cmd under brian_fig6's minimal launcher (fork + exec + os.wait4, so the peak RSS is the command's and
    not that of this Python); returns (wall seconds, peak RSS bytes). Raises on failure."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        ru_file = tmp.name
    try:
        proc = subprocess.run(launcher_cmd(ru_file, cmd), cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        ru = json.loads(pathlib.Path(ru_file).read_text())
    finally:
        os.unlink(ru_file)
    return ru["wall_s"], int(ru["peak_rss_bytes"])


def machine_info(glia: pathlib.Path) -> dict:
    info = {"platform": platform.platform(), "python": sys.version.split()[0], "cores": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
    except OSError:
        pass
    cache = glia.parent / "CMakeCache.txt"
    if not cache.exists():
        cache = glia.parent.parent / "CMakeCache.txt"
    if cache.exists():
        for line in cache.read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                info["glia_build_type"] = line.split("=", 1)[1]
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa
    info["glia_commit"] = git("rev-parse", "HEAD")
    info["glia_worktree_dirty"] = bool(git("status", "--porcelain", "--untracked-files=no"))
    info["glia_binary"] = str(glia.relative_to(ROOT) if glia.is_relative_to(ROOT) else glia)
    import brian2
    info["brian_version"] = brian2.__version__
    return info


def write_config(path: pathlib.Path, scale: float, duration: float, seed: int) -> pathlib.Path:
    path.write_text(json.dumps(fig6_config(scale, duration, seed, "stats", str(path.with_suffix(".h5")))))
    return path


def build_brian(work: pathlib.Path, scale: float, duration: float, threads: int, seed: int, lean: bool) -> dict:
    """Generates, compiles and runs once (warm-up, statistics) in a fresh Python process. Builds of one
    (variant, threads) share a project directory, so a second duration recompiles only what changed; the
    finished project is then copied to its own directory (the binary uses paths relative to it)."""
    tag = f"brian_s{scale:g}_t{threads}{'_lean' if lean else ''}"
    shared = work / tag
    out = work / f"{tag}_d{duration:g}.json"
    cmd = ["nice", "-n", "5", PY, str(BRIAN_SCRIPT), "--scale", str(scale), "--duration", str(duration),
           "--threads", str(threads), "--seed", str(seed), "--build-dir", str(shared), "--out", str(out)]
    if lean:
        cmd.append("--lean")
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    r = json.loads(out.read_text())
    d = work / f"{tag}_d{duration:g}"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(shared, d, symlinks=True)
    r["dir"] = str(d)
    return r


def glia_run(glia, cfg: pathlib.Path, threads: int) -> tuple[float, int, dict]:
    out = cfg.with_suffix(".h5")
    wall, rss = timed([str(glia), "simulate", str(cfg), "-o", str(out), "-q", "--threads", str(threads)])
    return wall, rss, out


def cost(times: dict, d1: float, d2: float) -> float:
    return (st.median(times[d2]) - st.median(times[d1])) / (d2 - d1)


def sweep(glia, work: pathlib.Path, durations, seed: int, repeats: int, threads: int, targets) -> dict:
    d1, d2 = durations
    rows = []
    for n_syn in targets:
        s = math.sqrt(n_syn / 1.28e6)
        T = {d1: [], d2: []}
        internal = []
        rss = 0
        for rep in range(repeats):
            for d in (d1, d2):
                cfg = write_config(work / f"sweep_s{s:.4f}_d{d:g}.json", s, d, seed)
                w, r, h5 = glia_run(glia, cfg, threads)
                T[d].append(w)
                rss = max(rss, r)
                if d == d2:
                    res = read_glia_fig6(h5)
                    internal.append(res["attrs"].get("run_seconds", float("nan")) / d2)
                    syn = _synapse_count(h5)
                    spikes = len(res["spikes"]["E"][0]) + len(res["spikes"]["I"][0])
        c = cost(T, d1, d2)
        row = {"scale": s, "target_synapses": n_syn, "synapses": syn, **sizes(s), "seconds_per_bio_second": c,
               "glia_internal_run_seconds_per_bio_second": st.median(internal), "spikes_per_bio_second": spikes / d2,
               "median_wall_s": {str(d1): st.median(T[d1]), str(d2): st.median(T[d2])}, "peak_rss_bytes": rss}
        rows.append(row)
        print(f"  sweep: {syn:>9d} synapses (s = {s:.3f}): {c:.4g} s per bio-s "
              f"(internal {row['glia_internal_run_seconds_per_bio_second']:.4g}), {spikes / d2:.0f} spikes/s",
              flush=True)
    ok = [r for r in rows if r["seconds_per_bio_second"] > 0]
    fit = {}
    for key in ("seconds_per_bio_second", "glia_internal_run_seconds_per_bio_second"):
        for label, sel in (("all", ok), ("from_1e5_synapses", [r for r in ok if r["synapses"] >= 0.9e5])):
            if len(sel) < 2:
                continue
            slope, icpt = np.polyfit(np.log10([r["synapses"] for r in sel]), np.log10([r[key] for r in sel]), 1)
            fit.setdefault(key, {})[label] = {"slope": float(slope), "intercept": float(icpt), "points": len(sel)}
        fit[key]["slope"] = fit[key]["all"]["slope"]
    return {"threads": threads, "durations_s": [d1, d2], "repeats": repeats, "rows": rows, "loglog_fit": fit}


def _synapse_count(h5) -> int:
    import h5py
    with h5py.File(h5, "r") as f:
        return int(sum(int(f["projections"][p].attrs["synapses"]) for p in f["projections"]))


def markdown(R: dict) -> str:
    m = R["machine"]
    lines = ["# Fig. 6 network: glia vs Brian 2 C++ standalone",
             "",
             f"Generated by `experiments/benchmarks/bench_fig6.py` on {R['date']}. Machine: {m.get('cpu_model', '?')}, "
             f"{m['cores']} cores (shared); glia {m.get('glia_build_type', '?')} build at {m['glia_commit'][:12]}"
             f"{' (dirty tree)' if m['glia_worktree_dirty'] else ''}; Brian {m['brian_version']} "
             f"(threads = 1: serial build; 2: OpenMP). Scale {R['scale']:g} "
             f"({R['n_synapses_brian']} synapses in Brian, {R['n_synapses_glia']} in glia), "
             f"durations {R['durations_s'][0]:g} s and {R['durations_s'][1]:g} s, {R['pairs']} pairs (A,B alternating).",
             "",
             "Cost per biological second = (T(d2) − T(d1)) / (d2 − d1) of whole-process wall times (setup cancels).",
             "",
             "| threads | Brian build | glia s/bio-s | Brian s/bio-s | Brian/glia (medians) | "
             "Brian/glia (median of pairs) | glia peak RSS | Brian peak RSS | Brian build s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, r in R["side_by_side"].items():
        for key in [k for k in r if k.startswith("brian_")]:
            b = r[key]
            lines.append(f"| {n} | {key[6:]} | {r['glia']['seconds_per_bio_second']:.3g} | "
                         f"{b['seconds_per_bio_second']:.3g} | {b['ratio_brian_over_glia']:.1f}× | "
                         f"{b['ratio_median_of_pairs']:.1f}× | {r['glia']['peak_rss_bytes'] / 2**20:.0f} MiB | "
                         f"{b['peak_rss_bytes'] / 2**20:.0f} MiB | {b['build_seconds']:.0f} |")
    lines += ["", "Brian builds: `example` keeps the example's structure (Y_S and Gamma_S stepped on every synapse, "
                  "also on the I-source ones where nothing reads them); `lean` drops that dead state (identical "
                  "results). The fair ratio is against `lean`.",
              "", f"Load average (1 min) sampled during the pairs: {R['load_average_1min']['min']:.1f} to "
                  f"{R['load_average_1min']['max']:.1f} on {m['cores']} cores"
                  + (" — the machine was busy with other work, which slows every contender and OpenMP teams "
                     "most: treat the 2-thread figures with caution." if R['load_average_1min']['max'] > m['cores']
                     else "."),
              "", "Total wall seconds per run (median): " + "; ".join(
        f"{n} thread(s): " + ", ".join(
            f"{sim} " + "/".join(f"{v:.2f}" for v in r[sim]["median_wall_s"].values()) for sim in r)
        for n, r in R["side_by_side"].items()) + f" (at {R['durations_s'][0]:g}/{R['durations_s'][1]:g} s)."]
    lines += ["", "Statistics of the d2 runs (the models must agree; short runs, so only roughly):", "",
              "| run | E rate (Hz) | I rate (Hz) | releases | mean C (µM) |", "| --- | --- | --- | --- | --- |"]
    for name, s in R["statistics"].items():
        lines.append(f"| {name} | {s['rate_E_Hz_overall']:.3f} | {s['rate_I_Hz_overall']:.3f} | "
                     f"{s['releases_total']} | {s.get('mean_C_uM', float('nan')):.4f} |")
    if R.get("sweep"):
        sw = R["sweep"]
        lines += ["", f"Scaling of glia alone ({sw['threads']} thread(s), durations {sw['durations_s'][0]:g}/"
                      f"{sw['durations_s'][1]:g} s, median of {sw['repeats']}):", "",
                  "| synapses | scale | s per bio-s (wall diff) | s per bio-s (glia run_seconds) | spikes per bio-s |",
                  "| --- | --- | --- | --- | --- |"]
        for r in sw["rows"]:
            lines.append(f"| {r['synapses']} | {r['scale']:.3f} | {r['seconds_per_bio_second']:.3g} | "
                         f"{r['glia_internal_run_seconds_per_bio_second']:.3g} | {r['spikes_per_bio_second']:.0f} |")
        f = sw["loglog_fit"]
        def sl(key):
            t = f"{f[key]['all']['slope']:.2f} over all sizes"
            if "from_1e5_synapses" in f[key]:
                t += f", {f[key]['from_1e5_synapses']['slope']:.2f} from 1e5 synapses"
            return t
        lines += ["", f"Log-log slope of cost vs synapses: {sl('seconds_per_bio_second')} (wall difference); "
                      f"{sl('glia_internal_run_seconds_per_bio_second')} (glia's own run_seconds). Small networks "
                      "are dominated by the fixed per-step cost (10,000 steps per biological second), which "
                      "flattens the slope over all sizes."]
    lines += ["", f"Summary: {R['summary']}", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="glia vs Brian 2 C++ standalone on the Stimberg Fig. 6 network")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--durations", type=float, nargs=2, default=[0.2, 0.6], metavar=("D1", "D2"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=28371)
    ap.add_argument("--glia", default=None, help="glia binary (default build/apps/glia or build/glia)")
    ap.add_argument("--brian-variants", nargs="+", default=["lean", "example"], choices=["lean", "example"],
                    help="Brian builds to run: lean (brian_fig6.py --lean, no dead state) and/or example")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--sweep-durations", type=float, nargs=2, default=[1.0, 3.0])
    ap.add_argument("--sweep-repeats", type=int, default=3)
    ap.add_argument("--sweep-threads", type=int, default=1)
    ap.add_argument("--sweep-synapses", type=float, nargs="+", default=[1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6])
    ap.add_argument("--out-dir", default=str(ROOT / "experiments" / "results"))
    ap.add_argument("--name", default="bench_fig6",
                    help="stem of the result files (bench_fig6_active for the run over the stimulus, --durations 2 4)")
    ap.add_argument("--work-dir", default=None, help="keep builds and configs here (default: a temp dir)")
    a = ap.parse_args(argv)
    d1, d2 = sorted(a.durations)
    glia_built = find_glia(a.glia)
    work = pathlib.Path(a.work_dir or tempfile.mkdtemp(prefix="bench_fig6_"))
    work.mkdir(parents=True, exist_ok=True)
    glia = work / "glia"  # a private copy: a rebuild during the benchmark must not change what is measured
    shutil.copy2(glia_built, glia)
    R = {"benchmark": "fig6", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
         "machine": machine_info(glia_built), "scale": a.scale, "seed": a.seed, "durations_s": [d1, d2],
         "pairs": a.pairs, "threads": a.threads, "brian_variants": a.brian_variants}
    print(f"bench_fig6: glia {R['machine']['glia_binary']} ({R['machine'].get('glia_build_type', '?')}), "
          f"Brian {R['machine']['brian_version']}, scale {a.scale:g}, durations {d1:g}/{d2:g} s, "
          f"{a.pairs} pairs, threads {a.threads}; work dir {work}", flush=True)

    # Brian builds (one per variant x threads x duration) with a warm-up run each.
    V = a.brian_variants
    brian = {}
    for v in V:
        for n in a.threads:
            for d in (d1, d2):
                t0 = time.perf_counter()
                b = brian[(v, n, d)] = build_brian(work, a.scale, d, n, a.seed, v == "lean")
                print(f"  Brian {v} built and warmed up: {n} thread(s), {d:g} s (build {b['build_seconds']:.0f} s, "
                      f"warm-up run {b['run_seconds']:.1f} s, {time.perf_counter() - t0:.0f} s in all)", flush=True)
    cfgs = {d: write_config(work / f"glia_s{a.scale:g}_d{d:g}.json", a.scale, d, a.seed) for d in (d1, d2)}
    glia_run(glia, cfgs[d1], 1)  # warm-up (page cache)

    loads = [os.getloadavg()[0]]
    sims = ["glia"] + [f"brian_{v}" for v in V]
    T = {(sim, n, d): [] for sim in sims for n in a.threads for d in (d1, d2)}
    rss = {(sim, n): 0 for sim in sims for n in a.threads}
    glia_h5 = {}
    for p in range(a.pairs):
        for n in a.threads:
            for d in (d1, d2):
                # A, B(, C): glia, then each Brian build, back to back
                w, r, h5 = glia_run(glia, cfgs[d], n)
                T[("glia", n, d)].append(w)
                rss[("glia", n)] = max(rss[("glia", n)], r)
                glia_h5[(n, d)] = h5
                for v in V:
                    w_b, r_b = timed(["./main"], cwd=brian[(v, n, d)]["dir"])
                    T[(f"brian_{v}", n, d)].append(w_b)
                    rss[(f"brian_{v}", n)] = max(rss[(f"brian_{v}", n)], r_b)
            loads.append(os.getloadavg()[0])
            print(f"  pair {p + 1}/{a.pairs}, {n} thread(s), load {loads[-1]:.1f}, wall {d1:g}/{d2:g} s: " + ", ".join(
                f"{sim} {T[(sim, n, d1)][-1]:.2f}/{T[(sim, n, d2)][-1]:.2f} s" for sim in sims), flush=True)

    def summary_of(sim, n, times):
        return {"seconds_per_bio_second": cost(times, d1, d2), "wall_s": {str(d): times[d] for d in (d1, d2)},
                "median_wall_s": {str(d): st.median(times[d]) for d in (d1, d2)}, "peak_rss_bytes": rss[(sim, n)]}

    side = {}
    stats = {}
    for n in a.threads:
        tg = {d: T[("glia", n, d)] for d in (d1, d2)}
        gres = read_glia_fig6(glia_h5[(n, d2)])
        stats[f"glia_{n}thr"] = gres["statistics"]
        entry = {"glia": {**summary_of("glia", n, tg), "internal_run_seconds_d2": gres["attrs"].get("run_seconds"),
                          "internal_setup_seconds_d2": gres["attrs"].get("setup_seconds")}}
        cg = entry["glia"]["seconds_per_bio_second"]
        for v in V:
            tb = {d: T[(f"brian_{v}", n, d)] for d in (d1, d2)}
            per_pair = [(tb[d2][k] - tb[d1][k]) / (tg[d2][k] - tg[d1][k]) for k in range(a.pairs)
                        if tg[d2][k] > tg[d1][k]]
            b2 = brian[(v, n, d2)]
            stats[f"brian_{v}_{n}thr"] = b2["statistics"]
            e = summary_of(f"brian_{v}", n, tb)
            e.update({"build_seconds": max(brian[(v, n, d)]["build_seconds"] for d in (d1, d2)),
                      "openmp_threads": b2["openmp_threads"],
                      "internal_network_run_seconds_d2_warmup": b2.get("brian_internal_run_seconds")})
            e["ratio_brian_over_glia"] = e["seconds_per_bio_second"] / cg if cg > 0 else float("inf")
            e["ratio_median_of_pairs"] = st.median(per_pair) if per_pair else float("nan")
            entry[f"brian_{v}"] = e
        side[str(n)] = entry
    R["n_synapses_brian"] = sum(brian[(V[0], a.threads[0], d2)]["n_synapses"].values())
    R["n_synapses_glia"] = _synapse_count(glia_h5[(a.threads[0], d2)])
    R["glia_result_git_commit"] = read_glia_fig6(glia_h5[(a.threads[0], d2)])["attrs"].get("git_commit")
    R["load_average_1min"] = {"samples": loads, "min": min(loads), "max": max(loads)}
    R["side_by_side"] = side
    R["statistics"] = stats
    R["brian_builds"] = {f"{v}_{n}thr_{d:g}s": {k: val for k, val in b.items() if k != "statistics"}
                         for (v, n, d), b in brian.items()}

    if not a.no_sweep:
        print(f"scaling sweep of glia ({a.sweep_threads} thread(s)):", flush=True)
        R["sweep"] = sweep(glia, work, sorted(a.sweep_durations), a.seed, a.sweep_repeats, a.sweep_threads,
                           [int(x) for x in a.sweep_synapses])

    parts = []
    for v in V:
        parts.append(f"Brian {v}/glia " + ", ".join(
            f"{side[str(n)][f'brian_{v}']['ratio_brian_over_glia']:.1f}x at {n} thr" for n in a.threads))
    rss_g = max(rss[("glia", n)] for n in a.threads) / 2**20
    rss_b = {v: max(rss[(f"brian_{v}", n)] for n in a.threads) / 2**20 for v in V}
    R["summary"] = (f"fig6 scale {a.scale:g}: " + "; ".join(parts) + " (s per bio-s: glia "
                    + "/".join(f"{side[str(n)]['glia']['seconds_per_bio_second']:.3g}" for n in a.threads) + ", "
                    + ", ".join(f"Brian {v} " + "/".join(f"{side[str(n)][f'brian_{v}']['seconds_per_bio_second']:.3g}"
                                                        for n in a.threads) for v in V)
                    + f" at {'/'.join(map(str, a.threads))} thr); peak RSS glia {rss_g:.0f} MiB, "
                    + ", ".join(f"Brian {v} {rss_b[v]:.0f} MiB" for v in V))
    if R.get("sweep"):
        R["summary"] += f"; glia scaling slope {R['sweep']['loglog_fit']['seconds_per_bio_second']['slope']:.2f}"
        big = R["sweep"]["loglog_fit"]["seconds_per_bio_second"].get("from_1e5_synapses")
        if big:
            R["summary"] += f" ({big['slope']:.2f} from 1e5 synapses)"
    out = pathlib.Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    R["command"] = "/usr/bin/python3 experiments/benchmarks/bench_fig6.py " + " ".join(sys.argv[1:])
    (out / f"{a.name}.json").write_text(json.dumps(R, indent=2) + "\n")
    (out / f"{a.name}.md").write_text(markdown(R))
    print(f"wrote {out / (a.name + '.json')} and {out / (a.name + '.md')}")
    if not a.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    print(R["summary"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
