#!/usr/bin/env python3
"""Regenerates the results table of README.md from the result files in experiments/results/.

Every row is read from a JSON file written by a benchmark or validation script and names the command that
reproduces it; nothing in the table is typed by hand. Run after a benchmark:

    /usr/bin/python3 scripts/readme_results.py          # rewrite README.md between the markers
    /usr/bin/python3 scripts/readme_results.py --check  # exit 1 if README.md is out of date
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results"
BEGIN, END = "<!-- results:begin (scripts/readme_results.py) -->", "<!-- results:end -->"


# Published figures shown next to ours (the task at full LRA scale, on GPUs).
PAPER = {
    ("listops", "rmaat"): "RMAAT paper: 38.9%",
    ("pathfinder32", "rmaat"): "RMAAT paper: 87.1%",
    ("listops", "transformer"): "LRA (Tay et al. 2021): 36.37%",
    ("pathfinder32", "transformer"): "LRA (Tay et al. 2021): 71.40%",
}


# The surrogates are never called by the LRA task's name (DATA.md).
TASK_NAMES = {"text": "text surrogate (SpamAssassin bodies, bytes)", "retrieval": "retrieval surrogate (State of the "
              "Union chunk pairs, bytes)"}


def load(name: str):
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def rows() -> list[str]:
    out = []
    for name, what in (("bench_fig6.json", ""), ("bench_fig6_active.json", " (the stimulus)")):
        fig6 = load(name)
        if not fig6:
            continue
        cmd = f"`{fig6.get('command', '/usr/bin/python3 experiments/benchmarks/bench_fig6.py')}`"
        d1, d2 = fig6["durations_s"]
        for threads, side in sorted(fig6["side_by_side"].items()):
            g, b = side["glia"], side["brian_lean"]
            out.append(
                f"| Stimberg Fig. 6 network (1.28 M synapses), {d1:g}–{d2:g} s{what}, {threads} thread(s) | glia "
                f"{g['seconds_per_bio_second']:.3g} s vs Brian 2.5.1 C++ standalone {b['seconds_per_bio_second']:.3g} s per "
                f"biological second; peak RSS {g['peak_rss_bytes'] / 2**20:.0f} vs {b['peak_rss_bytes'] / 2**20:.0f} MiB | "
                f"**{b['ratio_brian_over_glia']:.0f}×** | {cmd} |"
            )
    sweep = load("bench_sweep.json")
    if sweep:
        cmd = f"`{sweep['meta']['command']}`"
        for c in sweep["comparison"].values():
            label = {"brian_runtime_loop": "a Brian 2 runtime loop",
                     "scipy_solve_ivp_loop": "a SciPy solve_ivp loop"}[c["reference"]]
            out.append(
                f"| Sweep of {c['variants']} tripartite-unit variants (`model: tripartite`, network engine) | glia "
                f"{c['glia_throughput']:.3g} vs {label} {c['loop_throughput']:.3g} variant·s/s | "
                f"**{c['speedup']:.0f}×** | {cmd} |"
            )
        for e in sweep.get("preset_vs_runner", []):
            out.append(
                f"| Sweep of {e['variants']} tripartite-unit variants ({e['biological_seconds']:g} s): the preset on the "
                f"network engine vs the retired tripartite runner (build of 5c1d09c) | {e['preset_s']:.3g} vs "
                f"{e['runner_s']:.3g} s wall | **{e['preset_over_runner']:.2f}×** | {cmd} |"
            )
        for x in sweep.get("memory", [])[-1:]:
            out.append(
                f"| Sweep memory, {x['variants']} tripartite-unit variants in chunks of {x['chunk']} | peak RSS "
                f"{x['peak_rss_bytes'] / 2**20:.0f} MiB (fresh interpreter, Python included) | bounded by the chunk | {cmd} |"
            )
        sc = sweep.get("scaling", [])
        if len(sc) >= 2:
            lo, hi = sc[0], sc[-1]
            out.append(
                f"| Sweep scaling, {lo['variants']} to {hi['variants']} variants (2 s each) | "
                f"{lo['throughput']:.3g} to {hi['throughput']:.3g} variant·s/s | wall "
                f"{1e3 * hi['wall_s'] / hi['variants']:.3g} ms per variant at {hi['variants']} | {cmd} |"
            )
    # The GPU machine (scripts/gpu_check.sh): the GPU against all CPU cores of the same machine.
    gpu = load("gpu/gpu_bench.json")
    if gpu and "cpu_over_gpu" in gpu["fig6"]:
        f = gpu["fig6"]
        # Not profiled yet; the likely cause: several small kernel launches per 0.1 ms step at this size.
        slower = "the GPU is slower at this size" if f["cpu_over_gpu"] < 1 else ""
        out.append(
            f"| Stimberg Fig. 6 network, 2–4 s, NVIDIA H200 vs the {gpu['cpus']} CPU cores beside it | GPU "
            f"{f['cuda']['s_per_bio_s']:.3g} s vs CPU {f['cpu']['s_per_bio_s']:.3g} s per biological second; spike "
            f"counts {'equal' if f.get('same_spike_counts') else 'DIFFER'}{'; ' + slower if slower else ''} | "
            f"**{f['cpu_over_gpu']:.2f}×** | `bash scripts/gpu_check.sh OUT` (commit {gpu['commit'][:7]}) |"
        )
    for grid, chunk in ((32, 10000), (100, 10000), (316, 100000)):  # as run
        g = load(f"gpu/gpu_sweep_grid{grid}.json")
        if g and "gpu_over_cpu" in g["sweep"]:
            c, h = g["sweep"]["cuda"], g["sweep"]["cpu"]
            out.append(
                f"| Sweep of {c['variants']} tripartite-unit variants (20 s each), NVIDIA H200 vs the {g['cpus']} CPU "
                f"cores beside it — the retired tripartite runner (commit {g['commit'][:7]}); not yet measured for the "
                f"network-engine preset | GPU {c['variant_s_per_s']:.3g} vs CPU {h['variant_s_per_s']:.3g} variant·s/s "
                f"(wall {c['wall_s']:.2g} vs {h['wall_s']:.2g} s, start-up included) | **{g['sweep']['gpu_over_cpu']:.1f}×** "
                f"| `python3 scripts/gpu_bench.py --no-fig6 --sweep-grid {grid} --sweep-duration 20 --chunk {chunk} --out "
                f"OUT.json` after gpu_check.sh (commit {g['commit'][:7]}) |"
            )
    net = load("bench_sweep_network.json")
    if net and not net["meta"].get("quick"):
        m = net["meta"]
        out.append(
            f"| Network-config sweep, {m['variants']} variants of a 1000-neuron network with 100 astrocytes "
            f"({m['duration_s']:g} s), one batch vs one variant at a time, {m['threads']} threads | median of "
            f"{m['pairs']} pairs; summaries {'equal' if net['same_summaries'] else 'DIFFER'} | "
            f"**{net['median_ratio_one_by_one_over_batched']:.2f}×** | `{m['command']}` |"
        )
    batch = load("gpu/gpu_sweep_batch.json")
    if batch:
        w = batch["wall_s"]
        same = batch["cpu_batch_equals_one_by_one"] and batch["gpu_batch_equals_gpu_one_by_one"]
        out.append(
            f"| Network-config sweep, {batch['variants']} variants of a 1000-neuron network with 100 astrocytes (1 s), "
            f"one batch vs one variant at a time, NVIDIA H200 and the {batch['cpus']} CPU cores beside it | GPU batch "
            f"{w['gpu_batch']:.3g} s, GPU one by one {w['gpu_one_by_one']:.3g} s; CPU batch {w['cpu_batch']:.3g} s, CPU one "
            f"by one {w['cpu_one_by_one']:.3g} s; summaries {'equal' if same else 'DIFFER'} batched and alone, GPU vs CPU "
            f"≤ {batch['gpu_vs_cpu_max_relative_difference']:.1g} relative | **GPU {w['gpu_one_by_one'] / w['gpu_batch']:.1f}×, "
            f"CPU {w['cpu_one_by_one'] / w['cpu_batch']:.1f}×; GPU batch {w['cpu_one_by_one'] / w['gpu_batch']:.1f}× CPU "
            f"one by one** | `bash scripts/gpu_sweep_batch.sh OUT` after gpu_check.sh (commit {batch['commit'][:7]}) |"
        )
    ens = load("bench_gchi_ensemble.json")
    if ens:
        cmd = f"`{ens['meta']['command']}`"
        r = max(ens["rows"], key=lambda x: x["variants"])
        out.append(
            f"| G-ChI ensemble, {r['variants']} variants | glia {r['glia_throughput']:.3g} vs vectorised NumPy RK4 "
            f"{r['numpy_throughput']:.3g} variant·s/s | **{r['numpy_over_glia']:.1f}×** | {cmd} |"
        )
    attn = load("bench_nn_attention.json")
    if attn and not attn["meta"].get("quick"):
        cmd = f"`{attn['meta']['command']}`"
        sh = attn["meta"]["shape"]
        shape = f"B = {sh['batch']}, {sh['heads']} heads, d_h = {sh['d_head']}, {attn['meta']['threads']} threads"
        fb = {(r["op"], r["n"]): r for r in attn["rows"] if r["mode"] == "forward+backward"}
        goal = attn["goal_astromorphic_forward_backward"]
        for op, label in (("astromorphic", "PyTorch (OpenBLAS), O(N) Toeplitz"),
                          ("astromorphic_torch_ops", "PyTorch reference torch_ops.py (dense P_pos, O(N²))"),
                          ("linear", "PyTorch (OpenBLAS)")):
            ns = [n for n in goal["sizes"] if (op, n) in fb]
            if not ns:
                continue
            ratios = [fb[(op, n)]["ratio_torch_over_glia"] for n in ns]
            big = fb[(op, ns[-1])]
            name = "Astromorphic" if op.startswith("astromorphic") else "Linear"
            out.append(
                f"| {name} attention forward+backward, N = {ns[0]} … {ns[-1]} ({shape}) | glia {big['glia_s']:.3g} s vs "
                f"{label} {big['torch_s']:.3g} s at N = {ns[-1]}; torch/glia {min(ratios):.2f}–{max(ratios):.2f}× | "
                f"**≥ {min(ratios):.1f}×** | {cmd} |"
            )
        cross = attn["crossover"]

        def at(c):
            if c["n"] is None:
                return "beyond the measured N"
            if c.get("below_smallest_measured"):
                return f"≤ {c['n']}"
            return f"≈ {c['interpolated_n']}" if "interpolated_n" in c else f"{c['n']}"

        out.append(
            f"| Linear vs softmax attention crossover, forward+backward ({shape}) | N at which linear attention "
            f"becomes faster than softmax | glia {at(cross['glia_forward+backward'])}, PyTorch "
            f"{at(cross['torch_forward+backward'])} | {cmd} |"
        )
    step = load("bench_nn_step.json")
    if step and not step["meta"].get("quick"):
        cmd = f"`{step['meta']['command']}`"
        sh = step["meta"]["shape"]
        for r in step["rows"]:
            if r["config"] not in ("rmaat_amrb", "rmaat_bptt", "rmaat_amrb_dropout0"):
                continue
            dropout = "dropout 0.1 in glia only" if r["config"] != "rmaat_amrb_dropout0" else "dropout 0 on both"
            out.append(
                f"| rmaat training step ({r['strategy'].upper()}, {dropout}), L = {sh['max_length']}, T = "
                f"{sh['max_length'] // sh['segment_length']}, batch {sh['batch_size']}, {r['threads']} thread(s) | glia "
                f"{r['glia_s_per_step']:.3g} vs PyTorch reference (autograd BPTT) {r['torch_s_per_step']:.3g} s/step; peak RSS "
                f"{r['glia_peak_rss_mib']:.0f} vs {r['torch_peak_rss_mib']:.0f} MiB | **{r['ratio_torch_over_glia']:.2f}×** | {cmd} |"
            )
    step = load("bench_nn_step_srformer_fam.json")
    if step and not step["meta"].get("quick"):
        cmd = f"`{step['meta']['command']}`"
        sh = step["meta"]["shape"]
        for r in step["rows"]:
            what = {"srformer": f"srformer (S = {sh['segment_length']})",
                    "fam": f"fam (BPTT, B = {sh['segment_length']}, F = {sh['memory_tokens']})",
                    "fam_amrb": f"fam (AMRB, B = {sh['segment_length']}, F = {sh['memory_tokens']})"}.get(r["config"])
            if what:
                out.append(
                    f"| {what} training step, dropout 0.1 in glia only, L = {sh['max_length']}, batch "
                    f"{sh['batch_size']}, {r['threads']} thread(s) | glia {r['glia_s_per_step']:.3g} vs PyTorch reference "
                    f"(autograd) {r['torch_s_per_step']:.3g} s/step; peak RSS {r['glia_peak_rss_mib']:.0f} vs "
                    f"{r['torch_peak_rss_mib']:.0f} MiB | **{r['ratio_torch_over_glia']:.2f}×** | {cmd} |"
                )
    cost = load("bench_attention_cost.json")
    if cost and not cost.get("quick"):
        rows_ = cost["rows"]
        spg = [r["seconds_per_gflop"] for r in rows_ if r["kind"] != "softmax" and r["segment_length"] <= 512]
        fam = [r["measured_over_predicted_floats"] for r in rows_ if r["kind"] == "fam"]
        srf = [r["measured_over_predicted_floats"] for r in rows_ if r["kind"] == "srformer"]
        s128 = {r["kind"]: r for r in rows_ if r["segment_length"] == 128}
        out.append(
            f"| srformer / fam attention cost model (N = {cost['n']}, d = {cost['d_model']}, S = 32 … 1024) vs glia's "
            f"ops, forward+backward, 1 thread | at S = 128 predicted FLOPs {100 * s128['srformer']['predicted_flops_ratio']:.1f}% / "
            f"{100 * s128['fam']['predicted_flops_ratio']:.1f}% of full softmax, measured time "
            f"{100 * s128['srformer']['measured_time_ratio']:.1f}% / {100 * s128['fam']['measured_time_ratio']:.1f}%; "
            f"seconds per predicted GFLOP {min(spg):.2f}–{max(spg):.2f} for S ≤ 512 (attention matrices in cache), "
            f"{rows_[0]['seconds_per_gflop']:.2f} for full softmax; kept floats / predicted: srformer "
            f"{min(srf):.2f}, fam {min(fam):.2f}–{max(fam):.2f} (masked triangle, copied keys) | **time per predicted FLOP within "
            f"{max(spg) / min(spg):.2f}× for S ≤ 512** "
            f"| `/usr/bin/python3 experiments/benchmarks/bench_attention_cost.py` (PYTHONPATH=build/python) |"
        )
    full = load("listops_feature_baselines_full.json")
    if full:
        t = full["test_accuracy"]
        out.append(
            f"| ListOps at full length (500–2000 tokens, {full['train'] // 1000}k/2k/2k): what simple features predict | "
            f"majority {100 * t['majority_class']:.1f}%, bag of tokens {100 * t['bag_of_tokens']:.1f}%, the outermost "
            f"operator alone {100 * t['outer_operator']:.1f}% (LRA transformer 36.37%) | **{100 * t['outer_operator']:.1f}%** "
            f"| `{full['command']}` |"
        )
    for task in ("text", "retrieval"):
        b = load(f"accuracy_baselines/{task}_bag_of_bytes.json")
        if b:
            out.append(
                f"| {TASK_NAMES[task]}: bag-of-bytes logistic regression ({b['features']}) | test accuracy on "
                f"{b['examples']['test']} examples; majority class {100 * b['majority_test_accuracy']:.1f}% | "
                f"**{100 * b['test_accuracy']:.1f}%** | `{b['provenance']['command']}` |"
            )
    amrb = load("bench_amrb_memory.json")
    if amrb and not amrb["meta"].get("quick"):
        g = amrb["goal"]
        out.append(
            f"| AMRB vs BPTT peak memory, rmaat, T = {g['T']} segments | BPTT grows "
            f"{amrb['growth']['bptt']['slope_mib_per_segment']:.1f} MiB/segment, AMRB "
            f"{amrb['growth']['amrb']['slope_mib_per_segment']:.3f} (paper: {g['paper_ratio']}× less) | "
            f"**{g['ratio_peak']:.1f}× less** | `{amrb['meta']['command']}` |"
        )
    # Accuracy: one row per run, or per config with the mean ± std over its seeds (collect_accuracy.py --seeds).
    groups: dict = {}
    for path in sorted((RESULTS / "accuracy").glob("*.json")):
        acc = json.loads(path.read_text())
        key = acc["config_path"] if acc.get("seed") is not None else str(path)
        groups.setdefault(key, []).append(acc)
    for runs in groups.values():
        runs.sort(key=lambda a: a.get("seed") or 0)
        acc = runs[0]
        res, model = acc["result"], acc["result"]["config"]["model"]
        tests = [next(e for e in a["result"]["evaluations"] if e["split"] == "test") for a in runs]
        test = tests[0]
        ablation = model["name"] == "rmaat" and model["retention"]["source"] == "none"
        paper = PAPER.get((res["task"], model["name"])) if not ablation else "ablation: the rmaat run without RF"
        baseline = load(f"accuracy_baselines/{res['task']}_bag_of_bytes.json")
        if baseline:
            paper = f"bag-of-bytes logistic regression {100 * baseline['test_accuracy']:.1f}%"
        if acc.get("test_majority_share"):
            paper = f"majority class {100 * acc['test_majority_share']:.1f}%" + (f"; {paper}" if paper else "")
        # A row at the majority plateau says why, where the cause is known (#17).
        plateau = max(100 * t["accuracy"] for t in tests) < 25
        if plateau and model["name"] == "rmaat" and model["retention"].get("normalization") == "sum":
            paper += ("; at the plateau: with Σ RF = 1 every carry also shrinks the memory ~1/T, so what segment 1 "
                      "wrote reaches the readout scaled by ∏ RF ≈ 1/55 at T = 4 (NETWORKS.md §3)")
        if "two_tower" in model and max(t["accuracy"] for t in tests) < 0.55:
            loss = tests[0]["loss"]
            paper += (f"; at chance: test loss {loss:.3f} ≈ ln 2 after {res['steps']} steps — the pooled encoders "
                      f"do not yet tell addresses apart within this budget, bags of bytes do")
        variant = model["name"]
        if model["name"] == "rmaat":
            r = model["retention"]
            variant += f", retention {r['source']}"
            if r["source"] != "none" and "normalization" in r:
                variant += " (Σ RF = 1)" if r["normalization"] == "sum" else " (T·RF, mean 1)"
            if r.get("carry") == "gated":
                variant += ", gated carry"
        if "attention" in model and "nonlinearity" in model["attention"]:
            variant += f", σ {'on' if model['attention']['nonlinearity'] else 'off'}"
            if model["attention"]["nonlinearity"]:  # runs before the setting existed used 1/N
                variant += f" (c = {model['attention'].get('synaptic_scale', '1/N')})"
        if model.get("segment_positions") == "global":
            variant += ", global positions"
        # Runs before the 1/√d default (NETWORKS.md §3) say which std they were initialised with.
        if isinstance(model.get("init_std"), (int, float)) and abs(model["init_std"] - model["d_model"] ** -0.5) > 1e-9:
            variant += f", init std {model['init_std']:g}"
        if model["name"] == "fam":
            seg = (f", B = {model['segment_length']}, F = {model['memory_tokens']}, "
                   f"{model['mem_segment']} cached block(s)")
        else:
            seg = f", S = {model['segment_length']}" if "segment_length" in model else ""
            seg += f", M = {model['memory_tokens']}" if "memory_tokens" in model else ""
        if "two_tower" in model:
            seg += f", two-tower head (H = {model['two_tower']['hidden']})"
        minutes = [a["result"].get("train_seconds", a["result"].get("train_seconds_last_invocation", 0)) / 60
                   for a in runs]
        values = [100 * t["accuracy"] for t in tests]
        if len(runs) == 1:
            seeds = f"seed {res['seed']}"
            result = f"**{values[0]:.1f}%**"
            command = f"`{acc['command']}`"
        else:
            mean = sum(values) / len(values)
            std = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
            seeds = f"seeds {', '.join(str(a['seed']) for a in runs)}"
            result = f"**{mean:.1f} ± {std:.1f}%** ({', '.join(f'{v:.1f}' for v in values)})"
            command = f"`{acc['command']}` with --seed N and its -o for each seed"
        out.append(
            f"| {TASK_NAMES.get(res['task'], res['task'])} (max length {model['max_length']}), {variant}{seg}, "
            f"d {model['d_model']}, "
            f"{model['layers']} layers, {res['steps']} steps × batch {res['config']['training']['batch_size']}, "
            f"{seeds} | test accuracy on {test['examples']} examples{'; ' + paper if paper else ''}; "
            f"{sum(minutes) / len(minutes):.1f} min of training per run | {result} | {command} |"
        )
    agree = load("simulated_model_agreement.json")
    if agree:
        for r in agree["runs"]:
            st = r["settings"]
            out.append(
                f"| Trained {r['model']} ({r['config']['data']['path'].split('/')[-1]}, step {r['checkpoint_step']}) with "
                f"every attention head run as a neuron–astrocyte simulation, τ_n/τ_p = {st['tau_ratio']:g}, dt = "
                f"{st['dt_ratio']:g} τ_n, {st['method']} | share of identical predictions on the first {r['examples']} {r['split']} "
                f"examples; accuracy operator {100 * r['operator_accuracy']:.1f}% vs simulated "
                f"{100 * r['simulated_accuracy']:.1f}%; max abs logit difference {r['max_abs_logit_diff']:.2g} | "
                f"**{100 * r['agreement']:.1f}% agree** | `{agree['command']}` |"
            )
    ex4 = load("brian_example4_synrel.json")
    if ex4:
        out.append(
            f"| Stimberg example 4 (release with/without gliotransmission), {len(ex4['seeds'])} seeds | glia vs Brian "
            f"⟨Y_S⟩ per set and piece within the stated tolerance | {'pass' if ex4['pass'] else 'FAIL'} | "
            "`/usr/bin/python3 experiments/validation/brian_example4_synrel.py` |"
        )
    ex6 = load("brian_example6_network.json")
    if ex6:
        out.append(
            f"| Stimberg example 6 (recurrent network with astrocytes) | glia vs Brian rates, astrocyte events, mean Ca²⁺ "
            f"within the stated tolerance | {'pass' if ex6['pass'] else 'FAIL'} | "
            "`/usr/bin/python3 experiments/validation/brian_example6_network.py` |"
        )
    return out


def table() -> str:
    head = ["| workload | measured | result | reproduce |", "| --- | --- | --- | --- |"]
    return "\n".join([BEGIN, *head, *rows(), END])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only check that README.md is up to date")
    args = ap.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        print(f"README.md lacks the markers {BEGIN!r} ... {END!r}", file=sys.stderr)
        return 2
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + table() + text[stop:]
    if args.check:
        if new != text:
            print("README.md results table is out of date: run scripts/readme_results.py", file=sys.stderr)
            return 1
        return 0
    readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
