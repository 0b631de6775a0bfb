"""Aging rows for CSV/JSON/table output, and the XLSX workbook (openpyxl).

The workbook has typed numeric cells (Decimal amounts, never text), a number
format with the currency's decimals, a frozen header row, an autofilter over
the table and column widths fitted to the content.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from owed.domain.money import Currency, Money
from owed.services.aging import Aging


def aging_rows(result: Aging) -> tuple[list[str], list[list[Any]]]:
    report = result.report
    named = result.by in ("customer", "parent")
    header = [
        "group",
        *(["name"] if named else []),
        "currency",
        *report.labels,
        "total",
        "items",
        "unapplied cash",
        "credits",
        "net",
    ]
    if report.base_currency:
        header.append(f"total {report.base_currency}")
    rows = []
    for r in report.rows:
        row: list[Any] = [r.group]
        if named:
            row.append(result.names.get(r.group, ""))
        row += [
            r.currency,
            *(_amount(r.buckets[label]) for label in report.labels),
            _amount(r.total),
            r.item_count,
            _amount(r.unapplied_cash),
            _amount(r.credits),
            _amount(r.net),
        ]
        if report.base_currency:
            row.append(_amount(r.base_total) if r.base_total is not None else None)
        rows.append(row)
    return header, rows


def _amount(money: Money) -> Decimal:
    """Shown with the currency's decimals (a zero is 0.00, not 0)."""
    return money.currency.round(money.amount)


def write_xlsx(result: Aging, header: list[str], rows: list[list[Any]], path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"Aging {result.report.as_of.isoformat()}"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    currency_col = header.index("currency")
    for row in rows:
        ws.append(row)
        digits = Currency.of(row[currency_col]).minor_units
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(ws.max_row, 1)}"
    for i, title in enumerate(header, start=1):
        values = [title, *(row[i - 1] for row in rows)]
        width = max(len(f"{v:,}" if isinstance(v, Decimal) else str(v or "")) for v in values)
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    wb.save(path)
