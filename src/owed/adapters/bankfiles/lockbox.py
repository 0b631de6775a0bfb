"""BAI lockbox transmissions: fixed-width records, one check per type 6 record.

Record types (the first character of each line)::

    1 immediate address header    2 service record
    5 lockbox / batch header      6 check detail (amount, MICR, check number)
    4 overflow (more invoices)    7 batch total
    8 lockbox (service) total     9 file trailer (record count)

Every bank moves the fields around, so the columns are data, not code: a
*layout* maps record type -> field name -> ``(start, end)``, 1-based and
inclusive, as bank specifications print them. Two layouts are built in:

* ``bai-standard`` (the default): the 80-byte textbook layout; the 6 record
  carries one invoice (number and amount) after the check number and each 4
  record three more.
* ``bai-remitter``: the variant whose 6 record carries the check date
  (MMDDYY) and the remitter and payee names, and whose 4 record carries a
  30-character memo holding an invoice reference (the sample files in
  ``shared/samples/lockbox`` use it).

``ParseOptions.layout`` (usually read by ``load_layout`` from a TOML or JSON
file) overrides fields of a base layout; see docs/formats.md.

Each check becomes a ``StatementLine`` (method LOCKBOX, a credit) with its
invoices as ``RemittanceLine``s. A check amount that differs from the sum of
its invoices is normal and not reported. Batch (7), lockbox (8) and file (9)
totals are checked. Short lines are read as if padded with blanks.
"""

from __future__ import annotations

import copy
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from owed.adapters.bankfiles._common import Report, decode, digits, parse_date
from owed.domain.errors import ConfigurationError, UnknownCurrency
from owed.domain.money import Currency
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    ParseOptions,
    RemittanceLine,
    Statement,
    StatementLine,
)

FORMAT = "lockbox"

Columns = tuple[int, int]
Layout = dict[str, dict[str, Columns]]

_COMMON: Layout = {
    "1": {"priority": (2, 3), "destination": (4, 13), "origin": (14, 23), "date": (24, 29)},
    "2": {"destination": (2, 11), "origin": (12, 21), "service_type": (32, 34)},
    "5": {"batch": (2, 4), "lockbox": (8, 14), "deposit_date": (15, 20)},
    "7": {
        "batch": (2, 4),
        "lockbox": (8, 14),
        "deposit_date": (15, 20),
        "count": (21, 23),
        "amount": (24, 33),
    },
    "8": {"lockbox": (8, 14), "deposit_date": (15, 20), "count": (21, 24), "amount": (25, 34)},
    "9": {"record_count": (2, 7)},
}

BUILT_IN_LAYOUTS: dict[str, Layout] = {
    "bai-standard": {
        **_COMMON,
        "6": {
            "batch": (2, 4),
            "item": (5, 7),
            "amount": (8, 17),
            "routing": (18, 26),
            "account": (27, 36),
            "check_number": (37, 46),
            "invoice_1": (47, 56),
            "invoice_amount_1": (57, 66),
        },
        "4": {
            "batch": (2, 4),
            "item": (5, 7),
            "invoice_1": (12, 21),
            "invoice_amount_1": (22, 31),
            "invoice_2": (32, 41),
            "invoice_amount_2": (42, 51),
            "invoice_3": (52, 61),
            "invoice_amount_3": (62, 71),
        },
    },
    "bai-remitter": {
        **_COMMON,
        "6": {
            "batch": (2, 4),
            "item": (5, 7),
            "amount": (8, 17),
            "routing": (18, 26),
            "account": (27, 36),
            "check_number": (37, 46),
            "check_date": (47, 52),
            "remitter_name": (53, 82),
            "payee_name": (83, 102),
        },
        "4": {"batch": (2, 4), "item": (5, 7), "invoice_1": (12, 41)},
    },
}
DEFAULT_LAYOUT = "bai-standard"
_MAX_INVOICES = 99
_RECORD_TYPES = frozenset("12456789")


def sniff(data: bytes) -> bool:
    """Fixed-width lines starting 1, 2, then 5: a lockbox transmission."""
    lines = decode(data[:2000]).splitlines()
    if len(lines) < 3 or not lines[0].startswith("1") or lines[0][1:3] == "01":
        return False
    return lines[1].startswith("2") and all(line[:1] in "1245 6789" for line in lines if line)


