"""A trained model with every attention head run as a neuron-astrocyte simulation (MAPPING.md §1, issue #6), from
the command line (`glia evaluate --simulate-heads`) and from Python (glia.nn.Model.compare_simulated), on a tiny
generated ListOps set and tiny at / transformer checkpoints trained for a few steps: both front ends give the same
comparison; the operator side is the plain evaluation; bad settings exit 2 naming the option; a model without
astromorphic attention is refused by name; the validation script writes its JSON and Markdown."""

import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import glia
import glia.mapping as gm
import glia.nn

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
EXAMPLES = 12


@pytest.fixture(scope="module")
def runs(cli, tmp_path_factory):
    """Tiny ListOps data, an at checkpoint (8 steps at a high learning rate, so attention is not uniform) and a
    transformer checkpoint (1 step)."""
    root = tmp_path_factory.mktemp("simulated")
    data = root / "listops"
    subprocess.run([cli, "data", "generate", "listops", "-o", str(data), "--train", "48", "--val", "12", "--test",
                    "24", "--min-length", "20", "--max-length", "60", "--shard-size", "48", "-q"], check=True)
    out = {}
    for name, steps in (("at", 8), ("transformer", 1)):
        cfg = {"model": {"name": name, "vocab_size": 16, "num_classes": 10, "max_length": 60, "d_model": 16,
                         "heads": 2, "layers": 2, "ffn": 32, "dropout": 0.0, "seed": 3, "init_std": 0.02},
               "data": {"path": str(data)},
               "training": {"steps": steps, "batch_size": 6, "seed": 1, "optimizer": {"lr": 0.01},
                            "schedule": {"kind": "constant"}},
               "output": str(root / name)}
        if name == "at":  # σ on with a learned synaptic scale: the simulation must take the op's c
            cfg["model"]["attention"] = {"nonlinearity": True, "synaptic_scale": "learned"}
        path = root / f"{name}.json"
        path.write_text(json.dumps(cfg))
        subprocess.run([cli, "train", str(path), "--threads", "1", "-q"], check=True)
        out[name] = root / name / "checkpoint.h5"
    out["data"] = data
    return out


TIMING = {"created", "wall_seconds", "operator_seconds", "simulated_seconds", "threads"}


