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
