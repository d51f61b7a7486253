"""Shared fixtures. Under ctest, PYTHONPATH and GLIA_CLI point into the build tree; run by
hand, the default build directory ./build is used."""

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
if "PYTHONPATH" not in os.environ:
    sys.path.insert(0, str(ROOT / "build" / "python"))


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("GLIA_CLI", str(ROOT / "build" / "glia"))
    assert os.access(path, os.X_OK), f"glia CLI not built at {path}"
    return path


@pytest.fixture
def base_config() -> dict:
    """A small valid configuration: one regular source driving depressing synapses."""
    return {
        "simulation": {"duration": 1.0, "dt": 1e-4, "seed": 11},
        "groups": [{"name": "pre", "model": "regular", "n": 2, "rate": 20.0}],
        "synapses": [
            {"name": "syn", "model": "tsodyks_markram", "source": "pre", "U": 0.5, "tau_rec": 0.8, "tau_fac": 0.0}
        ],
        "monitors": [
            {"type": "state", "target": "syn", "variables": ["u", "x"], "dt": 1e-3},
            {"type": "spikes", "target": "syn"},
        ],
    }
