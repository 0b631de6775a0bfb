"""Reporting query for the GL export: journal lines with their account, customer, document.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, and_, select

from owed.adapters.db.schema import accounts, customers, documents, journal_entries, journal_lines


class JournalExportQueries:
    conn: Connection
    company_id: int

    # -- the journal (GL export) -------------------------------------------------------
    def journal_lines(self, date_from: date, date_to: date) -> list[Row[Any]]:
        return list(
            self.conn.execute(
                select(
                    journal_entries.c.id.label("entry_id"),
                    journal_lines.c.line_no,
                    journal_entries.c.entry_date,
                    journal_entries.c.period,
                    journal_lines.c.account_code,
                    accounts.c.name.label("account_name"),
                    journal_lines.c.currency,
                    journal_lines.c.amount_minor,
                    customers.c.external_id.label("customer_external_id"),
                    documents.c.number.label("document_number"),
                    journal_entries.c.description,
                    journal_lines.c.memo,
                    journal_entries.c.source_type,
                    journal_entries.c.source_id,
                    journal_entries.c.reverses_id,
                    journal_entries.c.posted_by,
                )
                .select_from(
                    journal_lines.join(
                        journal_entries, journal_entries.c.id == journal_lines.c.entry_id
                    )
                    .outerjoin(
                        accounts,
                        and_(
                            accounts.c.company_id == journal_lines.c.company_id,
                            accounts.c.code == journal_lines.c.account_code,
                        ),
                    )
                    .outerjoin(customers, customers.c.id == journal_lines.c.customer_id)
                    .outerjoin(
                        documents,
                        and_(
                            journal_lines.c.document_type == "document",
                            documents.c.id == journal_lines.c.document_id,
                        ),
                    )
                )
                .where(
                    journal_lines.c.company_id == self.company_id,
                    journal_entries.c.entry_date >= date_from,
                    journal_entries.c.entry_date <= date_to,
                )
                .order_by(
                    journal_entries.c.entry_date, journal_entries.c.id, journal_lines.c.line_no
                )
            )
        )
