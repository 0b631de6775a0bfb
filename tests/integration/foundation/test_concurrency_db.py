"""Two writers at once: every posting lands and the audit chain stays whole.

PostgreSQL serialises writers on the audit head row (``SELECT ... FOR UPDATE``);
SQLite on its single write lock (``BEGIN IMMEDIATE`` plus a busy timeout).
Both must end with all 100 entries and an intact chain.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Engine

from owed.services import ledger
from owed.services.audit import verify_audit
from tests.conftest import make_env
from tests.integration.foundation.builders import cr, dr, post, snapshot

PER_THREAD = 50


def test_two_threads_posting_at_once_all_land_with_a_valid_chain(engine: Engine) -> None:
    env = make_env(engine)
    env.add_user("lee", "lead")
    before = snapshot(env)
    start = threading.Barrier(2)
    ids: dict[str, list[int]] = {"admin": [], "lee": []}
    errors: list[BaseException] = []

    def worker(user: str, customer: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(PER_THREAD):
                ids[user].append(
                    post(
                        env,
                        date(2026, 3, 1 + i % 28),
                        dr("1200", f"{i + 1}.00", customer_id=customer),
                        cr("4000", f"{i + 1}.00"),
                        user=user,
                        description=f"{user} {i}",
                    )
                )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(user, n)) for n, user in enumerate(ids, start=1)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    all_ids = ids["admin"] + ids["lee"]
    assert len(all_ids) == len(set(all_ids)) == 2 * PER_THREAD
    after = snapshot(env)
    assert after.entries == before.entries + 2 * PER_THREAD
    assert after.lines == before.lines + 4 * PER_THREAD
    assert after.audit_records == before.audit_records + 2 * PER_THREAD
    result = verify_audit(env.uow())
    assert result.ok, result.problem
    assert result.checked == result.head_seq == after.audit_records
    expected = sum(range(1, PER_THREAD + 1)) * 100  # cents, per customer
    balances = ledger.customer_balances(env.uow())
    assert {k: v.to_minor() for k, v in balances.items()} == {
        (1, "USD"): expected,
        (2, "USD"): expected,
    }
    assert ledger.trial_balance(env.uow()).balanced
