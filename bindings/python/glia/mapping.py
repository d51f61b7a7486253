"""The mapping layer: attention heads as neuron–astrocyte simulations (MAPPING.md §1) and retention factors from
simulated astrocyte long-term plasticity (MAPPING.md §2).

Attention (:func:`simulate_head`, :func:`head_operator`): one astromorphic head realised with rate neurons, Hebbian
synapses, astrocyte processes and a presynaptic Ca²⁺ state, run through a write phase (the keys/values presented
for ``tau_p`` each) and a read phase (the queries); it converges to the closed-form operator at first order in
``tau_n / tau_p`` and, for fixed ``tau_n / tau_p``, at the integrator's order in ``dt``
(models/mapping/simulated_head.hpp has the equations).

Retention:

The small neuron–astrocyte network of BIOPHYSICS.md §4 (3 pre x 3 post rate neurons, 9 Hebbian
synapses, one two-timescale astrocyte process per synapse) runs T STP cycles of length
``tau_c = T_on + T_off`` from rest. Its long-term process p^l at the cycle ends gives::

    Delta p_t = p^l(t tau_c) - p^l((t - 1) tau_c),    RF(t, T) = Delta p_t / sum_i Delta p_i

and an LTP macro model is fitted to the curve (default the saturating exponential
``p^l(t) = p_inf (1 - exp(-t / tau_L))``, whose table is
``RF(t, T) = exp(-c (t - 1)) (1 - exp(-c)) / (1 - exp(-c T))`` with ``c = tau_c / tau_L``).
rmaat reads a table with :func:`load_retention`. The config is documented in docs/retention_config.md;
``glia retention CONFIG.json`` is the command-line form. Times in seconds.

Example::

    import glia.mapping as gm
    res = gm.derive_retention(T=[4, 8, 16], params={"tau_pl": 20.0}, output="rf.h5")
    res.rf(8)                 # simulated RF(t, 8), t = 1..8
    res.fit["params"]         # {"p_inf": ..., "tau_L": ...}
    gm.load_retention("rf.h5", 8)
"""

from __future__ import annotations

import json
import os
import pathlib
import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

PathLike = Union[str, os.PathLike]


class RetentionWarning(UserWarning):
    """Settings whose retention table is degenerate (no saturation within T, sign changes, a fit at
    the bound of its time constants)."""


@dataclass
class RetentionResult:
    """Everything :func:`derive_retention` computed (the HDF5 file holds the same).

    Attributes:
        T: the table lengths (numbers of cycles = segments), ascending.
        T_cycle: cycle length tau_c = T_on + T_off (s).
        cycle_t: (n_cycles + 1,) cycle ends 0, tau_c, ..., n_cycles tau_c (s).
        p_l_mean: (n_cycles + 1,) mean p^l over synapses at the cycle ends (0 at rest).
        p_l: (n_cycles + 1, n_post, n_pre) p^l of each synapse [post i, pre j] at the cycle ends.
        delta_p: (n_cycles,) increments of the mean.
        fit: {"model", "params" (by name, times in s), "rmse", "relative_rmse", "max_abs_error",
            "at_bound"}; fit_curve: (n_cycles + 1,) the fitted model at cycle_t.
        rf_simulated, rf_fitted: {T: (T,)} tables; rf_per_synapse: {T: (T, n_post, n_pre)} (NaN for a
            synapse that is never potentiated).
        falls_from: {T: t0}, the smallest t0 from which the simulated RF(t, T) falls strictly.
        trace_t, trace_p_l: p^l of every synapse every record_dt (s; (samples, n_post, n_pre)).
        warnings: degenerate settings (also issued as :class:`RetentionWarning`).
        config: the resolved config (every default filled in).
        path: the HDF5 file written, or None.
    """

    T: List[int]
    T_cycle: float
    cycle_t: np.ndarray
    p_l_mean: np.ndarray
    p_l: np.ndarray
    delta_p: np.ndarray
    fit: Dict[str, Any]
    fit_curve: np.ndarray
    rf_simulated: Dict[int, np.ndarray]
    rf_fitted: Dict[int, np.ndarray]
    rf_per_synapse: Dict[int, np.ndarray]
    falls_from: Dict[int, int]
    trace_t: np.ndarray
    trace_p_l: np.ndarray
    warnings: List[str]
    config: Dict[str, Any]
    path: Optional[str] = None

    def rf(self, T: Optional[int] = None, source: str = "simulated") -> np.ndarray:
        """RF(t, T), t = 1..T, "simulated" or "fitted"; T defaults to the largest derived."""
        T = self.T[-1] if T is None else int(T)
        tables = {"simulated": self.rf_simulated, "fitted": self.rf_fitted}.get(source)
        if tables is None:
            raise _core.ConfigError(f'source = "{source}": expected "simulated" or "fitted"')
        if T not in tables:
            raise _core.ConfigError(f"T = {T}: derived tables are for T = {', '.join(map(str, self.T))}")
        return tables[T]


