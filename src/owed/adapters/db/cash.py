"""Persistence for cash application: bank files, receipts, applications, knowledge.

Balances that several workers may touch at once (an invoice's open amount, a
receipt's unapplied cash) are only ever changed by a guarded UPDATE
(``... SET open = open - x WHERE open >= x``): if another transaction got
there first the row count is 0 and the caller gets ``OverApplication``. So two
processes applying cash at the same time can never over-apply an invoice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, select, update

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import customers, documents, settlements
from owed.adapters.db.schema_cash import applications, bank_files, match_knowledge, receipts
from owed.domain.cash_application.model import CustomerInfo, Knowledge, OpenItem, ReferencePattern
from owed.domain.errors import OverApplication
from owed.domain.money import Currency, Money

_CHUNK = 900  # bound for IN (...) lists (SQLite's variable limit)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class CashRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    # -- bank files and receipts -------------------------------------------
    def bank_file_by_digest(self, sha256: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(bank_files).where(
                bank_files.c.company_id == self.company_id, bank_files.c.sha256 == sha256
            )
        ).one_or_none()
        return dict(row._mapping) if row else None

    def add_bank_file(self, **values: Any) -> int:
        with translated():
            return int(
                self.conn.execute(
                    bank_files.insert().values(company_id=self.company_id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def existing_dedupe_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in _chunks(list(keys)):
            found.update(
                self.conn.execute(
                    select(receipts.c.dedupe_key).where(
                        receipts.c.company_id == self.company_id, receipts.c.dedupe_key.in_(part)
                    )
                ).scalars()
            )
        return found

    def add_receipts(self, rows: list[dict[str, Any]], bank_file_id: int | None) -> list[int]:
        """Bulk insert; returns ids in the order of ``rows``."""
        if not rows:
            return []
        for r in rows:
            r["company_id"] = self.company_id
            r["bank_file_id"] = bank_file_id
        with translated():
            self.conn.execute(receipts.insert(), rows)
        if bank_file_id is not None:
            which = receipts.c.bank_file_id == bank_file_id
        else:
            which = receipts.c.dedupe_key.in_([r["dedupe_key"] for r in rows])
        found = self.conn.execute(
            select(receipts.c.dedupe_key, receipts.c.id).where(
                receipts.c.company_id == self.company_id, which
            )
        )
        by_key = {key: rid for key, rid in found}
        return [by_key[r["dedupe_key"]] for r in rows]

    def set_receipt_entries(self, pairs: list[tuple[int, int]]) -> None:
        if pairs:
            self.conn.execute(
                update(receipts).where(receipts.c.id == _bind("rid")).values(entry_id=_bind("eid")),
                [{"rid": r, "eid": e} for r, e in pairs],
            )

    def receipt(self, receipt_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(receipts).where(
                receipts.c.company_id == self.company_id, receipts.c.id == receipt_id
            )
        ).one_or_none()
        return dict(row._mapping) if row else None

    def receipt_by_reference(self, reference: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(receipts)
            .where(receipts.c.company_id == self.company_id, receipts.c.bank_reference == reference)
            .order_by(receipts.c.id)
            .limit(1)
        ).one_or_none()
        return dict(row._mapping) if row else None

    def receipts_to_match(
        self, ids: Sequence[int] | None = None, include_exceptions: bool = True
    ) -> list[dict[str, Any]]:
        cond = [
            receipts.c.company_id == self.company_id,
            receipts.c.kind == "receipt",
            receipts.c.unapplied_minor > 0,
        ]
        statuses = ["new", "exception"] if include_exceptions else ["new"]
        cond.append(receipts.c.match_status.in_(statuses))
        if ids is not None:
            cond.append(receipts.c.id.in_(list(ids)))
        rows = self.conn.execute(select(receipts).where(and_(*cond)).order_by(receipts.c.id))
        return [dict(r._mapping) for r in rows]

    def open_receipts(self) -> list[dict[str, Any]]:
        """Receipts (and returns) with cash not yet applied: the exception queue."""
        rows = self.conn.execute(
            select(receipts)
            .where(
                receipts.c.company_id == self.company_id,
                (receipts.c.unapplied_minor > 0) | (receipts.c.kind == "return"),
                receipts.c.status != "returned",
            )
            .order_by(receipts.c.value_date, receipts.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def set_match(
        self,
        receipt_id: int,
        match_status: str,
        customer_id: int | None,
        proposal: dict[str, Any] | None,
    ) -> None:
        self.conn.execute(
            update(receipts)
            .where(receipts.c.id == receipt_id)
            .values(
                match_status=match_status,
                customer_id=customer_id,
                proposal=json.dumps(proposal, default=str) if proposal is not None else None,
            )
        )

    def set_matches(self, rows: list[dict[str, Any]]) -> None:
        """Bulk ``set_match``: rows of rid, ms, cid, prop."""
        if rows:
            self.conn.execute(
                update(receipts)
                .where(receipts.c.id == _bind("rid"))
                .values(match_status=_bind("ms"), customer_id=_bind("cid"), proposal=_bind("prop")),
                rows,
            )

    def take_unapplied(self, receipt_id: int, minor: int, currency: str) -> None:
        """Guarded: use ``minor`` of the receipt's unapplied cash."""
        self.take_unapplied_many([(receipt_id, minor, currency)])

    def give_back_unapplied(self, receipt_id: int, minor: int) -> None:
        self.conn.execute(
            update(receipts)
            .where(receipts.c.id == receipt_id)
            .values(unapplied_minor=receipts.c.unapplied_minor + minor)
        )
        self._refresh_receipt_status(receipt_id)

    def _refresh_receipt_status(self, receipt_id: int) -> None:
        row = self.conn.execute(
            select(receipts.c.amount_minor, receipts.c.unapplied_minor).where(
                receipts.c.id == receipt_id
            )
        ).one()
        status = (
            "unapplied"
            if row.unapplied_minor == row.amount_minor
            else "applied"
            if row.unapplied_minor == 0
            else "partial"
        )
        self.conn.execute(update(receipts).where(receipts.c.id == receipt_id).values(status=status))

    def mark_returned(self, receipt_id: int) -> None:
        self.conn.execute(
            update(receipts).where(receipts.c.id == receipt_id).values(status="returned")
        )

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
        rows = self.conn.execute(
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
            ).where(and_(*cond))
        )
        items = []
        for r in rows:
            cur = Currency.of(r.currency)
            items.append(
                OpenItem(
                    id=r.id,
                    customer_id=r.customer_id,
                    number=r.number,
                    currency=cur.code,
                    open_amount=cur.from_minor(r.open_minor),
                    original_amount=cur.from_minor(r.total_minor),
                    issue_date=r.issue_date,
                    due_date=r.due_date,
                    po_number=r.po_number,
                    rf_reference=r.rf_reference,
                    discount_date=r.discount_date,
                    discount_amount=cur.from_minor(r.discount_minor)
                    if r.discount_minor is not None
                    else None,
                )
            )
        return items

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

    def reduce_open(self, document_id: int, minor: int, currency: str, number: str) -> None:
        """Guarded: settle ``minor`` of a document's open amount (negative re-opens)."""
        self.reduce_open_many([(document_id, minor, currency, number)])

    def reduce_open_many(self, settles: Sequence[tuple[int, int, str, str]]) -> None:
        """Guarded bulk ``reduce_open``: (document id, minor, currency, number) rows.

        One executemany; if any row's guard fails (the sum of affected rows is
        short) the offending document is found and ``OverApplication`` raised.
        """
        rows = [{"did": d, "x": x} for d, x, _, _ in settles if x]
        if not rows:
            return
        remaining = documents.c.open_minor - bindparam("x")
        stmt = (
            update(documents)
            .where(
                documents.c.id == bindparam("did"),
                documents.c.company_id == self.company_id,
                documents.c.open_minor >= bindparam("x"),
            )
            .values(
                open_minor=remaining,
                status=case(
                    (
                        and_(
                            documents.c.status != "issued",
                            documents.c.status != "partially_paid",
                            documents.c.status != "paid",
                        ),
                        documents.c.status,
                    ),
                    (remaining == 0, "paid"),
                    (remaining == documents.c.total_minor, "issued"),
                    else_="partially_paid",
                ),
            )
        )
        if self.conn.execute(stmt, rows).rowcount != len(rows):
            self._raise_over_application(settles)

    def _raise_over_application(self, settles: Sequence[tuple[int, int, str, str]]) -> None:
        # A row whose guard failed changed nothing, so its document's open amount
        # is still below what that row asked for (the transaction rolls back).
        opens = dict(
            self.conn.execute(
                select(documents.c.id, documents.c.open_minor).where(
                    documents.c.id.in_([d for d, _, _, _ in settles])
                )
            ).all()
        )
        failed = next((s for s in settles if opens.get(s[0], 0) < s[1]), settles[0])
        d, x, cur, number = failed
        raise OverApplication(
            number, Money.from_minor(opens.get(d, 0), cur), Money.from_minor(x, cur)
        )

    def take_unapplied_many(self, takes: Sequence[tuple[int, int, str]]) -> None:
        """Guarded bulk ``take_unapplied``: (receipt id, minor, currency) rows."""
        rows = [{"rid": r, "x": x} for r, x, _ in takes if x]
        if not rows:
            return
        remaining = receipts.c.unapplied_minor - bindparam("x")
        stmt = (
            update(receipts)
            .where(
                receipts.c.id == bindparam("rid"),
                receipts.c.company_id == self.company_id,
                receipts.c.unapplied_minor >= bindparam("x"),
            )
            .values(
                unapplied_minor=remaining, status=case((remaining == 0, "applied"), else_="partial")
            )
        )
        if self.conn.execute(stmt, rows).rowcount != len(rows):
            left = dict(
                self.conn.execute(
                    select(receipts.c.id, receipts.c.unapplied_minor).where(
                        receipts.c.id.in_([r for r, _, _ in takes])
                    )
                ).all()
            )
            r, x, cur = next(((r, x, c) for r, x, c in takes if left.get(r, 0) < x), takes[0])
            raise OverApplication(
                f"receipt {r}", Money.from_minor(left.get(r, 0), cur), Money.from_minor(x, cur)
            )

    def add_settlements(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            for r in rows:
                r["company_id"] = self.company_id
            self.conn.execute(settlements.insert(), rows)

    # -- applications ------------------------------------------------------
    def add_applications(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            for r in rows:
                r["company_id"] = self.company_id
            self.conn.execute(applications.insert(), rows)

    def active_applications(
        self, receipt_id: int, document_id: int | None = None
    ) -> list[dict[str, Any]]:
        cond = [
            applications.c.company_id == self.company_id,
            applications.c.receipt_id == receipt_id,
            applications.c.reversed_on.is_(None),
        ]
        if document_id is not None:
            cond.append(applications.c.document_id == document_id)
        rows = self.conn.execute(
            select(applications).where(and_(*cond)).order_by(applications.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def mark_reversed(self, ids: list[int], on: date, by: str, entry_id: int) -> None:
        self.conn.execute(
            update(applications)
            .where(applications.c.id.in_(ids))
            .values(reversed_on=on, reversed_by=by, reversal_entry_id=entry_id)
        )

    def export_rows(self) -> list[dict[str, Any]]:
        q = (
            select(
                receipts.c.id.label("receipt_id"),
                receipts.c.bank_reference,
                receipts.c.currency,
                receipts.c.unapplied_minor,
                receipts.c.kind,
                applications.c.amount_minor,
                applications.c.how,
                applications.c.rule,
                applications.c.confidence,
                documents.c.number,
            )
            .select_from(
                receipts.outerjoin(
                    applications,
                    and_(
                        applications.c.receipt_id == receipts.c.id,
                        applications.c.reversed_on.is_(None),
                    ),
                ).outerjoin(documents, documents.c.id == applications.c.document_id)
            )
            .where(receipts.c.company_id == self.company_id, receipts.c.kind == "receipt")
            .order_by(receipts.c.id, applications.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def counts(self) -> dict[str, int]:
        rows = self.conn.execute(
            select(receipts.c.match_status, func.count())
            .where(receipts.c.company_id == self.company_id)
            .group_by(receipts.c.match_status)
        )
        return {r[0]: r[1] for r in rows}

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


def _bind(name: str) -> Any:
    return bindparam(name)


def to_minor(amount: Decimal, currency: str) -> int:
    return Currency.of(currency).to_minor(amount)
