"""`owed` starts without importing what only some of its commands need.

The CLI modules import their services and adapters inside the commands
(docs/architecture.md, entrypoints), so `owed --help` or `owed credit check`
does not pay for PDF, spreadsheet, template, fuzzy-matching and bank-file
libraries. The schema check every command makes reads the stored revision
without Alembic, which is imported only when a migration runs. Each probe runs
in a fresh interpreter and lists what it imported; no test measures time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import Engine

SRC = Path(__file__).resolve().parents[2] / "src"

# Libraries and packages that only some commands need.
HEAVY = (
    "reportlab",
    "openpyxl",
    "alembic",
    "rapidfuzz",
    "jinja2",
    "lxml",
    "mt940",
    "stdnum",
    "schwifty",
    "sqlalchemy",
    "pydantic_settings",
    "rich.progress",
    "owed.config",
    "owed.adapters",
    "owed.adapters.bankfiles",
    "owed.services",
    "owed.services.cash_application",
    "owed.simulation",
    "owed.entrypoints.cli.aging_export",
    "owed.entrypoints.demo.takehome",
)
# What importing the command line may bring of Owed itself.
ALLOWED_OWED = {
    "owed",
    "owed.domain",
    "owed.domain.errors",
    "owed.entrypoints",
    "owed.entrypoints.demo",
    "owed.entrypoints.demo.command",
}


def imported_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OWED_")}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SRC), environment.get("PYTHONPATH")])
    )
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(name for name in HEAVY if name in modules)


def test_importing_the_command_line_imports_no_heavy_module() -> None:
    modules = imported_by("import owed.entrypoints.cli")
    assert heavy_in(modules) == []
    owed = {m for m in modules if m == "owed" or m.startswith("owed.")}
    cli = {m for m in owed if m.startswith("owed.entrypoints.cli")}
    assert owed - cli == ALLOWED_OWED
    assert "owed.entrypoints.cli.billing" in cli  # the probe sees the command modules


def test_help_builds_the_whole_command_tree_without_heavy_modules() -> None:
    # Typer resolves every command's parameter annotations to build the tree
    code = (
        "import contextlib, io\n"
        "from owed.entrypoints.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "    assert main(['credit', 'check', '--help']) == 0\n"
        "    assert main(['cashapp', 'exceptions', '--help']) == 0\n"
    )
    assert heavy_in(imported_by(code)) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above can fail: a command module importing a use case at the top."""
    modules = imported_by("import owed.entrypoints.cli, owed.services.cash_application")
    assert "owed.services.cash_application" in heavy_in(modules)
    assert "rapidfuzz" in heavy_in(modules)


def test_a_command_on_an_up_to_date_schema_does_not_import_alembic(
    engine: Engine, database_url: str
) -> None:
    # the session database is migrated (the `engine` fixture); a command finds it current
    code = (
        "import contextlib, io\n"
        "from owed.entrypoints.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['status']) == 0\n"
    )
    env = {
        "OWED_DATABASE_URL": database_url,
        "OWED_COMPANY": f"S{uuid.uuid4().hex[:8]}",
        "OWED_USER": "alice",
        "OWED_CLOCK": "2026-03-15",
    }
    modules = imported_by(code, env)
    assert "owed.services.ledger" in modules  # the command ran
    assert "alembic" not in modules
    assert "reportlab" not in modules


def test_a_fresh_database_is_migrated_to_the_newest_script(tmp_path: Path) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from owed.adapters.db.engine import (
        MIGRATIONS,
        _head_revision,
        current_revision,
        ensure_schema,
        make_engine,
    )

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    alembic_head = ScriptDirectory.from_config(config).get_current_head()
    assert _head_revision() == alembic_head  # the scripts read without Alembic agree

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code = (
        "from owed.adapters.db.engine import ensure_schema, make_engine\n"
        f"assert ensure_schema(make_engine({url!r})) is {{applied}}\n"
    )
    assert "alembic" in imported_by(code.format(applied=True))  # migrating needs Alembic
    assert "alembic" not in imported_by(code.format(applied=False))  # checking does not
    fresh = make_engine(url)
    try:
        assert current_revision(fresh) == alembic_head
        assert ensure_schema(fresh) is False
    finally:
        fresh.dispose()
