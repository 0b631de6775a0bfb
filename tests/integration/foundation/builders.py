"""Builders for the foundation integration tests: postings, snapshots, raw SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, func, select

from owed.adapters.db.ids import allocate_ids
from owed.adapters.db.schema import audit_log, fiscal_periods, journal_entries, journal_lines
from owed.domain.money import Money
from owed.services import ledger
from owed.services.ledger import ManualLine, PostManualEntry
from tests.conftest import Env


def dr(
    account: str, amount: str | int, currency: str = "USD", customer_id: int | None = None
) -> ManualLine:
    return ManualLine(account, debit=Money(amount, currency), customer_id=customer_id)


def cr(
    account: str, amount: str | int, currency: str = "USD", customer_id: int | None = None
) -> ManualLine:
    return ManualLine(account, credit=Money(amount, currency), customer_id=customer_id)


def post(
    env: Env, day: date, *lines: ManualLine, user: str = "admin", description: str = "test entry"
) -> int:
    return ledger.post_manual_entry(PostManualEntry(day, description, lines), env.uow(user))


def company_id(env: Env) -> int:
    with env.uow() as uow:
        return uow.company.id


@dataclass(frozen=True)
class Snapshot:
    """Everything a failed use case must leave untouched."""

    entries: int
    lines: int
    audit_records: int
    audit_head: tuple[int, str]
    periods: tuple[tuple[str, str], ...]


def snapshot(env: Env) -> Snapshot:
    with env.uow() as uow:
        cid = uow.company.id
        conn = uow.conn

        def count(table: object) -> int:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(table)  # type: ignore[arg-type]
                    .where(table.c.company_id == cid)
                ).scalar_one()
            )  # type: ignore[attr-defined]

        return Snapshot(
            entries=count(journal_entries),
            lines=count(journal_lines),
            audit_records=count(audit_log),
            audit_head=uow.audit_log.head(),
            periods=tuple(
                (r.period, r.status)
                for r in conn.execute(
                    select(fiscal_periods)
                    .where(fiscal_periods.c.company_id == cid)
                    .order_by(fiscal_periods.c.period)
                )
            ),
        )


def insert_raw_entry(
    conn: Connection,
    cid: int,
    day: date,
    lines: list[tuple[str, str, int]],
    *,
    period: str | None = None,
    line_company_ids: list[int] | None = None,
    line_dates: list[date] | None = None,
) -> int:
    """Write lines then the header straight into the tables, past every service check.

    ``lines`` are (account, currency, amount in minor units); the keyword
    arguments forge what the services would never write.
    """
    (entry_id,) = allocate_ids(conn, "journal_entries", 1)
    rows = []
    for i, (account, currency, minor) in enumerate(lines):
        rows.append(
            {
                "entry_id": entry_id,
                "line_no": i + 1,
                "company_id": line_company_ids[i] if line_company_ids else cid,
                "entry_date": line_dates[i] if line_dates else day,
                "account_code": account,
                "currency": currency,
                "amount_minor": minor,
            }
        )
    if rows:
        conn.execute(journal_lines.insert(), rows)
    conn.execute(
        journal_entries.insert().values(
            id=entry_id,
            company_id=cid,
            entry_date=day,
            period=period or f"{day.year:04d}-{day.month:02d}",
            description="raw insert",
            source_type="manual",
            posted_by="mallory",
            posted_at=POSTED_AT,
        )
    )
    return entry_id


POSTED_AT = datetime(2026, 3, 15, 12, tzinfo=UTC)
