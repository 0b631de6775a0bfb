"""Reporting queries on balances as of a date: open items, AR per customer, the GL side.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``. Read by the KPIs, statements, the month-end close and the
forecast.

*Open as of D* of a document issued on or before D is
``total − Σ settlements dated ≤ D`` (settlements are append-only and dated,
reversals are negative rows), signed: credit memos are negative. Drafts
never count; a voided document is settled by a ``void`` settlement on its
void date, so it drops out from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, Select, case, func, select

from owed.adapters.db.schema import customers, documents, journal_lines, settlements


class BalanceQueries:
    conn: Connection
    company_id: int

    # -- open items --------------------------------------------------------------------
    def _open_as_of(self, as_of: date) -> Select[Any]:
        """Documents with their signed open amount as of ``as_of`` (a subquery source)."""
        settled = (
            select(
                settlements.c.document_id,
                func.sum(settlements.c.amount_minor).label("settled"),
            )
            .where(settlements.c.company_id == self.company_id, settlements.c.on_date <= as_of)
            .group_by(settlements.c.document_id)
            .subquery("settled")
        )
        sign = case((documents.c.kind == "credit_memo", -1), else_=1)
        open_minor = (documents.c.total_minor - func.coalesce(settled.c.settled, 0)) * sign
        return (
            select(
                documents.c.id.label("document_id"),
                documents.c.customer_id,
                documents.c.kind,
                documents.c.number,
                documents.c.issue_date,
                documents.c.due_date,
                documents.c.currency,
                open_minor.label("open_minor"),
            )
            .select_from(documents.outerjoin(settled, settled.c.document_id == documents.c.id))
            .where(
                documents.c.company_id == self.company_id,
                documents.c.status != "draft",
                documents.c.issue_date <= as_of,
                open_minor != 0,
            )
        )

    def open_items(self, as_of: date, customer_id: int | None = None) -> list[Row[Any]]:
        """Every document open as of ``as_of`` (signed), oldest due first."""
        sub = self._open_as_of(as_of)
        if customer_id is not None:
            sub = sub.where(documents.c.customer_id == customer_id)
        src = sub.subquery("open_items")
        return list(
            self.conn.execute(select(src).order_by(src.c.customer_id, src.c.due_date, src.c.number))
        )

    def ar_by_customer(self, as_of: date) -> list[Row[Any]]:
        """Per (customer, currency): total open and current (not yet due) open as of D."""
        src = self._open_as_of(as_of).subquery("o")
        current = case((src.c.due_date >= as_of, src.c.open_minor), else_=0)
        return list(
            self.conn.execute(
                select(
                    src.c.customer_id,
                    src.c.currency,
                    func.sum(src.c.open_minor).label("total_minor"),
                    func.sum(current).label("current_minor"),
                ).group_by(src.c.customer_id, src.c.currency)
            )
        )

    # -- the GL side -------------------------------------------------------------------
    def gl_by_document(self, account_code: str, as_of: date) -> list[Row[Any]]:
        """AR control per (customer, document, currency) as of D; document NULL when none."""
        doc_id = case(
            (journal_lines.c.document_type == "document", journal_lines.c.document_id),
            else_=None,
        ).label("document_id")
        return list(
            self.conn.execute(
                select(
                    journal_lines.c.customer_id,
                    doc_id,
                    journal_lines.c.currency,
                    func.sum(journal_lines.c.amount_minor).label("amount_minor"),
                )
                .where(
                    journal_lines.c.company_id == self.company_id,
                    journal_lines.c.account_code == account_code,
                    journal_lines.c.entry_date <= as_of,
                )
                .group_by(journal_lines.c.customer_id, doc_id, journal_lines.c.currency)
            )
        )

    def account_balances(self, account_code: str, as_of: date) -> dict[str, int]:
        rows = self.conn.execute(
            select(journal_lines.c.currency, func.sum(journal_lines.c.amount_minor))
            .where(
                journal_lines.c.company_id == self.company_id,
                journal_lines.c.account_code == account_code,
                journal_lines.c.entry_date <= as_of,
            )
            .group_by(journal_lines.c.currency)
        )
        return {r[0]: int(r[1]) for r in rows}

    def document_numbers(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.conn.execute(
            select(documents.c.id, documents.c.number).where(
                documents.c.company_id == self.company_id, documents.c.id.in_(list(ids))
            )
        )
        return {int(r.id): r.number for r in rows}

    # -- customers ---------------------------------------------------------------------
    def customers(self, ids: Sequence[int] | None = None) -> dict[int, Any]:
        query = select(
            customers.c.id,
            customers.c.external_id,
            customers.c.name,
            customers.c.segment,
            customers.c.collector,
            customers.c.currency,
            customers.c.email,
            customers.c.language,
            customers.c.details,
        ).where(customers.c.company_id == self.company_id)
        if ids is not None:
            query = query.where(customers.c.id.in_(list(ids)))
        return {int(r.id): r for r in self.conn.execute(query)}

    def customer_id_of(self, external_id: str) -> int | None:
        return self.conn.execute(
            select(customers.c.id).where(
                customers.c.company_id == self.company_id,
                customers.c.external_id == external_id,
            )
        ).scalar_one_or_none()
