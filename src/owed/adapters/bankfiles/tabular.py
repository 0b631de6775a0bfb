"""Bank exports as CSV or XLSX: a header row, then one transaction per row.

Columns are found by header, case- and punctuation-insensitively
(``Value Date`` = ``value_date``), from these defaults:

===============  ==============================================  ========
field            headers recognised                              required
===============  ==============================================  ========
value_date       date, value_date                                yes
amount           amount                                          yes
currency         currency                                        no (``options.default_currency``)
reference        reference  (the bank's reference)               no
payer_name       payer_name, name                                no
payer_account    payer_account, account                          no
remittance       remittance, description, memo                   no
direction        direction (credit/debit, C/D, CR/DR, CRDT/DBIT) no (sign of amount)
method           method (ach, wire, check, card, lockbox, other) no
invoice          invoice (several split by ``;`` or ``|``)       no
booking_date     booking_date                                    no
===============  ==============================================  ========

``options.layout``: ``columns`` {field: header} overrides the defaults;
``date_format`` ``iso`` (default), ``d/m/y``, ``m/d/y`` or a ``strptime``
pattern; ``decimal_comma`` (``1.234,56``); ``delimiter`` (else sniffed);
``encoding`` (else UTF-8, then cp1252); ``account`` (the statement's account);
``sheet`` (XLSX worksheet name).

Amounts are text read exactly: thousands separators, ``(12.00)`` and a leading
``-`` are negatives (a debit when there is no direction column). XLSX numeric
cells arrive from openpyxl as ``float``; they are read through ``repr`` (the
shortest text that round-trips) and refused unless exact at the currency's
precision. Every bad row is a ``Problem`` (``row N``, the header is row 1) and
one bad row refuses the whole file.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from owed.adapters.bankfiles._common import ascii_digits
from owed.adapters.bankfiles._exact import Findings, currency_or_none, fit_currency
from owed.adapters.bankfiles.detect import looks_like_csv, looks_like_zip
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    ParseOptions,
    RemittanceLine,
    Statement,
    StatementLine,
)

FORMAT = "csv"

_DEFAULTS: dict[str, tuple[str, ...]] = {
    "value_date": ("date", "value_date"),
    "amount": ("amount",),
    "currency": ("currency",),
    "reference": ("reference",),
    "payer_name": ("payer_name", "name"),
    "payer_account": ("payer_account", "account"),
    "remittance": ("remittance", "description", "memo"),
    "direction": ("direction",),
    "method": ("method",),
    "invoice": ("invoice",),
    "booking_date": ("booking_date",),
}
_REQUIRED = ("value_date", "amount")
_DIRECTIONS = {
    "credit": Direction.CREDIT, "c": Direction.CREDIT, "cr": Direction.CREDIT,
    "crdt": Direction.CREDIT, "in": Direction.CREDIT,
    "debit": Direction.DEBIT, "d": Direction.DEBIT, "dr": Direction.DEBIT,
    "dbit": Direction.DEBIT, "out": Direction.DEBIT,
}  # fmt: skip
_METHODS = {m.value: m for m in Method} | {"cheque": Method.CHECK}
_POINT_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")
_COMMA_AMOUNT = re.compile(r"^\d{1,3}([. '\u00a0]\d{3})+(,\d+)?$|^\d+(,\d+)?$|^,\d+$")

Cell = object


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def sniff(data: bytes) -> bool:
    return looks_like_csv(data) or looks_like_zip(data)


@dataclass(frozen=True)
class _Xlsx:
    """The ``xlsx`` entry of the registry: the same parser, read as a workbook."""

    FORMAT: str = "xlsx"

    def sniff(self, data: bytes) -> bool:
        return looks_like_zip(data)

    def parse(self, data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
        return parse(data, options, name)


XLSX = _Xlsx()


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    """Parse a CSV or (by its ZIP magic) XLSX bank export."""
    findings = Findings(name)
    if looks_like_zip(data):
        fmt, rows = "xlsx", _xlsx_rows(data, options, findings)
    else:
        fmt, rows = "csv", _csv_rows(data, options, findings)
    findings.raise_if_any("spreadsheet")
    lines = _RowReader(options, findings).read(rows)
    findings.raise_if_any("spreadsheet")
    account = str(options.layout.get("account", ""))
    if not account:
        findings.warn("file", "no account given (options.layout['account'])")
    by_currency: dict[str, list[StatementLine]] = {}
    for line in lines:
        by_currency.setdefault(line.currency, []).append(line)
    statements = tuple(
        Statement(account=account, currency=cur, lines=tuple(items))
        for cur, items in by_currency.items()
    )
    return ParsedFile(format=fmt, statements=statements, warnings=findings.final_warnings())


def _csv_rows(
    data: bytes, options: ParseOptions, findings: Findings
) -> Iterator[tuple[int, Sequence[Cell]]]:
    encoding = options.layout.get("encoding")
    try:
        text = data.decode(str(encoding) if encoding else "utf-8-sig")
    except (UnicodeDecodeError, LookupError):
        findings.warn("file", "not UTF-8 (or the given encoding); read as cp1252")
        text = data.decode("cp1252", errors="replace")
    delimiter = options.layout.get("delimiter")
    if not delimiter:
        first = text.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        delimiter = max(counts, key=lambda d: counts[d])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=str(delimiter))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        findings.problem(f"row {reader.line_num}", f"unreadable CSV: {exc}", row=reader.line_num)


def _xlsx_rows(
    data: bytes, options: ParseOptions, findings: Findings
) -> Iterator[tuple[int, Sequence[Cell]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        findings.problem("file", f"not a readable XLSX workbook ({type(exc).__name__}: {exc})")
        return
    try:
        sheet_name = options.layout.get("sheet")
        if sheet_name and sheet_name not in book.sheetnames:
            findings.problem("file", f"no worksheet named {sheet_name!r}")
            return
        sheet = book[str(sheet_name)] if sheet_name else book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        book.close()


class _RowReader:
    def __init__(self, options: ParseOptions, findings: Findings) -> None:
        self.options = options
        self.findings = findings
        self.layout = options.layout
        self.columns: dict[str, int] = {}

    def read(self, rows: Iterator[tuple[int, Sequence[Cell]]]) -> list[StatementLine]:
        lines: list[StatementLine] = []
        header_seen = False
        for number, row in rows:
            if all(c is None or str(c).strip() == "" for c in row):
                continue
            if not header_seen:
                header_seen = True
                if not self._header(number, row):
                    return []
                continue
            line = self._row(number, row)
            if line is not None:
                lines.append(line)
        if not header_seen:
            self.findings.problem("row 1", "no header row: the file is empty")
        elif not lines and not self.findings.problems:
            self.findings.problem("file", "no transactions after the header row")
        return lines

    def _header(self, number: int, row: Sequence[Cell]) -> bool:
        found = {_key(str(c)): i for i, c in enumerate(row) if c is not None}
        overrides = self.layout.get("columns") or {}
        if not isinstance(overrides, dict):
            self.findings.problem("options", "layout['columns'] must map field names to headers")
            return False
        for field_name, aliases in _DEFAULTS.items():
            wanted = (overrides[field_name],) if field_name in overrides else aliases
            for alias in wanted:
                if _key(str(alias)) in found:
                    self.columns[field_name] = found[_key(str(alias))]
                    break
            else:
                if field_name in overrides:
                    self.findings.problem(
                        f"row {number}", f"no column {overrides[field_name]!r} for {field_name}"
                    )
        for unknown in set(overrides) - set(_DEFAULTS):
            self.findings.problem("options", f"layout['columns'] names unknown field {unknown!r}")
        missing = [f for f in _REQUIRED if f not in self.columns]
        if missing:
            self.findings.problem(
                f"row {number}",
                f"header has no {' or '.join(missing)} column (looked for "
                + "; ".join(f"{f}: {', '.join(_DEFAULTS[f])}" for f in missing)
                + ")",
                row=number,
            )
        return not self.findings.problems

    def _cell(self, row: Sequence[Cell], field_name: str) -> Cell:
        index = self.columns.get(field_name)
        if index is None or index >= len(row):
            return None
        value = row[index]
        return value.strip() if isinstance(value, str) else value

    def _row(self, number: int, row: Sequence[Cell]) -> StatementLine | None:
        where = f"row {number}"
        before = len(self.findings.problems)
        currency = str(self._cell(row, "currency") or self.options.default_currency).upper()
        if currency_or_none(currency) is None:
            self.findings.problem(where, f"unknown currency {currency!r}", row=number)
            return None
        amount = self._amount(self._cell(row, "amount"), currency, where)
        value_date = self._date(self._cell(row, "value_date"), where, "date")
        booking = self._date(self._cell(row, "booking_date"), where, "booking_date")
        direction = self._direction(row, amount, where)
        method = self._method(self._cell(row, "method"), where)
        if len(self.findings.problems) > before or amount is None or direction is None:
            self.findings.problems[before:] = [
                replace(p, row=number) for p in self.findings.problems[before:]
            ]
            return None
        invoices = str(self._cell(row, "invoice") or "")
        return StatementLine(
            amount=abs(amount),
            currency=currency,
            direction=direction,
            value_date=value_date,
            booking_date=booking,
            bank_reference=_text(self._cell(row, "reference")),
            method=method,
            payer_name=_text(self._cell(row, "payer_name")),
            payer_account=_text(self._cell(row, "payer_account")),
            remittance_text=_text(self._cell(row, "remittance")) or "",
            remittance=tuple(
                RemittanceLine(reference=ref.strip())
                for ref in re.split(r"[;|]", invoices)
                if ref.strip()
            ),
            source_position=where,
            raw=" | ".join("" if c is None else str(c) for c in row),
        )

    def _amount(self, cell: Cell, currency: str, where: str) -> Decimal | None:
        cur = currency_or_none(currency)
        assert cur is not None
        if cell is None or (isinstance(cell, str) and not cell):
            self.findings.problem(where, "amount is empty")
            return None
        if isinstance(cell, bool):
            self.findings.problem(where, f"amount {cell!r} is not a number")
            return None
        if isinstance(cell, int):
            return Decimal(cell)
        if isinstance(cell, float):
            # repr() is the shortest text that reads back as the same float.
            value = Decimal(repr(cell))
            return fit_currency(value, cur, where, self.findings)
        if isinstance(cell, Decimal):
            return fit_currency(cell, cur, where, self.findings)
        text = str(cell).replace("\u00a0", " ").strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if text[:1] in "+-" and text:
            negative, text = text[0] == "-", text[1:].strip()
        comma = bool(self.layout.get("decimal_comma"))
        pattern = _COMMA_AMOUNT if comma else _POINT_AMOUNT
        if not pattern.match(text):
            self.findings.problem(
                where,
                f"amount {str(cell)!r} is not a number"
                + (" (decimal comma expected)" if comma else ""),
            )
            return None
        if comma:
            text = re.sub(r"[. '\u00a0]", "", text).replace(",", ".")
        else:
            text = text.replace(",", "")
        exact = fit_currency(Decimal(text), cur, where, self.findings)
        return -exact if exact is not None and negative else exact

    def _date(self, cell: Cell, where: str, label: str) -> date | None:
        if cell is None or cell == "":
            if label == "date":
                self.findings.problem(where, "date is empty")
            return None
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        text = str(cell).strip()
        fmt = str(self.layout.get("date_format", "iso")).lower()
        try:
            if fmt == "iso":
                return date.fromisoformat(text[:10])
            if fmt in ("d/m/y", "m/d/y"):
                parts = re.split(r"[/.\-]", text)
                if len(parts) != 3 or not all(ascii_digits(p) for p in parts):
                    raise ValueError(text)
                day, month = (parts[0], parts[1]) if fmt == "d/m/y" else (parts[1], parts[0])
                year = int(parts[2]) + (2000 if len(parts[2]) == 2 else 0)
                return date(year, int(month), int(day))
            return datetime.strptime(text, str(self.layout["date_format"])).date()
        except ValueError:
            self.findings.problem(where, f"{label} {text!r} is not a date in format {fmt}")
            return None

    def _direction(
        self, row: Sequence[Cell], amount: Decimal | None, where: str
    ) -> Direction | None:
        raw = self._cell(row, "direction")
        if raw is None or raw == "":
            if amount is None:
                return None
            return Direction.DEBIT if amount < 0 else Direction.CREDIT
        direction = _DIRECTIONS.get(str(raw).strip().lower())
        if direction is None:
            self.findings.problem(where, f"direction {raw!r} is not credit or debit")
            return None
        if amount is not None and amount < 0 and direction is Direction.CREDIT:
            self.findings.problem(where, "negative amount on a credit")
            return None
        return direction

    def _method(self, cell: Cell, where: str) -> Method:
        if cell is None or cell == "":
            return Method.OTHER
        method = _METHODS.get(str(cell).strip().lower())
        if method is None:
            self.findings.problem(where, f"method {cell!r} is not one of {', '.join(_METHODS)}")
            return Method.OTHER
        return method


def _text(cell: Cell) -> str | None:
    if cell is None:
        return None
    text = str(cell).strip()
    return text or None
