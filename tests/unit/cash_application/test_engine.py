"""The engine: automatic only when sure, consumption within a run, explanations."""

from __future__ import annotations

import gc
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from owed.domain.cash_application import (
    Knowledge,
    MatchContext,
    MatchSettings,
    match_receipt,
    match_receipts,
)
from owed.simulation.cashapp import Profile, generate
from tests.unit.cash_application.builders import allocations, context, item, receipt

D = Decimal


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["J SMITH", "PAYPAL TRANSFER", "VENDOR REFUND", None]),
    st.sampled_from(["", "REFUND 1043", "INVOICE 104381", "TRANSFER 998877"]),
    st.decimals(min_value=D("1.00"), max_value=D("9999.99"), places=2),
)
def test_unowned_receipts_are_never_applied_automatically(
    payer: str | None, text: str, amount: Decimal
) -> None:
    ctx = context(item(10, 1, "INV-104381", "750.00"), item(11, 2, "INV-001043", "120.00"))
    decision = match_receipt(receipt(str(amount), text=text, payer=payer), ctx)
    # A quoted invoice paid exactly, or short by at most the write-off tolerance
    # (min(5.00, 0.5 %): 3.75 on 750.00, 0.60 on 120.00), is confirmed by the amount.
    confirmed = D("746.25") <= amount <= D("750.00") or D("119.40") <= amount <= D("120.00")
    if not confirmed:
        assert not decision.auto and decision.unapplied == amount


def test_a_quoted_invoice_short_by_a_write_off_is_applied_without_a_known_payer() -> None:
    ctx = context(item(10, 1, "INV-104381", "750.00"))
    within = match_receipt(receipt("746.25", text="INVOICE 104381", payer="J SMITH"), ctx)
    beyond = match_receipt(receipt("746.24", text="INVOICE 104381", payer="J SMITH"), ctx)
    assert within.auto and "within the write-off tolerance" in within.explanation
    assert not beyond.auto


def test_an_item_used_by_one_receipt_is_not_offered_to_the_next() -> None:
    ctx = context(item(10, 1, "INV-001043", "100.00"), item(11, 1, "INV-001044", "100.00"))
    first = receipt("100.00", receipt_id=1, text="INV-001043")
    again = receipt("100.00", receipt_id=2, text="INV-001043", payer="ACME CORP INTL")
    one, two = match_receipts([first, again], ctx)
    assert one.auto and allocations(one) == {10: D("100.00")}
    assert ctx.index.remaining[10] == 0
    assert not two.auto and two.allocations == ()
    assert "already settled: possible duplicate" in two.explanation


def test_suggestions_do_not_consume() -> None:
    ctx = context(item(10, 1, "INV-1", "99.00"), item(11, 1, "INV-2", "99.00"))
    known = Knowledge(accounts={"ACCT1": 1})
    person_chooses = MatchSettings(oldest_first=False)
    (decision,) = match_receipts([receipt("99.00", account="ACCT1")], ctx, known, person_chooses)
    assert not decision.auto and len(decision.suggestions) == 2
    assert ctx.index.remaining == {10: D("99.00"), 11: D("99.00")}


def test_same_number_for_two_customers_is_decided_by_the_amount() -> None:
    ctx = context(item(10, 1, "INV-5000", "100.00"), item(20, 2, "RE-5000", "250.00"))
    decision = match_receipt(receipt("250.00", text="5000 thank you"), ctx)
    assert decision.auto and allocations(decision) == {20: D("250.00")}


def test_same_number_for_two_customers_with_no_fitting_amount_is_ambiguous() -> None:
    ctx = context(item(10, 1, "INV-5000", "100.00"), item(20, 2, "RE-5000", "250.00"))
    decision = match_receipt(receipt("90.00", text="5000"), ctx)
    assert not decision.auto and decision.allocations == ()
    assert "several unrelated customers" in decision.explanation


def test_every_decision_explains_itself() -> None:
    ctx = context(item(10, 1, "INV-001043", "100.00"))
    for paid in (receipt("100.00", text="INV-001043"), receipt("5.00", payer="NOBODY")):
        assert match_receipt(paid, ctx).explanation


def test_matching_a_batch_leaves_no_reference_cycles_and_restores_the_collector() -> None:
    """``match_receipts`` pauses the cyclic collector: that is only safe while matching
    makes no garbage that reference counting alone cannot free."""
    scenario = generate(Profile(customers=200, open_items=1_000, receipts=400), seed=11)
    ctx = MatchContext.build(scenario.open_items, scenario.customers)
    gc.collect()
    assert gc.isenabled()
    match_receipts(scenario.receipts, ctx, scenario.knowledge)
    assert gc.isenabled()
    assert gc.collect() == 0
