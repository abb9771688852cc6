"""Shared fixtures: the CLI binary to compare against, and a tiny run size."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_path() -> Path:
    """The `scslab` binary: $SCSLAB_CLI, else the workspace's release or debug build."""
    env = os.environ.get("SCSLAB_CLI")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "scslab"
        if p.is_file():
            return p
    raise RuntimeError("no scslab binary: set SCSLAB_CLI or run `cargo build -p scslab-cli`")


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI with arguments; returns the completed process (output captured)."""
    path = cli_path()

    def call(*args, check=True, cwd=None):
        p = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, cwd=cwd)
        if check and p.returncode != 0:
            raise AssertionError(f"scslab {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
        return p

    return call


@pytest.fixture(autouse=True)
def _no_bars(monkeypatch):
    import scslab

    monkeypatch.setattr(scslab.options, "progress", False)
