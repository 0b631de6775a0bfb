"""Promises to pay and payment plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from owed.domain.collections.promises import (
    Installment,
    PaymentEvent,
    PaymentPlan,
    PlanStatus,
    Promise,
    PromiseStatus,
    evaluate_plan,
    evaluate_promise,
)
from owed.domain.errors import InvalidInput
from owed.domain.money import Money


def usd(amount: str) -> Money:
    return Money(amount, "USD")


PROMISE = Promise("C1", frozenset({"INV-1", "INV-2"}), usd("500.00"), date(2026, 3, 10), "Jo (AP)")


def paid(
    day: int, amount: str, document: str | None = "INV-1", customer: str = "C1", month: int = 3
) -> PaymentEvent:
    return PaymentEvent(customer, date(2026, month, day), usd(amount), document)


def test_pending_until_the_promised_date_plus_grace() -> None:
    result = evaluate_promise(PROMISE, [paid(5, "100.00")], date(2026, 3, 12), grace_days=2)

    assert result.status is PromiseStatus.PENDING
    assert result.deadline == date(2026, 3, 12)
    assert result.shortfall == usd("400.00")


def test_broken_the_day_after_the_deadline() -> None:
    result = evaluate_promise(PROMISE, [paid(5, "100.00")], date(2026, 3, 13), grace_days=2)
    assert result.status is PromiseStatus.BROKEN


def test_kept_when_payments_on_the_promised_items_reach_the_amount() -> None:
    payments = [paid(5, "300.00"), paid(11, "200.00", "INV-2")]

    result = evaluate_promise(PROMISE, payments, date(2026, 3, 20), grace_days=1)

    assert result.status is PromiseStatus.KEPT
    assert result.paid == usd("500.00")


def test_late_other_document_or_other_customer_payments_do_not_count() -> None:
    payments = [
        paid(12, "500.00"),  # after the deadline
        paid(5, "500.00", "INV-9"),  # not a promised item
        paid(5, "500.00", customer="C2"),
        PaymentEvent("C1", date(2026, 3, 5), Money("500.00", "EUR"), "INV-1"),
    ]
    result = evaluate_promise(PROMISE, payments, date(2026, 3, 20), grace_days=1)
    assert result.status is PromiseStatus.BROKEN
    assert result.paid == usd("0")


def test_unapplied_cash_of_the_customer_counts_towards_an_item_promise() -> None:
    result = evaluate_promise(PROMISE, [paid(9, "500.00", None)], date(2026, 3, 20))
    assert result.status is PromiseStatus.KEPT


def test_account_promise_counts_every_payment_of_the_customer() -> None:
    promise = Promise("C1", frozenset(), usd("100"), date(2026, 3, 10), "Jo")
    result = evaluate_promise(promise, [paid(9, "100", "INV-77")], date(2026, 3, 20))
    assert result.status is PromiseStatus.KEPT


def test_payment_dated_after_today_is_not_counted_yet() -> None:
    result = evaluate_promise(PROMISE, [paid(9, "500.00")], date(2026, 3, 8))
    assert result.status is PromiseStatus.PENDING


PLAN = PaymentPlan(
    "PL-1",
    "C1",
    frozenset({"INV-1"}),
    (
        Installment(date(2026, 3, 1), usd("100")),
        Installment(date(2026, 4, 1), usd("100")),
        Installment(date(2026, 5, 1), usd("100")),
    ),
)


def test_plan_current_while_installments_are_met() -> None:
    result = evaluate_plan(PLAN, [paid(1, "100")], date(2026, 3, 20))
    assert (result.status, result.installments_met) == (PlanStatus.CURRENT, 1)


def test_plan_broken_when_an_installment_is_missed_past_grace() -> None:
    within = evaluate_plan(PLAN, [paid(1, "100")], date(2026, 4, 4), grace_days=3)
    missed = evaluate_plan(PLAN, [paid(1, "100")], date(2026, 4, 5), grace_days=3)
    late_but_in_grace = evaluate_plan(
        PLAN, [paid(1, "100"), paid(4, "100", month=4)], date(2026, 4, 10), grace_days=3
    )

    assert within.status is PlanStatus.CURRENT
    assert missed.status is PlanStatus.BROKEN
    assert missed.missed == PLAN.installments[1]
    assert late_but_in_grace.status is PlanStatus.CURRENT


def test_plan_prepaid_early_is_current_and_completed_when_all_paid() -> None:
    early = evaluate_plan(PLAN, [paid(1, "200")], date(2026, 3, 2))
    done = evaluate_plan(PLAN, [paid(1, "300")], date(2026, 3, 2))
    assert (early.status, early.installments_met) == (PlanStatus.CURRENT, 2)
    assert done.status is PlanStatus.COMPLETED


def test_invalid_plans_and_promises_are_refused() -> None:
    with pytest.raises(InvalidInput, match="installment 2"):
        PaymentPlan(
            "X",
            "C1",
            frozenset(),
            (Installment(date(2026, 3, 1), usd("1")), Installment(date(2026, 3, 1), usd("1"))),
        )
    with pytest.raises(InvalidInput, match="positive"):
        Promise("C1", frozenset(), usd("0"), date(2026, 3, 1), "Jo")
    with pytest.raises(InvalidInput, match="grace"):
        evaluate_promise(PROMISE, [], date(2026, 3, 1), grace_days=-1)
    assert PLAN.total == usd("300")
    assert Decimal(0) == evaluate_plan(PLAN, [], date(2026, 2, 1)).paid.amount
