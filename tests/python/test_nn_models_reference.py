"""The PyTorch reference of the six models (experiments/reference/torch_models.py) checked on its own, against
facts that do not come from it: torch.nn.TransformerEncoderLayer (an independent transformer block), a row-by-row
direct computation of docs/model_config.md written here (per head, with NETWORKS.md §2's O(N m) exponential scan
for P_pos E instead of the dense product), the reduction of astromorphic to linear attention, the retention
formulas, invariances, and gradcheck. Needs no glia build; skips without PyTorch (Debian's python3-torch)."""

import math
import pathlib
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "experiments" / "reference"))
import torch_models as tm  # noqa: E402

torch.set_num_threads(1)
VOCAB, CLASSES = 11, 4


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30)


def config(name, **kw):
    c = dict(name=name, vocab_size=VOCAB, num_classes=CLASSES, max_length=14, d_model=8, heads=2, layers=2, ffn=12,
             dropout=0.0)
    if name in tm.SEGMENT_MODELS:
        c.update(segment_length=5, memory_tokens=2)  # T = 3
    c.update(kw)
    return c


def random_weights(cfg, seed=0, scale=0.3):
    """Weights of the documented shapes, far enough from the initialisation that biases, LN parameters and the
    decay all matter."""
    rng = np.random.default_rng(seed)
    w = {}
    for name, shape in tm.parameter_shapes(cfg).items():
        base = 1.0 if name.endswith(("norm1.weight", "norm2.weight", "final_norm.weight")) else 0.0
        if name.endswith("attention.decay"):
            base = -1.0
        w[name] = base + scale * rng.standard_normal(shape)
    return w


def batch(length, lengths, seed=1):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, VOCAB, (len(lengths), length)).astype(np.int32)
    mask = np.zeros(tokens.shape, np.uint8)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    tokens[mask == 0] = 0
    labels = rng.integers(0, CLASSES, len(lengths)).astype(np.int32)
    return tokens, mask, labels


# --- a direct computation, one row and one head at a time ---------------------------------------------------------

def phi(z):
    return torch.where(z > 0, z + 1, torch.exp(z))


