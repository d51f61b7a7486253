"""Many astrocytes at once, each with its own parameters: the batched core of sweeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

ArrayLike = Union[float, Sequence[float], np.ndarray]
VARIABLES = ("Gamma_A", "I", "C", "h")
STATUS = {0: "ok", 1: "left its bounds"}


@dataclass
class EnsembleResult:
    """Result of :func:`integrate_cells`.

    Attributes:
        t: trace sample times (s), 0 to the duration inclusive.
        traces: (samples, recorded variants, 4) array of Gamma_A, I, C, h for the variants in ``record``.
        record: the recorded variants, in the order of ``traces``' second axis.
        final_state: (variants, 4) state at the end (or where a variant failed).
        C_max, C_mean: per-variant maximum and mean cytosolic Ca2+ (µM) over every step.
        C_crossings: per-variant count of upward crossings of ``C_threshold`` (gliotransmitter events).
        status: per-variant 0 (ok) or 1 (the state left its bounds: a step too long for the method).
        failed_at: time (s) a failed variant left its bounds, NaN for the others.
        failed_variable: name of the variable that left its bounds ("" for the others).
    """

    t: np.ndarray
    traces: np.ndarray
    record: np.ndarray
    final_state: np.ndarray
    C_max: np.ndarray
    C_mean: np.ndarray
    C_crossings: np.ndarray
    status: np.ndarray
    failed_at: np.ndarray
    failed_variable: np.ndarray

    def trace(self, variable: str) -> np.ndarray:
        """(samples, recorded variants) trace of one variable."""
        return self.traces[:, :, VARIABLES.index(variable)]


def integrate_cells(
    n: int,
    duration: float,
    dt: float,
    params: Optional[Mapping[str, ArrayLike]] = None,
    Y_S: ArrayLike = 0.0,
    J_ex: ArrayLike = 0.0,
    initial: Optional[Mapping[str, ArrayLike]] = None,
    parameter_set: str = "network",
    method: str = "rk4",
    record: Sequence[int] = (),
    record_dt: Optional[float] = None,
    C_threshold: float = 0.5,
    device: str = "cpu",
) -> EnsembleResult:
    """Integrate ``n`` G-ChI astrocytes at once, each with its own parameters and inputs.

    Every per-variant argument is a scalar (the same for all) or an array of length ``n``.
    Variants do not interact: variant k gives the same result as
    ``integrate_cell("gchi", ...)`` with its values, whatever ``n``, thread count or device.

    Args:
        n: number of variants.
        duration, dt: seconds; a fixed step ``dt`` of ``method`` ("euler", "rk2", "rk4").
        params: G-ChI parameters by name (BIOPHYSICS.md §3), overriding ``parameter_set``
            ("network" or "single_astrocyte").
        Y_S: constant glutamate (µM); J_ex: constant external IP3 flux (µM/s).
        initial: initial Gamma_A, I, C, h (defaults 0, 0, 0, 0.9).
        record: variants whose traces are kept, sampled every ``record_dt`` (default dt).
        C_threshold: Ca2+ level (µM) whose upward crossings are counted.
        device: "cpu" (all cores) or "cuda".

    Raises:
        ConfigError: a bad argument, named with the variant index.
    """
    if n < 1:
        raise _core.ConfigError(f"n = {n}: must be at least 1")

    def per_variant(name: str, value: ArrayLike) -> np.ndarray:
        a = np.asarray(value, dtype=float)
        if a.ndim == 0:
            return np.full(n, float(a))
        if a.shape != (n,):
            raise _core.ConfigError(f"{name}: shape {a.shape}, expected a scalar or ({n},)")
        return np.ascontiguousarray(a)

    init_defaults = {"Gamma_A": 0.0, "I": 0.0, "C": 0.0, "h": 0.9}
    for key in initial or {}:
        if key not in init_defaults:
            raise _core.ConfigError(f"initial.{key}: unknown variable (expected one of {', '.join(VARIABLES)})")
    init = {**init_defaults, **(initial or {})}
    initial_flat = np.stack([per_variant(f"initial.{v}", init[v]) for v in VARIABLES], axis=1).ravel()
    raw = _core.gchi_ensemble(
        {k: per_variant(f"params.{k}", v) for k, v in (params or {}).items()},
        parameter_set, per_variant("Y_S", Y_S), per_variant("J_ex", J_ex), initial_flat,
        duration, dt, method, [int(k) for k in record], -1.0 if record_dt is None else record_dt,
        C_threshold, device,
    )
    failed_variable = np.array([VARIABLES[i] if i >= 0 else "" for i in raw["failed_variable"]])
    return EnsembleResult(t=raw["t"], traces=raw["traces"], record=np.asarray(record, dtype=np.int64),
                          final_state=raw["final_state"], C_max=raw["C_max"], C_mean=raw["C_mean"],
                          C_crossings=raw["C_crossings"], status=raw["status"], failed_at=raw["failed_at"],
                          failed_variable=failed_variable)
