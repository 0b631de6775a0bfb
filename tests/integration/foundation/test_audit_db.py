"""The audit trail on a real database: who did what, and tampering is found.

To tamper, a test lifts the append-only trigger, changes a row and restores
the trigger in one transaction, so no other test ever sees the log unguarded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import Connection, Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from owed.adapters.db.schema import audit_log
from owed.domain.errors import NotPermitted, UnbalancedEntry
from owed.services import ledger, users
from owed.services.audit import recent_audit, verify_audit
from owed.services.ledger import ClosePeriod, ReopenPeriod, ReverseEntry
from tests.conftest import Env, make_env
from tests.integration.foundation.builders import company_id, cr, dr, post


@contextmanager
def unguarded(conn: Connection, verb: str) -> Iterator[None]:
    """Lift the audit log's append-only guard for ``verb`` inside ``conn``'s transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        yield
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        return
    name = f"audit_log_no_{verb}"
    sql = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
    ).scalar_one()
    conn.execute(text(f"DROP TRIGGER {name}"))
    yield
    conn.execute(text(sql))


def tamper(env: Env, seq: int, **values: str) -> None:
    cid = company_id(env)
    with env.engine.connect() as conn:
        with unguarded(conn, "update"):
            changed = conn.execute(
                update(audit_log)
                .where(audit_log.c.company_id == cid, audit_log.c.seq == seq)
                .values(**values)
            )
            assert changed.rowcount == 1
        conn.commit()


def remove(env: Env, seq: int) -> None:
    cid = company_id(env)
    with env.engine.connect() as conn:
        with unguarded(conn, "delete"):
            conn.execute(
                delete(audit_log).where(audit_log.c.company_id == cid, audit_log.c.seq == seq)
            )
        conn.commit()


def busy_company(engine: Engine) -> Env:
    """A company where every foundation use case has run once."""
    env = make_env(engine)
    env.add_user("lee", "lead")
    entry_id = post(
        env,
        date(2026, 3, 10),
        dr("1200", "108.00", customer_id=4),
        cr("4000", "100.00"),
        cr("2200", "8.00"),
        user="lee",
    )
    ledger.reverse_entry(ReverseEntry(entry_id, reason="wrong customer"), env.uow("lee"))
    ledger.close_period(ClosePeriod("2026-02"), env.uow("lee"))
    ledger.reopen_period(ReopenPeriod("2026-02", "late credit note"), env.uow("lee"))
    users.set_roles(users.SetRoles("lee", ("lead", "analyst")), env.uow())
    return env


def test_every_use_case_is_audited_and_attributed_to_the_acting_user(engine: Engine) -> None:
    env = busy_company(engine)
    records = list(reversed(recent_audit(env.uow(), limit=100)))
    assert [(r.seq, r.actor, r.action, r.object_type) for r in records] == [
        (1, "owed-system", "company.create", "company"),
        (2, "owed-system", "user.add", "user"),
        (3, "admin", "user.add", "user"),
        (4, "lee", "journal.post", "journal_entry"),
        (5, "lee", "journal.reverse", "journal_entry"),
        (6, "lee", "period.close", "period"),
        (7, "lee", "period.reopen", "period"),
        (8, "admin", "user.set_roles", "user"),
    ]
    by_seq = {r.seq: r for r in records}
    assert by_seq[1].object_id == env.code
    assert by_seq[3].object_id == "lee"
    assert json.loads(by_seq[3].after or "") == {"roles": ["lead"], "email": None}
    posted = json.loads(by_seq[4].after or "")
    assert posted["date"] == "2026-03-10"
    assert posted["lines"][0] == ["1200", "108.00 USD", 4]
    reversal = json.loads(by_seq[5].after or "")
    assert reversal == {"reverses": int(by_seq[4].object_id), "reason": "wrong customer"}
    assert by_seq[5].object_id != by_seq[4].object_id
    assert json.loads(by_seq[6].before or "") == {"status": "open"}
    assert json.loads(by_seq[7].after or "") == {"status": "open", "reason": "late credit note"}
    assert json.loads(by_seq[8].before or "") == {"roles": ["lead"]}
    assert json.loads(by_seq[8].after or "") == {"roles": ["analyst", "lead"]}
    assert all(r.at == env.clock.now() for r in records)
    assert recent_audit(env.uow(), object_type="period", object_id="2026-02", limit=5)[0].seq == 7


