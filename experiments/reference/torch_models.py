"""PyTorch reference of glia's six trainable sequence classifiers (docs/model_config.md, NETWORKS.md §1–4):
`transformer`, `linear_transformer`, `at`, `rmt`, `rlt`, `rmaat`. Written from the documentation, not from glia's
code, as a test oracle (tests/python/test_nn_models.py compares logits, loss and every gradient with glia) and as
the speed baseline of a training step. The ops are those of torch_ops.py.

    model = build(config, weights, dtype=torch.float64)   # weights: glia's dict name -> ndarray
    logits = model(tokens, mask)                           # (B, L) ids, (B, L) 1 = real token
    loss = model.loss(tokens, mask, labels)                # mean cross-entropy; backward() by autograd
    forward_backward(config, weights, tokens, mask, labels) -> {"loss", "logits", "grads"}   (glia's binding's shape)

Parameters carry exactly the names of docs/model_config.md (`layers.0.attention.q.weight`, …).

Dropout: the reference always runs without dropout (evaluation behaviour, whatever the config's `dropout`). glia's
dropout masks are counter-based (`DropoutKey{seed, step, site}`, engine/nn/ops/dropout.hpp) and are not reproduced
here, so glia is compared with the reference with `"dropout": 0`.

Segment models are trained with BPTT through the whole recurrence by autograd; AMRB gives the same gradients by
definition (NETWORKS.md §4), so the reference has no AMRB of its own. Truncated BPTT (`truncate`) is a training
option and not reproduced.

Choices where docs/model_config.md leaves room (the C++ must agree):
- Non-segment models pad every batch to `max_length` (masked): positions[0:max_length], PE(max_length, d), and the
  astromorphic op sees N = max_length rows (its position scan runs over every row, so a row's output must not
  depend on how much padding its batch happens to have; softmax and linear attention are unchanged by masked
  padding).
- Heads: split_heads takes feature columns h·d_h … (h+1)·d_h for head h; merge_heads concatenates them back.
- Segment models add positions[0:M+S] (or PE(M+S, d)) to [mem_t ; x_t] in every segment, memory rows included;
  with segment_positions "global" the memory rows take rows 0..M-1 and token i of segment t row M + t S + i of a
  table of M + T S rows.
- The `tokens` readout uses the real rows of the last segment's token outputs; a row whose last segment is all
  padding uses the mean over the M memory rows of F(z_T[0:M]) instead (the `memory` readout of that row).
- RF(t, T) scales mem'_{t+1} for t = 1 … T − 1; mem_{T+1} feeds nothing (the readout uses z_T before scaling).
- Retention from a file: `{"source": "file", "path": …, "table": "simulated" | "fitted"}`, `table` defaulting to
  `"simulated"`, the path taken as given (relative to the working directory, or to `base_dir`), the table
  `/rf/<table>/T<T>`; build(…, rf=[…]) passes an explicit table instead. `{"source": "exponential"}` needs `c`.

Speed: the astromorphic op is torch_ops.astromorphic_attention, which forms P_pos (heads, N, N) densely (O(N² m)
per head, independent of the batch) where glia scans in O(N m); the rest is batched matmuls, with Python loops only
over segments and layers.
"""

import json
import math
import pathlib
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import torch_ops as ops  # noqa: E402

MODELS = ("transformer", "linear_transformer", "at", "rmt", "rlt", "rmaat")
SEGMENT_MODELS = ("rmt", "rlt", "rmaat")
ATTENTION = {"transformer": "softmax", "rmt": "softmax", "linear_transformer": "linear", "rlt": "linear",
             "at": "astromorphic", "rmaat": "astromorphic"}
_COMMON_KEYS = {"name", "vocab_size", "num_classes", "max_length", "d_model", "heads", "layers", "ffn", "dropout",
                "norm", "positions", "init_std", "seed", "attention", "two_tower"}
_SEGMENT_KEYS = {"segment_length", "memory_tokens", "readout", "segment_positions"}
_ASTRO_DEFAULTS = {"alpha": 0.25, "astrocyte_term": True, "nonlinearity": False, "epsilon": 1e-6, "decay_init": 0.1}
_SCALES = ("1/N", "1/sqrt(N)", "learned")
_LINEAR_DEFAULTS = {"epsilon": 1e-6}


