"""Payment terms: when a document falls due and what paying early is worth.

``PaymentTerms`` is a small immutable value with four kinds:

* ``NET`` ("NET 30"): due N days after the issue date, optionally with an
  early-payment discount ("2/10 NET 30": 2 % off when paid within 10 days);
* ``EOM`` ("EOM+15"): due N days after the last day of the issue month;
* ``RECEIPT`` ("DUE ON RECEIPT", also read from "COD"): due on the issue date;
* ``INSTALLMENTS`` ("INSTALLMENTS 30:50,60:50"): several parts, each due a
  number of days after issue and worth a percent of the total or a fixed
  amount ("0:100.00 USD,30:50,60:50").

Design:

* ``PaymentTerms.parse`` reads the common spellings; ``code`` writes the one
  canonical spelling, and ``parse(t.code) == t`` always holds.
* Money is split only through ``Money.allocate``: installments always sum to
  the document total, to the minor unit. Fixed-amount parts are taken first;
  percent parts share what is left and their percents must sum to 100.
* The discount is computed on the document total and rounded half-up to the
  currency's minor unit (``Money.round``).
* Dates are always passed in; nothing here reads a clock.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Final

from owed.domain.errors import InvalidInput
from owed.domain.money import Money, to_decimal

HUNDRED: Final = Decimal(100)

ACCEPTED_FORMS: Final = (
    '"NET 30" (also "NET30", "Net 30 days", "N30"), '
    '"2/10 NET 30" (also "2% 10 Net 30", "2%/10 NET 30"), '
    '"EOM+15" (also "EOM 15", "EOM"), '
    '"DUE ON RECEIPT" (also "RECEIPT", "DUE UPON RECEIPT", "COD"), '
    '"INSTALLMENTS 30:50,60:50" (days:percent, or days:AMOUNT CUR for a fixed amount)'
)


class TermsKind(StrEnum):
    NET = "net"
    EOM = "eom"
    RECEIPT = "receipt"
    INSTALLMENTS = "installments"


def percent_text(value: Decimal) -> str:
    """A percent without exponent or trailing zeros: ``Decimal("2.50")`` → ``"2.5"``."""
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Discount:
    """An early-payment discount: ``percent`` off when paid within ``days`` of issue."""

    percent: Decimal
    days: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", to_decimal(self.percent))
        if not 0 < self.percent < HUNDRED:
            raise InvalidInput(
                f"discount percent {self.percent} must be greater than 0 and below 100",
                percent=self.percent,
            )
        if self.days < 0:
            raise InvalidInput(f"discount days {self.days} must not be negative", days=self.days)


@dataclass(frozen=True, slots=True)
class InstallmentPart:
    """One part of installment terms: due ``days`` after issue, a percent XOR a fixed amount."""

    days: int
    percent: Decimal | None = None
    amount: Money | None = None

    def __post_init__(self) -> None:
        if self.days < 0:
            raise InvalidInput(f"installment days {self.days} must not be negative")
        if (self.percent is None) == (self.amount is None):
            raise InvalidInput("an installment part has either a percent or an amount, not both")
        if self.percent is not None:
            object.__setattr__(self, "percent", to_decimal(self.percent))
            if not 0 < self.percent <= HUNDRED:
                raise InvalidInput(f"installment percent {self.percent} must be in (0, 100]")
        if self.amount is not None and (self.amount.amount <= 0 or not self.amount.is_exact):
            raise InvalidInput(
                f"installment amount {self.amount!r} must be positive and fit the currency's "
                "minor unit"
            )

    @property
    def code(self) -> str:
        if self.amount is not None:
            return f"{self.days}:{self.amount.format(grouping=False)} {self.amount.currency}"
        assert self.percent is not None
        return f"{self.days}:{percent_text(self.percent)}"


@dataclass(frozen=True, slots=True)
class Installment:
    """One scheduled amount and the date it falls due."""

    due_date: date
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """Immutable payment terms; build with the class methods or ``parse``."""

    kind: TermsKind
    days: int = 0
    discount: Discount | None = None
    parts: tuple[InstallmentPart, ...] = ()

    def __post_init__(self) -> None:
        if self.days < 0:
            raise InvalidInput(f"payment terms days {self.days} must not be negative")
        if self.discount is not None:
            if self.kind is not TermsKind.NET:
                raise InvalidInput("an early-payment discount combines only with NET terms")
            if self.discount.days > self.days:
                raise InvalidInput(
                    f"discount days {self.discount.days} exceed the net days {self.days}"
                )
        if self.kind is TermsKind.INSTALLMENTS:
            _check_parts(self.parts)
        elif self.parts:
            raise InvalidInput("installment parts belong only to INSTALLMENTS terms")
        if self.kind in (TermsKind.RECEIPT, TermsKind.INSTALLMENTS) and self.days:
            raise InvalidInput(f"{self.kind} terms take no days")

    # -- construction -----------------------------------------------------
    @classmethod
    def net(cls, days: int, discount: Discount | None = None) -> PaymentTerms:
        return cls(TermsKind.NET, days, discount)

    @classmethod
    def end_of_month(cls, days: int = 0) -> PaymentTerms:
        return cls(TermsKind.EOM, days)

    @classmethod
    def on_receipt(cls) -> PaymentTerms:
        return cls(TermsKind.RECEIPT)

    @classmethod
    def installments(cls, parts: list[InstallmentPart]) -> PaymentTerms:
        return cls(TermsKind.INSTALLMENTS, parts=tuple(parts))

    @classmethod
    def parse(cls, text: str) -> PaymentTerms:
        """Read terms from their common spellings; see ``ACCEPTED_FORMS``."""
        return _parse(text)

    @property
    def code(self) -> str:
        """The canonical spelling; ``PaymentTerms.parse(terms.code) == terms``."""
        if self.kind is TermsKind.NET:
            net = f"NET {self.days}"
            if self.discount is None:
                return net
            return f"{percent_text(self.discount.percent)}/{self.discount.days} {net}"
        if self.kind is TermsKind.EOM:
            return f"EOM+{self.days}" if self.days else "EOM"
        if self.kind is TermsKind.RECEIPT:
            return "DUE ON RECEIPT"
        return "INSTALLMENTS " + ",".join(part.code for part in self.parts)

    def __str__(self) -> str:
        return self.code

    # -- dates ------------------------------------------------------------
    def due_date(self, issue: date) -> date:
        """The (final) due date; for installments, the due date of the last part."""
        if self.kind is TermsKind.NET:
            return issue + timedelta(days=self.days)
        if self.kind is TermsKind.EOM:
            return end_of_month(issue) + timedelta(days=self.days)
        if self.kind is TermsKind.RECEIPT:
            return issue
        return issue + timedelta(days=self.parts[-1].days)

    def discount_date(self, issue: date) -> date | None:
        """The last day the early-payment discount may be taken, or None without one."""
        if self.discount is None:
            return None
        return issue + timedelta(days=self.discount.days)

    # -- amounts ----------------------------------------------------------
    def discount_amount(self, total: Money) -> Money:
        """The discount on ``total``, rounded half-up to the currency's minor unit."""
        if self.discount is None:
            return Money.zero(total.currency)
        return (total * (self.discount.percent / HUNDRED)).round()

    def discount_available(
        self, total: Money, issue: date, paid_on: date, grace_days: int = 0
    ) -> Money:
        """The discount a payment made on ``paid_on`` may take (zero after the date + grace)."""
        if grace_days < 0:
            raise InvalidInput(f"grace days {grace_days} must not be negative")
        last_day = self.discount_date(issue)
        if last_day is None or paid_on > last_day + timedelta(days=grace_days):
            return Money.zero(total.currency)
        return self.discount_amount(total)

    def schedule(self, issue: date, total: Money) -> list[Installment]:
        """What falls due when; the amounts always sum to ``total`` exactly."""
        if self.kind is not TermsKind.INSTALLMENTS:
            return [Installment(self.due_date(issue), total)]
        amounts = _split_installments(self.parts, total)
        return [
            Installment(issue + timedelta(days=part.days), amount)
            for part, amount in zip(self.parts, amounts, strict=True)
        ]


