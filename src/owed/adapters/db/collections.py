"""Persistence for collections: aging queries, dunning state, promises, plans, holds, timeline.

The aging is computed where the data is: the bucket edges from the domain
(``bucket_edges``) become one ``CASE`` on the basis date, and the database
groups by (group key, currency, bucket). Two sources of the open amount:

* **now** (``as_of`` today or later): ``documents.open_minor`` of items in
  status issued / partially paid (the covering index ``ix_documents_aging``);
* **a past date** ``D``: documents issued on or before ``D`` (drafts never
  count), open = ``total - Σ settlements with on_date <= D``. Payments,
  credit memos, discounts, write-offs and voids all leave a dated settlement,
  so the result is what the aging said on ``D``.

Open credit memos and on-account credits are not aged: they are returned
beside the aging with the unapplied cash, per group and currency.

Every query filters on ``company_id``; lists of ids go in chunks (SQLite's
variable limit); nothing here loops a query over customers or items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from owed.adapters.db.customers import _customer
from owed.adapters.db.errors import translated
from owed.adapters.db.schema import customers, documents, settlements
from owed.adapters.db.schema_cash import applications, receipts
from owed.adapters.db.schema_collections import (
    activities,
    credit_holds,
    disputes,
    dunning_levels,
    dunning_messages,
    dunning_runs,
    payment_plans,
    plan_installments,
    promises,
)
from owed.domain.collections.aging import BucketEdge, BucketTotal, RowTotal, Unapplied
from owed.domain.money import Currency
from owed.services.customers import Customer

_CHUNK = 900
OPEN_STATUSES = ("issued", "partially_paid")
OPEN_DISPUTE_STATUSES = ("open", "investigating")
UNIDENTIFIED = "(unidentified)"
NONE = "(none)"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _aware(value: datetime) -> datetime:
    """SQLite gives timestamps back naive; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _dec(minor: int, currency: str) -> Any:
    return Currency.of(currency).from_minor(int(minor))


class OpenItemRow(NamedTuple):
    """An open invoice or debit memo with what dunning needs to know about it.

    A named tuple: a million of them are built per dunning run.
    """

    id: int
    number: str
    customer_id: int
    currency: str
    due_date: date
    open_minor: int
    disputed_minor: int
    last_level: int
    last_sent_on: date | None
    undelivered: bool  # a level is recorded whose message is not sent yet (queued / failed)


class CollectionsRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    # -- aging -------------------------------------------------------------------------
    def _group_expr(self, by: str, parent: Any) -> ColumnElement[Any]:
        if by == "customer":
            return customers.c.external_id
        if by == "parent":
            return func.coalesce(parent.c.external_id, customers.c.external_id)
        if by == "collector":
            return func.coalesce(customers.c.collector, literal(NONE))
        if by == "segment":
            return func.coalesce(customers.c.segment, literal(NONE))
        if by == "currency":
            return documents.c.currency
        raise ValueError(f"unknown aging grouping {by!r}")

    def aging_totals(
        self, as_of: date, edges: Sequence[BucketEdge], basis: str, by: str, current: bool
    ) -> list[BucketTotal]:
        """Σ open per (group, currency, bucket) of invoices and debit memos."""
        group, amount, basis_col, source, cond = self._aging_source(as_of, basis, by, current)
        whens = [(basis_col >= e.date_from, literal(e.label)) for e in edges[:-1]]
        bucket = case(*whens, else_=literal(edges[-1].label)).label("bucket")
        query = (
            select(group, documents.c.currency, bucket, func.sum(amount), func.count())
            .select_from(source)
            .where(and_(*cond))
            .group_by(group, documents.c.currency, bucket)
        )
        return [
            BucketTotal(str(g), cur, label, _dec(total, cur), int(n))
            for g, cur, label, total, n in self.conn.execute(query)
        ]

    def aging_rows(
        self, as_of: date, edges: Sequence[BucketEdge], basis: str, by: str, current: bool
    ) -> list[RowTotal]:
        """Σ open per (group, currency), one column per bucket: one row per group travels.

        A bucket column is NULL when the row has no item in it (the cell is then
        absent from ``RowTotal.amounts``, exactly as when no ``BucketTotal`` names it).
        """
        self._tune_for_aggregate()
        # Sum per customer id first (an integer key, no join: the million rows never
        # meet the customers table), then join the per-customer rows to their group.
        _, amount, basis_col, source, cond = self._aging_source(as_of, basis, "currency", current)
        columns = []
        for i, e in enumerate(edges):
            within = []
            if e.date_from is not None:
                within.append(basis_col >= e.date_from)
            if e.date_to is not None:
                within.append(basis_col <= e.date_to)
            summed = func.sum(case((and_(*within), amount)) if within else amount)
            columns.append(cast(summed, BigInteger).label(f"b{i}"))  # int, not numeric
        keys = [documents.c.currency] if by == "currency" else [documents.c.customer_id]
        if by != "currency":
            keys.append(documents.c.currency)
        per = (
            select(*keys, func.count().label("n"), *columns)
            .select_from(source)
            .where(and_(*cond))
            .group_by(*keys)
            .subquery("per")
        )
        sums = [per.c[f"b{i}"] for i in range(len(edges))]
        query: Any
        if by == "currency":
            query = select(per.c.currency, per.c.currency, per.c.n, *sums)
        elif by == "customer":  # external ids are unique per company: one row per customer
            query = select(customers.c.external_id, per.c.currency, per.c.n, *sums).select_from(
                per.join(customers, customers.c.id == per.c.customer_id)
            )
        else:
            parent = customers.alias("parent")
            group = self._group_expr(by, parent)
            joined = per.join(customers, customers.c.id == per.c.customer_id)
            if by == "parent":
                joined = joined.outerjoin(parent, parent.c.id == customers.c.parent_id)
            query = (
                select(
                    group,
                    per.c.currency,
                    cast(func.sum(per.c.n), BigInteger),
                    *(cast(func.sum(c), BigInteger) for c in sums),
                )
                .select_from(joined)
                .group_by(group, per.c.currency)
            )
        labels = [e.label for e in edges]
        scales: dict[str, int] = {}  # currency -> -minor units: Decimal(minor).scaleb(scale)
        rows = []
        for g, cur, n, *cells in self.conn.execute(query).all():
            scale = scales.get(cur)
            if scale is None:
                scale = scales[cur] = -Currency.of(cur).minor_units
            amounts = {
                label: Decimal(minor).scaleb(scale)  # BIGINT: psycopg and sqlite3 give ints
                for label, minor in zip(labels, cells, strict=True)
                if minor is not None
            }
            rows.append(RowTotal(str(g), cur, amounts, int(n)))
        return rows

    def _tune_for_aggregate(self) -> None:
        """PostgreSQL, this transaction only: no JIT (compiling the CASE sums costs
        about 0.4 s, more than it saves on a million rows) and room for the hash
        aggregate in memory (at the default 4 MB it spills 50,000 groups to disk)."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SET LOCAL jit = off"))
            self.conn.execute(text("SET LOCAL work_mem = '64MB'"))

    def _aging_source(
        self, as_of: date, basis: str, by: str, current: bool
    ) -> tuple[Any, Any, Any, Any, list[Any]]:
        """Group key, open amount, basis column, FROM clause and conditions of the aging."""
        parent = customers.alias("parent")
        group = self._group_expr(by, parent).label("grp")
        basis_col = documents.c.due_date if basis == "due_date" else documents.c.issue_date
        if current:
            amount: Any = documents.c.open_minor
            cond = [
                documents.c.company_id == self.company_id,
                documents.c.status.in_(OPEN_STATUSES),
                documents.c.kind != "credit_memo",
                documents.c.open_minor != 0,
            ]
            source: Any = documents
        else:
            settled = self._settled_by(as_of)
            amount = documents.c.total_minor - func.coalesce(settled.c.settled, 0)
            cond = [
                documents.c.company_id == self.company_id,
                documents.c.status != "draft",
                documents.c.kind != "credit_memo",
                documents.c.issue_date <= as_of,
                amount != 0,
            ]
            source = documents.outerjoin(settled, settled.c.document_id == documents.c.id)
        if by != "currency":
            source = source.join(customers, customers.c.id == documents.c.customer_id)
        if by == "parent":
            source = source.outerjoin(parent, parent.c.id == customers.c.parent_id)
        return group, amount, basis_col, source, cond

    def _settled_by(self, as_of: date) -> Any:
        return (
            select(
                settlements.c.document_id,
                func.sum(settlements.c.amount_minor).label("settled"),
            )
            .where(settlements.c.company_id == self.company_id, settlements.c.on_date <= as_of)
            .group_by(settlements.c.document_id)
            .subquery("settled")
        )

    def aging_beside(self, as_of: date, by: str, current: bool) -> list[Unapplied]:
        """Unapplied cash and open credits (credit memos, on-account credits) per group."""
        cells: dict[tuple[str, str], list[int]] = {}

        def add(group: str, cur: str, cash: int, credit: int) -> None:
            cell = cells.setdefault((group, cur), [0, 0])
            cell[0] += cash
            cell[1] += credit

        for g, cur, minor in self._unapplied_cash(as_of, by, current):
            add(g, cur, int(minor), 0)
        for g, cur, minor in self._open_credit_memos(as_of, by, current):
            add(g, cur, 0, int(minor))
        for g, cur, minor in self._on_account(as_of, by, current):
            add(g, cur, 0, int(minor))
        return [
            Unapplied(g, cur, _dec(cash, cur), _dec(credit, cur))
            for (g, cur), (cash, credit) in sorted(cells.items())
            if cash or credit
        ]

    def _customer_group(self, by: str, currency_col: Any) -> tuple[Any, Any]:
        parent = customers.alias("parent")
        if by == "currency":
            return currency_col, parent
        expr: Any
        if by == "parent":
            expr = func.coalesce(parent.c.external_id, customers.c.external_id)
        elif by == "customer":
            expr = customers.c.external_id
        else:
            expr = func.coalesce(getattr(customers.c, by), literal(NONE))
        return expr, parent

    def _unapplied_cash(self, as_of: date, by: str, current: bool) -> list[Any]:
        group, parent = self._customer_group(by, receipts.c.currency)
        if by != "currency":
            group = func.coalesce(group, literal(UNIDENTIFIED))
        if current:
            amount: Any = receipts.c.unapplied_minor
            source: Any = receipts
            cond = [receipts.c.unapplied_minor != 0]
        else:
            used = (
                select(
                    applications.c.receipt_id,
                    func.sum(applications.c.amount_minor).label("used"),
                )
                .where(applications.c.company_id == self.company_id, *self._live_at(as_of))
                .group_by(applications.c.receipt_id)
                .subquery("used")
            )
            amount = receipts.c.amount_minor - func.coalesce(used.c.used, 0)
            source = receipts.outerjoin(used, used.c.receipt_id == receipts.c.id)
            cond = [receipts.c.value_date <= as_of, amount != 0]
        source = source.outerjoin(customers, customers.c.id == receipts.c.customer_id)
        if by == "parent":
            source = source.outerjoin(parent, parent.c.id == customers.c.parent_id)
        query = (
            select(group.label("grp"), receipts.c.currency, func.sum(amount))
            .select_from(source)
            .where(receipts.c.company_id == self.company_id, receipts.c.kind == "receipt", *cond)
            .group_by(group, receipts.c.currency)
        )
        return list(self.conn.execute(query))

    def _live_at(self, as_of: date) -> list[Any]:
        return [
            applications.c.applied_on <= as_of,
            or_(applications.c.reversed_on.is_(None), applications.c.reversed_on > as_of),
        ]

    def _open_credit_memos(self, as_of: date, by: str, current: bool) -> list[Any]:
        group, parent = self._customer_group(by, documents.c.currency)
        if current:
            amount: Any = documents.c.open_minor
            source: Any = documents
            cond = [documents.c.status.in_(OPEN_STATUSES), documents.c.open_minor != 0]
        else:
            settled = self._settled_by(as_of)
            amount = documents.c.total_minor - func.coalesce(settled.c.settled, 0)
            source = documents.outerjoin(settled, settled.c.document_id == documents.c.id)
            cond = [documents.c.status != "draft", documents.c.issue_date <= as_of, amount != 0]
        source = source.join(customers, customers.c.id == documents.c.customer_id)
        if by == "parent":
            source = source.outerjoin(parent, parent.c.id == customers.c.parent_id)
        query = (
            select(group.label("grp"), documents.c.currency, func.sum(amount))
            .select_from(source)
            .where(
                documents.c.company_id == self.company_id,
                documents.c.kind == "credit_memo",
                *cond,
            )
            .group_by(group, documents.c.currency)
        )
        return list(self.conn.execute(query))

    def _on_account(self, as_of: date, by: str, current: bool) -> list[Any]:
        group, parent = self._customer_group(by, receipts.c.currency)
        live = [applications.c.reversed_on.is_(None)] if current else self._live_at(as_of)
        source: Any = applications.join(receipts, receipts.c.id == applications.c.receipt_id)
        source = source.join(customers, customers.c.id == applications.c.customer_id)
        if by == "parent":
            source = source.outerjoin(parent, parent.c.id == customers.c.parent_id)
        query = (
            select(group.label("grp"), receipts.c.currency, func.sum(applications.c.amount_minor))
            .select_from(source)
            .where(
                applications.c.company_id == self.company_id,
                applications.c.document_id.is_(None),
                *live,
            )
            .group_by(group, receipts.c.currency)
        )
        return list(self.conn.execute(query))

    def customer_names(self) -> dict[str, str]:
        query = select(customers.c.external_id, customers.c.name).where(
            customers.c.company_id == self.company_id
        )
        return dict(self.conn.execute(query).all())

    # -- open items and their dunning state --------------------------------------------
    def open_items(self, customer_ids: Sequence[int] | None = None) -> list[OpenItemRow]:
        """Open invoices and debit memos, with disputed amount and last dunning level."""
        disputed = (
            select(disputes.c.document_id, func.sum(disputes.c.amount_minor).label("disputed"))
            .where(
                disputes.c.company_id == self.company_id,
                disputes.c.status.in_(OPEN_DISPUTE_STATUSES),
            )
            .group_by(disputes.c.document_id)
            .subquery("disputed")
        )
        levels = (
            select(
                dunning_levels.c.document_id,
                func.max(dunning_levels.c.level).label("level"),
                func.max(dunning_levels.c.sent_on).label("sent_on"),
                func.max(case((dunning_messages.c.status != "sent", 1), else_=0)).label(
                    "undelivered"
                ),
            )
            .select_from(
                dunning_levels.join(
                    dunning_messages, dunning_messages.c.id == dunning_levels.c.message_id
                )
            )
            .where(dunning_levels.c.company_id == self.company_id)
            .group_by(dunning_levels.c.document_id)
            .subquery("levels")
        )
        query = (
            select(
                documents.c.id,
                documents.c.number,
                documents.c.customer_id,
                documents.c.currency,
                documents.c.due_date,
                documents.c.open_minor,
                func.coalesce(disputed.c.disputed, 0),
                func.coalesce(levels.c.level, 0),
                levels.c.sent_on,
                func.coalesce(levels.c.undelivered, 0),
            )
            .select_from(
                documents.outerjoin(disputed, disputed.c.document_id == documents.c.id).outerjoin(
                    levels, levels.c.document_id == documents.c.id
                )
            )
            .where(
                documents.c.company_id == self.company_id,
                documents.c.status.in_(OPEN_STATUSES),
                documents.c.kind != "credit_memo",
                documents.c.open_minor > 0,
            )
            .order_by(documents.c.customer_id, documents.c.due_date, documents.c.number)
        )
        if customer_ids is not None:
            query = query.where(documents.c.customer_id.in_(list(customer_ids)))
        return [
            OpenItemRow(i, n, c, cur, due, o, d, lv, on, bool(u))
            for i, n, c, cur, due, o, d, lv, on, u in self.conn.execute(query).all()
        ]

    def dunning_customers(self) -> list[dict[str, Any]]:
        """Every customer's dunning-relevant columns (one query)."""
        rows = self.conn.execute(
            select(
                customers.c.id,
                customers.c.external_id,
                customers.c.segment,
                customers.c.dunning_blocked,
                customers.c.on_hold,
                customers.c.credit_limit_minor,
                customers.c.currency,
            ).where(customers.c.company_id == self.company_id)
        )
        return [dict(r._mapping) for r in rows]

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        found: dict[int, Customer] = {}
        for part in _chunks(list(ids)):
            rows = self.conn.execute(
                select(customers).where(
                    customers.c.company_id == self.company_id, customers.c.id.in_(part)
                )
            )
            found.update({int(r.id): _customer(r) for r in rows})
        return found

    def unapplied_by_customer(self) -> dict[int, dict[str, int]]:
        """Unapplied cash plus open credits (credit memos, on-account) per customer, currency."""
        result: dict[int, dict[str, int]] = {}

        def add(cid: Any, cur: str, minor: Any) -> None:
            if cid is not None and minor:
                cell = result.setdefault(int(cid), {})
                cell[cur] = cell.get(cur, 0) + int(minor)

        cash = self.conn.execute(
            select(
                receipts.c.customer_id, receipts.c.currency, func.sum(receipts.c.unapplied_minor)
            )
            .where(
                receipts.c.company_id == self.company_id,
                receipts.c.kind == "receipt",
                receipts.c.customer_id.is_not(None),
                receipts.c.unapplied_minor > 0,
            )
            .group_by(receipts.c.customer_id, receipts.c.currency)
        )
        memos = self.conn.execute(
            select(documents.c.customer_id, documents.c.currency, func.sum(documents.c.open_minor))
            .where(
                documents.c.company_id == self.company_id,
                documents.c.kind == "credit_memo",
                documents.c.status.in_(OPEN_STATUSES),
                documents.c.open_minor > 0,
            )
            .group_by(documents.c.customer_id, documents.c.currency)
        )
        on_account = self.conn.execute(
            select(
                applications.c.customer_id,
                receipts.c.currency,
                func.sum(applications.c.amount_minor),
            )
            .select_from(applications.join(receipts, receipts.c.id == applications.c.receipt_id))
            .where(
                applications.c.company_id == self.company_id,
                applications.c.document_id.is_(None),
                applications.c.customer_id.is_not(None),
                applications.c.reversed_on.is_(None),
            )
            .group_by(applications.c.customer_id, receipts.c.currency)
        )
        for rows in (cash, memos, on_account):
            for cid, cur, minor in rows:
                add(cid, cur, minor)
        return result

    def open_dispute_counts(self) -> dict[int, int]:
        rows = self.conn.execute(
            select(disputes.c.customer_id, func.count())
            .where(
                disputes.c.company_id == self.company_id,
                disputes.c.status.in_(OPEN_DISPUTE_STATUSES),
            )
            .group_by(disputes.c.customer_id)
        )
        return {int(c): int(n) for c, n in rows}

    # -- payments since a date (promise and plan evaluation) ---------------------------
    def payment_events(self, customer_ids: Sequence[int], since: date) -> list[dict[str, Any]]:
        """Live applications to the customers' items, and their unapplied cash, since ``since``."""
        out: list[dict[str, Any]] = []
        for part in _chunks(list(customer_ids)):
            apps = self.conn.execute(
                select(
                    documents.c.customer_id,
                    applications.c.applied_on,
                    applications.c.amount_minor,
                    receipts.c.currency,
                    documents.c.number,
                )
                .select_from(
                    applications.join(receipts, receipts.c.id == applications.c.receipt_id).join(
                        documents, documents.c.id == applications.c.document_id
                    )
                )
                .where(
                    applications.c.company_id == self.company_id,
                    applications.c.reversed_on.is_(None),
                    applications.c.applied_on >= since,
                    documents.c.customer_id.in_(part),
                )
            )
            out += [
                {"customer_id": int(c), "on": d, "minor": int(m), "currency": cur, "document": n}
                for c, d, m, cur, n in apps
            ]
            cash = self.conn.execute(
                select(
                    receipts.c.customer_id,
                    receipts.c.value_date,
                    receipts.c.unapplied_minor,
                    receipts.c.currency,
                ).where(
                    receipts.c.company_id == self.company_id,
                    receipts.c.kind == "receipt",
                    receipts.c.unapplied_minor > 0,
                    receipts.c.value_date >= since,
                    receipts.c.customer_id.in_(part),
                )
            )
            out += [
                {"customer_id": int(c), "on": d, "minor": int(m), "currency": cur, "document": None}
                for c, d, m, cur in cash
            ]
        return out

    # -- promises and plans -------------------------------------------------------------
    def add_promise(self, **values: Any) -> int:
        values["documents"] = json.dumps(values.get("documents", []))
        with translated():
            return int(
                self.conn.execute(
                    promises.insert().values(company_id=self.company_id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def promises(self, statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
        query = select(promises).where(promises.c.company_id == self.company_id)
        if statuses is not None:
            query = query.where(promises.c.status.in_(list(statuses)))
        rows = self.conn.execute(query.order_by(promises.c.id))
        return [{**r._mapping, "documents": json.loads(r.documents)} for r in rows]

    def set_promise_status(self, promise_id: int, status: str, on: date) -> None:
        self.conn.execute(
            update(promises)
            .where(promises.c.company_id == self.company_id, promises.c.id == promise_id)
            .values(status=status, evaluated_on=on)
        )

    def add_plan(self, installments: Sequence[tuple[date, int]], **values: Any) -> int:
        values["documents"] = json.dumps(values.get("documents", []))
        with translated():
            plan_id = int(
                self.conn.execute(
                    payment_plans.insert().values(company_id=self.company_id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            self.conn.execute(
                plan_installments.insert(),
                [
                    {
                        "plan_id": plan_id,
                        "company_id": self.company_id,
                        "seq": i,
                        "due_date": d,
                        "amount_minor": m,
                    }
                    for i, (d, m) in enumerate(installments, start=1)
                ],
            )
        return plan_id

    def plans(self, statuses: Sequence[str] | None = None) -> list[dict[str, Any]]:
        query = select(payment_plans).where(payment_plans.c.company_id == self.company_id)
        if statuses is not None:
            query = query.where(payment_plans.c.status.in_(list(statuses)))
        plans = [
            {**r._mapping, "documents": json.loads(r.documents), "installments": []}
            for r in self.conn.execute(query.order_by(payment_plans.c.id))
        ]
        by_id = {p["id"]: p for p in plans}
        rows = self.conn.execute(
            select(plan_installments)
            .where(plan_installments.c.company_id == self.company_id)
            .order_by(plan_installments.c.plan_id, plan_installments.c.seq)
        )
        for r in rows:
            if r.plan_id in by_id:
                by_id[r.plan_id]["installments"].append((r.due_date, int(r.amount_minor)))
        return plans

    def set_plan_status(self, plan_id: int, status: str, on: date) -> None:
        self.conn.execute(
            update(payment_plans)
            .where(payment_plans.c.company_id == self.company_id, payment_plans.c.id == plan_id)
            .values(status=status, evaluated_on=on)
        )

    # -- dunning runs, messages and levels ---------------------------------------------
    def last_run_date(self) -> date | None:
        value = self.conn.execute(
            select(func.max(dunning_runs.c.run_date)).where(
                dunning_runs.c.company_id == self.company_id
            )
        ).scalar_one()
        return value if value is None or isinstance(value, date) else date.fromisoformat(value)

    def add_run(self, run_date: date, notices: int, by: str, at: datetime) -> int:
        """Insert the run row; the unique (company, date) makes a second run today a Conflict."""
        with translated():
            return int(
                self.conn.execute(
                    dunning_runs.insert().values(
                        company_id=self.company_id,
                        run_date=run_date,
                        notices=notices,
                        sent=0,
                        failed=0,
                        run_by=by,
                        run_at=at,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )

    def finish_run(self, run_id: int, sent: int, failed: int) -> None:
        self.conn.execute(
            update(dunning_runs)
            .where(dunning_runs.c.company_id == self.company_id, dunning_runs.c.id == run_id)
            .values(sent=sent, failed=failed)
        )

    def add_message(self, **values: Any) -> int:
        values["items"] = json.dumps(values.get("items", []))
        return int(
            self.conn.execute(
                dunning_messages.insert().values(company_id=self.company_id, **values)
            ).inserted_primary_key[0]  # type: ignore[index]
        )

    def deliverable_messages(self, stale_before: datetime) -> list[int]:
        """Ids of messages to (re)send: queued, failed, or claimed before ``stale_before``
        and never finished (the sender died: the outcome is unknown)."""
        rows = self.conn.execute(
            select(dunning_messages.c.id)
            .where(
                dunning_messages.c.company_id == self.company_id,
                or_(
                    dunning_messages.c.status.in_(("queued", "failed")),
                    and_(
                        dunning_messages.c.status == "sending",
                        dunning_messages.c.attempted_at < stale_before,
                    ),
                ),
            )
            .order_by(dunning_messages.c.id)
        )
        return [int(i) for i in rows.scalars()]

    def claim_message(
        self, message_id: int, at: datetime, stale_before: datetime
    ) -> dict[str, Any] | None:
        """Mark a deliverable message ``sending`` (attempts + 1); None when another
        sender claimed or finished it first. The row is returned as it was before."""
        row = self.conn.execute(
            select(dunning_messages).where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == message_id,
            )
        ).one_or_none()
        if row is None:
            return None
        stale = row.status == "sending" and _aware(row.attempted_at) < stale_before
        if row.status not in ("queued", "failed") and not stale:
            return None
        claimed = self.conn.execute(
            update(dunning_messages)
            .where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == message_id,
                dunning_messages.c.status == row.status,
                dunning_messages.c.attempts == row.attempts,
            )
            .values(status="sending", attempts=row.attempts + 1, attempted_at=at)
        )
        if claimed.rowcount != 1:
            return None
        return {
            **row._mapping,
            "items": json.loads(row.items),
            "payload": json.loads(row.payload),
            "attempts": row.attempts + 1,
        }

    def record_delivery(
        self,
        row_id: int,
        run_id: int,
        previous_status: str,
        on: date,
        **values: Any,
    ) -> None:
        """Store a delivery outcome (``status`` sent / failed, reason, channel...), keep
        the run's sent / failed counts, and date the item levels of a sent message."""
        status = values["status"]
        self.conn.execute(
            update(dunning_messages)
            .where(
                dunning_messages.c.company_id == self.company_id,
                dunning_messages.c.id == row_id,
            )
            .values(**values)
        )
        was_failed = 1 if previous_status == "failed" else 0
        sent, failed = (1, -was_failed) if status == "sent" else (0, 1 - was_failed)
        if sent or failed:
            self.conn.execute(
                update(dunning_runs)
                .where(dunning_runs.c.company_id == self.company_id, dunning_runs.c.id == run_id)
                .values(sent=dunning_runs.c.sent + sent, failed=dunning_runs.c.failed + failed)
            )
        if status == "sent":
            self.conn.execute(
                update(dunning_levels)
                .where(
                    dunning_levels.c.company_id == self.company_id,
                    dunning_levels.c.message_id == row_id,
                )
                .values(sent_on=on)
            )

    def add_levels(self, rows: Sequence[tuple[int, int, date, int]]) -> None:
        """(document id, level, sent on, message id) rows."""
        if rows:
            with translated():
                self.conn.execute(
                    dunning_levels.insert(),
                    [
                        {
                            "company_id": self.company_id,
                            "document_id": d,
                            "level": lv,
                            "sent_on": on,
                            "message_id": m,
                        }
                        for d, lv, on, m in rows
                    ],
                )

    def messages(self, customer_id: int | None = None) -> list[dict[str, Any]]:
        query = select(dunning_messages).where(dunning_messages.c.company_id == self.company_id)
        if customer_id is not None:
            query = query.where(dunning_messages.c.customer_id == customer_id)
        rows = self.conn.execute(query.order_by(dunning_messages.c.id))
        return [
            {**r._mapping, "items": json.loads(r.items), "payload": json.loads(r.payload)}
            for r in rows
        ]

    # -- activities ---------------------------------------------------------------------
    def add_activities(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(
                activities.insert(), [{"company_id": self.company_id, **r} for r in rows]
            )

    def activities(self, customer_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(activities)
            .where(
                activities.c.company_id == self.company_id, activities.c.customer_id == customer_id
            )
            .order_by(activities.c.on_date, activities.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def contact_summary(self) -> dict[int, tuple[date | None, date | None]]:
        """Per customer: last contact date, and the latest next-action date still set."""
        rows = self.conn.execute(
            select(
                activities.c.customer_id,
                func.max(activities.c.on_date),
                func.max(activities.c.next_action),
            )
            .where(activities.c.company_id == self.company_id)
            .group_by(activities.c.customer_id)
        )
        return {int(c): (last, nxt) for c, last, nxt in rows}

    # -- credit holds -------------------------------------------------------------------
    def open_hold(self, customer_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            select(credit_holds)
            .where(
                credit_holds.c.company_id == self.company_id,
                credit_holds.c.customer_id == customer_id,
                credit_holds.c.released_at.is_(None),
            )
            .order_by(credit_holds.c.id.desc())
            .limit(1)
        ).one_or_none()
        return dict(row._mapping) if row else None

    def place_hold(self, customer_id: int, **values: Any) -> int:
        hold_id = int(
            self.conn.execute(
                credit_holds.insert().values(
                    company_id=self.company_id, customer_id=customer_id, **values
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        self.set_on_hold(customer_id, True)
        return hold_id

    def release_hold(self, hold_id: int, customer_id: int, **values: Any) -> None:
        self.conn.execute(
            update(credit_holds)
            .where(credit_holds.c.company_id == self.company_id, credit_holds.c.id == hold_id)
            .values(**values)
        )
        self.set_on_hold(customer_id, False)

    def set_on_hold(self, customer_id: int, on_hold: bool) -> None:
        self.conn.execute(
            update(customers)
            .where(customers.c.company_id == self.company_id, customers.c.id == customer_id)
            .values(on_hold=on_hold)
        )

    def exposure(self, customer_id: int) -> tuple[dict[str, int], date | None]:
        """Open AR per currency (credit memos negative) and the oldest open due date."""
        signed = case(
            (documents.c.kind == "credit_memo", -documents.c.open_minor),
            else_=documents.c.open_minor,
        )
        base = [
            documents.c.company_id == self.company_id,
            documents.c.customer_id == customer_id,
            documents.c.status.in_(OPEN_STATUSES),
        ]
        rows = self.conn.execute(
            select(documents.c.currency, func.sum(signed))
            .where(*base)
            .group_by(documents.c.currency)
        )
        oldest = self.conn.execute(
            select(func.min(documents.c.due_date)).where(
                *base, documents.c.kind != "credit_memo", documents.c.open_minor > 0
            )
        ).scalar_one()
        return {cur: int(m) for cur, m in rows if m}, oldest
