"""Executes the example notebooks (the .ipynb beside this file, made from the .py files by
jupytext) with nbclient, at the small size: `python examples/notebooks/run_notebooks.py`."""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

here = Path(__file__).resolve().parent
os.environ["SCSLAB_EXAMPLES_SMALL"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
failed = 0
for path in sorted(here.glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(here)}}).execute()
        print(f"{path.name}: ran in {time.perf_counter() - start:.1f} s")
    except Exception as e:  # report every notebook, then fail
        failed += 1
        print(f"{path.name}: FAILED: {e}", file=sys.stderr)
ran = len(list(here.glob("*.ipynb")))
print(f"notebooks: {ran - failed} passed, {failed} failed")
sys.exit(1 if failed or ran == 0 else 0)
