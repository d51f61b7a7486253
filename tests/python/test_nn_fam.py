"""glia's TransformerFAM block attention op (engine/nn/ops/fam_attention) against the PyTorch reference written
from NETWORKS.md §7 (experiments/reference/torch_srformer_fam.py, fam_block_attention): token and FAM outputs and
the gradients of every input (block q, k, v; FAM q, k, v; cached k, v) with padded block and cache keys, without
FAM rows and without a cache; relative error ≤ 1e-9 (float64), 1e-4 (float32). Skips without PyTorch."""

import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from glia import _core  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_srformer_fam as sf  # noqa: E402
from model_batches import padded_batch, perturbed_init  # noqa: E402

torch.set_num_threads(1)
B, H, L, DH = 2, 2, 5, 4


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("fam,cache", [(3, 6), (0, 6), (3, 0), (2, 5)])
@pytest.mark.parametrize("padded", [False, True])
def test_fam_block_attention_matches_reference(dtype, tol, fam, cache, padded):
    rng = np.random.default_rng(fam * 10 + cache)
    arrays = {n: rng.standard_normal(shape).astype(dtype) for n, shape in (
        ("q", (B, H, L, DH)), ("k", (B, H, L, DH)), ("v", (B, H, L, DH)), ("fam_q", (B, H, fam, DH)),
        ("fam_k", (B, H, fam, DH)), ("fam_v", (B, H, fam, DH)), ("cache_k", (B, H, cache, DH)),
        ("cache_v", (B, H, cache, DH)), ("d_out", (B, H, L, DH)), ("d_fam_out", (B, H, fam, DH)))}
    key_mask = cache_mask = None
    if padded:
        key_mask = np.ones((B, L), np.uint8)
        key_mask[1, -2:] = 0
        cache_mask = np.ones((B, cache), np.uint8)
        cache_mask[0, :2] = 0
    a = arrays
    got = _core.nn_fam_attention(a["q"], a["k"], a["v"], a["fam_q"], a["fam_k"], a["fam_v"], a["cache_k"],
                                 a["cache_v"], key_mask, cache_mask, a["d_out"], a["d_fam_out"])
    names = ["q", "k", "v", "fam_q", "fam_k", "fam_v", "cache_k", "cache_v"]
    leaves = {n: torch.tensor(a[n], dtype=torch.float64, requires_grad=True) for n in names}
    out, fam_out = sf.fam_block_attention(
        leaves["q"], leaves["k"], leaves["v"], leaves["fam_q"], leaves["fam_k"], leaves["fam_v"], leaves["cache_k"],
        leaves["cache_v"], None if key_mask is None else torch.tensor(key_mask).bool(),
        None if cache_mask is None else torch.tensor(cache_mask).bool())
    assert rel(got["out"], out.detach().numpy()) <= tol
    if fam:
        assert rel(got["fam_out"], fam_out.detach().numpy()) <= tol
    loss = (out * torch.tensor(a["d_out"], dtype=torch.float64)).sum()
    if fam:
        loss = loss + (fam_out * torch.tensor(a["d_fam_out"], dtype=torch.float64)).sum()
    loss.backward()
    for n in names:
        ref = leaves[n].grad
        ref = np.zeros(a[n].shape) if ref is None else ref.numpy()
        if ref.size:
            assert rel(got["d_" + n], ref) <= tol, n
        assert np.shape(got["d_" + n]) == a[n].shape, n


# ---- the fam model (models/nets/fam_blocks.cpp, NETWORKS.md §7) against the reference model ---------------------

import json  # noqa: E402
import math  # noqa: E402

VOCAB, CLASSES, MAX_LENGTH = 13, 4, 23
LENGTHS = [23, 16, 5]


def model_config(**extra):
    c = dict(name="fam", vocab_size=VOCAB, num_classes=CLASSES, max_length=MAX_LENGTH, d_model=16, heads=2,
             layers=2, ffn=24, dropout=0.0, seed=3, segment_length=5, memory_tokens=3)
    c.update(extra)
    return c


def model_batch(seed=7):
    return padded_batch(VOCAB, MAX_LENGTH, LENGTHS, [1, 3, 0], seed)


