"""Collections persistence for promises to pay and payment plans, and the payments that keep them.

Mixed into ``CollectionsRepository`` (``uow.collections``); uses its ``conn``
and ``company_id``. Promises and plans store their documents as JSON; a
plan's installments are rows of their own. ``payment_events`` reads the live
applications and unapplied cash since a date, by chunks of customers, for
the evaluation of promises and plans.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    select,
    update,
)

from owed.adapters.db.collections_common import _chunks
from owed.adapters.db.errors import translated
from owed.adapters.db.schema import documents
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import (
    payment_plans,
    plan_installments,
    promises,
)


class PromisesAndPlans:
    conn: Connection
    company_id: int

    # -- payments since a date (promise and plan evaluation) ---------------------------
    def payment_events(self, customer_ids: Sequence[int], since: date) -> list[dict[str, Any]]:
        """Live applications to the customers' items, and their unapplied cash, since ``since``."""
        out: list[dict[str, Any]] = []
        for part in _chunks(list(customer_ids)):
            apps = self.conn.execute(
                select(
                    documents.c.customer_id,
                    applications.c.applied_on,
                    applications.c.amount_minor,
                    receipts.c.currency,
                    documents.c.number,
                )
                .select_from(
                    applications.join(receipts, receipts.c.id == applications.c.receipt_id).join(
                        documents, documents.c.id == applications.c.document_id
                    )
                )
                .where(
                    applications.c.company_id == self.company_id,
                    applications.c.reversed_on.is_(None),
                    applications.c.applied_on >= since,
                    documents.c.customer_id.in_(part),
                )
            )
            out += [
                {"customer_id": int(c), "on": d, "minor": int(m), "currency": cur, "document": n}
                for c, d, m, cur, n in apps
            ]
            cash = self.conn.execute(
                select(
                    receipts.c.customer_id,
                    receipts.c.value_date,
                    receipts.c.unapplied_minor,
                    receipts.c.currency,
                ).where(
                    receipts.c.company_id == self.company_id,
                    receipts.c.kind == "receipt",
                    receipts.c.unapplied_minor > 0,
                    receipts.c.value_date >= since,
                    receipts.c.customer_id.in_(part),
                )
            )
            out += [
                {"customer_id": int(c), "on": d, "minor": int(m), "currency": cur, "document": None}
                for c, d, m, cur in cash
            ]
        return out

    # -- promises and plans -------------------------------------------------------------
    def add_promise(self, **values: Any) -> int:
        values["documents"] = json.dumps(values.get("documents", []))
        with translated():
            return int(
                self.conn.execute(
                    promises.insert().values(company_id=self.company_id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def promises(self, statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
        query = select(promises).where(promises.c.company_id == self.company_id)
        if statuses is not None:
            query = query.where(promises.c.status.in_(list(statuses)))
        rows = self.conn.execute(query.order_by(promises.c.id))
        return [{**r._mapping, "documents": json.loads(r.documents)} for r in rows]

    def set_promise_status(self, promise_id: int, status: str, on: date) -> None:
        self.conn.execute(
            update(promises)
            .where(promises.c.company_id == self.company_id, promises.c.id == promise_id)
            .values(status=status, evaluated_on=on)
        )

    def add_plan(self, installments: Sequence[tuple[date, int]], **values: Any) -> int:
        values["documents"] = json.dumps(values.get("documents", []))
        with translated():
            plan_id = int(
                self.conn.execute(
                    payment_plans.insert().values(company_id=self.company_id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            self.conn.execute(
                plan_installments.insert(),
                [
                    {
                        "plan_id": plan_id,
                        "company_id": self.company_id,
                        "seq": i,
                        "due_date": d,
                        "amount_minor": m,
                    }
                    for i, (d, m) in enumerate(installments, start=1)
                ],
            )
        return plan_id

    def plans(self, statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
        query = select(payment_plans).where(payment_plans.c.company_id == self.company_id)
        if statuses is not None:
            query = query.where(payment_plans.c.status.in_(list(statuses)))
        plans = [
            {**r._mapping, "documents": json.loads(r.documents), "installments": []}
            for r in self.conn.execute(query.order_by(payment_plans.c.id))
        ]
        by_id = {p["id"]: p for p in plans}
        rows = self.conn.execute(
            select(plan_installments)
            .where(plan_installments.c.company_id == self.company_id)
            .order_by(plan_installments.c.plan_id, plan_installments.c.seq)
        )
        for r in rows:
            if r.plan_id in by_id:
                by_id[r.plan_id]["installments"].append((r.due_date, int(r.amount_minor)))
        return plans

    def set_plan_status(self, plan_id: int, status: str, on: date) -> None:
        self.conn.execute(
            update(payment_plans)
            .where(payment_plans.c.company_id == self.company_id, payment_plans.c.id == plan_id)
            .values(status=status, evaluated_on=on)
        )
