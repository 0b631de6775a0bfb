"""A customer's identical invoices, paid without naming one: the oldest is settled.

Each test shows the rule at work and a neighbouring case where it must not act.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from owed.domain.cash_application import (
    Knowledge,
    MatchSettings,
    OpenItem,
    match_receipt,
    match_receipts,
)
from owed.domain.cash_application.combinations import distinct_subsets, find_combinations
from owed.simulation.cashapp import Profile, generate
from tests.unit.cash_application.builders import allocations, context, item, receipt

D = Decimal
KNOWN = Knowledge(accounts={"ACCT1": 1})
APRIL = date(2024, 4, 30)


def _subscription(*issued: date, amount: str = "99.00") -> list[OpenItem]:
    """Customer 1's identical invoices, issued on these days, due 30 days later."""
    return [
        item(10 + n, 1, f"INV-{n + 1}", amount, due=day + timedelta(days=30), issued=day)
        for n, day in enumerate(issued)
    ]


JAN, FEB, MAR, DEC = date(2024, 1, 2), date(2024, 2, 1), date(2024, 3, 1), date(2023, 12, 1)


def test_a_payment_equal_to_identical_invoices_settles_the_one_due_first() -> None:
    ctx = context(*_subscription(FEB, JAN, MAR))
    decision = match_receipt(receipt("99.00", account="ACCT1"), ctx, KNOWN)
    assert decision.auto and allocations(decision) == {11: D("99.00")}
    assert "nothing names one: the payment settles the one due first, INV-2" in (
        decision.explanation
    )
    assert decision.confidence == 0.92  # account 0.97 − amount 0.03 − oldest 0.02


def test_of_identical_invoices_due_the_same_day_the_one_issued_first_is_settled() -> None:
    ctx = context(
        item(10, 1, "INV-1", "99.00", due=APRIL, issued=date(2024, 3, 20)),
        item(11, 1, "INV-2", "99.00", due=APRIL, issued=date(2024, 3, 5)),
    )
    decision = match_receipt(receipt("99.00", account="ACCT1"), ctx, KNOWN)
    assert decision.auto and allocations(decision) == {11: D("99.00")}


def test_identical_invoices_on_one_purchase_order_may_be_billed_twice() -> None:
    ctx = context(
        item(10, 1, "INV-1", "99.00", po="PO-7", issued=JAN),
        item(11, 1, "INV-2", "99.00", po="PO-7", issued=FEB),
    )
    decision = match_receipt(receipt("99.00", account="ACCT1"), ctx, KNOWN)
    assert not decision.auto and len(decision.suggestions) == 2
    assert "issued on purchase order PO-7: possibly billed twice" in decision.explanation


def test_identical_invoices_issued_a_day_apart_may_be_billed_twice() -> None:
    ctx = context(*_subscription(MAR, date(2024, 3, 2), JAN))
    decision = match_receipt(receipt("198.00", account="ACCT1"), ctx, KNOWN)
    assert not decision.auto  # the two oldest are INV-3 and INV-1, but INV-2 is INV-1's twin
    assert "INV-1 and INV-2 have the same amount and were issued 1 day apart" in (
        decision.explanation
    )
    apart = context(*_subscription(MAR, date(2024, 3, 3), JAN))  # two days: a new invoice
    assert match_receipt(receipt("198.00", account="ACCT1"), apart, KNOWN).auto


def test_when_a_person_chooses_identical_invoices_stay_suggestions() -> None:
    ctx = context(*_subscription(FEB, JAN))
    decision = match_receipt(
        receipt("99.00", account="ACCT1"), ctx, KNOWN, MatchSettings(oldest_first=False)
    )
    assert not decision.auto and len(decision.suggestions) == 2


def test_equal_invoices_of_two_companies_of_a_group_are_not_told_apart_by_age() -> None:
    # customer 3 is a child of customer 1: the parent's payment may be for either
    ctx = context(item(10, 1, "INV-1", "99.00"), item(11, 3, "INV-2", "99.00"))
    decision = match_receipt(receipt("99.00", account="ACCT1"), ctx, KNOWN)
    assert not decision.auto and len(decision.suggestions) == 2


def test_several_identical_invoices_paid_at_once_settle_the_oldest() -> None:
    ctx = context(*_subscription(FEB, JAN, MAR, DEC))
    decision = match_receipt(receipt("198.00", account="ACCT1"), ctx, KNOWN)
    assert decision.auto and allocations(decision) == {13: D("99.00"), 11: D("99.00")}
    assert "has other open invoices of the same amounts and nothing names one" in (
        decision.explanation
    )


def test_a_combination_of_identical_invoices_stays_a_choice_when_a_person_chooses() -> None:
    ctx = context(*_subscription(FEB, JAN, MAR))
    off = MatchSettings(oldest_first=False)
    decision = match_receipt(receipt("198.00", account="ACCT1"), ctx, KNOWN, off)
    assert not decision.auto
    assert "a person chooses" in decision.explanation


def test_an_earlier_receipt_of_the_customer_awaiting_review_stops_the_oldest_choice() -> None:
    ctx = context(*_subscription(FEB, JAN))
    unexplained = receipt("45.67", account="ACCT1", receipt_id=1)  # fits nothing: a person looks
    paid = receipt("99.00", account="ACCT1", receipt_id=2)
    first, second = match_receipts([unexplained, paid], ctx, KNOWN)
    assert not first.auto and first.customer_id == 1
    assert not second.auto
    assert "receipt 1 of the same customer awaits review" in second.explanation
    assert second.suggestions[0].allocations[0].item_id == 11  # still the one suggested


