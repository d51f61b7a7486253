"""The cost model of experiments/reference/torch_srformer_fam.py against what glia's ops keep: the floats held by
the forward contexts of softmax and srformer attention are exactly the model's memory (plus the token rows' q, k, v
and output, which it does not count); fam's blocked contexts hold more than the visible pairs the model counts (the
masked causal triangle and the copied cache keys), never less. Skips without PyTorch."""

import pathlib
import sys

import numpy as np
import pytest

pytest.importorskip("torch")
from glia import _core  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_srformer_fam as sf  # noqa: E402

N, D, HEADS = 96, 16, 2


def inputs():
    rng = np.random.default_rng(3)
    return [rng.standard_normal((1, HEADS, N, D // HEADS)).astype(np.float32) for _ in range(3)]


def floats(kind, s=0, f=0, m=1):
    q, k, v = inputs()
    r = _core.nn_time_attention_cost(kind, q, k, v, s, f, m, repeat=1, backward=True)
    assert len(r["seconds"]) == 1 and r["seconds"][0] > 0
    return r["context_floats"] - 4 * HEADS * N * (D // HEADS)


def test_softmax_and_srformer_keep_what_the_model_counts():
    assert floats("softmax") == sf.attention_cost("softmax", N, D, HEADS)["memory"]
    for s in (8, 32, 40, 96):  # 40 does not divide N: padded segments
        assert floats("srformer", s) == sf.attention_cost("srformer", N, D, HEADS, s)["memory"], s


@pytest.mark.parametrize("s,f,m", [(16, 4, 1), (32, 0, 2), (40, 3, 0)])
def test_fam_keeps_at_least_the_visible_pairs(s, f, m):
    predicted = sf.attention_cost("fam", N, D, HEADS, s, f, m)
    got = floats("fam", s, f, m)
    # each block keeps its L × (F + C + L) token weights (the model: the visible L (F + C) + L (L + 1) / 2) and
    # copies of the FAM and cache keys and values
    T = -(-N // s)
    full_pairs = sum(min(s, N - t * s) * (f + (t - max(0, t - m)) * s + min(s, N - t * s)) + f * (f + min(s, N - t * s))
                     for t in range(T))
    assert predicted["memory"] <= got
    assert got >= HEADS * full_pairs


def test_unknown_kind_and_bad_sizes_are_refused():
    q, k, v = inputs()
    with pytest.raises(_core.ConfigError, match="nn_time_attention_cost.kind"):
        _core.nn_time_attention_cost("fast", q, k, v, 8, 0, 1)
    with pytest.raises(_core.ConfigError, match="nn_time_attention_cost"):
        _core.nn_time_attention_cost("fam", q, k, v, 0, 2, 1)
