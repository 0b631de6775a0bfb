"""Cash persistence for returned payments: open returns, pairings (``receipt_returns``, 0011).

Mixed into ``CashRepository`` (``uow.cash``); uses its ``conn`` and
``company_id``. A return (a receipt of kind ``return``) is paired with the
receipt it sends back; both are then closed as ``returned`` by a guarded
update, so a receipt is paired at most once (``Conflict`` otherwise). Imports
of the later tables stay local to the methods, as they were in ``cash``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, select, update

from owed.adapters.db.errors import translated
from owed.adapters.db.schema_cash import receipts


class ReturnedPayments:
    conn: Connection
    company_id: int

    def mark_returned(self, receipt_id: int) -> None:
        self.conn.execute(
            update(receipts).where(receipts.c.id == receipt_id).values(status="returned")
        )

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