def ln(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * g + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def head_attention(kind, q, k, v, keep, att, E=None, rho=None, rho_c=None):
    """q, k, v (N, d_h) of one head of one row; keep (N,) 1 for a real key."""
    n = q.shape[0]
    if kind == "softmax":
        scores = q @ k.T / math.sqrt(q.shape[1])
        scores = scores.masked_fill(keep[None, :] == 0, float("-inf"))
        return torch.softmax(scores, 1) @ v
    fq, fk = phi(q), phi(k) * keep[:, None]
    if kind == "linear":
        return (fq @ (fk.T @ v)) / (fq @ fk.sum(0) + att["epsilon"])[:, None]
    hebb = fk.T @ v
    if att["astrocyte_term"]:
        decay = torch.exp(-F.softplus(rho))
        f, b = [E[0]], [E[n - 1]]
        for i in range(1, n):
            f.append(E[i] + decay * f[-1])
            b.append(E[n - 1 - i] + decay * b[-1])
        A = torch.stack(f) + torch.stack(b[::-1]) - E
        hebb = hebb + (phi(A) * keep[:, None]).T @ v
    if att["nonlinearity"]:
        c = {"1/N": 1 / n, "1/sqrt(N)": 1 / math.sqrt(n)}.get(att["synaptic_scale"])
        H = torch.sigmoid((F.softplus(rho_c) if c is None else c) * hebb)
    else:
        H = hebb
    g = fk.sum(0) ** att["alpha"]
    return (fq @ H) / (fq @ g + att["epsilon"])[:, None]


def direct_blocks(x, keep, w, c):
    kind = tm.ATTENTION[c["name"]]
    H, dh = c["heads"], c["d_model"] // c["heads"]
    n = x.shape[0]

    def lin(y, name):
        return y @ w[name + ".weight"].T + w[name + ".bias"]

    def attention(y, p):
        q, k, v = (lin(y, p + m) for m in ("q", "k", "v"))
        heads = []
        for h in range(H):
            cols = slice(h * dh, (h + 1) * dh)
            E = w[p + "position"][h, :n] if p + "position" in w else None
            rho = w[p + "decay"][h] if p + "decay" in w else None
            rho_c = w[p + "synaptic_scale"][h] if p + "synaptic_scale" in w else None
            heads.append(head_attention(kind, q[:, cols], k[:, cols], v[:, cols], keep, c["attention"], E, rho, rho_c))
        return lin(torch.cat(heads, 1), p + "out")

    for l in range(c["layers"]):
        p = f"layers.{l}."

        def ffn(y):
            return lin(gelu_tanh(lin(y, p + "ffn.in")), p + "ffn.out")

        def norm(y, which):
            return ln(y, w[p + which + ".weight"], w[p + which + ".bias"])

        if c["norm"] == "pre":
            h = x + attention(norm(x, "norm1"), p + "attention.")
            x = h + ffn(norm(h, "norm2"))
        else:
            h = norm(x + attention(x, p + "attention."), "norm1")
            x = norm(h + ffn(h), "norm2")
    return x


def sinusoid(n, d):
    pe = torch.zeros(n, d, dtype=torch.float64)
    for pos in range(n):
        for i in range(0, d, 2):
            angle = pos / 10000 ** (i / d)
            pe[pos, i] = math.sin(angle)
            if i + 1 < d:
                pe[pos, i + 1] = math.cos(angle)
    return pe


def direct_logits(cfg, weights, tokens, mask, rf=None):
    w = {k: torch.tensor(v, dtype=torch.float64) for k, v in weights.items()}
    return (direct_pooled(cfg, weights, tokens, mask, rf) @ w["head.weight"].T + w["head.bias"]).numpy()


def direct_pooled(cfg, weights, tokens, mask, rf=None):
    """r (B, d): each row's pooled representation before the head, computed row by row."""
    c = tm.resolve_config(cfg)
    w = {k: torch.tensor(v, dtype=torch.float64) for k, v in weights.items()}

    def pos(n):
        return w["positions"][:n] if c["positions"] == "learned" else sinusoid(n, c["d_model"])

    def final(z):
        return ln(z, w["final_norm.weight"], w["final_norm.bias"]) if c["norm"] == "pre" else z

    out = []
    for row, keep in zip(torch.tensor(tokens, dtype=torch.long), torch.tensor(mask, dtype=torch.float64)):
        if c["name"] not in tm.SEGMENT_MODELS:
            # non-segment models pad every input to max_length (masked)
            row = torch.cat([row, torch.zeros(c["max_length"] - len(row), dtype=torch.long)])
            keep = torch.cat([keep, torch.zeros(c["max_length"] - len(keep), dtype=torch.float64)])
            z = final(direct_blocks(w["embedding"][row] + pos(len(row)), keep, w, c))
            r = (z * keep[:, None]).sum(0) / keep.sum()
        else:
            M, S = c["memory_tokens"], c["segment_length"]
            T = math.ceil(c["max_length"] / S)
            row = torch.cat([row, torch.zeros(T * S - len(row), dtype=torch.long)])
            keep = torch.cat([keep, torch.zeros(T * S - len(keep), dtype=torch.float64)])
            mem = w["memory"]
            for t in range(T):
                x = torch.cat([mem, w["embedding"][row[t * S:(t + 1) * S]]]) + pos(M + S)
                keep_t = keep[t * S:(t + 1) * S]
                z = direct_blocks(x, torch.cat([torch.ones(M, dtype=torch.float64), keep_t]), w, c)
                f = 1.0 if rf is None else rf[t]
                gated = c.get("retention", {}).get("carry") == "gated"
                mem = mem + f * (z[:M] - mem) if gated else z[:M] * f
            fz = final(z)
            if c["readout"] == "tokens" and keep_t.sum() > 0:
                r = (fz[M:] * keep_t[:, None]).sum(0) / keep_t.sum()
            else:
                r = fz[:M].mean(0)
        out.append(r)
    return torch.stack(out)


def exp_rf(c, T):
    z = sum(math.exp(-c * (i - 1)) for i in range(1, T + 1))
    return [math.exp(-c * (t - 1)) / z for t in range(1, T + 1)]  # the same closed form, summed directly


DIRECT_CASES = [
    ("transformer", {}), ("transformer", {"norm": "post", "positions": "sinusoidal"}),
    ("linear_transformer", {"positions": "sinusoidal"}), ("linear_transformer", {"norm": "post"}),
    ("at", {}), ("at", {"norm": "post", "positions": "sinusoidal", "attention": {"alpha": 0.5, "nonlinearity": False}}),
    ("at", {"attention": {"astrocyte_term": False}}),
    ("at", {"max_length": 20}),  # the op sees N = L = 14 < max_length rows: position code rows 0:14
    ("rmt", {}), ("rmt", {"norm": "post", "positions": "sinusoidal", "readout": "tokens"}),
    ("rlt", {"readout": "tokens"}), ("rlt", {"norm": "post", "positions": "sinusoidal"}),
    ("rmaat", {"retention": {"source": "exponential", "c": 0.7}}),
    ("rmaat", {"norm": "post", "positions": "sinusoidal", "readout": "tokens",
               "retention": {"source": "exponential", "c": 0.7}}),
    ("rmaat", {"max_length": 5}),  # one segment
    ("at", {"attention": {"nonlinearity": True, "synaptic_scale": "1/N"}}),
    ("at", {"attention": {"nonlinearity": True, "synaptic_scale": "learned"}}),
    ("rmaat", {"attention": {"nonlinearity": True}, "retention": {"source": "exponential", "c": 0.7, "carry": "gated"}}),
    ("rmaat", {"retention": {"source": "exponential", "c": 0.7, "normalization": "sum", "carry": "gated"}}),
]


@pytest.mark.parametrize("name,extra", DIRECT_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(DIRECT_CASES)])
def test_matches_direct_computation(name, extra):
    """Rows of 14, 8 and 3 real tokens: with S = 5 the last two rows' last segment is all padding (the memory
    attends only to itself, the `tokens` readout falls back to the memory)."""
    cfg = config(name, **extra)
    w = random_weights(cfg)
    length = min(14, cfg["max_length"])
    tokens, mask, _ = batch(length, [length, min(8, length), 3])
    rf = None
    if cfg.get("retention", {}).get("source") == "exponential":
        T = tm.num_segments(cfg)
        scale = T if cfg["retention"].get("normalization", "mean") == "mean" else 1  # mean 1 by default
        rf = [scale * f for f in exp_rf(cfg["retention"]["c"], T)]
    got = tm.build(cfg, w)(tokens, mask).detach().numpy()
    assert rel(got, direct_logits(cfg, w, tokens, mask, rf)) < 1e-12


