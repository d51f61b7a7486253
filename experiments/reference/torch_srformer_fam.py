"""PyTorch reference of two further attention models of NETWORKS.md — `srformer` (§6, segmented recurrent attention
with RAF neurons) and `fam` (§7, TransformerFAM: block sliding-window attention with feedback attention memory) —
written from the specification, not from any glia code (there is none yet), as the oracle a C++ implementation is
checked against in float64 (to 1e-9). Conventions are those of torch_models.py / torch_ops.py: multi-head tensors
(B, heads, N, d_h), key masks (B, N) with True / 1 = real token, a config dict resolved by `resolve_config`,
parameters registered in nested modules so that named_parameters() gives the documented names, float64 by default,
dropout never applied (evaluation behaviour; glia is compared with `"dropout": 0`).

    out = srformer_attention(q, k, v, S, lam, theta, w_r, key_mask)                 # §6 operator
    out, fam_out = fam_attention(q, k, v, fam_q, fam_k, fam_v, B_len, mem_segment, key_mask)  # §7 operator, FAM given
    y, fam_next = fam_layer(x, fam0, key_mask, params, "layers.0.", heads, B_len, mem_segment, "pre")  # one block
    model = build(config, weights); logits = model(tokens, mask); model.loss(tokens, mask, labels)
    cost_model(N, segment_length, d, heads, memory_tokens, mem_segment, ffn)        # FLOPs / memory per token

Every choice made where NETWORKS.md is silent is listed here; the C++ must agree with all of them.

SRformer operator (`srformer_attention`, NETWORKS.md §6)
  S1  Segments: T = ⌈N/S⌉ segments of S rows in sequence order; when S does not divide N the rows are padded to
      T·S with masked (non-real) keys and the padded query rows are dropped from the output. S ≥ N gives T = 1.
  S2  Local term: softmax(q_i K_sᵀ / √d_h) V_s over the real keys of the query's own segment s, with the 1/√d_h
      scale of §2's softmax (so one segment covering the sequence is exactly §2's softmax attention). A query whose
      segment has no real key gets 0 from this term (as torch_ops.softmax_attention).
  S3  Masked keys: padded key rows are set to 0 in K and V before every product and norm, so they contribute to
      neither K_jᵀV_j nor ‖K‖; they are excluded from the local softmax by −∞ scores.
  S4  X_s = Σ_{j≠s} K_jᵀ V_j (d_h × d_h per batch row and head) is computed as (Σ_j K_jᵀV_j) − K_sᵀV_s, the
      segment products being summed in segment order j = 1 … T. With T = 1 it is exactly 0.
  S5  RAF neuron, one per batch row and head, a d_h × d_h state U, U_0 = 0, stepped once per segment in sequence
      order s = 1 … T (all T steps run for every row, also over segments that are all padding for it):
          Ũ_s = λ U_{s−1} + X_s W_R
          r_s = Ũ_s / θ                  (one division; the spike test and P use this same r)
          P_s = max(r_s − 1, 0)
          U_s = Ũ_s − θ · 1[r_s > 1]    (soft reset; strict >, so r = 1 neither fires nor resets)
      W_R is a d_h × d_h matrix per head (shape (heads, d_h, d_h), a plain (d_h, d_h) matrix is broadcast), acting
      from the right (on the value index). λ and θ are scalars shared by the heads of a layer.
  S6  Output row i of segment s: softmax-term + (q_i P_s) ⊘ ‖K‖, where ‖K‖_c = sqrt(Σ_t m_t K_tc²) is the
      Euclidean norm of column c of K over all real keys of the whole sequence (m_t = 1 real, 0 padding), the same
      for every segment; no ε (a column that is exactly 0 for every real key divides by 0 — measure zero).
      The recurrent term has no 1/√d_h scale.
  S7  Derivatives: autograd through this forward. The Heaviside 1[r > 1] has derivative 0 wherever it is
      differentiable (everywhere except r = 1), so the gradient computed is the exact piecewise derivative:
      ∂U_s/∂Ũ_s = 1, ∂U_s/∂θ = −1[r_s > 1], ∂P_s/∂Ũ_s = 1[r_s > 1]/θ, ∂P_s/∂θ = −1[r_s > 1] Ũ_s/θ²
      (torch's ReLU gives 0 at exactly r = 1). No surrogate gradient.
  S8  Validation: λ < 0 or θ ≤ 0 (any element) raises ValueError naming `lam` / `theta`; λ > 1 is allowed.

TransformerFAM (`fam_block_attention`, `fam_attention`, `fam_layer`, NETWORKS.md §7)
  F1  Blocks of B_len rows in sequence order, T = ⌈N/B_len⌉; the last block may be shorter (equivalent to padding
      it with masked keys). Block τ's token queries attend, with one softmax (scale 1/√d_h) over the union, to
        [FAM_τ (F keys, always real) ; real tokens of blocks max(0, τ−mem_segment) … τ−1 (the cache: keys and
        values of the same layer, all of those blocks' rows) ; real tokens j ≤ i of block τ (causal prefix)].
      FAM_τ's F queries attend to [FAM_τ ; every real token of block τ] (not to the cached blocks).
      FAM_0 is the learned initial FAM; the FAM rows are never masked. mem_segment = 0 means no cache.
  F2  The FAM rows use the same layer's W_Q, W_K, W_V, W_O, norms, residuals and FFN as the tokens:
        pre-norm:  h = FAM_τ + W_O·attn(LN₁(FAM_τ) …);  FAM_{τ+1} = h + FFN(LN₂(h))
        post-norm: h = LN₁(FAM_τ + W_O·attn(FAM_τ …));  FAM_{τ+1} = LN₂(h + FFN(h))
      (tokens likewise, with their own attention output). Each layer has its own FAM state: FAM^l_{τ+1} comes from
      layer l's processing of block τ and is read only by layer l at block τ+1 (feedback within the layer; it is
      not passed to layer l+1). Queries, keys and values of a block's tokens and of its cache are those of the same
      layer for those rows (layer l−1's outputs, normalised by layer l's LN₁ under pre-norm).
  F3  The initial FAM is one learned parameter `memory` of shape (layers, F, d): FAM^l_0 = memory[l] (broadcast
      over the batch), added to no position code. It is absent when F = 0 (F = 0 is plain block sliding-window
      attention). No other new weights.
  F4  Every row runs all T blocks (the model pads to max_length with masked keys); a block that is all padding
      updates the FAM from the FAM alone.

Models (`Model`, `build`, names "srformer" and "fam"; NETWORKS.md §1, docs/model_config.md)
  M1  As the non-segment models: every batch is padded to max_length (masked), embedding + positions[0:max_length]
      (or PE(max_length, d)) indexed by the position in the whole sequence, the block stack, then r = mean over
      real rows of F(z) (F = final_norm under pre-norm, identity under post-norm), logits = head(r). SRformer
      therefore always runs T = ⌈max_length/S⌉ RAF steps, so a row's output does not depend on the batch.
  M2  fam readout: `"tokens"` (default; the mean over real rows of F(z), z the last layer's token outputs — every
      block contributes through its tokens) or `"memory"` (the mean over the F rows of F(FAM^{L−1}_T), the last
      layer's FAM after the last block; needs F ≥ 1). srformer has only the `tokens` readout (no `readout` key).
  M3  Parameters, in this order (weight matrices, embedding, positions, memory and W_R ~ N(0, init_std); biases 0;
      norm gains 1):
        embedding (vocab, d); positions (max_length, d) if learned; memory (layers, F, d)   [fam, F ≥ 1]
        layers.{l}.attention.{q,k,v,out}.{weight (d, d), bias (d)}
        layers.{l}.attention.recurrent (heads, d_h, d_h)   [srformer: W_R]
        layers.{l}.attention.leak (1,)                      [srformer: λ, initialised to raf.lambda_init]
        layers.{l}.attention.threshold (1,)                 [srformer: θ, initialised to raf.theta_init]
        layers.{l}.norm1.{weight,bias}; layers.{l}.ffn.in.{weight (ffn, d), bias}; layers.{l}.ffn.out.{weight
        (d, ffn), bias}; layers.{l}.norm2.{weight,bias}; final_norm.{weight,bias} (pre-norm only);
        head.{weight (classes, d), bias}
      λ and θ are stored as the values themselves (no softplus; (1,) rather than rank-0 so every parameter is an
      array of rank ≥ 1). The forward raises ValueError if training has moved them to λ < 0 or θ ≤ 0 (S8).
      Weight decay (`decays_weight`): not on norm gains, biases, positions, memory, leak, threshold.
      parameter_shapes() gives this order; named_parameters() gives the same names and shapes but, as nn.Module
      lists a container's own parameters before its children's, puts attention.{recurrent,leak,threshold} before
      attention.q.* (compare by name).
  M4  Config keys: those of the non-segment models (vocab_size, num_classes, max_length required; d_model 64,
      heads 4, layers 2, ffn 4d, dropout 0.1, norm "pre", positions "learned", init_std "1/sqrt(d)", seed 0,
      attention {} — it has no options here) plus `segment_length` (required; S for srformer, B_len for fam,
      1 ≤ segment_length ≤ max_length), srformer `raf` {"lambda_init": 0.1 (≥ 0), "theta_init": 0.1 (> 0)}, fam
      `memory_tokens` F (default 8, ≥ 0), `mem_segment` (default 1, ≥ 0) and `readout`. ValueError names the field.

Cost model: `attention_cost` / `cost_model`, see their docstrings.
"""

