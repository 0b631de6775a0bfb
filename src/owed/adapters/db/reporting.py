"""Reporting queries: open items as of a date, sales, receipts, the GL side, run records.

Everything is read in bulk, one query per fact, grouped in SQL where the
grouping is simple (per customer, currency, month or aging bucket), and
filtered on ``company_id``. Rows are SQLAlchemy ``Row`` objects (attribute
access); the services turn them into domain inputs.

*Open as of D* of a document issued on or before D is
``total − Σ settlements dated ≤ D`` (settlements are append-only and dated,
reversals are negative rows), signed: credit memos are negative. Drafts
never count; a voided document is settled by a ``void`` settlement on its
void date, so it drops out from then on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    case,
    extract,
    func,
    or_,
    select,
    update,
)

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import (
    accounts,
    customers,
    documents,
    journal_entries,
    journal_lines,
    settlements,
)
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import promises
from owed.adapters.db.schema_disputes import disputes
from owed.adapters.db.schema_reporting import (
    allowance_proposals,
    close_runs,
    forecast_snapshots,
    statement_runs,
)

SALES_KINDS = ("invoice", "debit_memo")


class ReportingRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    # -- open items ---------------------------------------------------------
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

    # -- the GL side ----------------------------------------------------------
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

    # -- customers ------------------------------------------------------------
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

    # -- sales, write-offs ----------------------------------------------------
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

    # -- receipts and applications -------------------------------------------------
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

    # -- disputes and promises --------------------------------------------------------
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

    # -- the journal (GL export) ------------------------------------------------------
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

    # -- statement runs -----------------------------------------------------------------
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

    # -- close runs and allowance proposals ------------------------------------------------
    def add_close_run(self, values: dict[str, Any]) -> int:
        with translated():
            result = self.conn.execute(
                close_runs.insert().values(company_id=self.company_id, **values)
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def pending_proposals(self, period: str | None = None) -> list[Row[Any]]:
        cond = [
            allowance_proposals.c.company_id == self.company_id,
            allowance_proposals.c.status == "proposed",
        ]
        if period is not None:
            cond.append(allowance_proposals.c.period == period)
        return list(
            self.conn.execute(
                select(allowance_proposals).where(*cond).order_by(allowance_proposals.c.id)
            )
        )

    def get_proposal(self, proposal_id: int) -> Row[Any] | None:
        return self.conn.execute(
            select(allowance_proposals).where(
                allowance_proposals.c.company_id == self.company_id,
                allowance_proposals.c.id == proposal_id,
            )
        ).one_or_none()

    def add_proposal(self, values: dict[str, Any]) -> int:
        with translated():
            result = self.conn.execute(
                allowance_proposals.insert().values(company_id=self.company_id, **values)
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def decide_proposal(self, proposal_id: int, from_status: str, values: dict[str, Any]) -> bool:
        """Guarded status change: False when someone else decided it first."""
        result = self.conn.execute(
            update(allowance_proposals)
            .where(
                allowance_proposals.c.company_id == self.company_id,
                allowance_proposals.c.id == proposal_id,
                allowance_proposals.c.status == from_status,
            )
            .values(**values)
        )
        return result.rowcount == 1

    # -- forecast snapshots -------------------------------------------------------------------
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

    # -- statement activity ----------------------------------------------------------------
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