def model_weights(cfg, seed=11):
    """glia's initial weights moved off their initial values, so that no gradient is trivial."""
    return perturbed_init(_core, cfg, 0.2, seed)


MODEL_CASES = {
    "pre-F3-m1": {},
    "post-sinusoidal-m2": {"norm": "post", "positions": "sinusoidal", "mem_segment": 2},
    "F0-m1": {"memory_tokens": 0},
    "m0-memory-readout": {"mem_segment": 0, "readout": "memory"},
    "B23-one-block": {"segment_length": 23, "memory_tokens": 2},
    "B4-m3-layers3": {"segment_length": 4, "mem_segment": 3, "layers": 3},
}


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-9), ("float32", 1e-4)])
@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_fam_model_matches_reference(dtype, tol, case):
    cfg = model_config(**MODEL_CASES[case])
    weights = {k: v.astype(dtype) for k, v in model_weights(cfg).items()}
    shapes = sf.parameter_shapes(cfg)
    assert list(weights) == list(shapes)  # names, and the documented order
    for k, v in weights.items():
        assert v.shape == shapes[k], k
    tokens, mask, labels = model_batch()
    ref = sf.forward_backward(cfg, weights, tokens, mask, labels, dtype=torch.float64)
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in ref["grads"].values()))
    for strategy in ("bptt", "amrb"):
        got = _core.nn_model_forward_backward(json.dumps(cfg), weights, tokens, mask, labels, dtype, strategy)
        assert rel(got["logits"], ref["logits"]) <= tol
        assert abs(got["loss"] - ref["loss"]) <= tol * abs(ref["loss"])
        for k, g in ref["grads"].items():
            err = np.linalg.norm(np.asarray(got["grads"][k], np.float64) - g) / max(np.linalg.norm(g), 1e-3 * total)
            assert err <= tol, (strategy, k, err)


@pytest.mark.parametrize("case", ["pre-F3-m1", "B4-m3-layers3"])
def test_fam_amrb_equals_bptt_bitwise(case):
    """AMRB re-runs each block from the FAM entering it and the cached keys and values: the same operations on
    the same numbers as BPTT, so the same gradients bit for bit (float32)."""
    cfg = model_config(**MODEL_CASES[case])
    weights = {k: v.astype(np.float32) for k, v in model_weights(cfg).items()}
    tokens, mask, labels = model_batch()
    a, b = (_core.nn_model_forward_backward(json.dumps(cfg), weights, tokens, mask, labels, "float32", s)
            for s in ("bptt", "amrb"))
    assert a["loss"] == b["loss"]
    for k in a["grads"]:
        assert np.array_equal(a["grads"][k], b["grads"][k]), k


def test_fam_init_and_config_errors():
    init = _core.nn_model_init(json.dumps(model_config(layers=3, memory_tokens=4, d_model=64, heads=4, ffn=64)))
    assert init["memory"].shape == (3, 4, 64)
    assert abs(init["memory"].std() / (1 / 8) - 1) < 0.15  # N(0, 1/√d)
    assert "memory" not in _core.nn_model_init(json.dumps(model_config(memory_tokens=0)))
    for extra, field in (({"segment_length": 0}, "model.segment_length"),
                         ({"segment_length": 24}, "model.segment_length"),
                         ({"memory_tokens": -1}, "model.memory_tokens"), ({"mem_segment": -2}, "model.mem_segment"),
                         ({"readout": "memory", "memory_tokens": 0}, "model.readout"),
                         ({"readout": "last"}, "model.readout"), ({"raf": {}}, "model.raf"),
                         ({"segment_positions": "global"}, "model.segment_positions"),
                         ({"max_length": 300, "segment_length": 1}, "model.segment_length")):  # 300 blocks > 255
        with pytest.raises(_core.ConfigError, match=field.replace(".", r"\.")):
            _core.nn_model_init(json.dumps(model_config(**extra)))
    for name in ("transformer", "srformer"):
        extra = {"segment_length": 5} if name == "srformer" else {}
        c = dict(name=name, vocab_size=VOCAB, num_classes=CLASSES, max_length=MAX_LENGTH, mem_segment=1, **extra)
        with pytest.raises(_core.ConfigError, match=r"model\.mem_segment"):
            _core.nn_model_init(json.dumps(c))
