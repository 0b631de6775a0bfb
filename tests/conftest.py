"""Shared test configuration.

The sample bank and invoice files live in ``../shared/samples`` beside the
repository (never copied into it). Tests that need them use ``samples_dir``,
which fails, not skips, when they are missing: CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _samples_path() -> Path:
    configured = os.environ.get("OWED_SAMPLES_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    path = _samples_path()
    if not (path / "PROVENANCE.tsv").is_file():
        pytest.fail(
            f"sample files not found at {path}: clone the repository with ../shared beside it "
            "or set OWED_SAMPLES_DIR"
        )
    return path