def _retention_config(config: Optional[Union[Mapping[str, Any], PathLike]], *, params=None, fit=None,
                      **entries: Any) -> Dict[str, Any]:
    """A retention config from a dict or file, overridden by keyword arguments (None: keep)."""
    cfg: Dict[str, Any] = {}
    if isinstance(config, (str, os.PathLike)):
        cfg = json.loads(_core.read_config_file(os.fspath(config), "config"))
    elif config is not None:
        cfg = json.loads(json.dumps(dict(config)))
    if params:
        cfg["params"] = {**cfg.get("params", {}), **{k: float(v) for k, v in params.items()}}
    if fit is not None:
        cfg["fit"] = {"model": fit}
    cfg.update({k: _plain(v) for k, v in entries.items() if v is not None})
    return cfg


def retention_network_config(config: Optional[Union[Mapping[str, Any], PathLike]] = None, **overrides: Any) -> Dict[str, Any]:
    """The network config that :func:`derive_retention` simulates (arguments as there): groups "pre" and "post"
    (rate neurons driven during each cycle's burst), the Hebbian projection "syn" with two-timescale astrocyte
    processes, and monitors of p^l at the end of every burst and cycle. Change its biology and run it with
    :func:`glia.simulate` (or save it with json.dump for ``glia simulate``); ``glia retention --dump-config``
    writes the same."""
    overrides.pop("output", None)
    return json.loads(_core.retention_network_config(json.dumps(_retention_config(config, **overrides))))


