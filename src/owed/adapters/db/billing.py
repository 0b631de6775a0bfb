"""Billing persistence: documents, lines, numbering, settlements, tax codes.

Rows become ``owed.services.billing_model.Document`` values. Money columns
are integer minor units; line quantities and unit prices are exact decimal
text. Attachments, deliveries and subscriptions are in ``billing_extras``;
the import bulk path is in ``billing_bulk``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, case, func, select, text

from owed.adapters.db.billing_extras import AttachmentsAndDeliveries
from owed.adapters.db.errors import translated
from owed.adapters.db.ledger import insert_rows
from owed.adapters.db.recurring import SubscriptionRows
from owed.adapters.db.schema import (
    customers,
    document_lines,
    documents,
    number_series,
    settlements,
    tax_codes,
)
from owed.domain.billing.documents import (
    DocumentKind,
    DocumentStatus,
    DraftLine,
    format_number,
)
from owed.domain.billing.tax import TaxCode
from owed.domain.money import Money
from owed.services.billing_model import DRAFT_PREFIX, Document, StoredLine

_DOC_COLUMNS = [*documents.c, customers.c.external_id.label("customer_external_id")]


def _document(row: Any, lines: tuple[StoredLine, ...] = ()) -> Document:
    cur = row.currency
    return Document(
        id=row.id,
        kind=DocumentKind(row.kind),
        number=row.number,
        status=DocumentStatus(row.status),
        customer_id=row.customer_id,
        customer_external_id=row.customer_external_id,
        issue_date=row.issue_date,
        due_date=row.due_date,
        currency=cur,
        net=Money.from_minor(row.net_minor, cur),
        tax=Money.from_minor(row.tax_minor, cur),
        total=Money.from_minor(row.total_minor, cur),
        open=Money.from_minor(row.open_minor, cur),
        discount_date=row.discount_date,
        discount=(
            Money.from_minor(row.discount_minor, cur) if row.discount_minor is not None else None
        ),
        po_number=row.po_number,
        terms=row.terms,
        rf_reference=row.rf_reference,
        related_id=row.related_id,
        source=row.source,
        details=json.loads(row.details or "{}"),
        created_by=row.created_by,
        lines=lines,
    )


class BillingRepository(AttachmentsAndDeliveries, SubscriptionRows):
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    # -- tax codes ----------------------------------------------------------------
    def tax_codes(self) -> dict[str, tuple[TaxCode, str | None]]:
        rows = self.conn.execute(select(tax_codes).where(tax_codes.c.company_id == self.company_id))
        return {r.code: (TaxCode(r.code, Decimal(r.rate), r.name), r.account_code) for r in rows}

    def add_tax_code(self, tax: TaxCode, account: str | None) -> None:
        with translated():
            self.conn.execute(
                tax_codes.insert().values(
                    company_id=self.company_id,
                    code=tax.code,
                    name=tax.name,
                    rate=str(tax.rate),
                    account_code=account,
                )
            )

    # -- documents ----------------------------------------------------------------
    def add_draft(
        self,
        customer_id: int,
        kind: DocumentKind,
        currency: str,
        issue_date: date,
        po_number: str | None,
        terms: str | None,
        related_id: int | None,
        details: dict[str, Any],
        source: str,
        source_key: str | None,
        by: str,
        at: datetime,
    ) -> int:
        with translated():
            result = self.conn.execute(
                documents.insert().values(
                    company_id=self.company_id,
                    customer_id=customer_id,
                    kind=kind.value,
                    number=f"{DRAFT_PREFIX}p-{uuid.uuid4().hex[:24]}",  # DRAFT-<id> below
                    status=DocumentStatus.DRAFT.value,
                    issue_date=issue_date,
                    due_date=issue_date,
                    currency=currency,
                    total_minor=0,
                    open_minor=0,
                    po_number=po_number or None,
                    terms=terms,
                    related_id=related_id,
                    source=source,
                    source_key=source_key,
                    details=json.dumps(details),
                    created_by=by,
                    created_at=at,
                )
            )
            doc_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            self.conn.execute(
                documents.update()
                .where(documents.c.id == doc_id)
                .values(number=f"{DRAFT_PREFIX}{doc_id}")
            )
        return doc_id

    def add_lines(self, doc_id: int, lines: Sequence[DraftLine]) -> None:
        rows = [
            {
                "document_id": doc_id,
                "line_no": no,
                "company_id": self.company_id,
                "description": ln.description,
                "quantity": str(ln.quantity),
                "unit_price": str(ln.unit_price.amount),
                "discount_percent": str(ln.discount_percent),
                "tax_code": ln.tax_code,
                "account_code": ln.account,
                "net_minor": ln.amount.to_minor(),
                "tax_minor": 0,
            }
            for no, ln in enumerate(lines, start=1)
        ]
        with translated():
            self.conn.execute(document_lines.insert(), rows)

    def _lines(self, doc_id: int, currency: str) -> tuple[StoredLine, ...]:
        rows = self.conn.execute(
            select(document_lines)
            .where(document_lines.c.document_id == doc_id)
            .order_by(document_lines.c.line_no)
        )
        return tuple(
            StoredLine(
                r.line_no,
                DraftLine(
                    r.description,
                    Decimal(r.quantity),
                    Money(r.unit_price, currency),
                    Decimal(r.discount_percent),
                    r.tax_code,
                    r.account_code,
                ),
                Money.from_minor(r.net_minor, currency),
                Money.from_minor(r.tax_minor, currency),
            )
            for r in rows
        )

    def _select(self) -> Any:
        return (
            select(*_DOC_COLUMNS)
            .join(customers, customers.c.id == documents.c.customer_id)
            .where(documents.c.company_id == self.company_id)
        )

    def get(self, doc_id: int) -> Document:
        row = self.conn.execute(self._select().where(documents.c.id == doc_id)).one()
        return _document(row, self._lines(row.id, row.currency))

    def get_by_number(self, number: str) -> Document | None:
        row = self.conn.execute(self._select().where(documents.c.number == number)).one_or_none()
        return _document(row, self._lines(row.id, row.currency)) if row else None

    def list_documents(
        self, customer_id: int | None, status: str | None, kind: str | None, limit: int | None
    ) -> list[Document]:
        query = self._select().order_by(documents.c.issue_date, documents.c.id)
        if customer_id is not None:
            query = query.where(documents.c.customer_id == customer_id)
        if status:
            query = query.where(documents.c.status == status)
        if kind:
            query = query.where(documents.c.kind == kind)
        if limit:
            query = query.limit(limit)
        return [_document(r) for r in self.conn.execute(query)]

    def related_to(self, doc_id: int) -> list[Document]:
        rows = self.conn.execute(self._select().where(documents.c.related_id == doc_id))
        return [_document(r) for r in rows]

    # -- numbering ----------------------------------------------------------------
    def next_number(self, series: str, prefix: str) -> str:
        """The next gap-free number of a series, taken inside the caller's transaction."""
        where = (number_series.c.company_id == self.company_id, number_series.c.series == series)
        query = select(
            number_series.c.prefix, number_series.c.next_number, number_series.c.width
        ).where(*where)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).one_or_none()
        if row is None:
            with translated():
                self.conn.execute(
                    number_series.insert().values(
                        company_id=self.company_id,
                        series=series,
                        prefix=prefix,
                        next_number=2,
                        width=6,
                    )
                )
            return format_number(prefix, 1, 6)
        self.conn.execute(
            number_series.update().where(*where).values(next_number=row.next_number + 1)
        )
        return format_number(row.prefix, row.next_number, row.width)

    # -- state changes ------------------------------------------------------------
    def save_issued(self, doc: Document, line_amounts: Sequence[tuple[Money, Money]]) -> None:
        with translated():
            self.conn.execute(
                documents.update()
                .where(documents.c.id == doc.id)
                .values(
                    number=doc.number,
                    status=doc.status.value,
                    due_date=doc.due_date,
                    net_minor=doc.net.to_minor(),
                    tax_minor=doc.tax.to_minor(),
                    total_minor=doc.total.to_minor(),
                    open_minor=doc.open.to_minor(),
                    discount_date=doc.discount_date,
                    discount_minor=doc.discount.to_minor() if doc.discount is not None else None,
                    terms=doc.terms,
                    rf_reference=doc.rf_reference,
                )
            )
        for no, (net, tax) in enumerate(line_amounts, start=1):
            self.conn.execute(
                document_lines.update()
                .where(document_lines.c.document_id == doc.id, document_lines.c.line_no == no)
                .values(net_minor=net.to_minor(), tax_minor=tax.to_minor())
            )

    def set_status(self, doc_id: int, status: DocumentStatus) -> None:
        self.conn.execute(
            documents.update().where(documents.c.id == doc_id).values(status=status.value)
        )

    def set_details(self, doc_id: int, details: dict[str, Any]) -> None:
        self.conn.execute(
            documents.update().where(documents.c.id == doc_id).values(details=json.dumps(details))
        )

    def settle(
        self,
        doc: Document,
        new_open: Money,
        status: DocumentStatus,
        on: date,
        kind: str,
        amount: Money,
        source_type: str,
        source_id: int | None,
        entry_id: int | None,
        by: str,
        at: datetime,
    ) -> None:
        """Record a dated settlement and move the open amount and status with it."""
        with translated():
            self.conn.execute(
                settlements.insert().values(
                    company_id=self.company_id,
                    document_id=doc.id,
                    on_date=on,
                    kind=kind,
                    amount_minor=amount.to_minor(),
                    source_type=source_type,
                    source_id=source_id,
                    entry_id=entry_id,
                    created_by=by,
                    created_at=at,
                )
            )
            self.conn.execute(
                documents.update()
                .where(documents.c.id == doc.id)
                .values(open_minor=new_open.to_minor(), status=status.value)
            )

    def settlements_of(self, doc_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(settlements)
            .where(settlements.c.company_id == self.company_id, settlements.c.document_id == doc_id)
            .order_by(settlements.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def open_by_customer(self) -> dict[tuple[int, str], Money]:
        signed = case(
            (documents.c.kind == DocumentKind.CREDIT_MEMO.value, -documents.c.open_minor),
            else_=documents.c.open_minor,
        )
        rows = self.conn.execute(
            select(documents.c.customer_id, documents.c.currency, func.sum(signed).label("open"))
            .where(
                documents.c.company_id == self.company_id,
                documents.c.status.not_in(
                    [DocumentStatus.DRAFT.value, DocumentStatus.VOIDED.value]
                ),
            )
            .group_by(documents.c.customer_id, documents.c.currency)
        )
        return {
            (int(r.customer_id), r.currency): Money.from_minor(int(r.open), r.currency)
            for r in rows
            if r.open
        }

    # -- bulk (imports) -------------------------------------------------------------
    def document_numbers(self) -> dict[str, tuple[int, str, int]]:
        """Every document number → (customer id, currency, total minor), in one query."""
        rows = self.conn.execute(
            select(
                documents.c.number,
                documents.c.customer_id,
                documents.c.currency,
                documents.c.total_minor,
            ).where(documents.c.company_id == self.company_id)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def allocate_document_ids(self, count: int) -> list[int]:
        """Ids for a bulk insert. PostgreSQL: a block of the table's sequence; SQLite (one
        writer at a time under BEGIN IMMEDIATE): the ids after the current maximum."""
        if count <= 0:
            return []
        if self.conn.dialect.name == "postgresql":
            rows = self.conn.execute(
                text("SELECT nextval('documents_id_seq') FROM generate_series(1, :n)"),
                {"n": count},
            )
            return [r[0] for r in rows]
        first = (
            int(self.conn.execute(select(func.coalesce(func.max(documents.c.id), 0))).scalar_one())
            + 1
        )
        return list(range(first, first + count))

    def add_imported(self, rows: Sequence[dict[str, Any]], by: str, at: datetime) -> None:
        """Insert imported invoices (executemany); rows carry their ids."""
        common = {
            "company_id": self.company_id,
            "kind": DocumentKind.INVOICE.value,
            "tax_minor": 0,
            "source": "import",
            "details": "{}",
            "created_by": by,
            "created_at": at,
        }
        _bulk(self.conn, documents, [{**common, **row} for row in rows])

    def add_settlements(self, rows: Sequence[dict[str, Any]], by: str, at: datetime) -> None:
        if not rows:
            return
        common = {
            "company_id": self.company_id,
            "source_id": None,
            "reverses_id": None,
            "created_by": by,
            "created_at": at,
        }
        _bulk(self.conn, settlements, [{**common, **row} for row in rows])


def _bulk(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows with the same keys through the driver's bulk path (COPY / executemany)."""
    if not rows:
        return
    columns = list(rows[0])
    with translated():
        insert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])
