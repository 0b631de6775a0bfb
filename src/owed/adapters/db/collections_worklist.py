"""Collections persistence for the worklist: activities, contact summary, credit holds, exposure.

Mixed into ``CollectionsRepository`` (``uow.collections``); uses its ``conn``
and ``company_id``. Activities form each customer's collections timeline;
the contact summary gives the last contact and next action per customer. A
credit hold is a row of its own and sets the customer's ``on_hold`` flag;
the exposure is the customer's open AR per currency and oldest due date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    case,
    func,
    select,
    update,
)

from owed.adapters.db.collections_common import OPEN_STATUSES
from owed.adapters.db.schema import customers, documents
from owed.adapters.db.schema_collections import (
    activities,
    credit_holds,
)


class ActivitiesAndHolds:
    conn: Connection
    company_id: int

    # -- activities ---------------------------------------------------------------------
    def add_activities(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(
                activities.insert(), [{"company_id": self.company_id, **r} for r in rows]
            )

    def activities(self, customer_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(activities)
            .where(
                activities.c.company_id == self.company_id, activities.c.customer_id == customer_id
            )
            .order_by(activities.c.on_date, activities.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def contact_summary(self) -> dict[int, tuple[date | None, date | None]]:
        """Per customer: last contact date, and the latest next-action date still set."""
        rows = self.conn.execute(
            select(
                activities.c.customer_id,
                func.max(activities.c.on_date),
                func.max(activities.c.next_action),
            )
            .where(activities.c.company_id == self.company_id)
            .group_by(activities.c.customer_id)
        )
        return {int(c): (last, nxt) for c, last, nxt in rows}

    # -- credit holds -------------------------------------------------------------------
    def open_hold(self, customer_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(credit_holds)
            .where(
                credit_holds.c.company_id == self.company_id,
                credit_holds.c.customer_id == customer_id,
                credit_holds.c.released_at.is_(None),
            )
            .order_by(credit_holds.c.id.desc())
            .limit(1)
        ).one_or_none()
        return dict(row._mapping) if row else None

    def place_hold(self, customer_id: int, **values: Any) -> int:
        hold_id = int(
            self.conn.execute(
                credit_holds.insert().values(
                    company_id=self.company_id, customer_id=customer_id, **values
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        self.set_on_hold(customer_id, True)
        return hold_id

    def release_hold(self, hold_id: int, customer_id: int, **values: Any) -> None:
        self.conn.execute(
            update(credit_holds)
            .where(credit_holds.c.company_id == self.company_id, credit_holds.c.id == hold_id)
            .values(**values)
        )
        self.set_on_hold(customer_id, False)

    def set_on_hold(self, customer_id: int, on_hold: bool) -> None:
        self.conn.execute(
            update(customers)
            .where(customers.c.company_id == self.company_id, customers.c.id == customer_id)
            .values(on_hold=on_hold)
        )

    def exposure(self, customer_id: int) -> tuple[dict[str, int], date | None]:
        """Open AR per currency (credit memos negative) and the oldest open due date."""
        signed = case(
            (documents.c.kind == "credit_memo", -documents.c.open_minor),
            else_=documents.c.open_minor,
        )
        base = [
            documents.c.company_id == self.company_id,
            documents.c.customer_id == customer_id,
            documents.c.status.in_(OPEN_STATUSES),
        ]
        rows = self.conn.execute(
            select(documents.c.currency, func.sum(signed))
            .where(*base)
            .group_by(documents.c.currency)
        )
        oldest = self.conn.execute(
            select(func.min(documents.c.due_date)).where(
                *base, documents.c.kind != "credit_memo", documents.c.open_minor > 0
            )
        ).scalar_one()
        return {cur: int(m) for cur, m in rows if m}, oldest
