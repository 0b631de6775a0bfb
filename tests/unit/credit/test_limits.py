"""Credit checks on orders and credit holds."""

from __future__ import annotations

from decimal import Decimal

from owed.domain.collections.dunning_policy import DunningAction
from owed.domain.credit.limits import CreditPolicy, check_credit, should_hold
from owed.domain.money import Money


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def test_exposure_includes_open_ar_open_orders_and_the_new_order() -> None:
    decision = check_credit(usd("10000"), usd("6000"), usd("3000"), usd("1000"), on_hold=False)

    assert decision.allowed
    assert decision.exposure == usd("10000")
    assert decision.headroom == usd("0")


def test_over_limit_is_refused_with_the_figures() -> None:
    decision = check_credit(usd("10000"), usd("6000"), usd("3000"), usd("1000.01"), False)

    assert not decision.allowed
    assert decision.reasons == (
        "exposure 10,000.01 USD (open AR 6,000.00 USD + open orders 3,000.00 USD + this order "
        "1,000.01 USD) exceeds the credit limit 10,000.00 USD by 0.01 USD",
    )


def test_every_reason_is_listed() -> None:
    decision = check_credit(
        usd("100"), usd("500"), usd("0"), usd("1"), True, oldest_overdue_days=61
    )
    assert len(decision.reasons) == 3
    assert decision.reasons[0] == "the account is on credit hold"


def test_overdue_rule_is_configurable() -> None:
    strict = CreditPolicy(refuse_overdue_after_days=30)
    off = CreditPolicy(refuse_overdue_after_days=None)
    assert not check_credit(None, usd("0"), usd("0"), usd("1"), False, 31, strict).allowed
    assert check_credit(None, usd("0"), usd("0"), usd("1"), False, 30, strict).allowed
    assert check_credit(None, usd("0"), usd("0"), usd("1"), False, 999, off).allowed


def test_no_limit_means_no_limit_check_and_zero_means_cash_in_advance() -> None:
    assert check_credit(None, usd("1000000"), usd("0"), usd("1"), False).allowed
    assert not check_credit(usd("0"), usd("0"), usd("0"), usd("0.01"), False).allowed


def test_should_hold_on_dunning_action_limit_breach_or_old_items() -> None:
    assert should_hold(None, usd("0"), dunning_actions=[DunningAction.HOLD]).hold
    assert not should_hold(None, usd("0"), dunning_actions=[DunningAction.ESCALATE_AGENCY]).hold
    assert should_hold(usd("100"), usd("100.01")).hold
    tolerant = CreditPolicy(hold_over_limit_tolerance=Decimal("0.10"))
    assert not should_hold(usd("100"), usd("110"), policy=tolerant).hold
    assert should_hold(usd("100"), usd("110.01"), policy=tolerant).hold
    assert should_hold(None, usd("0"), oldest_overdue_days=91).hold
    assert not should_hold(usd("100"), usd("100"), oldest_overdue_days=90).hold
