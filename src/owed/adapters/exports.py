"""The one writer of tabular exports: CSV and real XLSX spreadsheets (openpyxl).

``write_table(table, path, format)`` writes an ``ExportTable``
(``owed.services.exports``):

* **CSV**: UTF-8, a header row, ``Decimal`` written exactly as its text
  (``1234.50``), dates ISO ``YYYY-MM-DD``, empty for ``None``.
* **XLSX**: typed cells: numbers are numeric cells with a number format
  (money ``#,##0.00``, percent ``0.0%`` on a fraction, number ``#,##0.0``,
  integer ``0``), dates are date cells (``yyyy-mm-dd``), text is text.
  Frozen header row, autofilter over the data, column widths from the
  content (or the column's ``width``). A ``Decimal`` becomes an Excel number
  only here, at the file boundary: Excel stores IEEE doubles, and 15
  significant digits hold every amount below a trillion to the cent exactly.

The format is taken from ``format`` or else the file suffix.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from owed.domain.errors import InvalidInput
from owed.services.exports import ExportTable

NUMBER_FORMATS = {
    "money": "#,##0.00",
    "number": "#,##0.0",
    "percent": "0.0%",
    "integer": "0",
    "date": "yyyy-mm-dd",
}


def table_format(path: Path, format: str | None = None) -> str:
    chosen = (format or path.suffix.lstrip(".")).lower()
    if chosen not in ("csv", "xlsx"):
        raise InvalidInput(f"{path}: export format {chosen or '(none)'!r}: use .csv or .xlsx")
    return chosen


def write_table(table: ExportTable, path: Path, format: str | None = None) -> Path:
    if table_format(path, format) == "csv":
        _write_csv(table, path)
    else:
        _write_xlsx([table], path)
    return path


def write_tables(tables: list[ExportTable], path: Path) -> Path:
    """Several tables as sheets of one workbook (XLSX only)."""
    _write_xlsx(tables, path)
    return path


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(table: ExportTable, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([c.name for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_text(v) for v in row])


def _cell_value(value: Any) -> Any:
    # openpyxl writes a Decimal as the number's exact decimal text (a numeric cell);
    # no binary float is made on our side.
    if isinstance(value, Decimal) and value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return value


def _write_xlsx(tables: list[ExportTable], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title))
        sheet.append([c.name for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(c.name) for c in table.columns]
        for row in table.rows:
            sheet.append([_cell_value(v) for v in row])
            for i, v in enumerate(row):
                widths[i] = max(widths[i], len(_csv_text(v)))
        for i, column in enumerate(table.columns, start=1):
            fmt = NUMBER_FORMATS.get(column.kind)
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = min(60, (column.width or widths[i - 1]) + 2)
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _sheet_name(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "export")[:31]
