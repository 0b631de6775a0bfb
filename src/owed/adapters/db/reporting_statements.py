"""Reporting queries for customer statements: their activity and the statement runs.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, select, update

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import documents, settlements
from owed.adapters.db.schema_reporting import statement_runs


class StatementQueries:
    conn: Connection
    company_id: int

    # -- statement activity ------------------------------------------------------------
    def documents_issued(self, date_from: date, date_to: date) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(
                    documents.c.customer_id,
                    documents.c.kind,
                    documents.c.number,
                    documents.c.issue_date,
                    documents.c.due_date,
                    documents.c.currency,
                    documents.c.total_minor,
                )
                .where(
                    documents.c.company_id == self.company_id,
                    documents.c.status != "draft",
                    documents.c.issue_date >= date_from,
                    documents.c.issue_date <= date_to,
                )
                .order_by(documents.c.issue_date, documents.c.number)
            )
        )

    def settlements_between(self, date_from: date, date_to: date) -> list[Row[Any]]:
        """Settlements dated in the range with their document (kind gives the side)."""
        return list(
            self.conn.execute(
                select(
                    documents.c.customer_id,
                    documents.c.kind.label("document_kind"),
                    documents.c.number,
                    documents.c.currency,
                    settlements.c.id,
                    settlements.c.on_date,
                    settlements.c.kind,
                    settlements.c.amount_minor,
                )
                .select_from(
                    settlements.join(documents, documents.c.id == settlements.c.document_id)
                )
                .where(
                    settlements.c.company_id == self.company_id,
                    settlements.c.on_date >= date_from,
                    settlements.c.on_date <= date_to,
                )
                .order_by(settlements.c.on_date, settlements.c.id)
            )
        )

    # -- statement runs ----------------------------------------------------------------
    def statement_runs(self, period: str) -> dict[tuple[int, str], Row[Any]]:
        rows = self.conn.execute(
            select(statement_runs).where(
                statement_runs.c.company_id == self.company_id, statement_runs.c.period == period
            )
        )
        return {(int(r.customer_id), r.currency): r for r in rows}

    def record_statement(self, values: dict[str, Any], existing_id: int | None) -> None:
        with translated():
            if existing_id is None:
                self.conn.execute(
                    statement_runs.insert().values(company_id=self.company_id, **values)
                )
            else:
                self.conn.execute(
                    update(statement_runs)
                    .where(
                        statement_runs.c.company_id == self.company_id,
                        statement_runs.c.id == existing_id,
                    )
                    .values(**values)
                )
