"""Dunning on a real database and a real SMTP server: the worked example and the guarantees.

The worked example: Acme has three overdue invoices (today 2026-03-15, all
due 2026-02-05, 38 days overdue). INV-A is disputed, INV-B is under a promise
to pay. The run sends exactly one reminder, at level 2 (the pre-due level 1
is passed over for overdue items), listing only INV-C. Acme then pays INV-C;
cash application applies it; the next day's run sends nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from owed.domain.collections.dunning_run import ExclusionReason
from owed.services.dunning import RunDunning, run_dunning
from owed.services.dunning_sending import SendDunning, send_dunning
from owed.services.promises import AddPromise, add_promise
from tests.builders import add_invoice, open_amount
from tests.integration.collections.helpers import (
    counts,
    customer,
    dispute,
    external_id,
    levels_of,
    messages_of,
    on_hold,
    outbox_sender,
    pay,
    run_counts,
    smtp_sender,
)

ISSUED = date(2026, 1, 6)  # NET30: due 2026-02-05


def three_invoices(env):
    acme = customer(env)
    a = add_invoice(env, acme, "1200.00", number="INV-A", issue_date=ISSUED)
    b = add_invoice(env, acme, "800.00", number="INV-B", issue_date=ISSUED)
    c = add_invoice(env, acme, "450.00", number="INV-C", issue_date=ISSUED)
    return acme, a, b, c


def test_worked_example_one_reminder_for_the_third_invoice_then_nothing_after_payment(
    env, smtp_server, tmp_path
):
    acme, a, b, c = three_invoices(env)
    dispute(env, a)
    add_promise(
        AddPromise(external_id(env, acme), "800.00", date(2026, 3, 25), "J. Doe, AP", ("INV-B",)),
        env.uow(),
    )
    sender = smtp_sender(env, smtp_server, tmp_path)

    result = run_dunning(RunDunning(), env.uow(), sender)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.rcpt_tos == ("ap@acme.example",)
    body = received.message.get_body(("plain",)).get_content()
    assert "INV-C" in body and "INV-A" not in body and "INV-B" not in body
    assert "450.00" in body
    assert [(m.customer, m.level, m.status, m.items) for m in result.messages] == [
        (external_id(env, acme), 2, "sent", ("INV-C",))
    ]
    reasons = {(e.item, e.reason) for e in result.exclusions_for(external_id(env, acme))}
    assert ("INV-A", ExclusionReason.DISPUTED) in reasons
    assert ("INV-B", ExclusionReason.PROMISE_TO_PAY) in reasons
    assert levels_of(env, c.id) == [2] and levels_of(env, a.id) == levels_of(env, b.id) == []

    pay(env, "450.00", "PAY-C", date(2026, 3, 15), invoice="INV-C")
    assert open_amount(env, "INV-C") == 0
    env.clock.advance(days=1)
    after = run_dunning(RunDunning(), env.uow(), sender)

    assert after.messages == [] and len(smtp_server.messages) == 1
    assert counts(env) == {"runs": 2, "messages": 1, "levels": 1}


def test_a_second_run_the_same_day_sends_nothing(env, tmp_path):
    three_invoices(env)
    sender = outbox_sender(env, tmp_path)
    first = run_dunning(RunDunning(), env.uow(), sender)
    before = counts(env)
    second = run_dunning(RunDunning(), env.uow(), sender)
    assert len(first.messages) == 1 and not first.already_ran
    assert second.already_ran and second.messages == []
    assert counts(env) == before == {"runs": 1, "messages": 1, "levels": 3}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert {e.reason for e in second.run.exclusions} == {ExclusionReason.ALREADY_RUN_TODAY}


def test_dry_run_previews_and_changes_nothing(env, tmp_path):
    acme, a, _, _ = three_invoices(env)
    dispute(env, a)
    before = counts(env)
    preview = run_dunning(RunDunning(dry_run=True), env.uow(), None)
    assert [(n.customer_id, [i.document for i in n.items]) for n in preview.run.notices] == [
        (str(acme), ["INV-B", "INV-C"])
    ]
    assert ("INV-A", ExclusionReason.DISPUTED) in {
        (e.item, e.reason) for e in preview.exclusions_for(external_id(env, acme))
    }
    assert counts(env) == before == {"runs": 0, "messages": 0, "levels": 0}
    assert not (tmp_path / "outbox").exists()
    # and a real run afterwards still sends, so the preview did not mark the day as done
    assert len(run_dunning(RunDunning(), env.uow(), outbox_sender(env, tmp_path)).messages) == 1


def test_broken_promise_resumes_dunning(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "500.00", number="INV-P", issue_date=ISSUED)
    add_promise(
        AddPromise(external_id(env, acme), "500.00", date(2026, 3, 20), "J. Doe"), env.uow()
    )
    sender = outbox_sender(env, tmp_path)
    assert run_dunning(RunDunning(), env.uow(), sender).messages == []
    env.clock.advance(days=9)  # 2026-03-24: promised date + 3 days grace has passed unpaid
    result = run_dunning(RunDunning(), env.uow(), sender)
    assert [(kind, who, after) for kind, _, who, after in result.commitment_changes] == [
        ("promise", external_id(env, acme), "broken")
    ]
    assert [m.items for m in result.messages] == [("INV-P",)]


def test_kept_promise_from_cash_application(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "300.00", number="INV-K", issue_date=ISSUED)
    add_promise(
        AddPromise(external_id(env, acme), "300.00", date(2026, 3, 18), "J. Doe"), env.uow()
    )
    pay(env, "300.00", "PAY-K", date(2026, 3, 17), invoice="INV-K")
    env.clock.advance(days=5)
    result = run_dunning(RunDunning(), env.uow(), outbox_sender(env, tmp_path))
    assert [(kind, after) for kind, _, _, after in result.commitment_changes] == [
        ("promise", "kept")
    ]
    assert result.messages == []


def test_unapplied_cash_covering_the_overdue_amount_stops_the_reminder(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "250.00", number="INV-U", issue_date=ISSUED)
    pay(env, "250.00", "PAY-U", date(2026, 3, 14), run=False)
    uow = env.uow()
    with uow:  # identified but not applied: the receipt knows its customer
        from owed.adapters.db.schema_cash import receipts

        uow.conn.execute(
            receipts.update()
            .where(receipts.c.company_id == uow.company.id)
            .values(customer_id=acme)
        )
        uow.commit()
    result = run_dunning(RunDunning(), env.uow(), outbox_sender(env, tmp_path))
    assert result.messages == []
    assert {e.reason for e in result.exclusions_for(external_id(env, acme))} == {
        ExclusionReason.COVERED_BY_UNAPPLIED
    }


def test_final_notice_level_puts_the_customer_on_hold_and_agency_level_writes_a_letter(
    env, tmp_path
):
    acme = customer(env)
    add_invoice(env, acme, "900.00", number="INV-H", issue_date=ISSUED - timedelta(days=60))
    sender = outbox_sender(env, tmp_path)
    # due 2025-12-06: 99 days overdue; levels are sent one at a time, spaced as the policy says
    seen = []
    for _ in range(4):
        result = run_dunning(RunDunning(), env.uow(), sender)
        seen += [(m.level, m.channel) for m in result.messages]
        env.clock.advance(days=30)
    assert seen == [(2, "outbox"), (3, "outbox"), (4, "outbox"), (5, "letter")]
    uow = env.uow()
    with uow:
        assert uow.customers.get(acme).on_hold
        kinds = [a["kind"] for a in uow.collections.activities(acme)]
    assert "hold" in kinds and "escalate_agency" in kinds
    assert len(list((tmp_path / "letters").glob("*.pdf"))) == 1


def test_refused_message_is_failed_then_a_later_send_delivers_it_exactly_once(
    env, smtp_server, tmp_path
):
    acme = customer(env, email="nobody@acme.example")
    inv = add_invoice(env, acme, "100.00", number="INV-F", issue_date=ISSUED)
    smtp_server.refuse_recipient("nobody@acme.example")
    sender = smtp_sender(env, smtp_server, tmp_path)

    result = run_dunning(RunDunning(), env.uow(), sender)

    (message,) = result.messages
    assert message.status == "failed" and "refused" in message.reason
    assert smtp_server.messages == []
    (row,) = messages_of(env, acme)
    assert (row["status"], row["attempts"]) == ("failed", 1) and "refused" in row["reason"]
    # the decision was committed: the level is recorded, held by the undelivered message
    assert levels_of(env, inv.id) == [2]
    env.clock.advance(days=1)
    preview = run_dunning(RunDunning(dry_run=True), env.uow(), None)
    assert preview.run.notices == ()
    assert {(e.item, e.reason) for e in preview.exclusions_for(external_id(env, acme))} == {
        ("INV-F", ExclusionReason.AWAITING_DELIVERY)
    }

    smtp_server.refuse.discard("nobody@acme.example")
    delivery = send_dunning(SendDunning(), env.uow(), sender)

    assert [(m.status, m.attempts, m.items) for m in delivery.messages] == [("sent", 2, ("INV-F",))]
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0].message
    (row,) = messages_of(env, acme)
    assert (row["status"], row["attempts"], row["reason"]) == ("sent", 2, "")
    assert received["Message-ID"] == row["message_id"]
    assert "INV-F" in received.get_body(("plain",)).get_content()
    # nothing is sent twice: not by another send, not by the next run
    assert send_dunning(SendDunning(), env.uow(), sender).messages == []
    assert run_dunning(RunDunning(), env.uow(), sender).messages == []
    assert len(smtp_server.messages) == 1
    assert counts(env) == {"runs": 2, "messages": 1, "levels": 1}
    assert run_counts(env) == [(1, 1, 0), (0, 0, 0)]  # (notices, sent, failed) per run


def test_decisions_are_committed_before_sending_and_an_interrupted_send_keeps_its_message_id(
    env, smtp_server, tmp_path
):
    acme = customer(env)
    add_invoice(env, acme, "450.00", number="INV-C", issue_date=ISSUED)
    real = smtp_sender(env, smtp_server, tmp_path)

    class Dies:
        """SMTP accepts the message, then the process dies before recording it."""

        message_id_for = real.message_id_for

        def __call__(self, notice):
            real(notice)
            raise SystemExit("killed after SMTP accepted")

    with pytest.raises(SystemExit):
        run_dunning(RunDunning(), env.uow(), Dies())

    assert len(smtp_server.messages) == 1
    (row,) = messages_of(env, acme)
    assert (row["status"], row["attempts"]) == ("sending", 1)  # outcome unknown
    assert counts(env) == {"runs": 1, "messages": 1, "levels": 1}
    # a send right away leaves it alone (another sender may still be at work) ...
    assert send_dunning(SendDunning(), env.uow(), real).messages == []
    # ... and retries it once the claim is stale, with the same Message-ID
    env.clock.advance(minutes=16)
    delivery = send_dunning(SendDunning(), env.uow(), real)
    assert [(m.status, m.attempts) for m in delivery.messages] == [("sent", 2)]
    first, second = (m.message for m in smtp_server.messages)
    assert first["Message-ID"] == second["Message-ID"] == messages_of(env, acme)[0]["message_id"]
    assert send_dunning(SendDunning(), env.uow(), real).messages == []


def test_outbox_retry_recognises_a_message_already_written(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "450.00", number="INV-C", issue_date=ISSUED)
    real = outbox_sender(env, tmp_path)

    class Dies:
        message_id_for = real.message_id_for

        def __call__(self, notice):
            real(notice)
            raise SystemExit("killed after the outbox file was written")

    with pytest.raises(SystemExit):
        run_dunning(RunDunning(), env.uow(), Dies())
    env.clock.advance(minutes=16)
    (message,) = send_dunning(SendDunning(), env.uow(), real).messages
    assert message.status == "sent" and "already delivered" in message.reason
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert messages_of(env, acme)[0]["status"] == "sent"


def test_hold_waits_for_the_final_notice_to_go_out(env, smtp_server, tmp_path):
    acme = customer(env, email="nobody@acme.example")
    add_invoice(env, acme, "900.00", number="INV-H", issue_date=ISSUED - timedelta(days=60))
    sender = smtp_sender(env, smtp_server, tmp_path)
    seen = []
    for _ in range(2):  # levels 2 and 3 go out
        seen += [m.level for m in run_dunning(RunDunning(), env.uow(), sender).messages]
        env.clock.advance(days=30)
    smtp_server.refuse_recipient("nobody@acme.example")
    result = run_dunning(RunDunning(), env.uow(), sender)  # level 4 (hold) is refused
    assert seen == [2, 3] and [(m.level, m.status) for m in result.messages] == [(4, "failed")]
    assert result.holds == [] and not on_hold(env, acme)
    smtp_server.refuse.discard("nobody@acme.example")
    delivery = send_dunning(SendDunning(), env.uow(), sender)
    assert [(m.level, m.status) for m in delivery.messages] == [(4, "sent")]
    assert delivery.holds == [external_id(env, acme)] and on_hold(env, acme)
