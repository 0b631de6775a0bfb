"""The matching run's persistence: set-based guards, runs that follow each other, duplicates.

The run writes each batch with one statement per table (see adapters/db/cash.py); these
worked examples check that the controls did not weaken on the way: an invoice is never
settled below zero even when one batch settles it twice, a second run applies nothing
twice, and a payment repeated in a later file is recognised as a copy of one applied
in an earlier run.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from owed.adapters.db.schema import journal_entries, settlements
from owed.adapters.db.schema_cash import applications, receipts
from owed.domain.errors import OverApplication
from owed.services.cash_postings import AppLine, PendingApplication, post_applications
from owed.services.cash_reading import list_exceptions
from tests.builders import add_customer, add_invoice, open_amount
from tests.integration.cash.test_cash_application import (
    conservation_holds,
    import_lines,
    line,
    run,
)


def _counts(env) -> tuple[int, int, int]:
    uow = env.uow()
    with uow:
        cid = uow.company.id
        return tuple(  # type: ignore[return-value]
            uow.conn.execute(
                select(func.count()).select_from(t).where(t.c.company_id == cid)
            ).scalar_one()
            for t in (journal_entries, applications, settlements)
        )


def test_a_copy_applied_in_an_earlier_run_is_flagged_as_a_duplicate(env):
    acme = add_customer(env, "Acme Corporation")
    first_inv = add_invoice(env, acme, "100.00")
    second_inv = add_invoice(env, acme, "100.00")
    paid = dict(payer="ACME CORP", text=f"PAYMENT {first_inv.number}")
    import_lines(env, line("100.00", ref="BANK-1", day=date(2026, 3, 10), **paid), name="a.csv")
    one = run(env)
    assert one.auto_applied == 1
    original = one.decisions[0].receipt_id
    # The bank sends the same payment again two days later under a new reference, so the
    # import's dedupe key does not catch it; only the matcher's duplicate guard can.
    import_lines(env, line("100.00", ref="BANK-2", day=date(2026, 3, 12), **paid), name="b.csv")
    two = run(env)
    assert two.receipts == 1 and two.auto_applied == 0
    decision = two.decisions[0]
    assert decision.duplicate_of == original
    assert "likely paid twice" in decision.explanation
    assert open_amount(env, second_inv.number) == Decimal("100.00")
    assert [e.receipt_id for e in list_exceptions(env.uow())] == [decision.receipt_id]
    conservation_holds(env)


def test_a_receipt_applied_weeks_earlier_is_not_a_duplicate(env):
    acme = add_customer(env, "Acme Corporation")
    first_inv = add_invoice(env, acme, "100.00", issue_date=date(2026, 1, 5))
    second_inv = add_invoice(env, acme, "100.00", issue_date=date(2026, 2, 5))
    import_lines(
        env,
        line("100.00", ref="JAN", payer="ACME CORP", text=first_inv.number, day=date(2026, 2, 1)),
        name="jan.csv",
    )
    assert run(env).auto_applied == 1
    import_lines(
        env,
        line("100.00", ref="MAR", payer="ACME CORP", text=second_inv.number, day=date(2026, 3, 10)),
        name="mar.csv",
    )
    later = run(env)
    assert later.decisions[0].duplicate_of is None
    assert later.auto_applied == 1
    assert open_amount(env, second_inv.number) == Decimal("0.00")


def test_a_second_run_applies_nothing_twice(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "250.00")
    import_lines(
        env,
        line("250.00", ref="R1", payer="ACME CORP", text=f"INVOICE {inv.number}"),
        line("77.00", ref="R2", payer="SOMEONE ELSE", text="no idea"),
    )
    first = run(env)
    assert (first.auto_applied, first.exceptions) == (1, 1)
    before = _counts(env)
    again = run(env)  # the exception is looked at again; the applied receipt is not
    assert (again.receipts, again.auto_applied) == (1, 0)
    assert _counts(env) == before
    assert open_amount(env, inv.number) == Decimal("0.00")
    conservation_holds(env)


def _pending(env, receipt_id: int, number: str, cash: int) -> PendingApplication:
    uow = env.uow()
    with uow:
        receipt = uow.cash.receipt(receipt_id)
        document = uow.cash.document_by_number(number)
    assert receipt is not None and document is not None
    return PendingApplication(
        receipt, document["customer_id"], [AppLine(document, cash=cash)], 0, "auto", "test", 1.0, ""
    )


def test_one_batch_settling_an_invoice_twice_beyond_its_balance_changes_nothing(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "100.00")
    result = import_lines(env, line("80.00", ref="C1"), line("80.00", ref="C2"))
    first, second = result.receipt_ids
    before = _counts(env)
    batch = [_pending(env, first, inv.number, 8000), _pending(env, second, inv.number, 8000)]
    uow = env.uow()
    with pytest.raises(OverApplication) as refused, uow:
        post_applications(uow, batch)
        uow.commit()
    assert inv.number in str(refused.value)
    assert _counts(env) == before
    assert open_amount(env, inv.number) == Decimal("100.00")
    uow = env.uow()
    with uow:
        left = uow.conn.execute(
            select(receipts.c.unapplied_minor).where(receipts.c.id.in_([first, second]))
        ).scalars()
        assert sorted(left) == [8000, 8000]
    # The same two applications within the balance both go through.
    batch = [_pending(env, first, inv.number, 6000), _pending(env, second, inv.number, 4000)]
    uow = env.uow()
    with uow:
        post_applications(uow, batch)
        uow.commit()
    assert open_amount(env, inv.number) == Decimal("0.00")
    conservation_holds(env)


def test_a_receipt_never_gives_more_than_it_has_within_one_batch(env):
    acme = add_customer(env, "Acme Corporation")
    one = add_invoice(env, acme, "60.00")
    two = add_invoice(env, acme, "60.00")
    (receipt_id,) = import_lines(env, line("100.00", ref="C1")).receipt_ids
    before = _counts(env)
    batch = [
        _pending(env, receipt_id, one.number, 6000),
        _pending(env, receipt_id, two.number, 6000),
    ]
    uow = env.uow()
    with pytest.raises(OverApplication) as refused, uow:
        post_applications(uow, batch)
        uow.commit()
    assert f"receipt {receipt_id}" in str(refused.value)
    assert _counts(env) == before
    assert open_amount(env, one.number) == Decimal("60.00")
