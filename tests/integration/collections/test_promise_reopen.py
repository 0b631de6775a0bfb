"""A payment that kept a promise is unapplied (wrong customer, bounced): the promise reopens.

Acme promised 300.00 for INV-K by 2026-03-18 and paid on 2026-03-17; the
dunning run of 2026-03-20 (today in these tests is 2026-03-15 + 5 days)
judges the promise kept. The payment is then
unapplied: the promise is pending again at once and is judged again from what
remains: broken once the promised date and grace days have passed (dunning
resumes), kept again if the cash stays with the customer as unapplied cash.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from owed.adapters.db.schema_cash import receipts
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_returns import PairReturns, pair_returns
from owed.services.cash_unapply import UnapplyReceipt, unapply_receipt
from owed.services.dunning import RunDunning, run_dunning
from owed.services.promises import AddPromise, add_promise, list_promises
from tests.builders import add_invoice
from tests.integration.cash.returns_helpers import credit, import_lines, returned
from tests.integration.collections.helpers import customer, external_id, outbox_sender, pay


def _receipt_id(env, reference: str) -> int:
    uow = env.uow()
    with uow:
        return int(
            uow.conn.execute(
                select(receipts.c.id).where(
                    receipts.c.company_id == uow.company.id,
                    receipts.c.bank_reference == reference,
                )
            ).scalar_one()
        )


def _statuses(env) -> list[str]:
    return [str(p.status) for p in list_promises(env.uow())]


def test_a_returned_payment_reopens_the_promise_it_kept_and_dunning_resumes(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "300.00", number="INV-K", issue_date=date(2026, 1, 6))
    add_promise(
        AddPromise(external_id(env, acme), "300.00", date(2026, 3, 18), "J. Doe"), env.uow()
    )
    import_lines(
        env, credit("300.00", "PAY-K", e2e="E2E-K", text="INV-K", day=date(2026, 3, 17)), name="p"
    )
    run_cash_application(RunCashApplication(), env.uow())
    env.clock.advance(days=5)
    sender = outbox_sender(env, tmp_path)
    first = run_dunning(RunDunning(), env.uow(), sender)
    assert [after for _, _, _, after in first.commitment_changes] == ["kept"]
    assert _statuses(env) == ["kept"]

    # the payment bounces: the return pairs with it, unapplies it, and the promise reopens
    import_lines(env, returned("300.00", "RET-K", e2e="E2E-K", day=date(2026, 3, 20)), name="r")
    assert len(pair_returns(PairReturns(), env.uow()).paired) == 1
    assert _statuses(env) == ["pending"]  # today 2026-03-20: 2026-03-18 + 3 grace days to go

    env.clock.advance(days=2)
    second = run_dunning(RunDunning(), env.uow(), sender)
    assert [after for _, _, _, after in second.commitment_changes] == ["broken"]
    assert [m.items for m in second.messages] == [("INV-K",)]


def test_unapplied_cash_that_stays_with_the_customer_still_keeps_the_promise(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "300.00", number="INV-K", issue_date=date(2026, 1, 6))
    add_promise(
        AddPromise(external_id(env, acme), "300.00", date(2026, 3, 18), "J. Doe"), env.uow()
    )
    pay(env, "300.00", "PAY-K", date(2026, 3, 17), invoice="INV-K")
    env.clock.advance(days=5)
    sender = outbox_sender(env, tmp_path)
    run_dunning(RunDunning(), env.uow(), sender)
    unapply_receipt(UnapplyReceipt(_receipt_id(env, "PAY-K"), reason="reapply later"), env.uow())
    assert _statuses(env) == ["pending"]  # reopened; judged again from what remains
    env.clock.advance(days=1)
    second = run_dunning(RunDunning(), env.uow(), sender)
    # the cash is still Acme's (identified, unapplied): the promise is kept, nobody is dunned
    assert [after for _, _, _, after in second.commitment_changes] == ["kept"]
    assert second.messages == []


def test_a_promise_kept_before_the_unapplied_payment_was_applied_stays_kept(env, tmp_path):
    acme = customer(env)
    add_invoice(env, acme, "300.00", number="INV-K", issue_date=date(2026, 1, 6))
    add_invoice(env, acme, "120.00", number="INV-L", issue_date=date(2026, 1, 6))
    add_promise(
        AddPromise(external_id(env, acme), "300.00", date(2026, 3, 18), "J. Doe", ("INV-K",)),
        env.uow(),
    )
    pay(env, "300.00", "PAY-K", date(2026, 3, 17), invoice="INV-K")
    env.clock.advance(days=5)
    run_dunning(RunDunning(), env.uow(), outbox_sender(env, tmp_path))
    assert _statuses(env) == ["kept"]
    env.clock.advance(days=2)
    pay(env, "120.00", "PAY-L", date(2026, 3, 24), invoice="INV-L")
    unapply_receipt(UnapplyReceipt(_receipt_id(env, "PAY-L"), reason="wrong customer"), env.uow())
    assert _statuses(env) == ["kept"]
