"""Promises to pay and payment plans, evaluated from the payments received.

Both are judged by pure functions over what was actually paid, so a status is
never stored out of date: the service records the promise or plan once and
asks for its status whenever it needs it (dunning, the worklist, KPIs).

Which payments count: a ``PaymentEvent`` is one application of a receipt to a
document, or (``document=None``) cash of the customer not yet applied. For a
promise or plan on named documents, applications to those documents count,
and so does the customer's unapplied cash, because cash application may lag
the bank by days and a customer who paid must not be told the promise is
broken. Payments in another currency, of another customer, or dated after
``today`` do not count.

* A promise is **kept** when the counted payments dated on or before
  ``promised_date + grace_days`` reach the promised amount; **broken** when
  that deadline has passed (``today`` later than it) without that; otherwise
  **pending**.
* A plan is **completed** when everything it schedules has been paid; else
  **broken** when some installment's deadline (due date + grace) has passed
  while the payments dated up to that deadline fall short of the cumulative
  amount scheduled up to and including that installment; else **current**.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money, total


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class PlanStatus(StrEnum):
    CURRENT = "current"
    COMPLETED = "completed"
    BROKEN = "broken"


@dataclass(frozen=True)
class PaymentEvent:
    """Money received from a customer: applied to ``document``, or unapplied (``None``)."""

    customer_id: str
    paid_on: date
    amount: Money
    document: str | None = None


@dataclass(frozen=True)
class Promise:
    """The customer promised to pay ``amount`` by ``promised_date`` (items empty = account)."""

    customer_id: str
    items: frozenset[str]
    amount: Money
    promised_date: date
    promised_by: str  # the person at the customer who promised

    def __post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidInput(
                f"promise of customer {self.customer_id} must be for a positive amount, "
                f"got {self.amount}"
            )


@dataclass(frozen=True)
class PromiseResult:
    status: PromiseStatus
    promised: Money
    paid: Money  # counted payments dated on or before the deadline (and today)
    deadline: date  # promised date + grace

    @property
    def shortfall(self) -> Money:
        gap = self.promised - self.paid
        return gap if gap.amount > 0 else Money.zero(self.promised.currency)


def _counts(
    event: PaymentEvent, customer_id: str, documents: frozenset[str], currency: Currency
) -> bool:
    if event.customer_id != customer_id or event.amount.currency != currency:
        return False
    return not documents or event.document is None or event.document in documents


def _paid_by(
    events: Iterable[PaymentEvent],
    customer_id: str,
    documents: frozenset[str],
    currency: Currency,
    until: date,
) -> Money:
    counted = (
        e.amount
        for e in events
        if e.paid_on <= until and _counts(e, customer_id, documents, currency)
    )
    return total(counted, currency)


def evaluate_promise(
    promise: Promise,
    payments_received_since: Iterable[PaymentEvent],
    today: date,
    grace_days: int = 0,
) -> PromiseResult:
    """Kept, broken or pending; see the module docstring for what counts."""
    if grace_days < 0:
        raise InvalidInput(f"grace days must not be negative, got {grace_days}")
    deadline = promise.promised_date + timedelta(days=grace_days)
    until = min(deadline, today)
    paid = _paid_by(
        payments_received_since,
        promise.customer_id,
        promise.items,
        promise.amount.currency,
        until,
    )
    if paid >= promise.amount:
        status = PromiseStatus.KEPT
    elif today > deadline:
        status = PromiseStatus.BROKEN
    else:
        status = PromiseStatus.PENDING
    return PromiseResult(status, promise.amount, paid, deadline)


@dataclass(frozen=True)
class Installment:
    due_date: date
    amount: Money


@dataclass(frozen=True)
class PaymentPlan:
    """Installments agreed for a set of invoices, in due-date order, one currency."""

    plan_id: str
    customer_id: str
    documents: frozenset[str]
    installments: tuple[Installment, ...]

    def __post_init__(self) -> None:
        if not self.installments:
            raise InvalidInput(f"payment plan {self.plan_id} has no installments")
        currency = self.installments[0].amount.currency
        previous: date | None = None
        for number, inst in enumerate(self.installments, start=1):
            if inst.amount.currency != currency:
                raise InvalidInput(
                    f"payment plan {self.plan_id} installment {number} is in "
                    f"{inst.amount.currency}, the plan is in {currency}"
                )
            if inst.amount.amount <= 0:
                raise InvalidInput(
                    f"payment plan {self.plan_id} installment {number} must be positive"
                )
            if previous is not None and inst.due_date <= previous:
                raise InvalidInput(
                    f"payment plan {self.plan_id} installment {number} is due "
                    f"{inst.due_date}, not after the previous one ({previous})"
                )
            previous = inst.due_date

    @property
    def currency(self) -> Currency:
        return self.installments[0].amount.currency

    @property
    def total(self) -> Money:
        return total((i.amount for i in self.installments), self.currency)


@dataclass(frozen=True)
class PlanResult:
    status: PlanStatus
    paid: Money  # counted payments dated up to today
    installments_met: int  # leading installments fully covered by the payments so far
    missed: Installment | None  # the first installment missed past grace, when broken


def evaluate_plan(
    plan: PaymentPlan,
    payments: Iterable[PaymentEvent],
    today: date,
    grace_days: int = 0,
) -> PlanResult:
    """Current, completed or broken; see the module docstring for the rule."""
    if grace_days < 0:
        raise InvalidInput(f"grace days must not be negative, got {grace_days}")
    events = list(payments)

    def paid_until(until: date) -> Money:
        return _paid_by(events, plan.customer_id, plan.documents, plan.currency, until)

    paid_now = paid_until(today)
    cumulative = Money.zero(plan.currency)
    met = 0
    missed: Installment | None = None
    for inst in plan.installments:
        cumulative = cumulative + inst.amount
        if paid_now >= cumulative:
            met += 1
        deadline = inst.due_date + timedelta(days=grace_days)
        if missed is None and today > deadline and paid_until(deadline) < cumulative:
            missed = inst
    if paid_now >= plan.total:
        return PlanResult(PlanStatus.COMPLETED, paid_now, met, None)
    if missed is not None:
        return PlanResult(PlanStatus.BROKEN, paid_now, met, missed)
    return PlanResult(PlanStatus.CURRENT, paid_now, met, None)
