"""Written bank files parse with the real parsers, controls agree, and content round-trips."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from owed.adapters.bankfiles import bai2, camt
from owed.domain.payments.statement import Method, ParsedFile, ParseOptions, RemittanceLine
from owed.simulation import _bai2_writer
from owed.simulation.company import build_company
from owed.simulation.demo_model import DemoCompany, DemoReceipt
from owed.simulation.files import (
    CUSTOMER_COLUMNS,
    INVOICE_COLUMNS,
    write_bai2,
    write_bank_files,
    write_camt053,
    write_customers_csv,
    write_invoices_csv,
)

DAY = date(2026, 3, 12)
METHODS = [Method.ACH, Method.WIRE, Method.CHECK, Method.LOCKBOX]


@cache
def company() -> DemoCompany:
    return build_company(seed=7)


def _parse(path: Path) -> ParsedFile:
    module = bai2 if path.suffix == ".bai2" else camt
    parsed = module.parse(path.read_bytes(), ParseOptions(), path.name)
    assert parsed.controls and not parsed.failed_controls
    return parsed


def _bai2_text(r: DemoReceipt) -> str:
    return " ".join(_bai2_writer._segments(r))


def test_every_company_file_parses_and_round_trips(tmp_path: Path) -> None:
    c = company()
    paths = write_bank_files(c, tmp_path)
    assert len(paths) == 6
    seen = 0
    for path in paths:
        parsed = _parse(path)
        stamp = path.stem.rsplit("_", 1)[1]
        day = next(d for d in c.report_days if d.strftime("%Y%m%d") == stamp)
        currency = path.stem.split("_")[1].upper()
        receipts = c.receipts_reported_on(day, currency)
        lines = parsed.lines
        assert len(lines) == len(receipts)
        for r, line in zip(receipts, lines, strict=True):
            seen += 1
            assert (line.amount, line.currency, line.value_date) == (
                r.amount,
                r.currency,
                r.value_date,
            )
            assert line.bank_reference == r.bank_reference
            assert line.customer_reference == r.customer_reference
            assert line.method is (Method.ACH if r.method is Method.ACH and currency == "USD"
                                   else r.method if currency == "USD" else line.method)  # fmt: skip
            if currency == "USD":
                assert line.payer_name == r.payer_name
                assert line.remittance_text == _bai2_text(r)
                assert r.remittance_text in line.remittance_text
            else:
                assert line.payer_name == r.payer_name and line.payer_account == r.payer_account
                assert line.remittance_text == r.remittance_text
                assert line.remittance == r.remittance
        statement = parsed.statements[0]
        total = sum((r.amount for r in receipts), Decimal(0))
        if currency != "USD":
            assert statement.account == c.bank_accounts[currency]
            assert statement.closing_balance == statement.opening_balance + total
    assert seen == len(c.todays_receipts)


def test_duplicate_shares_the_dedupe_key_across_days(tmp_path: Path) -> None:
    c = company()
    paths = write_bank_files(c, tmp_path)
    keys = [
        line.dedupe_key("acct") for p in paths if p.suffix == ".bai2" for line in _parse(p).lines
    ]
    assert len(keys) - len(set(keys)) == 1


def test_camt_batch_entry_and_structured_remittance(tmp_path: Path) -> None:
    base = dict(currency="EUR", value_date=DAY, reported_on=DAY, method=Method.ACH,
                payer_account="DE89370400440532013000", remittance_text="")  # fmt: skip
    lines = (
        RemittanceLine("INV-2026-004711", Decimal("980.00"), Decimal("1000.00"), Decimal("20.00")),
        RemittanceLine("INV-2026-004712", Decimal("450.00"), Decimal("500.00"), None,
                       Decimal("50.00"), "DAMG", "damaged goods"),
    )  # fmt: skip
    receipts = [
        DemoReceipt("R1", Decimal("1430.00"), payer_name="Brandt Maschinenbau GmbH",
                    bank_reference="B1", customer_reference="E1", remittance=lines,
                    batch_id="BT1", **base),  # type: ignore[arg-type]
        DemoReceipt("R2", Decimal("99.99"), payer_name="Lefèvre Logistique SAS",
                    bank_reference="B2", customer_reference="E2", batch_id="BT1",
                    **{**base, "remittance_text": "Facture INV-2026-004713 " + "x" * 150}),  # type: ignore[arg-type]
        DemoReceipt("R3", Decimal("5.00"), payer_name=None, bank_reference="B3",
                    customer_reference=None, **base),  # type: ignore[arg-type]
    ]  # fmt: skip
    path = write_camt053(tmp_path / "s.xml", "DE44500105175407324931", "EUR", receipts, DAY,
                         "MSG1", opening_balance=Decimal("-250.00"))  # fmt: skip
    data = path.read_bytes()
    assert b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08" in data
    parsed = _parse(path)
    assert [c.what for c in parsed.controls if "Btch" in c.what] == [
        "Btch/NbOfTxs = number of TxDtls",
        "Btch/TtlAmt = entry amount",
    ]
    got = parsed.lines
    assert [g.amount for g in got] == [Decimal("1430.00"), Decimal("99.99"), Decimal("5.00")]
    assert [g.bank_reference for g in got] == ["B1", "B2", "B3"]
    assert got[0].remittance == lines
    assert got[1].remittance_text == receipts[1].remittance_text[:24] + "x" * 140
    assert got[2].customer_reference is None and got[2].payer_name is None
    assert parsed.statements[0].opening_balance == Decimal("-250.00")
    assert parsed.statements[0].closing_balance == Decimal("1284.99")


texts = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/#.,&", min_size=1, max_size=20),
    max_size=12,
).map(" ".join)
names = st.none() | st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ &.-", min_size=1, max_size=40).map(
    lambda s: " ".join(s.split())).filter(bool)  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    items=st.lists(
        st.tuples(st.integers(1, 10**9), st.sampled_from(METHODS), names, texts, st.booleans()),
        max_size=8,
    ),
)  # fmt: skip
def test_bai2_round_trips_any_receipts(
    tmp_path: Path, items: list[tuple[int, Method, str | None, str, bool]]
) -> None:
    receipts = []
    for n, (cents, method, name, text, late) in enumerate(items):
        if "/ " in text or any(f"/ {k}," in text for k in ("16", "88")):
            text = text.replace("/ ", "/")
        check = method in (Method.CHECK, Method.LOCKBOX)
        receipts.append(DemoReceipt(
            f"R{n}", Decimal(cents).scaleb(-2), "USD", date(2026, 3, 11) if late else DAY, DAY,
            method, None if check else name, None, f"REF{n}", f"C{n}", text,
        ))  # fmt: skip
    path = write_bai2(tmp_path / "h.bai2", "123456789", "USD", receipts, DAY, "F1")
    parsed = _parse(path)
    assert len(parsed.lines) == len(receipts)
    for r, line in zip(receipts, parsed.lines, strict=True):
        assert (line.amount, line.value_date, line.bank_reference) == (
            r.amount,
            r.value_date,
            r.bank_reference,
        )
        assert line.remittance_text == _bai2_text(r)
        assert line.payer_name == (r.payer_name.strip(" ,;") if r.payer_name else None)


def test_csv_columns_are_the_import_format(tmp_path: Path) -> None:
    c = company()
    customers = write_customers_csv(tmp_path / "c.csv", c.customers)
    invoices = write_invoices_csv(tmp_path / "i.csv", c.open_invoices())
    with customers.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CUSTOMER_COLUMNS
    assert CUSTOMER_COLUMNS[:9] == ("customer_id", "name", "currency", "payment_terms", "email",
                                    "parent_id", "country", "tax_id", "credit_limit")  # fmt: skip
    assert [r["customer_id"] for r in rows] == [x.external_id for x in c.customers]
    with invoices.open(encoding="utf-8") as f:
        inv_rows = list(csv.DictReader(f))
    assert tuple(inv_rows[0]) == INVOICE_COLUMNS
    assert sum(Decimal(r["open_amount"]) for r in inv_rows) == sum(
        i.open_amount for i in c.open_invoices()
    )
