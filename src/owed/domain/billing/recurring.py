"""Recurring billing: billing periods, proration and subscription charges.

Billing periods
    Periods start on the *anchor day* of a month, every 1, 3 or 12 months.
    An anchor day the month lacks (29–31) falls on the month's last day, and
    each boundary is computed from the anchor day afresh: anchor 31 gives
    Jan 31, Feb 28 (29), Mar 31, Apr 30. A start date off the anchor opens a
    short *stub* period that ends the day before the first anchor date.

Proration convention
    ``prorate(amount, period, from_day)`` = amount × (days from ``from_day`` to
    the period end, both included) ÷ (days in the period), rounded half-up
    to the currency's minor unit once, at the end. A stub period is charged
    as the full period that ends where the stub ends, prorated from its
    first day.

Subscription charges (``charges_for_period``), for one billing period P:
    1. In advance: P at the quantity and unit price in effect on P's first
       day (nothing when that quantity is 0, i.e. cancelled).
    2. Adjustments for the PREVIOUS period P−1, which was billed in advance
       at its start: every change effective after P−1's first day and
       within P−1 adds ``prorate(new charge − old charge, P−1, effective)``:
       a charge line for an upgrade, a negative (credit) line for a
       downgrade. Successive changes telescope, so each day of P−1 ends up
       billed at the price in effect that day. Changes inside P are settled
       in the run for P+1.
    3. In arrears: usage dated within P−1, one line per (description, unit
       price). Usage records outside P−1 belong to another run and are
       ignored.
    The caller makes runs idempotent with ``run_key(subscription_id, P.start)``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import NamedTuple

from owed.domain.billing.documents import DraftLine
from owed.domain.errors import InvalidInput
from owed.domain.money import Money, to_decimal

ONE_DAY = timedelta(days=1)


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "annual": 12}[self.value]


class Period(NamedTuple):
    """A billing period, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def anchor_date(year: int, month: int, anchor_day: int) -> date:
    """The anchor day in a month, or the month's last day when it is shorter."""
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def _shift(day: date, months: int, anchor_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return anchor_date(index // 12, index % 12 + 1, anchor_day)


def _first_anchor(start: date, anchor_day: int) -> date:
    candidate = anchor_date(start.year, start.month, anchor_day)
    return candidate if candidate >= start else _shift(start, 1, anchor_day)


def _check_anchor(anchor_day: int) -> None:
    if not 1 <= anchor_day <= 31:
        raise InvalidInput(f"anchor day {anchor_day} must be between 1 and 31")


def billing_periods(
    start: date, anchor_day: int, frequency: Frequency, until: date
) -> list[Period]:
    """Every billing period that starts on or before ``until``, from ``start``."""
    _check_anchor(anchor_day)
    first = _first_anchor(start, anchor_day)
    periods: list[Period] = []
    if start < first and start <= until:
        periods.append(Period(start, first - ONE_DAY))
    step = 0
    boundary = first
    while boundary <= until:
        step += 1
        following = _shift(first, step * frequency.months, anchor_day)
        periods.append(Period(boundary, following - ONE_DAY))
        boundary = following
    return periods


def full_period(period: Period, anchor_day: int, frequency: Frequency) -> Period:
    """The full period a stub belongs to (itself when it already starts on an anchor)."""
    following = period.end + ONE_DAY
    return Period(_shift(following, -frequency.months, anchor_day), period.end)


def prorate(amount: Money, period: Period, from_day: date) -> Money:
    """``amount`` × days from ``from_day`` to the period end ÷ days in the period, rounded."""
    if from_day not in period:
        raise InvalidInput(f"{from_day} is outside the period {period.start} to {period.end}")
    remaining = (period.end - from_day).days + 1
    return Money(amount.amount * remaining / period.days, amount.currency).round()


# -- subscriptions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """From ``effective`` on, the subscription is ``quantity`` × ``unit_price`` per period."""

    effective: date
    quantity: Decimal
    unit_price: Money

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", to_decimal(self.quantity))
        if self.quantity < 0 or self.unit_price.amount < 0:
            raise InvalidInput(f"change on {self.effective}: quantity and price must be >= 0")

    @property
    def charge(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Subscription:
    """A recurring charge; ``changes[0]`` starts it, a change to quantity 0 cancels it."""

    id: str
    description: str
    frequency: Frequency
    anchor_day: int
    changes: tuple[Change, ...]
    tax_code: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        _check_anchor(self.anchor_day)
        if not self.changes:
            raise InvalidInput(f"subscription {self.id} needs at least its starting change")
        dates = [change.effective for change in self.changes]
        if any(b <= a for a, b in pairwise(dates)):
            raise InvalidInput(f"subscription {self.id}: change dates must strictly increase")
        if len({change.unit_price.currency for change in self.changes}) > 1:
            raise InvalidInput(f"subscription {self.id}: all prices must share one currency")

    @property
    def start(self) -> date:
        return self.changes[0].effective

    def in_effect(self, on: date) -> Change:
        """The change in force on ``on`` (the subscription must have started)."""
        current = None
        for change in self.changes:
            if change.effective > on:
                break
            current = change
        if current is None:
            raise InvalidInput(f"subscription {self.id} starts {self.start}, after {on}")
        return current


@dataclass(frozen=True, slots=True)
class UsageRecord:
    on: date
    quantity: Decimal
    unit_price: Money
    description: str = "Usage"

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", to_decimal(self.quantity))


def run_key(subscription_id: str, period_start: date) -> str:
    """The idempotency key of one billing run: at most one run per subscription and period."""
    return f"subscription:{subscription_id}:{period_start.isoformat()}"


def charges_for_period(
    subscription: Subscription, period: Period, usage: Sequence[UsageRecord]
) -> list[DraftLine]:
    """The lines to bill for ``period``: see the module docstring for the exact rules."""
    sub = subscription
    periods = billing_periods(sub.start, sub.anchor_day, sub.frequency, period.start)
    if not periods or periods[-1] != period:
        raise InvalidInput(
            f"{period.start} to {period.end} is not a billing period of subscription {sub.id} "
            f"(started {sub.start}, anchor day {sub.anchor_day}, {sub.frequency})"
        )
    lines = _in_advance(sub, period)
    if len(periods) > 1:
        previous = periods[-2]
        lines += _adjustments(sub, previous)
        lines += _usage_lines(sub, previous, usage)
    return lines


def _basis(sub: Subscription, period: Period) -> Period:
    """The period prorations are measured against (the full period for a stub)."""
    return full_period(period, sub.anchor_day, sub.frequency)


def _label(sub: Subscription, period: Period) -> str:
    return f"{sub.description} ({period.start.isoformat()} to {period.end.isoformat()})"


def _line(sub: Subscription, text: str, quantity: Decimal, price: Money) -> DraftLine:
    return DraftLine(text, quantity, price, tax_code=sub.tax_code, account=sub.account)


def _in_advance(sub: Subscription, period: Period) -> list[DraftLine]:
    change = sub.in_effect(period.start)
    if change.quantity == 0:
        return []
    basis = _basis(sub, period)
    if basis == period:
        return [_line(sub, _label(sub, period), change.quantity, change.unit_price)]
    stub = prorate(change.charge, basis, period.start)
    return [_line(sub, _label(sub, period) + ", prorated", Decimal(1), stub)]


def _adjustments(sub: Subscription, previous: Period) -> list[DraftLine]:
    basis = _basis(sub, previous)
    lines = []
    for change in sub.changes:
        if not previous.start < change.effective <= previous.end:
            continue
        before = sub.in_effect(change.effective - ONE_DAY)
        amount = prorate(change.charge - before.charge, basis, change.effective)
        if amount.is_zero():
            continue
        what = "Upgrade" if amount.amount > 0 else "Credit for downgrade"
        text = f"{what} from {change.effective.isoformat()}: {_label(sub, previous)}"
        lines.append(_line(sub, text, Decimal(1), amount))
    return lines


def _usage_lines(
    sub: Subscription, previous: Period, usage: Sequence[UsageRecord]
) -> list[DraftLine]:
    quantities: dict[tuple[str, Money], Decimal] = {}
    for record in usage:
        if record.on in previous:
            key = (record.description, record.unit_price)
            quantities[key] = quantities.get(key, Decimal(0)) + record.quantity
    period_text = f"({previous.start.isoformat()} to {previous.end.isoformat()})"
    return [
        _line(sub, f"{description} {period_text}", quantity, price)
        for (description, price), quantity in quantities.items()
    ]