@pytest.mark.parametrize("name,extra", [("transformer", {}), ("rlt", {"norm": "post"}),
                                        ("rmaat", {"retention": {"source": "exponential", "c": 0.7}})])
def test_two_tower_matches_direct_computation(name, extra):
    """NETWORKS.md §3's pair head: each half of a row encoded alone, [u, v, u∘v, u − v] → Linear → GELU → head."""
    cfg = config(name, two_tower={"hidden": 5}, **extra)
    w = random_weights(cfg)
    assert w["pair.in.weight"].shape == (5, 32) and w["head.weight"].shape == (CLASSES, 5)
    ta, ma, _ = batch(14, [14, 8, 3], seed=1)
    tb, mb, _ = batch(14, [6, 14, 11], seed=2)
    rf = None
    if name == "rmaat":
        rf = [tm.num_segments(cfg) * f for f in exp_rf(0.7, tm.num_segments(cfg))]
    u, v = direct_pooled(cfg, w, ta, ma, rf), direct_pooled(cfg, w, tb, mb, rf)
    f = torch.cat([u, v, u * v, u - v], 1)
    t = {k: torch.tensor(x, dtype=torch.float64) for k, x in w.items()}
    h = gelu_tanh(f @ t["pair.in.weight"].T + t["pair.in.bias"])
    want = (h @ t["head.weight"].T + t["head.bias"]).numpy()
    got = tm.build(cfg, w)(np.concatenate([ta, tb], 1), np.concatenate([ma, mb], 1)).detach().numpy()
    assert rel(got, want) < 1e-12
    with pytest.raises(ValueError, match="two_tower.width"):
        tm.resolve_config(config(name, two_tower={"width": 3}))


