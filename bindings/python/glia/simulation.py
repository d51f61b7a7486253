"""Running simulations and reading their results."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np

from . import _core

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]"]


@dataclass
class SimulationResult:
    """Recorded data of one simulation.

    Attributes:
        state: monitor target -> {"t": (n_samples,) s, "indices": (n_rec,),
            variable name -> (n_samples, n_rec) array}.
        spikes: monitor target -> {"t": (n_spikes,) s, "i": (n_spikes,) element index,
            and for synapse groups "r": released fraction at each spike}. For an astrocyte
            group, the spikes are its gliotransmitter release events.
        config: the network configuration that ran, every default filled in (a driven-synapse
            config is run as the network it describes).
        attrs: provenance attributes when read from a file (glia_version, git_commit, ...);
            for a network run also setup_seconds and run_seconds.
        rates: (networks) rate monitor target -> {"t": bin starts (s), "rate": Hz per element}.
        mean: (networks) mean monitor target -> {"t": (n_samples,), variable -> (n_samples,)}.
        summary: (networks) summary monitor name -> its value (a float; NaN without a sample in its window).
        synapses: (networks) projection name -> number of synapses made.
    """

    state: Dict[str, Dict[str, np.ndarray]]
    spikes: Dict[str, Dict[str, np.ndarray]]
    config: Dict[str, Any]
    attrs: Dict[str, Any] = field(default_factory=dict)
    rates: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)
    mean: Dict[str, Dict[str, np.ndarray]] = field(default_factory=dict)
    summary: Dict[str, float] = field(default_factory=dict)
    synapses: Dict[str, int] = field(default_factory=dict)


def _to_json(config: Mapping[str, Any]) -> str:
    # Non-finite floats are not JSON: pass them as strings so the engine's validation
    # rejects them with the field's name.
    def clean(v: Any) -> Any:
        if isinstance(v, Mapping):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, np.ndarray):
            return [clean(x) for x in v.tolist()]
        if isinstance(v, np.generic):
            return clean(v.item())
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        return v

    return json.dumps(clean(config))


def simulate(
    config: ConfigLike, output: Optional[Union[str, "os.PathLike[str]"]] = None, threads: int = 0
) -> SimulationResult:
    """Run a simulation and return its recordings as NumPy arrays.

    Args:
        config: a configuration dict, or the path of a JSON file (the format of
            ``glia simulate``: driven synapses as in README.md, "Configuration", or a network
            -- a config with "projections" -- as in docs/network_config.md).
        output: also write the HDF5 result file there (with provenance). Overrides the
            config's "output"; when neither names a file, nothing is written.
        threads: CPU threads (0: OpenMP's default); results do not depend on it.

    Raises:
        ConfigError: the configuration is invalid; the message names the field and value.
        SimulationError: the run failed (a state turned non-finite, ...); when an output file
            was asked for, it holds the recordings up to the failure, marked complete = 0.
    """
    inputs = []
    if isinstance(config, (str, os.PathLike)):
        inputs.append(os.fspath(config))
        text = _core.read_config_file(os.fspath(config), "config")
    elif isinstance(config, Mapping):
        text = _to_json(config)
    else:
        raise TypeError(f"config must be a dict or a path to a JSON file, not {type(config).__name__}")
    if output is None:
        output = json.loads(text).get("output") if text.lstrip().startswith("{") else None
    out = "" if output is None else os.fspath(output)
    if out:
        _core.check_output_is_not_an_input(out, "output", inputs)
    raw = _core.simulate(text, out, int(threads))
    return SimulationResult(
        state=raw["state"],
        spikes=raw["spikes"],
        config=json.loads(raw["config"]),
        attrs={"setup_seconds": raw["setup_seconds"], "run_seconds": raw["run_seconds"]},
        rates=raw["rates"],
        mean=raw["mean"],
        summary=dict(raw["summary"]),
        synapses=dict(raw["synapses"]),
    )


def load(path: Union[str, "os.PathLike[str]"]) -> SimulationResult:
    """Read a result file written by ``glia simulate`` or :func:`simulate`.

    Raises:
        ValueError: the file is not a complete glia result (a run that stopped early leaves
            complete = 0 and its reason in the attribute "error"; open it with h5py to inspect).
    """
    import h5py

    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        kind = attrs.get("format", attrs.get("kind"))
        readers = {"glia-sweep": "glia.load_sweep", "glia-checkpoint": "glia.nn.load",
                   "glia.retention": "glia.mapping.load_retention"}
        if kind is not None and kind != "glia-simulation":
            use = readers.get(kind)
            raise ValueError(f"{os.fspath(path)}: a {kind} file, not a simulation result" + (f": read it with {use}" if use else ""))
        if "complete" in attrs and int(attrs["complete"]) != 1:
            why = f": {attrs['error']}" if "error" in attrs else ""
            raise ValueError(f"{os.fspath(path)}: not a complete glia result file (attribute 'complete' != 1){why}")
        if "config" not in attrs or "glia_version" not in attrs:
            raise ValueError(f"{os.fspath(path)}: not a glia simulation result file")

        def read_groups(name: str) -> Dict[str, Dict[str, np.ndarray]]:
            if name not in f:
                return {}
            return {target: {k: ds[()] for k, ds in grp.items()} for target, grp in f[name].items()}

        synapses = {}
        if "projections" in f:
            synapses = {name: int(grp.attrs["synapses"]) for name, grp in f["projections"].items()}
        return SimulationResult(
            state=read_groups("state"),
            spikes=read_groups("spikes"),
            config=json.loads(attrs["config"]),
            attrs=attrs,
            rates=read_groups("rates"),
            mean=read_groups("mean"),
            summary={name: float(ds[0]) for name, ds in f["summary"].items()} if "summary" in f else {},
            synapses=synapses,
        )
