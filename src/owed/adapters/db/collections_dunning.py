"""Collections persistence for dunning: open items with their dunning state, runs, messages, levels.

Mixed into ``CollectionsRepository`` (``uow.collections``); uses its ``conn``
and ``company_id``. Open items come back as ``OpenItemRow`` named tuples with
their disputed amount and last level, in one query; the customer facts a run
needs are read in bulk. Messages are claimed with a guarded update (status
and attempts unchanged), so two senders never send the same message.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    or_,
    select,
    update,
)

from owed.adapters.db.collections_common import OPEN_STATUSES, _chunks
from owed.adapters.db.customers import _customer
from owed.adapters.db.errors import translated
from owed.adapters.db.schema import customers, documents
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import (
    disputes,
    dunning_levels,
    dunning_messages,
    dunning_runs,
)
from owed.services.customers import Customer

OPEN_DISPUTE_STATUSES = ("open", "investigating")


def _aware(value: datetime) -> datetime:
    """SQLite gives timestamps back naive; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class OpenItemRow(NamedTuple):
    """An open invoice or debit memo with what dunning needs to know about it.

    A named tuple: a million of them are built per dunning run.
    """

    id: int
    number: str
    customer_id: int
    currency: str
    due_date: date
    open_minor: int
    disputed_minor: int
    last_level: int
    last_sent_on: date | None
    undelivered: bool  # a level is recorded whose message is not sent yet (queued / failed)


