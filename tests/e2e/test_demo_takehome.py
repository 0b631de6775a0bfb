"""`owed demo --scenario take-home`: the AR take-home test, checked against its ground truth.

The command runs in a subprocess on the test session's database (SQLite or
PostgreSQL); the truth comes from ``write_takehome`` with the same seed, which
writes the same files the command would.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from owed.adapters.db.engine import make_engine
from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.clock import FixedClock
from owed.services.ledger import trial_balance
from owed.simulation.takehome import TakeHome, write_takehome
from tests.e2e.test_demo import owed


def _run(tmp_path: Path, url: str, inputs: Path) -> tuple[str, Path, str]:
    out = tmp_path / "results"
    done = owed(
        tmp_path,
        url,
        f"TH{uuid.uuid4().hex[:6]}",
        "demo",
        "--scenario",
        "take-home",
        "--inputs",
        str(inputs),
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    company = re.search(r"company (TAKEHOME\S*),", done.stdout)
    assert company, done.stdout
    return done.stdout, out, company.group(1)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _reference(truth: TakeHome, receipt_id: str) -> str:
    return next(r.bank_reference for r in truth.receipts if r.id == receipt_id)


def test_takehome_applies_the_cash_and_explains_the_rest(tmp_path: Path, database_url: str) -> None:
    truth = write_takehome(tmp_path / "truth")  # same default seed as the command's files
    inputs = tmp_path / "inputs"
    stdout, out, company = _run(tmp_path, database_url, inputs)
    assert (inputs / "SCENARIO.md").is_file(), "the inputs were written for the user to open"

    applied: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in _rows(out / "applications.csv"):
        if row["invoice_number"]:
            applied[row["payment_reference"]][row["invoice_number"]] = Decimal(row["amount"])
    for e in truth.expected:
        if e.case in ("clean", "multi", "short with reason", "short", "overpayment", "check multi"):
            assert applied[_reference(truth, e.receipt_id)] == e.allocations, e

    exceptions = {r["payment_reference"]: r for r in _rows(out / "exceptions.csv")}
    case = {e.case: e for e in truth.expected}
    dup = exceptions[_reference(truth, case["duplicate payment"].receipt_id)]
    original = next(
        e
        for e in truth.expected
        if e.case == "clean" and e.customer_id == case["duplicate payment"].customer_id
    )
    assert dup["status"] == "unapplied" and "duplicate" in dup["root_cause"]
    assert dup["duplicate_of"] == _reference(truth, original.receipt_id)
    nobody = exceptions[_reference(truth, case["unidentified"].receipt_id)]
    assert nobody["status"] == "unapplied" and "payer not identified" in nobody["root_cause"]
    for e in (case["duplicate payment"], case["unidentified"], case["billed twice, paid once"]):
        assert _reference(truth, e.receipt_id) not in applied, e
    twice = exceptions[_reference(truth, case["billed twice, paid once"].receipt_id)]
    assert "billed twice" in twice["root_cause"]
    assert all(n in twice["root_cause"] for n in truth.billed_twice)
    short = exceptions[_reference(truth, case["short with reason"].receipt_id)]
    assert "deduction opened" in short["status"] and "DAMAGED" in short["root_cause"]

    entries: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in _rows(out / "gl_entries.csv"):
        entries[(row["kind"], row["entry"])].append(row)
    assert {k for k, _ in entries} == {"posted", "proposed"}
    for key, lines in entries.items():
        debit = sum(Decimal(r["debit"] or 0) for r in lines)
        assert debit > 0 and debit == sum(Decimal(r["credit"] or 0) for r in lines), key
    credit_memo = [
        ls
        for (k, _), ls in entries.items()
        if k == "proposed" and any(truth.billed_twice[1] in r["description"] for r in ls)
    ]
    assert credit_memo and {r["account_name"] for r in credit_memo[0]} == {
        "Revenue",
        "Accounts receivable (control)",
    }

    plan = (out / "follow_up_plan.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d\. ", plan, flags=re.M)) == 5
    assert "Expected cash in the next 14 days" in plan
    assert len(list((out / "emails").glob("*.txt"))) == 5
    assert "ledger balanced: yes" in stdout

    engine = make_engine(database_url)
    try:
        tb = trial_balance(SqlUnitOfWork(engine, company, "lena", FixedClock.on(truth.as_of)))
    finally:
        engine.dispose()
    assert tb.balanced and tb.rows


def test_takehome_uses_the_users_files_as_they_are(tmp_path: Path, database_url: str) -> None:
    inputs = tmp_path / "mine"
    truth = write_takehome(inputs)
    clean = next(e for e in truth.expected if e.case == "clean")
    number = next(iter(clean.allocations))
    aging = inputs / "open_ar_aging.csv"
    rows = _rows(aging)
    for row in rows:  # our invoice is larger than what the customer paid: now a short pay
        if row["invoice_number"] == number:
            row["amount"] = row["open_amount"] = str(Decimal(row["amount"]) + Decimal("400.00"))
    with aging.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    stdout, out, _ = _run(tmp_path, database_url, inputs)
    assert "your files" in stdout
    assert _rows(aging) == rows, "the user's file is not rewritten"
    exceptions = {r["payment_reference"]: r for r in _rows(out / "exceptions.csv")}
    edited = exceptions[_reference(truth, clean.receipt_id)]
    assert "400.00" in edited["root_cause"], edited
