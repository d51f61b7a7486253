"""PyTorch reference of glia's engine/nn ops (NETWORKS.md §1–2), written from the spec, not
from glia's code: a test oracle for outputs and gradients (tests/python/test_nn_ops.py) and,
later, the speed baseline. Shapes follow glia: multi-head tensors are (B, heads, N, d_head);
a key mask is (B, N) with 1 for a real token. Every function is differentiable by autograd."""

import math

import torch
import torch.nn.functional as F


def phi(z):
    """elu(z) + 1, the positive feature map of the linear attentions."""
    return F.elu(z) + 1


def embedding(ids, table):
    return table[ids]


def learned_positions(x, table):
    return x + table[: x.shape[1]]


def sinusoidal_table(n, d, dtype=torch.float64):
    pos = torch.arange(n, dtype=torch.float64)[:, None]
    j = torch.arange(d)
    angle = pos / torch.pow(10000.0, (j - j % 2).to(torch.float64) / d)
    return torch.where(j % 2 == 0, torch.sin(angle), torch.cos(angle)).to(dtype)


def sinusoidal_positions(x):
    return x + sinusoidal_table(x.shape[1], x.shape[2], x.dtype)


def linear(x, weight, bias=None):
    return F.linear(x, weight, bias)


def layer_norm(x, gamma, beta, epsilon=1e-5):
    return F.layer_norm(x, (x.shape[-1],), gamma, beta, epsilon)


def gelu(x):
    return F.gelu(x, approximate="tanh")


def _key_weights(key_mask, k):
    """(B, 1, N, 1) weights: 1 for real keys, 0 for padding."""
    if key_mask is None:
        return torch.ones(k.shape[0], 1, k.shape[2], 1, dtype=k.dtype)
    return key_mask.to(k.dtype)[:, None, :, None]


def softmax_attention(q, k, v, key_mask=None, causal=False):
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    visible = torch.ones(scores.shape, dtype=torch.bool)
    if key_mask is not None:
        visible = visible & key_mask.bool()[:, None, None, :]
    if causal:
        visible = visible & torch.ones(q.shape[2], k.shape[2], dtype=torch.bool).tril()
    scores = scores.masked_fill(~visible, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    probs = torch.nan_to_num(probs, nan=0.0)  # a query that sees no key outputs zeros
    return probs @ v


def linear_attention(q, k, v, key_mask=None, causal=False, epsilon=1e-6):
    phi_q, phi_k = phi(q), phi(k) * _key_weights(key_mask, k)
    if causal:
        state = torch.cumsum(phi_k[..., :, None] * v[..., None, :], dim=2)  # (B, H, N, d_k, d_v)
        z = torch.cumsum(phi_k, dim=2)
        num = torch.einsum("bhna,bhnac->bhnc", phi_q, state)
        den = (phi_q * z).sum(-1, keepdim=True) + epsilon
        return num / den
    state = phi_k.transpose(-1, -2) @ v
    den = phi_q @ phi_k.sum(2)[..., None] + epsilon
    return (phi_q @ state) / den


def astromorphic_attention(q, k, v, position, decay, key_mask=None, alpha=0.25, astrocyte_term=True,
                           nonlinearity=False, epsilon=1e-6, synaptic_scale="1/sqrt(N)"):
    """NETWORKS.md §2 with P_pos formed densely (O(N²); glia scans in O(N m)). With the nonlinearity,
    H = σ(c (H_n + H_a)); synaptic_scale: "1/N", "1/sqrt(N)" (N keys, padded ones counted) or a tensor ρ_c of
    shape (H,) for a learned scale c = softplus(ρ_c)."""
    n = k.shape[2]
    weights = _key_weights(key_mask, k)
    phi_q, phi_k = phi(q), phi(k) * weights
    hebbian = phi_k.transpose(-1, -2) @ v
    if astrocyte_term:
        s = F.softplus(decay)  # (H)
        idx = torch.arange(n, dtype=q.dtype)
        distance = (idx[:, None] - idx[None, :]).abs()
        p_pos = torch.exp(-s[:, None, None] * distance)  # (H, N, N)
        activity = p_pos @ position  # (H, N, m)
        hebbian = hebbian + (phi(activity)[None] * weights).transpose(-1, -2) @ v
    if not nonlinearity:
        h = hebbian
    elif isinstance(synaptic_scale, str):
        c = {"1/N": 1.0 / n, "1/sqrt(N)": 1.0 / math.sqrt(n)}[synaptic_scale]
        h = torch.sigmoid(c * hebbian)
    else:
        h = torch.sigmoid(F.softplus(synaptic_scale)[:, None, None] * hebbian)
    g = phi_k.sum(2).pow(alpha)  # (B, H, m)
    den = phi_q @ g[..., None] + epsilon
    return (phi_q @ h) / den


def mean_pooling(x, mask=None):
    if mask is None:
        return x.mean(1)
    w = mask.to(x.dtype)[:, :, None]
    return (x * w).sum(1) / w.sum(1)


def cross_entropy(logits, labels, label_smoothing=0.0):
    return F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
