"""CSV/XLSX bank exports: column matching, exact amounts, every bad row reported."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from owed.adapters.bankfiles import parse_bytes, tabular
from owed.domain.errors import InvalidFile
from owed.domain.payments.statement import Direction, Method, ParseOptions

CSV = """Date,Amount,Currency,Reference,Name,Account,Description,Method,Invoice
2024-03-01,"1,250.00",EUR,B-1,ACME GmbH,DE89370400440532013000,INV-1 and INV-2,wire,INV-1;INV-2
2024-03-02,(12.00),EUR,B-2,Bank,,fees,other,
2024-03-03,-3.5,USD,B-3,,,,,
"""


def _parse(text: str, **layout: object) -> list:  # type: ignore[type-arg]
    parsed = tabular.parse(text.encode(), ParseOptions(layout=dict(layout)))
    return parsed.lines


def test_csv_with_default_headers() -> None:
    parsed = tabular.parse(CSV.encode(), ParseOptions(layout={"account": "DE02"}))
    assert parsed.format == "csv"
    assert {st.currency for st in parsed.statements} == {"EUR", "USD"}
    first, fee, usd = parsed.lines
    assert (first.amount, first.direction, first.currency) == (
        Decimal("1250.00"),
        Direction.CREDIT,
        "EUR",
    )
    assert first.bank_reference == "B-1" and first.payer_name == "ACME GmbH"
    assert first.method is Method.WIRE
    assert [r.reference for r in first.remittance] == ["INV-1", "INV-2"]
    assert first.value_date == date(2024, 3, 1)
    assert (fee.amount, fee.direction) == (Decimal("12.00"), Direction.DEBIT)
    assert (usd.amount, usd.direction) == (Decimal("3.50"), Direction.DEBIT)
    assert first.source_position == "row 2"


def test_every_bad_row_is_reported_with_its_number() -> None:
    text = (
        "date;amount;direction;memo\n"
        "2024-03-01;10.00;credit;ok\n"
        "2024-02-30;10.00;credit;bad date\n"
        "2024-03-01;10.001;credit;too many decimals\n"
        "\n"
        "2024-03-01;1,2,3;credit;bad amount\n"
        "2024-03-01;-5.00;credit;negative credit\n"
        "2024-03-01;5.00;sideways;bad direction\n"
    )
    with pytest.raises(InvalidFile) as caught:
        _parse(text)
    problems = caught.value.problems
    assert [p.position for p in problems] == ["row 3", "row 4", "row 6", "row 7", "row 8"]
    assert [p.row for p in problems] == [3, 4, 6, 7, 8]
    assert "refusing to round" in problems[1].reason


def test_column_mapping_date_format_and_decimal_comma() -> None:
    text = "Buchungstag;Betrag;Verwendungszweck\n01.03.2024;1.234,56;Rechnung 7\n"
    (line,) = _parse(
        text,
        columns={"value_date": "Buchungstag", "amount": "Betrag", "remittance": "Verwendungszweck"},
        date_format="d/m/y",
        decimal_comma=True,
    )
    assert (line.amount, line.value_date, line.remittance_text) == (
        Decimal("1234.56"),
        date(2024, 3, 1),
        "Rechnung 7",
    )


def test_missing_required_column_names_what_was_looked_for() -> None:
    with pytest.raises(InvalidFile) as caught:
        _parse("when,amount\n2024-01-01,1.00\n")
    assert caught.value.problems[0].position == "row 1"
    assert "date, value_date" in caught.value.problems[0].reason


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_written_with_openpyxl() -> None:
    data = _xlsx(
        [
            ["Value Date", "Amount", "Currency", "Memo"],
            [datetime(2024, 3, 1), 19.99, "EUR", "INV-9"],
            [date(2024, 3, 2), 100, "JPY", "yen"],
            ["2024-03-03", "-7.10", "EUR", "text cells too"],
        ]
    )
    parsed = parse_bytes(data, "export.xlsx")
    assert parsed.format == "xlsx"
    lines = sorted(parsed.lines, key=lambda ln: ln.source_position)
    amounts = [(ln.amount, ln.currency, ln.direction) for ln in lines]
    assert amounts == [
        (Decimal("19.99"), "EUR", Direction.CREDIT),
        (Decimal("100"), "JPY", Direction.CREDIT),
        (Decimal("7.10"), "EUR", Direction.DEBIT),
    ]
    assert lines[0].value_date == date(2024, 3, 1)
    assert [ln.source_position for ln in lines] == ["row 2", "row 3", "row 4"]


def test_xlsx_float_that_is_not_exact_in_cents_is_refused() -> None:
    # (openpyxl, like Excel, stores 15 significant digits: 0.1 + 0.2 is written as 0.3)
    data = _xlsx([["date", "amount"], ["2024-03-01", 12.345], ["2024-03-01", 1.005]])
    with pytest.raises(InvalidFile) as caught:
        tabular.parse(data, ParseOptions(default_currency="EUR"))
    assert [p.position for p in caught.value.problems] == ["row 2", "row 3"]
    assert "12.345 EUR has 3 decimal places" in caught.value.problems[0].reason


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_amount_text_round_trips_exactly(cents: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    text = f"date,amount\n2024-01-01,{amount}\n"
    (line,) = _parse(text)
    signed = line.amount if line.direction is Direction.CREDIT else -line.amount
    assert signed == amount