def load_layout(path: str | Path) -> dict[str, object]:
    """Read a layout file (``.toml`` or ``.json``) and check it; ``ConfigurationError`` if bad."""
    where = Path(path)
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{where}: cannot read lockbox layout ({exc})") from None
    try:
        raw = tomllib.loads(text) if where.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{where}: not valid TOML/JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: a lockbox layout must be a table of record types")
    resolve_layout(raw, str(where))  # refuse a bad file now, not at import time
    return raw


def resolve_layout(spec: dict[str, object], source: str = "layout") -> tuple[Layout, str]:
    """The full layout and its deposit-date format from a spec (base + overrides)."""
    base_name = spec.get("base", DEFAULT_LAYOUT)
    if not isinstance(base_name, str) or base_name not in BUILT_IN_LAYOUTS:
        known = ", ".join(sorted(BUILT_IN_LAYOUTS))
        raise ConfigurationError(f"{source}: base {base_name!r} is not a built-in layout ({known})")
    date_format = spec.get("date_format", "YYMMDD")
    if date_format not in ("YYMMDD", "MMDDYY", "YYYYMMDD"):
        raise ConfigurationError(f"{source}: date_format {date_format!r} is not supported")
    layout = copy.deepcopy(BUILT_IN_LAYOUTS[base_name])
    for key, value in spec.items():
        if key in ("base", "date_format"):
            continue
        if key not in _RECORD_TYPES or not isinstance(value, dict):
            raise ConfigurationError(
                f"{source}: {key!r} is not a record type (1, 2, 4, 5, 6, 7, 8, 9) with fields"
            )
        fields = layout.setdefault(key, {})
        for name, columns in value.items():
            fields[str(name)] = _columns(columns, f"{source}: record {key} field {name}")
    return layout, str(date_format)


def _columns(value: object, where: str) -> Columns:
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1] <= 1000
    )
    if not ok or not isinstance(value, (list, tuple)):
        raise ConfigurationError(f"{where}: expected [start, end] columns, 1-based, got {value!r}")
    return int(value[0]), int(value[1])


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    layout, date_format = resolve_layout(options.layout or {}, "ParseOptions.layout")
    report = Report(name, options.strict)
    try:
        currency = Currency.of(options.default_currency)
    except UnknownCurrency:
        raise ConfigurationError(
            f"default currency {options.default_currency!r} is not ISO 4217"
        ) from None
    reader = _Reader(report, layout, date_format, currency)
    for number, line in enumerate(decode(data).splitlines(), 1):
        if line.strip():
            reader.feed(number, line.rstrip("\r\n"))
    reader.end()
    return report.finish(FORMAT, reader.statements())


@dataclass
class _Check:
    line: int
    lockbox: str
    batch: str
    item: str
    amount: Decimal
    deposit_date: date | None
    check_number: str
    payer_account: str | None
    remitter: str | None
    invoices: list[RemittanceLine] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)


