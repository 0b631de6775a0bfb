"""Sales tax / VAT on a document: exact, per line and per code.

Inputs are line amounts already rounded to the currency (the "line total"
rounding boundary) and the tax code of each line. Two switches:

* ``prices_include_tax``: False → the amounts are net and tax is added
  (``tax = net × rate / 100``); True → the amounts are gross and tax is
  extracted (``tax = gross × rate / (100 + rate)``, ``net = gross − tax``).
* ``TaxRounding.PER_LINE``: each line's tax is rounded half-up on its own;
  the document's tax is the sum of the rounded line taxes.
  ``TaxRounding.PER_DOCUMENT``: the tax of each code is rounded once, on the
  sum of that code's lines; the line taxes are the exact shares rounded so
  that they add up to it (``spread_rounded``: largest remainder).

Whatever the switches, the result is exact in both directions: every line
has ``net + tax == gross``, every code's base and tax are the sums of its
lines, and the document's net, tax and gross are the sums of the lines.
A line without a tax code carries no tax and is not in any code's summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from owed.domain.billing.rounding import spread_rounded
from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money, to_decimal, total

HUNDRED: Final = Decimal(100)


class TaxRounding(StrEnum):
    PER_LINE = "per_line"
    PER_DOCUMENT = "per_document"


@dataclass(frozen=True, slots=True)
class TaxCode:
    """A tax rate under a code: ``TaxCode("DE19", Decimal("19"), "VAT 19 %")``; rate in percent."""

    code: str
    rate: Decimal
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", to_decimal(self.rate))
        if not self.code.strip():
            raise InvalidInput("a tax code needs a non-empty code")
        if self.rate < 0:
            raise InvalidInput(f"tax code {self.code}: rate {self.rate} % must not be negative")

    def exact_tax(self, amount: Decimal, *, included: bool) -> Decimal:
        """Unrounded tax on a net amount, or contained in a gross amount when ``included``."""
        if included:
            return amount * self.rate / (HUNDRED + self.rate)
        return amount * self.rate / HUNDRED


@dataclass(frozen=True, slots=True)
class TaxableAmount:
    """One line as tax sees it: its rounded amount (net or gross) and its tax code."""

    amount: Money
    tax_code: str | None = None


@dataclass(frozen=True, slots=True)
class LineAmounts:
    net: Money
    tax: Money
    gross: Money
    tax_code: str | None


@dataclass(frozen=True, slots=True)
class TaxSummary:
    """The base (net) and tax of one tax code over the whole document."""

    code: str
    rate: Decimal
    name: str
    base: Money
    tax: Money


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    lines: tuple[LineAmounts, ...]
    taxes: tuple[TaxSummary, ...]
    net: Money
    tax: Money
    gross: Money

    def tax_for(self, code: str) -> Money:
        """The tax of one code (zero when no line uses it)."""
        for summary in self.taxes:
            if summary.code == code:
                return summary.tax
        return Money.zero(self.net.currency)


TaxCodes = Mapping[str, TaxCode] | Iterable[TaxCode]


def index_tax_codes(tax_codes: TaxCodes) -> dict[str, TaxCode]:
    """Tax codes by code, from a mapping or any iterable of ``TaxCode``."""
    codes = tax_codes.values() if isinstance(tax_codes, Mapping) else tax_codes
    return {code.code: code for code in codes}


def compute_tax(
    amounts: Sequence[TaxableAmount],
    tax_codes: TaxCodes,
    *,
    prices_include_tax: bool,
    rounding: TaxRounding,
) -> DocumentTotals:
    """Net, tax and gross per line, per tax code and for the document; see the module doc."""
    if not amounts:
        raise InvalidInput("a document needs at least one line to compute its totals")
    currency = _check_amounts(amounts)
    codes = _resolve_codes(amounts, index_tax_codes(tax_codes))
    taxes = _line_taxes(amounts, codes, currency, prices_include_tax, rounding)
    lines = tuple(
        _line(item, tax, prices_include_tax) for item, tax in zip(amounts, taxes, strict=True)
    )
    return DocumentTotals(
        lines=lines,
        taxes=_summaries(lines, codes, currency),
        net=total((line.net for line in lines), currency),
        tax=total((line.tax for line in lines), currency),
        gross=total((line.gross for line in lines), currency),
    )


def _check_amounts(amounts: Sequence[TaxableAmount]) -> Currency:
    currency = amounts[0].amount.currency
    for position, item in enumerate(amounts, start=1):
        if item.amount.currency != currency:
            raise InvalidInput(
                f"line {position} is in {item.amount.currency}, the document is in {currency}"
            )
        if not item.amount.is_exact:
            raise InvalidInput(
                f"line {position}: amount {item.amount.amount} is not rounded to {currency}"
            )
    return currency


def _resolve_codes(
    amounts: Sequence[TaxableAmount], known: dict[str, TaxCode]
) -> list[TaxCode | None]:
    resolved: list[TaxCode | None] = []
    for position, item in enumerate(amounts, start=1):
        if item.tax_code is None:
            resolved.append(None)
        elif item.tax_code in known:
            resolved.append(known[item.tax_code])
        else:
            raise InvalidInput(
                f"line {position}: unknown tax code {item.tax_code!r} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
    return resolved


def _line_taxes(
    amounts: Sequence[TaxableAmount],
    codes: list[TaxCode | None],
    currency: Currency,
    included: bool,
    rounding: TaxRounding,
) -> list[Decimal]:
    raws = [
        code.exact_tax(item.amount.amount, included=included) if code else Decimal(0)
        for item, code in zip(amounts, codes, strict=True)
    ]
    if rounding is TaxRounding.PER_LINE:
        return [currency.round(raw) for raw in raws]
    taxes = [Decimal(0)] * len(amounts)
    for code in {code.code: code for code in codes if code is not None}.values():
        members = [i for i, c in enumerate(codes) if c is not None and c.code == code.code]
        base = sum((amounts[i].amount.amount for i in members), Decimal(0))
        target = currency.round(code.exact_tax(base, included=included))
        shares = spread_rounded([raws[i] for i in members], target, currency)
        for i, share in zip(members, shares, strict=True):
            taxes[i] = share
    return taxes


def _line(item: TaxableAmount, tax: Decimal, included: bool) -> LineAmounts:
    tax_money = Money(tax, item.amount.currency)
    if included:
        return LineAmounts(item.amount - tax_money, tax_money, item.amount, item.tax_code)
    return LineAmounts(item.amount, tax_money, item.amount + tax_money, item.tax_code)


def _summaries(
    lines: tuple[LineAmounts, ...], codes: list[TaxCode | None], currency: Currency
) -> tuple[TaxSummary, ...]:
    seen = {code.code: code for code in codes if code is not None}
    return tuple(
        TaxSummary(
            code=code.code,
            rate=code.rate,
            name=code.name,
            base=total((line.net for line in lines if line.tax_code == code.code), currency),
            tax=total((line.tax for line in lines if line.tax_code == code.code), currency),
        )
        for code in seen.values()
    )
