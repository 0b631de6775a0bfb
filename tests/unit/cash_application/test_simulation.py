"""The messy-bank-activity generator and the metrics, on a modest scenario."""

from __future__ import annotations

from owed.domain.cash_application import MatchContext, check_conservation, match_receipts
from owed.simulation.cashapp import Profile, evaluate, generate

SMALL = Profile(customers=300, open_items=1_500, receipts=600)


def test_the_same_seed_gives_the_same_scenario() -> None:
    one, two = generate(SMALL, seed=7), generate(SMALL, seed=7)
    assert one.receipts == two.receipts and dict(one.truth) == dict(two.truth)
    assert generate(SMALL, seed=8).receipts != one.receipts


def test_the_default_profile_contains_every_kind_of_mess() -> None:
    scenario = generate(SMALL, seed=3)
    stories = {part for t in scenario.truth.values() if t for part in t.kind.split(",")}
    expected = {
        "structured", "text", "no reference", "multi", "typo", "partial remittance",
        "wrong reference", "discount", "late discount", "short pay", "short pay with reason",
        "wire fee", "parent pays", "duplicate",
    }  # fmt: skip
    assert expected <= stories
    assert any(t is None for t in scenario.truth.values())  # payments that belong to no one


def test_no_payment_is_dated_before_an_invoice_it_pays_was_issued() -> None:
    # a payment taking its discounts late used to be dated from the discount dates alone
    scenario = generate(Profile(customers=600, open_items=3_000, receipts=2_000), seed=11)
    issued = {i.id: i.issue_date for i in scenario.open_items}
    late = 0
    for receipt in scenario.receipts:
        truth = scenario.truth[receipt.id]
        if truth is None or not truth.allocations:
            continue
        assert receipt.value_date > max(issued[i] for i in truth.allocations), receipt.id
        late += "late discount" in truth.kind
    assert late > 20  # the case that was wrong is well represented


def test_a_small_scenario_is_applied_accurately_and_conserves() -> None:
    scenario = generate(SMALL, seed=11)
    opening = {i.id: i.open_amount for i in scenario.open_items}
    context = MatchContext.build(scenario.open_items, scenario.customers)
    decisions = match_receipts(scenario.receipts, context, scenario.knowledge)
    receipts = {r.id: r for r in scenario.receipts}
    for decision in decisions:
        check_conservation(receipts[decision.receipt_id], decision)
    assert all(0 <= context.index.remaining[i] <= opening[i] for i in opening)
    metrics = evaluate(scenario, decisions)
    assert metrics.unowned > 0 and metrics.unowned_auto_applied == 0
    assert metrics.duplicates_auto_applied == 0
    assert metrics.precision >= 0.99  # measured 0.9945 at this size; the target is 0.995
    assert metrics.auto_share >= 0.90  # measured 0.917; the 0.95 target is NOT met


def test_every_duplicate_payment_is_flagged_and_no_other_receipt_is() -> None:
    scenario = generate(SMALL, seed=11)
    context = MatchContext.build(scenario.open_items, scenario.customers)
    decisions = match_receipts(scenario.receipts, context, scenario.knowledge)
    flagged = {d.receipt_id for d in decisions if d.duplicate_of is not None}
    duplicates = {
        rid for rid, t in scenario.truth.items() if t is not None and t.kind == "duplicate"
    }
    assert duplicates and flagged == duplicates