class DunningState:
    conn: Connection
    company_id: int

    # -- open items and their dunning state --------------------------------------------
    def open_items(self, customer_ids: Sequence[int] | None = None) -> list[OpenItemRow]:
        """Open invoices and debit memos, with disputed amount and last dunning level."""
        disputed = (
            select(disputes.c.document_id, func.sum(disputes.c.amount_minor).label("disputed"))
            .where(
                disputes.c.company_id == self.company_id,
                disputes.c.status.in_(OPEN_DISPUTE_STATUSES),
            )
            .group_by(disputes.c.document_id)
            .subquery("disputed")
        )
        levels = (
            select(
                dunning_levels.c.document_id,
                func.max(dunning_levels.c.level).label("level"),
                func.max(dunning_levels.c.sent_on).label("sent_on"),
                func.max(case((dunning_messages.c.status != "sent", 1), else_=0)).label(
                    "undelivered"
                ),
            )
            .select_from(
                dunning_levels.join(
                    dunning_messages, dunning_messages.c.id == dunning_levels.c.message_id
                )
            )
            .where(dunning_levels.c.company_id == self.company_id)
            .group_by(dunning_levels.c.document_id)
            .subquery("levels")
        )
        query = (
            select(
                documents.c.id,
                documents.c.number,
                documents.c.customer_id,
                documents.c.currency,
                documents.c.due_date,
                documents.c.open_minor,
                func.coalesce(disputed.c.disputed, 0),
                func.coalesce(levels.c.level, 0),
                levels.c.sent_on,
                func.coalesce(levels.c.undelivered, 0),
            )
            .select_from(
                documents.outerjoin(disputed, disputed.c.document_id == documents.c.id).outerjoin(
                    levels, levels.c.document_id == documents.c.id
                )
            )
            .where(
                documents.c.company_id == self.company_id,
                documents.c.status.in_(OPEN_STATUSES),
                documents.c.kind != "credit_memo",
                documents.c.open_minor > 0,
            )
            .order_by(documents.c.customer_id, documents.c.due_date, documents.c.number)
        )
        if customer_ids is not None:
            query = query.where(documents.c.customer_id.in_(list(customer_ids)))
        return [
            OpenItemRow(i, n, c, cur, due, o, d, lv, on, bool(u))
            for i, n, c, cur, due, o, d, lv, on, u in self.conn.execute(query).all()
        ]

    def dunning_customers(self) -> list[dict[str, Any]]:
        """Every customer's dunning-relevant columns (one query)."""
        rows = self.conn.execute(
            select(
                customers.c.id,
                customers.c.external_id,
                customers.c.segment,
                customers.c.dunning_blocked,
                customers.c.on_hold,
                customers.c.credit_limit_minor,
                customers.c.currency,
            ).where(customers.c.company_id == self.company_id)
        )
        return [dict(r._mapping) for r in rows]

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        found: dict[int, Customer] = {}
        for part in _chunks(list(ids)):
            rows = self.conn.execute(
                select(customers).where(
                    customers.c.company_id == self.company_id, customers.c.id.in_(part)
                )
            )
            found.update({int(r.id): _customer(r) for r in rows})
        return found

    def unapplied_by_customer(self) -> dict[int, dict[str, int]]:
        """Unapplied cash plus open credits (credit memos, on-account) per customer, currency."""
        result: dict[int, dict[str, int]] = {}

        def add(cid: Any, cur: str, minor: Any) -> None:
            if cid is not None and minor:
                cell = result.setdefault(int(cid), {})
                cell[cur] = cell.get(cur, 0) + int(minor)

        cash = self.conn.execute(
            select(
                receipts.c.customer_id, receipts.c.currency, func.sum(receipts.c.unapplied_minor)
            )
            .where(
                receipts.c.company_id == self.company_id,
                receipts.c.kind == "receipt",
                receipts.c.customer_id.is_not(None),
                receipts.c.unapplied_minor > 0,
            )
            .group_by(receipts.c.customer_id, receipts.c.currency)
        )
        memos = self.conn.execute(
            select(documents.c.customer_id, documents.c.currency, func.sum(documents.c.open_minor))
            .where(
                documents.c.company_id == self.company_id,
                documents.c.kind == "credit_memo",
                documents.c.status.in_(OPEN_STATUSES),
                documents.c.open_minor > 0,
            )
            .group_by(documents.c.customer_id, documents.c.currency)
        )
        on_account = self.conn.execute(
            select(
                applications.c.customer_id,
                receipts.c.currency,
                func.sum(applications.c.amount_minor),
            )
            .select_from(applications.join(receipts, receipts.c.id == applications.c.receipt_id))
            .where(
                applications.c.company_id == self.company_id,
                applications.c.document_id.is_(None),
                applications.c.customer_id.is_not(None),
                applications.c.reversed_on.is_(None),
            )
            .group_by(applications.c.customer_id, receipts.c.currency)
        )
        for rows in (cash, memos, on_account):
            for cid, cur, minor in rows:
                add(cid, cur, minor)
        return result

    def open_dispute_counts(self) -> dict[int, int]:
        rows = self.conn.execute(
            select(disputes.c.customer_id, func.count())
            .where(
                disputes.c.company_id == self.company_id,
                disputes.c.status.in_(OPEN_DISPUTE_STATUSES),
            )
            .group_by(disputes.c.customer_id)
        )
        return {int(c): int(n) for c, n in rows}

    # -- dunning runs, messages and levels ---------------------------------------------
    def last_run_date(self) -> date | None:
        value = self.conn.execute(
            select(func.max(dunning_runs.c.run_date)).where(
                dunning_runs.c.company_id == self.company_id
            )
        ).scalar_one()
        return value if value is None or isinstance(value, date) else date.fromisoformat(value)

    def add_run(self, run_date: date, notices: int, by: str, at: datetime) -> int:
        """Insert the run row; the unique (company, date) makes a second run today a Conflict."""
        with translated():
            return int(
                self.conn.execute(
                    dunning_runs.insert().values(
                        company_id=self.company_id,
                        run_date=run_date,
                        notices=notices,
                        sent=0,
                        failed=0,
                        run_by=by,
                        run_at=at,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def finish_run(self, run_id: int, sent: int, failed: int) -> None:
        self.conn.execute(
            update(dunning_runs)
            .where(dunning_runs.c.company_id == self.company_id, dunning_runs.c.id == run_id)
            .values(sent=sent, failed=failed)
        )

    def add_message(self, **values: Any) -> int:
        values["items"] = json.dumps(values.get("items", []))
        return int(
            self.conn.execute(
                dunning_messages.insert().values(company_id=self.company_id, **values)
            ).inserted_primary_key[0]  # type: ignore[index]
        )

    def deliverable_messages(self, stale_before: datetime) -> list[int]:
        """Ids of messages to (re)send: queued, failed, or claimed before ``stale_before``
        and never finished (the sender died: the outcome is unknown)."""
        rows = self.conn.execute(
            select(dunning_messages.c.id)
            .where(
                dunning_messages.c.company_id == self.company_id,
                or_(
                    dunning_messages.c.status.in_(("queued", "failed")),
                    and_(
                        dunning_messages.c.status == "sending",
                        dunning_messages.c.attempted_at < stale_before,
                    ),
                ),
            )
            .order_by(dunning_messages.c.id)
        )
        return [int(i) for i in rows.scalars()]

    def claim_message(
        self, message_id: int, at: datetime, stale_before: datetime
    ) -> dict[str, Any] | None:
        """Mark a deliverable message ``sending`` (attempts + 1); None when another
        sender claimed or finished it first. The row is returned as it was before."""
        row = self.conn.execute(
            select(dunning_messages).where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == message_id,
            )
        ).one_or_none()
        if row is None:
            return None
        stale = row.status == "sending" and _aware(row.attempted_at) < stale_before
        if row.status not in ("queued", "failed") and not stale:
            return None
        claimed = self.conn.execute(
            update(dunning_messages)
            .where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == message_id,
                dunning_messages.c.status == row.status,
                dunning_messages.c.attempts == row.attempts,
            )
            .values(status="sending", attempts=row.attempts + 1, attempted_at=at)
        )
        if claimed.rowcount != 1:
            return None
        return {
            **row._mapping,
            "items": json.loads(row.items),
            "payload": json.loads(row.payload),
            "attempts": row.attempts + 1,
        }

    def record_delivery(
        self,
        row_id: int,
        run_id: int,
        previous_status: str,
        on: date,
        **values: Any,
    ) -> None:
        """Store a delivery outcome (``status`` sent / failed, reason, channel...), keep
        the run's sent / failed counts, and date the item levels of a sent message."""
        status = values["status"]
        self.conn.execute(
            update(dunning_messages)
            .where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == row_id,
            )
            .values(**values)
        )
        was_failed = 1 if previous_status == "failed" else 0
        sent, failed = (1, -was_failed) if status == "sent" else (0, 1 - was_failed)
        if sent or failed:
            self.conn.execute(
                update(dunning_runs)
                .where(dunning_runs.c.company_id == self.company_id, dunning_runs.c.id == run_id)
                .values(sent=dunning_runs.c.sent + sent, failed=dunning_runs.c.failed + failed)
            )
        if status == "sent":
            self.conn.execute(
                update(dunning_levels)
                .where(
                    dunning_levels.c.company_id == self.company_id,
                    dunning_levels.c.message_id == row_id,
                )
                .values(sent_on=on)
            )

    def add_levels(self, rows: Sequence[tuple[int, int, date, int]]) -> None:
        """(document id, level, sent on, message id) rows."""
        if rows:
            with translated():
                self.conn.execute(
                    dunning_levels.insert(),
                    [
                        {
                            "company_id": self.company_id,
                            "document_id": d,
                            "level": lv,
                            "sent_on": on,
                            "message_id": m,
                        }
                        for d, lv, on, m in rows
                    ],
                )

    def messages(self, customer_id: int | None = None) -> list[dict[str, Any]]:
        query = select(dunning_messages).where(dunning_messages.c.company_id == self.company_id)
        if customer_id is not None:
            query = query.where(dunning_messages.c.customer_id == customer_id)
        rows = self.conn.execute(query.order_by(dunning_messages.c.id))
        return [
            {**r._mapping, "items": json.loads(r.items), "payload": json.loads(r.payload)}
            for r in rows
        ]
