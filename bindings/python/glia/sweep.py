"""Parameter sweeps: many variants of one model, with one tidy result.

A sweep runs every variant of a design (a full grid, a list of assignments, random uniform or
Latin hypercube samples) of the tripartite unit -- a presynaptic spike train driving a
Tsodyks-Markram synapse whose glutamate drives a G-ChI astrocyte, optionally with
gliotransmitter feedback onto the synapse -- or of the bare G-ChI astrocyte under constant
glutamate (both batched), or of a whole network ("model": "network": a base network
configuration and a design over paths into it such as "groups.A.params.O_beta" or
"projections.PE.weight"; variants run one after another, each network on all threads), or of
the retention-factor derivation of glia.mapping.derive_retention ("model": "retention": a base
retention configuration and a design over paths into it such as "params.tau_pl" or "T_on"), and
keeps per-variant summaries chosen by name ("C.frequency", "release_probability"; for networks
"rate.E", "events.A", "mean.A.C", ...; for retention "rf" -- every RF(t, T) --, "fit.tau_L",
"p_l.final", ...), optional traces of chosen variants (not for networks or retention), and
per-variant failure status. See docs/sweep_config.md for the configuration.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _core
from .simulation import _to_json

PathLike = Union[str, "os.PathLike[str]"]
ConfigLike = Union[Mapping[str, Any], PathLike]

#: Values of :attr:`SweepResult.status`.
STATUS = {-1: "not run", 0: "ok", 1: "failed"}


@dataclass
class SweepResult:
    """Results of a sweep, as NumPy arrays indexed by variant (the design's row).

    Attributes:
        design: swept parameter (for networks: path) -> (variants,) values (the design table).
        summaries: summary name -> (variants,) values; NaN for failed or not yet run variants.
        status: (variants,) -1 not run (an interrupted file), 0 ok, 1 failed.
        failed_at: (variants,) for a failed variant the end of its last completed base step (s; the
            reason names the time of the bad state); NaN otherwise.
        failed_value: (variants,) the offending value of an astrocyte out of its bounds; NaN otherwise.
        failed_variable: (variants,) the astrocyte variable out of its bounds ("Gamma_A", "I", "C",
            "h"), "" otherwise (the reason names any other failure).
        reason: (variants,) readable failure reason ("" otherwise; networks: the engine's error).
        trace_t: (samples,) trace times (s).
        trace_variants: (traced,) design indices of the traced variants.
        traces: variable -> (traced, samples) array.
        config: the effective configuration.
        design_kind: "grid", "list", "random" or "lhs".
        grid_shape: values per design column for a grid (the last varies fastest), else ().
        complete: every variant has been computed.
        attrs: provenance read from the file (glia_version, git_commit, created, seed, ...).
        path: the HDF5 file, if any.
    """

    design: Dict[str, np.ndarray]
    summaries: Dict[str, np.ndarray]
    status: np.ndarray
    failed_at: np.ndarray
    failed_value: np.ndarray
    failed_variable: np.ndarray
    reason: np.ndarray
    trace_t: np.ndarray
    trace_variants: np.ndarray
    traces: Dict[str, np.ndarray]
    config: Dict[str, Any]
    design_kind: str
    grid_shape: Tuple[int, ...]
    complete: bool
    attrs: Dict[str, Any] = field(default_factory=dict)
    path: Optional[str] = None

    @property
    def n_variants(self) -> int:
        """Number of variants in the design."""
        return int(self.status.size)

    @property
    def ok(self) -> np.ndarray:
        """(variants,) True where the variant ran to the end."""
        return self.status == 0

    def __getitem__(self, name: str) -> np.ndarray:
        """A design column or a summary by name."""
        if name in self.design:
            return self.design[name]
        if name in self.summaries:
            return self.summaries[name]
        raise KeyError(f"{name!r}: neither a design parameter ({', '.join(self.design)}) "
                       f"nor a summary ({', '.join(self.summaries)})")

    def rf(self, T: int, source: str = "simulated") -> np.ndarray:
        """Retention sweeps: (variants, T) table RF(t, T), t = 1..T, of every variant, from the
        summaries ``rf.T<T>.<t>`` (``source="simulated"``) or ``rf_fitted.T<T>.<t>`` ("fitted");
        the sweep must keep them (e.g. ``"summaries": ["rf"]`` or ``["rf_fitted.T10"]``)."""
        if source not in ("simulated", "fitted"):
            raise ValueError(f"source = {source!r}: expected 'simulated' or 'fitted'")
        prefix = "rf" if source == "simulated" else "rf_fitted"
        names = [f"{prefix}.T{int(T)}.{t}" for t in range(1, int(T) + 1)]
        missing = [n for n in names if n not in self.summaries]
        if missing:
            raise KeyError(f"{missing[0]!r}: not a summary of this sweep (keep \"{prefix}\" or "
                           f"\"{prefix}.T{int(T)}\" in its summaries)")
        return np.stack([self.summaries[n] for n in names], axis=1)

    def axes(self) -> Dict[str, np.ndarray]:
        """Grid designs: each swept parameter's values, in axis order of :meth:`grid`."""
        self._require_grid()
        out: Dict[str, np.ndarray] = {}
        stride = self.n_variants
        for name, size in zip(self.design, self.grid_shape):
            stride //= size
            out[name] = self.design[name][::stride][:size]
        return out

    def grid(self, name: str) -> np.ndarray:
        """Grid designs: a design column or summary reshaped to ``grid_shape`` (one axis per
        swept parameter, in the order of :meth:`axes`)."""
        self._require_grid()
        return self[name].reshape(self.grid_shape)

    def trace(self, variable: str, variant: int) -> np.ndarray:
        """(samples,) trace of ``variable`` for the design index ``variant`` (it must be traced)."""
        rows = np.flatnonzero(self.trace_variants == variant)
        if rows.size == 0:
            raise KeyError(f"variant {variant} is not traced (traced: {self.trace_variants.tolist()})")
        if variable not in self.traces:
            raise KeyError(f"{variable!r} is not traced (traced: {', '.join(self.traces)})")
        return self.traces[variable][rows[0]]

    def to_dataframe(self):
        """One row per variant: design columns, summaries, status and reason (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as e:  # pandas is optional
            raise ImportError("SweepResult.to_dataframe needs pandas (Debian: python3-pandas)") from e
        columns: Dict[str, Any] = {}
        columns.update(self.design)
        columns.update(self.summaries)
        columns["status"] = self.status
        columns["failed_variable"] = self.failed_variable
        columns["failed_at"] = self.failed_at
        columns["reason"] = self.reason
        return pd.DataFrame(columns)

    def _require_grid(self) -> None:
        if self.design_kind != "grid":
            raise ValueError(f"the design is a {self.design_kind!r}, not a grid")


def _config_text(config: ConfigLike, device: Optional[str]) -> Tuple[str, Optional[str]]:
    """The configuration as JSON text for the engine, and its "output" if any."""
    if isinstance(config, (str, os.PathLike)):
        text = _core.read_config_file(os.fspath(config), "config")  # also refuses what the engine would
        parsed = json.loads(text)
        if device is None or not isinstance(parsed, dict):
            # The file's own text: the engine's strict reader also sees duplicated keys.
            return text, parsed.get("output") if isinstance(parsed, dict) else None
        cfg: Dict[str, Any] = parsed
    elif isinstance(config, Mapping):
        cfg = dict(config)
    else:
        raise TypeError(f"config must be a dict or a path to a JSON file, not {type(config).__name__}")
    if device is not None:
        cfg["device"] = device
    return _to_json(cfg), cfg.get("output")


def sweep(
    config: ConfigLike,
    output: Optional[PathLike] = None,
    *,
    threads: Optional[int] = None,
    chunk: Optional[int] = None,
    device: Optional[str] = None,
    progress: bool = False,
) -> SweepResult:
    """Run a parameter sweep and return its results.

    Args:
        config: a sweep configuration dict, or the path of a JSON file (the format of
            ``glia sweep``; docs/sweep_config.md). With ``"model": "network"`` it holds a base
            ``"network"`` (the dict of :func:`glia.simulate`) and a design over paths into it,
            e.g. ``{"grid": {"projections.PE.weight": [0, 1e-9], "simulation.seed": [1, 2]}}``.
            With ``"model": "retention"`` it holds a base ``"retention"`` config (the dict of
            :func:`glia.mapping.derive_retention`) and a design over paths into it, e.g.
            ``{"grid": {"params.tau_pl": [10, 30], "T_on": [1, 2]}}``; ``"summaries": ["rf"]``
            keeps every RF(t, T) (read back with :meth:`SweepResult.rf`).
        output: HDF5 result file; overrides the config's "output". With a file the sweep is
            resumable: calling again with the same configuration computes only the variants
            not yet in it (after Ctrl-C or a kill), and a file of a different sweep is an error.
            Without one, results stay in memory.
        threads: CPU threads (default: all cores). Results do not depend on it. A network
            sweep runs its variants one after another, each network on all these threads; a
            retention sweep runs the variants of a chunk in parallel, one per thread.
        chunk: variants per chunk (default: the config's; 256, 1 for networks, 16 for
            retention). Results do not depend on it; a kill loses at most the chunk under way.
        device: "cpu" or "cuda"; overrides the config's "device" (for networks, the network's
            ``simulation.device``).
        progress: print a progress line (rate, ETA) on stderr.

    Raises:
        ConfigError: the configuration is invalid, or ``output`` holds another sweep; the
            message names the field and value (e.g. "design.grid.O_beta[2] = nan: must be finite";
            for networks and retention also the parser's errors for a substituted value, restated
            under the design field: "design.grid.groups.E.params.tau_e[1] = -1.0: must be > 0 (s)").
    """
    text, config_output = _config_text(config, device)
    if output is None and config_output:
        output = config_output
    if threads is not None and threads < 1:
        raise _core.ConfigError(f"threads = {threads}: must be >= 1")
    if chunk is not None and chunk < 1:
        raise _core.ConfigError(f"chunk = {chunk}: must be >= 1")
    out = "" if output is None else os.fspath(output)
    if out and isinstance(config, (str, os.PathLike)):
        _core.check_output_is_not_an_input(out, "output", [os.fspath(config)])
    raw = _core.sweep(text, out, chunk or 0, threads or 0, progress)
    if out:
        return load_sweep(out)
    return SweepResult(
        design=raw["design"],
        summaries=raw["summaries"],
        status=raw["status"],
        failed_at=raw["failed_at"],
        failed_value=raw["failed_value"],
        failed_variable=np.array(raw["failed_variable"], dtype=str),
        reason=np.array(raw["reason"], dtype=str),
        trace_t=raw["trace_t"],
        trace_variants=raw["trace_variants"],
        traces=raw["traces"],
        config=json.loads(raw["config"]),
        design_kind=raw["design_kind"],
        grid_shape=tuple(int(k) for k in raw["grid_shape"]),
        complete=True,
    )


def load_sweep(path: PathLike) -> SweepResult:
    """Read a sweep result file written by ``glia sweep`` or :func:`sweep`.

    An interrupted file loads too, with a warning: its ``status`` is -1 for the variants not
    yet computed (re-run the same command to finish it).

    Raises:
        ValueError: the file is not a glia sweep result.
        ConfigError: a finished variant's results do not match their checksum (the file was altered or
            is damaged); the message names file and dataset.
    """
    import h5py

    def text(values: np.ndarray) -> np.ndarray:
        return np.array([v.decode("utf-8", "replace") for v in values], dtype=str)

    try:
        f = h5py.File(path, "r")
    except OSError as e:
        if not os.path.isfile(path):
            raise
        why = "it is damaged" if "truncated" in str(e) or "lock file" not in str(e) else "another process holds it open"
        raise _core.ConfigError(f"{os.fspath(path)}: cannot open HDF5 file: {why} ({e})") from None
    with f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        if attrs.get("format") != "glia-sweep":
            raise ValueError(f"{os.fspath(path)}: not a glia sweep result file")
    _core.verify_sweep_file(os.fspath(path))  # finished variants must hold what their checksums say
    with h5py.File(path, "r") as f:
        names: List[str] = json.loads(f["design"].attrs["names"])
        summary_names = [s["name"] for s in json.loads(f["summaries"].attrs["names"])]
        complete = int(attrs.get("complete", 0)) == 1
        result = SweepResult(
            design={n: f["design"][n][()] for n in names},
            summaries={n: f["summaries"][n][()] for n in summary_names},
            status=f["status/code"][()],
            failed_at=f["status/failed_at"][()],
            failed_value=f["status/failed_value"][()],
            failed_variable=text(f["status/failed_variable"][()]),
            reason=text(f["status/reason"][()]),
            trace_t=f["traces/t"][()] if "traces" in f else np.zeros(0),
            trace_variants=f["traces/variants"][()] if "traces" in f else np.zeros(0, dtype=np.int64),
            traces={v: f["traces"][v][()] for v in json.loads(f["traces"].attrs["variables"])} if "traces" in f else {},
            config=json.loads(attrs["config"]),
            design_kind=str(f["design"].attrs["kind"]),
            grid_shape=tuple(int(k) for k in json.loads(f["design"].attrs["grid_shape"])),
            complete=complete,
            attrs=attrs,
            path=os.fspath(path),
        )
    if not complete:
        done = int((result.status >= 0).sum())
        warnings.warn(f"{os.fspath(path)}: incomplete sweep ({done} of {result.n_variants} variants done); "
                      "re-run the same sweep to finish it", stacklevel=2)
    return result


def sweep_network_config(config: ConfigLike, variant: int = 0) -> Dict[str, Any]:
    """The network configuration that design variant ``variant`` of a ``"tripartite"``, ``"gchi"`` or
    ``"network"`` sweep runs, with the summary monitors the sweep reads (for the presets, monitor ``s<k>`` is
    summary k; a traced variant also has state monitors ``trace_A``/``trace_S``). ``glia.simulate`` of it gives
    the variant's summaries, bit for bit, and whatever else one adds to it.

    Raises:
        ConfigError: the sweep is invalid, ``variant`` is not a design index, or the model is ``"retention"``.
    """
    text, _ = _config_text(config, None)
    return json.loads(_core.sweep_variant_network(text, int(variant)))


def sweep_parameters(model: str = "tripartite", parameter_set: str = "network") -> Dict[str, Dict[str, Any]]:
    """The parameters a sweep of ``model`` ("tripartite" or "gchi") may set, by name: default
    (for ``parameter_set``), accepted range ("min", "max", open ends), whole numbers only, unit."""
    return {p["name"]: p for p in _core.sweep_parameters(model, parameter_set)}
