"""The collections commands end to end: parse, run the use case, render, exit code."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from owed.config import Settings
from owed.entrypoints.cli import main
from owed.entrypoints.cli.common import console
from owed.entrypoints.cli.runtime import Runtime, reset_runtime
from tests.builders import add_customer, add_invoice
from tests.conftest import Env


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(console, "width", 200)  # room for every aging column
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'owed.db'}",
        company="E2E",
        clock="2026-03-15",
        data_dir=tmp_path / "data",
        user="admin",
    )
    rt = Runtime(settings)
    reset_runtime(rt)
    env = Env(rt.engine, "E2E", rt.clock)  # type: ignore[arg-type]

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out + out.err

    yield env, run, tmp_path
    reset_runtime(None)


def seed(env) -> None:
    acme = add_customer(
        env,
        "Acme Corporation",
        external_id="ACME",
        email="ap@acme.example",
        collector="kim",
        credit_limit_minor=500_000,
    )
    add_invoice(env, acme, "1200.00", number="INV-1", issue_date=date(2026, 1, 1))
    add_invoice(env, acme, "300.00", number="INV-2", issue_date=date(2026, 3, 1))


def test_aging_in_every_format(cli):
    env, run, tmp = cli
    seed(env)
    code, out = run("report", "aging")
    assert code == 0 and "ACME" in out and "1,200.00" in out
    code, out = run("report", "aging", "--format", "csv", "--by", "collector")
    assert code == 0
    header, row = out.strip().splitlines()
    assert header.startswith("group,currency,current,1-30,31-60")
    assert row.startswith("kim,USD,300.00,0.00,1200.00")
    code, out = run("report", "aging", "--format", "json", "--as-of", "2026-02-15")
    doc = json.loads(out)
    assert doc["reconstructed"] and doc["rows"][0]["current"] == "0.00"
    assert doc["rows"][0]["1-30"] == "1200.00"  # INV-2 was not issued yet on Feb 15
    code, out = run("report", "aging", "--format", "xlsx", "-o", str(tmp / "aging.xlsx"))
    assert code == 0
    ws = load_workbook(tmp / "aging.xlsx").active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    assert ws["D2"].value == 300 and ws["D2"].data_type == "n"
    assert ws["D2"].number_format == "#,##0.00"
    code, out = run("report", "aging", "--by", "nonsense")
    assert code == 3 and "choose one of" in out


def test_dunning_dry_run_then_run_then_again(cli):
    env, run, tmp = cli
    seed(env)
    code, out = run("dunning", "run", "--dry-run")
    assert code == 0 and "INV-1" in out and "not_due_for_level" in out
    assert not (tmp / "data" / "outbox").exists()
    code, out = run("dunning", "run")
    assert code == 0 and "outbox" in out and "sent" in out
    assert len(list((tmp / "data" / "outbox").glob("*.eml"))) == 1
    code, out = run("dunning", "run")
    assert code == 0 and "already ran" in out
    code, out = run("dunning", "send")
    assert code == 0 and "no dunning message waiting" in out
    code, out = run("activity", "list", "ACME")
    assert "dunning" in out and "INV-1" in out


def test_promise_plan_activity_and_worklist(cli):
    env, run, _ = cli
    seed(env)
    code, out = run(
        "promise",
        "add",
        "ACME",
        "--amount",
        "1200",
        "--date",
        "2026-03-31",
        "--by",
        "Jo Doe",
        "--invoice",
        "INV-1",
    )
    assert code == 0
    code, out = run("promise", "list")
    assert "Jo Doe" in out and "pending" in out
    code, out = run(
        "plan",
        "add",
        "ACME",
        "--invoice",
        "INV-2",
        "--installments",
        "2026-04-01:150,2026-05-01:150",
    )
    assert code == 0 and "2 installments" in out
    code, out = run("plan", "add", "ACME", "--invoice", "INV-2", "--installments", "soon:1")
    assert code == 3 and "YYYY-MM-DD:AMOUNT" in out
    code, out = run(
        "activity",
        "add",
        "ACME",
        "--type",
        "call",
        "--note",
        "spoke to AP",
        "--next-action",
        "2026-03-16",
        "--outcome",
        "promised",
    )
    assert code == 0
    code, out = run("worklist", "--collector", "kim")
    assert code == 0 and "ACME" in out and "past due" in out


def test_credit_check_exit_codes_and_json(cli):
    env, run, _ = cli
    seed(env)
    code, out = run("credit", "check", "ACME", "--amount", "1000", "--json")
    assert code == 0 and json.loads(out)["allowed"] is True
    assert Decimal(json.loads(out)["exposure"]) == Decimal("2500.00")
    code, out = run("credit", "check", "ACME", "--amount", "2000", "--open-orders", "1500.01")
    assert code == 6 and "refused" in out and "exceeds the credit limit" in out
    code, out = run("credit", "hold", "ACME", "--reason", "cheque bounced")
    assert code == 0
    code, out = run("credit", "release", "ACME")
    assert code == 7 and "segregation of duties" in out
