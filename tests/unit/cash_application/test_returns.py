"""The pairing rule for returned payments (pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.calendar import business_days_between
from owed.domain.cash_application.returns import (
    BankPayment,
    ReturnSettings,
    check_pairing,
    pair_return,
)
from owed.domain.errors import InvalidInput, RuleViolation

IBAN = "DE89 3704 0044 0532 0130 00"


def receipt(id_: int, amount: str, day: date = date(2026, 3, 2), **kw) -> BankPayment:
    kw.setdefault("payer_account", IBAN)
    return BankPayment(id_, Decimal(amount), "EUR", day, **kw)


def ret(amount: str, day: date = date(2026, 3, 9), **kw) -> BankPayment:
    kw.setdefault("payer_account", IBAN.replace(" ", ""))
    return BankPayment(99, Decimal(amount), "EUR", day, **kw)


def test_the_same_end_to_end_reference_pairs_whatever_the_account():
    p = pair_return(
        ret("100.00", customer_reference="E2E-1", payer_account=None),
        [receipt(1, "100.00", customer_reference="E2E-1"), receipt(2, "100.00")],
    )
    assert (p.receipt_id, p.rule, p.fee) == (1, "reference", Decimal(0))
    assert p.candidates[0].receipt_id == 1


def test_a_reference_quoted_in_the_text_pairs_and_short_ones_do_not():
    original = receipt(1, "50.00", bank_reference="091400600000001", payer_account=None)
    short = receipt(2, "50.00", bank_reference="115", payer_account=None)
    p = pair_return(ret("50.00", text="RETURN R01 original trace 091400600000001"), [original])
    assert p.receipt_id == 1 and "091400600000001" in p.reason
    p = pair_return(ret("50.00", text="return of 115", payer_account=None), [short])
    assert p.receipt_id is None  # "115" is too common to be a reference


def test_account_and_exact_amount_within_the_window():
    p = pair_return(ret("300.00"), [receipt(1, "300.00"), receipt(2, "301.00")])
    assert (p.receipt_id, p.rule) == (1, "account_amount")


def test_the_window_counts_business_days():
    # 2026-02-23 (Mon) to 2026-03-09 (Mon) is 10 business days; one more day is 11
    assert business_days_between(date(2026, 2, 23), date(2026, 3, 9)) == 10
    inside = pair_return(ret("10.00"), [receipt(1, "10.00", date(2026, 2, 23))])
    outside = pair_return(ret("10.00"), [receipt(1, "10.00", date(2026, 2, 20))])
    assert inside.receipt_id == 1 and outside.receipt_id is None
    assert "no receipt found" in outside.reason and "10 business days" in outside.reason
    wider = pair_return(ret("10.00"), [receipt(1, "10.00", date(2026, 2, 20))], ReturnSettings(15))
    assert wider.receipt_id == 1


def test_two_fits_are_left_to_a_person_ranked():
    p = pair_return(ret("300.00"), [receipt(1, "300.00", date(2026, 3, 2)), receipt(2, "300.00")])
    assert p.receipt_id is None and "2 receipts" in p.reason
    assert {c.receipt_id for c in p.candidates} == {1, 2}


def test_a_returned_item_fee_pairs_by_reference_but_not_by_account_alone():
    by_ref = pair_return(ret("112.50", customer_reference="E9"), [receipt(1, "100.00",
                         customer_reference="E9")])  # fmt: skip
    assert (by_ref.receipt_id, by_ref.fee) == (1, Decimal("12.50"))
    by_account = pair_return(ret("112.50"), [receipt(1, "100.00")])
    assert by_account.receipt_id is None and "smaller" in by_account.reason
    assert by_account.candidates[0].fee == Decimal("12.50")
    too_much = pair_return(ret("200.00", customer_reference="E9"), [receipt(1, "100.00",
                           customer_reference="E9")])  # fmt: skip
    assert too_much.receipt_id is None and "another amount" in too_much.reason


def test_never_a_later_receipt_another_currency_or_a_partial_return():
    later = receipt(1, "10.00", date(2026, 3, 10), customer_reference="E1")
    other = BankPayment(2, Decimal("10.00"), "USD", date(2026, 3, 2), customer_reference="E1")
    bigger = receipt(3, "20.00", customer_reference="E1")
    p = pair_return(ret("10.00", customer_reference="E1"), [later, other, bigger])
    assert p.receipt_id is None


def test_amount_alone_only_suggests():
    p = pair_return(
        ret("75.00", payer_account=None, payer_name="ACME"),
        [receipt(1, "75.00", payer_name="ACME"), receipt(2, "75.00", payer_name="OTHER")],
    )
    assert p.receipt_id is None and "no payer account or reference" in p.reason
    assert [c.rule for c in p.candidates] == ["name_amount", "amount"]


def test_settings_are_checked():
    with pytest.raises(InvalidInput):
        ReturnSettings(-1)
    with pytest.raises(InvalidInput):
        ReturnSettings(10, Decimal("-1"))


def test_check_pairing_is_the_conservation_law():
    check_pairing(receipt(1, "10.00"), ret("12.00"), Decimal("2.00"))
    with pytest.raises(RuleViolation):
        check_pairing(receipt(1, "10.00"), ret("12.00"), Decimal("1.00"))


@given(
    amounts=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=8),
    target=st.integers(min_value=1, max_value=5000),
    offsets=st.lists(st.integers(min_value=0, max_value=30), min_size=8, max_size=8),
)
def test_a_pairing_is_unique_conserves_and_never_picks_a_later_or_smaller_return(
    amounts, target, offsets
):
    day = date(2026, 3, 31)
    receipts = [
        receipt(i + 1, f"{a}.00", date.fromordinal(day.toordinal() - offsets[i]))
        for i, a in enumerate(amounts)
    ]
    r = ret(f"{target}.00", day)
    p = pair_return(r, receipts)
    if p.receipt_id is not None:
        chosen = next(x for x in receipts if x.id == p.receipt_id)
        check_pairing(chosen, r, p.fee)
        assert chosen.value_date <= r.value_date
        fits = [
            x
            for x in receipts
            if x.amount == r.amount and business_days_between(x.value_date, r.value_date) <= 10
        ]
        assert fits == [chosen]
    assert len(p.candidates) <= 5