import json
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import torch_ops as ops  # noqa: E402

MODELS = ("srformer", "fam")
_COMMON_KEYS = {"name", "vocab_size", "num_classes", "max_length", "d_model", "heads", "layers", "ffn", "dropout",
                "norm", "positions", "init_std", "seed", "attention", "segment_length"}
_MODEL_KEYS = {"srformer": {"raf"}, "fam": {"memory_tokens", "mem_segment", "readout"}}
RAF_DEFAULTS = {"lambda_init": 0.1, "theta_init": 0.1}


# ---------------------------------------------------------------------------------------------------------------
# shared helpers

def _masked_softmax_attention(q, k, v, visible):
    """softmax(q kᵀ/√d_h, −∞ where not visible) v; visible broadcasts to (…, Nq, Nk). A query that sees no key
    outputs zeros."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~visible, float("-inf"))
    probs = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
    return probs @ v


def _real_keys(key_mask, batch, n):
    """(B, N) bool, all True when key_mask is None."""
    if key_mask is None:
        return torch.ones(batch, n, dtype=torch.bool)
    key_mask = torch.as_tensor(key_mask).bool()
    if tuple(key_mask.shape) != (batch, n):
        raise ValueError(f"key_mask: shape {tuple(key_mask.shape)}, expected {(batch, n)}")
    return key_mask


def _scalar_tensor(x, like, name):
    t = x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=like.dtype)
    if t.numel() != 1:
        raise ValueError(f"{name}: a scalar (one element) is required, got shape {tuple(t.shape)}")
    return t.reshape(())


# ---------------------------------------------------------------------------------------------------------------
# SRformer (NETWORKS.md §6)

def srformer_attention(q, k, v, segment_length, lam, theta, w_r, key_mask=None, return_state=False):
    """Segmented recurrent attention (choices S1–S8 of the module docstring).

    q, k, v: (B, H, N, d_h). segment_length: S ≥ 1. lam (λ ≥ 0), theta (θ > 0): Python numbers or one-element
    tensors. w_r: (H, d_h, d_h) or (d_h, d_h). key_mask: (B, N), True / 1 = real key, None = all real.
    Returns (B, H, N, d_h); with return_state also a dict of the RAF trajectory, each (B, H, T, d_h, d_h) except
    `norms` (B, H, d_h): `x` (X_s), `u_tilde` (Ũ_s), `p` (P_s), `spike` (1[r_s > 1]), `u` (U_s after the reset).
    """
    if q.dim() != 4 or k.shape != q.shape or v.shape != q.shape:
        raise ValueError(f"q, k, v: need equal (B, H, N, d_h) shapes, got {tuple(q.shape)}, {tuple(k.shape)}, "
                         f"{tuple(v.shape)}")
    B, H, N, dh = q.shape
    S = int(segment_length)
    if S != segment_length or S < 1:
        raise ValueError(f"segment_length = {segment_length!r}: must be an integer >= 1")
    lam = _scalar_tensor(lam, q, "lam")
    theta = _scalar_tensor(theta, q, "theta")
    if bool(lam < 0):
        raise ValueError(f"lam = {float(lam)}: the RAF leak λ must be >= 0")
    if not bool(theta > 0):
        raise ValueError(f"theta = {float(theta)}: the RAF threshold θ must be > 0")
    if w_r.shape not in ((dh, dh), (H, dh, dh)):
        raise ValueError(f"w_r: shape {tuple(w_r.shape)}, expected ({H}, {dh}, {dh}) or ({dh}, {dh})")
    real = _real_keys(key_mask, B, N)

    T = -(-N // S)
    pad = T * S - N
    weight = real.to(q.dtype)[:, None, :, None]  # (B, 1, N, 1)
    km, vm = k * weight, v * weight  # S3: padded keys are zero rows
    if pad:
        q, km, vm = (F.pad(t, (0, 0, 0, pad)) for t in (q, km, vm))
        real = F.pad(real, (0, pad))
    qs = q.reshape(B, H, T, S, dh)
    ks = km.reshape(B, H, T, S, dh)
    vs = vm.reshape(B, H, T, S, dh)

    # local term (S2)
    visible = real.reshape(B, 1, T, 1, S)
    local = _masked_softmax_attention(qs, ks, vs, visible)

    # recurrent term (S4–S6)
    kv = ks.transpose(-1, -2) @ vs  # (B, H, T, d_h, d_h): K_sᵀ V_s
    total = kv[:, :, 0]
    for j in range(1, T):
        total = total + kv[:, :, j]
    x = total[:, :, None] - kv  # X_s
    w = w_r if w_r.dim() == 2 else w_r[None, :, None]  # (H, d_h, d_h) -> (1, H, 1, d_h, d_h)
    drive = x @ w  # X_s W_R
    u = torch.zeros(B, H, dh, dh, dtype=q.dtype)
    traj = {"u_tilde": [], "p": [], "spike": [], "u": []}
    for s in range(T):
        u_tilde = lam * u + drive[:, :, s]
        r = u_tilde / theta
        p = torch.relu(r - 1)
        spike = (r > 1).to(q.dtype)
        u = u_tilde - theta * spike
        for key, val in (("u_tilde", u_tilde), ("p", p), ("spike", spike), ("u", u)):
            traj[key].append(val)
    p_all = torch.stack(traj["p"], 2)  # (B, H, T, d_h, d_h)
    norms = km.pow(2).sum(2).sqrt()  # (B, H, d_h): column norms of K over all real keys
    recurrent = (qs @ p_all) / norms[:, :, None, None, :]
    out = (local + recurrent).reshape(B, H, T * S, dh)[:, :, :N]
    if not return_state:
        return out
    state = {key: torch.stack(val, 2) for key, val in traj.items()}
    state.update(x=x, norms=norms)
    return out, state


# ---------------------------------------------------------------------------------------------------------------
# TransformerFAM (NETWORKS.md §7)

def fam_block_attention(q, k, v, fam_q, fam_k, fam_v, cache_k=None, cache_v=None, key_mask=None, cache_mask=None):
    """Attention of one block (choice F1).

    q, k, v: (B, H, L, d_h) the block's tokens; fam_q, fam_k, fam_v: (B, H, F, d_h) projections of the FAM entering
    the block (F may be 0); cache_k, cache_v: (B, H, C, d_h) keys/values of the cached previous blocks (None or
    C = 0: none); key_mask (B, L), cache_mask (B, C): True = real. Returns (token outputs (B, H, L, d_h), FAM
    outputs (B, H, F, d_h)) — the attention outputs before W_O.
    """
    B, H, L, dh = q.shape
    Fm = fam_q.shape[2]
    if cache_k is None:
        cache_k = cache_v = q.new_zeros(B, H, 0, dh)
    C = cache_k.shape[2]
    real = _real_keys(key_mask, B, L)
    creal = _real_keys(cache_mask, B, C)
    fam_real = torch.ones(B, Fm, dtype=torch.bool)
    # token queries: [FAM ; cache ; causal own prefix]
    keys = torch.cat([fam_k, cache_k, k], 2)
    values = torch.cat([fam_v, cache_v, v], 2)
    causal = torch.ones(L, L, dtype=torch.bool).tril()
    visible = torch.cat([
        torch.cat([fam_real, creal], 1)[:, None, :].expand(B, L, Fm + C),
        causal[None] & real[:, None, :],
    ], 2)[:, None]  # (B, 1, L, F + C + L)
    out = _masked_softmax_attention(q, keys, values, visible)
    # FAM queries: [FAM ; whole block]
    fvisible = torch.cat([fam_real, real], 1)[:, None, None, :]  # (B, 1, 1, F + L)
    fam_out = _masked_softmax_attention(fam_q, torch.cat([fam_k, k], 2), torch.cat([fam_v, v], 2), fvisible)
    return out, fam_out


def _check_blocks(block_length, mem_segment):
    Bl = int(block_length)
    if Bl != block_length or Bl < 1:
        raise ValueError(f"block_length = {block_length!r}: must be an integer >= 1")
    m = int(mem_segment)
    if m != mem_segment or m < 0:
        raise ValueError(f"mem_segment = {mem_segment!r}: must be an integer >= 0")
    return Bl, m


def _block_range(tau, Bl, m, N):
    """(start, end) of block tau and start of its cache."""
    start, end = tau * Bl, min(N, (tau + 1) * Bl)
    return start, end, max(0, tau - m) * Bl


def fam_attention(q, k, v, fam_q, fam_k, fam_v, block_length, mem_segment=1, key_mask=None):
    """The FAM attention operator over a whole sequence with the FAM entering every block given (teacher-forced:
    the recurrence through W_O, norms and FFN is fam_layer's). q, k, v: (B, H, N, d_h); fam_q, fam_k, fam_v:
    (B, H, T, F, d_h), T = ⌈N/block_length⌉, the projections of FAM_τ for τ = 0 … T−1. Returns (token outputs
    (B, H, N, d_h), FAM outputs (B, H, T, F, d_h)). With F = 0 it is block sliding-window attention."""
    B, H, N, dh = q.shape
    Bl, m = _check_blocks(block_length, mem_segment)
    T = -(-N // Bl)
    if fam_q.dim() != 5 or fam_q.shape[:3] != (B, H, T) or fam_k.shape != fam_q.shape or fam_v.shape != fam_q.shape:
        raise ValueError(f"fam_q, fam_k, fam_v: need (B, H, T, F, d_h) = ({B}, {H}, {T}, F, {dh}), got "
                         f"{tuple(fam_q.shape)}")
    real = _real_keys(key_mask, B, N)
    outs, fams = [], []
    for tau in range(T):
        a, b, c = _block_range(tau, Bl, m, N)
        o, fo = fam_block_attention(q[:, :, a:b], k[:, :, a:b], v[:, :, a:b], fam_q[:, :, tau], fam_k[:, :, tau],
                                    fam_v[:, :, tau], k[:, :, c:a], v[:, :, c:a], real[:, a:b], real[:, c:a])
        outs.append(o)
        fams.append(fo)
    return torch.cat(outs, 2), torch.stack(fams, 2)


def _linear(x, p, name):
    return ops.linear(x, p[name + ".weight"], p[name + ".bias"])


def _split(y, heads):
    B, N, d = y.shape
    return y.view(B, N, heads, d // heads).transpose(1, 2)


def _merge(o):
    B, H, N, dh = o.shape
    return o.transpose(1, 2).reshape(B, N, H * dh)


def _ffn(x, p, prefix):
    return _linear(ops.gelu(_linear(x, p, prefix + "ffn.in")), p, prefix + "ffn.out")


def _norm(x, p, name):
    return ops.layer_norm(x, p[name + ".weight"], p[name + ".bias"], 1e-5)


def fam_layer(x, fam0, key_mask, p, prefix, heads, block_length, mem_segment=1, norm="pre", return_fams=False):
    """One TransformerFAM block (attention → residual → norm → FFN → residual → norm) over the whole sequence,
    with the FAM recurrence (choices F1–F4).

    x: (B, N, d) the layer's input rows; fam0: (B, F, d) or (F, d) the layer's initial FAM; key_mask (B, N);
    p: {name: tensor} holding `{prefix}attention.{q,k,v,out}.*`, `{prefix}norm1.*`, `{prefix}ffn.*`,
    `{prefix}norm2.*`. Returns (y (B, N, d), FAM after the last block (B, F, d)); with return_fams also the list
    [FAM_0, …, FAM_T]."""
    B, N, d = x.shape
    Bl, m = _check_blocks(block_length, mem_segment)
    if norm not in ("pre", "post"):
        raise ValueError(f"norm = {norm!r}: 'pre' or 'post'")
    real = _real_keys(key_mask, B, N)
    fam = fam0.expand(B, *fam0.shape[-2:]) if fam0.dim() == 2 else fam0
    a_ = prefix + "attention."
    xin = _norm(x, p, prefix + "norm1") if norm == "pre" else x
    q, k, v = (_split(_linear(xin, p, a_ + n), heads) for n in ("q", "k", "v"))
    T = -(-N // Bl)
    outs, fams = [], [fam]
    for tau in range(T):
        a, b, c = _block_range(tau, Bl, m, N)
        fin = _norm(fam, p, prefix + "norm1") if norm == "pre" else fam
        fq, fk, fv = (_split(_linear(fin, p, a_ + n), heads) for n in ("q", "k", "v"))
        o, fo = fam_block_attention(q[:, :, a:b], k[:, :, a:b], v[:, :, a:b], fq, fk, fv, k[:, :, c:a],
                                    v[:, :, c:a], real[:, a:b], real[:, c:a])
        outs.append(o)
        fa = _linear(_merge(fo), p, a_ + "out")
        if norm == "pre":
            h = fam + fa
            fam = h + _ffn(_norm(h, p, prefix + "norm2"), p, prefix)
        else:
            h = _norm(fam + fa, p, prefix + "norm1")
            fam = _norm(h + _ffn(h, p, prefix), p, prefix + "norm2")
        fams.append(fam)
    att = _linear(_merge(torch.cat(outs, 2)), p, a_ + "out")
    if norm == "pre":
        h = x + att
        y = h + _ffn(_norm(h, p, prefix + "norm2"), p, prefix)
    else:
        h = _norm(x + att, p, prefix + "norm1")
        y = _norm(h + _ffn(h, p, prefix), p, prefix + "norm2")
    return (y, fam, fams) if return_fams else (y, fam)


fam_attention_layer = fam_layer  # the name used in the task brief


# ---------------------------------------------------------------------------------------------------------------
# models

def _is_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def resolve_config(config):
    """The model config with every default filled in; ValueError naming the key for anything invalid (M4)."""
    if isinstance(config, str):
        config = json.loads(config)
    config = dict(config.get("model", config)) if "name" not in config and "model" in config else dict(config)
    name = config.get("name")
    if name not in MODELS:
        raise ValueError(f"name = {name!r}: not one of {', '.join(MODELS)}")
    allowed = _COMMON_KEYS | _MODEL_KEYS[name]
    for key in config:
        if key not in allowed:
            raise ValueError(f"{key}: not a key of model {name!r}")
    for key in ("vocab_size", "num_classes", "max_length", "segment_length"):
        if key not in config:
            raise ValueError(f"{key}: required")
    c = {"d_model": 64, "heads": 4, "layers": 2, "dropout": 0.1, "norm": "pre", "positions": "learned",
         "init_std": "1/sqrt(d)", "seed": 0, "attention": {}}
    if name == "fam":
        c.update(memory_tokens=8, mem_segment=1, readout="tokens")
    c.update(config)
    c.setdefault("ffn", 4 * c["d_model"])
    for key in dict(c["attention"]):
        raise ValueError(f"attention.{key}: {name} attention has no options")
    if name == "srformer":
        raf = dict(config.get("raf", {}))
        for key in raf:
            if key not in RAF_DEFAULTS:
                raise ValueError(f"raf.{key}: not an option of the RAF neuron ({', '.join(RAF_DEFAULTS)})")
        c["raf"] = raf = {**RAF_DEFAULTS, **raf}
        if not raf["lambda_init"] >= 0:
            raise ValueError(f"raf.lambda_init = {raf['lambda_init']!r}: the leak λ must be >= 0")
        if not raf["theta_init"] > 0:
            raise ValueError(f"raf.theta_init = {raf['theta_init']!r}: the threshold θ must be > 0")
    for key in ("vocab_size", "max_length", "d_model", "heads", "layers", "ffn"):
        if not _is_int(c[key]) or c[key] < 1:
            raise ValueError(f"{key} = {c[key]!r}: must be an integer >= 1")
    if not _is_int(c["num_classes"]) or c["num_classes"] < 2:
        raise ValueError("num_classes: must be >= 2")
    if not _is_int(c["segment_length"]) or not 1 <= c["segment_length"] <= c["max_length"]:
        raise ValueError(f"segment_length = {c['segment_length']!r}: must be an integer in [1, max_length = "
                         f"{c['max_length']}]")
    if name == "fam":
        if not _is_int(c["memory_tokens"]) or c["memory_tokens"] < 0:
            raise ValueError(f"memory_tokens = {c['memory_tokens']!r}: must be an integer >= 0")
        if not _is_int(c["mem_segment"]) or c["mem_segment"] < 0:
            raise ValueError(f"mem_segment = {c['mem_segment']!r}: must be an integer >= 0")
        if c["readout"] not in ("tokens", "memory"):
            raise ValueError(f"readout = {c['readout']!r}: 'tokens' or 'memory'")
        if c["readout"] == "memory" and c["memory_tokens"] == 0:
            raise ValueError("readout = 'memory': needs memory_tokens >= 1")
    if c["init_std"] == "1/sqrt(d)":
        c["init_std"] = 1.0 / math.sqrt(c["d_model"])
    if c["d_model"] % c["heads"]:
        raise ValueError(f"heads = {c['heads']}: d_model = {c['d_model']} is not a multiple")
    if c["norm"] not in ("pre", "post"):
        raise ValueError(f"norm = {c['norm']!r}: 'pre' or 'post'")
    if c["positions"] not in ("learned", "sinusoidal"):
        raise ValueError(f"positions = {c['positions']!r}: 'learned' or 'sinusoidal'")
    if not 0 <= c["dropout"] < 1:
        raise ValueError("dropout: must be in [0, 1)")
    return c


def parameter_shapes(config):
    """{name: shape} in the documented order (M3)."""
    c = resolve_config(config)
    d, H, Fw, L = c["d_model"], c["heads"], c["ffn"], c["layers"]
    shapes = {"embedding": (c["vocab_size"], d)}
    if c["positions"] == "learned":
        shapes["positions"] = (c["max_length"], d)
    if c["name"] == "fam" and c["memory_tokens"] > 0:
        shapes["memory"] = (L, c["memory_tokens"], d)
    for l in range(L):
        p = f"layers.{l}."
        for m in ("q", "k", "v", "out"):
            shapes[p + f"attention.{m}.weight"] = (d, d)
            shapes[p + f"attention.{m}.bias"] = (d,)
        if c["name"] == "srformer":
            shapes[p + "attention.recurrent"] = (H, d // H, d // H)
            shapes[p + "attention.leak"] = (1,)
            shapes[p + "attention.threshold"] = (1,)
        shapes[p + "norm1.weight"] = (d,)
        shapes[p + "norm1.bias"] = (d,)
        shapes[p + "ffn.in.weight"] = (Fw, d)
        shapes[p + "ffn.in.bias"] = (Fw,)
        shapes[p + "ffn.out.weight"] = (d, Fw)
        shapes[p + "ffn.out.bias"] = (d,)
        shapes[p + "norm2.weight"] = (d,)
        shapes[p + "norm2.bias"] = (d,)
    if c["norm"] == "pre":
        shapes["final_norm.weight"] = (d,)
        shapes["final_norm.bias"] = (d,)
    shapes["head.weight"] = (c["num_classes"], d)
    shapes["head.bias"] = (c["num_classes"],)
    return shapes


def decays_weight(name):
    """AdamW weight decay: on weight matrices, the embedding and W_R; not on norm gains, biases, positions, the
    initial FAM (`memory`), λ (`leak`) or θ (`threshold`)."""
    return not (name in ("positions", "memory", "final_norm.weight") or name.endswith((
        ".bias", "norm1.weight", "norm2.weight", "attention.leak", "attention.threshold")))


def _initial_value(name, shape, c, generator):
    if name.endswith(("norm1.weight", "norm2.weight")) or name == "final_norm.weight":
        return torch.ones(shape, dtype=torch.float64)
    if name.endswith(".bias"):
        return torch.zeros(shape, dtype=torch.float64)
    if name.endswith("attention.leak"):
        return torch.full(shape, float(c["raf"]["lambda_init"]), dtype=torch.float64)
    if name.endswith("attention.threshold"):
        return torch.full(shape, float(c["raf"]["theta_init"]), dtype=torch.float64)
    return c["init_std"] * torch.randn(shape, generator=generator, dtype=torch.float64)


def _as_tensor(a, dtype):
    return a.to(dtype) if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)).to(dtype)


class Model(nn.Module):
    """The `srformer` or `fam` sequence classifier (M1–M4). Parameters live in nested modules so that
    named_parameters() gives the documented names; forward reads them back by name (or from `params`)."""

    def __init__(self, config, dtype=torch.float64):
        super().__init__()
        self.config = c = resolve_config(config)
        self.name = c["name"]
        self.heads = c["heads"]
        generator = torch.Generator().manual_seed(int(c["seed"]))
        for name, shape in parameter_shapes(c).items():
            *path, leaf = name.split(".")
            module = self
            for part in path:
                if part not in module._modules:
                    module.add_module(part, nn.Module())
                module = module._modules[part]
            module.register_parameter(leaf, nn.Parameter(_initial_value(name, shape, c, generator).to(dtype)))

    def load(self, weights):
        """Copy weights (name -> array) into the parameters; ValueError naming a missing, unexpected or mis-shaped
        parameter."""
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
        pad = self.config["max_length"] - tokens.shape[1]
        return F.pad(tokens, (0, pad)), F.pad(mask, (0, pad))

    def _srformer_layer(self, x, mask, p, pre):
        c = self.config

        def attention(y):
            a = pre + "attention."
            q, k, v = (_split(_linear(y, p, a + n), self.heads) for n in ("q", "k", "v"))
            o = srformer_attention(q, k, v, c["segment_length"], p[a + "leak"], p[a + "threshold"],
                                   p[a + "recurrent"], mask)
            return _linear(_merge(o), p, a + "out")

        if c["norm"] == "pre":
            h = x + attention(_norm(x, p, pre + "norm1"))
            return h + _ffn(_norm(h, p, pre + "norm2"), p, pre)
        h = _norm(x + attention(x), p, pre + "norm1")
        return _norm(h + _ffn(h, p, pre), p, pre + "norm2")

    def hidden(self, tokens, mask, params=None):
        """(z, mask, fam): the last layer's token outputs (B, max_length, d) before final_norm, the padded mask,
        and for fam the last layer's FAM after the last block (B, F, d) (None for srformer)."""
        p = dict(self.named_parameters()) if params is None else params
        c = self.config
        tokens, mask = self._inputs(tokens, mask)
        x = ops.embedding(tokens, p["embedding"])
        x = ops.learned_positions(x, p["positions"]) if c["positions"] == "learned" else ops.sinusoidal_positions(x)
        fam = None
        for l in range(c["layers"]):
            pre = f"layers.{l}."
            if self.name == "srformer":
                x = self._srformer_layer(x, mask, p, pre)
            else:
                fam0 = p["memory"][l] if c["memory_tokens"] else x.new_zeros(0, x.shape[2])
                x, fam = fam_layer(x, fam0, mask, p, pre, self.heads, c["segment_length"], c["mem_segment"],
                                   c["norm"])
        return x, mask, fam

    def _final(self, z, p):
        return _norm(z, p, "final_norm") if self.config["norm"] == "pre" else z

    def forward(self, tokens, mask, params=None):
        """logits (B, num_classes). params: optional {name: tensor} replacing the module's parameters."""
        p = dict(self.named_parameters()) if params is None else params
        z, mask, fam = self.hidden(tokens, mask, p)
        if self.name == "fam" and self.config["readout"] == "memory":
            r = self._final(fam, p).mean(1)
        else:
            r = ops.mean_pooling(self._final(z, p), mask)
        return ops.linear(r, p["head.weight"], p["head.bias"])

    def loss(self, tokens, mask, labels, label_smoothing=0.0, params=None, return_logits=False):
        logits = self.forward(tokens, mask, params)
        loss = ops.cross_entropy(logits, _as_tensor(labels, torch.long), label_smoothing)
        return (loss, logits) if return_logits else loss


def build(config, weights=None, dtype=torch.float64):
    """The reference model of a srformer / fam config (dict or JSON string), loaded with `weights` (name ->
    array) when given, otherwise initialised from the documented distributions with torch's generator."""
    model = Model(config, dtype)
    if weights is not None:
        model.load(weights)
    return model


def forward_backward(config, weights, tokens, mask, labels, dtype=torch.float64, label_smoothing=0.0):
    """Loss, logits and the gradient of every parameter (the shape of glia's nn_model_forward_backward)."""
    model = build(config, weights, dtype)
    loss, logits = model.loss(tokens, mask, labels, label_smoothing, return_logits=True)
    loss.backward()
    grads = {name: (p.grad if p.grad is not None else torch.zeros_like(p)).detach().numpy().copy()
             for name, p in model.named_parameters()}
    return {"loss": loss.item(), "logits": logits.detach().numpy(), "grads": grads}


# ---------------------------------------------------------------------------------------------------------------
# analytic cost model

SOFTMAX_FLOPS_PER_SCORE = 4  # scale, exp, running sum, normalise (max subtraction not counted)
RAF_FLOPS_PER_ELEMENT = 8  # λ·U, +, /θ, −1, max(·, 0), compare, θ·spike, −


def attention_cost(kind, N, d, heads, segment_length=None, memory_tokens=0, mem_segment=1, ffn=None):
    """FLOPs and memory of one layer's attention operator on one sequence of N tokens (all real), per layer and
    for all heads together (d = heads · d_h), for kind "softmax" (full, non-causal §2 attention), "srformer" or
    "fam". Returns {"flops", "memory", "flops_per_token", "memory_per_token", "pairs", "terms"} (per token = total / N;
    `terms` is the breakdown of the FLOPs).

    Counting rules (the same for every kind):
    - a multiply-add is 2 FLOPs; any other elementwise arithmetic 1 FLOP; bias additions, layer norms and the token
      rows' Q/K/V/O projections and FFN (identical for every kind) are not counted;
    - each visible (query, key) pair of each head costs 2 d_h (score) + 2 d_h (weighted value) + 4 (softmax:
      SOFTMAX_FLOPS_PER_SCORE) = 4 d_h + 4 FLOPs. Only visible pairs are counted: masked-out pairs (FAM's causal
      upper triangle) are not, though a blocked implementation may compute them;
    - memory = number of float elements the operator keeps for the backward pass beyond the token rows' q, k, v and
      output: one attention probability per visible pair and head, plus the recurrent state.

    softmax:  pairs N² per head.  memory: heads · N².
    srformer (T = ⌈N/S⌉, rows padded to N_p = T·S, d_h = d/heads):
        local pairs T·S² per head;
        K_sᵀV_s: heads·T·2·S·d_h²;  Σ_j and X_s = total − own: heads·(2T − 1)·d_h²;  X_s W_R: heads·T·2·d_h³;
        RAF step: heads·T·d_h²·RAF_FLOPS_PER_ELEMENT;  q P_s: heads·N_p·2·d_h²;
        ‖K‖: heads·(2·N_p·d_h + d_h) (square + add, sqrt);  ⊘‖K‖ and the sum of the two terms: heads·2·N_p·d_h.
        memory: heads·T·S² probabilities + heads·T·3·d_h² (X_s, Ũ_s, P_s) + heads·d_h (‖K‖).
    fam (block length B_len, T = ⌈N/B_len⌉ blocks of L_τ rows, F FAM rows, cache C_τ = rows of blocks
    max(0, τ − mem_segment) … τ − 1):
        token pairs Σ_τ [L_τ (F + C_τ) + L_τ (L_τ + 1)/2] per head; FAM pairs Σ_τ F (F + L_τ) per head;
        the FAM rows' own projections and FFN (extra rows the tokens do not have): T·(4·2·F·d² + 2·2·F·d·ffn)
        (ffn defaults to 4d);
        memory: heads·(token pairs + FAM pairs) probabilities + T·4·F·d (the FAM rows' q, k, v, attention output).
    """
    if kind not in ("softmax", "srformer", "fam"):
        raise ValueError(f"kind = {kind!r}: 'softmax', 'srformer' or 'fam'")
    if d % heads:
        raise ValueError(f"heads = {heads}: d = {d} is not a multiple")
    if N < 1:
        raise ValueError("N: must be >= 1")
    dh = d // heads
    pair = 4 * dh + SOFTMAX_FLOPS_PER_SCORE
    terms = {}
    if kind == "softmax":
        pairs = N * N
        terms["attention"] = heads * pairs * pair
        memory = heads * pairs
    elif kind == "srformer":
        S = int(segment_length)
        if S < 1:
            raise ValueError("segment_length: must be >= 1")
        T = -(-N // S)
        Np = T * S
        pairs = T * S * S
        terms["local attention"] = heads * pairs * pair
        terms["segment KV products"] = heads * T * 2 * S * dh * dh
        terms["X_s"] = heads * (2 * T - 1) * dh * dh
        terms["X_s W_R"] = heads * T * 2 * dh ** 3
        terms["RAF"] = heads * T * dh * dh * RAF_FLOPS_PER_ELEMENT
        terms["q P"] = heads * Np * 2 * dh * dh
        terms["norms"] = heads * (2 * Np * dh + dh)
        terms["normalise and add"] = heads * 2 * Np * dh
        memory = heads * pairs + heads * T * 3 * dh * dh + heads * dh
    else:
        Bl, m = _check_blocks(segment_length, mem_segment)
        Fm = int(memory_tokens)
        if Fm < 0:
            raise ValueError("memory_tokens: must be >= 0")
        ffn = 4 * d if ffn is None else ffn
        T = -(-N // Bl)
        token_pairs = fam_pairs = 0
        for tau in range(T):
            a, b, c = _block_range(tau, Bl, m, N)
            L, C = b - a, a - c
            token_pairs += L * (Fm + C) + L * (L + 1) // 2
            fam_pairs += Fm * (Fm + L)
        pairs = token_pairs + fam_pairs
        terms["token attention"] = heads * token_pairs * pair
        terms["FAM attention"] = heads * fam_pairs * pair
        terms["FAM rows: projections and FFN"] = T * (4 * 2 * Fm * d * d + 2 * 2 * Fm * d * ffn)
        memory = heads * pairs + T * 4 * Fm * d
    flops = sum(terms.values())
    return {"flops": flops, "memory": memory, "flops_per_token": flops / N, "memory_per_token": memory / N,
            "pairs": pairs, "terms": terms}


def cost_model(N, segment_length, d, heads, memory_tokens=8, mem_segment=1, ffn=None):
    """attention_cost for softmax, srformer and fam at the same N, d, heads (segment_length is S for srformer and
    the block length for fam), each with `flops_ratio` and `memory_ratio` against full softmax attention."""
    out = {"softmax": attention_cost("softmax", N, d, heads),
           "srformer": attention_cost("srformer", N, d, heads, segment_length),
           "fam": attention_cost("fam", N, d, heads, segment_length, memory_tokens, mem_segment, ffn)}
    for v in out.values():
        v["flops_ratio"] = v["flops"] / out["softmax"]["flops"]
        v["memory_ratio"] = v["memory"] / out["softmax"]["memory"]
    return out
