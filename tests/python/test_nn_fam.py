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