def derive_retention(
    config: Optional[Union[Mapping[str, Any], PathLike]] = None,
    *,
    output: Optional[PathLike] = None,
    T: Optional[Union[int, Sequence[int]]] = None,
    params: Optional[Mapping[str, float]] = None,
    b_pre: Optional[Sequence[float]] = None,
    b_post: Optional[Sequence[float]] = None,
    T_on: Optional[float] = None,
    T_off: Optional[float] = None,
    dt: Optional[float] = None,
    method: Optional[str] = None,
    fit: Optional[str] = None,
    n_cycles: Optional[int] = None,
    **more: Any,
) -> RetentionResult:
    """Simulate the network under STP cycles, derive RF(t, T) and fit the LTP macro model.

    Args:
        config: a retention config (dict, or path of a JSON file as given to ``glia retention``);
            keyword arguments override its top-level entries. None: all defaults.
        output: HDF5 file to write (with provenance: glia version, git commit, config, seed); None
            writes nothing unless the config names an ``"output"``.
        T: number of cycles (segments) of the table, or a list of them. Default 10.
        params: network parameters by name, merged into the config's (times in s): tau_n 0.01,
            lambda 1; tau_s 1, beta 1, c 1; tau_ps 2, tau_pl 30, gamma_s 1, gamma_l 1, c_T 0.1,
            lambda_T 1, psi_gain 0.5, kappa_gain 1; w_gain 1.
        b_pre, b_post: drive of each pre/post neuron during on-phases (their lengths set the sizes).
        T_on, T_off: burst and rest of each cycle (s; defaults 2 and 2).
        dt: step (s; default 1e-3); method: "rk4" (default), "rk2", "euler" or "exact".
        fit: macro model, "exponential" (default), "exponential2" or "hill".
        n_cycles: cycles simulated and fitted (default the largest T).
        **more: any other top-level config entry (theta, record_dt, seed).

    Returns:
        RetentionResult. Degenerate settings are issued as :class:`RetentionWarning`.

    Raises:
        ConfigError: naming the field (for example "params.tau_pl", "T", "fit.model", or "b_pre"
            when the network produces no potentiation at all).
    """
    cfg = _retention_config(config, T=T, params=params, b_pre=b_pre, b_post=b_post, T_on=T_on, T_off=T_off, dt=dt,
                            method=method, fit=fit, n_cycles=n_cycles, **more)
    out = str(output) if output is not None else cfg.get("output", "") or ""
    if out and isinstance(config, (str, os.PathLike)):
        _core.check_output_is_not_an_input(out, "output", [os.fspath(config)])
    raw = _core.derive_retention(json.dumps(cfg), out)
    for w in raw["warnings"]:
        warnings.warn(w, RetentionWarning, stacklevel=2)
    Ts = sorted(int(t) for t in raw["rf_simulated"])
    return RetentionResult(
        T=Ts,
        T_cycle=float(raw["T_cycle"]),
        cycle_t=raw["cycle_t"],
        p_l_mean=raw["p_l_mean"],
        p_l=raw["p_l"],
        delta_p=raw["delta_p"],
        fit=dict(raw["fit"]),
        fit_curve=raw["fit_curve"],
        rf_simulated={int(k): v for k, v in raw["rf_simulated"].items()},
        rf_fitted={int(k): v for k, v in raw["rf_fitted"].items()},
        rf_per_synapse={int(k): v for k, v in raw["rf_per_synapse"].items()},
        falls_from={int(k): int(v) for k, v in raw["falls_from"].items()},
        trace_t=raw["trace_t"],
        trace_p_l=raw["trace_p_l"],
        warnings=list(raw["warnings"]),
        config=json.loads(raw["config"]),
        path=out or None,
    )


def load_retention(path: PathLike, T: int, source: str = "simulated", field: str = "retention") -> np.ndarray:
    """The validated table RF(t, T), t = 1..T, from a retention file (what rmaat calls).

    Args:
        path: file written by ``glia retention`` or :func:`derive_retention`.
        T: the model's number of segments; the file must hold a table for it.
        source: "simulated" (the table of the simulated curve) or "fitted" (the macro model's).
        field: the config field that named the file, used in error messages.

    Raises:
        ConfigError: naming ``field`` and the path, with the cause: no such file, not HDF5, not a
            retention file, incomplete, no table for this T (the message lists the Ts it has), a
            table of the wrong shape, non-finite or not summing to 1.
    """
    return _core.load_retention(os.fspath(path), int(T), source, field)["rf"]


def retention_info(path: PathLike, T: int, source: str = "simulated") -> Dict[str, Any]:
    """Like :func:`load_retention`, with provenance: {"rf", "T", "source", "T_cycle" (s),
    "fit_model", "fit_params", "glia_version", "git_commit", "config"}."""
    info = _core.load_retention(os.fspath(path), int(T), source, "retention")
    info["config"] = json.loads(info["config"]) if info["config"] else {}
    return info


def fit_ltp_curve(t: Sequence[float], p: Sequence[float], model: str = "exponential") -> Dict[str, Any]:
    """Least-squares fit of an LTP macro model to levels ``p`` at times ``t`` (s, > 0).

    Models: "exponential" p_inf (1 - e^{-t/tau_L}); "exponential2" a_1 (1 - e^{-t/tau_1}) +
    a_2 (1 - e^{-t/tau_2}); "hill" p_inf t^n / (t_half^n + t^n). Returns {"model", "params",
    "rmse", "relative_rmse", "max_abs_error", "at_bound"}.
    """
    return dict(_core.fit_ltp_curve([float(x) for x in t], [float(x) for x in p], model))