def encoder_layer(w, l, norm_first):
    d = 8
    layer = torch.nn.TransformerEncoderLayer(d, 2, 12, dropout=0.0, activation=lambda x: F.gelu(x, approximate="tanh"),
                                             layer_norm_eps=1e-5, batch_first=True, norm_first=norm_first,
                                             dtype=torch.float64)
    p = f"layers.{l}."
    sd = {"self_attn.in_proj_weight": np.concatenate([w[p + f"attention.{m}.weight"] for m in "qkv"]),
          "self_attn.in_proj_bias": np.concatenate([w[p + f"attention.{m}.bias"] for m in "qkv"]),
          "self_attn.out_proj.weight": w[p + "attention.out.weight"],
          "self_attn.out_proj.bias": w[p + "attention.out.bias"],
          "linear1.weight": w[p + "ffn.in.weight"], "linear1.bias": w[p + "ffn.in.bias"],
          "linear2.weight": w[p + "ffn.out.weight"], "linear2.bias": w[p + "ffn.out.bias"],
          "norm1.weight": w[p + "norm1.weight"], "norm1.bias": w[p + "norm1.bias"],
          "norm2.weight": w[p + "norm2.weight"], "norm2.bias": w[p + "norm2.bias"]}
    layer.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    return layer.eval()


def torch_encoder(w, norm):
    layers = [encoder_layer(w, l, norm == "pre") for l in range(2)]

    def run(x, real):
        for layer in layers:
            x = layer(x, src_key_padding_mask=~real)
        return x

    return run


@pytest.mark.parametrize("norm", ["pre", "post"])
def test_transformer_matches_torch_encoder_layers(norm):
    cfg = config("transformer", norm=norm)
    w = random_weights(cfg, seed=3)
    tokens, mask, _ = batch(14, [14, 6, 1], seed=4)
    run = torch_encoder(w, norm)
    t = {k: torch.tensor(v) for k, v in w.items()}
    real = torch.tensor(mask).bool()
    with torch.no_grad():
        z = run(t["embedding"][torch.tensor(tokens).long()] + t["positions"][:14], real)
        if norm == "pre":
            z = F.layer_norm(z, (8,), t["final_norm.weight"], t["final_norm.bias"], 1e-5)
        r = (z * real[..., None]).sum(1) / real.sum(1, keepdim=True)
        expect = F.linear(r, t["head.weight"], t["head.bias"])
    assert rel(tm.build(cfg, w)(tokens, mask).detach().numpy(), expect.numpy()) < 1e-12


@pytest.mark.parametrize("norm", ["pre", "post"])
def test_rmt_matches_torch_encoder_layers_over_segments(norm):
    """rmt over T = 3 segments with nn.TransformerEncoderLayer blocks; row 2 ends in segment 1, so its memory
    runs two segments attending only to itself — the same as running the blocks on the memory rows alone."""
    cfg = config("rmt", norm=norm)
    w = random_weights(cfg, seed=5)
    tokens, mask, _ = batch(14, [14, 9, 4], seed=6)
    run = torch_encoder(w, norm)
    t = {k: torch.tensor(v) for k, v in w.items()}
    ids = F.pad(torch.tensor(tokens).long(), (0, 1))
    real = F.pad(torch.tensor(mask).bool(), (0, 1))
    with torch.no_grad():
        mem = t["memory"].expand(3, 2, 8)
        for s in range(3):
            x = torch.cat([mem, t["embedding"][ids[:, 5 * s:5 * s + 5]]], 1) + t["positions"]
            keys = torch.cat([torch.ones(3, 2, dtype=torch.bool), real[:, 5 * s:5 * s + 5]], 1)
            z = run(x, keys)
            mem = z[:, :2]
        if norm == "pre":
            mem = F.layer_norm(mem, (8,), t["final_norm.weight"], t["final_norm.bias"], 1e-5)
        expect = F.linear(mem.mean(1), t["head.weight"], t["head.bias"])
    assert rel(tm.build(cfg, w)(tokens, mask).detach().numpy(), expect.numpy()) < 1e-12

    # the memory of a row that ended in segment 1: segments 2 and 3 on [mem] alone, positions[0:M]
    with torch.no_grad():
        x = torch.cat([t["memory"][None], t["embedding"][ids[2:, :5]]], 1) + t["positions"]
        mem = run(x, torch.cat([torch.ones(1, 2, dtype=torch.bool), real[2:, :5]], 1))[:, :2]
        for _ in range(2):
            mem = run(mem + t["positions"][:2], torch.ones(1, 2, dtype=torch.bool))
        if norm == "pre":
            mem = F.layer_norm(mem, (8,), t["final_norm.weight"], t["final_norm.bias"], 1e-5)
        expect = F.linear(mem.mean(1), t["head.weight"], t["head.bias"])
    got = tm.build(cfg, w)(tokens[2:], mask[2:]).detach().numpy()
    assert rel(got, expect.numpy()) < 1e-12


