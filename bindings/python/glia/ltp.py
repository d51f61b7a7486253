"""The LTP macro model: a small neuron–astrocyte network under repeated STP cycles.

``n_pre`` x ``n_post`` rate neurons, a Hebbian synapse from every pre to every post neuron and a
two-timescale astrocyte process per synapse (BIOPHYSICS.md §4); correlated drive for ``T_on``,
rest for ``T_off``, repeated. The long-term process p^l accumulates and saturates over the cycles:
MAPPING.md §2 turns that curve into retention factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

ArrayLike = Union[float, Sequence[float], np.ndarray]

@dataclass
class LtpResult:
    """Traces (sampled every ``record_dt`` from 0) and the per-cycle p^l levels.

    t: (samples,) s; x_pre: (samples, n_pre); x_post: (samples, n_post);
    s, p_s, p_l: (samples, n_post, n_pre), synapse [i, j] from pre j to post i;
    cycle_end_t: (n_cycles,) s; p_l_on_end, p_l_cycle_end: (n_cycles, n_post, n_pre), p^l at the end
    of each on-phase and of each cycle.
    """

    t: np.ndarray
    x_pre: np.ndarray
    x_post: np.ndarray
    s: np.ndarray
    p_s: np.ndarray
    p_l: np.ndarray
    cycle_end_t: np.ndarray
    p_l_on_end: np.ndarray
    p_l_cycle_end: np.ndarray
    params: dict  # every scalar parameter as used (defaults and overrides)

    @property
    def curve(self) -> np.ndarray:
        """Mean p^l over synapses at the end of each cycle: the LTP macro model curve."""
        return self.p_l_cycle_end.mean(axis=(1, 2))


def neuron_astrocyte_ltp(
    n_pre: Optional[int] = None,
    n_post: Optional[int] = None,
    n_cycles: int = 10,
    T_on: float = 2.0,
    T_off: float = 2.0,
    b_pre: ArrayLike = 1.0,
    b_post: ArrayLike = 1.0,
    theta: str = "tanh",
    params: Optional[Mapping[str, float]] = None,
    dt: float = 1e-3,
    record_dt: Optional[float] = 1e-2,
    method: str = "rk4",
) -> LtpResult:
    """Simulate the network under ``n_cycles`` STP cycles from rest (all states 0).

    Args:
        n_pre, n_post: neurons per population; default: the length of b_pre / b_post, or 3 (the
            RMAAT paper's small network) when the drive is a scalar.
        b_pre, b_post: drive of each pre/post neuron during on-phases (scalar or one per neuron).
        theta: neuron nonlinearity, "identity", "tanh", "elu+1" or "relu".
        params: overrides of the scalar parameters by name (times in s; the rest dimensionless):
            tau_n 0.01, lambda 1 (rate neurons); tau_s 1, beta 1, c 1 (Hebbian synapses);
            tau_ps 2, tau_pl 30, gamma_s 1, gamma_l 1, c_T 0.1, lambda_T 1 (grid units),
            psi_gain 0.5, kappa_gain 1 (processes: psi = psi_gain tanh, kappa = kappa_gain tanh,
            T = c_T exp(-dist / lambda_T) without self-coupling); w_gain 1 (weight of s_ij in the
            postsynaptic input). ``result.params`` lists the values used.
        dt: step (s); T_on, T_off and record_dt must be whole multiples of it (T_off may be 0).
        method: "rk4", "rk2", "euler" (on the whole coupled state) or "exact" (each element's exact
            step with its inputs held over the step; first order).

    Raises:
        ConfigError: naming the offending field.
    """

    def per_neuron(name, value, n):
        a = np.asarray(value, dtype=float)
        if a.ndim == 0:
            return [float(a)] * (3 if n is None else int(n))
        if a.ndim != 1 or (n is not None and a.shape != (n,)):
            raise _core.ConfigError(f"{name}: shape {a.shape}, expected a scalar or ({n if n else 'n'},)")
        return [float(x) for x in a]

    overrides = {k: float(v) for k, v in (params or {}).items()}
    raw = _core.neuron_astrocyte_ltp(
        overrides, theta, per_neuron("b_pre", b_pre, n_pre), per_neuron("b_post", b_post, n_post), float(T_on),
        float(T_off), int(n_cycles), float(dt), 0.0 if record_dt is None else float(record_dt), method)
    return LtpResult(**raw)


def ltp_closed_form(cycles: int, K: float, T_on: float = 2.0, T_off: float = 2.0, tau_pl: float = 30.0,
                    gamma_l: float = 1.0, p0: float = 0.0) -> np.ndarray:
    """p^l at the end of cycles 1..``cycles`` when kappa = K during on-phases and 0 during rest.

    Each phase is solved exactly: p_n = q p_{n-1} + A with q = exp(-gamma_l (T_on + T_off) / tau_pl)
    and A = (K / gamma_l)(1 - exp(-gamma_l T_on / tau_pl)) exp(-gamma_l T_off / tau_pl), so
    p_n = q^n p0 + A (1 - q^n) / (1 - q); from p0 = 0 that is p_inf (1 - exp(-n T_c gamma_l / tau_pl)),
    the saturating exponential with tau_L = tau_pl / gamma_l. For gamma_l = 0, p_n = p0 + n K T_on / tau_pl.
    """
    return ltp_periodic_closed_form(cycles, ltp_square_cycle_gain(K, T_on, T_off, tau_pl, gamma_l), T_on + T_off,
                                    tau_pl, gamma_l, p0)


def ltp_square_cycle_gain(K: float, T_on: float, T_off: float, tau_pl: float = 30.0, gamma_l: float = 1.0) -> float:
    """A: the p^l that one cycle of the square drive (kappa = K, then 0) produces from 0."""
    if gamma_l == 0.0:
        return K * T_on / tau_pl
    return K / gamma_l * -np.expm1(-gamma_l * T_on / tau_pl) * np.exp(-gamma_l * T_off / tau_pl)


def ltp_periodic_closed_form(cycles: int, A: float, T_cycle: float, tau_pl: float = 30.0, gamma_l: float = 1.0,
                             p0: float = 0.0) -> np.ndarray:
    """p^l at the end of cycles 1..``cycles`` for any drive that repeats every cycle and adds A per
    cycle from 0 (p^l is linear in kappa): the geometric series q^n p0 + A (1 - q^n) / (1 - q)."""
    n = np.arange(1, cycles + 1, dtype=float)
    r = gamma_l * T_cycle / tau_pl
    if r == 0.0:
        return p0 + n * A
    return np.exp(-n * r) * p0 + A * np.expm1(-n * r) / np.expm1(-r)