def end_of_month(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _check_parts(parts: tuple[InstallmentPart, ...]) -> None:
    if not parts:
        raise InvalidInput("INSTALLMENTS terms need at least one part")
    days = [part.days for part in parts]
    if any(later <= earlier for earlier, later in pairwise(days)):
        raise InvalidInput(f"installment days must strictly increase, got {days}")
    percents = [part.percent for part in parts if part.percent is not None]
    if percents and sum(percents, Decimal(0)) != HUNDRED:
        raise InvalidInput(f"installment percents must sum to 100, got {sum(percents, Decimal(0))}")
    currencies = {part.amount.currency for part in parts if part.amount is not None}
    if len(currencies) > 1:
        raise InvalidInput("fixed installment amounts must share one currency")


def _split_installments(parts: tuple[InstallmentPart, ...], total: Money) -> list[Money]:
    """Fixed amounts first; percent parts share the rest through ``Money.allocate``."""
    fixed = sum((p.amount for p in parts if p.amount is not None), Money.zero(total.currency))
    rest = total - fixed
    percents = [p.percent for p in parts if p.percent is not None]
    if rest.amount < 0 or (not percents and rest):
        raise InvalidInput(
            f"fixed installment amounts ({fixed}) do not fit the total {total}",
            total=total,
        )
    shares = iter(rest.allocate(percents) if percents else [])
    return [p.amount if p.amount is not None else next(shares) for p in parts]


# -- parsing --------------------------------------------------------------------

_NUMBER = r"(\d+(?:\.\d+)?)"
_NET = re.compile(r"(?:NET|N)\s*(\d+)(?:\s*DAYS?)?")
_DISCOUNT_NET = re.compile(
    rf"{_NUMBER}\s*%?\s*(?:/|\s)\s*(\d+)(?:\s*DAYS?)?\s*,?\s*(?:NET|N)\s*(\d+)(?:\s*DAYS?)?"
)
_EOM = re.compile(r"(?:NET\s*)?EOM(?:\s*\+?\s*(\d+)(?:\s*DAYS?)?)?")
_RECEIPT = re.compile(r"(?:DUE\s+(?:ON|UPON)\s+)?RECEIPT|COD|C\.O\.D\.?|CASH\s+ON\s+DELIVERY")
_INSTALLMENTS = re.compile(r"INSTALL?MENTS?\s*:?\s*(.+)")
_PART = re.compile(r"(\d+)\s*:\s*(?:(\d+(?:\.\d+)?)\s*%?|(\d+(?:\.\d+)?)\s+([A-Z]{3}))")


def _bad(text: str, reason: str = "") -> InvalidInput:
    why = f" ({reason})" if reason else ""
    return InvalidInput(
        f"cannot read payment terms {text!r}{why}; accepted forms: {ACCEPTED_FORMS}", text=text
    )


def _parse(text: str) -> PaymentTerms:
    cleaned = " ".join(text.upper().split())
    try:
        if match := _DISCOUNT_NET.fullmatch(cleaned):
            discount = Discount(Decimal(match[1]), int(match[2]))
            return PaymentTerms.net(int(match[3]), discount)
        if match := _NET.fullmatch(cleaned):
            return PaymentTerms.net(int(match[1]))
        if match := _EOM.fullmatch(cleaned):
            return PaymentTerms.end_of_month(int(match[1] or 0))
        if _RECEIPT.fullmatch(cleaned):
            return PaymentTerms.on_receipt()
        if match := _INSTALLMENTS.fullmatch(cleaned):
            return PaymentTerms.installments(_parse_parts(text, match[1]))
    except InvalidInput as error:
        raise _bad(text, error.message) from None
    raise _bad(text)


def _parse_parts(text: str, body: str) -> list[InstallmentPart]:
    parts = []
    for position, item in enumerate(body.split(","), start=1):
        match = _PART.fullmatch(item.strip())
        if match is None:
            raise InvalidInput(f"installment part {position} {item.strip()!r} is not days:percent")
        days = int(match[1])
        if match[2] is not None:
            parts.append(InstallmentPart(days, percent=Decimal(match[2])))
        else:
            parts.append(InstallmentPart(days, amount=Money(match[3], match[4])))
    return parts
