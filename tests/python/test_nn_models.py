"""glia's six sequence classifiers (docs/model_config.md) against the PyTorch reference
(experiments/reference/torch_models.py): logits, loss and every parameter gradient, float64 to 1e-9 and float32 to
1e-4 (norm-wise relative error ‖a − b‖/‖b‖, against the float64 reference on the same weights), both training
strategies for the segment models (which must also agree with each other). Weights are glia's initialisation,
perturbed so that biases and LayerNorm parameters are not 0 and 1. Dropout is 0: glia's counter-based dropout
masks are not reproduced by the reference.

Two guards on the gradient comparison, both for facts of the maths rather than of either implementation:
- softmax attention is invariant to the key bias (q·(k + b) shifts every score of a query by the same q·b), so
  `attention.k.bias` of `transformer`/`rmt` has a zero gradient: it is checked to be ≤ tol × the norm of the whole
  gradient instead of relatively;
- in float32 a parameter whose gradient is tiny next to the rest (e.g. the key bias of linear attention, ~1e-5 of
  the total) carries rounding error relative to the whole computation; its error is measured against
  max(‖b‖, 1e-3 × ‖whole gradient‖). float64 compares every tensor strictly relatively.

Skips without PyTorch (Debian's python3-torch)."""

import json
import math
import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from glia import _core  # noqa: E402


sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_models as tm  # noqa: E402
from model_batches import padded_batch, perturbed_init  # noqa: E402

torch.set_num_threads(1)

VOCAB, CLASSES, MAX_LENGTH, S, M = 16, 5, 40, 12, 3
LENGTHS = [40, 29, 9]  # T = 4 segments of 12 (48 rows): rows 1 and 2 end before the last segment
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
FLOOR = {"float64": 0.0, "float32": 1e-3}  # fraction of the whole gradient's norm, see the module docstring
EXP = {"source": "exponential", "c": 0.7}

CASES = [
    ("transformer", {}),
    ("transformer", {"norm": "post", "positions": "sinusoidal"}),
    ("linear_transformer", {"positions": "sinusoidal"}),
    ("linear_transformer", {"norm": "post"}),
    ("at", {}),
    ("at", {"norm": "post", "positions": "sinusoidal", "attention": {"alpha": 0.5, "nonlinearity": False}}),
    ("rmt", {}),
    ("rmt", {"norm": "post", "positions": "sinusoidal", "readout": "tokens"}),
    ("rlt", {"readout": "tokens"}),
    ("rlt", {"norm": "post", "positions": "sinusoidal"}),
    ("rmaat", {"retention": EXP}),
    ("rmaat", {"norm": "post", "positions": "sinusoidal", "readout": "tokens", "retention": EXP}),
    ("rmaat", {"segment_positions": "global", "retention": {**EXP, "normalization": "mean"},
               "attention": {"nonlinearity": False}}),
    ("rmt", {"norm": "post", "positions": "sinusoidal", "segment_positions": "global"}),
    ("at", {"attention": {"nonlinearity": True, "synaptic_scale": "learned"}}),
    ("rmaat", {"retention": {**EXP, "carry": "gated"}, "attention": {"nonlinearity": True, "synaptic_scale": "1/N"}}),
    ("rmaat", {"norm": "post", "retention": {**EXP, "carry": "gated", "normalization": "sum"},
               "attention": {"nonlinearity": True, "synaptic_scale": "learned"}}),
]
IDS = [f"{name}-{extra.get('norm', 'pre')}-{extra.get('positions', 'learned')}-{extra.get('readout', 'memory')}"
       + ("-global" if extra.get("segment_positions") == "global" else "")
       if name in tm.SEGMENT_MODELS else f"{name}-{extra.get('norm', 'pre')}-{extra.get('positions', 'learned')}"
       for name, extra in CASES]
