"""Returned payments on a real database: pairing, unapply clean-up, accepting suggestions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from owed.adapters.db.schema_cash import applications
from owed.domain.errors import InvalidInput, NotPermitted, RuleViolation
from owed.domain.payments.statement import RemittanceLine
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_corrections import (
    AcceptSuggestion,
    ApplyReceipt,
    Target,
    accept_suggestion,
    apply_receipt,
)
from owed.services.cash_reading import export_applications, list_exceptions
from owed.services.cash_returns import (
    PairReturn,
    PairReturns,
    list_return_pairings,
    pair_return_by_hand,
    pair_returns,
)
from owed.services.cash_unapply import UnapplyReceipt, unapply_receipt
from owed.services.disputes import (
    ResolveDispute,
    dispute_report,
    list_disputes,
    resolve_dispute,
)
from owed.services.reporting import ReportKpis, report_kpis
from tests.builders import add_customer, add_invoice, open_amount
from tests.integration.cash.returns_helpers import (
    credit,
    gl,
    import_lines,
    invariants_hold,
    receipt_row,
    returned,
)


def run(env):
    return run_cash_application(RunCashApplication(), env.uow(), keep_decisions=True)


def pair(env):
    return pair_returns(PairReturns(), env.uow())


def test_a_return_quoting_the_payment_reference_reopens_the_invoice_and_closes_both(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "1200.00")
    (rid,) = import_lines(
        env, credit("1200.00", "B1", e2e="E2E-7781", text=f"PAY {inv.number}"), name="a"
    )
    assert run(env).auto_applied == 1 and open_amount(env, inv.number) == 0
    (ret,) = import_lines(env, returned("1200.00", "R1", e2e="E2E-7781", account=None), name="b")
    found = pair(env)
    assert found.paired == [(ret, rid)]
    assert open_amount(env, inv.number) == Decimal("1200.00")
    assert receipt_row(env, rid)["status"] == "returned"
    assert receipt_row(env, ret)["status"] == "returned"
    (p,) = list_return_pairings(env.uow())
    assert (p["rule"], p["how"], p["fee_minor"], p["returned_minor"]) == (
        "reference", "auto", 0, 120000,
    )  # fmt: skip
    assert list_exceptions(env.uow()) == []  # both closed: nothing in the queue
    assert gl(env, "1000") == 0 and gl(env, "2100") == 0  # bank and unapplied net to zero
    assert gl(env, "1200") == Decimal("1200.00")  # the invoice is receivable again
    invariants_hold(env)
    # nothing left to pair; the receipt is not matched again
    assert pair(env).returns == 0 and run(env).receipts == 0


def test_nacha_style_original_trace_in_the_text_pairs(env):
    acme = add_customer(env, "Acme Corporation")
    add_invoice(env, acme, "80.00")
    (rid,) = import_lines(env, credit("80.00", "091400600000001", account=None), name="a")
    (ret,) = import_lines(
        env,
        returned("80.00", "T9", account=None, text="RETURN R01 original trace 091400600000001"),
        name="b",
    )
    assert pair(env).paired == [(ret, rid)]
    invariants_hold(env)


def test_same_account_and_amount_within_the_window_pairs_and_a_fee_goes_to_bank_fees(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "500.00")
    (rid,) = import_lines(env, credit("500.00", "B1", text=inv.number), name="a")
    run(env)
    # by reference, 12.50 more than the original: a returned-item fee
    (ret,) = import_lines(env, returned("512.50", "R1", text="RETURN OF B1 REF B1XXXX"), name="b")
    assert pair(env).paired == []  # B1 is too short to be quoted; 512.50 is no exact amount
    (item,) = [e for e in list_exceptions(env.uow()) if e.receipt_id == ret]
    assert "smaller" in item.reason and item.suggestions[0]["receipt_id"] == rid
    paired = pair_return_by_hand(PairReturn(ret, rid), env.uow())
    assert paired.fee.amount == Decimal("12.50")
    assert gl(env, "6200") == Decimal("12.50")  # bank fees
    assert gl(env, "2100") == 0
    assert open_amount(env, inv.number) == Decimal("500.00")
    invariants_hold(env)


def test_account_and_amount_fallback(env):
    acme = add_customer(env, "Acme Corporation")
    add_invoice(env, acme, "300.00")
    (rid,) = import_lines(env, credit("300.00", "B1", day=date(2026, 2, 25)), name="a")
    (ret,) = import_lines(env, returned("300.00", "R1", day=date(2026, 3, 10)), name="b")
    found = pair(env)
    assert found.paired == [(ret, rid)]
    (p,) = list_return_pairings(env.uow())
    assert p["rule"] == "account_amount"
    invariants_hold(env)


def test_outside_the_window_or_ambiguous_stays_in_the_queue_with_candidates(env):
    acme = add_customer(env, "Acme Corporation")
    add_invoice(env, acme, "300.00")
    import_lines(env, credit("300.00", "OLD", day=date(2026, 1, 5)), name="a")
    (ret,) = import_lines(env, returned("300.00", "R1", day=date(2026, 3, 10)), name="b")
    found = pair(env)
    assert found.paired == [] and "no receipt found" in found.exceptions[0][1]
    # two receipts from the account for the amount in the window: ambiguous
    a, b = import_lines(
        env,
        credit("300.00", "C1", day=date(2026, 3, 2)),
        credit("300.00", "C2", day=date(2026, 3, 3)),
        name="c",
    )
    found = pair(env)
    assert found.paired == []
    (item,) = [e for e in list_exceptions(env.uow()) if e.receipt_id == ret]
    assert "2 receipts" in item.reason
    assert {s["receipt_id"] for s in item.suggestions} == {a, b}
    pair_return_by_hand(PairReturn(ret, a), env.uow())
    with pytest.raises(RuleViolation, match="already paired"):
        pair_return_by_hand(PairReturn(ret, b), env.uow())
    invariants_hold(env)


def test_pairing_by_hand_refuses_what_cannot_be_a_return(env):
    (rid, other) = import_lines(env, credit("90.00", "B1"), credit("95.00", "B2"), name="a")
    (ret,) = import_lines(env, returned("90.00", "R1", account=None), name="b")
    with pytest.raises(RuleViolation, match="not a returned payment"):
        pair_return_by_hand(PairReturn(rid, other), env.uow())
    with pytest.raises(RuleViolation, match="partial returns"):
        pair_return_by_hand(PairReturn(ret, other), env.uow())
    env.add_user("ann", "analyst")
    with pytest.raises(NotPermitted):
        pair_return_by_hand(PairReturn(ret, rid), env.uow("ann"))
    invariants_hold(env)


def _short_pay(env, short: str, reason: str = "DAMAGED"):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "1000.00", issue_date=date(2026, 3, 1))
    paid = Decimal("1000.00") - Decimal(short)
    remittance = (
        RemittanceLine(inv.number, paid=paid, adjustment=Decimal(short), reason_code=reason),
    )
    (rid,) = import_lines(
        env,
        credit(str(paid), "S1", payer="ACME CORPORATION", remittance=remittance),
        name="s",
    )
    result = run(env)
    assert result.auto_applied == 1, result.decisions[0].explanation
    return inv, rid


def test_unapplying_a_short_pay_cancels_its_deduction_dispute(env):
    inv, rid = _short_pay(env, "100.00")
    (d,) = list_disputes(env.uow(), "active")
    assert d["source"] == "deduction"
    assert gl(env, "1250") == Decimal("100.00")
    unapply_receipt(UnapplyReceipt(rid, reason="wrong customer"), env.uow())
    assert list_disputes(env.uow(), "active") == []
    (d,) = list_disputes(env.uow(), "cancelled")
    assert d["details"]["cancelled_because"] == "payment unapplied"
    assert d["closed_on"] == date(2026, 3, 15)  # today on the test clock
    assert gl(env, "1250") == 0 and open_amount(env, inv.number) == Decimal("1000.00")
    report = dispute_report(env.uow())
    assert report.open_count == 0
    assert report.within_sla.denominator == 0 and report.repeat_by_customer.denominator == 0
    invariants_hold(env)


def test_a_cancelled_deduction_is_not_a_deduction_of_the_period_for_ddo(env):
    _, rid = _short_pay(env, "100.00")
    march = ReportKpis(date(2026, 3, 1), date(2026, 3, 31))
    (before,) = report_kpis(march, env.uow()).rows
    assert before.ddo.inputs["deductions_in_period"] == Decimal("100.00")
    unapply_receipt(UnapplyReceipt(rid, reason="wrong customer"), env.uow())
    (after,) = report_kpis(march, env.uow()).rows
    assert after.ddo.inputs["deductions_in_period"] == 0
    assert after.ddo.inputs["open_deductions"] == 0 and after.ddo.days is None


def test_a_return_of_a_short_pay_cancels_the_deduction_and_reverses_the_write_off(env):
    inv, rid = _short_pay(env, "100.00")
    (ret,) = import_lines(env, returned("900.00", "R1"), name="r")
    assert pair(env).paired == [(ret, rid)]
    assert [d["status"] for d in list_disputes(env.uow())] == ["cancelled"]
    assert open_amount(env, inv.number) == Decimal("1000.00")
    invariants_hold(env)


def test_a_write_off_within_tolerance_is_reversed_by_unapply(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "1000.00")
    add_invoice(env, acme, "1000.00")  # two invoices the payment could short-pay: a person chooses
    import_lines(env, credit("997.00", "W1", text="no ref"), name="w")
    run(env)
    rid = list_exceptions(env.uow())[0].receipt_id
    apply_receipt(
        ApplyReceipt(rid, (Target(inv.number, Decimal("997.00"), write_off=Decimal("3.00")),)),
        env.uow(),
    )
    assert gl(env, "6150") == Decimal("3.00") and open_amount(env, inv.number) == 0
    unapply_receipt(UnapplyReceipt(rid), env.uow())
    assert gl(env, "6150") == 0 and open_amount(env, inv.number) == Decimal("1000.00")
    invariants_hold(env)


def test_a_resolved_deduction_blocks_the_automatic_pairing_with_a_reason(env):
    _inv, rid = _short_pay(env, "100.00")
    (d,) = list_disputes(env.uow(), "active")
    resolve_dispute(ResolveDispute(d["id"], "rebill"), env.uow())
    with pytest.raises(RuleViolation, match="already resolved"):
        unapply_receipt(UnapplyReceipt(rid), env.uow())
    (_ret,) = import_lines(env, returned("900.00", "R1"), name="r")
    found = pair(env)
    assert found.paired == [] and "already resolved" in found.exceptions[0][1]
    assert receipt_row(env, rid)["status"] == "applied"
    invariants_hold(env)


def _two_suggestions(env):
    acme = add_customer(env, "Acme Corporation")
    inv1 = add_invoice(env, acme, "250.00", issue_date=date(2026, 2, 1))
    inv2 = add_invoice(env, acme, "250.00", issue_date=date(2026, 2, 2))
    (rid,) = import_lines(env, credit("250.00", "A1", payer="ACME CORPORATION"), name="s")
    result = run(env)
    assert result.auto_applied == 0
    (item,) = list_exceptions(env.uow())
    assert len(item.suggestions) >= 2, item
    return rid, item, inv1, inv2


def test_accepting_a_suggestion_applies_it_as_suggested(env):
    rid, item, _inv1, _inv2 = _two_suggestions(env)
    second = item.suggestions[1]
    accept_suggestion(AcceptSuggestion(rid, rank=2), env.uow())
    (target_id, amount) = second["allocations"][0]
    uow = env.uow()
    with uow:
        (app,) = uow.conn.execute(
            select(applications).where(applications.c.receipt_id == rid)
        ).all()
    assert app.how == "suggested" and app.document_id == target_id
    assert Decimal(amount) == Decimal("250.00")
    rows = export_applications(env.uow())
    assert [(r["status"], r["amount"]) for r in rows] == [("suggested", "250.00")]
    assert list_exceptions(env.uow()) == []
    with pytest.raises(RuleViolation, match="applied"):
        accept_suggestion(AcceptSuggestion(rid), env.uow())
    invariants_hold(env)


def test_accept_refuses_a_receipt_without_suggestions_or_a_wrong_rank(env):
    rid, _item, _i1, _i2 = _two_suggestions(env)
    with pytest.raises(InvalidInput, match="rank 9"):
        accept_suggestion(AcceptSuggestion(rid, rank=9), env.uow())
    (lonely,) = import_lines(env, credit("1.23", "Z1", payer="NOBODY", account=None), name="z")
    run(env)
    with pytest.raises(RuleViolation, match="no suggestion"):
        accept_suggestion(AcceptSuggestion(lonely), env.uow())
    (ret,) = import_lines(env, returned("5.00", "R1", account=None), name="r")
    with pytest.raises(RuleViolation, match="returned payment"):
        accept_suggestion(AcceptSuggestion(ret), env.uow())
