"""glia's engine/nn ops against the PyTorch reference (experiments/reference/torch_ops.py): outputs and
gradients on random inputs, in float32 and float64, relative error ≤ 1e-4 (issue #5). Skips when PyTorch
is not installed (Debian's python3-torch)."""

import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from glia import _core  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_ops as ref  # noqa: E402

DTYPES = [np.float32, np.float64]
B, H, N, DK, DV = 2, 3, 7, 4, 5


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


def leaf(a):
    return torch.tensor(a, requires_grad=True)


def compare(glia_result, out, inputs, d_out, names):
    """out: the reference output; inputs: leaf tensors whose .grad is compared with glia's d_<name>."""
    assert rel(glia_result["out"], out.detach().numpy()) <= 1e-4
    out.backward(torch.tensor(d_out))
    for name, t in zip(names, inputs):
        assert rel(glia_result["d_" + name], t.grad.numpy()) <= 1e-4, name


@pytest.fixture
def rng():
    return np.random.default_rng(5)


def padding_mask():
    m = np.ones((B, N), np.uint8)
    m[1, -3:] = 0
    return m


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_and_positions(rng, dtype):
    ids = rng.integers(0, 11, (B, N)).astype(np.int32)
    table = rng.standard_normal((11, DK)).astype(dtype)
    d_out = rng.standard_normal((B, N, DK)).astype(dtype)
    t = leaf(table)
    compare(_core.nn_embedding(ids, table, d_out), ref.embedding(torch.tensor(ids, dtype=torch.long), t), [t], d_out,
            ["table"])
    x = rng.standard_normal((B, N, DK)).astype(dtype)
    pos = rng.standard_normal((N + 3, DK)).astype(dtype)
    tx, tp = leaf(x), leaf(pos)
    compare(_core.nn_learned_positions(x, pos, d_out), ref.learned_positions(tx, tp), [tx, tp], d_out,
            ["x", "table"])
    tx = leaf(x)
    compare(_core.nn_sinusoidal_positions(x, d_out), ref.sinusoidal_positions(tx), [tx], d_out, ["x"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear(rng, dtype, with_bias):
    x = rng.standard_normal((B, N, DK)).astype(dtype)
    w = rng.standard_normal((DV, DK)).astype(dtype)
    b = rng.standard_normal(DV).astype(dtype) if with_bias else None
    d_out = rng.standard_normal((B, N, DV)).astype(dtype)
    tx, tw = leaf(x), leaf(w)
    tb = leaf(b) if with_bias else None
    inputs, names = ([tx, tw, tb], ["x", "weight", "bias"]) if with_bias else ([tx, tw], ["x", "weight"])
    compare(_core.nn_linear(x, w, b, d_out), ref.linear(tx, tw, tb), inputs, d_out, names)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_and_gelu(rng, dtype):
    x = (2 * rng.standard_normal((B, N, DV)) + 0.5).astype(dtype)
    gamma = (1 + 0.3 * rng.standard_normal(DV)).astype(dtype)
    beta = rng.standard_normal(DV).astype(dtype)
    d_out = rng.standard_normal((B, N, DV)).astype(dtype)
    tx, tg, tb = leaf(x), leaf(gamma), leaf(beta)
    compare(_core.nn_layer_norm(x, gamma, beta, 1e-5, d_out), ref.layer_norm(tx, tg, tb, 1e-5), [tx, tg, tb], d_out,
            ["x", "gamma", "beta"])
    tx = leaf(x)
    compare(_core.nn_gelu(x, d_out), ref.gelu(tx), [tx], d_out, ["x"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("padded", [False, True])
def test_softmax_and_linear_attention(rng, dtype, causal, padded):
    q, k = (rng.standard_normal((B, H, N, DK)).astype(dtype) for _ in range(2))
    v = rng.standard_normal((B, H, N, DV)).astype(dtype)
    d_out = rng.standard_normal((B, H, N, DV)).astype(dtype)
    mask = padding_mask() if padded else None
    tmask = torch.tensor(mask) if padded else None
    tq, tk, tv = leaf(q), leaf(k), leaf(v)
    compare(_core.nn_softmax_attention(q, k, v, mask, causal, d_out), ref.softmax_attention(tq, tk, tv, tmask, causal),
            [tq, tk, tv], d_out, ["q", "k", "v"])
    tq, tk, tv = leaf(q), leaf(k), leaf(v)
    compare(_core.nn_linear_attention(q, k, v, mask, causal, 1e-6, d_out),
            ref.linear_attention(tq, tk, tv, tmask, causal, 1e-6), [tq, tk, tv], d_out, ["q", "k", "v"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [(0.25, True, True, "1/N"), (0.25, True, True, "1/sqrt(N)"),
                                     (0.25, True, True, "learned"), (0.5, True, False, "1/sqrt(N)"),
                                     (1.0, False, False, "1/sqrt(N)"), (0.25, False, True, "learned")])
@pytest.mark.parametrize("padded", [False, True])
def test_astromorphic_attention(rng, dtype, options, padded):
    alpha, astro, sigmoid, scale = options
    q, k = (rng.standard_normal((B, H, N, DK)).astype(dtype) for _ in range(2))
    v = (2 * rng.standard_normal((B, H, N, DV))).astype(dtype)
    e = rng.standard_normal((H, N, DK)).astype(dtype)
    rho = rng.standard_normal(H).astype(dtype)
    d_out = rng.standard_normal((B, H, N, DV)).astype(dtype)
    mask = padding_mask() if padded else None
    rho_c = rng.standard_normal(H).astype(dtype)
    tq, tk, tv, te, tr, tc = leaf(q), leaf(k), leaf(v), leaf(e), leaf(rho), leaf(rho_c)
    learned = scale == "learned"
    out = ref.astromorphic_attention(tq, tk, tv, te, tr, torch.tensor(mask) if padded else None, alpha, astro, sigmoid,
                                     1e-6, tc if learned else scale)
    result = _core.nn_astromorphic_attention(q, k, v, e, rho, mask, alpha, astro, sigmoid, 1e-6, d_out, scale,
                                             rho_c if learned else None)
    inputs, names = [tq, tk, tv], ["q", "k", "v"]
    if astro:
        inputs, names = inputs + [te, tr], names + ["position", "decay"]
    if learned:
        inputs, names = inputs + [tc], names + ["scale"]
    compare(result, out, inputs, d_out, names)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pooling_and_cross_entropy(rng, dtype):
    x = rng.standard_normal((B, N, DV)).astype(dtype)
    d_out = rng.standard_normal((B, DV)).astype(dtype)
    for mask in (None, padding_mask()):
        tx = leaf(x)
        compare(_core.nn_mean_pooling(x, mask, d_out), ref.mean_pooling(tx, None if mask is None else torch.tensor(mask)),
                [tx], d_out, ["x"])
    logits = (2 * rng.standard_normal((6, 5))).astype(dtype)
    labels = rng.integers(0, 5, 6).astype(np.int32)
    for smoothing in (0.0, 0.1):
        tl = leaf(logits)
        loss = ref.cross_entropy(tl, torch.tensor(labels, dtype=torch.long), smoothing)
        loss.backward()
        r = _core.nn_cross_entropy(logits, labels, smoothing)
        assert abs(r["loss"] - loss.item()) <= 1e-4 * abs(loss.item())
        assert rel(r["d_logits"], tl.grad.numpy()) <= 1e-4
        assert r["correct"] == int((logits.argmax(1) == labels).sum())


def test_dropout_mask_is_reproducible_and_scaled(rng):
    x = rng.standard_normal((4, 300)).astype(np.float32) + 3
    d_out = rng.standard_normal((4, 300)).astype(np.float32)
    a = _core.nn_dropout(x, 0.2, 7, 3, 1, d_out)
    b = _core.nn_dropout(x, 0.2, 7, 3, 1, d_out)
    np.testing.assert_array_equal(a["out"], b["out"])
    kept = a["out"] != 0
    np.testing.assert_allclose(a["out"][kept], x[kept] / np.float32(0.8), rtol=1e-6)
    np.testing.assert_array_equal(a["d_x"] != 0, kept)
    assert abs(kept.mean() - 0.8) < 0.05
    assert not np.array_equal(_core.nn_dropout(x, 0.2, 7, 4, 1, d_out)["out"], a["out"])


def test_dtype_selects_the_scalar_type(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    assert _core.nn_gelu(x, x)["out"].dtype == np.float32
    assert _core.nn_gelu(x.astype(np.float64), x.astype(np.float64))["out"].dtype == np.float64
