"""glia's SRformer attention op (engine/nn/ops/srformer_attention) against the PyTorch reference written from
NETWORKS.md §6 (experiments/reference/torch_srformer_fam.py): output and every gradient (q, k, v, W_R, λ, θ) on
random inputs with padding and a last segment shorter than S, relative error ≤ 1e-9 in float64 and 1e-4 in float32;
bad leak, threshold and segment length name their field. Skips without PyTorch."""

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
B, H, N, DH = 2, 3, 11, 4


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


def inputs(dtype, seed=3):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((B, H, N, DH)).astype(dtype) for _ in range(3))
    w_r = (0.5 * rng.standard_normal((H, DH, DH))).astype(dtype)
    d_out = rng.standard_normal((B, H, N, DH)).astype(dtype)
    mask = np.ones((B, N), np.uint8)
    mask[1, -4:] = 0
    mask[0, 2] = 0
    return q, k, v, w_r, d_out, mask


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-9), (np.float32, 1e-4)])
@pytest.mark.parametrize("segment", [4, 3, 11, 1])
@pytest.mark.parametrize("padded", [False, True])
def test_srformer_matches_reference(dtype, tol, segment, padded):
    q, k, v, w_r, d_out, mask = inputs(dtype)
    mask = mask if padded else None
    lam, theta = 0.3, 0.7
    g = _core.nn_srformer_attention(q, k, v, w_r, lam, theta, mask, segment, d_out)
    leaves = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v, w_r)]
    tl, tt = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (lam, theta))
    out, state = sf.srformer_attention(*leaves[:3], segment, tl, tt, leaves[3],
                                       None if mask is None else torch.tensor(mask).bool(), return_state=True)
    # the RAF must fire somewhere and not everywhere, away from the threshold (the derivative is piecewise)
    spikes = state["spike"].numpy()
    r = (state["u_tilde"] / theta).detach().numpy()
    if segment < N:
        assert 0 < spikes.mean() < 1
    assert np.abs(r - 1).min() > 1e-6
    assert rel(g["out"], out.detach().numpy()) <= tol
    out.backward(torch.tensor(d_out, dtype=torch.float64))
    for name, t in zip(("d_q", "d_k", "d_v", "d_recurrent"), leaves):
        assert rel(g[name], t.grad.numpy()) <= tol, name
    assert rel(g["d_leak"], tl.grad.item()) <= tol
    assert rel(g["d_threshold"], tt.grad.item()) <= tol


def test_bad_parameters_name_the_field():
    q, k, v, w_r, d_out, mask = inputs(np.float64)
    for lam, theta, segment, field in ((-0.1, 0.5, 4, "leak"), (0.1, 0.0, 4, "threshold"),
                                       (0.1, -1.0, 4, "threshold"), (0.1, 0.5, 0, "segment_length")):
        with pytest.raises(_core.ConfigError, match=f"srformer_attention.{field}"):
            _core.nn_srformer_attention(q, k, v, w_r, lam, theta, mask, segment, d_out)
    with pytest.raises(_core.ConfigError, match="srformer_attention.recurrent"):
        _core.nn_srformer_attention(q, k, v, w_r[:, :3], 0.1, 0.5, mask, 4, d_out)


# ---- the srformer model (models/nets, NETWORKS.md §6) against the reference model --------------------------------

import json  # noqa: E402
import math  # noqa: E402

VOCAB, CLASSES, MAX_LENGTH = 13, 4, 23
LENGTHS = [23, 16, 5]


def model_config(**extra):
    c = dict(name="srformer", vocab_size=VOCAB, num_classes=CLASSES, max_length=MAX_LENGTH, d_model=16, heads=2,
             layers=2, ffn=24, dropout=0.0, seed=3, segment_length=5)
    c.update(extra)
    return c


def model_batch(seed=7):
    return padded_batch(VOCAB, MAX_LENGTH, LENGTHS, [1, 3, 0], seed)


def model_weights(cfg, seed=11):
    """glia's initial weights moved off their initial values (so no gradient is trivial), λ and θ kept valid."""
    w = perturbed_init(_core, cfg, 0.2, seed)
    for k in w:
        if k.endswith(".leak"):
            w[k] = np.array([0.35])
        if k.endswith(".threshold"):
            w[k] = np.array([0.6])
    return w


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-9), ("float32", 1e-4)])
@pytest.mark.parametrize("extra", [{}, {"norm": "post", "positions": "sinusoidal", "segment_length": 23},
                                   {"segment_length": 3, "raf": {"lambda_init": 0.0, "theta_init": 2.0}}],
                         ids=["pre-S5", "post-S23", "pre-S3"])
def test_srformer_model_matches_reference(dtype, tol, extra):
    cfg = model_config(**extra)
    weights = {k: v.astype(dtype) for k, v in model_weights(cfg).items()}
    assert set(weights) == set(sf.parameter_shapes(cfg))
    for k, v in weights.items():
        assert v.shape == sf.parameter_shapes(cfg)[k], k
    tokens, mask, labels = model_batch()
    ref = sf.forward_backward(cfg, weights, tokens, mask, labels, dtype=torch.float64)
    got = _core.nn_model_forward_backward(json.dumps(cfg), weights, tokens, mask, labels, dtype, "")
    assert rel(got["logits"], ref["logits"]) <= tol
    assert abs(got["loss"] - ref["loss"]) <= tol * abs(ref["loss"])
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in ref["grads"].values()))
    for k, g in ref["grads"].items():
        err = np.linalg.norm(np.asarray(got["grads"][k], np.float64) - g) / max(np.linalg.norm(g), 1e-3 * total)
        assert err <= tol, (k, err)


def test_srformer_init_and_config_errors():
    cfg = model_config(raf={"lambda_init": 0.2, "theta_init": 0.3})
    init = _core.nn_model_init(json.dumps(cfg))
    assert init["layers.1.attention.leak"].tolist() == [0.2] and init["layers.1.attention.threshold"].tolist() == [0.3]
    assert init["layers.0.attention.recurrent"].shape == (2, 8, 8)
    assert abs(init["layers.0.attention.recurrent"].std() - 0.25) < 0.1  # N(0, 1/√d)
    for extra, field in (({"segment_length": 0}, "model.segment_length"), ({"segment_length": 24}, "model.segment_length"),
                         ({"raf": {"lambda_init": -0.1}}, "model.raf.lambda_init"),
                         ({"raf": {"theta_init": 0}}, "model.raf.theta_init"), ({"memory_tokens": 4}, "model.memory_tokens")):
        with pytest.raises(_core.ConfigError, match=field.replace(".", r"\.")):
            _core.nn_model_init(json.dumps(model_config(**extra)))
