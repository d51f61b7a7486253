#!/usr/bin/env python3
"""GPU benchmarks of scripts/gpu_check.sh (standard library only: the GPU machine's python3 will do).

Times the glia CLI on the GPU and on all CPU cores, side by side, for
* the Stimberg Fig. 6 network (experiments/configs/stimberg_fig6.json): cost per biological second from the
  difference of two durations (setup and writing cancel), over the active part of the run (2 and 4 s: the
  stimulus is on from 2 to 4 s), and the spike counts of both devices (they must agree);
* a tripartite-unit sweep (experiments/configs/sweep_obeta_rate.json, 96 variants of 120 s): variant-seconds per
  wall second on each device.
Writes one JSON file (machine, commit, timings, ratios) and prints a one-line summary last.
"""

import argparse
import json
import os
import pathlib
import platform
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    return wall, p


def fig6(glia, device, duration, work):
    cfg = json.loads((ROOT / "experiments/configs/stimberg_fig6.json").read_text())
    cfg["simulation"]["duration"] = duration
    cfg["simulation"]["device"] = device
    path = work / f"fig6_{device}_{duration:g}.json"
    path.write_text(json.dumps(cfg))
    # One run: its summary on stdout ("E: 4153 spikes ...") costs nothing next to the simulation.
    wall, p = run([glia, "simulate", str(path), "-o", str(work / f"fig6_{device}_{duration:g}.h5")])
    if p.returncode != 0:
        return {"error": p.stderr.strip()[-500:]}
    spikes = {line.split(":")[0].strip(): int(line.split(":")[1].split()[0])
              for line in p.stdout.splitlines() if "spikes" in line}
    return {"wall_s": wall, "spikes": spikes}


def sweep(glia, device, work, grid=None, duration=None, chunk=None):
    """The O_beta x rate sweep; grid=N makes it N x N variants (O_beta 0.5-6, rate 0.1-20 Hz, log-spaced)."""
    cfg = json.loads((ROOT / "experiments/configs/sweep_obeta_rate.json").read_text())
    cfg["device"] = device
    cfg.pop("traces", None)
    if grid:
        cfg["design"]["grid"] = {"O_beta": [0.5 + 5.5 * k / (grid - 1) for k in range(grid)],
                                 "rate": [0.1 * 200 ** (k / (grid - 1)) for k in range(grid)]}
    if duration:
        cfg["duration"], cfg["transient"] = duration, min(cfg["transient"], duration / 2)
    if chunk:
        cfg["chunk"] = chunk
    path = work / f"sweep_{device}.json"
    path.write_text(json.dumps(cfg))
    out = work / f"sweep_{device}.h5"
    wall, p = run([glia, "sweep", str(path), "-o", str(out), "-q"])
    if p.returncode != 0:
        return {"error": p.stderr.strip()[-500:]}
    variants = len(cfg["design"]["grid"]["O_beta"]) * len(cfg["design"]["grid"]["rate"])
    return {"wall_s": wall, "variants": variants, "variant_s_per_s": variants * cfg["duration"] / wall}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--glia", default=str(ROOT / "build-gpu" / "glia"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--durations", type=float, nargs=2, default=[2.0, 4.0])
    ap.add_argument("--no-fig6", action="store_true", help="the sweep only")
    ap.add_argument("--sweep-grid", type=int, help="an N x N sweep instead of the config's 12 x 8")
    ap.add_argument("--sweep-duration", type=float, help="s of simulated time per variant")
    ap.add_argument("--chunk", type=int, help="variants per chunk")
    a = ap.parse_args()
    # The GPU machine gets a copy of the tree without .git: the caller may name the commit in GLIA_COMMIT.
    commit = os.environ.get("GLIA_COMMIT") or subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    try:
        gpu = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:  # gpu_check.sh forced on a machine without a GPU
        gpu = "none (nvidia-smi not found)"
    result = {"machine": platform.node(), "cpus": os.cpu_count(), "commit": commit, "gpu": gpu,
              "fig6": {}, "sweep": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for device in ("cuda", "cpu"):
            if not a.no_fig6:
                runs = {d: fig6(a.glia, device, d, work) for d in a.durations}
                entry = {"runs": {str(d): r for d, r in runs.items()}}
                if all("wall_s" in r for r in runs.values()):
                    d1, d2 = a.durations
                    entry["s_per_bio_s"] = (runs[d2]["wall_s"] - runs[d1]["wall_s"]) / (d2 - d1)
                result["fig6"][device] = entry
            result["sweep"][device] = sweep(a.glia, device, work, a.sweep_grid, a.sweep_duration, a.chunk)
    f, s = result["fig6"], result["sweep"]
    if "s_per_bio_s" in f.get("cuda", {}) and "s_per_bio_s" in f.get("cpu", {}):
        result["fig6"]["cpu_over_gpu"] = f["cpu"]["s_per_bio_s"] / f["cuda"]["s_per_bio_s"]
        d2 = str(a.durations[1])
        result["fig6"]["same_spike_counts"] = f["cpu"]["runs"][d2]["spikes"] == f["cuda"]["runs"][d2]["spikes"]
    if "wall_s" in s["cuda"] and "wall_s" in s["cpu"]:
        result["sweep"]["gpu_over_cpu"] = s["cuda"]["variant_s_per_s"] / s["cpu"]["variant_s_per_s"]
    pathlib.Path(a.out).write_text(json.dumps(result, indent=1))
    print(f"fig6 cpu/gpu cost per bio-s: {result['fig6'].get('cpu_over_gpu', 'n/a')}; "
          f"sweep gpu/cpu throughput: {result['sweep'].get('gpu_over_cpu', 'n/a')}")


if __name__ == "__main__":
    main()
