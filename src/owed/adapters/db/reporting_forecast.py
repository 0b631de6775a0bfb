"""Reporting queries for the cash forecast: payment history, broken promises, snapshots.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import documents
from owed.adapters.db.schema_cash import applications
from owed.adapters.db.schema_collections import promises
from owed.adapters.db.schema_reporting import forecast_snapshots


class ForecastQueries:
    conn: Connection
    company_id: int

    # -- payment history ---------------------------------------------------------------
    def paid_history(self, before: date | None = None) -> list[Row[Any]]:
        """Active cash applications to documents: customer, due date, applied on, amount."""
        cond = [
            applications.c.company_id == self.company_id,
            applications.c.document_id.is_not(None),
            applications.c.reversed_on.is_(None),
            applications.c.amount_minor > 0,
        ]
        if before is not None:
            cond.append(applications.c.applied_on < before)
        return list(
            self.conn.execute(
                select(
                    documents.c.customer_id,
                    documents.c.due_date,
                    documents.c.currency,
                    applications.c.applied_on,
                    applications.c.amount_minor,
                )
                .select_from(
                    applications.join(documents, documents.c.id == applications.c.document_id)
                )
                .where(*cond)
            )
        )

    def cash_applied_between(
        self, date_from: date, date_to: date, issued_on_or_before: date
    ) -> list[Row[Any]]:
        """Per currency: cash applied in the range to documents issued by a date (active only)."""
        return list(
            self.conn.execute(
                select(
                    documents.c.currency,
                    func.sum(applications.c.amount_minor).label("amount_minor"),
                )
                .select_from(
                    applications.join(documents, documents.c.id == applications.c.document_id)
                )
                .where(
                    applications.c.company_id == self.company_id,
                    applications.c.reversed_on.is_(None),
                    applications.c.applied_on >= date_from,
                    applications.c.applied_on <= date_to,
                    documents.c.issue_date <= issued_on_or_before,
                )
                .group_by(documents.c.currency)
            )
        )

    def broken_promises(self, before: date | None = None) -> dict[int, int]:
        cond = [promises.c.company_id == self.company_id, promises.c.status == "broken"]
        if before is not None:
            cond.append(promises.c.promised_date < before)
        rows = self.conn.execute(
            select(promises.c.customer_id, func.count())
            .where(*cond)
            .group_by(promises.c.customer_id)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    # -- forecast snapshots ------------------------------------------------------------
    def add_snapshot(
        self,
        kind: str,
        as_of: date,
        date_to: date | None,
        weeks: int,
        currency: str,
        headline_minor: int | None,
        summary: dict[str, Any],
        by: str,
        at: datetime,
    ) -> int:
        with translated():
            result = self.conn.execute(
                forecast_snapshots.insert().values(
                    company_id=self.company_id,
                    kind=kind,
                    as_of=as_of,
                    date_to=date_to,
                    weeks=weeks,
                    currency=currency,
                    headline_minor=headline_minor,
                    summary=json.dumps(summary, default=str, sort_keys=True),
                    created_by=by,
                    created_at=at,
                )
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]
