"""Cash persistence for applying cash: guarded balance updates, settlements, applications.

Mixed into ``CashRepository`` (``uow.cash``); uses its ``conn`` and
``company_id``. An invoice's open amount and a receipt's unapplied cash only
change through a guarded ``UPDATE`` (``WHERE open >= x``), one statement per
batch (``_update_rows``), amounts summed per row first; when a guard fails the
offending row is found and ``OverApplication`` raised. Settlements and
applications are inserted in bulk; applications are reversed by marking them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from owed.adapters.db.cash_bulk import _chunks, _insert_dicts, _summed, _update_rows
from owed.adapters.db.schema import documents, settlements
from owed.adapters.db.schema_cash import applications, receipts
from owed.domain.errors import OverApplication
from owed.domain.money import Money


class ApplicationWrites:
    conn: Connection
    company_id: int

    # -- receipt matches and unapplied cash --------------------------------
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

    # -- document balances and settlements ---------------------------------
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