def test_refused_changes_leave_no_audit_record(env: Env) -> None:
    env.add_user("ann", "analyst")
    with env.uow() as uow:
        head = uow.audit_log.head()
    with pytest.raises(NotPermitted):
        post(env, date(2026, 3, 10), dr("1200", "1.00"), cr("4000", "1.00"), user="ann")
    with pytest.raises(UnbalancedEntry):
        post(env, date(2026, 3, 10), dr("1200", "1.00"), cr("4000", "2.00"))
    with env.uow() as uow:
        assert uow.audit_log.head() == head


def test_verify_passes_on_an_untouched_log(engine: Engine) -> None:
    env = busy_company(engine)
    result = verify_audit(env.uow())
    assert result.ok, result.problem
    assert result.checked == result.head_seq == 8


def test_each_company_has_its_own_chain(engine: Engine) -> None:
    one, two = busy_company(engine), make_env(engine)
    assert verify_audit(two.uow()).checked == 2
    with two.uow() as uow:
        assert [r.seq for r in uow.audit_log.records()] == [1, 2]
    tamper(one, 2, actor="mallory")
    assert not verify_audit(one.uow()).ok
    assert verify_audit(two.uow()).ok


@pytest.mark.parametrize(
    ("column", "value"), [("after", '{"roles":["admin","auditor"]}'), ("actor", "mallory")]
)
def test_verify_reports_the_first_altered_record(engine: Engine, column: str, value: str) -> None:
    env = busy_company(engine)
    tamper(env, 2, **{column: value})
    result = verify_audit(env.uow())
    assert not result.ok
    assert result.problem is not None
    assert result.problem.seq == 2
    assert "altered" in result.problem.reason
    assert result.checked == 2


def test_the_append_only_guard_is_back_after_tampering(engine: Engine) -> None:
    env = busy_company(engine)
    tamper(env, 3, after="{}")
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(
            update(audit_log).where(audit_log.c.company_id == company_id(env)).values(actor="x")
        )


def test_verify_reports_a_record_removed_from_the_middle(engine: Engine) -> None:
    env = busy_company(engine)
    remove(env, 5)
    result = verify_audit(env.uow())
    assert result.problem is not None
    assert result.problem.seq == 6
    assert "removed" in result.problem.reason


def test_verify_reports_records_removed_from_the_end(engine: Engine) -> None:
    env = busy_company(engine)
    remove(env, 8)
    result = verify_audit(env.uow())
    assert result.problem is not None
    assert result.problem.seq == 8
    assert result.checked == 7
    assert "removed from the end" in result.problem.reason


def test_audit_rows_read_back_exactly_as_hashed(env: Env) -> None:
    with env.uow() as uow:
        rows = uow.conn.execute(
            select(audit_log.c.seq, audit_log.c.at)
            .where(audit_log.c.company_id == uow.company.id)
            .order_by(audit_log.c.seq)
        ).all()
    assert [r.seq for r in rows] == [1, 2]
    assert rows[0].at == "2026-03-15T12:00:00.000000+00:00"


def test_a_bulk_append_of_a_thousand_events_verifies_and_reads_back_as_sealed(env: Env) -> None:
    # One commit writes all its records in one driver call (COPY on PostgreSQL).
    with env.uow() as uow:
        start = uow.audit_log.head()
        for i in range(1000):
            uow.audit(
                "receipt.apply",
                "receipt",
                i,
                before=None if i % 3 else {"status": "new", "n": i},
                after={"text": f'quote " backslash \\ tab \t é {i}', "i": i},
            )
        uow.commit()
    with env.uow() as uow:
        seq, head_hash = uow.audit_log.head()
        records = [r for r in uow.audit_log.records(batch=300) if r.seq > start[0]]
    assert seq == start[0] + 1000
    assert [r.seq for r in records] == list(range(start[0] + 1, seq + 1))
    assert records[0].prev_hash == start[1]
    assert records[-1].hash == head_hash
    assert [r.object_id for r in records] == [str(i) for i in range(1000)]
    assert json.loads(records[7].after or "") == {"text": 'quote " backslash \\ tab \t é 7', "i": 7}
    assert records[3].before == '{"n":3,"status":"new"}'
    assert all(r.at == env.clock.now() for r in records)
    result = verify_audit(env.uow())
    assert result.ok, result.problem
    assert result.checked == result.head_seq == seq


def test_a_record_altered_inside_a_bulk_append_is_found(env: Env) -> None:
    with env.uow() as uow:
        for i in range(1000):
            uow.audit("x.bulk", "thing", i, after={"i": i})
        uow.commit()
    tamper(env, 500, after='{"i":0}')
    result = verify_audit(env.uow())
    assert result.problem is not None and result.problem.seq == 500
