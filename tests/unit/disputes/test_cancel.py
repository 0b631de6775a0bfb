"""A dispute whose payment was unapplied is cancelled, and then counts nowhere."""

from __future__ import annotations

from datetime import date

import pytest

from owed.domain.disputes.model import (
    Dispute,
    DisputeAction,
    DisputeStatus,
    ReasonCode,
    dispute_metrics,
    transition,
)
from owed.domain.errors import InvalidTransition
from owed.domain.money import Money


def test_open_and_investigating_disputes_can_be_cancelled_and_that_is_final():
    for status in (DisputeStatus.OPEN, DisputeStatus.INVESTIGATING):
        assert transition(status, DisputeAction.CANCEL) is DisputeStatus.CANCELLED
    assert DisputeStatus.CANCELLED.is_closed
    for action in DisputeAction:
        with pytest.raises(InvalidTransition):
            transition(DisputeStatus.CANCELLED, action)
    for status in (DisputeStatus.RESOLVED, DisputeStatus.REJECTED):
        with pytest.raises(InvalidTransition):
            transition(status, DisputeAction.CANCEL)


def test_a_cancelled_dispute_is_open_only_while_it_was_and_counts_nowhere_else():
    usd = Money("40.00", "USD")
    cancelled = Dispute("1", "C1", "INV-1", ReasonCode.PRICING, usd, date(2026, 3, 2),
                        DisputeStatus.CANCELLED, date(2026, 3, 5))  # fmt: skip
    real = Dispute("2", "C1", "INV-2", ReasonCode.PRICING, usd, date(2026, 3, 6))
    before = dispute_metrics([cancelled, real], date(2026, 3, 4))
    assert before.open_count == 1  # it was open then
    after = dispute_metrics([cancelled, real], date(2026, 3, 20))
    assert after.open_count == 1  # only the real one
    assert after.within_sla.denominator == 0  # not a closed dispute
    assert after.repeat_by_customer.numerator == 0  # the real one is not a repeat
    assert after.disputes_per_customer == {"C1": 1}
