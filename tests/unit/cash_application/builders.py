"""Builders for cash application test data: small, explicit, readable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from owed.domain.cash_application import CustomerInfo, MatchContext, OpenItem, Receipt
from owed.domain.payments.statement import Method, RemittanceLine

ISSUED = date(2024, 3, 1)
DUE = date(2024, 3, 31)
PAID = date(2024, 3, 28)


def item(
    item_id: int,
    customer_id: int,
    number: str,
    amount: str,
    *,
    due: date = DUE,
    po: str | None = None,
    rf: str | None = None,
    discount: str | None = None,
    discount_date: date | None = None,
    issued: date = ISSUED,
) -> OpenItem:
    return OpenItem(
        id=item_id,
        customer_id=customer_id,
        number=number,
        currency="USD",
        open_amount=Decimal(amount),
        original_amount=Decimal(amount),
        issue_date=issued,
        due_date=due,
        po_number=po,
        rf_reference=rf,
        discount_date=discount_date,
        discount_amount=Decimal(discount) if discount else None,
    )


def receipt(
    amount: str,
    *,
    receipt_id: int = 1,
    text: str = "",
    payer: str | None = None,
    account: str | None = None,
    method: Method = Method.ACH,
    paid_on: date = PAID,
    lines: tuple[RemittanceLine, ...] = (),
) -> Receipt:
    return Receipt(
        id=receipt_id,
        amount=Decimal(amount),
        currency="USD",
        value_date=paid_on,
        method=method,
        payer_name=payer,
        payer_account=account,
        remittance_text=text,
        remittance=lines,
    )


CUSTOMERS = (
    CustomerInfo(1, "Acme Corporation International Ltd"),
    CustomerInfo(2, "Globex Trading GmbH"),
    CustomerInfo(3, "Acme West Inc", parent_id=1),
    CustomerInfo(4, "Initech Supply LLC", aliases=("INITECH",)),
)


def context(*items: OpenItem) -> MatchContext:
    return MatchContext.build(items, CUSTOMERS)


def allocations(decision: object) -> dict[int, Decimal]:
    return {a.item_id: a.amount for a in decision.allocations}  # type: ignore[attr-defined]
