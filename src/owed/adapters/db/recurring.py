"""Subscription persistence: subscriptions, their changes, usage, billing runs.

Mixed into ``BillingRepository`` (``uow.billing``). Rows become the domain's
``Subscription`` / ``UsageRecord`` values (``owed.domain.billing.recurring``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import billing_runs, subscription_changes, subscriptions, usage_records
from owed.domain.billing.recurring import Change, Frequency, Subscription, UsageRecord
from owed.domain.money import Money


class SubscriptionRows:
    conn: Connection
    company_id: int

    def add_subscription(
        self,
        customer_id: int,
        description: str,
        frequency: Frequency,
        anchor_day: int,
        currency: str,
        tax_code: str | None,
        account: str | None,
        by: str,
        at: datetime,
    ) -> int:
        with translated():
            result = self.conn.execute(
                subscriptions.insert().values(
                    company_id=self.company_id,
                    customer_id=customer_id,
                    description=description,
                    frequency=frequency.value,
                    anchor_day=anchor_day,
                    currency=currency,
                    tax_code=tax_code,
                    account_code=account,
                    created_by=by,
                    created_at=at,
                )
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def add_change(self, subscription_id: int, change: Change, by: str, at: datetime) -> None:
        with translated():
            self.conn.execute(
                subscription_changes.insert().values(
                    subscription_id=subscription_id,
                    company_id=self.company_id,
                    effective=change.effective,
                    quantity=str(change.quantity),
                    unit_price=str(change.unit_price.amount),
                    created_by=by,
                    created_at=at,
                )
            )

    def add_usage(self, subscription_id: int, record: UsageRecord, by: str, at: datetime) -> None:
        with translated():
            self.conn.execute(
                usage_records.insert().values(
                    company_id=self.company_id,
                    subscription_id=subscription_id,
                    on_date=record.on,
                    quantity=str(record.quantity),
                    unit_price=str(record.unit_price.amount),
                    description=record.description,
                    created_by=by,
                    created_at=at,
                )
            )

    def subscriptions(
        self, subscription_id: int | None = None
    ) -> list[tuple[Subscription, int, str]]:
        """(subscription, customer id, currency), changes in date order."""
        query = select(subscriptions).where(subscriptions.c.company_id == self.company_id)
        if subscription_id is not None:
            query = query.where(subscriptions.c.id == subscription_id)
        heads = list(self.conn.execute(query.order_by(subscriptions.c.id)))
        changes: dict[int, list[Change]] = defaultdict(list)
        rows = self.conn.execute(
            select(subscription_changes, subscriptions.c.currency)
            .join(subscriptions, subscriptions.c.id == subscription_changes.c.subscription_id)
            .where(subscription_changes.c.company_id == self.company_id)
            .order_by(subscription_changes.c.effective)
        )
        for r in rows:
            changes[r.subscription_id].append(
                Change(r.effective, Decimal(r.quantity), Money(r.unit_price, r.currency))
            )
        return [
            (
                Subscription(
                    str(h.id),
                    h.description,
                    Frequency(h.frequency),
                    h.anchor_day,
                    tuple(changes[h.id]),
                    h.tax_code,
                    h.account_code,
                ),
                h.customer_id,
                h.currency,
            )
            for h in heads
            if changes[h.id]
        ]

    def usage(
        self, subscription_id: int, start: date, end: date, currency: str
    ) -> list[UsageRecord]:
        rows = self.conn.execute(
            select(usage_records)
            .where(
                usage_records.c.company_id == self.company_id,
                usage_records.c.subscription_id == subscription_id,
                usage_records.c.on_date >= start,
                usage_records.c.on_date <= end,
            )
            .order_by(usage_records.c.id)
        )
        return [
            UsageRecord(
                r.on_date, Decimal(r.quantity), Money(r.unit_price, currency), r.description
            )
            for r in rows
        ]

    def run_exists(self, subscription_id: int, period_start: date) -> bool:
        return (
            self.conn.execute(
                select(billing_runs.c.id).where(
                    billing_runs.c.company_id == self.company_id,
                    billing_runs.c.subscription_id == subscription_id,
                    billing_runs.c.period_start == period_start,
                )
            ).first()
            is not None
        )

    def add_run(
        self,
        subscription_id: int,
        start: date,
        end: date,
        document_id: int | None,
        by: str,
        at: datetime,
    ) -> None:
        with translated():
            self.conn.execute(
                billing_runs.insert().values(
                    company_id=self.company_id,
                    subscription_id=subscription_id,
                    period_start=start,
                    period_end=end,
                    document_id=document_id,
                    run_by=by,
                    run_at=at,
                )
            )
