"""Month-end close on a built history: reconciliation, allowance approval, lock, force."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from owed.adapters.db.schema_reporting import close_runs
from owed.domain.errors import ClosedPeriod, RuleViolation, SegregationOfDuties
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Money
from owed.services import ledger as ledger_svc
from owed.services.allowance import DecideAllowance, decide_allowance
from owed.services.close import CloseMonth, close_month
from tests.builders import add_customer, add_invoice
from tests.integration.reporting.builders import pay, receive
from tests.integration.reporting.conftest import set_settings


def history(env):
    a = add_customer(env, "Acme", external_id="ACME")
    b = add_customer(env, "Bolt", external_id="BOLT")
    i1 = add_invoice(env, a, "1000.00", issue_date=date(2026, 1, 5), due_days=30)  # 55 days late
    add_invoice(env, a, "250.50", issue_date=date(2026, 3, 20), due_days=30)  # current
    i3 = add_invoice(env, b, "400.00", issue_date=date(2025, 10, 1), due_days=30)  # 151 days
    add_invoice(env, b, "99.99", issue_date=date(2026, 4, 2))  # after the period: not in it
    pay(env, i1.number, "600.00", date(2026, 3, 10))
    pay(env, i3.number, "100.00", date(2026, 4, 3))  # after the period end
    receive(env, "42.00", date(2026, 3, 12), text="who is this")  # unapplied cash
    return a, b


def test_close_reconciles_to_the_cent_proposes_allowance_and_locks_after_approval(env, tmp_path):
    env.add_user("lena", "lead")
    env.add_user("omar", "lead")
    history(env)
    written = []

    def writer(report):
        written.append(report.to_json())
        return str(tmp_path)

    report = close_month(CloseMonth("2026-03", write_report=writer), env.uow("lena"))
    (rec,) = report.reconciliation
    # 400 + 1000 − 600 + 250.50 open on March 31
    assert (rec.currency, rec.subledger, rec.gl) == ("USD", Decimal("1050.50"), Decimal("1050.50"))
    assert report.reconciled and report.differences == []
    assert [u["unapplied"] for u in report.unapplied] == [Decimal("42.00")]
    assert report.aging["USD"]["31-60"] == Decimal("400.00")
    assert report.aging["USD"]["over 120"] == Decimal("400.00")
    assert report.aging["USD"]["current"] == Decimal("250.50")
    (allowance,) = report.allowance
    # 250.50 × 0.5 % + 400 × 5 % + 400 × 50 % = 1.2525 + 20 + 200 = 221.25 (rounded once)
    assert allowance.target == Decimal("221.25") and allowance.adjustment == Decimal("221.25")
    assert report.outcome == "awaiting_approval"
    assert ledger_svc.list_periods(env.uow()) == []  # nothing locked yet
    assert json.loads(written[0])["reconciled"] is True

    with pytest.raises(SegregationOfDuties):
        decide_allowance(DecideAllowance(allowance.proposal_id), env.uow("lena"))
    entry_id = decide_allowance(DecideAllowance(allowance.proposal_id), env.uow("omar"))
    assert entry_id is not None
    tb = {
        (r.account.code, r.currency): (r.debit, r.credit)
        for r in ledger_svc.trial_balance(env.uow(), date(2026, 3, 31)).rows
    }
    assert tb[("6100", "USD")][0] == Money("221.25", "USD")
    assert tb[("1290", "USD")][1] == Money("221.25", "USD")

    again = close_month(CloseMonth("2026-03"), env.uow("lena"))
    assert again.outcome == "locked" and again.allowance[0].adjustment == 0
    assert [p[0:2] for p in ledger_svc.list_periods(env.uow())] == [("2026-03", "closed")]
    uow = env.uow()
    with uow:
        ar = ledger_svc.account(uow, SystemAccount.AR_CONTROL)
        with pytest.raises(ClosedPeriod):
            ledger_svc.post_entries(
                uow,
                [
                    JournalEntry(
                        date(2026, 3, 31),
                        "late",
                        (
                            JournalLine(ar, Money("1.00", "USD")),
                            JournalLine("3900", Money("-1.00", "USD")),
                        ),
                    )
                ],
            )
    with pytest.raises(RuleViolation, match="already closed"):
        close_month(CloseMonth("2026-03"), env.uow("lena"))


def test_difference_is_itemised_and_refuses_the_lock_unless_forced(env):
    a, _ = history(env)
    set_settings(env, allowance_percentages={})  # no allowance: only the reconciliation matters
    uow = env.uow()
    with uow:  # a stray posting to AR control on a customer, outside the subledger
        ar = ledger_svc.account(uow, SystemAccount.AR_CONTROL)
        ledger_svc.post_entries(
            uow,
            [
                JournalEntry(
                    date(2026, 3, 30),
                    "stray",
                    (
                        JournalLine(ar, Money("12.34", "USD"), customer_id=a),
                        JournalLine("3900", Money("-12.34", "USD")),
                    ),
                )
            ],
        )
        uow.commit()
    dry = close_month(CloseMonth("2026-03", dry_run=True), env.uow())
    assert dry.outcome == "checked" and not dry.reconciled
    (diff,) = dry.differences
    assert (diff.customer, diff.document, diff.difference) == ("ACME", None, Decimal("-12.34"))
    assert dry.reconciliation[0].difference == Decimal("-12.34")

    refused = close_month(CloseMonth("2026-03"), env.uow())
    assert refused.outcome == "refused"
    assert ledger_svc.list_periods(env.uow()) == []
    forced = close_month(
        CloseMonth("2026-03", force_reason="stray entry, reversed in April"), env.uow()
    )
    assert forced.outcome == "locked"
    uow = env.uow()
    with uow:
        runs = uow.conn.execute(
            select(close_runs.c.outcome, close_runs.c.forced_reason)
            .where(close_runs.c.company_id == uow.company.id)
            .order_by(close_runs.c.id)
        ).all()
    assert [tuple(r) for r in runs] == [
        ("refused", None),
        ("locked", "stray entry, reversed in April"),
    ]


def test_allowance_decrease_reverses_the_sides(env):
    env.add_user("lena", "lead")
    env.add_user("omar", "lead")
    c = add_customer(env, "Small")
    add_invoice(env, c, "1000.00", issue_date=date(2026, 3, 20))
    uow = env.uow()
    with uow:  # an allowance of 100 already booked in February
        ledger_svc.post_entries(
            uow,
            [
                JournalEntry(
                    date(2026, 2, 28),
                    "old allowance",
                    (
                        JournalLine("6100", Money("100.00", "USD")),
                        JournalLine("1290", Money("-100.00", "USD")),
                    ),
                )
            ],
        )
        uow.commit()
    report = close_month(CloseMonth("2026-03"), env.uow("lena"))
    (p,) = report.allowance
    assert (p.current, p.target, p.adjustment) == (
        Decimal("100.00"),
        Decimal("5.00"),
        Decimal("-95.00"),
    )
    decide_allowance(DecideAllowance(p.proposal_id), env.uow("omar"))
    balances = ledger_svc.trial_balance(env.uow(), date(2026, 3, 31)).rows
    allowance = next(r for r in balances if r.account.code == "1290")
    assert allowance.credit == Money("5.00", "USD")
