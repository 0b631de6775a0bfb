"""Cash persistence for the bank-file import: bank files, receipts, dedupe, receipt reads.

Mixed into ``CashRepository`` (``uow.cash``); uses its ``conn`` and
``company_id``. A bank file is recorded once per digest; its receipts are
inserted in bulk (``insert_rows``: ``COPY`` on PostgreSQL) after one query
for the dedupe keys already known. Also the reads of receipts the matching
run, the exception queue and the export start from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from owed.adapters.db.cash_bulk import _chunks, _insert_dicts
from owed.adapters.db.errors import translated
from owed.adapters.db.schema import documents
from owed.adapters.db.schema_cash import applications, bank_files, receipts


class ReceiptImport:
    conn: Connection
    company_id: int

    # -- bank files ------------------------------------------------------
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

    # -- receipts: insert, dedupe, reads -----------------------------------
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
