"""Customer persistence: one row per customer, details (addresses, contacts) as JSON.

Rows become ``owed.services.customers.Customer`` values. The bulk methods
(``external_ids``, ``add_many``, ``set_parents``) serve imports: one query
to learn what exists, then executemany inserts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import customers
from owed.domain.customers.model import Address, Contact, ContactRole
from owed.domain.money import Money
from owed.services.customers import Customer

_DETAIL_KEYS = ("addresses", "contacts", "bank_accounts", "notes")


def _customer(row: Any) -> Customer:
    details = json.loads(row.details or "{}")
    return Customer(
        id=row.id,
        external_id=row.external_id,
        name=row.name,
        currency=row.currency,
        payment_terms=row.payment_terms,
        parent_id=row.parent_id,
        credit_limit=(
            Money.from_minor(row.credit_limit_minor, row.currency)
            if row.credit_limit_minor is not None
            else None
        ),
        country=row.country,
        tax_id=row.tax_id,
        email=row.email,
        delivery=row.delivery,
        po_required=bool(row.po_required),
        segment=row.segment,
        risk_class=row.risk_class,
        collector=row.collector,
        language=row.language,
        on_hold=bool(row.on_hold),
        addresses=tuple(Address(**a) for a in details.get("addresses", [])),
        contacts=tuple(
            Contact(c["name"], c.get("email"), c.get("phone"), ContactRole(c.get("role", "other")))
            for c in details.get("contacts", [])
        ),
        bank_accounts=tuple(details.get("bank_accounts", [])),
        notes=details.get("notes", ""),
    )


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    columns = {k: v for k, v in values.items() if k not in _DETAIL_KEYS}
    details = {k: v for k, v in values.items() if k in _DETAIL_KEYS}
    return columns, details


class CustomerRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    def _where(self) -> Any:
        return customers.c.company_id == self.company_id

    def add(self, external_id: str, values: Mapping[str, Any], at: datetime) -> int:
        columns, details = _split(values)
        with translated():
            result = self.conn.execute(
                customers.insert().values(
                    company_id=self.company_id,
                    external_id=external_id,
                    details=json.dumps(details, sort_keys=True),
                    created_at=at,
                    updated_at=at,
                    **columns,
                )
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def update(self, customer_id: int, values: Mapping[str, Any], at: datetime) -> None:
        columns, details = _split(values)
        if details:
            current = self.conn.execute(
                select(customers.c.details).where(self._where(), customers.c.id == customer_id)
            ).scalar_one()
            merged = {**json.loads(current or "{}"), **details}
            columns["details"] = json.dumps(merged, sort_keys=True)
        with translated():
            self.conn.execute(
                customers.update()
                .where(self._where(), customers.c.id == customer_id)
                .values(updated_at=at, **columns)
            )

    def get(self, customer_id: int) -> Customer | None:
        row = self.conn.execute(
            select(customers).where(self._where(), customers.c.id == customer_id)
        ).one_or_none()
        return _customer(row) if row else None

    def get_by_external(self, external_id: str) -> Customer | None:
        row = self.conn.execute(
            select(customers).where(self._where(), customers.c.external_id == external_id)
        ).one_or_none()
        return _customer(row) if row else None

    def list(self, search: str | None, limit: int | None) -> list[Customer]:
        query = select(customers).where(self._where()).order_by(customers.c.external_id)
        if search:
            pattern = f"%{search.lower()}%"
            query = query.where(
                or_(
                    func.lower(customers.c.name).like(pattern),
                    func.lower(customers.c.external_id).like(pattern),
                )
            )
        if limit is not None:
            query = query.limit(limit)
        return [_customer(r) for r in self.conn.execute(query)]

    # -- bulk (imports) -----------------------------------------------------
    def external_ids(self) -> dict[str, tuple[int, str]]:
        """Every customer's external id → (id, currency), in one query."""
        rows = self.conn.execute(
            select(customers.c.external_id, customers.c.id, customers.c.currency).where(
                self._where()
            )
        )
        return {r.external_id: (int(r.id), r.currency) for r in rows}

    def snapshot_for_import(self) -> dict[str, dict[str, Any]]:
        """Import-comparable columns of every customer, keyed by external id."""
        rows = self.conn.execute(
            select(
                customers.c.external_id,
                customers.c.name,
                customers.c.currency,
                customers.c.payment_terms,
                customers.c.email,
                customers.c.parent_id,
                customers.c.country,
                customers.c.tax_id,
                customers.c.credit_limit_minor,
            ).where(self._where())
        )
        return {r.external_id: dict(r._mapping) for r in rows}

    def add_many(self, rows: Sequence[Mapping[str, Any]], at: datetime) -> None:
        if not rows:
            return
        payload = [
            {
                "company_id": self.company_id,
                "created_at": at,
                "updated_at": at,
                "details": "{}",
                "parent_id": None,
                **row,
            }
            for row in rows
        ]
        with translated():
            self.conn.execute(customers.insert(), payload)

    def set_parents(self, pairs: Sequence[tuple[int, int]]) -> None:
        """(child id, parent id) pairs, executemany."""
        if not pairs:
            return
        from sqlalchemy import bindparam

        stmt = (
            customers.update()
            .where(customers.c.company_id == self.company_id, customers.c.id == bindparam("child"))
            .values(parent_id=bindparam("parent"))
        )
        with translated():
            self.conn.execute(stmt, [{"child": c, "parent": p} for c, p in pairs])
