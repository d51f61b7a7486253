"""The PyTorch reference of `srformer` and `fam` (experiments/reference/torch_srformer_fam.py, NETWORKS.md §6–7)
checked against facts that do not come from it: segment-local and block sliding-window softmax attention computed
directly with explicit N×N masks, full softmax attention (torch_ops), a scalar loop-by-loop re-computation of the
RAF recurrence, a dense per-block re-computation of a FAM layer on [FAM ; cache ; block] rows, causality,
gradcheck, the documented parameter table and config errors, and a hand count of the cost model. Needs no glia
build; skips without PyTorch."""

import math
import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_ops as ops  # noqa: E402
import torch_srformer_fam as sf  # noqa: E402

torch.set_num_threads(1)
DT = torch.float64
VOCAB, CLASSES = 11, 3


def rnd(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return scale * torch.randn(*shape, generator=g, dtype=DT)


def direct_attention(q, k, v, visible):
    """softmax(q kᵀ/√d_h) v with an explicit (B, Nq, Nk) bool visibility, written out without the module's helper;
    rows that see nothing give 0."""
    scores = torch.einsum("bhid,bhjd->bhij", q, k) / math.sqrt(q.shape[-1])
    vis = visible[:, None]
    scores = torch.where(vis, scores, torch.full_like(scores, -1e300))
    w = torch.exp(scores - scores.max(-1, keepdim=True).values) * vis
    den = w.sum(-1, keepdim=True)
    return torch.einsum("bhij,bhjd->bhid", w / torch.where(den > 0, den, torch.ones_like(den)), v)


def bswa_visible(N, block, m, real):
    """Block sliding-window causal visibility (B, N, N): key j visible to query i iff j ≤ i, block(j) ≥ block(i) − m
    and j is real."""
    i = torch.arange(N)[:, None]
    j = torch.arange(N)[None, :]
    base = (j <= i) & (j // block >= i // block - m)
    return base[None] & real[:, None, :]


def qkv(B, H, N, dh, seed):
    return rnd(B, H, N, dh, seed=seed), rnd(B, H, N, dh, seed=seed + 1), rnd(B, H, N, dh, seed=seed + 2)


def row_mask(B, N, lengths):
    m = torch.zeros(B, N, dtype=torch.bool)
    for b, n in enumerate(lengths):
        m[b, :n] = True
    return m


# ------------------------------------------------------------------------------------------------------------
# SRformer operator

@pytest.mark.parametrize("N,S", [(8, 4), (7, 3), (9, 1)])
def test_srformer_no_firing_is_segment_local_softmax(N, S):
    """(a) λ = 0 and θ huge: no RAF output, so SRformer is block-diagonal (segment-local) softmax attention."""
    B, H, dh = 2, 2, 3
    q, k, v = qkv(B, H, N, dh, 1)
    real = row_mask(B, N, [N, N - 2])
    out = sf.srformer_attention(q, k, v, S, 0.0, 1e30, rnd(H, dh, dh, seed=9), real)
    seg = torch.arange(N) // S
    visible = (seg[:, None] == seg[None, :])[None] & real[:, None, :]
    ref = direct_attention(q, k, v, visible)
    assert torch.allclose(out, ref, rtol=0, atol=1e-13)


@pytest.mark.parametrize("S", [6, 8])
def test_srformer_single_segment_is_full_softmax(S):
    """(b) one segment covering the sequence: X_1 = 0, P = 0, and SRformer is §2's full softmax attention."""
    B, H, N, dh = 2, 2, 6, 4
    q, k, v = qkv(B, H, N, dh, 4)
    real = row_mask(B, N, [6, 4])
    out, state = sf.srformer_attention(q, k, v, S, 0.7, 1e-3, rnd(H, dh, dh, seed=8), real, return_state=True)
    assert state["x"].abs().max() == 0 and state["p"].abs().max() == 0
    ref = ops.softmax_attention(q, k, v, real)
    assert torch.allclose(out, ref, rtol=0, atol=1e-13)


def loop_srformer(q, k, v, S, lam, theta, w_r, real):
    """Scalar, loop-by-loop SRformer: every sum written as a Python loop over floats, X_s = Σ_{j≠s} K_jᵀV_j
    directly (not total − own)."""
    B, H, N, dh = q.shape
    T = -(-N // S)
    q, k, v, w_r = (t.tolist() for t in (q, k, v, w_r))
    out = [[[[0.0] * dh for _ in range(N)] for _ in range(H)] for _ in range(B)]
    spikes = []
    for b in range(B):
        for h in range(H):
            rows = [[t for t in range(s * S, min(N, (s + 1) * S)) if real[b][t]] for s in range(T)]
            kv = [[[sum(k[b][h][t][a] * v[b][h][t][c] for t in rows[s]) for c in range(dh)] for a in range(dh)]
                  for s in range(T)]
            U = [[0.0] * dh for _ in range(dh)]
            P = []
            for s in range(T):
                X = [[sum(kv[j][a][c] for j in range(T) if j != s) for c in range(dh)] for a in range(dh)]
                Ps = [[0.0] * dh for _ in range(dh)]
                for a in range(dh):
                    for c in range(dh):
                        ut = lam * U[a][c] + sum(X[a][e] * w_r[h][e][c] for e in range(dh))
                        r = ut / theta
                        Ps[a][c] = max(r - 1.0, 0.0)
                        U[a][c] = ut - theta * (1.0 if r > 1.0 else 0.0)
                        spikes.append(r)
                P.append(Ps)
            norm = [math.sqrt(sum(k[b][h][t][c] ** 2 for t in range(N) if real[b][t])) for c in range(dh)]
            for i in range(N):
                s = i // S
                sc = [sum(q[b][h][i][a] * k[b][h][j][a] for a in range(dh)) / math.sqrt(dh) for j in rows[s]]
                mx = max(sc) if sc else 0.0
                e = [math.exp(x - mx) for x in sc]
                z = sum(e)
                for c in range(dh):
                    local = sum(e[n] / z * v[b][h][j][c] for n, j in enumerate(rows[s])) if sc else 0.0
                    rec = sum(q[b][h][i][a] * P[s][a][c] for a in range(dh)) / norm[c]
                    out[b][h][i][c] = local + rec
    return torch.tensor(out, dtype=DT), spikes


def test_srformer_matches_scalar_loop():
    """(c) the vectorised RAF recurrence equals a scalar loop-by-loop re-computation to 1e-12, in a case where
    neurons fire and reset (λ > 0 carries the reset into later segments), with a padded row and S ∤ N."""
    B, H, N, dh, S = 2, 2, 7, 2, 3
    q, k, v = qkv(B, H, N, dh, 21)
    w_r = rnd(H, dh, dh, seed=24)
    real = row_mask(B, N, [7, 5])
    lam = 0.6
    _, state = sf.srformer_attention(q, k, v, S, lam, 1.0, w_r, real, return_state=True)
    theta = float(state["u_tilde"].abs().median())  # about half of the neurons fire at some step
    out, state = sf.srformer_attention(q, k, v, S, lam, theta, w_r, real, return_state=True)
    ref, r = loop_srformer(q, k, v, S, lam, theta, w_r, real.tolist())
    r = np.array(r)
    assert 0 < (r > 1).sum() < r.size and np.abs(r - 1).min() > 1e-6
    assert torch.allclose(out, ref, rtol=0, atol=1e-12)
    assert state["spike"].sum() == (r > 1).sum()


def test_srformer_ignores_padded_keys_and_pads_like_masking():
    """Padded keys' values do not matter; S ∤ N gives the same as explicit masked padding to T·S rows."""
    B, H, N, dh, S = 2, 2, 7, 3, 3
    q, k, v = qkv(B, H, N, dh, 31)
    w_r = rnd(H, dh, dh, seed=34)
    real = row_mask(B, N, [7, 4])
    out = sf.srformer_attention(q, k, v, S, 0.5, 0.2, w_r, real)
    k2, v2 = k.clone(), v.clone()
    k2[1, :, 4:] += 5.0
    v2[1, :, 4:] -= 3.0
    out2 = sf.srformer_attention(q, k2, v2, S, 0.5, 0.2, w_r, real)
    assert torch.equal(out[:, :, :], out2[:, :, :]) or torch.allclose(out, out2, rtol=0, atol=1e-14)
    qp, kp, vp = (F.pad(t, (0, 0, 0, 2)) for t in (q, k, v))
    outp = sf.srformer_attention(qp, kp, vp, S, 0.5, 0.2, w_r, F.pad(real, (0, 2)))
    assert torch.allclose(out, outp[:, :, :N], rtol=0, atol=1e-14)


def test_srformer_gradcheck():
    """(f) gradcheck in float64 w.r.t. q, k, v, W_R, λ, θ, with neurons firing but no r within 1e-3 of the
    threshold (where the piecewise derivative jumps)."""
    B, H, N, dh, S = 1, 2, 6, 2, 2
    real = row_mask(B, N, [5])
    for seed in range(40):
        q, k, v = qkv(B, H, N, dh, 100 + 3 * seed)
        w_r = rnd(H, dh, dh, seed=500 + seed)
        lam, theta = torch.tensor([0.5], dtype=DT), torch.tensor([0.3], dtype=DT)
        _, st = sf.srformer_attention(q, k, v, S, lam, theta, w_r, real, return_state=True)
        r = st["u_tilde"] / theta
        if (r > 1).any() and (r < 1).any() and (r - 1).abs().min() > 1e-3:
            break
    else:
        pytest.fail("no seed away from the threshold")
    inputs = [t.clone().requires_grad_(True) for t in (q, k, v, w_r, lam, theta)]
    assert torch.autograd.gradcheck(lambda q, k, v, w, l, t: sf.srformer_attention(q, k, v, S, l, t, w, real),
                                    inputs, eps=1e-6, atol=1e-7, rtol=1e-6)


def test_srformer_operator_rejects_bad_raf_parameters():
    q, k, v = qkv(1, 1, 4, 2, 0)
    w = rnd(1, 2, 2)
    with pytest.raises(ValueError, match="lam"):
        sf.srformer_attention(q, k, v, 2, -0.1, 0.1, w)
    with pytest.raises(ValueError, match="theta"):
        sf.srformer_attention(q, k, v, 2, 0.1, 0.0, w)
    with pytest.raises(ValueError, match="segment_length"):
        sf.srformer_attention(q, k, v, 0, 0.1, 0.1, w)


# ------------------------------------------------------------------------------------------------------------
# FAM operator and layer

@pytest.mark.parametrize("N,block,m", [(8, 2, 1), (7, 3, 1), (9, 2, 0), (10, 3, 2), (5, 8, 1)])
def test_fam_without_memory_is_block_sliding_window(N, block, m):
    """(d) F = 0: FAM attention is block sliding-window attention, computed directly with an explicit mask."""
    B, H, dh = 2, 2, 3
    q, k, v = qkv(B, H, N, dh, 40)
    real = row_mask(B, N, [N, N - 2])
    T = -(-N // block)
    empty = torch.zeros(B, H, T, 0, dh, dtype=DT)
    out, fam_out = sf.fam_attention(q, k, v, empty, empty, empty, block, m, real)
    ref = direct_attention(q, k, v, bswa_visible(N, block, m, real))
    assert fam_out.shape == (B, H, T, 0, dh)
    assert torch.allclose(out, ref, rtol=0, atol=1e-13)


def layer_params(d, ffn, heads, seed, prefix="layers.0."):
    g = torch.Generator().manual_seed(seed)
    p = {}
    for m in ("q", "k", "v", "out"):
        p[prefix + f"attention.{m}.weight"] = 0.4 * torch.randn(d, d, generator=g, dtype=DT)
        p[prefix + f"attention.{m}.bias"] = 0.1 * torch.randn(d, generator=g, dtype=DT)
    for n in ("norm1", "norm2"):
        p[prefix + n + ".weight"] = 1 + 0.2 * torch.randn(d, generator=g, dtype=DT)
        p[prefix + n + ".bias"] = 0.1 * torch.randn(d, generator=g, dtype=DT)
    p[prefix + "ffn.in.weight"] = 0.4 * torch.randn(ffn, d, generator=g, dtype=DT)
    p[prefix + "ffn.in.bias"] = 0.1 * torch.randn(ffn, generator=g, dtype=DT)
    p[prefix + "ffn.out.weight"] = 0.4 * torch.randn(d, ffn, generator=g, dtype=DT)
    p[prefix + "ffn.out.bias"] = 0.1 * torch.randn(d, generator=g, dtype=DT)
    return p


def dense_layer(rows, visible, p, heads, norm, prefix="layers.0."):
    """A transformer block on (B, R, d) rows with an explicit (B, R, R) visibility, written from
    docs/model_config.md's forward-pass formulas (every row a query)."""
    B, R, d = rows.shape
    dh = d // heads

    def ln(x, n):
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + 1e-5) * p[prefix + n + ".weight"] + p[prefix + n + ".bias"]

    def lin(x, n):
        return x @ p[prefix + n + ".weight"].T + p[prefix + n + ".bias"]

    def attention(x):
        def heads_of(y):
            return y.reshape(B, R, heads, dh).permute(0, 2, 1, 3)
        o = direct_attention(heads_of(lin(x, "attention.q")), heads_of(lin(x, "attention.k")),
                             heads_of(lin(x, "attention.v")), visible)
        return lin(o.permute(0, 2, 1, 3).reshape(B, R, d), "attention.out")

    def ffn(x):
        h = lin(x, "ffn.in")
        h = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3)))
        return lin(h, "ffn.out")

    if norm == "pre":
        h = rows + attention(ln(rows, "norm1"))
        return h + ffn(ln(h, "norm2"))
    h = ln(rows + attention(rows), "norm1")
    return ln(h + ffn(h), "norm2")


