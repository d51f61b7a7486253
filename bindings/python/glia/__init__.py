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

Times are in seconds and rates in Hz (SI units throughout). Invalid configurations raise
:class:`ConfigError` (a ``ValueError``) whose message names the field and value.
"""

from . import _core
from ._core import ConfigError
from .simulation import SimulationResult, load, simulate

__version__ = _core.version()
__git_commit__ = _core.git_commit()


def cuda_device_count() -> int:
    """Number of CUDA devices usable by this build (0 without CUDA or without a GPU)."""
    return _core.cuda_device_count()


__all__ = ["ConfigError", "SimulationResult", "simulate", "load", "cuda_device_count", "__version__"]
