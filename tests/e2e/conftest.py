"""The in-process ``owed`` runner the CLI end-to-end tests share."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from owed.config import Settings
from owed.entrypoints.cli import main
from owed.entrypoints.cli.runtime import Runtime, reset_runtime


@pytest.fixture
def owed(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch):
    """Run `owed ...` as a given user against a fresh company: (exit code, stdout+stderr)."""
    company = f"E{uuid.uuid4().hex[:8]}"
    monkeypatch.chdir(tmp_path)

    def run(*args: str, user: str = "admin") -> tuple[int, str]:
        settings = Settings(
            database_url=database_url,
            company=company,
            user=user,
            clock="2026-03-15",
            data_dir=tmp_path / "data",
        )
        reset_runtime(Runtime(settings))
        from owed.entrypoints.cli import common, errors

        monkeypatch.setattr(common.console, "width", 200)  # tables unabridged
        with common.console.capture() as out, errors.err_console.capture() as err:
            code = main(list(args))
        return code, out.get() + err.get()

    yield run
    reset_runtime(None)
