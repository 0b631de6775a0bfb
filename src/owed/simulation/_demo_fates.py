"""What happens to each demo invoice: when and how it is paid, disputed, or not.

A ``Fate`` is decided per invoice from its customer's ``Behaviour``: a payment
date (due date plus a normal spread of days late; snapped to the customer's
weekly payment run when it pays several invoices at once, and to a business
day), an early-payment discount taken in time or late, a short payment with
or without a reason, or a dispute (partial: deducted from the payment; full:
nothing paid until it is resolved). Dates may lie in the future: those
payments simply have not happened by ``today``.

``ensure_mix`` makes sure the bank activity of the two report days shows
every kind of mess the demo is meant to show, by moving a few payments that
were still to come into those days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from owed.simulation._demo_billing import Bill
from owed.simulation._demo_customers import Account

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Dispute reasons, their weights, and whether they dispute the whole invoice.
_REASONS = (
    ("pricing", 22, False), ("quantity", 12, False), ("damaged_quality", 14, False),
    ("tax", 4, False), ("shortage", 14, False), ("trade_promotion", 12, False),
    ("duplicate_billing", 6, True), ("not_received", 8, True), ("other", 8, False),
)  # fmt: skip
_SHORT_REASONS = ("other", "damaged_quality", "shortage", "pricing")


@dataclass
class Dispute:
    reason: str
    amount: Decimal
    opened: date
    closes: date
    outcome: str  # credit_memo | rejected | write_off
    full: bool


@dataclass
class Fate:
    bill: Bill
    pay_on: date | None  # the main payment's value date; None: never paid
    cash: Decimal = ZERO
    discount_taken: Decimal = ZERO  # what the payer deducted as discount
    discount_granted: Decimal = ZERO  # what we accept (zero when taken late)
    short: Decimal = ZERO  # other deduction, left open
    reason: str | None = None  # the payer's stated reason for ``short``
    in_run: bool = False
    dispute: Dispute | None = None
    tags: list[str] = field(default_factory=list)

    @property
    def account(self) -> Account:
        return self.bill.account


def business_day(day: date) -> date:
    """``day``, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def previous_business_day(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def decide(rng: random.Random, bill: Bill) -> Fate:
    b = bill.account.customer.behaviour
    if b.stopped_on is not None and bill.due > b.stopped_on:
        return Fate(bill, None, tags=["stopped paying"])
    fate = Fate(bill, _pay_day(rng, bill))
    fate.cash = bill.amount
    if rng.random() < b.dispute_share:
        _dispute(rng, fate)
    elif bill.discount and bill.discount_date and rng.random() < b.discount_share:
        late = rng.random() < b.late_discount_share
        _take_discount(rng, fate, late)
    elif rng.random() < b.short_pay_share:
        _short(rng, fate, with_reason=rng.random() < 0.5)
    fate.in_run = fate.pay_on is not None and rng.random() < b.multi_invoice_share
    if fate.in_run and fate.pay_on is not None:
        ahead = (bill.account.run_weekday - fate.pay_on.weekday()) % 7
        fate.pay_on += timedelta(days=ahead)
    fate.pay_on = business_day(fate.pay_on) if fate.pay_on else None
    return fate


def _pay_day(rng: random.Random, bill: Bill) -> date:
    b = bill.account.customer.behaviour
    late = round(rng.gauss(b.days_late_mean, b.days_late_spread))
    return max(bill.issue + timedelta(days=3), bill.due + timedelta(days=late))


def _take_discount(rng: random.Random, fate: Fate, late: bool) -> None:
    bill = fate.bill
    assert bill.discount is not None and bill.discount_date is not None
    fate.discount_taken = bill.discount
    fate.cash = bill.amount - bill.discount
    if late:
        fate.pay_on = bill.discount_date + timedelta(days=rng.randint(4, 20))
        fate.tags.append("late discount")
    else:
        earliest = bill.issue + timedelta(days=2)
        fate.pay_on = max(earliest, bill.discount_date - timedelta(days=rng.randint(0, 6)))
        fate.discount_granted = bill.discount
        fate.tags.append("discount")


def _short(rng: random.Random, fate: Fate, with_reason: bool) -> None:
    amount = fate.bill.amount
    if rng.random() < 0.4:
        short = Decimal(rng.randint(100, 4_500)).scaleb(-2)  # a few dollars: freight, rounding
    else:
        short = (amount * Decimal(rng.randint(1, 8)) / 100).quantize(CENT)
    fate.short = min(short, amount - CENT)
    fate.cash = amount - fate.short
    fate.reason = rng.choice(_SHORT_REASONS) if with_reason else None
    fate.tags.append("short pay with reason" if with_reason else "short pay")


def _dispute(rng: random.Random, fate: Fate) -> None:
    bill = fate.bill
    reason, _, full = rng.choices(_REASONS, weights=[w for _, w, _ in _REASONS])[0]
    if full:
        amount = bill.amount
        opened = max(bill.issue + timedelta(days=2), bill.due - timedelta(days=rng.randint(0, 12)))
        fate.pay_on, fate.cash = None, ZERO
    else:
        amount = (bill.amount * Decimal(rng.randint(5, 35)) / 100).quantize(CENT)
        assert fate.pay_on is not None
        opened = fate.pay_on
        fate.cash, fate.short, fate.reason = bill.amount - amount, amount, reason
        fate.tags.append("short pay with reason")
    roll = rng.random()
    outcome = "credit_memo" if roll < 0.6 else "rejected" if roll < 0.93 else "write_off"
    closes = business_day(opened + timedelta(days=rng.randint(10, 120)))
    fate.dispute = Dispute(reason, amount, opened, closes, outcome, full)


def ensure_mix(
    rng: random.Random,
    fates: list[Fate],
    days: tuple[date, date],
    paying_parents: frozenset[str],
) -> None:
    """Move payments still to come into the report days until every kind of mess is there."""
    first, last = days

    def in_window(f: Fate) -> bool:
        return f.pay_on is not None and first <= f.pay_on <= last

    def to_come(f: Fate) -> bool:
        return f.pay_on is not None and f.pay_on > last and f.dispute is None and not f.tags

    window = [f for f in fates if in_window(f)]
    tags = {t for f in window for t in f.tags}
    runs: dict[tuple[str, date], int] = {}
    for f in window:
        if f.in_run and f.pay_on is not None:
            key = (payer_id(f, paying_parents), f.pay_on)
            runs[key] = runs.get(key, 0) + 1
    candidates = [f for f in fates if to_come(f) and f.bill.issue < first - timedelta(days=10)]
    rng.shuffle(candidates)

    def take(pick: list[Fate], day: date) -> Fate | None:
        if not pick:
            return None
        fate = pick[0]
        candidates.remove(fate)
        fate.pay_on, fate.in_run = day, False
        return fate

    if "late discount" not in tags:
        low, high = first - timedelta(days=25), first - timedelta(days=3)
        eligible = [
            f for f in candidates if f.bill.discount_date and low < f.bill.discount_date < high
        ]
        chosen = take(eligible, first)
        if chosen:
            _take_discount(rng, chosen, late=True)
            chosen.pay_on = first
    for kind in ("short pay with reason", "short pay"):
        if kind not in tags:
            chosen = take(candidates, last)
            if chosen:
                _short(rng, chosen, with_reason=kind != "short pay")

    def parent_pays(f: Fate) -> bool:
        return payer_id(f, paying_parents) != f.account.customer.external_id

    if not any(parent_pays(f) for f in window):
        take([f for f in candidates if parent_pays(f)], first)
    if not any(n > 1 for n in runs.values()):
        _force_run(candidates, last)


def payer_id(f: Fate, paying_parents: frozenset[str]) -> str:
    """Who sends the money: the parent when it pays for this customer."""
    parent = f.account.customer.parent_id
    return parent if parent and parent in paying_parents else f.account.customer.external_id


def _force_run(candidates: list[Fate], day: date) -> None:
    by_customer: dict[str, list[Fate]] = {}
    for f in candidates:
        by_customer.setdefault(f.account.customer.external_id, []).append(f)
    for group in by_customer.values():
        if len(group) >= 2:
            for f in group[:3]:
                f.pay_on, f.in_run = day, True
            return
