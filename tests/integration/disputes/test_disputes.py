"""Disputes and deductions on a real database: cash application opens them, resolutions post."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from owed.domain.errors import InvalidTransition, OverApplication, RuleViolation
from owed.domain.payments.statement import RemittanceLine
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.disputes import (
    AddDisputeNote,
    OpenDispute,
    ResolveDispute,
    add_dispute_note,
    dispute_report,
    get_dispute,
    list_disputes,
    open_dispute,
    resolve_dispute,
)
from owed.services.writeoffs import ApproveWriteOff, approve_write_off
from tests.builders import add_customer, add_invoice, open_amount
from tests.integration.cash.test_cash_application import import_lines, line
from tests.integration.disputes.helpers import assert_books_hold, balances, set_day


def short_paid(env, *, code: str | None = "01", name: str = "Acme Corporation"):
    """An invoice of 500.00 paid 400.00 with a 100.00 adjustment: one deduction dispute."""
    cust = add_customer(env, name)
    inv = add_invoice(env, cust, "500.00", issue_date=date(2026, 3, 1))
    remittance = (
        RemittanceLine(
            inv.number, paid=Decimal("400.00"), adjustment=Decimal("100.00"), reason_code=code
        ),
    )
    import_lines(
        env,
        line(
            "400.00",
            ref=f"S-{inv.number}",
            payer=name.upper(),
            remittance=remittance,
            day=date(2026, 3, 9),
        ),
        name=f"{inv.number}.csv",
    )
    result = run_cash_application(RunCashApplication(), env.uow(), keep_decisions=True)
    assert result.auto_applied == 1, result.decisions[0].explanation
    return inv


def test_short_pay_opens_one_deduction_dispute_with_mapped_reason(env):
    inv = short_paid(env, code="01")
    (d,) = list_disputes(env.uow())
    assert (d["source"], d["reason"], d["amount_minor"], d["status"]) == (
        "deduction",
        "pricing",
        10000,
        "open",
    )
    assert d["document_number"] == inv.number and d["sla_due"] == date(2026, 3, 22)
    assert open_amount(env, inv.number) == 0  # the deduction left AR for the clearing account
    assert balances(env)["1250"] == Decimal("100.00")
    run_cash_application(RunCashApplication(), env.uow())  # a second run adds nothing
    assert len(list_disputes(env.uow())) == 1
    assert_books_hold(env)


def test_unknown_remittance_reason_is_other(env):
    short_paid(env, code="ZZ")
    (d,) = list_disputes(env.uow())
    assert d["reason"] == "other" and d["details"]["remittance_reason"] == "ZZ"


def test_credit_memo_clears_the_deductions_clearing_account(env):
    inv = short_paid(env)
    (d,) = list_disputes(env.uow())
    done = resolve_dispute(ResolveDispute(d["id"], "credit_memo", "price was wrong"), env.uow())
    assert done.status == "resolved" and done.reference.startswith("CM-")
    b = balances(env)
    assert b.get("1250", 0) == 0  # clearing cleared
    assert b["4000"] == Decimal("100.00")  # Dr revenue
    assert open_amount(env, inv.number) == 0 and open_amount(env, done.reference) == 0
    view = get_dispute(env.uow(), d["id"])
    assert view.dispute["resolution"] == "credit_memo"
    assert view.notes[0]["body"] == "price was wrong"
    with pytest.raises(InvalidTransition):
        resolve_dispute(ResolveDispute(d["id"], "reject"), env.uow())
    assert_books_hold(env)


def test_rebill_puts_the_deduction_back_into_ar(env):
    inv = short_paid(env, code="59")
    (d,) = list_disputes(env.uow())
    assert d["reason"] == "not_received"
    resolve_dispute(ResolveDispute(d["id"], "rebill"), env.uow())
    assert open_amount(env, inv.number) == Decimal("100.00")
    b = balances(env)
    assert b.get("1250", 0) == 0 and b["1200"] == Decimal("100.00")
    assert_books_hold(env)


def test_deduction_write_off_credits_clearing_after_approval(env):
    env.add_user("sam", "specialist")
    env.add_user("lee", "lead")
    short_paid(env)
    (d,) = list_disputes(env.uow())
    pending = resolve_dispute(ResolveDispute(d["id"], "write_off"), env.uow("sam"))
    assert pending.status == "open" and pending.pending
    with pytest.raises(RuleViolation, match="waits for write-off"):
        resolve_dispute(ResolveDispute(d["id"], "rebill"), env.uow("sam"))
    wo_id = int(pending.reference.split()[-1])
    approve_write_off(ApproveWriteOff(wo_id), env.uow("lee"))
    (after,) = list_disputes(env.uow())
    assert (after["status"], after["resolution"], after["resolution_ref"]) == (
        "resolved",
        "write_off",
        wo_id,
    )
    b = balances(env)
    assert b.get("1250", 0) == 0 and b["6100"] == Decimal("100.00")
    assert_books_hold(env)


def test_invoice_dispute_partial_reject_and_credit(env):
    cust = add_customer(env, "Kappa")
    inv = add_invoice(env, cust, "300.00")
    first = open_dispute(
        OpenDispute(inv.number, "quantity", "120.00", note="2 boxes short"), env.uow()
    )
    with pytest.raises(OverApplication):  # only 180.00 is not disputed yet
        open_dispute(OpenDispute(inv.number, "pricing", "180.01"), env.uow())
    second = open_dispute(OpenDispute(inv.number, "pricing"), env.uow())
    assert get_dispute(env.uow(), second).dispute["amount_minor"] == 18000
    add_dispute_note(AddDisputeNote(first, "customer sent photos"), env.uow())
    with pytest.raises(RuleViolation, match="reject it"):
        resolve_dispute(ResolveDispute(first, "rebill"), env.uow())
    resolve_dispute(ResolveDispute(first, "reject"), env.uow())
    assert open_amount(env, inv.number) == Decimal("300.00")  # dunnable again
    resolve_dispute(ResolveDispute(second, "credit_memo"), env.uow())
    assert open_amount(env, inv.number) == Decimal("120.00")
    assert [x["status"] for x in list_disputes(env.uow(), status="active")] == []
    assert len(get_dispute(env.uow(), first).notes) == 2
    assert_books_hold(env)


def test_metrics_worked_example(env):
    """Three customers' disputes, reported as of 2026-03-20 (SLA 7 calendar days).

    A1 Acme pricing   opened 03-01, credit memo 03-05  4 days, within SLA
    A2 Acme pricing   opened 03-02, rejected    03-12  10 days, late
    B1 Beta quantity  opened 03-03, credit memo 03-12  9 days, late
    B2 Beta pricing   opened 03-10, still open         age 10 -> bucket 8-14
    C1 Cobalt tax     opened 03-18, still open         age 2  -> bucket 0-7

    cycle time = (4 + 9) / 2 resolved = 6.5 days (rejections excluded)
    within SLA = 1 of 3 closed; repeat by customer = 2 (A2, B2) of 5;
    repeat by reason: pricing 1 (A2) of 3, quantity 0 of 1, tax 0 of 1.
    """
    acme, beta, cobalt = (add_customer(env, n) for n in ("Acme", "Beta", "Cobalt"))
    invs = {
        k: add_invoice(env, c, "100.00")
        for k, c in (("A1", acme), ("A2", acme), ("B1", beta), ("B2", beta), ("C1", cobalt))
    }
    plan = [
        ("A1", "pricing", date(2026, 3, 1)),
        ("A2", "pricing", date(2026, 3, 2)),
        ("B1", "quantity", date(2026, 3, 3)),
        ("B2", "pricing", date(2026, 3, 10)),
        ("C1", "tax", date(2026, 3, 18)),
    ]
    ids = {}
    for key, reason, day in plan:
        set_day(env, day)
        ids[key] = open_dispute(OpenDispute(invs[key].number, reason), env.uow())
    for key, by, day in (
        ("A1", "credit_memo", date(2026, 3, 5)),
        ("A2", "reject", date(2026, 3, 12)),
        ("B1", "credit_memo", date(2026, 3, 12)),
    ):
        set_day(env, day)
        resolve_dispute(ResolveDispute(ids[key], by), env.uow())
    set_day(env, date(2026, 3, 20))
    m = dispute_report(env.uow())
    assert m.cycle_time.days == Decimal("6.5")
    assert (m.within_sla.numerator, m.within_sla.denominator) == (1, 3)
    assert (m.repeat_by_customer.numerator, m.repeat_by_customer.denominator) == (2, 5)
    by_reason = {r.value: (x.numerator, x.denominator) for r, x in m.repeat_by_reason.items()}
    assert by_reason == {"pricing": (1, 3), "quantity": (0, 1), "tax": (0, 1)}
    ages = {a.label: a.count for a in m.open_by_age}
    assert ages["0-7"] == 1 and ages["8-14"] == 1 and m.open_count == 2
    assert {r.value: n for r, n in m.open_by_reason.items()} == {"pricing": 1, "tax": 1}
    assert_books_hold(env)
