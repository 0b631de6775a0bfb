"""Persistence for cash application: bank files, receipts, applications, knowledge.

Balances that several workers may touch at once (an invoice's open amount, a
receipt's unapplied cash) are only ever changed by a guarded UPDATE
(``... SET open = open - x WHERE open >= x``): if another transaction got
there first the row count is 0 and the caller gets ``OverApplication``. So two
processes applying cash at the same time can never over-apply an invoice.

The matching run writes thousands of rows per batch, so every bulk method
here costs one statement per batch and table, not one per row:

* guarded balance updates (``reduce_open_many``, ``take_unapplied_many``) and
  the receipt updates (``set_matches``, ``record_matches``) go through
  ``_update_rows``: on PostgreSQL one ``UPDATE ... FROM unnest(arrays)`` (one
  round trip, the guard evaluated per row by the database, re-checked after a
  concurrent writer's commit as for any UPDATE), on SQLite an ``executemany``
  of the same statement (in process). Amounts for the same row are summed
  first, so a document settled twice in one batch is guarded on the total.
* receipts (with their entry ids: the import posts first), settlements and
  applications are inserted with ``insert_rows`` (``COPY`` on PostgreSQL), past
  SQLAlchemy's per-row processing; the import's dedupe lookup is one query.
* open items are read with ``_driver_rows``: the statement is built with Core,
  run on the driver, and dates are converted once per distinct value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, func, select, update
from sqlalchemy.sql import Select

from owed.adapters.db.errors import translated
from owed.adapters.db.ledger import insert_rows
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
        """Which of ``keys`` are already receipts: one query for the whole list.

        The keys travel as one parameter (PostgreSQL: a text array, ``= ANY``;
        SQLite: a JSON array read by ``json_each``), each probed through the
        unique (company, dedupe key) index.
        """
        if not keys:
            return set()
        unique = sorted(set(keys))
        if self.conn.dialect.name == "postgresql":
            sql = (
                "SELECT dedupe_key FROM receipts"
                " WHERE company_id = %(company)s AND dedupe_key = ANY(%(keys)s::text[])"
            )
            params: Any = {"company": self.company_id, "keys": unique}
        else:
            sql = (
                "SELECT dedupe_key FROM receipts WHERE company_id = ?"
                " AND dedupe_key IN (SELECT value FROM json_each(?))"
            )
            params = (self.company_id, json.dumps(unique))
        return {key for (key,) in self.conn.exec_driver_sql(sql, params)}

    def add_receipts(self, rows: list[dict[str, Any]], bank_file_id: int | None) -> list[int]:
        """Bulk insert (``insert_rows``: COPY on PostgreSQL); returns ids in the order of ``rows``.

        PostgreSQL: the ids are drawn first from the table's own sequence (a
        block, as its default would draw them) and written with the rows.
        SQLite (one writer at a time): the rows get their ids on insert and are
        read back by bank file, else by dedupe key.
        """
        if not rows:
            return []
        for r in rows:
            r["company_id"] = self.company_id
            r["bank_file_id"] = bank_file_id
        if self.conn.dialect.name == "postgresql":
            ids = [
                int(i)
                for (i,) in self.conn.exec_driver_sql(
                    "SELECT nextval(pg_get_serial_sequence('receipts', 'id'))"
                    " FROM generate_series(1, %(n)s)",
                    {"n": len(rows)},
                )
            ]
            for r, rid in zip(rows, ids, strict=True):
                r["id"] = rid
            _insert_dicts(self.conn, receipts, rows)
            return ids
        _insert_dicts(self.conn, receipts, rows)
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

    def applied_receipts_on(self, days: Iterable[date]) -> list[dict[str, Any]]:
        """Receipts (kind ``receipt``) with cash applied, valued on one of ``days``."""
        out: list[dict[str, Any]] = []
        for part in _chunks(sorted(days)):
            rows = self.conn.execute(
                select(receipts)
                .where(
                    receipts.c.company_id == self.company_id,
                    receipts.c.status.in_(("applied", "partial")),
                    receipts.c.value_date.in_(part),
                    receipts.c.kind == "receipt",
                )
                .order_by(receipts.c.id)
            )
            out.extend(dict(r._mapping) for r in rows)
        out.sort(key=lambda r: r["id"])
        return out

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
        """Bulk ``set_match``: rows of rid, ms, cid, prop (JSON text), one statement."""
        if rows:
            _update_rows(
                self.conn,
                "receipts",
                "match_status = {ms}, customer_id = {cid}, proposal = {prop}",
                "company_id = {company}",
                {"rid": "bigint", "ms": "text", "cid": "bigint", "prop": "text"},
                [(r["rid"], r["ms"], r["cid"], r["prop"]) for r in rows],
                company=self.company_id,
            )

    def record_matches(self, rows: Sequence[tuple[int, str, int | None, str, int, str]]) -> None:
        """The run's outcome per receipt, one guarded statement for a whole batch.

        Rows of (receipt id, match status, customer id, proposal JSON, cash
        taken in minor units, currency): sets the match and takes the cash
        like ``take_unapplied_many`` (never more than the receipt still has),
        so each receipt row is written once.
        """
        if not rows:
            return
        changed = _update_rows(
            self.conn,
            "receipts",
            "match_status = {ms}, customer_id = {cid}, proposal = {prop},"
            " unapplied_minor = unapplied_minor - {x}, status = CASE WHEN {x} = 0 THEN status"
            " WHEN unapplied_minor - {x} = 0 THEN 'applied' ELSE 'partial' END",
            "company_id = {company} AND unapplied_minor >= {x}",
            {"rid": "bigint", "ms": "text", "cid": "bigint", "prop": "text", "x": "bigint"},
            [r[:5] for r in rows],
            company=self.company_id,
        )
        if changed != len(rows):
            self._raise_short_receipt(
                [(r[0], r[4], r[5]) for r in rows], [(r[0], r[4]) for r in rows]
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
        day = _date_reader(self.conn)
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

    def reduce_open(self, document_id: int, minor: int, currency: str, number: str) -> None:
        """Guarded: settle ``minor`` of a document's open amount (negative re-opens)."""
        self.reduce_open_many([(document_id, minor, currency, number)])

    def reduce_open_many(self, settles: Sequence[tuple[int, int, str, str]]) -> None:
        """Guarded bulk ``reduce_open``: (document id, minor, currency, number) rows.

        Amounts are summed per document, then one statement settles them all,
        each only while its open amount covers the total (``open >= x``); if
        any row's guard fails (fewer rows changed than asked) the offending
        document is found and ``OverApplication`` raised. A negative total
        re-opens. Documents go in id order, so concurrent runs lock alike.
        """
        totals = _summed((d, x) for d, x, _, _ in settles)
        if not totals:
            return
        changed = _update_rows(
            self.conn,
            "documents",
            "open_minor = open_minor - {x}, status = CASE"
            " WHEN status NOT IN ('issued', 'partially_paid', 'paid') THEN status"
            " WHEN open_minor - {x} = 0 THEN 'paid'"
            " WHEN open_minor - {x} = total_minor THEN 'issued'"
            " ELSE 'partially_paid' END",
            "company_id = {company} AND open_minor >= {x}",
            {"did": "bigint", "x": "bigint"},
            totals,
            company=self.company_id,
        )
        if changed != len(totals):
            self._raise_over_application(settles, dict(totals))

    def _raise_over_application(
        self, settles: Sequence[tuple[int, int, str, str]], totals: dict[int, int]
    ) -> None:
        # A row whose guard failed changed nothing, so its document's open amount
        # is still below what the batch asked of it (the transaction rolls back).
        opens: dict[int, int] = {}
        for part in _chunks(list(totals)):
            opens.update(
                self.conn.execute(
                    select(documents.c.id, documents.c.open_minor).where(
                        documents.c.company_id == self.company_id, documents.c.id.in_(part)
                    )
                ).all()
            )
        failed = next((s for s in settles if opens.get(s[0], 0) < totals.get(s[0], 0)), None)
        d, _, cur, number = failed or settles[0]
        raise OverApplication(
            number, Money.from_minor(opens.get(d, 0), cur), Money.from_minor(totals.get(d, 0), cur)
        )

    def take_unapplied_many(self, takes: Sequence[tuple[int, int, str]]) -> None:
        """Guarded bulk ``take_unapplied``: (receipt id, minor, currency) rows, one statement."""
        totals = _summed((r, x) for r, x, _ in takes)
        if not totals:
            return
        changed = _update_rows(
            self.conn,
            "receipts",
            "unapplied_minor = unapplied_minor - {x}, status = CASE"
            " WHEN unapplied_minor - {x} = 0 THEN 'applied' ELSE 'partial' END",
            "company_id = {company} AND unapplied_minor >= {x}",
            {"rid": "bigint", "x": "bigint"},
            totals,
            company=self.company_id,
        )
        if changed != len(totals):
            self._raise_short_receipt(takes, totals)

    def _raise_short_receipt(
        self, takes: Sequence[tuple[int, int, str]], totals: Sequence[tuple[int, int]]
    ) -> None:
        """``OverApplication`` for the receipt whose unapplied cash fell short."""
        asked = dict(totals)
        left: dict[int, int] = {}
        for part in _chunks(list(asked)):
            left.update(
                self.conn.execute(
                    select(receipts.c.id, receipts.c.unapplied_minor).where(
                        receipts.c.company_id == self.company_id, receipts.c.id.in_(part)
                    )
                ).all()
            )
        r, _, cur = next((t for t in takes if left.get(t[0], 0) < asked.get(t[0], 0)), takes[0])
        raise OverApplication(
            f"receipt {r}",
            Money.from_minor(left.get(r, 0), cur),
            Money.from_minor(asked.get(r, 0), cur),
        )

    def add_settlements(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            for r in rows:
                r["company_id"] = self.company_id
            _insert_dicts(self.conn, settlements, rows)

    # -- applications ------------------------------------------------------
    def add_applications(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            for r in rows:
                r["company_id"] = self.company_id
            _insert_dicts(self.conn, applications, rows)

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

    # -- returned payments (receipt_returns, migration 0011) ---------------
    # Imports are local so this block stays self-contained at the end of the class.
    def open_returns(self, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Returns not yet paired with their original receipt, oldest first."""
        cond = [
            receipts.c.company_id == self.company_id,
            receipts.c.kind == "return",
            receipts.c.status != "returned",
        ]
        if ids is not None:
            cond.append(receipts.c.id.in_(list(ids)))
        rows = self.conn.execute(
            select(receipts).where(and_(*cond)).order_by(receipts.c.value_date, receipts.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def returnable_receipts(self, currencies: Sequence[str], until: date) -> list[dict[str, Any]]:
        """Receipts (kind ``receipt``) not yet returned, valued on or before ``until``."""
        rows = self.conn.execute(
            select(receipts)
            .where(
                receipts.c.company_id == self.company_id,
                receipts.c.kind == "receipt",
                receipts.c.status != "returned",
                receipts.c.currency.in_(list(currencies)),
                receipts.c.value_date <= until,
            )
            .order_by(receipts.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def close_as_returned(self, receipt_id: int) -> None:
        """Guarded: mark a receipt or return ``returned`` unless it already is (``Conflict``)."""
        from owed.domain.errors import Conflict

        res = self.conn.execute(
            update(receipts)
            .where(
                receipts.c.id == receipt_id,
                receipts.c.company_id == self.company_id,
                receipts.c.status != "returned",
            )
            .values(status="returned")
        )
        if res.rowcount != 1:
            raise Conflict(f"receipt {receipt_id} was already returned or paired")

    def add_return_pairing(self, **values: Any) -> int:
        from owed.adapters.db.schema_returns import receipt_returns

        with translated():
            res = self.conn.execute(
                receipt_returns.insert().values(company_id=self.company_id, **values)
            )
        return int(res.inserted_primary_key[0])  # type: ignore[index]

    def return_pairing(self, receipt_id: int) -> dict[str, Any] | None:
        """The pairing a receipt or a return belongs to, if any."""
        from owed.adapters.db.schema_returns import receipt_returns

        row = self.conn.execute(
            select(receipt_returns).where(
                receipt_returns.c.company_id == self.company_id,
                (receipt_returns.c.return_id == receipt_id)
                | (receipt_returns.c.receipt_id == receipt_id),
            )
        ).first()
        return dict(row._mapping) if row else None

    def return_pairings(self) -> list[dict[str, Any]]:
        from owed.adapters.db.schema_returns import receipt_returns

        rows = self.conn.execute(
            select(receipt_returns)
            .where(receipt_returns.c.company_id == self.company_id)
            .order_by(receipt_returns.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def deduction_disputes_of(self, application_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Disputes opened for these applications' deductions: id, status, application_id."""
        from owed.adapters.db.schema_disputes import disputes

        if not application_ids:
            return []
        rows = self.conn.execute(
            select(disputes.c.id, disputes.c.status, disputes.c.application_id).where(
                disputes.c.company_id == self.company_id,
                disputes.c.application_id.in_(list(application_ids)),
            )
        )
        return [dict(r._mapping) for r in rows]


def _bind(name: str) -> Any:
    return bindparam(name)


def _summed(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(row id, amount) pairs summed per id, zero totals dropped, in id order."""
    totals: dict[int, int] = {}
    for key, x in pairs:
        totals[key] = totals.get(key, 0) + x
    return sorted((k, x) for k, x in totals.items() if x)


def _update_rows(
    conn: Connection,
    table: str,
    assignments: str,
    where: str,
    columns: dict[str, str],
    rows: Sequence[tuple[Any, ...]],
    **fixed: Any,
) -> int:
    """``UPDATE table SET assignments WHERE id = row id AND where``, for every row at once.

    Each row's first value is the id of the table row it changes; ``columns``
    maps value names to PostgreSQL types, in the order of each row's values.
    ``assignments`` and ``where`` name per-row values ``{name}`` and ``fixed``
    values the same way; column names stay unqualified. PostgreSQL joins the
    table to the rows sent as one JSON array (``json_to_recordset``: one
    statement, one round trip, one parameter to encode); each row's condition
    is evaluated by the database, and re-checked on the new version of a row a
    concurrent transaction changed first. ``id = ANY(ids)`` lets the planner
    fetch just those rows by primary key. The rows must name distinct table
    rows (a row joined twice is updated once). SQLite runs the same statement
    once per row with ``executemany``. Returns how many table rows changed.
    """
    key = next(iter(columns))
    if conn.dialect.name == "postgresql":
        names = {n: f"v_{n}" for n in columns} | {n: f"%({n})s" for n in fixed}
        shape = ", ".join(f"v_{n} {kind}" for n, kind in columns.items())
        sql = (
            f"UPDATE {table} SET {assignments.format(**names)}"
            f" FROM json_to_recordset(%(rows)s::json) AS v({shape})"
            f" WHERE id = v_{key} AND id = ANY(%(ids)s::bigint[])"
            f" AND {where.format(**names)}"
        )
        fields = [f"v_{n}" for n in columns]
        params = {
            "rows": json.dumps([dict(zip(fields, r, strict=True)) for r in rows]),
            "ids": "{" + ",".join(str(int(r[0])) for r in rows) + "}",
        } | fixed
        return int(conn.exec_driver_sql(sql, params).rowcount)
    marks = {n: f":{n}" for n in [*columns, *fixed]}
    sql = (
        f"UPDATE {table} SET {assignments.format(**marks)}"
        f" WHERE id = :{key} AND {where.format(**marks)}"
    )
    order = list(columns)
    return int(
        conn.exec_driver_sql(sql, [dict(zip(order, r, strict=True)) | fixed for r in rows]).rowcount
    )


def _insert_dicts(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows through ``insert_rows`` (COPY on PostgreSQL) when they share keys."""
    columns = list(rows[0])
    if any(r.keys() != rows[0].keys() for r in rows):
        with translated():
            conn.execute(table.insert(), rows)
        return
    with translated():
        insert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


def _driver_rows(conn: Connection, stmt: Select[Any]) -> list[Any]:
    """Rows of a Core ``select`` run on the driver: no per-row result processing.

    Values come back as the driver returns them (dates are text on SQLite: see
    ``_date_reader``). Only for statements whose parameters need no binding
    conversion (ids, codes, constants).
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args: Any = params
    if compiled.positional:
        args = tuple(params[n] for n in compiled.positiontup or ())
    return list(conn.exec_driver_sql(compiled.string, args).fetchall())


def _date_reader(conn: Connection) -> Any:
    """The Date column's result conversion on this connection, once per distinct value."""
    dialect = conn.dialect
    proc = documents.c.issue_date.type.dialect_impl(dialect).result_processor(dialect, None)
    if proc is None:
        return _same
    memo: dict[Any, Any] = {None: None}

    def read(value: Any) -> Any:
        if value in memo:
            return memo[value]
        result = memo[value] = proc(value)
        return result

    return read


def _same(value: Any) -> Any:
    return value


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


def to_minor(amount: Decimal, currency: str) -> int:
    return Currency.of(currency).to_minor(amount)
