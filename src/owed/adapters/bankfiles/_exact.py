"""Helpers shared by the CAMT, MT940 and CSV/XLSX importers (part B).

Two concerns live here so each importer does not reinvent them:

* ``Findings`` collects every problem and warning while a file is read, so one
  run reports every bad row and ``raise_if_any`` raises one ``InvalidFile``.
* ``exact_amount`` is the only way an amount text becomes a ``Decimal``: it
  refuses non-numbers and never rounds. An amount with more decimals than the
  currency has is accepted only when the extra digits are zeros (``8.850 EUR``
  is ``8.85``); otherwise it is a problem naming the position.

``swift_method`` maps SWIFT transaction type codes (MT940 ``:61:`` ``NTRF``,
CAMT proprietary codes) to a ``Method``; it is shared by CAMT and MT940.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from owed.domain.errors import InvalidFile, Problem, UnknownCurrency
from owed.domain.money import Currency
from owed.domain.payments.statement import Method


@dataclass
class Findings:
    """Problems (the file is refused) and warnings (it is not) found so far."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    padded_amounts: int = 0  # amounts exact only after dropping trailing zeros

    def problem(self, position: str, reason: str, row: int | None = None) -> None:
        self.problems.append(Problem(position=position, reason=reason, row=row))

    def warn(self, position: str, reason: str) -> None:
        self.warnings.append(f"{position}: {reason}")

    def raise_if_any(self, what: str = "file") -> None:
        if self.problems:
            raise InvalidFile(self.name, list(self.problems), what)

    def final_warnings(self) -> tuple[str, ...]:
        extra = []
        if self.padded_amounts:
            extra.append(
                f"{self.padded_amounts} amount(s) had more decimal places than their currency "
                "allows; each was exact (only trailing zeros), none was rounded"
            )
        return (*self.warnings, *extra)


def currency_or_none(code: str | None) -> Currency | None:
    """The ``Currency`` for an ISO 4217 code, or ``None`` when it is not one."""
    if not code:
        return None
    try:
        return Currency.of(code)
    except UnknownCurrency:
        return None


def exact_amount(
    text: str | None,
    currency: str,
    position: str,
    findings: Findings,
    *,
    decimal_comma: bool = False,
    allow_negative: bool = False,
    strict_decimals: bool = True,
) -> Decimal | None:
    """Read ``text`` as an exact amount in ``currency``; ``None`` after a problem.

    With ``strict_decimals=False`` an amount that does not fit the currency is
    kept as given and reported as a warning instead of a problem (used for
    balances in lenient mode: they are not posted).
    """
    if text is None or not text.strip():
        findings.problem(position, "amount is missing")
        return None
    raw = text.strip()
    cleaned = raw.replace(",", ".") if decimal_comma else raw
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        findings.problem(position, f"{raw!r} is not a decimal amount")
        return None
    if not value.is_finite():
        findings.problem(position, f"{raw!r} is not a finite amount")
        return None
    if value < 0 and not allow_negative:
        findings.problem(position, f"amount {raw} is negative; the sign belongs in the indicator")
        return None
    cur = currency_or_none(currency)
    if cur is None:
        findings.problem(position, f"unknown currency code {currency!r}")
        return None
    return fit_currency(value, cur, position, findings, strict_decimals=strict_decimals)


def fit_currency(
    value: Decimal,
    cur: Currency,
    position: str,
    findings: Findings,
    *,
    strict_decimals: bool = True,
) -> Decimal | None:
    """``value`` at the currency's minor unit when that is exact; never rounds."""
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if value != cur.round(value):
        reason = (
            f"{value} {cur.code} has {places} decimal places but {cur.code} allows "
            f"{cur.minor_units}; refusing to round"
        )
        if strict_decimals:
            findings.problem(position, reason)
            return None
        findings.warn(position, reason + " (kept as given)")
        return value
    if places > cur.minor_units:
        findings.padded_amounts += 1
    return cur.round(value)


# SWIFT transaction type codes (MT940 field 61 subfield 6, also used as CAMT
# proprietary codes): the letter N/S/F then three letters. Only the codes that
# say something about the payment method are listed.
_SWIFT_METHODS: dict[str, Method] = {
    "CHK": Method.CHECK,
    "CLR": Method.CHECK,
    "TRF": Method.WIRE,
    "DDT": Method.ACH,
    "STO": Method.ACH,
    "RTI": Method.OTHER,
    "CHG": Method.OTHER,
    "CMZ": Method.WIRE,
    "BOE": Method.OTHER,
    "COL": Method.ACH,
}

#: SWIFT codes for a returned item: a debit with one of these is a reversal.
SWIFT_RETURN_CODES = frozenset({"RTI"})


def swift_method(code: str | None) -> Method:
    """The payment method a SWIFT type code (``NTRF``, ``S103``...) implies."""
    if not code or len(code) < 4:
        return Method.OTHER
    kind, rest = code[0].upper(), code[1:4].upper()
    if kind == "S" and rest.isdigit():
        # An S-code names the SWIFT message type that carried the payment.
        return Method.WIRE if rest.startswith(("1", "2")) else Method.OTHER
    if kind in "NF":
        return _SWIFT_METHODS.get(rest, Method.OTHER)
    return Method.OTHER