@pytest.mark.parametrize("pair", [("at", "linear_transformer"), ("rmaat", "rlt")])
@pytest.mark.parametrize("norm", ["pre", "post"])
def test_astromorphic_reduces_to_linear(pair, norm):
    """α = 1, no astrocyte term, no σ (c = 1): astromorphic attention is linear attention (NETWORKS.md §2)."""
    astro = config(pair[0], norm=norm, attention={"alpha": 1.0, "astrocyte_term": False, "nonlinearity": False})
    linear = config(pair[1], norm=norm)
    w = random_weights(linear, seed=7)
    tokens, mask, labels = batch(14, [14, 7, 2], seed=8)
    a, b = tm.forward_backward(astro, w, tokens, mask, labels), tm.forward_backward(linear, w, tokens, mask, labels)
    assert rel(a["logits"], b["logits"]) < 1e-13
    for name in w:
        assert rel(a["grads"][name], b["grads"][name]) < 1e-12, name
    # and the astrocyte term does change the result
    full = config(pair[0], norm=norm)
    assert rel(tm.build(full, random_weights(full, seed=7))(tokens, mask).detach().numpy(), b["logits"]) > 1e-3


def test_retention_sources(tmp_path):
    h5py = pytest.importorskip("h5py")
    T = 3
    assert tm.exponential_retention(0.0, T) == [1 / 3] * 3
    assert np.allclose(tm.exponential_retention(0.7, 10), exp_rf(0.7, 10), rtol=1e-14, atol=0)
    assert abs(sum(tm.exponential_retention(2.5, 7)) - 1) < 1e-14
    # the 10-segment fitted table printed in docs/retention_config.md (τ_L ≈ 45 s, τ_c = 4 s): c ≈ 0.0889
    fitted10 = tm.exponential_retention(4 / 45, 10)
    assert abs(fitted10[0] - 0.145) < 2e-3 and abs(fitted10[9] - 0.065) < 2e-3

    base = config("rmaat")  # the tables as derived (Σ RF = 1): "normalization": "sum"
    w = random_weights(base, seed=9)
    tokens, mask, _ = batch(14, [14, 11, 5], seed=10)

    zero = tm.build(config("rmaat", retention={"normalization": "sum", "source": "exponential", "c": 0.0}), w)(tokens, mask)
    third = tm.build(base, w, rf=[1 / 3] * 3)(tokens, mask)
    none = tm.build(base, w)(tokens, mask)
    assert rel(zero.detach(), third.detach()) < 1e-14
    assert rel(zero.detach(), none.detach()) > 1e-3  # RF does act

    rf = [0.5, 0.3, 0.2]
    path = tmp_path / "rf.h5"
    with h5py.File(path, "w") as f:
        f.attrs["kind"] = "glia.retention"
        f.attrs["format_version"] = 1
        f["rf/T"] = np.array([3], np.uint32)
        f["rf/simulated/T3"] = np.array(rf)
        f["rf/fitted/T3"] = np.array(tm.exponential_retention(0.7, 3))
    from_file = tm.build(config("rmaat", retention={"normalization": "sum", "source": "file", "path": str(path)}), w)(tokens, mask)
    assert rel(from_file.detach(), tm.build(base, w, rf=rf)(tokens, mask).detach()) < 1e-15
    fitted = tm.build(config("rmaat", retention={"normalization": "sum", "source": "file", "path": "rf.h5", "table": "fitted"}), w,
                      base_dir=tmp_path)(tokens, mask)
    exp07 = tm.build(config("rmaat", retention={"normalization": "sum", "source": "exponential", "c": 0.7}), w)(tokens, mask)
    assert rel(fitted.detach(), exp07.detach()) < 1e-15
    with pytest.raises(ValueError, match="T = 3, not simulated for T = 4"):
        tm.build(config("rmaat", max_length=20, retention={"normalization": "sum", "source": "file", "path": str(path)}), None)
    with pytest.raises(ValueError, match="rf"):
        tm.build(config("rlt"), None, rf=rf)


