"""Recurring billing: subscriptions, price/quantity changes, usage, billing runs.

The charges are the domain's (``charges_for_period``: in advance for the
period, proration adjustments for changes in the previous period, usage of
the previous period in arrears). This module stores subscriptions and runs.

``run_billing(period="2026-03")`` bills, for every subscription, each of its
billing periods that *starts* in that month: one invoice per subscription
and period, issued on the period's first day through the same path as any
invoice (numbering, terms, tax, posting). A ``billing_runs`` row per
(subscription, period start), unique in the database, makes the run
idempotent: running it again creates nothing twice. A period with nothing
to bill still gets its row (document NULL). The whole run is one
transaction: if one subscription cannot be billed (closed period, PO
missing...) nothing is billed and the error names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from owed.domain.auth import Permission
from owed.domain.billing.documents import DocumentKind
from owed.domain.billing.recurring import (
    Change,
    Frequency,
    UsageRecord,
    billing_periods,
    charges_for_period,
    run_key,
)
from owed.domain.errors import InvalidInput, NotFound, OwedError
from owed.domain.ledger.periods import parse_period
from owed.domain.money import Money, to_decimal
from owed.services.billing import CreateDraft, add_draft, issue_in
from owed.services.billing_model import LineInput
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CreateSubscription:
    customer: str  # external id
    description: str
    start: date
    quantity: Decimal | str
    unit_price: Decimal | str
    frequency: str = "monthly"
    anchor_day: int | None = None  # default: the start date's day
    tax_code: str | None = None
    account: str | None = None


def create_subscription(cmd: CreateSubscription, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.BILL)
        customer = uow.customers.get_by_external(cmd.customer)
        if customer is None:
            raise NotFound("customer", cmd.customer)
        try:
            frequency = Frequency(cmd.frequency.lower())
        except ValueError:
            raise InvalidInput(
                f"frequency {cmd.frequency!r}: use monthly, quarterly or annual"
            ) from None
        if cmd.tax_code and cmd.tax_code not in uow.billing.tax_codes():
            raise NotFound("tax code", cmd.tax_code)
        change = Change(
            cmd.start, to_decimal(cmd.quantity), Money(cmd.unit_price, customer.currency)
        )
        anchor = cmd.anchor_day or cmd.start.day
        sub_id = uow.billing.add_subscription(
            customer.id,
            cmd.description.strip(),
            frequency,
            anchor,
            customer.currency,
            cmd.tax_code,
            cmd.account,
            uow.actor.username,
            uow.now(),
        )
        uow.billing.add_change(sub_id, change, uow.actor.username, uow.now())
        uow.audit(
            "subscription.create",
            "subscription",
            sub_id,
            after={
                "customer": cmd.customer,
                "description": cmd.description,
                "start": str(cmd.start),
                "quantity": str(change.quantity),
                "unit_price": str(change.unit_price),
                "frequency": frequency.value,
                "anchor_day": anchor,
            },
        )
        uow.commit()
        return int(sub_id)


@dataclass(frozen=True)
class ChangeSubscription:
    subscription_id: int
    effective: date
    quantity: Decimal | str
    unit_price: Decimal | str | None = None  # default: unchanged


def change_subscription(cmd: ChangeSubscription, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.BILL)
        found = uow.billing.subscriptions(cmd.subscription_id)
        if not found:
            raise NotFound("subscription", cmd.subscription_id)
        sub, _, currency = found[0]
        before = sub.in_effect(cmd.effective)
        price = Money(cmd.unit_price, currency) if cmd.unit_price is not None else before.unit_price
        change = Change(cmd.effective, to_decimal(cmd.quantity), price)
        uow.billing.add_change(cmd.subscription_id, change, uow.actor.username, uow.now())
        uow.audit(
            "subscription.change",
            "subscription",
            cmd.subscription_id,
            before={"quantity": str(before.quantity), "unit_price": str(before.unit_price)},
            after={
                "effective": str(cmd.effective),
                "quantity": str(change.quantity),
                "unit_price": str(change.unit_price),
            },
        )
        uow.commit()


@dataclass(frozen=True)
class RecordUsage:
    subscription_id: int
    on: date
    quantity: Decimal | str
    unit_price: Decimal | str
    description: str = "Usage"


def record_usage(cmd: RecordUsage, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.BILL)
        found = uow.billing.subscriptions(cmd.subscription_id)
        if not found:
            raise NotFound("subscription", cmd.subscription_id)
        record = UsageRecord(
            cmd.on, to_decimal(cmd.quantity), Money(cmd.unit_price, found[0][2]), cmd.description
        )
        uow.billing.add_usage(cmd.subscription_id, record, uow.actor.username, uow.now())
        uow.audit(
            "subscription.usage",
            "subscription",
            cmd.subscription_id,
            after={
                "on": str(cmd.on),
                "quantity": str(record.quantity),
                "unit_price": str(record.unit_price),
            },
        )
        uow.commit()


@dataclass(frozen=True)
class RunBilling:
    period: str  # YYYY-MM


@dataclass
class RunResult:
    invoices: list[str] = field(default_factory=list)
    already_billed: int = 0
    nothing_to_bill: int = 0


def run_billing(cmd: RunBilling, uow: UnitOfWork) -> RunResult:
    month_start, month_end = parse_period(cmd.period)
    result = RunResult()
    with uow:
        uow.require(Permission.BILL)
        for sub, customer_id, currency in uow.billing.subscriptions():
            sub_id = int(sub.id)
            periods = [
                p
                for p in billing_periods(sub.start, sub.anchor_day, sub.frequency, month_end)
                if p.start >= month_start
            ]
            for period in periods:
                if uow.billing.run_exists(sub_id, period.start):
                    result.already_billed += 1
                    continue
                previous_start = date(period.start.year - 1, 1, 1)
                usage = uow.billing.usage(sub_id, previous_start, period.start, currency)
                lines = charges_for_period(sub, period, usage)
                doc_id = None
                if lines:
                    customer = uow.customers.get(customer_id)
                    try:
                        draft = add_draft(
                            uow,
                            CreateDraft(
                                customer.external_id,
                                [
                                    LineInput(
                                        ln.description,
                                        ln.quantity,
                                        ln.unit_price.amount,
                                        ln.discount_percent,
                                        ln.tax_code,
                                        ln.account,
                                    )
                                    for ln in lines
                                ],
                                kind=DocumentKind.INVOICE,
                                issue_date=period.start,
                            ),
                            {"subscription": sub_id},
                            "recurring",
                            run_key(sub.id, period.start),
                        )
                        doc = issue_in(uow, draft)
                    except OwedError as error:
                        error.message = (
                            f"subscription {sub_id} ({sub.description}), period "
                            f"{period.start}: {error.message}"
                        )
                        raise
                    doc_id = doc.id
                    result.invoices.append(doc.number)
                else:
                    result.nothing_to_bill += 1
                uow.billing.add_run(
                    sub_id, period.start, period.end, doc_id, uow.actor.username, uow.now()
                )
        uow.audit(
            "billing.run",
            "billing_run",
            cmd.period,
            after={
                "invoices": result.invoices,
                "already_billed": result.already_billed,
                "nothing_to_bill": result.nothing_to_bill,
            },
        )
        uow.commit()
        return result
