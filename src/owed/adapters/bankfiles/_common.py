"""Helpers shared by the BAI2, lockbox, NACHA and X12 820 importers (part A).

Every importer reads the whole file, collecting problems instead of stopping
at the first one, and then calls ``Report.finish``:

* structural problems (a malformed record, a bad number, a wrong record
  order) always refuse the file with one ``InvalidFile`` listing them all;
* control totals the file states about itself become ``ControlCheck`` items;
  a wrong one refuses the file in strict mode and is a warning in lenient
  mode (``ParseOptions.strict=False``).

The small readers here (``digits``, ``yymmdd``...) never raise: they return
``None`` after recording a problem, so a parser can keep going.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from owed.domain.errors import InvalidFile, Problem, UnknownCurrency
from owed.domain.money import Currency
from owed.domain.payments.statement import ControlCheck, ParsedFile, Statement


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 (a BOM is dropped), else Latin-1, which never fails."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


@dataclass
class Report:
    """Problems, warnings and control checks found while reading one file."""

    name: str
    strict: bool
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    controls: list[ControlCheck] = field(default_factory=list)

    def problem(self, position: str, reason: str, row: int | None = None) -> None:
        self.problems.append(Problem(position=position, reason=reason, row=row))

    def warn(self, position: str, reason: str) -> None:
        self.warnings.append(f"{position}: {reason}")

    def control(self, position: str, what: str, stated: Decimal, computed: Decimal) -> None:
        self.controls.append(ControlCheck(position, what, stated, computed))

    def finish(
        self,
        fmt: str,
        statements: list[Statement],
        what: str = "file",
        file_id: str | None = None,
    ) -> ParsedFile:
        """The parsed file, or ``InvalidFile`` naming every problem found."""
        problems = list(self.problems)
        warnings = list(self.warnings)
        for check in self.controls:
            if check.ok:
                continue
            reason = (
                f"{check.what}: file states {check.stated}, the records add up to {check.computed}"
            )
            if self.strict:
                problems.append(Problem(position=check.position, reason=reason))
            else:
                warnings.append(f"{check.position}: {reason} (lenient mode: imported anyway)")
        if problems:
            raise InvalidFile(self.name, problems, what)
        return ParsedFile(
            format=fmt,
            statements=tuple(statements),
            controls=tuple(self.controls),
            warnings=tuple(warnings),
            file_id=file_id,
        )


#: Longest digit string read as a number: beyond this no real amount or count lies.
MAX_DIGITS = 18


def ascii_digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits only: ``str.isdigit`` also accepts
    superscripts and other scripts' digits, which ``int`` and ``Decimal`` refuse."""
    return text.isascii() and text.isdigit()


def digits(text: str, position: str, what: str, report: Report) -> int | None:
    """An unsigned integer made of ASCII digits only; ``None`` after a problem."""
    value = text.strip()
    if not value or not ascii_digits(value):
        report.problem(position, f"{what} {text!r} is not a whole number")
        return None
    if len(value) > MAX_DIGITS:
        report.problem(position, f"{what} {text!r} has more than {MAX_DIGITS} digits")
        return None
    return int(value)


def signed_digits(text: str, position: str, what: str, report: Report) -> int | None:
    """An integer with an optional ``+``/``-`` sign; ``None`` after a problem."""
    value = text.strip()
    body = value[1:] if value[:1] in "+-" else value
    if not body or not ascii_digits(body):
        report.problem(position, f"{what} {text!r} is not a whole number")
        return None
    if len(body) > MAX_DIGITS:
        report.problem(position, f"{what} {text!r} has more than {MAX_DIGITS} digits")
        return None
    return -int(body) if value.startswith("-") else int(body)


def decimal_text(text: str, position: str, what: str, report: Report) -> Decimal | None:
    """An explicit decimal such as ``-1170.49`` or ``220`` (X12 type R)."""
    value = text.strip()
    body = value[1:] if value[:1] in "+-" else value
    if not body or body.count(".") > 1 or not body.replace(".", "").isdigit() or body == ".":
        report.problem(position, f"{what} {text!r} is not a decimal number")
        return None
    if not body.isascii() or len(body) > MAX_DIGITS + 1:
        report.problem(position, f"{what} {text!r} is not a decimal number of at most 18 digits")
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - excluded by the checks above
        report.problem(position, f"{what} {text!r} is not a decimal number")
        return None


def century(two_digits: int) -> int:
    """Two-digit year to four: 70-99 are 19xx, 00-69 are 20xx."""
    return 1900 + two_digits if two_digits >= 70 else 2000 + two_digits


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, fmt: str) -> date | None:
    """``YYMMDD``, ``MMDDYY``, ``YYYYMMDD`` (also called ``CCYYMMDD``); ``None`` if invalid."""
    value = text.strip()
    if not ascii_digits(value):
        return None
    if fmt == "YYMMDD" and len(value) == 6:
        return make_date(century(int(value[:2])), int(value[2:4]), int(value[4:6]))
    if fmt == "MMDDYY" and len(value) == 6:
        return make_date(century(int(value[4:6])), int(value[:2]), int(value[2:4]))
    if fmt in ("YYYYMMDD", "CCYYMMDD") and len(value) == 8:
        return make_date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    return None


def currency_of(code: str, position: str, report: Report) -> Currency | None:
    """The ``Currency`` for an ISO 4217 code; ``None`` after a problem."""
    try:
        return Currency.of(code)
    except UnknownCurrency:
        report.problem(position, f"unknown currency code {code!r} (expected ISO 4217)")
        return None


def fit(value: Decimal | None, currency: Currency, position: str, report: Report) -> Decimal | None:
    """``value`` at the currency's minor unit (``220`` -> ``220.00``); never rounds.

    An amount with more decimals than the currency allows is a problem unless
    the extra digits are zeros.
    """
    if value is None:
        return None
    if value != currency.round(value):
        report.problem(
            position,
            f"{value} has more decimal places than {currency.code} allows "
            f"({currency.minor_units}); refusing to round",
        )
        return None
    return currency.round(value)


def from_minor(minor: int, currency: Currency) -> Decimal:
    """Integer minor units (implied decimals) to an exact ``Decimal``."""
    return currency.from_minor(minor)
