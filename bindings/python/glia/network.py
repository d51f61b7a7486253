"""Building a network in Python: groups, projections, astrocyte coupling and monitors.

:class:`Network` assembles exactly the configuration that ``glia simulate`` reads from JSON
(docs/network_config.md), so a network built here can be saved with :meth:`Network.to_json`
and run from the command line, and every check and error message is the engine's own::

    net = glia.Network(duration=1.0, dt=1e-4, seed=1)
    net.add_group("P", "poisson", n=100, rate=20.0)
    net.add_group("N", "lif_coba", n=10, params={"I_ext": 0.0})
    net.connect("P", "N", name="PN", receptor="g_e", weight=1e-9,
                connect={"rule": "fixed_probability", "p": 0.1},
                model="tsodyks_markram", params={"U": 0.5, "tau_rec": 0.8, "tau_fac": 0.0})
    net.monitor("spikes", "N")
    net.monitor("state", "N", variables=["v"], dt=1e-3)
    result = net.run()
    result.spikes["N"]["t"]

Units are SI (s, V, S, A, F, m, Hz); astrocyte concentrations are in µM.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from .simulation import SimulationResult, _to_json, simulate

PathLike = Union[str, "os.PathLike[str]"]


def _plain(v: Any) -> Any:
    """NumPy arrays and scalars as lists and Python numbers (the config is JSON)."""
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class Network:
    """A network under construction; :meth:`run` simulates it.

    Args:
        duration: simulated time (s).
        dt: base time step (s); every group's ``dt`` must be a whole multiple of it.
        seed: seed of every random choice (connectivity, initial values, Poisson spikes).
    """

    def __init__(self, duration: float, dt: float = 1e-4, seed: int = 0) -> None:
        self._config: Dict[str, Any] = {
            "simulation": {"duration": duration, "dt": dt, "seed": seed},
            "groups": [],
            "projections": [],
            "monitors": [],
        }

    def add_group(self, name: str, model: str, n: int, **options: Any) -> "Network":
        """Add a group: ``model`` is "lif_coba", "lif_cuba", "poisson", "regular" or "gchi".

        Options are the group's config keys: ``dt``, ``params`` (dict), ``method``, ``init``
        (variable -> number, per-element array, or {"uniform": [lo, hi]}), ``positions``
        ({"grid": {...}} or {"x": array, "y": array}), ``rate``, ``start``, ``rate_schedule``,
        ``I_ext_schedule``, ``release``, ``ip3_bias``.
        """
        self._config["groups"].append({"name": name, "model": model, "n": int(n), **_plain(options)})
        return self

    def connect(self, source: str, target: Optional[str] = None, *, name: str, **options: Any) -> "Network":
        """Add a projection from ``source`` to ``target`` (None: synapses with no postsynaptic effect).

        Options are the projection's config keys: ``receptor``, ``weight``, ``connect`` (a rule
        dict), ``model`` ("static" or "tsodyks_markram"), ``params``, ``preset``, ``init``,
        ``delay``, ``astrocytes`` (tripartite coverage: group, assign, index, feedback,
        glutamate, gliotransmission).
        """
        p: Dict[str, Any] = {"name": name, "source": source}
        if target is not None:
            p["target"] = target
        p.update(_plain(options))
        self._config["projections"].append(p)
        return self

    def couple_astrocytes(self, group: str, radius: float, **params: float) -> "Network":
        """Couple the astrocytes of ``group`` closer than ``radius`` (m) by IP3 gap junctions
        (params F, I_Theta, omega_I in µM/s, µM, µM)."""
        self._config.setdefault("astrocyte_coupling", []).append({"group": group, "radius": radius, **params})
        return self

    def monitor(self, kind: str, target: str, **options: Any) -> "Network":
        """Record ``kind`` ("spikes", "rate", "state", "mean" or "summary") of a group or projection.

        Options: ``variables`` and ``indices`` (state), ``variable`` (mean), ``dt`` (sampling
        interval, s), ``bin`` (rate bin, s); a summary (one number, reduced while the network runs,
        no samples kept): ``variable``, ``stat`` (mean, max, min, final, time_above, events, frequency,
        amplitude), ``threshold``, ``index`` (one element; default the group mean), ``start`` (s).
        """
        self._config["monitors"].append({"type": kind, "target": target, **_plain(options)})
        return self

    @property
    def config(self) -> Dict[str, Any]:
        """A copy of the configuration built so far (the JSON form of ``glia simulate``)."""
        return copy.deepcopy(self._config)

    def to_json(self, path: PathLike, output: Optional[PathLike] = None) -> None:
        """Write the configuration as a JSON file for ``glia simulate``."""
        config = self.config
        if output is not None:
            config["output"] = os.fspath(output)
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(json.loads(_to_json(config)), indent=1))

    def run(self, output: Optional[PathLike] = None, threads: int = 0) -> SimulationResult:
        """Simulate; returns the recordings (and writes an HDF5 file if ``output`` is given).

        Raises:
            ConfigError: the network is inconsistent; the message names the field.
            SimulationError: a state turned non-finite or left its bounds during the run.
        """
        return simulate(self._config, output=output, threads=threads)

    def __repr__(self) -> str:
        groups = ", ".join(f"{g['name']}:{g['model']}[{g['n']}]" for g in self._config["groups"])
        return f"Network({groups}; {len(self._config['projections'])} projections)"
