"""Astrocytes coupled by IP3 gap junctions (Ca2+ waves): a builder of the network config that the
network engine runs (one G-ChI group, explicit gap-junction neighbours, a state monitor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from .simulation import simulate

ArrayLike = Union[float, Sequence[float], np.ndarray]


@dataclass
class AstrocyteNetworkResult:
    """t: sample times (s); C, I: (samples, astrocytes) Ca2+ and IP3 (µM)."""

    t: np.ndarray
    C: np.ndarray
    I: np.ndarray  # noqa: E741 - the model's name for IP3


def ring(n: int) -> Tuple[np.ndarray, np.ndarray]:
    """CSR (row_ptr, neighbours) of a ring: astrocyte k is coupled to k - 1 and k + 1."""
    neighbours = [[(k - 1) % n, (k + 1) % n] if n > 2 else [j for j in range(n) if j != k] for k in range(n)]
    row_ptr = np.concatenate([[0], np.cumsum([len(x) for x in neighbours])])
    return row_ptr.astype(np.int64), np.array([j for x in neighbours for j in x], dtype=np.int64)


def integrate_astrocyte_network(
    n: int,
    duration: float,
    dt: float,
    edges: Union[str, Tuple[Sequence[int], Sequence[int]]] = "ring",
    params: Optional[Mapping[str, float]] = None,
    F: float = 0.09,
    I_Theta: float = 0.3,
    omega_I: float = 0.05,
    I_bias: ArrayLike = 0.0,
    F_ex: float = 0.0,
    bias_period: float = 0.0,
    bias_on: float = 0.0,
    Y_S: ArrayLike = 0.0,
    initial: Optional[Mapping[str, float]] = None,
    method: str = "rk4",
    record_dt: Optional[float] = None,
    device: str = "cpu",
) -> AstrocyteNetworkResult:
    """Integrate ``n`` G-ChI astrocytes (network parameter set, overridden by ``params``)
    coupled by IP3 gap junctions.

    The flux into astrocyte i from neighbour j is -(F/2)(1 + tanh((|I_i - I_j| - I_Theta)/omega_I))
    sign(I_i - I_j), computed from the IP3 levels at the start of each step and held over it.
    Each astrocyte may also exchange IP3 with a clamped level ``I_bias`` (permeability ``F_ex``),
    switched on for ``bias_on`` s of every ``bias_period`` s (always on when the period is 0).

    Args:
        edges: "ring", or a CSR pair (row_ptr, neighbours) listing every astrocyte's neighbours.
        I_bias, Y_S: per astrocyte (scalar or length n), µM.
        initial: Gamma_A, I, C, h common to all astrocytes (defaults 0, 0, 0, 0.9).
        device: "cpu" or "cuda".

    The result is the network run of groups[0] "astrocytes" (docs/network_config.md); G-ChI bounds
    (C in [0, C_T/(1 + rho_A)], I >= 0) are checked at every step as in any network.
    """
    row_ptr, neighbours = ring(n) if isinstance(edges, str) and edges == "ring" else edges
    if isinstance(edges, str) and edges != "ring":
        raise _core.ConfigError(f'edges = "{edges}": expected "ring" or (row_ptr, neighbours)')
    init = {"Gamma_A": 0.0, "I": 0.0, "C": 0.0, "h": 0.9}
    init.update(initial or {})
    group = {"name": "astrocytes", "model": "gchi", "n": int(n), "method": method, "params": dict(params or {}),
             "glutamate": _per_astrocyte(Y_S), "init": init}
    if F_ex > 0.0:
        group["ip3_bias"] = {"I_bias": _per_astrocyte(I_bias), "F_ex": F_ex, "I_Theta": I_Theta, "omega_I": omega_I,
                             "period": bias_period, "on": bias_on}
    config = {
        "simulation": {"duration": duration, "dt": dt, "device": device},
        "groups": [group],
        "projections": [],
        "astrocyte_coupling": [{"group": "astrocytes", "F": F, "I_Theta": I_Theta, "omega_I": omega_I,
                                "neighbours": {"row_ptr": [int(x) for x in row_ptr],
                                               "index": [int(x) for x in neighbours]}}],
        "monitors": [{"type": "state", "target": "astrocytes", "variables": ["C", "I"],
                      "dt": dt if record_dt is None else record_dt}],
    }
    r = simulate(config).state["astrocytes"]
    return AstrocyteNetworkResult(t=r["t"], C=r["C"], I=r["I"])


def _per_astrocyte(value: ArrayLike):
    a = np.asarray(value, dtype=float)
    return float(a) if a.ndim == 0 else a.tolist()
