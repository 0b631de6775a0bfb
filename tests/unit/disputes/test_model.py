"""Dispute states, SLA dates and metrics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from owed.domain.disputes.model import (
    Dispute,
    DisputeAction,
    DisputeStatus,
    ReasonCode,
    Resolution,
    SlaPolicy,
    dispute_metrics,
    resolution_of,
    sla_due_date,
    transition,
)
from owed.domain.errors import InvalidInput, InvalidTransition
from owed.domain.money import Money

S = DisputeStatus
A = DisputeAction


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (S.OPEN, A.INVESTIGATE, S.INVESTIGATING),
        (S.OPEN, A.REJECT, S.REJECTED),
        (S.OPEN, A.RESOLVE_CREDIT_MEMO, S.RESOLVED),
        (S.INVESTIGATING, A.RESOLVE_REBILL, S.RESOLVED),
        (S.INVESTIGATING, A.RESOLVE_WRITE_OFF, S.RESOLVED),
        (S.INVESTIGATING, A.REJECT, S.REJECTED),
    ],
)
def test_allowed_transitions(
    start: DisputeStatus, action: DisputeAction, end: DisputeStatus
) -> None:
    assert transition(start, action) is end


@pytest.mark.parametrize(
    ("start", "action"),
    [
        (S.INVESTIGATING, A.INVESTIGATE),
        (S.RESOLVED, A.REJECT),
        (S.RESOLVED, A.INVESTIGATE),
        (S.REJECTED, A.RESOLVE_CREDIT_MEMO),
    ],
)
def test_refused_transitions_name_the_state(start: DisputeStatus, action: DisputeAction) -> None:
    with pytest.raises(InvalidTransition, match=f"D-7 is {start.value}: cannot {action.value}"):
        transition(start, action, "D-7")


def test_resolution_of_each_resolving_action() -> None:
    assert resolution_of(A.RESOLVE_WRITE_OFF) is Resolution.WRITE_OFF
    assert resolution_of(A.REJECT) is None


def test_sla_due_date_calendar_and_business_days() -> None:
    friday = date(2026, 3, 6)
    assert sla_due_date(friday) == date(2026, 3, 13)
    business = SlaPolicy(business_days=True, holidays=frozenset({date(2026, 3, 10)}))
    # Mon 9, (Tue 10 holiday), Wed 11, Thu 12, Fri 13, Mon 16, Tue 17, Wed 18.
    assert sla_due_date(friday, business) == date(2026, 3, 18)


def dispute(
    i: str,
    customer: str,
    reason: ReasonCode,
    opened: date,
    closed: date | None = None,
    status: DisputeStatus = S.OPEN,
    amount: str = "100",
) -> Dispute:
    resolution = Resolution.CREDIT_MEMO if status is S.RESOLVED else None
    return Dispute(
        i, customer, f"INV-{i}", reason, Money(amount, "USD"), opened, status, closed, resolution
    )


AS_OF = date(2026, 3, 31)
P, Q = ReasonCode.PRICING, ReasonCode.QUANTITY
DISPUTES = [
    dispute("1", "C1", P, date(2026, 3, 1), date(2026, 3, 5), S.RESOLVED),  # 4 days, in SLA
    dispute("2", "C1", P, date(2026, 3, 2), date(2026, 3, 20), S.RESOLVED),  # 18 days, late
    dispute("3", "C1", Q, date(2026, 3, 3), date(2026, 3, 4), S.REJECTED),  # in SLA
    dispute("4", "C2", P, date(2026, 3, 28), amount="40"),  # open, 3 days
    dispute("5", "C2", Q, date(2026, 3, 10)),  # open, 21 days
    dispute("6", "C3", Q, date(2026, 3, 1), date(2026, 4, 2), S.RESOLVED),  # open at AS_OF
    dispute("7", "C3", Q, date(2026, 4, 1)),  # not yet opened at AS_OF
]


def test_metrics_open_by_age_and_reason() -> None:
    m = dispute_metrics(DISPUTES, AS_OF)

    ages = {a.label: a.count for a in m.open_by_age}
    assert ages == {"0-7": 1, "8-14": 0, "15-30": 2, "31-60": 0, "over 60": 0}
    assert m.open_count == 3
    assert m.open_by_reason == {P: 1, Q: 2}
    assert m.open_by_age[0].amounts == {"USD": Money("40", "USD")}


def test_metrics_cycle_time_sla_share_and_repeats() -> None:
    m = dispute_metrics(DISPUTES, AS_OF)

    assert m.cycle_time.days == Decimal(11)  # (4 + 18) / 2; the rejection is not counted
    assert (m.within_sla.numerator, m.within_sla.denominator) == (2, 3)
    # C1 disputed 3 times (2 repeats), C2 twice (1), C3 once by AS_OF: 3 of 6.
    assert (m.repeat_by_customer.numerator, m.repeat_by_customer.denominator) == (3, 6)
    assert (m.repeat_by_reason[P].numerator, m.repeat_by_reason[P].denominator) == (1, 3)
    assert m.repeat_by_reason[Q].numerator == 0
    assert m.disputes_per_customer == {"C1": 3, "C2": 2, "C3": 1}


def test_inconsistent_disputes_are_refused() -> None:
    with pytest.raises(InvalidInput, match="without a closed date"):
        dispute("9", "C1", P, AS_OF, None, S.RESOLVED)
    with pytest.raises(InvalidInput, match="closed before"):
        dispute("9", "C1", P, AS_OF, date(2026, 1, 1), S.REJECTED)
