"""Worklist scores: explainable, monotone in what should raise priority."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from owed.domain.collections.worklist import (
    AccountSnapshot,
    PastDueItem,
    rank,
    score_account,
    weighted_days_past_due,
)

D = Decimal
TODAY = date(2026, 11, 20)


def test_reasons_read_like_a_collector_note() -> None:
    account = AccountSnapshot(
        "C1",
        "USD",
        (PastDueItem(D("30000"), 97), PastDueItem(D("12310"), 12)),
        risk_class="low",
        broken_promises=1,
        last_broken_promise=date(2026, 11, 2),
        last_contact=TODAY,
    )

    score = score_account(account, TODAY)

    assert score.reasons[0].phrase == "$42,310 past due, oldest 97 days"
    assert "promise broken 2026-11-02" in [r.phrase for r in score.reasons]
    assert score.summary() == (
        "$42,310 past due, oldest 97 days; 72 days past due on average; promise broken 2026-11-02"
    )
    assert score.display == D("49.4")
    assert score.value == sum((r.points for r in score.reasons), D(0))
    assert all(r.points > 0 for r in score.reasons)


def test_weights_add_up_to_100_for_the_worst_account() -> None:
    worst = AccountSnapshot(
        "C1",
        "CHF",
        (PastDueItem(D(1_000_000), 200),),
        risk_class="high",
        broken_promises=5,
        open_disputes=4,
        last_contact=None,
        next_action=TODAY,
    )
    assert score_account(worst, TODAY).value == D(100)
    assert score_account(worst, TODAY).reasons[0].phrase.startswith("1,000,000 CHF past due")


def test_weighted_days_past_due_weights_by_amount() -> None:
    items = [PastDueItem(D(300), 10), PastDueItem(D(100), 50), PastDueItem(D(0), 900)]
    assert weighted_days_past_due(items) == D(20)
    assert weighted_days_past_due([]) == D(0)


def test_rank_puts_the_most_urgent_first_with_a_summary() -> None:
    quiet = AccountSnapshot("A", "USD", (PastDueItem(D(100), 3),), "low", last_contact=TODAY)
    urgent = AccountSnapshot("B", "USD", (PastDueItem(D(50_000), 80),), "high", next_action=TODAY)

    ranked = rank([quiet, urgent], TODAY)

    assert [r.account.customer_id for r in ranked] == ["B", "A"]
    assert ranked[0].summary.startswith("$50,000 past due, oldest 80 days")


def test_an_unknown_risk_class_scores_as_medium_and_says_so() -> None:
    odd = score_account(AccountSnapshot("A", "USD", risk_class="purple"), TODAY)
    medium = score_account(AccountSnapshot("A", "USD", risk_class="medium"), TODAY)
    assert odd.value == medium.value
    assert "unknown risk" in odd.summary()
    upper = score_account(AccountSnapshot("A", "USD", risk_class="HIGH"), TODAY)
    assert upper.value > medium.value


@given(st.integers(1, 10**7), st.integers(1, 10**7), st.integers(1, 400))
def test_more_past_due_never_lowers_the_score(a: int, extra: int, days: int) -> None:
    base = AccountSnapshot("A", "USD", (PastDueItem(D(a), days),), last_contact=TODAY)
    more = AccountSnapshot("A", "USD", (PastDueItem(D(a + extra), days),), last_contact=TODAY)
    assert score_account(more, TODAY).value >= score_account(base, TODAY).value
    assert 0 <= score_account(more, TODAY).value <= 100
