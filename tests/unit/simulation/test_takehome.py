"""The take-home inputs: files a user can open, that parse, with the truth returned."""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

from owed.adapters.bankfiles import bai2
from owed.domain.payments.statement import ParseOptions
from owed.simulation.takehome import write_takehome


def test_files_written_and_deterministic(tmp_path: Path) -> None:
    first = write_takehome(tmp_path / "a", seed=11)
    second = write_takehome(tmp_path / "b", seed=11)
    names = sorted(p.name for p in first.files)
    assert names == ["SCENARIO.md", "bank_ach.bai2", "bank_lockbox.bai2", "customers.csv",
                     "open_ar_aging.csv"]  # fmt: skip
    for p in first.files:
        assert p.read_bytes() == (second.directory / p.name).read_bytes()
    assert first.expected == second.expected
    other = write_takehome(tmp_path / "c", seed=12)
    assert (other.directory / "bank_ach.bai2").read_bytes() != (
        first.directory / "bank_ach.bai2"
    ).read_bytes()


def test_bank_files_parse_and_carry_every_receipt(tmp_path: Path) -> None:
    th = write_takehome(tmp_path)
    lines = []
    for name in ("bank_ach.bai2", "bank_lockbox.bai2"):
        parsed = bai2.parse((tmp_path / name).read_bytes(), ParseOptions(), name)
        assert parsed.controls and not parsed.failed_controls
        lines += parsed.lines
    lockbox = bai2.parse((tmp_path / "bank_lockbox.bai2").read_bytes(), ParseOptions(), "x").lines
    assert {line.type_code for line in lockbox} == {"115"}
    assert [line.amount for line in lines] == [r.amount for r in th.receipts]
    assert [line.bank_reference for line in lines] == [r.bank_reference for r in th.receipts]


def test_cases_and_truth(tmp_path: Path) -> None:
    th = write_takehome(tmp_path)
    cases = Counter(e.case for e in th.expected)
    for case in ("clean", "multi", "short with reason", "short", "duplicate payment",
                 "billed twice, paid once", "overpayment", "unidentified", "check multi",
                 "check short", "check no remittance"):  # fmt: skip
        assert cases[case] >= 1, case
    by_id = {r.id: r for r in th.receipts}
    open_amounts = {i.number: i.open_amount for i in th.invoices}
    for e in th.expected:
        r = by_id[e.receipt_id]
        assert r.amount == sum(e.allocations.values(), Decimal(0)) + e.unapplied
        assert all(open_amounts[n] >= a for n, a in e.allocations.items())
    over = next(e for e in th.expected if e.case == "overpayment")
    assert over.unapplied == Decimal("1000.00")
    nobody = next(e for e in th.expected if e.case == "unidentified")
    assert nobody.customer_id is None and not nobody.allocations
    original, twin = th.billed_twice
    inv = {i.number: i for i in th.invoices}
    assert (
        inv[original].amount == inv[twin].amount and inv[original].po_number == inv[twin].po_number
    )


def test_aging_csv_columns(tmp_path: Path) -> None:
    th = write_takehome(tmp_path)
    with (tmp_path / "open_ar_aging.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "invoice_number", "customer_id", "customer_name", "issue_date", "due_date", "currency",
        "amount", "open_amount", "po_number",
    ]  # fmt: skip
    assert len(rows) == len(th.invoices)
    assert "bank_lockbox.bai2" in (tmp_path / "SCENARIO.md").read_text(encoding="utf-8")
