"""Reading and writing the tabular files of imports: CSV and XLSX.

``read_table(path)`` returns an ``ImportTable`` (header + rows of text
cells) whatever the format, so the import services never see a file:

* CSV: UTF-8 (a BOM is ignored); the delimiter (``,`` ``;`` or tab) is
  detected from the header line. Rows are streamed, not loaded.
* XLSX (openpyxl, read-only, first sheet unless ``sheet`` is named): cells
  become text. A date cell becomes ``YYYY-MM-DD``; an integer cell its
  digits; a numeric cell holding a fraction is written with Python's
  shortest round-trip representation (``repr``), so ``1234.56`` typed in
  Excel arrives as ``"1234.56"``, never through binary arithmetic; a value
  Excel itself stored inexactly (``0.30000000000000004``) is then refused
  by the import as having too many decimals, which is the truth.

``write_rejects`` writes the rejected rows (same columns + ``error``) as CSV.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from owed.domain.errors import InvalidInput
from owed.services.imports_common import ImportTable, Reject


def read_table(path: Path, sheet: str | None = None) -> ImportTable:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _read_csv(path)
    raise InvalidInput(f"{path}: unknown table format {suffix!r} (use .csv or .xlsx)")


def _read_csv(path: Path) -> ImportTable:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        first = stream.readline()
    if not first.strip():
        raise InvalidInput(f"{path}: the file is empty (a header row is needed)")
    delimiter = max((",", ";", "\t"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    return ImportTable(str(path), header, _csv_rows(path, delimiter))


def _csv_rows(path: Path, delimiter: str) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        next(reader, None)
        yield from reader


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        shortest_text = repr(value)  # shortest round-trip text of the stored number
        return shortest_text[:-2] if shortest_text.endswith(".0") else shortest_text
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> ImportTable:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [_text(v) for v in next(rows)]
    except StopIteration:
        raise InvalidInput(f"{path}: the sheet is empty (a header row is needed)") from None

    def data() -> Iterator[list[str]]:
        try:
            for values in rows:
                cells = [_text(v) for v in values]
                if any(cells):
                    yield cells
        finally:
            book.close()

    return ImportTable(str(path), header, data())


def rejects_path(source: Path) -> Path:
    """Where the rejects go by default: beside the file, ``<name>.rejects.csv``."""
    return source.with_name(source.stem + ".rejects.csv")


def write_rejects(path: Path, header: Sequence[str], rejects: Sequence[Reject]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*header, "error"])
        for reject in rejects:
            cells = list(reject.cells)[: len(header)]
            cells += [""] * (len(header) - len(cells))
            writer.writerow([*cells, f"row {reject.row}: {reject.error}"])