@dataclass
class _Reader:
    report: Report
    layout: Layout
    date_format: str
    currency: Currency
    lockbox: str = ""
    deposit_date: date | None = None
    checks: list[_Check] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # lockbox numbers in file order
    batch_count: int = 0
    batch_total: int = 0
    box_count: int = 0
    box_total: int = 0
    records: int = 0
    trailer_seen: bool = False

    def feed(self, number: int, line: str) -> None:
        self.records += 1
        kind = line[:1]
        where = f"line {number}"
        if self.trailer_seen:
            self.report.problem(where, "record after the 9 file trailer")
            return
        if kind not in self.layout:
            self.report.problem(where, f"record type {kind!r} is not a lockbox record type")
            return
        values = {k: _cut(line, cols) for k, cols in self.layout[kind].items()}
        if kind == "5":
            self._header(where, values)
        elif kind == "6":
            self._check(number, line, values)
        elif kind == "4":
            self._overflow(where, line, values)
        elif kind == "7":
            batch = values.get("batch", "").strip()
            self._total(where, values, f"batch {batch}", self.batch_count, self.batch_total)
            self.batch_count = self.batch_total = 0
        elif kind == "8":
            self._total(where, values, f"lockbox {self.lockbox}", self.box_count, self.box_total)
            self.box_count = self.box_total = 0
        elif kind == "9":
            self.trailer_seen = True
            stated = digits(values.get("record_count", ""), where, "record count", self.report)
            if stated is not None:
                what = "file record count"
                self.report.control(where, what, Decimal(stated), Decimal(self.records))

    def end(self) -> None:
        if self.records == 0:
            self.report.problem("line 1", "empty file: no lockbox records")
        elif not self.trailer_seen:
            self.report.problem("end of file", "no 9 file trailer: the file may be truncated")

    def _header(self, where: str, values: dict[str, str]) -> None:
        self.lockbox = values.get("lockbox", "").strip().lstrip("0") or "0"
        text = values.get("deposit_date", "")
        self.deposit_date = parse_date(text, self.date_format)
        if self.deposit_date is None:
            self.report.problem(where, f"deposit date {text!r} is not a {self.date_format} date")
        if self.lockbox not in self.order:
            self.order.append(self.lockbox)

    def _check(self, number: int, line: str, values: dict[str, str]) -> None:
        where = f"line {number}"
        if not self.order:
            self.report.problem(where, "check record before any 5 lockbox header")
            return
        minor = digits(values.get("amount", ""), where, "check amount", self.report)
        if minor is None:
            return
        self.batch_count += 1
        self.box_count += 1
        self.batch_total += minor
        self.box_total += minor
        routing = values.get("routing", "").strip()
        account = values.get("account", "").strip()
        check = _Check(
            line=number,
            lockbox=self.lockbox,
            batch=values.get("batch", "").strip(),
            item=values.get("item", "").strip(),
            amount=self.currency.from_minor(minor),
            deposit_date=self.deposit_date,
            check_number=values.get("check_number", "").strip().lstrip("0"),
            payer_account=f"{routing}/{account}" if routing or account else None,
            remitter=values.get("remitter_name", "").strip() or None,
            raw=[line],
        )
        check.invoices.extend(self._invoices(where, values))
        self.checks.append(check)

    def _overflow(self, where: str, line: str, values: dict[str, str]) -> None:
        check = self.checks[-1] if self.checks else None
        batch, item = values.get("batch", "").strip(), values.get("item", "").strip()
        if check is None or (batch, item) != (check.batch, check.item):
            self.report.problem(where, f"overflow for batch {batch!r} item {item!r} has no check")
            return
        check.invoices.extend(self._invoices(where, values))
        check.raw.append(line)

    def _invoices(self, where: str, values: dict[str, str]) -> list[RemittanceLine]:
        found: list[RemittanceLine] = []
        for n in range(1, _MAX_INVOICES + 1):
            key = f"invoice_{n}"
            if key not in values and f"invoice_amount_{n}" not in values:
                break
            reference = values.get(key, "").strip()
            amount_text = values.get(f"invoice_amount_{n}", "").strip()
            paid: Decimal | None = None
            if amount_text:
                minor = digits(amount_text, where, f"invoice amount {n}", self.report)
                paid = None if minor is None else self.currency.from_minor(minor)
            if reference:
                found.append(RemittanceLine(reference=reference, paid=paid))
            elif paid is not None:
                self.report.warn(where, f"invoice amount {n} ({paid}) has no invoice number")
        return found

    def _total(self, where: str, values: dict[str, str], what: str, count: int, total: int) -> None:
        stated_count = digits(values.get("count", ""), where, f"{what} item count", self.report)
        stated_total = digits(values.get("amount", ""), where, f"{what} amount", self.report)
        if stated_count is not None:
            self.report.control(where, f"{what} item count", Decimal(stated_count), Decimal(count))
        if stated_total is not None:
            self.report.control(
                where,
                f"{what} total",
                self.currency.from_minor(stated_total),
                self.currency.from_minor(total),
            )

    def statements(self) -> list[Statement]:
        result = []
        for lockbox in self.order:
            lines = tuple(_line(c, self.currency) for c in self.checks if c.lockbox == lockbox)
            result.append(Statement(account=lockbox, currency=self.currency.code, lines=lines))
        return result


def _cut(line: str, columns: Columns) -> str:
    """The text in 1-based inclusive columns; blanks where the line is short."""
    start, end = columns
    return line[start - 1 : end]


def _line(check: _Check, currency: Currency) -> StatementLine:
    day = check.deposit_date
    stamp = day.strftime("%Y%m%d") if day else "nodate"
    references = " ".join(r.reference for r in check.invoices)
    return StatementLine(
        amount=check.amount,
        currency=currency.code,
        direction=Direction.CREDIT,
        value_date=day,
        booking_date=day,
        bank_reference=f"LBX{check.lockbox}-{stamp}-{check.batch}-{check.item}",
        customer_reference=check.check_number or None,
        type_code="lockbox",
        method=Method.LOCKBOX,
        payer_name=check.remitter,
        payer_account=check.payer_account,
        remittance_text=references,
        remittance=tuple(check.invoices),
        source_position=f"line {check.line}",
        raw="\n".join(check.raw),
    )
