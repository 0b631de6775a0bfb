"""The real ``owed`` command in a subprocess: exit codes, messages, the audit check.

Each test gets a fresh SQLite file in its own working directory, or, when
OWED_TEST_DATABASE_URL is set, the session's scratch PostgreSQL database with a
company of its own (the CLI creates it on first use).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


@dataclass
class Cli:
    url: str
    company: str
    cwd: Path

    def __call__(self, *args: str, user: str = "alice") -> subprocess.CompletedProcess[str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("OWED_") and k not in ("COLUMNS", "LINES")
        }
        env.update(
            {
                "OWED_DATABASE_URL": self.url,
                "OWED_COMPANY": self.company,
                "OWED_USER": user,
                "OWED_CLOCK": "2026-03-15",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
            }
        )
        return subprocess.run(
            [sys.executable, "-m", "owed", *args],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def tamper_audit(self, seq: int, actor: str) -> None:
        """Change one stored audit record behind Owed's back."""
        if self.url.startswith("sqlite:///"):
            con = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            with con:
                con.execute("DROP TRIGGER audit_log_no_update")
                con.execute("UPDATE audit_log SET actor = ? WHERE seq = ?", (actor, seq))
            con.close()
            return
        import psycopg

        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as con:
            con.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            con.execute(
                "UPDATE audit_log SET actor = %s WHERE seq = %s AND company_id = "
                "(SELECT id FROM companies WHERE code = %s)",
                (actor, seq, self.company),
            )
            con.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


@pytest.fixture
def cli(tmp_path: Path, request: pytest.FixtureRequest) -> Cli:
    cwd = tmp_path / "work"
    cwd.mkdir()
    if os.environ.get("OWED_TEST_DATABASE_URL"):
        url = request.getfixturevalue("database_url")
        return Cli(url, f"E2E-{uuid.uuid4().hex[:8]}", cwd)
    return Cli(f"sqlite:///{tmp_path / 'owed.db'}", "MAIN", cwd)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The whole of stderr: a single ``error: ...`` line and no traceback."""
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


POST: Callable[..., tuple[str, ...]] = lambda day, debit, credit: (  # noqa: E731
    "ledger",
    "post",
    "--date",
    day,
    "-m",
    "test",
    "--debit",
    debit,
    "--credit",
    credit,
)


def test_status_on_a_fresh_database_creates_the_company_and_its_admin(cli: Cli) -> None:
    result = cli("status")
    assert result.returncode == 0, result.stderr
    assert f"({cli.company})" in result.stdout
    assert "acting as: alice (admin)" in result.stdout
    assert "journal entries: 0" in result.stdout
    assert "Trial balance" in result.stdout
    assert "no postings yet" in result.stdout
    assert "balanced: yes" in result.stdout
    users = cli("user", "list")
    assert users.returncode == 0
    assert re.search(r"alice\s.*admin", users.stdout)
    assert cli("status", user="bob").returncode == 7  # only alice exists


def test_python_dash_m_owed_shows_help(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "ledger" in result.stdout and "audit" in result.stdout


def test_a_balanced_posting_is_accepted_and_an_unbalanced_one_refused(cli: Cli) -> None:
    ok = cli(*POST("2026-03-10", "1200:100.00", "4000:100.00"))
    assert ok.returncode == 0, ok.stderr
    assert re.fullmatch(r"posted journal entry \d+\n", ok.stdout)
    bad = cli(*POST("2026-03-10", "1200:100.00", "4000:90.00"))
    assert bad.returncode == 6
    assert one_line_error(bad) == (
        "error: journal entry does not balance: USD off by 10.00 "
        "(debits must equal credits per currency)"
    )
    tb = cli("ledger", "trial-balance")
    assert tb.returncode == 0
    assert re.search(r"1200 .*100\.00", tb.stdout)
    assert "balanced: yes" in tb.stdout
    assert "journal entries: 1" in cli("status").stdout


@pytest.mark.parametrize("day", ["2026-02-30", "15/03/2026", "yesterday"])
def test_a_bad_date_exits_3(cli: Cli, day: str) -> None:
    result = cli(*POST(day, "1200:1.00", "4000:1.00"))
    assert result.returncode == 3
    assert f"'{day}' is not a date" in one_line_error(result)


def test_a_float_like_or_unreadable_amount_exits_3(cli: Cli) -> None:
    result = cli(*POST("2026-03-10", "1200:1,5", "4000:1.50"))
    assert result.returncode == 3
    one_line_error(result)


def test_an_analyst_may_not_post(cli: Cli) -> None:
    added = cli("user", "add", "ann", "--role", "analyst")
    assert added.returncode == 0, added.stderr
    result = cli(*POST("2026-03-10", "1200:1.00", "4000:1.00"), user="ann")
    assert result.returncode == 7
    message = one_line_error(result)
    assert "'ann'" in message and "post manual journal entries" in message
    assert cli("ledger", "trial-balance", user="ann").returncode == 0  # but may read
    assert "journal entries: 0" in cli("status").stdout


def test_a_posting_into_a_closed_period_exits_6(cli: Cli) -> None:
    closed = cli("period", "close", "2026-03")
    assert closed.returncode == 0, closed.stderr
    result = cli(*POST("2026-03-10", "1200:1.00", "4000:1.00"))
    assert result.returncode == 6
    assert "period 2026-03 is closed" in one_line_error(result)
    assert cli(*POST("2026-04-01", "1200:1.00", "4000:1.00")).returncode == 0
    reopen = cli("period", "reopen", "2026-03", "--reason", "")
    assert reopen.returncode == 3
    assert "reason" in one_line_error(reopen)


def test_audit_verify_finds_an_altered_record(cli: Cli) -> None:
    assert cli(*POST("2026-03-10", "1200:1.00", "4000:1.00")).returncode == 0
    intact = cli("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "audit log intact: 3 records verified" in intact.stdout
    cli.tamper_audit(2, "mallory")
    broken = cli("audit", "verify")
    assert broken.returncode == 8
    assert "audit log broken at record 2" in one_line_error(broken)


def test_an_exit_code_raised_by_a_command_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer

    import owed.entrypoints.cli as cli_module

    probe = typer.Typer()

    @probe.command()
    def refuse() -> None:
        raise typer.Exit(6)

    monkeypatch.setattr(cli_module, "app", probe)
    assert cli_module.main([]) == 6
