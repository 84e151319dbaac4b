"""The researchers' notebook (docs/notebooks/) executed on the demo data, as a reader would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "docs" / "notebooks" / "researcher-tour.ipynb"

pytestmark = pytest.mark.slow


def test_notebook_runs_on_the_demo_data_and_answers_with_plots(tmp_path):
    env = {**os.environ, "OGI_DATA_DIR": str(tmp_path)}
    env.pop("PREFECT_API_URL", None)
    demo = subprocess.run(
        [sys.executable, "-m", "flows.cli", "demo"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")  # committed without outputs
    os.environ["OGI_DATA_DIR"] = str(tmp_path)
    try:
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        ).execute()
    finally:
        os.environ.pop("OGI_DATA_DIR", None)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    plots = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(plots) == 3
    text = "\n".join(o["data"].get("text/plain", "") for o in outputs if "data" in o) + "".join(
        o.get("text", "") for o in outputs if o.output_type == "stream"
    )
    assert "凤翔区" in text and "610322" in text and "610305" in text  # the renamed county, both codes
    assert "陕西省" in text and "share" in text