def retention_exponential(c: float, T: int) -> np.ndarray:
    """RF(t, T) = e^{-c (t-1)} (1 - e^{-c}) / (1 - e^{-c T}), t = 1..T, c = tau_c / tau_L."""
    return np.asarray(_core.retention_exponential(float(c), int(T)))


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def simulate_head(q, k, v, activity=None, *, alpha: float = 0.25, nonlinearity: bool = True, epsilon: float = 1e-6,
                  tau_n: float = 1e-3, tau_p: float = 0.1, dt: float = 1e-4, method: str = "rk4",
                  neuron_leak: float = 1.0, synapse_leak: float = 0.0,
                  synaptic_scale: Optional[float] = None) -> Dict[str, Any]:
    """Simulates one astromorphic head: q (N_q, m), k (N, m), v (N, d), activity A (N, m) or None (no astrocyte term).

    ``synaptic_scale`` is c in sigma(c H) (None: 1/N of the keys given; a model's heads use 1/N_k over all key rows,
    padded ones included: :meth:`glia.nn.Model.head_inputs` returns it with the inputs).
    Returns ``{"out": (N_q, d), "synapses": (m, d) the simulated H, "calcium": (m,) the simulated sum of phi(k),
    "warnings": [...]}``. Settings that cannot converge (tau_n >= tau_p, dt > tau_n, dt not dividing tau_p) raise
    ConfigError naming the setting; tau_n / tau_p > 0.05 is a warning (also issued as a Python warning)."""
    r = dict(_core.simulate_head(np.asarray(q, float), np.asarray(k, float), np.asarray(v, float),
                                 None if activity is None else np.asarray(activity, float), alpha, nonlinearity,
                                 epsilon, tau_n, tau_p, dt, method, neuron_leak, synapse_leak,
                                 0.0 if synaptic_scale is None else float(synaptic_scale)))
    for w in r["warnings"]:
        warnings.warn(w, RuntimeWarning, stacklevel=2)
    return r


def simulated_head_config(q, k, v, activity=None, *, alpha: float = 0.25, nonlinearity: bool = True,
                          epsilon: float = 1e-6, tau_n: float = 1e-3, tau_p: float = 0.1, dt: float = 1e-4,
                          method: str = "rk4", neuron_leak: float = 1.0, synapse_leak: float = 0.0,
                          synaptic_scale: Optional[float] = None) -> Dict[str, Any]:
    """The network config that :func:`simulate_head` runs on these inputs and settings (docs/network_config.md):
    rate groups "hidden" (driven by the keys, then the queries), "output" (clamped to the values while writing)
    and "positional" (clamped to A), the Hebbian projection "synapses" with positional astrocyte processes and
    presynaptic Ca2+, and monitors of the output after each query window. Change its biology (a leak, noise,
    another process) and run it with :func:`glia.simulate`."""
    return json.loads(_core.simulated_head_config(
        np.asarray(q, float), np.asarray(k, float), np.asarray(v, float),
        None if activity is None else np.asarray(activity, float), alpha, nonlinearity, epsilon, tau_n, tau_p, dt,
        method, neuron_leak, synapse_leak, 0.0 if synaptic_scale is None else float(synaptic_scale)))


def head_operator(q, k, v, activity=None, *, alpha: float = 0.25, nonlinearity: bool = True,
                  epsilon: float = 1e-6, synaptic_scale: Optional[float] = None) -> np.ndarray:
    """The closed-form astromorphic operator of one head on the same inputs as :func:`simulate_head`."""
    return _core.head_operator(np.asarray(q, float), np.asarray(k, float), np.asarray(v, float),
                               None if activity is None else np.asarray(activity, float), alpha, nonlinearity, epsilon,
                               0.0 if synaptic_scale is None else float(synaptic_scale))


__all__ = [
    "simulate_head",
    "simulated_head_config",
    "retention_network_config",
    "head_operator",
    "RetentionResult",
    "RetentionWarning",
    "derive_retention",
    "load_retention",
    "retention_info",
    "fit_ltp_curve",
    "retention_exponential",
]
