"""Test data builders: customers and open invoices written the way an ERP import writes them.

They go through the real repositories and the ledger's posting path (an
opening-balance entry per invoice), so the AR subledger equals the GL control
account exactly as in production.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from owed.adapters.db.schema import customers, documents
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.ledger import account, post_entries

_numbers = itertools.count(1)


@dataclass
class Invoice:
    id: int
    number: str
    customer_id: int
    total: Money
    due_date: date


def add_customer(
    env,
    name: str,
    *,
    external_id: str | None = None,
    currency: str = "USD",
    parent_id: int | None = None,
    terms: str = "NET30",
    **extra,
) -> int:
    uow = env.uow("admin")
    with uow:
        now = uow.now()
        cid = uow.conn.execute(
            customers.insert().values(
                company_id=uow.company.id,
                external_id=external_id or f"C{next(_numbers):05d}",
                name=name,
                parent_id=parent_id,
                currency=currency,
                payment_terms=terms,
                details=json.dumps(extra.pop("details", {})),
                created_at=now,
                updated_at=now,
                **extra,
            )
        ).inserted_primary_key[0]
        uow.commit()
        return int(cid)


def add_invoice(
    env,
    customer_id: int,
    amount: str,
    *,
    number: str | None = None,
    issue_date: date = date(2026, 2, 1),
    due_days: int = 30,
    currency: str = "USD",
    po_number: str | None = None,
    discount: str | None = None,
    discount_days: int | None = None,
) -> Invoice:
    number = number or f"INV-{next(_numbers):06d}"
    cur = Currency.of(currency)
    total = Money(amount, cur)
    uow = env.uow("admin")
    with uow:
        now = uow.now()
        due = issue_date + timedelta(days=due_days)
        doc_id = int(
            uow.conn.execute(
                documents.insert().values(
                    company_id=uow.company.id,
                    customer_id=customer_id,
                    kind="invoice",
                    number=number,
                    status="issued",
                    issue_date=issue_date,
                    due_date=due,
                    currency=cur.code,
                    net_minor=total.to_minor(),
                    tax_minor=0,
                    total_minor=total.to_minor(),
                    open_minor=total.to_minor(),
                    po_number=po_number,
                    source="import",
                    discount_minor=Money(discount, cur).to_minor() if discount else None,
                    discount_date=issue_date + timedelta(days=discount_days)
                    if discount_days
                    else None,
                    created_by="admin",
                    created_at=now,
                )
            ).inserted_primary_key[0]
        )
        post_entries(
            uow,
            [
                JournalEntry(
                    issue_date,
                    f"Opening balance {number}",
                    (
                        JournalLine(
                            account(uow, SystemAccount.AR_CONTROL),
                            total,
                            customer_id=customer_id,
                            document_type="document",
                            document_id=doc_id,
                        ),
                        JournalLine(account(uow, SystemAccount.OPENING_BALANCE), -total),
                    ),
                    source_type="import",
                )
            ],
        )
        uow.commit()
    return Invoice(doc_id, number, customer_id, total, due)


def open_amount(env, number: str) -> Decimal:
    uow = env.uow("admin")
    with uow:
        row = uow.conn.execute(
            select(documents.c.open_minor, documents.c.currency).where(
                documents.c.company_id == uow.company.id, documents.c.number == number
            )
        ).one()
        return Currency.of(row.currency).from_minor(row.open_minor)