@pytest.mark.parametrize("norm,N,block,m,Fm", [("pre", 7, 3, 1, 2), ("post", 8, 2, 2, 1), ("pre", 9, 3, 0, 3),
                                              ("pre", 6, 2, 1, 0)])
def test_fam_layer_matches_dense_per_block_computation(norm, N, block, m, Fm):
    """NETWORKS.md §7 / F1–F2 re-computed block by block: a dense transformer block on the rows
    [FAM_τ ; cached blocks ; block τ] with the documented visibility (tokens: FAM, real cache, causal real prefix;
    FAM: FAM and every real token of the block) gives fam_layer's block outputs and FAM_{τ+1}."""
    B, H, d, ffn = 2, 2, 4, 6
    p = layer_params(d, ffn, H, seed=50)
    x = rnd(B, N, d, seed=51)
    fam0 = rnd(Fm, d, seed=52)
    real = row_mask(B, N, [N, N - 3])
    y, fam_last, fams = sf.fam_layer(x, fam0, real, p, "layers.0.", H, block, m, norm, return_fams=True)
    assert len(fams) == -(-N // block) + 1 and torch.equal(fams[-1], fam_last)
    for tau in range(len(fams) - 1):
        a, b = tau * block, min(N, (tau + 1) * block)
        c = max(0, tau - m) * block
        C, L = a - c, b - a
        rows = torch.cat([fams[tau].expand(B, Fm, d), x[:, c:a], x[:, a:b]], 1)
        R = Fm + C + L
        vis = torch.zeros(B, R, R, dtype=torch.bool)
        vis[:, :Fm, :Fm] = True  # FAM queries: FAM keys …
        vis[:, :Fm, Fm + C:] = real[:, None, a:b]  # … and every real token of the block
        vis[:, Fm + C:, :Fm] = True  # token queries: FAM …
        vis[:, Fm + C:, Fm:Fm + C] = real[:, None, c:a]  # … real cached tokens …
        vis[:, Fm + C:, Fm + C:] = torch.ones(L, L, dtype=torch.bool).tril()[None] & real[:, None, a:b]  # … prefix
        vis[:, Fm:Fm + C, Fm:Fm + C] = torch.eye(C, dtype=torch.bool)  # cache rows' own outputs are not used
        out = dense_layer(rows, vis, p, H, norm)
        assert torch.allclose(out[:, :Fm], fams[tau + 1], rtol=0, atol=1e-12)
        assert torch.allclose(out[:, Fm + C:], y[:, a:b], rtol=0, atol=1e-12)


def fam_config(**kw):
    c = dict(name="fam", vocab_size=VOCAB, num_classes=CLASSES, max_length=10, d_model=8, heads=2, layers=2,
             ffn=12, dropout=0.0, segment_length=3, memory_tokens=2, mem_segment=1)
    c.update(kw)
    return c


def sr_config(**kw):
    c = dict(name="srformer", vocab_size=VOCAB, num_classes=CLASSES, max_length=10, d_model=8, heads=2, layers=2,
             ffn=12, dropout=0.0, segment_length=4)
    c.update(kw)
    return c


def perturbed(model, seed=3, scale=0.3):
    """Weights moved away from the initialisation so that biases and norms matter."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, prm in model.named_parameters():
            if not name.endswith(("leak", "threshold")):
                prm.add_(scale * torch.randn(prm.shape, generator=g, dtype=DT))
    return model


@pytest.mark.parametrize("norm", ["pre", "post"])
def test_fam_is_causal(norm):
    """(e) changing token j leaves every earlier token output of the last layer unchanged (and changes later
    ones): block tokens never see the future, through the cache or through the FAM."""
    model = perturbed(sf.build(fam_config(norm=norm, max_length=11, mem_segment=1)))
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, VOCAB, (2, 11))
    mask = np.ones((2, 11), np.uint8)
    z0, _, _ = model.hidden(tokens, mask)
    for j in (1, 4, 6, 10):
        t2 = tokens.copy()
        t2[:, j] = (t2[:, j] % (VOCAB - 1)) + 1
        z1, _, _ = model.hidden(t2, mask)
        assert torch.equal(z0[:, :j], z1[:, :j])
        assert (z0[:, j:] - z1[:, j:]).abs().amax(-1).min() > 1e-8


def test_fam_gradcheck():
    """(f) gradcheck of the FAM operator (teacher-forced FAM) and of a layer with the FAM recurrence."""
    B, H, N, dh, block, Fm = 1, 2, 5, 2, 2, 2
    T = 3
    q, k, v = qkv(B, H, N, dh, 60)
    fq, fk, fv = (rnd(B, H, T, Fm, dh, seed=s) for s in (63, 64, 65))
    real = row_mask(B, N, [4])
    inputs = [t.clone().requires_grad_(True) for t in (q, k, v, fq, fk, fv)]
    assert torch.autograd.gradcheck(lambda *a: sf.fam_attention(*a, block, 1, real), inputs, eps=1e-6, atol=1e-7)
    d = 4
    p = layer_params(d, 5, H, seed=66)
    x = rnd(B, N, d, seed=67)
    fam0 = rnd(Fm, d, seed=68)
    wq = p["layers.0.attention.q.weight"]

    def f(x, fam0, wq):
        pp = dict(p, **{"layers.0.attention.q.weight": wq})
        y, fam = sf.fam_layer(x, fam0, real, pp, "layers.0.", H, block, 1, "pre")
        return y, fam

    inputs = [t.clone().requires_grad_(True) for t in (x, fam0, wq)]
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7)


# ------------------------------------------------------------------------------------------------------------
# models

def test_parameter_names_and_shapes():
    """(g) the documented parameter table, in order, and named_parameters() giving exactly it."""
    d, H, ffn = 8, 2, 12
    layer = ["attention.q.weight", "attention.q.bias", "attention.k.weight", "attention.k.bias",
             "attention.v.weight", "attention.v.bias", "attention.out.weight", "attention.out.bias"]
    tail = ["norm1.weight", "norm1.bias", "ffn.in.weight", "ffn.in.bias", "ffn.out.weight", "ffn.out.bias",
            "norm2.weight", "norm2.bias"]
    sr = sf.Model(sr_config(layers=1))
    expect = (["embedding", "positions"] + [f"layers.0.{n}" for n in layer]
              + ["layers.0.attention.recurrent", "layers.0.attention.leak", "layers.0.attention.threshold"]
              + [f"layers.0.{n}" for n in tail] + ["final_norm.weight", "final_norm.bias", "head.weight", "head.bias"])
    # parameter_shapes gives the documented order; named_parameters() gives the same names and shapes (nn.Module
    # lists a container's own parameters before its children's, so its order may differ)
    assert list(sf.parameter_shapes(sr_config(layers=1))) == expect
    shapes = {n: tuple(p.shape) for n, p in sr.named_parameters()}
    assert shapes == sf.parameter_shapes(sr_config(layers=1))
    assert shapes["positions"] == (10, d) and shapes["embedding"] == (VOCAB, d)
    assert shapes["layers.0.attention.recurrent"] == (H, d // H, d // H)
    assert shapes["layers.0.attention.leak"] == shapes["layers.0.attention.threshold"] == (1,)
    assert shapes["layers.0.ffn.in.weight"] == (ffn, d) and shapes["head.weight"] == (CLASSES, d)
    assert float(sr.layers._modules["0"].attention.leak) == 0.1
    assert float(sr.layers._modules["0"].attention.threshold) == 0.1

    fam = sf.Model(fam_config(norm="post", positions="sinusoidal"))
    expect = (["embedding", "memory"] + [f"layers.{l}.{n}" for l in range(2) for n in layer + tail]
              + ["head.weight", "head.bias"])
    assert list(sf.parameter_shapes(fam_config(norm="post", positions="sinusoidal"))) == expect
    assert sorted(n for n, _ in fam.named_parameters()) == sorted(expect)
    assert tuple(fam.memory.shape) == (2, 2, d)
    assert "memory" not in sf.parameter_shapes(fam_config(memory_tokens=0))
    assert not sf.decays_weight("memory") and not sf.decays_weight("layers.0.attention.leak")
    assert sf.decays_weight("layers.0.attention.recurrent")


@pytest.mark.parametrize("cfg,field", [
    (sr_config(segment_length=0), "segment_length"),
    (sr_config(segment_length=11), "segment_length"),
    (sr_config(raf={"lambda_init": -0.1}), "raf.lambda_init"),
    (sr_config(raf={"theta_init": 0.0}), "raf.theta_init"),
    (sr_config(raf={"theta_init": -1.0}), "raf.theta_init"),
    (sr_config(raf={"tau": 1.0}), "raf.tau"),
    (sr_config(memory_tokens=2), "memory_tokens"),
    (sr_config(heads=3), "heads"),
    (fam_config(segment_length=2.5), "segment_length"),
    (fam_config(memory_tokens=-1), "memory_tokens"),
    (fam_config(mem_segment=-1), "mem_segment"),
    (fam_config(readout="memory", memory_tokens=0), "readout"),
    (fam_config(readout="cls"), "readout"),
    (fam_config(raf={}), "raf"),
    (fam_config(attention={"epsilon": 1e-6}), "attention.epsilon"),
    ({k: v for k, v in fam_config().items() if k != "segment_length"}, "segment_length"),
])
def test_config_errors_name_their_field(cfg, field):
    """(g) invalid configs raise ValueError starting with the offending field."""
    with pytest.raises(ValueError) as err:
        sf.resolve_config(cfg)
    assert str(err.value).startswith(field), str(err.value)


def test_models_run_load_and_differentiate():
    """Both models: logits of the right shape, independent of how much a batch is padded, weights round-trip
    through load, and every parameter (λ and θ included) receives a gradient."""
    rng = np.random.default_rng(5)
    tokens = rng.integers(1, VOCAB, (2, 9))
    mask = np.ones((2, 9), np.uint8)
    mask[1, 6:] = 0
    labels = np.array([0, 2])
    for cfg in (sr_config(raf={"lambda_init": 0.5, "theta_init": 0.05}), fam_config(readout="memory"),
                fam_config(norm="post")):
        model = perturbed(sf.build(cfg))
        logits = model(tokens, mask)
        assert logits.shape == (2, CLASSES)
        assert torch.allclose(model(tokens[:, :7], mask[:, :7])[1], logits[1], rtol=0, atol=1e-13)
        weights = {n: p.detach().numpy() for n, p in model.named_parameters()}
        out = sf.forward_backward(cfg, weights, tokens, mask, labels)
        assert np.allclose(out["logits"], logits.detach().numpy(), rtol=0, atol=1e-14)
        for name, g in out["grads"].items():
            assert np.abs(g).max() > 0, name
        with pytest.raises(ValueError, match="head.bias"):
            sf.build(cfg, {n: w for n, w in weights.items() if n != "head.bias"})


# ------------------------------------------------------------------------------------------------------------
# cost model

def test_cost_model_hand_count():
    """(h) N = 4, S = B_len = 2, d = 4, 2 heads (d_h = 2), F = 1, mem_segment = 1, ffn = 8, counted by hand.
    A visible pair costs 4·d_h + 4 = 12 FLOPs per head."""
    c = sf.cost_model(4, 2, 4, 2, memory_tokens=1, mem_segment=1, ffn=8)
    # softmax: 16 pairs × 2 heads × 12 = 384 FLOPs; 32 probabilities
    assert c["softmax"]["flops"] == 384 and c["softmax"]["memory"] == 32
    assert c["softmax"]["flops_per_token"] == 96 and c["softmax"]["memory_per_token"] == 8
    # srformer, T = 2: local 2·(2·2²)·12 = 192; KᵀV 2·2·(2·2·4) = 64; Σ and X_s 2·3·4 = 24; X W_R 2·2·(2·8) = 64;
    # RAF 2·2·4·8 = 128; qP 2·4·(2·4) = 64; norms 2·(2·4·2 + 2) = 36; ⊘ and + 2·2·4·2 = 32  → 604
    # memory: 2·8 probabilities + 2·2·3·4 states + 2·2 norms = 16 + 48 + 4 = 68
    assert c["srformer"]["flops"] == 604 and c["srformer"]["memory"] == 68
    # fam: token pairs — block 0: (1 + 0 + 1) + (1 + 0 + 2) = 5, block 1: (1 + 2 + 1) + (1 + 2 + 2) = 9 → 14;
    # FAM pairs 1·(1 + 2) per block → 6; attention 2·20·12 = 480; FAM rows 2·(8·1·16 + 4·1·4·8) = 512 → 992;
    # memory 2·20 + 2·4·1·4 = 72
    assert c["fam"]["pairs"] == 20 and c["fam"]["flops"] == 992 and c["fam"]["memory"] == 72
    assert c["fam"]["flops_ratio"] == 992 / 384 and c["srformer"]["memory_ratio"] == 68 / 32
    # the pair counts agree with the explicit visibility masks of the tests above
    vis = bswa_visible(4, 2, 1, torch.ones(1, 4, dtype=torch.bool))
    # 10 visible token–token pairs + 4 tokens × F = 1 FAM key + 2 blocks × F·(F + 2) FAM-query pairs
    assert int(vis.sum()) + 4 * 1 + 2 * 1 * (1 + 2) == 20
    seg = torch.arange(4) // 2
    assert int((seg[:, None] == seg[None, :]).sum()) * 2 == 2 * 8


def test_cost_model_scales_linearly():
    """Per-token cost of srformer and fam is nearly independent of N (fam's first blocks have a shorter cache, an
    O(1/T) effect) while softmax's grows linearly in N."""
    a = sf.cost_model(4096, 128, 64, 4, 8, 1)
    b = sf.cost_model(8192, 128, 64, 4, 8, 1)
    assert b["softmax"]["flops_per_token"] == pytest.approx(2 * a["softmax"]["flops_per_token"])
    assert b["srformer"]["flops_per_token"] == pytest.approx(a["srformer"]["flops_per_token"], rel=1e-3)
    assert b["fam"]["flops_per_token"] == pytest.approx(a["fam"]["flops_per_token"], rel=1e-2)
    assert a["srformer"]["flops_ratio"] < 0.1 and a["fam"]["flops_ratio"] < 0.2
