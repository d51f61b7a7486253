"""Single-cell integration of the astrocyte models (G-ChI, Li–Rinzel)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

import numpy as np

from . import _core
from .simulation import _to_json


@dataclass
class CellTrace:
    """Samples of one integrated cell.

    Attributes:
        t: sample times (s), from 0 to the duration inclusive.
        values: variable name -> samples (concentrations in µM, gating variables as fractions).
        rhs_evaluations: right-hand-side evaluations spent (a cost measure).
        config: the effective configuration (defaults filled in).
    """

    t: np.ndarray
    values: Dict[str, np.ndarray]
    rhs_evaluations: int
    config: Dict[str, Any]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.t if name == "t" else self.values[name]


def integrate_cell(
    model: str,
    duration: float,
    sample_dt: float,
    method: str = "rk4",
    dt: Optional[float] = None,
    params: Optional[Mapping[str, float]] = None,
    initial: Optional[Mapping[str, float]] = None,
    input: Optional[Mapping[str, float]] = None,  # noqa: A002 - the model's input term
    parameter_set: Optional[str] = None,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
    noise: Optional[Mapping[str, float]] = None,
) -> CellTrace:
    """Integrate one astrocyte and sample it every ``sample_dt`` seconds.

    Args:
        model: ``"gchi"`` (variables Gamma_A, I, C, h) or ``"li_rinzel"`` (C, h, IP3).
        duration, sample_dt: seconds; duration must be a whole multiple of sample_dt.
        method: ``"euler"``, ``"rk2"``, ``"rk4"`` (fixed step ``dt``, default sample_dt),
            ``"dopri5"`` (adaptive Dormand–Prince with ``rtol``/``atol``, for reference runs), or
            ``"euler_maruyama"`` / ``"milstein"`` for the stochastic G-ChI variant (then ``noise``).
        noise: ``{"sigma": σ, "seed": n}``: dh/dt is multiplied by (1 + σ ξ √τ_h), ξ white noise
            drawn from Philox keyed by the seed.
        params: parameter overrides by name (µM, s, 1/s, µM/s; see BIOPHYSICS.md §3).
        initial: initial values by variable name.
        input: gchi only: ``Y_S`` constant glutamate (µM); ``J_ex`` constant external IP3 flux
            (µM/s); ``Y_S_pulses`` = {"times": [s, ...], "amount": µM, "Omega_c": 1/s} for the
            glutamate of one synapse releasing at those times (Y_S jumps by ``amount`` and is cleared
            at rate Omega_c; a fixed step lets a release act from the step that starts at or after
            it); ``IP3_bias_coupling`` = {"I_bias", "F_ex", "I_Theta", "omega_I"} for gap-junction
            IP3 exchange with a neighbour clamped at I_bias (Stimberg et al. example 2).
        parameter_set: gchi only: ``"network"`` (Stimberg et al. Fig. 6, default) or
            ``"single_astrocyte"`` (Fig. 2).

    Raises:
        ConfigError: an invalid argument, named in the message.
        SimulationError: the state left the model's bounds (an unstable step size).
    """
    config: Dict[str, Any] = {"model": model, "duration": duration, "sample_dt": sample_dt, "method": method}
    optional = {"dt": dt, "params": params, "initial": initial, "input": input,
                "parameter_set": parameter_set, "rtol": rtol, "atol": atol, "noise": noise}
    config.update({k: v for k, v in optional.items() if v is not None})
    raw = _core.integrate_cell(_to_json(config))
    return CellTrace(t=raw["t"], values=dict(raw["values"]), rhs_evaluations=raw["rhs_evaluations"],
                     config=json.loads(raw["config"]))