IDS = [i + ("-sigmoid-" + e["attention"].get("synaptic_scale", "") if e.get("attention", {}).get("nonlinearity") else "")
       + ("-gated" if e.get("retention", {}).get("carry") == "gated" else "") for i, (_, e) in zip(IDS, CASES)]


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


def grad_error(a, b, total, dtype):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), FLOOR[dtype] * total, 1e-300)


def model_config(name, extra, seed=3):
    c = dict(name=name, vocab_size=VOCAB, num_classes=CLASSES, max_length=MAX_LENGTH, d_model=16, heads=2, layers=2,
             ffn=32, dropout=0.0, seed=seed)
    if name in tm.SEGMENT_MODELS:
        c.update(segment_length=S, memory_tokens=M)
    c.update(extra)
    return c


def batch(seed=7):
    return padded_batch(VOCAB, MAX_LENGTH, LENGTHS, [1, 4, 0], seed)


def perturbed_weights(cfg, seed=11):
    return perturbed_init(_core, cfg, 0.1, seed)


@pytest.mark.parametrize("name,extra", CASES, ids=IDS)
def test_init_follows_the_documented_table(name, extra):
    cfg = model_config(name, extra)
    init = _core.nn_model_init(json.dumps(cfg))
    shapes = tm.parameter_shapes(cfg)
    resolved = tm.resolve_config(cfg)
    std = resolved["init_std"]  # 1/√d unless the config says otherwise
    assert std == pytest.approx(1 / math.sqrt(resolved["d_model"]))
    rows = resolved["memory_tokens"] + resolved["segment_length"] if name in tm.SEGMENT_MODELS else resolved["max_length"]
    assert set(init) == set(shapes)
    for k, v in init.items():
        assert tuple(np.shape(v)) == shapes[k], k
        v = np.asarray(v, np.float64)
        if k.endswith(("norm1.weight", "norm2.weight", "final_norm.weight")):
            assert np.all(v == 1), k
        elif k.endswith(".bias"):
            assert np.all(v == 0), k
        elif k.endswith("attention.decay"):
            np.testing.assert_allclose(v, math.log(math.expm1(0.1)), rtol=1e-6, err_msg=k)
        elif k.endswith("attention.synaptic_scale"):  # c = softplus(ρ_c) = 1/√N_k
            np.testing.assert_allclose(np.log1p(np.exp(v)), 1 / math.sqrt(rows), rtol=1e-6, err_msg=k)
        elif v.size >= 256:
            assert abs(v.std() - std) < 0.2 * std and abs(v.mean()) < 0.2 * std, k
    again = _core.nn_model_init(json.dumps(cfg))
    assert all(np.array_equal(init[k], again[k]) for k in init)
    other = _core.nn_model_init(json.dumps(dict(cfg, seed=4)))
    assert not np.array_equal(init["embedding"], other["embedding"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,extra", CASES, ids=IDS)
def test_model_matches_reference(name, extra, dtype):
    cfg = model_config(name, extra)
    weights = {k: v.astype(dtype) for k, v in perturbed_weights(cfg).items()}
    tokens, mask, labels = batch()
    ref = tm.forward_backward(cfg, weights, tokens, mask, labels, dtype=torch.float64)  # on the rounded weights
    strategies = ["bptt", "amrb"] if name in tm.SEGMENT_MODELS else [""]
    tol = TOLERANCE[dtype]
    results = {}
    for strategy in strategies:
        got = _core.nn_model_forward_backward(json.dumps(cfg), weights, tokens, mask, labels, dtype, strategy)
        assert np.shape(got["logits"]) == (len(LENGTHS), CLASSES)
        assert np.asarray(got["logits"]).dtype == np.dtype(dtype)
        assert rel(got["logits"], ref["logits"]) <= tol, (strategy, "logits")
        assert abs(got["loss"] - ref["loss"]) <= tol * abs(ref["loss"]), (strategy, "loss")
        assert set(got["grads"]) == set(weights), strategy
        total = math.sqrt(sum(float(np.sum(g ** 2)) for g in ref["grads"].values()))
        for k, g in ref["grads"].items():
            assert np.shape(got["grads"][k]) == g.shape, (strategy, k)
            if tm.ATTENTION[name] == "softmax" and k.endswith("attention.k.bias"):
                assert np.linalg.norm(np.asarray(got["grads"][k], np.float64)) <= tol * total, (strategy, k)
                continue
            err = grad_error(got["grads"][k], g, total, dtype)
            assert err <= tol, (strategy, k, err)
        results[strategy] = got
    if len(strategies) == 2:
        same = 1e-12 if dtype == "float64" else 1e-5
        total = math.sqrt(sum(float(np.sum(np.asarray(g, np.float64) ** 2)) for g in results["bptt"]["grads"].values()))
        for k in weights:
            if tm.ATTENTION[name] == "softmax" and k.endswith("attention.k.bias"):
                continue  # zero up to rounding, checked above
            a, b = (np.asarray(results[s]["grads"][k], np.float64) for s in ("amrb", "bptt"))
            assert np.linalg.norm(a - b) <= same * max(np.linalg.norm(b), FLOOR[dtype] * total), k
        assert rel(results["amrb"]["logits"], results["bptt"]["logits"]) <= same


TWO_TOWER_CASES = [("transformer", {}), ("rlt", {"norm": "post"}), ("rmaat", {"retention": EXP}),
                   ("rmaat", {"retention": {**EXP, "carry": "gated"}, "readout": "tokens"})]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,extra", TWO_TOWER_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TWO_TOWER_CASES)])
def test_two_tower_matches_reference(name, extra, dtype):
    """Pair rows [a ; b] (NETWORKS.md §3): logits, loss and every gradient, BPTT and AMRB, as the reference."""
    cfg = model_config(name, dict(extra, two_tower={"hidden": 12}))
    weights = {k: v.astype(dtype) for k, v in perturbed_weights(cfg).items()}
    assert list(weights) == list(tm.parameter_shapes(cfg))  # pair.in.* before the head (H = 12 wide)
    ta, ma, labels = batch(7)
    tb, mb, _ = batch(8)
    tokens, mask = np.concatenate([ta, tb[::-1]], 1), np.concatenate([ma, mb[::-1]], 1)
    ref = tm.forward_backward(cfg, weights, tokens, mask, labels, dtype=torch.float64)
    tol = TOLERANCE[dtype]
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in ref["grads"].values()))
    for strategy in (["bptt", "amrb"] if name in tm.SEGMENT_MODELS else [""]):
        got = _core.nn_model_forward_backward(json.dumps(cfg), weights, tokens, mask, labels, dtype, strategy)
        assert rel(got["logits"], ref["logits"]) <= tol, strategy
        assert abs(got["loss"] - ref["loss"]) <= tol * abs(ref["loss"]), strategy
        for k, g in ref["grads"].items():
            if tm.ATTENTION[name] == "softmax" and k.endswith("attention.k.bias"):
                continue  # zero up to rounding
            assert grad_error(got["grads"][k], g, total, dtype) <= tol, (strategy, k)


def test_two_tower_errors_name_the_field():
    cfg = model_config("rlt", {"two_tower": {"hidden": 0}})
    with pytest.raises(_core.ConfigError, match=r"model\.two_tower\.hidden"):
        _core.nn_model_init(json.dumps(cfg))
    with pytest.raises(_core.ConfigError, match=r"model\.two_tower"):
        _core.nn_model_init(json.dumps(model_config("rlt", {"two_tower": True})))
    cfg = model_config("rlt", {"two_tower": {}})
    tokens, mask, labels = batch()
    with pytest.raises(_core.ConfigError, match=r"batch\.tokens.*even"):
        _core.nn_model_forward_backward(json.dumps(cfg), _core.nn_model_init(json.dumps(cfg)), tokens[:, :-1],
                                        mask[:, :-1], labels, "float64", "")