def resolve_config(config):
    """The model config with every default filled in; ValueError naming the key for anything invalid."""
    if isinstance(config, str):
        config = json.loads(config)
    config = dict(config.get("model", config)) if "name" not in config and "model" in config else dict(config)
    name = config.get("name")
    if name not in MODELS:
        raise ValueError(f"name = {name!r}: not one of {', '.join(MODELS)}")
    segment = name in SEGMENT_MODELS
    allowed = _COMMON_KEYS | (_SEGMENT_KEYS if segment else set()) | ({"retention"} if name == "rmaat" else set())
    for key in config:
        if key not in allowed:
            raise ValueError(f"{key}: not a key of model {name!r}")
    for key in ("vocab_size", "num_classes", "max_length") + (("segment_length",) if segment else ()):
        if key not in config:
            raise ValueError(f"{key}: required")
    c = {"d_model": 64, "heads": 4, "layers": 2, "dropout": 0.1, "norm": "pre", "positions": "learned",
         "init_std": "1/sqrt(d)", "seed": 0}
    if segment:
        c.update(memory_tokens=8, readout="memory", segment_positions="local")
    if name == "rmaat":
        c["retention"] = {"source": "none"}
    c.update(config)
    c.setdefault("ffn", 4 * c["d_model"])
    kind = ATTENTION[name]
    defaults = _ASTRO_DEFAULTS if kind == "astromorphic" else _LINEAR_DEFAULTS if kind == "linear" else {}
    attention = dict(config.get("attention", {}))
    for key in attention:
        if key not in defaults and not (kind == "astromorphic" and key == "synaptic_scale"):
            raise ValueError(f"attention.{key}: not an option of {kind} attention")
    c["attention"] = {**defaults, **attention}
    if kind == "astromorphic":
        if c["attention"]["nonlinearity"]:
            c["attention"].setdefault("synaptic_scale", "1/sqrt(N)")
            if c["attention"]["synaptic_scale"] not in _SCALES:
                raise ValueError(f"attention.synaptic_scale = {c['attention']['synaptic_scale']!r}: one of {_SCALES}")
        elif "synaptic_scale" in c["attention"]:
            raise ValueError("attention.synaptic_scale: applies only with nonlinearity on")
    if c["init_std"] == "1/sqrt(d)":
        c["init_std"] = 1.0 / math.sqrt(c["d_model"])
    if c["d_model"] % c["heads"]:
        raise ValueError(f"heads = {c['heads']}: d_model = {c['d_model']} is not a multiple")
    if c["num_classes"] < 2:
        raise ValueError("num_classes: must be >= 2")
    if c["norm"] not in ("pre", "post"):
        raise ValueError(f"norm = {c['norm']!r}: 'pre' or 'post'")
    if c["positions"] not in ("learned", "sinusoidal"):
        raise ValueError(f"positions = {c['positions']!r}: 'learned' or 'sinusoidal'")
    if segment and c["readout"] not in ("memory", "tokens"):
        raise ValueError(f"readout = {c['readout']!r}: 'memory' or 'tokens'")
    if segment and c["segment_positions"] not in ("local", "global"):
        raise ValueError(f"segment_positions = {c['segment_positions']!r}: 'local' or 'global'")
    if not 0 <= c["dropout"] < 1:
        raise ValueError("dropout: must be in [0, 1)")
    if "two_tower" in c:  # NETWORKS.md §3: pair tasks, [u, v, u∘v, u − v] → MLP
        tt = dict(c["two_tower"])
        for key in tt:
            if key != "hidden":
                raise ValueError(f"two_tower.{key}: not an option (hidden)")
        c["two_tower"] = {"hidden": int(tt.get("hidden", c["d_model"]))}
        if c["two_tower"]["hidden"] < 1:
            raise ValueError("two_tower.hidden: must be >= 1")
    return c


