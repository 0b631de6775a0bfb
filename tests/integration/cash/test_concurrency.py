"""Two clerks apply cash to the same invoice at the same moment: it is never over-applied.

Each application runs in its own unit of work (own connection, own transaction), started
together from two threads. Both pass the checks that read the invoice; the guarded UPDATE
(`open >= amount`) then lets exactly one of them settle it, on PostgreSQL (row lock, re-check
after the first commits) as on SQLite (one writer at a time).
"""

from __future__ import annotations

import threading
from decimal import Decimal

from owed.domain.errors import OverApplication
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from tests.builders import add_customer, add_invoice, open_amount
from tests.integration.cash.test_cash_application import (
    conservation_holds,
    import_lines,
    line,
    list_exceptions,
)


def test_parallel_applications_never_over_apply_an_invoice(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "100.00")
    import_lines(env, line("80.00", ref="C1"), line("80.00", ref="C2"))
    receipts = [e.receipt_id for e in list_exceptions(env.uow())]
    assert len(receipts) == 2
    start = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def apply(receipt_id: int) -> None:
        start.wait()
        try:
            apply_receipt(
                ApplyReceipt(receipt_id, (Target(inv.number, Decimal("80.00")),)), env.uow()
            )
            result = "applied"
        except OverApplication:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=apply, args=(r,)) for r in receipts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["applied", "refused"]
    assert open_amount(env, inv.number) == Decimal("20.00")
    conservation_holds(env)
