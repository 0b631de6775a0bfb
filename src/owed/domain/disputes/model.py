"""Disputes: reason codes, the status machine, the SLA and the metrics.

States and the actions that move between them::

    open ──investigate──▶ investigating
      │                        │
      ├── resolve_credit_memo / resolve_rebill / resolve_write_off ──▶ resolved
      ├── reject ─────────────────────────────────────────────────────▶ rejected
      └── cancel (its payment was unapplied or returned) ─────────────▶ cancelled

``resolved``, ``rejected`` and ``cancelled`` are final. A deduction dispute is
cancelled when the application that opened it is unapplied (the short pay no
longer exists): it then counts nowhere in the metrics except as open while it
was open. A rejected dispute goes back to
collections (its amount is dunned again); if the customer comes back, a new
dispute is opened, which then counts as a repeat. ``transition`` raises
``InvalidTransition`` for anything not drawn above.

The SLA due date is ``opened_on`` plus 7 days by default, in calendar days or
(option) business days skipping weekends and given holidays.

``dispute_metrics`` is point-in-time: a dispute counts as open at ``as_of``
when it was opened on or before that date and not closed by then, so the
figures for a past date can be recomputed from the same records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from owed.domain.calendar import add_business_days
from owed.domain.collections.aging import Bucket, Buckets
from owed.domain.errors import InvalidInput, InvalidTransition
from owed.domain.money import Money
from owed.domain.reporting.ratio import Days, Ratio


class ReasonCode(StrEnum):
    PRICING = "pricing"
    QUANTITY = "quantity"
    DAMAGED_QUALITY = "damaged_quality"
    TAX = "tax"
    SHORTAGE = "shortage"
    TRADE_PROMOTION = "trade_promotion"
    DUPLICATE_BILLING = "duplicate_billing"
    NOT_RECEIVED = "not_received"
    OTHER = "other"


class DisputeStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        return self in (DisputeStatus.RESOLVED, DisputeStatus.REJECTED, DisputeStatus.CANCELLED)


class Resolution(StrEnum):
    CREDIT_MEMO = "credit_memo"
    REBILL = "rebill"
    WRITE_OFF = "write_off"


class DisputeAction(StrEnum):
    INVESTIGATE = "investigate"
    RESOLVE_CREDIT_MEMO = "resolve_credit_memo"
    RESOLVE_REBILL = "resolve_rebill"
    RESOLVE_WRITE_OFF = "resolve_write_off"
    REJECT = "reject"
    CANCEL = "cancel"


_RESOLUTIONS = {
    DisputeAction.RESOLVE_CREDIT_MEMO: Resolution.CREDIT_MEMO,
    DisputeAction.RESOLVE_REBILL: Resolution.REBILL,
    DisputeAction.RESOLVE_WRITE_OFF: Resolution.WRITE_OFF,
}

_OPEN_STATES = frozenset({DisputeStatus.OPEN, DisputeStatus.INVESTIGATING})

_TRANSITIONS: dict[DisputeAction, tuple[frozenset[DisputeStatus], DisputeStatus]] = {
    DisputeAction.INVESTIGATE: (frozenset({DisputeStatus.OPEN}), DisputeStatus.INVESTIGATING),
    DisputeAction.REJECT: (_OPEN_STATES, DisputeStatus.REJECTED),
    DisputeAction.CANCEL: (_OPEN_STATES, DisputeStatus.CANCELLED),
    **{action: (_OPEN_STATES, DisputeStatus.RESOLVED) for action in _RESOLUTIONS},
}


def transition(status: DisputeStatus, action: DisputeAction, key: str = "") -> DisputeStatus:
    """The status after ``action``; raises ``InvalidTransition`` when not allowed."""
    allowed_from, target = _TRANSITIONS[action]
    if status not in allowed_from:
        raise InvalidTransition("dispute", key, status.value, action.value)
    return target


def resolution_of(action: DisputeAction) -> Resolution | None:
    return _RESOLUTIONS.get(action)


@dataclass(frozen=True)
class SlaPolicy:
    days: int = 7
    business_days: bool = False
    holidays: frozenset[date] = frozenset()


def sla_due_date(opened_on: date, policy: SlaPolicy | None = None) -> date:
    p = policy or SlaPolicy()
    if p.business_days:
        return add_business_days(opened_on, p.days, p.holidays)
    return opened_on + timedelta(days=p.days)


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    customer_id: str
    document: str
    reason: ReasonCode
    amount: Money
    opened_on: date
    status: DisputeStatus = DisputeStatus.OPEN
    closed_on: date | None = None  # when resolved or rejected
    resolution: Resolution | None = None

    def __post_init__(self) -> None:
        if self.status.is_closed and self.closed_on is None:
            raise InvalidInput(f"dispute {self.dispute_id} is {self.status} without a closed date")
        if not self.status.is_closed and self.closed_on is not None:
            raise InvalidInput(f"dispute {self.dispute_id} is {self.status} but has a closed date")
        if self.closed_on is not None and self.closed_on < self.opened_on:
            raise InvalidInput(f"dispute {self.dispute_id} closed before it was opened")
        if (self.status is DisputeStatus.RESOLVED) != (self.resolution is not None):
            raise InvalidInput(
                f"dispute {self.dispute_id}: a resolution is given exactly when it is resolved"
            )

    def is_open_on(self, day: date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    def is_closed_by(self, day: date) -> bool:
        return self.closed_on is not None and self.closed_on <= day


DISPUTE_AGE_BUCKETS = Buckets(
    (
        Bucket("0-7", None, 7),
        Bucket("8-14", 8, 14),
        Bucket("15-30", 15, 30),
        Bucket("31-60", 31, 60),
        Bucket("over 60", 61, None),
    )
)


@dataclass(frozen=True)
class OpenAge:
    label: str
    count: int
    amounts: dict[str, Money]  # per currency


@dataclass(frozen=True)
class DisputeMetrics:
    as_of: date
    open_by_age: tuple[OpenAge, ...]
    open_by_reason: dict[ReasonCode, int]
    cycle_time: Days  # over disputes resolved by as_of (rejections excluded)
    within_sla: Ratio  # closed on or before the SLA due date / closed (resolved + rejected)
    repeat_by_customer: Ratio  # disputes of a customer who had disputed before / all disputes
    repeat_by_reason: dict[ReasonCode, Ratio]  # same customer, same reason before / all
    disputes_per_customer: dict[str, int] = field(default_factory=dict)

    @property
    def open_count(self) -> int:
        return sum(a.count for a in self.open_by_age)


def dispute_metrics(
    disputes: Iterable[Dispute],
    as_of: date,
    sla: SlaPolicy | None = None,
    buckets: Buckets = DISPUTE_AGE_BUCKETS,
) -> DisputeMetrics:
    """Metrics of the disputes as they stood at the end of ``as_of``."""
    known = sorted(
        (d for d in disputes if d.opened_on <= as_of), key=lambda d: (d.opened_on, d.dispute_id)
    )
    ages: dict[str, tuple[int, dict[str, Money]]] = {b.label: (0, {}) for b in buckets.buckets}
    by_reason: dict[ReasonCode, int] = {}
    for d in known:
        if not d.is_open_on(as_of):
            continue
        label = buckets.label_for((as_of - d.opened_on).days)
        count, amounts = ages[label]
        code = d.amount.currency.code
        amounts[code] = amounts.get(code, Money.zero(code)) + d.amount
        ages[label] = (count + 1, amounts)
        by_reason[d.reason] = by_reason.get(d.reason, 0) + 1

    # a cancelled dispute was never a real one: open while it was open, counted nowhere else
    real = [d for d in known if d.status is not DisputeStatus.CANCELLED]
    resolved = [d for d in real if d.status is DisputeStatus.RESOLVED and d.is_closed_by(as_of)]
    cycle_days = sum(((d.closed_on - d.opened_on).days for d in resolved if d.closed_on), 0)
    n_resolved = Decimal(len(resolved))
    cycle = Days(
        Decimal(cycle_days) / n_resolved if n_resolved else None,
        n_resolved,
        {"total_days": Decimal(cycle_days), "resolved": n_resolved},
    )
    closed = [d for d in real if d.is_closed_by(as_of)]
    on_time = sum(
        1
        for d in closed
        if d.closed_on is not None and d.closed_on <= sla_due_date(d.opened_on, sla)
    )
    return DisputeMetrics(
        as_of=as_of,
        open_by_age=tuple(OpenAge(label, c, a) for label, (c, a) in ages.items()),
        open_by_reason=by_reason,
        cycle_time=cycle,
        within_sla=Ratio(Decimal(on_time), Decimal(len(closed))),
        repeat_by_customer=_repeat_rate(real),
        repeat_by_reason=_repeat_by_reason(real),
        disputes_per_customer=_per_customer(real),
    )


def _per_customer(disputes: list[Dispute]) -> dict[str, int]:
    result: dict[str, int] = {}
    for d in disputes:
        result[d.customer_id] = result.get(d.customer_id, 0) + 1
    return result


def _repeat_rate(disputes: list[Dispute]) -> Ratio:
    seen: set[str] = set()
    repeats = 0
    for d in disputes:
        repeats += d.customer_id in seen
        seen.add(d.customer_id)
    return Ratio(Decimal(repeats), Decimal(len(disputes)))


def _repeat_by_reason(disputes: list[Dispute]) -> dict[ReasonCode, Ratio]:
    seen: set[tuple[str, ReasonCode]] = set()
    counts: dict[ReasonCode, tuple[int, int]] = {}
    for d in disputes:
        repeats, all_ = counts.get(d.reason, (0, 0))
        key = (d.customer_id, d.reason)
        counts[d.reason] = (repeats + (key in seen), all_ + 1)
        seen.add(key)
    return {r: Ratio(Decimal(rep), Decimal(n)) for r, (rep, n) in counts.items()}
