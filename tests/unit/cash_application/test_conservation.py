"""The conservation law: every cent of a receipt is accounted for."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owed.domain.cash_application import (
    Adjustment,
    AdjustmentKind,
    Allocation,
    Decision,
    check_conservation,
    match_receipt,
)
from owed.domain.errors import OverApplication, RuleViolation
from owed.domain.payments.statement import Method, RemittanceLine
from tests.unit.cash_application.builders import context, item, receipt

D = Decimal


def decision(
    allocs: dict[int, str], adjustments: tuple[Adjustment, ...], unapplied: str
) -> Decision:
    return Decision(
        receipt_id=1,
        customer_id=1,
        allocations=tuple(Allocation(i, D(a)) for i, a in allocs.items()),
        adjustments=adjustments,
        unapplied=D(unapplied),
        confidence=0.9,
        rule="test",
        explanation="",
        auto=True,
    )


def test_a_balanced_decision_passes() -> None:
    credit = Adjustment(AdjustmentKind.CUSTOMER_CREDIT, D("10.00"))
    fee = Adjustment(AdjustmentKind.BANK_FEE, D("15.00"), item_id=7)
    check_conservation(
        receipt("1000.00"), decision({7: "985.00"}, (fee, credit), "5.00"), {7: D("1000.00")}
    )


def test_a_missing_cent_is_refused() -> None:
    with pytest.raises(RuleViolation, match=r"not the receipt amount 1000\.00"):
        check_conservation(receipt("1000.00"), decision({7: "999.99"}, (), "0"))


def test_closing_more_than_is_open_is_refused() -> None:
    discount = Adjustment(AdjustmentKind.DISCOUNT, D("30.00"), item_id=7)
    with pytest.raises(OverApplication):
        check_conservation(
            receipt("980.00"), decision({7: "980.00"}, (discount,), "0"), {7: D("1000.00")}
        )


def test_a_non_cash_adjustment_must_name_an_item() -> None:
    orphan = Adjustment(AdjustmentKind.WRITE_OFF, D("1.00"))
    with pytest.raises(RuleViolation, match="must name an item"):
        check_conservation(receipt("10.00"), decision({}, (orphan,), "10.00"))


amounts = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list, object]:
    count = draw(st.integers(min_value=0, max_value=6))
    items = []
    for n in range(count):
        open_amount = draw(amounts)
        discount = draw(st.one_of(st.none(), st.just((open_amount * 2 / 100).quantize(D("0.01")))))
        items.append(
            item(
                n + 1,
                draw(st.sampled_from([1, 2, 3])),
                f"INV-{1000 + n:06d}",
                str(open_amount),
                discount=str(discount) if discount else None,
                discount_date=date(2024, 3, 20) if discount else None,
            )
        )
    quoted = draw(st.lists(st.sampled_from(items), max_size=3)) if items else []
    text = " ".join(i.number for i in quoted) + draw(st.sampled_from(["", " damaged", " x"]))
    lines = ()
    if items and draw(st.booleans()):
        lines = tuple(
            RemittanceLine(
                i.number,
                paid=draw(st.one_of(st.none(), amounts)),
                discount=draw(st.one_of(st.none(), amounts)),
                adjustment=draw(st.one_of(st.none(), amounts)),
            )
            for i in quoted
        )
    paid = receipt(
        str(draw(amounts)),
        text=text,
        payer=draw(st.sampled_from([None, "ACME CORP INTL", "GLOBEX TRADING", "NOBODY"])),
        method=draw(st.sampled_from([Method.ACH, Method.WIRE])),
        paid_on=date(2024, 3, 1) + timedelta(days=draw(st.integers(0, 60))),
        lines=lines,
    )
    return items, paid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_decision_conserves(case: tuple[list, object]) -> None:
    items, paid = case
    result = match_receipt(paid, context(*items))  # type: ignore[arg-type]
    check_conservation(paid, result, {i.id: i.open_amount for i in items})  # type: ignore[arg-type]
    for proposal in result.suggestions:  # a suggestion, once accepted, must conserve too
        applied = sum((a.amount for a in proposal.allocations), D(0))
        credit = sum((a.amount for a in proposal.adjustments if a.kind.is_cash), D(0))
        accepted = Decision(
            receipt_id=paid.id,  # type: ignore[attr-defined]
            customer_id=proposal.customer_id,
            allocations=proposal.allocations,
            adjustments=proposal.adjustments,
            unapplied=paid.amount - applied - credit,  # type: ignore[attr-defined]
            confidence=proposal.confidence,
            rule=proposal.rule,
            explanation=proposal.explanation,
            auto=False,
        )
        check_conservation(paid, accepted, {i.id: i.open_amount for i in items})  # type: ignore[arg-type]
