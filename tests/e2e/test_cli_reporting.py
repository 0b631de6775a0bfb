"""End to end through the `owed` CLI: KPIs, statements, close with allowance, exports, forecast."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from owed.config import Settings
from owed.entrypoints.cli import main
from owed.entrypoints.cli.runtime import Runtime, reset_runtime
from tests.builders import add_customer, add_invoice
from tests.conftest import Env
from tests.integration.reporting.builders import pay


@pytest.fixture
def world(tmp_path: Path, database_url: str, engine, monkeypatch: pytest.MonkeyPatch):
    """A company created by the CLI, with invoices and payments built through the services."""
    import uuid

    from owed.domain.clock import FixedClock

    company = f"R{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=database_url,
        company=company,
        user="admin",
        clock="2026-04-05",
        data_dir=tmp_path / "data",
    )
    monkeypatch.chdir(tmp_path)

    def run(*args: str, user: str = "admin") -> tuple[int, str]:
        reset_runtime(Runtime(settings, user_override=user))
        from owed.entrypoints.cli import common, errors

        with common.console.capture() as out, errors.err_console.capture() as err:
            code = main(list(args))
        return code, out.get() + err.get()

    assert run("status")[0] == 0  # creates the company and its admin
    env = Env(engine, company, FixedClock.on(date(2026, 4, 5)))
    a = add_customer(env, "Acme", external_id="ACME", email="ap@acme.example")
    inv = add_invoice(env, a, "1000.00", issue_date=date(2026, 1, 5), due_days=30)
    add_invoice(env, a, "250.00", issue_date=date(2026, 3, 20), due_days=30)
    pay(env, inv.number, "600.00", date(2026, 3, 10))
    yield run, env, tmp_path
    reset_runtime(None)


def test_kpis_table_json_and_xlsx(world):
    run, _, tmp = world
    code, out = run("report", "kpis", "--from", "2026-01-01", "--to", "2026-03-31")
    assert code == 0 and "DSO countback" in out and "650.00" in out
    code, out = run(
        "report", "kpis", "--from", "2026-01-01", "--to", "2026-03-31", "--format", "json"
    )
    assert code == 0 and json.loads(out)["kpis"][0]["ending_ar"] == "650.00"
    code, out = run(
        "report",
        "kpis",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--trend",
        "-o",
        str(tmp / "k.xlsx"),
    )
    assert code == 0
    book = load_workbook(tmp / "k.xlsx")
    assert book.sheetnames == ["kpis", "kpi trend"]
    assert book["kpis"]["F2"].value == 650 and book["kpis"]["F2"].number_format == "#,##0.00"
    code, out = run("report", "kpis", "--from", "2026-03-31", "--to", "2026-01-01")
    assert code == 3 and "before it starts" in out


def test_close_needs_a_second_lead_for_the_allowance_then_locks(world):
    run, env, tmp = world
    env.add_user("lena", "lead")
    env.add_user("omar", "lead")
    code, out = run("close", "2026-03", "--dry-run", user="lena")
    assert code == 0 and "difference 0.00 [ok]" in out and "dry run" in out
    code, out = run("close", "2026-03", user="lena")
    assert code == 0 and "awaiting_approval" in out
    proposal = out.split("(proposal ")[1].split(")")[0]
    report = json.loads((tmp / "data" / "close" / "2026-03" / "report.json").read_text())
    assert report["reconciled"] is True and report["outcome"] == "awaiting_approval"
    assert (tmp / "data" / "close" / "2026-03" / "report.md").read_text().startswith("# Close")
    code, out = run("allowance", "approve", proposal, user="lena")
    assert code == 7 and "segregation of duties" in out
    code, out = run("allowance", "approve", proposal, user="omar")
    assert code == 0 and "journal entry" in out
    code, out = run("close", "2026-03", user="lena")
    assert code == 0 and "outcome: locked" in out
    code, out = run("close", "2026-03", user="lena")
    assert code == 6 and "already closed" in out


def test_statements_and_exports_and_forecast(world):
    run, _, tmp = world
    code, out = run("statement", "ACME", "--as-of", "2026-03-31", "-o", str(tmp / "s.pdf"))
    assert code == 0 and (tmp / "s.pdf").read_bytes().startswith(b"%PDF")
    code, out = run("statement", "run", "--period", "2026-03", "--send")
    assert code == 0 and "1 sent" in out
    code, out = run("statement", "run", "--period", "2026-03", "--send")
    assert code == 0 and "0 sent" in out and "1 already sent" in out
    assert len(list((tmp / "data" / "outbox").glob("*.eml"))) == 1
    code, out = run(
        "export", "journal", str(tmp / "j.csv"), "--from", "2026-01-01", "--to", "2026-03-31"
    )
    assert code == 0 and (tmp / "j.csv").read_text().startswith("entry_id,line_no,date,period")
    code, out = run("export", "exceptions", str(tmp / "x.xlsx"))
    assert code == 0 and load_workbook(tmp / "x.xlsx")["exceptions"].freeze_panes == "A2"
    code, out = run("forecast", "--as-of", "2026-04-01")
    assert code == 0 and "expected cash in the next 14 days" in out
    code, out = run("forecast", "backtest", "--from", "2026-03-01", "--to", "2026-03-29")
    assert code == 0 and "MAPE" in out and "bias" in out
