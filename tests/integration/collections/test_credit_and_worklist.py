"""Credit checks and holds, promises and plans, the timeline and the worklist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from owed.adapters.db.schema import audit_log
from owed.domain.errors import InvalidInput, NotPermitted, RuleViolation, SegregationOfDuties
from owed.services.collections import AddActivity, GetWorklist, add_activity, get_worklist
from owed.services.credit import (
    CheckCredit,
    PlaceHold,
    ReleaseHold,
    check_customer_credit,
    place_hold,
    release_hold,
)
from owed.services.dunning import RunDunning, run_dunning
from owed.services.promises import AddPlan, add_plan, parse_installments
from tests.builders import add_customer, add_invoice
from tests.integration.collections.helpers import dispute, outbox_sender, pay


def test_credit_check_allows_within_the_limit_and_refuses_beyond_with_reasons(env):
    add_customer(env, "Acme", external_id="ACME", credit_limit_minor=1_000_000)
    acme_id = add_customer(env, "Other", external_id="OTHER")
    add_invoice(env, acme_id, "50.00")  # another customer's AR does not count
    ok = check_customer_credit(CheckCredit("ACME", "4000", "1000"), env.uow())
    assert ok.decision.allowed and ok.decision.reasons == ()
    assert ok.as_dict()["headroom"] == "5000.00"
    refused = check_customer_credit(CheckCredit("ACME", "9000", "2000"), env.uow())
    assert not refused.decision.allowed
    (reason,) = refused.decision.reasons
    assert "exceeds the credit limit" in reason and "by 1,000.00 USD" in reason
    assert not refused.hold_placed


def test_credit_check_refuses_on_hold_and_overdue_and_holds_when_ar_exceeds_limit(env):
    acme = add_customer(env, "Acme", external_id="ACME", credit_limit_minor=100_000)
    add_invoice(env, acme, "1200.00", issue_date=date(2025, 12, 1))  # due 12-31: 74 days late
    answer = check_customer_credit(CheckCredit("ACME", "10"), env.uow())
    assert answer.hold_placed
    reasons = " | ".join(answer.decision.reasons)
    assert "on credit hold" in reasons and "exceeds the credit limit" in reasons
    assert "74 days overdue" in reasons
    uow = env.uow()
    with uow:
        assert uow.customers.get(acme).on_hold
        actions = list(
            uow.conn.execute(
                select(audit_log.c.action).where(
                    audit_log.c.company_id == uow.company.id, audit_log.c.action == "credit.hold"
                )
            ).scalars()
        )
    assert actions == ["credit.hold"]


def test_manual_hold_release_needs_a_lead_who_did_not_place_it(env):
    add_customer(env, "Acme", external_id="ACME")
    env.add_user("sam", "specialist")
    env.add_user("lena", "lead")
    env.add_user("lou", "lead")
    with pytest.raises(InvalidInput):
        place_hold(PlaceHold("ACME", "  "), env.uow("sam"))
    place_hold(PlaceHold("ACME", "bounced cheque"), env.uow("lena"))
    with pytest.raises(RuleViolation):
        place_hold(PlaceHold("ACME", "again"), env.uow("sam"))
    with pytest.raises(NotPermitted):
        release_hold(ReleaseHold("ACME"), env.uow("sam"))  # no APPROVE
    with pytest.raises(SegregationOfDuties):
        release_hold(ReleaseHold("ACME"), env.uow("lena"))  # placed it
    release_hold(ReleaseHold("ACME", "paid"), env.uow("lou"))
    uow = env.uow()
    with uow:
        acme = uow.customers.get_by_external("ACME")
        kinds = [a["kind"] for a in uow.collections.activities(acme.id)]
    assert not acme.on_hold and kinds == ["hold", "hold_release"]
    with pytest.raises(RuleViolation):
        release_hold(ReleaseHold("ACME"), env.uow("lou"))


def test_payment_plan_protects_until_an_installment_is_missed(env, tmp_path):
    acme = add_customer(env, "Acme", external_id="ACME", email="ap@acme.example")
    add_invoice(env, acme, "1000.00", number="INV-1", issue_date=date(2026, 1, 1))
    add_plan(
        AddPlan("ACME", ("INV-1",), parse_installments("2026-03-20:500,2026-04-20:500")), env.uow()
    )
    sender = outbox_sender(env, tmp_path)
    assert run_dunning(RunDunning(), env.uow(), sender).messages == []
    pay(env, "500.00", "P1", date(2026, 3, 19), run=False, apply_to="INV-1")
    env.clock.advance(days=10)  # 03-25: first installment met
    assert run_dunning(RunDunning(), env.uow(), sender).messages == []
    env.clock.advance(days=30)  # 04-24: second installment missed past 3 days of grace
    result = run_dunning(RunDunning(), env.uow(), sender)
    assert [(k, a) for k, _, _, a in result.commitment_changes] == [("plan", "broken")]
    assert [m.items for m in result.messages] == [("INV-1",)]


def test_installments_are_parsed_strictly():
    assert parse_installments("2026-04-01:500, 2026-05-01:500.50") == (
        (date(2026, 4, 1), Decimal("500")),
        (date(2026, 5, 1), Decimal("500.50")),
    )
    with pytest.raises(InvalidInput, match="installment 2"):
        parse_installments("2026-04-01:500,May:500")


def test_worklist_ranks_per_collector_with_reasons(env):
    big = add_customer(env, "Big", external_id="BIG", collector="kim", risk_class="high")
    small = add_customer(env, "Small", external_id="SMALL", collector="kim", risk_class="low")
    other = add_customer(env, "Other", external_id="OTH", collector="lee")
    add_invoice(env, big, "50000.00", issue_date=date(2025, 11, 1))
    inv = add_invoice(env, small, "200.00", issue_date=date(2026, 1, 20))
    add_invoice(env, other, "300.00", issue_date=date(2026, 1, 1))
    add_invoice(env, other, "999.00", issue_date=date(2026, 3, 1))  # not yet due: not listed
    dispute(env, inv, "50.00")
    add_activity(
        AddActivity("SMALL", "call", "left a message", date(2026, 3, 14), "no answer"), env.uow()
    )
    entries = get_worklist(GetWorklist(), env.uow())
    assert [(e.collector, e.customer) for e in entries] == [
        ("kim", "BIG"),
        ("kim", "SMALL"),
        ("lee", "OTH"),
    ]
    small_entry = entries[1]
    assert small_entry.ranked.account.past_due.amount == Decimal("150.00")  # disputed 50 out
    factors = {r.factor for r in small_entry.ranked.score.reasons}
    assert {"amount", "disputes", "next_action"} <= factors
    assert "contact" not in factors  # called today: no points for days since contact
    assert "never contacted" in [r.phrase for r in entries[0].ranked.score.reasons]
    assert [e.customer for e in get_worklist(GetWorklist("kim", 1), env.uow())] == ["BIG"]