def test_a_likely_duplicate_awaiting_review_does_not_stop_the_next_payment() -> None:
    ctx = context(*_subscription(FEB, JAN, MAR))
    once = receipt("99.00", account="ACCT1", text="MARCH", receipt_id=1)
    twice = receipt("99.00", account="ACCT1", text="MARCH", receipt_id=2)  # paid twice
    later = receipt("99.00", account="ACCT1", text="APRIL", receipt_id=3)
    first, copy, third = match_receipts([once, twice, later], ctx, KNOWN)
    assert first.auto and allocations(first) == {11: D("99.00")}
    assert not copy.auto and copy.duplicate_of == 1
    assert third.auto and allocations(third) == {10: D("99.00")}


def test_the_rest_beyond_a_quoted_invoice_settles_the_oldest_identical_one() -> None:
    ctx = context(
        item(9, 1, "INV-9", "500.00"),
        *_subscription(FEB, JAN),
    )
    decision = match_receipt(receipt("599.00", account="ACCT1", text="INV-9"), ctx, KNOWN)
    assert decision.auto and allocations(decision) == {9: D("500.00"), 11: D("99.00")}
    assert "the payment settles the one due first, INV-2" in decision.explanation


# -- combinations of the same amounts count once ----------------------------------


def _canonical(amounts: list[int], combo: tuple[int, ...]) -> tuple[int, ...]:
    """The positions a search counting same amounts once reports for ``combo``: for
    each amount, its earliest positions."""
    wanted = Counter(amounts[p] for p in combo)
    chosen = []
    for amount, count in wanted.items():
        chosen += [p for p, a in enumerate(amounts) if a == amount][:count]
    return tuple(sorted(chosen))


@given(
    st.lists(st.sampled_from([100, 150, 250, 400, 999]), min_size=1, max_size=10),
    st.integers(min_value=1, max_value=2000),
    st.integers(min_value=1, max_value=4),
)
def test_a_distinct_search_finds_each_combination_of_amounts_once_at_its_oldest(
    amounts: list[int], target: int, most: int
) -> None:
    search = find_combinations(amounts, target, most, max_solutions=10_000, distinct=True)
    expected = {
        _canonical(amounts, combo)
        for size in range(1, most + 1)
        for combo in itertools.combinations(range(len(amounts)), size)
        if sum(amounts[p] for p in combo) == target
    }
    assert search.complete
    assert sorted(search.solutions) == sorted(expected)  # each once: no repeats


@given(
    st.lists(st.integers(min_value=1, max_value=6), max_size=12),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=5),
)
def test_distinct_subsets_counts_the_different_combinations_of_amounts(
    amounts: list[int], smallest: int, largest: int
) -> None:
    shapes = {
        tuple(sorted(amounts[p] for p in combo))
        for size in range(smallest, largest + 1)
        for combo in itertools.combinations(range(len(amounts)), size)
    }
    assert distinct_subsets(amounts, smallest, largest) == len(shapes)


# -- the generator: subscribers pay their identical invoices in order --------------


def _out_of_order(profile: Profile) -> int:
    """Receipts paying a subscriber's invoice due after one a later receipt pays."""
    scenario = generate(profile, 5)
    items = {i.id: i for i in scenario.open_items}
    by_customer: dict[int, list[object]] = {}
    for i in scenario.open_items:
        by_customer.setdefault(i.customer_id, []).append(i.original_amount)
    recurring = {c for c, amounts in by_customer.items() if len(set(amounts)) == 1}
    paid: dict[int, list[tuple[date, int, date]]] = {}
    for r in scenario.receipts:
        truth = scenario.truth[r.id]
        if truth is None or truth.customer_id not in recurring or not truth.allocations:
            continue
        for item_id in truth.allocations:
            paid.setdefault(truth.customer_id, []).append(
                (r.value_date, r.id, items[item_id].due_date)
            )
    late = 0
    for payments in paid.values():
        payments.sort()
        dues = [due for _, _, due in payments]
        late += sum(1 for a, b in itertools.pairwise(dues) if b < a)
    return late


def test_subscribers_pay_their_identical_invoices_oldest_first() -> None:
    profile = Profile(customers=300, open_items=3_000, receipts=1_500, recurring_share=0.3)
    assert _out_of_order(profile) == 0
    assert _out_of_order(Profile(**{**profile.__dict__, "recurring_in_order": False})) > 0


def test_a_person_is_offered_the_five_oldest_of_many_identical_invoices() -> None:
    days = [date(2024, 3, 1) - timedelta(days=7 * n) for n in range(8)]  # newest first
    ctx = context(*_subscription(*days))
    off = MatchSettings(oldest_first=False)
    decision = match_receipt(receipt("99.00", account="ACCT1"), ctx, KNOWN, off)
    assert not decision.auto
    assert "8 different sets of open invoices equal the amount" in decision.explanation
    offered = [s.allocations[0].item_id for s in decision.suggestions]
    assert offered == [17, 16, 15, 14, 13]  # the oldest five, oldest first
