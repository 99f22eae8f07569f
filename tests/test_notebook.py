"""docs/tutorial.ipynb is stored with its outputs (a reader on GitHub sees them without running
it); this test runs it from top to bottom and compares every output with the stored one, so a
change in what a result displays shows up here.  After an intended change, rewrite the stored
outputs with ``PYTHONPATH=. python tests/test_notebook.py --write``."""

from __future__ import annotations

import os
import sys

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


def execute(notebook):
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
    try:
        client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                         resources={"metadata": {"path": str(ROOT)}})
        client.execute()
    finally:
        if env_path is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = env_path
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def _outputs(notebook) -> list:
    """Per code cell: each output's type and content (data by MIME type, or stream text)."""
    return [[(o.output_type, dict(o.get("data", {})) or o.get("text", ""))
             for o in cell.outputs]
            for cell in notebook.cells if cell.cell_type == "code"]


def test_tutorial_notebook_executes_and_shows_what_is_stored():
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert all(cell.outputs for cell in stored.cells if cell.cell_type == "code"
               and not cell.source.startswith("from ")), "the tutorial is stored with its outputs"
    notebook = execute(nbformat.read(NOTEBOOK, as_version=4))
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o["data"] for o in outputs if o.output_type == "execute_result"]
    assert any("text/html" in d and "∇W3" in d["text/html"] for d in shown)
    assert any("text/markdown" in d and "Diagnosis: overfitting" in d["text/markdown"]
               for d in shown)
    assert any("text/latex" in d and "align*" in d["text/latex"] for d in shown)
    assert not any(" at 0x" in d["text/plain"] or "mpf(" in d["text/plain"] for d in shown)
    assert not any("```math" in d.get("text/markdown", "") for d in shown)
    assert _outputs(notebook) == _outputs(stored)


if __name__ == "__main__" and "--write" in sys.argv:
    nbformat.write(execute(nbformat.read(NOTEBOOK, as_version=4)), NOTEBOOK)
