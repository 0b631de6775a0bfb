"""Repository for disputes and deductions, write-offs and agency placements.

Rows come back as plain dicts (the services turn them into domain values);
every query filters on the company. Reads that feed loops are bulk: the
deductions without a dispute are found in one anti-join, the agency export
loads a customer's items, payments and dunning levels in three queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import customers, documents, settlements
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import dunning_levels
from owed.adapters.db.schema_disputes import (
    agency_placements,
    dispute_attachments,
    dispute_notes,
    disputes,
    write_offs,
)
from owed.domain.errors import Conflict

OPEN_STATUSES = ("open", "investigating")


class DisputeRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    # -- disputes ----------------------------------------------------------
    def add(self, **values: Any) -> int:
        values.setdefault("details", "{}")
        if isinstance(values["details"], dict):
            values["details"] = json.dumps(values["details"], sort_keys=True)
        with translated():
            res = self.conn.execute(disputes.insert().values(company_id=self.company_id, **values))
        return _new_id(res)

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        prepared = [
            {**r, "company_id": self.company_id, "details": json.dumps(r.get("details", {}))}
            for r in rows
        ]
        with translated():
            self.conn.execute(disputes.insert(), prepared)

    def _select(self) -> Any:
        return (
            select(
                disputes,
                documents.c.number.label("document_number"),
                customers.c.external_id.label("customer_external_id"),
                customers.c.name.label("customer_name"),
            )
            .join(documents, documents.c.id == disputes.c.document_id)
            .join(customers, customers.c.id == disputes.c.customer_id)
            .where(disputes.c.company_id == self.company_id)
        )

    def get(self, dispute_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(self._select().where(disputes.c.id == dispute_id)).first()
        return _row(row) if row else None

    def search(
        self, status: str | None = None, reason: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        q = self._select().order_by(disputes.c.id)
        if status == "active":
            q = q.where(disputes.c.status.in_(OPEN_STATUSES))
        elif status:
            q = q.where(disputes.c.status == status)
        if reason:
            q = q.where(disputes.c.reason == reason)
        if limit:
            q = q.limit(limit)
        return [_row(r) for r in self.conn.execute(q)]

    def open_on_document(self, document_id: int) -> list[dict[str, Any]]:
        q = self._select().where(
            disputes.c.document_id == document_id, disputes.c.status.in_(OPEN_STATUSES)
        )
        return [_row(r) for r in self.conn.execute(q)]

    def update(self, dispute_id: int, expected_status: str, **values: Any) -> None:
        """Guarded: change a dispute only if it is still in ``expected_status``."""
        if isinstance(values.get("details"), dict):
            values["details"] = json.dumps(values["details"], sort_keys=True)
        res = self.conn.execute(
            update(disputes)
            .where(
                disputes.c.id == dispute_id,
                disputes.c.company_id == self.company_id,
                disputes.c.status == expected_status,
            )
            .values(**values)
        )
        if res.rowcount != 1:
            raise Conflict(f"dispute {dispute_id} was changed by someone else; try again")

    def unmatched_deductions(
        self, document_ids: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """Active applications that carried a deduction and have no dispute yet.

        ``document_ids``: only those on these documents (by ``ix_applications_document``,
        one query per 900 ids), not the whole company's history.
        """
        if document_ids is None:
            return self._unmatched_deductions(None)
        ids = sorted(set(document_ids))
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), 900):
            out.extend(self._unmatched_deductions(ids[i : i + 900]))
        out.sort(key=lambda r: r["id"])
        return out

    def _unmatched_deductions(self, document_ids: list[int] | None) -> list[dict[str, Any]]:
        q = (
            select(
                applications.c.id,
                applications.c.document_id,
                applications.c.customer_id,
                applications.c.deduction_minor,
                applications.c.reason_code,
                applications.c.applied_on,
                applications.c.receipt_id,
                documents.c.currency,
                documents.c.customer_id.label("document_customer_id"),
                receipts.c.remittance_text,
                customers.c.collector,
            )
            .join(documents, documents.c.id == applications.c.document_id)
            .join(customers, customers.c.id == documents.c.customer_id)
            .join(receipts, receipts.c.id == applications.c.receipt_id)
            .outerjoin(
                disputes,
                and_(
                    disputes.c.company_id == self.company_id,
                    disputes.c.application_id == applications.c.id,
                ),
            )
            .where(
                applications.c.company_id == self.company_id,
                applications.c.deduction_minor > 0,
                applications.c.reversed_on.is_(None),
                disputes.c.id.is_(None),
            )
            .order_by(applications.c.id)
        )
        if document_ids is not None:
            q = q.where(applications.c.document_id.in_(document_ids))
        return [dict(r._mapping) for r in self.conn.execute(q)]

    # -- notes and attachments ---------------------------------------------
    def add_note(self, dispute_id: int, body: str, by: str, at: datetime) -> None:
        self.conn.execute(
            dispute_notes.insert().values(
                company_id=self.company_id, dispute_id=dispute_id, body=body,
                written_by=by, written_at=at,
            )
        )  # fmt: skip

    def notes_of(self, dispute_id: int) -> list[dict[str, Any]]:
        q = (
            select(dispute_notes)
            .where(
                dispute_notes.c.company_id == self.company_id,
                dispute_notes.c.dispute_id == dispute_id,
            )
            .order_by(dispute_notes.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def add_attachment(self, dispute_id: int, info: dict[str, Any], by: str, at: datetime) -> None:
        with translated():
            self.conn.execute(
                dispute_attachments.insert().values(
                    company_id=self.company_id, dispute_id=dispute_id, added_by=by, added_at=at,
                    **info,
                )
            )  # fmt: skip

    def attachments_of(self, dispute_id: int) -> list[dict[str, Any]]:
        q = (
            select(dispute_attachments)
            .where(
                dispute_attachments.c.company_id == self.company_id,
                dispute_attachments.c.dispute_id == dispute_id,
            )
            .order_by(dispute_attachments.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    # -- write-offs ----------------------------------------------------------
    def add_write_off(self, **values: Any) -> int:
        res = self.conn.execute(write_offs.insert().values(company_id=self.company_id, **values))
        return _new_id(res)

    def _write_off_select(self) -> Any:
        return (
            select(
                write_offs,
                documents.c.number.label("document_number"),
                customers.c.external_id.label("customer_external_id"),
            )
            .join(documents, documents.c.id == write_offs.c.document_id)
            .join(customers, customers.c.id == write_offs.c.customer_id)
            .where(write_offs.c.company_id == self.company_id)
        )

    def write_off(self, write_off_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            self._write_off_select().where(write_offs.c.id == write_off_id)
        ).first()
        return dict(row._mapping) if row else None

    def write_offs(self, status: str | None = None) -> list[dict[str, Any]]:
        q = self._write_off_select().order_by(write_offs.c.id)
        if status:
            q = q.where(write_offs.c.status == status)
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def requested_total(self, document_id: int) -> int:
        """Minor units of write-offs requested (not yet decided) on a document."""
        q = select(func.coalesce(func.sum(write_offs.c.amount_minor), 0)).where(
            write_offs.c.company_id == self.company_id,
            write_offs.c.document_id == document_id,
            write_offs.c.status == "requested",
        )
        return int(self.conn.execute(q).scalar_one())

    def decide_write_off(self, write_off_id: int, **values: Any) -> None:
        """Guarded: only a request still ``requested`` can be decided."""
        res = self.conn.execute(
            update(write_offs)
            .where(
                write_offs.c.id == write_off_id,
                write_offs.c.company_id == self.company_id,
                write_offs.c.status == "requested",
            )
            .values(**values)
        )
        if res.rowcount != 1:
            raise Conflict(f"write-off {write_off_id} was decided by someone else")

    # -- agency ----------------------------------------------------------------
    def open_items_of(self, customer_id: int) -> list[dict[str, Any]]:
        q = (
            select(documents)
            .where(
                documents.c.company_id == self.company_id,
                documents.c.customer_id == customer_id,
                documents.c.kind.in_(("invoice", "debit_memo")),
                documents.c.open_minor > 0,
            )
            .order_by(documents.c.due_date, documents.c.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def disputed_minor(self, document_ids: Sequence[int]) -> dict[int, int]:
        """Per document: the amount under an open manual dispute (in the open amount)."""
        if not document_ids:
            return {}
        q = (
            select(disputes.c.document_id, func.sum(disputes.c.amount_minor))
            .where(
                disputes.c.company_id == self.company_id,
                disputes.c.document_id.in_(document_ids),
                disputes.c.status.in_(OPEN_STATUSES),
                disputes.c.source == "manual",
            )
            .group_by(disputes.c.document_id)
        )
        return {int(d): int(s) for d, s in self.conn.execute(q)}

    def last_payment_dates(self, document_ids: Sequence[int]) -> dict[int, date]:
        if not document_ids:
            return {}
        q = (
            select(settlements.c.document_id, func.max(settlements.c.on_date))
            .where(
                settlements.c.company_id == self.company_id,
                settlements.c.document_id.in_(document_ids),
                settlements.c.kind == "payment",
                settlements.c.amount_minor > 0,
            )
            .group_by(settlements.c.document_id)
        )
        return {int(d): on for d, on in self.conn.execute(q)}

    def dunning_history(self, document_ids: Sequence[int]) -> list[dict[str, Any]]:
        """Every dunning level each item reached (collections' table), oldest first."""
        if not document_ids:
            return []
        q = (
            select(dunning_levels)
            .where(
                dunning_levels.c.company_id == self.company_id,
                dunning_levels.c.document_id.in_(document_ids),
            )
            .order_by(dunning_levels.c.document_id, dunning_levels.c.level)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def add_placement(self, **values: Any) -> int:
        res = self.conn.execute(
            agency_placements.insert().values(company_id=self.company_id, **values)
        )
        return _new_id(res)

    def placements(self, status: str | None = None) -> list[dict[str, Any]]:
        q = (
            select(
                agency_placements,
                customers.c.external_id.label("customer_external_id"),
                customers.c.name.label("customer_name"),
            )
            .join(customers, customers.c.id == agency_placements.c.customer_id)
            .where(agency_placements.c.company_id == self.company_id)
            .order_by(agency_placements.c.id)
        )
        if status:
            q = q.where(agency_placements.c.status == status)
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def recovered_since(self, placements: Sequence[dict[str, Any]]) -> dict[int, int]:
        """Per placement: payments settled on its items since it was placed (one query)."""
        wanted: dict[int, tuple[set[int], date]] = {
            p["id"]: (set(json.loads(p["items"])), p["placed_on"]) for p in placements
        }
        all_ids = sorted({d for ids, _ in wanted.values() for d in ids})
        if not all_ids:
            return {}
        q = select(
            settlements.c.document_id, settlements.c.on_date, settlements.c.amount_minor
        ).where(
            settlements.c.company_id == self.company_id,
            settlements.c.document_id.in_(all_ids),
            settlements.c.kind == "payment",
        )
        out = dict.fromkeys(wanted, 0)
        for doc_id, on, minor in self.conn.execute(q):
            for pid, (ids, placed_on) in wanted.items():
                if doc_id in ids and on >= placed_on:
                    out[pid] += int(minor)
        return out


def _new_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def _row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    out["details"] = json.loads(out.get("details") or "{}")
    return out
