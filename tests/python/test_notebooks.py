"""Executes every tutorial notebook in notebooks/ at its small size (GLIA_NOTEBOOK_SMALL=1)."""

import os
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat", reason="python3-nbformat is not installed")
nbclient = pytest.importorskip("nbclient", reason="python3-nbclient is not installed")

ROOT = pathlib.Path(os.environ.get("GLIA_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"
    assert {"01_single_astrocyte.ipynb", "02_sweep.ipynb", "03_retention.ipynb",
            "04_simulated_head.ipynb"} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("GLIA_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    # The kernel inherits this environment, PYTHONPATH to the built package included.
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
