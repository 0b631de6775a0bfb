"""Cash persistence for matching: open items, customers, documents, match knowledge.

Mixed into ``CashRepository`` (``uow.cash``); uses its ``conn`` and
``company_id``. A run reads every open item, so ``_items`` goes past
SQLAlchemy's per-row processing: the statement is built with Core, run on
the driver (``_driver_rows``), each distinct date converted once and amounts
scaled per currency. Lists of ids or numbers are read in chunks. The learned
facts (payer accounts, names, reference patterns) live here too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.sql import Select

from owed.adapters.db.cash_bulk import _chunks
from owed.adapters.db.ledger import reader
from owed.adapters.db.schema import customers, documents
from owed.adapters.db.schema_cash import match_knowledge, receipts
from owed.domain.cash_application.model import CustomerInfo, Knowledge, OpenItem, ReferencePattern
from owed.domain.money import Currency


class MatchingQueries:
    conn: Connection
    company_id: int

    # -- open items and customers ------------------------------------------
    def open_items(self, currency: str | None = None) -> list[OpenItem]:
        cond = [
            documents.c.company_id == self.company_id,
            documents.c.kind.in_(("invoice", "debit_memo")),
            documents.c.open_minor > 0,
        ]
        if currency:
            cond.append(documents.c.currency == currency)
        return self._items(cond)

    def items_for_documents(self, ids: Sequence[int]) -> list[OpenItem]:
        """The documents as matching sees them, whatever their balance now."""
        return self._items(
            [documents.c.company_id == self.company_id, documents.c.id.in_(list(ids))]
        )

    def _items(self, cond: list[Any]) -> list[OpenItem]:
        """Documents as ``OpenItem``s, read past SQLAlchemy's per-row processing.

        A run reads every open item (10^5 to 10^6 rows), so this is the one
        read that matters: plain driver rows, each distinct date converted once,
        amounts scaled per currency as ``Currency.from_minor`` does.
        """
        rows = _driver_rows(
            self.conn,
            select(
                documents.c.id,
                documents.c.customer_id,
                documents.c.number,
                documents.c.currency,
                documents.c.open_minor,
                documents.c.total_minor,
                documents.c.issue_date,
                documents.c.due_date,
                documents.c.po_number,
                documents.c.rf_reference,
                documents.c.discount_date,
                documents.c.discount_minor,
            ).where(and_(*cond)),
        )
        day = reader(self.conn, documents.c.issue_date)
        amount = _amount_reader()
        return [
            OpenItem(
                id=item_id,
                customer_id=customer_id,
                number=number,
                currency=currency,
                open_amount=amount(open_minor, currency),
                original_amount=amount(total_minor, currency),
                issue_date=day(issued),
                due_date=day(due),
                po_number=po_number,
                rf_reference=rf_reference,
                discount_date=day(discount_date),
                discount_amount=amount(discount_minor, currency),
            )
            for (
                item_id,
                customer_id,
                number,
                currency,
                open_minor,
                total_minor,
                issued,
                due,
                po_number,
                rf_reference,
                discount_date,
                discount_minor,
            ) in rows
        ]

    def customer_infos(self) -> list[CustomerInfo]:
        rows = self.conn.execute(
            select(
                customers.c.id,
                customers.c.name,
                customers.c.parent_id,
                customers.c.external_id,
                customers.c.details,
            ).where(customers.c.company_id == self.company_id)
        )
        out = []
        for r in rows:
            details = json.loads(r.details or "{}")
            aliases = tuple(details.get("aliases", ()))
            out.append(CustomerInfo(r.id, r.name, r.parent_id, r.external_id, aliases))
        return out

    def document(self, document_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(documents).where(
                documents.c.company_id == self.company_id, documents.c.id == document_id
            )
        ).one_or_none()
        return dict(row._mapping) if row else None

    def documents_by_ids(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for part in _chunks(list(ids)):
            rows = self.conn.execute(
                select(documents).where(
                    documents.c.company_id == self.company_id, documents.c.id.in_(part)
                )
            )
            out.update({r.id: dict(r._mapping) for r in rows})
        return out

    def documents_by_numbers(self, numbers: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in _chunks(list(numbers)):
            rows = self.conn.execute(
                select(documents).where(
                    documents.c.company_id == self.company_id, documents.c.number.in_(part)
                )
            )
            out.extend(dict(r._mapping) for r in rows)
        return out

    def receipts_by_ids(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for part in _chunks(list(ids)):
            rows = self.conn.execute(
                select(receipts).where(
                    receipts.c.company_id == self.company_id, receipts.c.id.in_(part)
                )
            )
            out.update({r.id: dict(r._mapping) for r in rows})
        return out

    def document_by_number(self, number: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(documents).where(
                documents.c.company_id == self.company_id, documents.c.number == number
            )
        ).one_or_none()
        return dict(row._mapping) if row else None

    # -- knowledge ---------------------------------------------------------
    def knowledge(self) -> Knowledge:
        accounts: dict[str, int] = {}
        names: dict[str, int] = {}
        patterns: dict[int, list[ReferencePattern]] = {}
        rows = self.conn.execute(
            select(match_knowledge).where(match_knowledge.c.company_id == self.company_id)
        )
        for r in rows:
            if r.kind == "payer_account":
                accounts[r.key] = r.customer_id
            elif r.kind == "payer_name":
                names[r.key] = r.customer_id
            elif r.kind == "pattern":
                d = json.loads(r.detail)
                patterns.setdefault(r.customer_id, []).append(
                    ReferencePattern(d["prefix"], d.get("suffix", ""))
                )
        from types import MappingProxyType

        return Knowledge(
            MappingProxyType(accounts),
            MappingProxyType(names),
            MappingProxyType({k: tuple(v) for k, v in patterns.items()}),
        )

    def learn(
        self, kind: str, key: str, customer_id: int, detail: dict[str, Any], by: str, at: datetime
    ) -> bool:
        """Record one fact; True when it is new or changed."""
        row = self.conn.execute(
            select(match_knowledge.c.customer_id, match_knowledge.c.detail).where(
                match_knowledge.c.company_id == self.company_id,
                match_knowledge.c.kind == kind,
                match_knowledge.c.key == key,
            )
        ).one_or_none()
        text = json.dumps(detail, sort_keys=True)
        if row is None:
            self.conn.execute(
                match_knowledge.insert().values(
                    company_id=self.company_id,
                    kind=kind,
                    key=key,
                    customer_id=customer_id,
                    detail=text,
                    learned_by=by,
                    learned_at=at,
                )
            )
            return True
        if row.customer_id == customer_id and row.detail == text:
            return False
        self.conn.execute(
            update(match_knowledge)
            .where(
                match_knowledge.c.company_id == self.company_id,
                match_knowledge.c.kind == kind,
                match_knowledge.c.key == key,
            )
            .values(customer_id=customer_id, detail=text, learned_by=by, learned_at=at)
        )
        return True


def _driver_rows(conn: Connection, stmt: Select[Any]) -> list[Any]:
    """Rows of a Core ``select`` run on the driver: no per-row result processing.

    Values come back as the driver returns them (dates are text on SQLite: see
    ``reader``). Only for statements whose parameters need no binding
    conversion (ids, codes, constants).
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args: Any = params
    if compiled.positional:
        args = tuple(params[n] for n in compiled.positiontup or ())
    return list(conn.exec_driver_sql(compiled.string, args).fetchall())


def _amount_reader() -> Any:
    """``Currency.from_minor`` of (minor units, currency code), each currency looked up once."""
    exponents: dict[str, int] = {}

    def read(minor: int | None, code: str) -> Decimal | None:
        if minor is None:
            return None
        units = exponents.get(code)
        if units is None:
            units = exponents[code] = Currency.of(code).minor_units
        return Decimal(minor).scaleb(-units)

    return read