def num_segments(config):
    c = resolve_config(config)
    return -(-c["max_length"] // c["segment_length"])


def exponential_retention(c, T):
    """RF(t, T) = e^{−c(t−1)} (1 − e^{−c}) / (1 − e^{−cT}), t = 1 … T; 1/T at c = 0."""
    if c < 0:
        raise ValueError("retention.c: must be >= 0")
    if c == 0:
        return [1.0 / T] * T
    return [math.exp(-c * (t - 1)) * math.expm1(-c) / math.expm1(-c * T) for t in range(1, T + 1)]


def read_retention_file(path, T, table="simulated"):
    """The table /rf/<table>/T<T> of a glia retention file (docs/retention_config.md), checked."""
    import h5py

    if table not in ("simulated", "fitted"):
        raise ValueError(f"retention.table = {table!r}: 'simulated' or 'fitted'")
    with h5py.File(path, "r") as f:
        kind = f.attrs.get("kind")
        if isinstance(kind, bytes):
            kind = kind.decode()
        if kind != "glia.retention":
            raise ValueError(f"retention.path = {str(path)!r}: not a glia retention file")
        key = f"rf/{table}/T{T}"
        if key not in f:
            have = ", ".join(str(int(x)) for x in np.asarray(f["rf/T"])) if "rf/T" in f else "none"
            raise ValueError(f"retention.path = {str(path)!r}: has retention tables for T = {have}, "
                             f"not {table} for T = {T}")
        rf = np.asarray(f[key], np.float64)
    if rf.shape != (T,) or not np.all(np.isfinite(rf)) or abs(rf.sum() - 1) > 1e-9 * T:
        raise ValueError(f"retention.path = {str(path)!r}: table {key} is not {T} finite values summing to 1")
    return rf.tolist()


def retention_factors(config, base_dir=None):
    """RF(t, T) for t = 1 … T of an rmaat config, or None for `{"source": "none"}` (RF = 1)."""
    c = resolve_config(config)
    T = num_segments(c)
    r = c["retention"]
    source = r.get("source")
    if source == "none":
        return None
    normalization = r.get("normalization", "mean")
    if normalization not in ("sum", "mean"):
        raise ValueError(f"retention.normalization = {normalization!r}: 'sum' or 'mean'")
    if r.get("carry", "scaled") not in ("scaled", "gated"):
        raise ValueError(f"retention.carry = {r['carry']!r}: 'scaled' or 'gated'")
    scale = T if normalization == "mean" else 1  # "mean": T * RF, the same profile with mean 1
    if source == "exponential":
        if "c" not in r:
            raise ValueError("retention.c: required for the exponential source")
        return [scale * f for f in exponential_retention(float(r["c"]), T)]
    if source == "file":
        path = pathlib.Path(r["path"])
        if base_dir is not None and not path.is_absolute():
            path = pathlib.Path(base_dir) / path
        return [scale * f for f in read_retention_file(path, T, r.get("table", "simulated"))]
    raise ValueError(f"retention.source = {source!r}: 'none', 'exponential' or 'file'")


def parameter_shapes(config):
    """{name: shape} in the order of docs/model_config.md's table."""
    c = resolve_config(config)
    d, H, F_ = c["d_model"], c["heads"], c["ffn"]
    segment = c["name"] in SEGMENT_MODELS
    n_pos = c["memory_tokens"] + c["segment_length"] if segment else c["max_length"]
    n_table = n_pos
    if segment and c["segment_positions"] == "global":
        n_table = c["memory_tokens"] + num_segments(c) * c["segment_length"]
    astro_term = ATTENTION[c["name"]] == "astromorphic" and c["attention"]["astrocyte_term"]
    shapes = {"embedding": (c["vocab_size"], d)}
    if c["positions"] == "learned":
        shapes["positions"] = (n_table, d)
    if segment:
        shapes["memory"] = (c["memory_tokens"], d)
    for l in range(c["layers"]):
        p = f"layers.{l}."
        for m in ("q", "k", "v", "out"):
            shapes[p + f"attention.{m}.weight"] = (d, d)
            shapes[p + f"attention.{m}.bias"] = (d,)
        if astro_term:
            shapes[p + "attention.position"] = (H, n_pos, d // H)
            shapes[p + "attention.decay"] = (H,)
        if ATTENTION[c["name"]] == "astromorphic" and c["attention"].get("synaptic_scale") == "learned":
            shapes[p + "attention.synaptic_scale"] = (H,)
        shapes[p + "norm1.weight"] = (d,)
        shapes[p + "norm1.bias"] = (d,)
        shapes[p + "ffn.in.weight"] = (F_, d)
        shapes[p + "ffn.in.bias"] = (F_,)
        shapes[p + "ffn.out.weight"] = (d, F_)
        shapes[p + "ffn.out.bias"] = (d,)
        shapes[p + "norm2.weight"] = (d,)
        shapes[p + "norm2.bias"] = (d,)
    if c["norm"] == "pre":
        shapes["final_norm.weight"] = (d,)
        shapes["final_norm.bias"] = (d,)
    hidden = d
    if "two_tower" in c:
        hidden = c["two_tower"]["hidden"]
        shapes["pair.in.weight"] = (hidden, 4 * d)
        shapes["pair.in.bias"] = (hidden,)
    shapes["head.weight"] = (c["num_classes"], hidden)
    shapes["head.bias"] = (c["num_classes"],)
    return shapes


def _initial_value(name, shape, c, generator):
    """The distributions of docs/model_config.md (torch's generator, not glia's Philox draws)."""
    if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "final_norm.weight":
        return torch.ones(shape, dtype=torch.float64)
    if name.endswith(".bias"):
        return torch.zeros(shape, dtype=torch.float64)
    if name.endswith("attention.decay"):
        return torch.full(shape, math.log(math.expm1(c["attention"]["decay_init"])), dtype=torch.float64)
    if name.endswith("attention.synaptic_scale"):  # c = softplus(ρ_c) starts at 1/√N_k
        rows = c["memory_tokens"] + c["segment_length"] if c["name"] in SEGMENT_MODELS else c["max_length"]
        return torch.full(shape, math.log(math.expm1(1.0 / math.sqrt(rows))), dtype=torch.float64)
    return c["init_std"] * torch.randn(shape, generator=generator, dtype=torch.float64)


def _as_tensor(a, dtype):
    return a.to(dtype) if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)).to(dtype)


