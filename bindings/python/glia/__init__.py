"""glia: neuron–synapse–astrocyte simulation and astromorphic transformers.

Simulate from a configuration (a dict, or a JSON file as used by ``glia simulate``)::

    import glia
    result = glia.simulate({
        "simulation": {"duration": 1.0, "dt": 1e-4, "seed": 1},
        "groups": [{"name": "pre", "model": "regular", "n": 1, "rate": 20.0}],
        "synapses": [{"name": "syn", "model": "tsodyks_markram", "source": "pre",
                      "preset": "depressing"}],
        "monitors": [{"type": "state", "target": "syn", "variables": ["u", "x"]},
                     {"type": "spikes", "target": "syn"}],
    })
    result.state["syn"]["x"]    # NumPy array, samples x recorded synapses
    result.spikes["syn"]["r"]   # released fraction at each spike

Networks of neurons, spike sources and astrocytes (tripartite synapses, gliotransmission, IP3
coupling, per-group clocks) are built with :class:`Network` or written as a config with
"projections" (docs/network_config.md); ``glia.simulate`` runs either form.

Times are in seconds and rates in Hz (SI units throughout). Invalid configurations raise
:class:`ConfigError` (a ``ValueError``) whose message names the field and value.

Sweep parameters of a synapse-driven astrocyte, batched, into one resumable HDF5 file::

    res = glia.sweep({"model": "tripartite", "duration": 60.0, "dt": 1e-3, "transient": 10.0,
                      "design": {"grid": {"O_beta": [1.0, 3.0], "rate": [0.5, 2.0, 8.0]}},
                      "summaries": ["C.frequency", "C.amplitude", "release_probability"]},
                     output="sweep.h5")
    res.grid("C.frequency")      # (2, 3) NumPy array over the grid; res.to_dataframe() with pandas

Integrate a single astrocyte (G-ChI or Li–Rinzel) with a fixed-step or adaptive method::

    trace = glia.integrate_cell("gchi", duration=60.0, sample_dt=0.1, method="rk4", dt=1e-3,
                                parameter_set="single_astrocyte", input={"Y_S": 3.0})
    trace["C"]   # cytosolic Ca2+ (µM) at trace.t
"""

from . import _core, mapping, nn
from ._core import ConfigError, SimulationError
from .astrocyte_network import AstrocyteNetworkResult, integrate_astrocyte_network
from .cell import CellTrace, integrate_cell
from .ensemble import EnsembleResult, integrate_cells
from .ltp import LtpResult, neuron_astrocyte_ltp
from .network import Network
from .simulation import SimulationResult, load, simulate
from .sweep import SweepResult, load_sweep, sweep, sweep_network_config, sweep_parameters

__version__ = _core.version()
__git_commit__ = _core.git_commit()


def cuda_device_count() -> int:
    """Number of CUDA devices usable by this build (0 without CUDA or without a GPU)."""
    return _core.cuda_device_count()


__all__ = [
    "ConfigError",
    "SimulationError",
    "SimulationResult",
    "simulate",
    "load",
    "Network",
    "CellTrace",
    "integrate_cell",
    "AstrocyteNetworkResult",
    "integrate_astrocyte_network",
    "EnsembleResult",
    "integrate_cells",
    "LtpResult",
    "neuron_astrocyte_ltp",
    "SweepResult",
    "sweep",
    "load_sweep",
    "sweep_network_config",
    "sweep_parameters",
    "cuda_device_count",
    "__version__",
]
