"""Write-offs: approval matrix, segregation of duties, postings, auto-approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from owed.adapters.db.schema import settlements
from owed.domain.errors import NotPermitted, RuleViolation, SegregationOfDuties
from owed.services.writeoffs import (
    ApproveWriteOff,
    RejectWriteOff,
    RequestWriteOff,
    approve_write_off,
    list_write_offs,
    reject_write_off,
    request_write_off,
)
from tests.builders import add_customer, add_invoice, open_amount
from tests.integration.disputes.helpers import assert_books_hold, balances, configure


@pytest.fixture
def people(env):
    env.add_user("sam", "specialist")
    env.add_user("sue", "specialist")
    env.add_user("lee", "lead")
    return env


def test_above_limit_refused_until_a_lead_approves_and_then_posted(people):
    env = people
    configure(env, approval_matrix={"limits": {"specialist": "250", "lead": "10000"}})
    cust = add_customer(env, "Beta Ltd")
    inv = add_invoice(env, cust, "500.00")
    req = request_write_off(RequestWriteOff(inv.number, "500.00", "insolvent"), env.uow("sam"))
    assert req.status == "requested" and open_amount(env, inv.number) == Decimal("500.00")
    with pytest.raises(NotPermitted):  # a specialist holds no approval permission
        approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("sue"))
    assert open_amount(env, inv.number) == Decimal("500.00")
    done = approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("lee"))
    assert done.status == "approved" and done.entry_id
    assert open_amount(env, inv.number) == 0
    b = balances(env)
    assert b["6100"] == Decimal("500.00")  # Dr bad debt expense
    assert b.get("1200", 0) == 0  # AR control: 500 opening - 500 written off (zero rows hidden)
    with env.engine.connect() as conn:
        kinds = conn.execute(
            select(settlements.c.kind, settlements.c.amount_minor).where(
                settlements.c.document_id == inv.id
            )
        ).all()
    assert ("write_off", 50000) in [tuple(k) for k in kinds]
    assert [w["status"] for w in list_write_offs(env.uow())] == ["approved"]
    assert_books_hold(env)
    with pytest.raises(RuleViolation):  # decided once only
        approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("admin"))


def test_lead_limit_refused_then_admin_approves(people):
    env = people
    configure(env, approval_matrix={"limits": {"lead": "100", "admin": "100000"}})
    cust = add_customer(env, "Gamma")
    inv = add_invoice(env, cust, "300.00")
    req = request_write_off(RequestWriteOff(inv.number, "300.00", "uncollectable"), env.uow("sam"))
    with pytest.raises(NotPermitted) as refused:
        approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("lee"))
    assert not isinstance(refused.value, SegregationOfDuties)
    assert "limit 100" in str(refused.value)
    assert open_amount(env, inv.number) == Decimal("300.00")
    approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("admin"))
    assert open_amount(env, inv.number) == 0
    assert_books_hold(env)


def test_requester_cannot_approve_even_as_admin(people):
    env = people
    cust = add_customer(env, "Delta")
    inv = add_invoice(env, cust, "40.00")
    req = request_write_off(RequestWriteOff(inv.number, None, "small"), env.uow("admin"))
    assert req.amount.amount == Decimal("40.00")
    with pytest.raises(SegregationOfDuties):
        approve_write_off(ApproveWriteOff(req.write_off_id), env.uow("admin"))
    with pytest.raises(SegregationOfDuties):
        reject_write_off(RejectWriteOff(req.write_off_id, "no"), env.uow("admin"))
    reject_write_off(RejectWriteOff(req.write_off_id, "collect it"), env.uow("lee"))
    assert open_amount(env, inv.number) == Decimal("40.00")
    assert balances(env).get("6100", Decimal(0)) == 0


def test_pending_requests_count_against_the_open_amount(people):
    env = people
    cust = add_customer(env, "Eps")
    inv = add_invoice(env, cust, "100.00")
    request_write_off(RequestWriteOff(inv.number, "60.00", "a"), env.uow("sam"))
    with pytest.raises(RuleViolation, match=r"only 40\.00"):
        request_write_off(RequestWriteOff(inv.number, "60.00", "b"), env.uow("sue"))


def test_auto_approve_threshold_and_allowance_account(people):
    env = people
    configure(env, write_off_auto_approve="10", write_off_to_allowance=True)
    cust = add_customer(env, "Zeta")
    inv = add_invoice(env, cust, "100.00")
    small = request_write_off(RequestWriteOff(inv.number, "10.00", "rounding"), env.uow("sam"))
    assert small.status == "approved"
    big = request_write_off(RequestWriteOff(inv.number, "10.01", "more"), env.uow("sam"))
    assert big.status == "requested"
    assert open_amount(env, inv.number) == Decimal("90.00")
    b = balances(env)
    assert b["1290"] == Decimal("10.00") and "6100" not in b  # Dr allowance, not expense
    assert_books_hold(env)


def test_a_foreign_currency_write_off_is_judged_by_its_value_in_the_matrix_currency(people):
    env = people
    configure(
        env,
        approval_matrix={"limits": {"specialist": "250", "lead": "1000"}},
        fx_rates={"EUR": "1.10"},
    )
    cust = add_customer(env, "Epsilon GmbH", currency="EUR")
    small = add_invoice(env, cust, "900.00", currency="EUR")  # 990.00 USD: within 1,000
    large = add_invoice(env, cust, "950.00", currency="EUR")  # 1,045.00 USD: above it
    ok = request_write_off(RequestWriteOff(small.number, "900.00", "insolvent"), env.uow("sam"))
    approve_write_off(ApproveWriteOff(ok.write_off_id), env.uow("lee"))
    assert open_amount(env, small.number) == 0
    big = request_write_off(RequestWriteOff(large.number, "950.00", "insolvent"), env.uow("sam"))
    with pytest.raises(NotPermitted, match=r"limit 1000 USD"):
        approve_write_off(ApproveWriteOff(big.write_off_id), env.uow("lee"))
    assert open_amount(env, large.number) == Decimal("950.00")
    assert_books_hold(env)