def test_cli_and_python_give_the_same_comparison(cli, runs, tmp_path):
    result = tmp_path / "cli.json"
    r = subprocess.run([cli, "evaluate", str(runs["at"]), "--simulate-heads", "--examples", str(EXAMPLES),
                        "--threads", "1", "-q", "-o", str(result)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "prediction agreement" in r.stdout and "max |logit difference|" in r.stdout
    from_cli = json.loads(result.read_text())
    model = glia.nn.load(runs["at"])
    from_python = model.compare_simulated("test", examples=EXAMPLES, progress=False)
    assert set(from_cli) == set(from_python)
    for key in set(from_cli) - TIMING:
        assert from_cli[key] == from_python[key], key
    # The operator side is the plain evaluation of the same examples.
    plain = model.evaluate("test", examples=EXAMPLES)
    assert from_cli["operator_accuracy"] == plain["accuracy"]
    assert from_cli["operator_loss"] == pytest.approx(plain["loss"], rel=1e-6)
    # The simulation at tau_n/tau_p = 0.01 (dt = tau_n, RK4) is the operator to ~1e-6 here.
    assert from_cli["examples"] == EXAMPLES and from_cli["heads_simulated"] == EXAMPLES * 2 * 2
    assert 0 < from_cli["max_abs_logit_diff"] < 1e-3
    assert from_cli["agreement"] == 1.0 and from_cli["disagreements"] == 0
    assert from_cli["simulated_accuracy"] == from_cli["operator_accuracy"]
    s = from_cli["settings"]
    assert (s["tau_ratio"], s["dt_ratio"], s["method"], s["steps_per_window"]) == (0.01, 1.0, "rk4", 100)
    assert s["tau_n"] == pytest.approx(0.01 * s["tau_p"]) and s["dt"] == pytest.approx(s["tau_n"])
    # Provenance.
    assert from_cli["git_commit"] and from_cli["glia_version"] and from_cli["created"]
    assert from_cli["config"]["model"]["name"] == "at" and from_cli["checkpoint_step"] == 8


def test_python_logits_and_head_inputs_match_the_operator(runs):
    model = glia.nn.load(runs["at"])
    rng = np.random.default_rng(4)
    tokens = rng.integers(1, 16, (3, 60)).astype(np.int32)
    mask = np.zeros_like(tokens, dtype=np.uint8)
    for b, n in enumerate((60, 41, 23)):
        mask[b, :n] = 1
    op = model.logits(tokens, mask)
    coarse = model.simulated_logits(tokens, mask, tau_ratio=0.04)
    fine = model.simulated_logits(tokens, mask, tau_ratio=0.01)
    e_coarse, e_fine = np.abs(coarse - op).max(), np.abs(fine - op).max()
    assert e_fine < 1e-3 * np.abs(op).max()
    # Order 1: a quarter of the ratio, a quarter of the difference (measured 2.2e-6 -> 5.4e-7 of logits up to 0.86;
    # float32 rounding, ~6e-8, blurs the factor).
    assert 3 < e_coarse / e_fine < 5.5
    # One head as the simulation sees it: the 23 real keys and queries of example 2, c = the learned one.
    h = model.head_inputs(tokens, mask, example=2, layer=1, head=1)
    assert h["key_rows"] == list(range(23)) and h["query_rows"] == list(range(23))
    assert h["k"].shape == (23, 8) and h["activity"].shape == (23, 8)
    assert h["nonlinearity"]
    rho_c = float(model.weights["layers.1.attention.synaptic_scale"][1])
    assert h["synaptic_scale"] == pytest.approx(math.log1p(math.exp(rho_c)), rel=1e-6)
    args = {k: h[k] for k in ("q", "k", "v", "activity", "alpha", "nonlinearity", "epsilon", "synaptic_scale")}
    closed = gm.head_operator(**args)
    simulated = gm.simulate_head(**args, tau_n=1e-4, tau_p=0.1, dt=1e-4)["out"]
    assert np.abs(simulated - closed).max() < 1e-3 * np.abs(closed).max()
    with pytest.raises(glia.ConfigError, match="layer"):
        model.head_inputs(tokens, mask, layer=2)


def exit_2(cli, *args):
    r = subprocess.run([cli, "evaluate", *map(str, args)], capture_output=True, text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    return r.stderr


@pytest.mark.parametrize("option,value", [("--tau-ratio", "1.5"), ("--tau-ratio", "0"), ("--dt-ratio", "0.3"),
                                          ("--dt-ratio", "2"), ("--method", "rk5"), ("--synapse-leak", "-1"),
                                          ("--neuron-leak", "0")])
def test_bad_settings_exit_2_naming_the_option(cli, runs, option, value):
    err = exit_2(cli, runs["at"], "--simulate-heads", option, value)
    assert err.startswith(f"glia evaluate: error: {option} = "), err
    assert err.count("\n") == 1, err


def test_simulation_options_need_the_switch(cli, runs):
    assert "--simulate-heads" in exit_2(cli, runs["at"], "--tau-ratio", "0.1")


def test_bad_settings_in_python_name_the_keyword(runs):
    model = glia.nn.load(runs["at"])
    with pytest.raises(glia.ConfigError, match="^dt_ratio = 0.3"):
        model.compare_simulated(dt_ratio=0.3, progress=False)
    with pytest.raises(glia.ConfigError, match="^method"):
        model.compare_simulated(method="heun", progress=False)


def test_a_transformer_is_refused_by_name(cli, runs):
    err = exit_2(cli, runs["transformer"], "--simulate-heads")
    assert "model.name = \"transformer\"" in err and "astromorphic" in err
    with pytest.raises(glia.ConfigError, match="transformer"):
        glia.nn.load(runs["transformer"]).compare_simulated(progress=False)
    with pytest.raises(glia.ConfigError, match="transformer"):
        glia.nn.load(runs["transformer"]).simulated_logits(np.ones((1, 60), np.int32))


def test_validation_script_writes_json_and_markdown(runs, tmp_path):
    out = tmp_path / "agreement.json"
    r = subprocess.run([sys.executable, str(ROOT / "experiments" / "validation" / "simulated_model_agreement.py"),
                        str(runs["at"]), "--examples", "6", "--tau-ratio", "0.02", "0.01", "--threads", "1", "-q",
                        "-o", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    summary = json.loads(out.read_text())
    assert [run["settings"]["tau_ratio"] for run in summary["runs"]] == [0.02, 0.01]
    assert all(run["examples"] == 6 and run["agreement"] == 1.0 for run in summary["runs"])
    md = out.with_suffix(".md").read_text()
    assert "| 0.02 | 1 | rk4 | 0 |" in md and "agreement" in md


def test_a_model_from_weights_runs_without_a_checkpoint(runs):
    loaded = glia.nn.load(runs["at"])
    built = glia.nn.from_weights(loaded.config, loaded.weights)
    tokens = np.arange(60, dtype=np.int32).reshape(2, 30) % 15 + 1
    np.testing.assert_array_equal(built.logits(tokens), loaded.logits(tokens))
    np.testing.assert_array_equal(built.simulated_logits(tokens), loaded.simulated_logits(tokens))
    with pytest.raises(glia.ConfigError, match="checkpoint"):
        built.compare_simulated(progress=False)
