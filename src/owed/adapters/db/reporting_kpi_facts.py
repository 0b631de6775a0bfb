"""Reporting queries for the KPI facts: sales, write-offs, receipts, disputes, promises.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``. Each fact is one query over a date range, at customer
granularity; ``services.kpi_facts`` converts and groups the rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, and_, case, extract, func, or_, select

from owed.adapters.db.schema import documents, settlements
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import promises
from owed.adapters.db.schema_disputes import disputes

SALES_KINDS = ("invoice", "debit_memo")


class KpiFactQueries:
    conn: Connection
    company_id: int

    # -- sales, write-offs -------------------------------------------------------------
    def credit_sales_by_month(self, date_from: date, date_to: date) -> list[Row[Any]]:
        """Per (customer, currency, year, month): invoices + debit memos − credit memos.

        By issue date; drafts and voided documents are not sales.
        """
        sign = case((documents.c.kind == "credit_memo", -1), else_=1)
        year = extract("year", documents.c.issue_date).label("year")
        month = extract("month", documents.c.issue_date).label("month")
        return list(
            self.conn.execute(
                select(
                    documents.c.customer_id,
                    documents.c.currency,
                    year,
                    month,
                    func.sum(documents.c.total_minor * sign).label("sales_minor"),
                )
                .where(
                    documents.c.company_id == self.company_id,
                    documents.c.status.not_in(["draft", "voided"]),
                    documents.c.kind.in_([*SALES_KINDS, "credit_memo"]),
                    documents.c.issue_date >= date_from,
                    documents.c.issue_date <= date_to,
                )
                .group_by(documents.c.customer_id, documents.c.currency, year, month)
            )
        )

    def write_offs(self, date_from: date, date_to: date) -> list[Row[Any]]:
        """Per (customer, currency): settlements of kind write_off dated in the range (net)."""
        return list(
            self.conn.execute(
                select(
                    documents.c.customer_id,
                    documents.c.currency,
                    func.sum(settlements.c.amount_minor).label("amount_minor"),
                )
                .select_from(
                    settlements.join(documents, documents.c.id == settlements.c.document_id)
                )
                .where(
                    settlements.c.company_id == self.company_id,
                    settlements.c.kind == "write_off",
                    settlements.c.on_date >= date_from,
                    settlements.c.on_date <= date_to,
                )
                .group_by(documents.c.customer_id, documents.c.currency)
            )
        )

    # -- receipts and applications -----------------------------------------------------
    def receipts_in(self, date_from: date, date_to: date) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(
                    receipts.c.id,
                    receipts.c.customer_id,
                    receipts.c.currency,
                    receipts.c.amount_minor,
                    receipts.c.match_status,
                    receipts.c.proposal,
                ).where(
                    receipts.c.company_id == self.company_id,
                    receipts.c.kind == "receipt",
                    receipts.c.value_date >= date_from,
                    receipts.c.value_date <= date_to,
                )
            )
        )

    def applications_of_receipts_in(self, date_from: date, date_to: date) -> list[Row[Any]]:
        """Every application (reversed ones too) of the receipts valued in the range."""
        return list(
            self.conn.execute(
                select(
                    applications.c.receipt_id,
                    applications.c.customer_id,
                    applications.c.how,
                    applications.c.reversed_on,
                )
                .select_from(
                    applications.join(receipts, receipts.c.id == applications.c.receipt_id)
                )
                .where(
                    applications.c.company_id == self.company_id,
                    receipts.c.kind == "receipt",
                    receipts.c.value_date >= date_from,
                    receipts.c.value_date <= date_to,
                )
            )
        )

    def auto_applications(self, date_from: date, date_to: date) -> list[Row[Any]]:
        """Automatic applications made in the range, with whether they were reversed since."""
        return list(
            self.conn.execute(
                select(
                    applications.c.id,
                    applications.c.customer_id,
                    applications.c.reversed_on,
                ).where(
                    applications.c.company_id == self.company_id,
                    applications.c.how == "auto",
                    applications.c.applied_on >= date_from,
                    applications.c.applied_on <= date_to,
                )
            )
        )

    def unapplied_as_of(self, as_of: date) -> list[Row[Any]]:
        """Receipts valued on or before D with their cash not applied as of D (> 0 only)."""
        active = and_(
            applications.c.applied_on <= as_of,
            or_(applications.c.reversed_on.is_(None), applications.c.reversed_on > as_of),
        )
        applied = (
            select(
                applications.c.receipt_id,
                func.sum(case((active, applications.c.amount_minor), else_=0)).label("applied"),
            )
            .where(applications.c.company_id == self.company_id)
            .group_by(applications.c.receipt_id)
            .subquery("applied")
        )
        rest = receipts.c.amount_minor - func.coalesce(applied.c.applied, 0)
        return list(
            self.conn.execute(
                select(
                    receipts.c.id,
                    receipts.c.customer_id,
                    receipts.c.value_date,
                    receipts.c.currency,
                    receipts.c.amount_minor,
                    receipts.c.payer_name,
                    rest.label("unapplied_minor"),
                )
                .select_from(receipts.outerjoin(applied, applied.c.receipt_id == receipts.c.id))
                .where(
                    receipts.c.company_id == self.company_id,
                    receipts.c.kind == "receipt",
                    receipts.c.value_date <= as_of,
                    rest > 0,
                )
                .order_by(receipts.c.value_date, receipts.c.id)
            )
        )

    # -- disputes and promises ---------------------------------------------------------
    def disputes(self) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(
                    disputes.c.id,
                    disputes.c.customer_id,
                    disputes.c.document_id,
                    disputes.c.currency,
                    disputes.c.amount_minor,
                    disputes.c.status,
                    disputes.c.reason,
                    disputes.c.source,
                    disputes.c.opened_on,
                    disputes.c.closed_on,
                    disputes.c.opened_at,
                ).where(disputes.c.company_id == self.company_id)
            )
        )

    def promises_due(self, date_from: date, date_to: date) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(promises.c.customer_id, promises.c.status).where(
                    promises.c.company_id == self.company_id,
                    promises.c.promised_date >= date_from,
                    promises.c.promised_date <= date_to,
                )
            )
        )