class Model(nn.Module):
    """One of the six classifiers. Parameters are registered in nested modules so that named_parameters() gives
    the documented names; the forward pass reads them back by those names."""

    def __init__(self, config, dtype=torch.float64, rf=None):
        super().__init__()
        self.config = c = resolve_config(config)
        self.name = c["name"]
        self.segmented = self.name in SEGMENT_MODELS
        self.attention_kind = ATTENTION[self.name]
        self.heads = c["heads"]
        self.rf = None if rf is None else [float(x) for x in rf]
        self.gated = self.name == "rmaat" and c["retention"].get("carry", "scaled") == "gated"
        if self.segmented:
            self.M, self.S = c["memory_tokens"], c["segment_length"]
            self.T = -(-c["max_length"] // self.S)
            if self.rf is not None and len(self.rf) != self.T:
                raise ValueError(f"rf: {len(self.rf)} values, T = {self.T} segments")
        generator = torch.Generator().manual_seed(int(c["seed"]))
        for name, shape in parameter_shapes(c).items():
            *path, leaf = name.split(".")
            module = self
            for part in path:  # plain containers; "layers" gets children "0", "1", …
                if part not in module._modules:
                    module.add_module(part, nn.Module())
                module = module._modules[part]
            module.register_parameter(leaf, nn.Parameter(_initial_value(name, shape, c, generator).to(dtype)))

    def load(self, weights):
        """Copy glia's weights (name -> array) into the parameters; ValueError for a missing, unexpected or
        mis-shaped parameter (naming it)."""
        params = dict(self.named_parameters())
        for name in weights:
            if name not in params:
                raise ValueError(f"{name}: not a parameter of model {self.name!r}")
        for name, p in params.items():
            if name not in weights:
                raise ValueError(f"{name}: missing from the weights")
            w = np.asarray(weights[name])
            if tuple(w.shape) != tuple(p.shape):
                raise ValueError(f"{name}: shape {tuple(w.shape)}, expected {tuple(p.shape)}")
            with torch.no_grad():
                p.copy_(torch.as_tensor(w).to(p.dtype))
        return self

    # -- pieces ------------------------------------------------------------------------------------------------

    def _positions(self, x, p, segment=None):
        """Adds the position code; with global segment positions, token i of segment t takes row M + t S + i
        of the table and the memory rows 0..M-1."""
        if segment is not None and self.config["segment_positions"] == "global":
            M, S = self.M, self.S
            table = (p["positions"] if self.config["positions"] == "learned"
                     else ops.sinusoidal_table(M + self.T * S, x.shape[2], x.dtype))
            rows = torch.cat([torch.arange(M), M + segment * S + torch.arange(S)])
            return x + table[rows]
        if self.config["positions"] == "learned":
            return ops.learned_positions(x, p["positions"])
        return ops.sinusoidal_positions(x)

    def _attention(self, x, key_mask, p, prefix):
        B, N, d = x.shape
        H = self.heads

        def split(name):
            y = ops.linear(x, p[prefix + name + ".weight"], p[prefix + name + ".bias"])
            return y.view(B, N, H, d // H).transpose(1, 2)  # (B, H, N, d_h)

        q, k, v = split("q"), split("k"), split("v")
        a = self.config["attention"]
        if self.attention_kind == "softmax":
            o = ops.softmax_attention(q, k, v, key_mask)
        elif self.attention_kind == "linear":
            o = ops.linear_attention(q, k, v, key_mask, epsilon=a["epsilon"])
        else:
            scale = a.get("synaptic_scale", "1/sqrt(N)")
            if scale == "learned":
                scale = p[prefix + "synaptic_scale"]
            if a["astrocyte_term"]:
                o = ops.astromorphic_attention(q, k, v, p[prefix + "position"][:, :N], p[prefix + "decay"], key_mask,
                                               a["alpha"], True, a["nonlinearity"], a["epsilon"], scale)
            else:
                o = ops.astromorphic_attention(q, k, v, None, None, key_mask, a["alpha"], False, a["nonlinearity"],
                                               a["epsilon"], scale)
        o = o.transpose(1, 2).reshape(B, N, d)
        return ops.linear(o, p[prefix + "out.weight"], p[prefix + "out.bias"])

    def _ffn(self, x, p, prefix):
        h = ops.gelu(ops.linear(x, p[prefix + "in.weight"], p[prefix + "in.bias"]))
        return ops.linear(h, p[prefix + "out.weight"], p[prefix + "out.bias"])

    def _norm(self, x, p, name):
        return ops.layer_norm(x, p[name + ".weight"], p[name + ".bias"], 1e-5)

    def blocks(self, x, key_mask, p):
        """The block stack on (B, N, d) rows with key mask (B, N) (True = real)."""
        for l in range(self.config["layers"]):
            pre = f"layers.{l}."
            if self.config["norm"] == "pre":
                h = x + self._attention(self._norm(x, p, pre + "norm1"), key_mask, p, pre + "attention.")
                x = h + self._ffn(self._norm(h, p, pre + "norm2"), p, pre + "ffn.")
            else:
                h = self._norm(x + self._attention(x, key_mask, p, pre + "attention."), p, pre + "norm1")
                x = self._norm(h + self._ffn(h, p, pre + "ffn."), p, pre + "norm2")
        return x

    def _final(self, z, p):
        return self._norm(z, p, "final_norm") if self.config["norm"] == "pre" else z

    def _inputs(self, tokens, mask):
        tokens = _as_tensor(tokens, torch.long)
        mask = _as_tensor(mask, torch.bool)
        if tokens.dim() != 2 or mask.shape != tokens.shape:
            raise ValueError(f"tokens {tuple(tokens.shape)} and mask {tuple(mask.shape)}: need equal (B, L)")
        if tokens.shape[1] > self.config["max_length"]:
            raise ValueError(f"tokens: length {tokens.shape[1]} > max_length {self.config['max_length']}")
        if tokens.numel() and (int(tokens.min()) < 0 or int(tokens.max()) >= self.config["vocab_size"]):
            raise ValueError("tokens: ids outside [0, vocab_size)")
        if not bool(mask.any(1).all()):
            raise ValueError("mask: every row needs a real token")
        return tokens, mask

    # -- forward -----------------------------------------------------------------------------------------------

    def forward(self, tokens, mask, params=None):
        """logits (B, num_classes). params: optional {name: tensor} replacing the module's parameters (gradcheck).
        With `two_tower` every row holds two sequences side by side (width 2 W): each half is encoded alone into
        u and v, and logits = head(GELU(pair.in([u, v, u∘v, u − v])))."""
        p = dict(self.named_parameters()) if params is None else params
        if "two_tower" not in self.config:
            return ops.linear(self.encode(tokens, mask, p), p["head.weight"], p["head.bias"])
        tokens, mask = _as_tensor(tokens, torch.long), _as_tensor(mask, torch.bool)
        if tokens.dim() != 2 or tokens.shape[1] % 2:
            raise ValueError(f"tokens {tuple(tokens.shape)}: two towers need rows of even width")
        w = tokens.shape[1] // 2
        u = self.encode(tokens[:, :w], mask[:, :w], p)
        v = self.encode(tokens[:, w:], mask[:, w:], p)
        h = ops.gelu(ops.linear(torch.cat([u, v, u * v, u - v], 1), p["pair.in.weight"], p["pair.in.bias"]))
        return ops.linear(h, p["head.weight"], p["head.bias"])

    def encode(self, tokens, mask, p):
        """The pooled representation r (B, d) of one batch of sequences, before the head."""
        tokens, mask = self._inputs(tokens, mask)
        if not self.segmented:
            pad = self.config["max_length"] - tokens.shape[1]
            tokens = torch.nn.functional.pad(tokens, (0, pad))
            mask = torch.nn.functional.pad(mask, (0, pad))
            x = self._positions(ops.embedding(tokens, p["embedding"]), p)
            z = self.blocks(x, mask, p)
            return ops.mean_pooling(self._final(z, p), mask)
        return self._segments(tokens, mask, p)

    def _segments(self, tokens, mask, p):
        B, L = tokens.shape
        M, S, T = self.M, self.S, self.T
        pad = T * S - L
        tokens = torch.nn.functional.pad(tokens, (0, pad))
        mask = torch.nn.functional.pad(mask, (0, pad))
        mem = p["memory"].expand(B, M, -1)
        mem_keys = torch.ones(B, M, dtype=torch.bool)
        for t in range(T):
            x_t, m_t = tokens[:, t * S:(t + 1) * S], mask[:, t * S:(t + 1) * S]
            x = self._positions(torch.cat([mem, ops.embedding(x_t, p["embedding"])], 1), p, segment=t)
            z = self.blocks(x, torch.cat([mem_keys, m_t], 1), p)
            if t < T - 1:
                f = 1.0 if self.rf is None else self.rf[t]
                if self.gated:  # mem_{t+1} = mem_t + f (mem' − mem_t)
                    mem = mem + f * (z[:, :M] - mem)
                else:
                    mem = f * z[:, :M]
        fz = self._final(z, p)
        r_mem = fz[:, :M].mean(1)
        if self.config["readout"] == "memory":
            return r_mem
        w = m_t.to(fz.dtype)[:, :, None]
        count = w.sum(1)
        r_tok = (fz[:, M:] * w).sum(1) / count.clamp(min=1)
        return torch.where(count > 0, r_tok, r_mem)

    def loss(self, tokens, mask, labels, label_smoothing=0.0, params=None, return_logits=False):
        """Mean cross-entropy over the batch (optional label smoothing)."""
        logits = self.forward(tokens, mask, params)
        loss = ops.cross_entropy(logits, _as_tensor(labels, torch.long), label_smoothing)
        return (loss, logits) if return_logits else loss


def decays_weight(name):
    """NETWORKS.md §3: no weight decay on layer-norm gains, biases, positions and memory tokens (nor on the
    softplus-parameterised scalars: the astrocyte decay and a learned synaptic scale)."""
    return not (name in ("positions", "memory", "final_norm.weight") or name.endswith((".bias", "norm1.weight",
                "norm2.weight", "attention.decay", "attention.synaptic_scale")))


def build(config, weights=None, dtype=torch.float64, rf=None, base_dir=None):
    """The reference model of a model config (dict or JSON string), loaded with glia's weights when given
    (otherwise initialised from the documented distributions with torch's generator — not glia's draws).
    rf: an explicit retention table RF(1..T, T) for rmaat, overriding the config's `retention`."""
    c = resolve_config(config)
    if rf is not None and c["name"] != "rmaat":
        raise ValueError(f"rf: model {c['name']!r} has no retention factor")
    if c["name"] == "rmaat" and rf is None:
        rf = retention_factors(c, base_dir)
    model = Model(c, dtype, rf)
    if weights is not None:
        model.load(weights)
    return model


def forward_backward(config, weights, tokens, mask, labels, dtype=torch.float64, label_smoothing=0.0, rf=None):
    """Loss, logits and gradients of every parameter, in the shape of glia's nn_model_forward_backward."""
    model = build(config, weights, dtype, rf)
    loss, logits = model.loss(tokens, mask, labels, label_smoothing, return_logits=True)
    loss.backward()
    grads = {name: (p.grad if p.grad is not None else torch.zeros_like(p)).detach().numpy().copy()
             for name, p in model.named_parameters()}
    return {"loss": loss.item(), "logits": logits.detach().numpy(), "grads": grads}
