"""docs/tutorial.ipynb runs from top to bottom (a failing cell fails the test)."""

from __future__ import annotations

import os

import pytest

from conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")


def test_tutorial_notebook_executes():
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
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
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o["data"] for o in outputs if o.output_type == "execute_result"]
    assert any("text/html" in d and "∇W3" in d["text/html"] for d in shown)
    assert any("text/markdown" in d and "Diagnosis: overfitting" in d["text/markdown"]
               for d in shown)
    assert any("text/latex" in d and "align*" in d["text/latex"] for d in shown)
