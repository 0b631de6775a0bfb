"""Twelve months of invoices for the demo customers.

Each customer is billed on fixed days of the month (enterprise weekly, mid-market
twice a month, small once); amounts vary log-normally around the customer's
typical invoice, in whole cents. Due and discount dates come from the domain's
``PaymentTerms``. Numbers run per year in issue order: ``INV-2025-004711``.
A few customers start during the year; a customer that stopped paying is put
on credit hold (no more invoices) two months after it stopped.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from owed.domain.billing.terms import PaymentTerms
from owed.domain.money import Money
from owed.simulation._demo_customers import Account


@dataclass
class Bill:
    """An invoice while the history is generated (its open amount comes later)."""

    number: str
    account: Account
    issue: date
    due: date
    amount: Decimal
    po_number: str | None
    discount_date: date | None
    discount: Decimal | None

    @property
    def customer_id(self) -> str:
        return self.account.customer.external_id


def _month_start(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def bill(rng: random.Random, accounts: list[Account], months: int, today: date) -> list[Bill]:
    drafts: list[tuple[date, int, Account, Decimal, str | None]] = []
    for order, account in enumerate(accounts):
        customer = account.customer
        first = months - 1 if rng.random() > 0.1 else rng.randint(1, max(1, months - 3))
        gap = 28 // account.per_month
        day0 = rng.randint(1, gap)
        stopped = customer.behaviour.stopped_on
        hold = stopped + timedelta(days=60) if stopped else None
        for back in range(first, -1, -1):
            start = _month_start(today, back)
            for j in range(account.per_month):
                issue = start + timedelta(days=day0 - 1 + j * gap)
                if issue >= today or (hold is not None and issue > hold):
                    continue
                # A spread factor, not money: the amount is made of integer cents.
                factor_ratio = math.exp(rng.gauss(0, 0.3))
                cents = max(5_000, int(account.invoice_cents * factor_ratio))
                po = _po_number(rng, customer.segment) if customer.po_required else None
                drafts.append((issue, order, account, Decimal(cents).scaleb(-2), po))
    drafts.sort(key=lambda d: (d[0], d[1]))
    bills: list[Bill] = []
    counters: dict[int, int] = {}
    terms_of: dict[str, PaymentTerms] = {}
    for issue, _, account, amount, po in drafts:
        counters[issue.year] = counters.get(issue.year, 4_000 + issue.year % 7 * 100) + 1
        code = account.customer.payment_terms
        terms = terms_of.setdefault(code, PaymentTerms.parse(code))
        discount = terms.discount_amount(Money(amount, account.customer.currency)).amount
        bills.append(
            Bill(
                number=f"INV-{issue.year}-{counters[issue.year]:06d}",
                account=account,
                issue=issue,
                due=terms.due_date(issue),
                amount=amount,
                po_number=po,
                discount_date=terms.discount_date(issue),
                discount=discount if discount else None,
            )
        )
    return bills


def _po_number(rng: random.Random, segment: str) -> str:
    if segment == "enterprise":
        return f"45{rng.randrange(10**7, 10**8)}"  # an SAP-style purchase order
    return f"PO-{rng.randrange(10_000, 99_999)}"