@pytest.mark.parametrize("name", tm.MODELS)
def test_padding_content_and_batch_rows_are_independent(name):
    cfg = config(name, readout="tokens") if name in tm.SEGMENT_MODELS else config(name)
    model = tm.build(cfg, random_weights(cfg, seed=11))
    tokens, mask, _ = batch(14, [14, 8, 3], seed=12)
    base = model(tokens, mask).detach().numpy()
    other = tokens.copy()
    other[mask == 0] = (np.arange((mask == 0).sum()) % (VOCAB - 1)) + 1
    assert rel(model(other, mask).detach().numpy(), base) < 1e-14
    for i in range(3):
        assert rel(model(tokens[i:i + 1], mask[i:i + 1]).detach().numpy(), base[i:i + 1]) < 1e-13


GRAD_CASES = [("transformer", {}), ("linear_transformer", {"norm": "post"}), ("at", {"positions": "sinusoidal"}),
              ("rmt", {"readout": "tokens"}), ("rlt", {"norm": "post"}),
              ("rmaat", {"readout": "tokens", "retention": {"source": "exponential", "c": 0.7}})]


@pytest.mark.parametrize("name,extra", GRAD_CASES, ids=[n for n, _ in GRAD_CASES])
def test_gradcheck(name, extra):
    """Autograd gradients of the float64 loss against finite differences, every parameter, on a tiny model."""
    cfg = config(name, d_model=4, heads=2, layers=1, ffn=6, max_length=7, **extra)
    if name in tm.SEGMENT_MODELS:
        cfg.update(segment_length=3, memory_tokens=2)  # T = 3, row 2's last segment all padding
    model = tm.build(cfg, random_weights(cfg, seed=13, scale=0.5))
    tokens, mask, labels = batch(7, [7, 5, 2], seed=14)
    names = [n for n, _ in model.named_parameters()]
    leaves = [p.detach().clone().requires_grad_(True) for _, p in model.named_parameters()]

    def loss(*ps):
        return model.loss(tokens, mask, labels, label_smoothing=0.1, params=dict(zip(names, ps)))

    assert torch.autograd.gradcheck(loss, leaves, eps=1e-6, atol=1e-8, rtol=1e-6)


def test_loading_checks_names_and_shapes():
    cfg = config("rmaat")
    w = random_weights(cfg)
    model = tm.build(cfg, w)
    assert set(dict(model.named_parameters())) == set(w)
    assert np.array_equal(dict(model.named_parameters())["layers.1.attention.position"].detach().numpy(),
                          w["layers.1.attention.position"])
    bad = dict(w, **{"layers.0.ffn.in.weight": np.zeros((12, 9))})
    with pytest.raises(ValueError, match=r"layers\.0\.ffn\.in\.weight"):
        tm.build(cfg, bad)
    with pytest.raises(ValueError, match="final_norm.weight"):
        tm.build(config("rmaat", norm="post"), w)  # unexpected for post-norm
    missing = dict(w)
    del missing["memory"]
    with pytest.raises(ValueError, match="memory"):
        tm.build(cfg, missing)
    with pytest.raises(ValueError, match="segment_length"):
        tm.build(config("transformer", segment_length=4), None)
    with pytest.raises(ValueError, match="retention"):
        tm.build(config("rmt", retention={"source": "none"}), None)
    with pytest.raises(ValueError, match="attention.alpha"):
        tm.build(config("rlt", attention={"alpha": 0.5}), None)
    assert "attention.position" not in " ".join(tm.parameter_shapes(config("at", attention={"astrocyte_term": False})))
    assert tm.parameter_shapes(config("at"))["layers.0.attention.position"] == (2, 14, 4)
    assert tm.parameter_shapes(config("rmaat"))["layers.0.attention.position"] == (2, 7, 4)


def test_float32_close_to_float64():
    cfg = config("rmaat", retention={"source": "exponential", "c": 0.7})
    w = random_weights(cfg, seed=15)
    tokens, mask, labels = batch(14, [14, 8, 3], seed=16)
    a = tm.forward_backward(cfg, w, tokens, mask, labels, dtype=torch.float32)
    b = tm.forward_backward(cfg, w, tokens, mask, labels)
    assert a["logits"].dtype == np.float32 and a["grads"]["memory"].dtype == np.float32
    assert rel(a["logits"], b["logits"]) < 1e-5
    for name in w:
        assert rel(a["grads"][name], b["grads"][name]) < 1e-4, name
