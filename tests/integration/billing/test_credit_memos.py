"""Credit memos: partial credit of an invoice, approvals and segregation of duties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owed.domain.errors import (
    InvalidInput,
    NotPermitted,
    OverApplication,
    RuleViolation,
    SegregationOfDuties,
)
from owed.domain.money import Money
from owed.services import billing as svc
from owed.services import billing_memos as memos
from tests.conftest import make_env
from tests.integration.billing.conftest import (
    add_customer,
    add_tax,
    ar_by_customer,
    entry_lines,
    invoice,
    open_by_customer,
)


def usd(text: str) -> Money:
    return Money(text, "USD")


def settlement_rows(env, doc_id):
    uow = env.uow()
    with uow:
        return [(r["kind"], r["amount_minor"]) for r in uow.billing.settlements_of(doc_id)]


def test_partial_credit_memo_reduces_the_invoice_and_posts_the_reverse(env):
    add_customer(env)
    add_tax(env, "S10", "10")
    inv = invoice(env, "C1", [("Chairs", "4", "100.00", "S10"), ("Desk", "1", "200.00", "S10")])
    assert inv.total == usd("660.00")

    result = memos.request_credit_memo(
        memos.RequestCreditMemo(inv.number, "two chairs damaged", amount="200.00"), env.uow("clara")
    )

    memo = result.memo
    assert not result.needs_approval  # 220.00 is below the default threshold of 1000
    assert (memo.number, memo.net, memo.tax, memo.total) == (
        "CM-000001",
        usd("200.00"),
        usd("20.00"),
        usd("220.00"),
    )
    assert memo.status.value == "paid" and memo.open == usd("0.00")
    after = svc.get_document(env.uow(), inv.number)
    assert after.open == usd("440.00")
    assert after.status.value == "partially_paid"
    assert settlement_rows(env, inv.id) == [("credit_memo", 22000)]
    assert settlement_rows(env, memo.id) == [("credit_memo", 22000)]
    # The memo: Dr revenue 200, Dr tax 20 / Cr AR (memo) 220 ...
    assert entry_lines(env, "document", memo.id) == [
        [["1200", "-220.00", True], ["4000", "200.00", False], ["2200", "20.00", False]]
    ]
    # ... and its application: Dr AR (memo) 220 / Cr AR (invoice) 220.
    assert entry_lines(env, "credit_memo_application", memo.id) == [
        [["1200", "220.00", True], ["1200", "-220.00", True]]
    ]
    assert ar_by_customer(env) == open_by_customer(env) == {(inv.customer_id, "USD"): usd("440.00")}


def test_credit_memo_cannot_exceed_the_open_amount(env):
    add_customer(env)
    inv = invoice(env, "C1", [("A", "1", "100.00", None)])
    memos.request_credit_memo(
        memos.RequestCreditMemo(inv.number, "x", fraction="0.6"), env.uow("clara")
    )
    with pytest.raises(OverApplication):
        memos.request_credit_memo(
            memos.RequestCreditMemo(inv.number, "y", fraction="0.5"), env.uow("clara")
        )
    assert svc.get_document(env.uow(), inv.number).open == usd("40.00")


def test_large_credit_memo_needs_approval_by_another_person(env):
    add_customer(env)
    inv = invoice(env, "C1", [("Project", "1", "5000.00", None)])
    result = memos.request_credit_memo(
        memos.RequestCreditMemo(inv.number, "scope cut", fraction="0.5"), env.uow("admin")
    )
    assert result.needs_approval and result.memo.number.startswith("DRAFT-")
    draft = result.memo.number
    with pytest.raises(RuleViolation, match="approval"):
        svc.issue_document(svc.IssueDocument(draft), env.uow("admin"))
    with pytest.raises(SegregationOfDuties):  # admin may approve, but not their own request
        memos.approve_credit_memo(memos.ApproveCreditMemo(draft), env.uow("admin"))
    with pytest.raises(NotPermitted):  # a clerk may not approve at all
        memos.approve_credit_memo(memos.ApproveCreditMemo(draft), env.uow("clara"))
    assert svc.get_document(env.uow(), inv.number).open == usd("5000.00")  # nothing changed
    memo = memos.approve_credit_memo(memos.ApproveCreditMemo(draft), env.uow("lena"))
    assert memo.number == "CM-000001" and memo.total == usd("2500.00")
    assert svc.get_document(env.uow(), inv.number).open == usd("2500.00")
    assert ar_by_customer(env) == open_by_customer(env)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prices=st.lists(st.decimals("0.01", "999.99", places=2), min_size=1, max_size=4),
    fraction=st.decimals("0.01", "1", places=2),
    rate=st.sampled_from(["0", "7", "19", "20"]),
)
def test_subledger_equals_open_documents_after_issue_and_credit(engine, prices, fraction, rate):
    env = make_env(engine)
    add_customer(env)
    add_tax(env, "T", rate)
    inv = invoice(
        env, "C1", [(f"item {i}", "1", str(p), "T") for i, p in enumerate(prices)], user="admin"
    )
    try:
        memos.request_credit_memo(
            memos.RequestCreditMemo(inv.number, "p", fraction=fraction), env.uow("admin")
        )
    except InvalidInput:  # the fraction of a tiny invoice rounds to nothing to credit
        assert fraction * sum(prices) < Decimal("0.01")
    balances = ar_by_customer(env)
    assert balances == open_by_customer(env)
    assert sum(b.amount for b in balances.values()) >= 0
