"""Builders for document view models (test data, built in code)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from owed.adapters.documents import (
    AgingBucketView,
    CompanyHeader,
    InvoiceLineView,
    InvoiceView,
    LetterItemView,
    LetterView,
    Party,
    StatementLineView,
    StatementView,
    TaxSummaryView,
)
from owed.domain.money import Currency, Money

EUR = Currency.of("EUR")


def eur(amount: str | int) -> Money:
    return Money(amount, EUR)


def company(logo_path=None) -> CompanyHeader:
    return CompanyHeader(
        name="Northwind Components GmbH",
        address_lines=("Hafenstrasse 12", "20457 Hamburg", "Germany"),
        tax_id="VAT DE123456789",
        email="billing@northwind.example",
        phone="+49 40 1234 5678",
        bank_details=("IBAN DE89 3704 0044 0532 0130 00", "BIC COBADEFFXXX"),
        logo_path=logo_path,
    )


def customer() -> Party:
    return Party(
        "Contoso Retail Ltd",
        ("1 Market Street", "London EC2A 4BX"),
        tax_id="GB123456789",
        account="C-1007",
    )


def invoice_view(
    lines: int = 3, kind: str = "invoice", language: str = "en", number: str = "INV-2026-00042"
) -> InvoiceView:
    """An invoice whose totals add up: ``lines`` lines of 1,234.56 EUR, 19 % tax, 100 paid."""
    items = tuple(
        InvoiceLineView(
            description=f"Valve assembly item {i}",
            quantity=Decimal(2),
            unit_price=eur("617.28"),
            net=eur("1234.56"),
            discount_percent=Decimal(5) if i == 1 else None,
            tax_code="S19",
        )
        for i in range(1, lines + 1)
    )
    net = sum((line.net for line in items), eur(0))
    tax = (net * Decimal("0.19")).round()
    total = net + tax
    return InvoiceView(
        kind=kind,  # type: ignore[arg-type]
        number=number,
        issue_date=date(2026, 1, 15),
        due_date=date(2026, 2, 14),
        currency=EUR,
        bill_to=customer(),
        ship_to=Party("Contoso Warehouse", ("Dock Road 7", "Tilbury")),
        po_number="PO-88231",
        terms="Net 30 days",
        lines=items,
        tax_summary=(TaxSummaryView("S19", Decimal(19), net, tax),),
        net=net,
        tax=tax,
        total=total,
        amount_paid=eur(100),
        balance_due=total - eur(100),
        rf_reference="RF18539007547034",
        notes=("Goods remain our property until paid in full.",),
        language=language,
    )


def statement_view(kind: str = "activity", lines: int = 6) -> StatementView:
    opening = eur("1000.00")
    balance = opening
    rows = []
    for i in range(lines):
        day = date(2026, 1, 5) + timedelta(days=7 * i)
        if i % 2:
            amount = eur("400.00")
            balance = balance - amount
            rows.append(
                StatementLineView(day, f"RCPT-{i}", "Payment received", None, amount, balance)
            )
        else:
            amount = eur("750.25")
            balance = balance + amount
            rows.append(
                StatementLineView(
                    day, f"INV-{i}", "Invoice", amount, None, balance, day + timedelta(days=30)
                )
            )
    aging = (
        AgingBucketView("Current", balance - eur("300.00")),
        AgingBucketView("1-30", eur("200.00")),
        AgingBucketView("31-60", eur("100.00")),
        AgingBucketView("61-90", eur(0)),
        AgingBucketView("90+", eur(0)),
    )
    return StatementView(
        customer=customer(),
        as_of=date(2026, 3, 1),
        kind=kind,  # type: ignore[arg-type]
        currency=EUR,
        lines=tuple(rows),
        opening_balance=opening,
        closing_balance=balance,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 2, 28),
        aging=aging,
    )


def letter_view() -> LetterView:
    items = (
        LetterItemView("INV-2026-00012", date(2026, 1, 31), 29, eur("1530.25")),
        LetterItemView("INV-2026-00017", date(2026, 2, 5), 24, eur("980.00")),
    )
    return LetterView(
        customer=customer(),
        letter_date=date(2026, 3, 1),
        level_name="Final notice",
        body=("Dear Sir or Madam,", "Despite our reminders the invoices below remain unpaid."),
        items=items,
        total_due=eur("2510.25"),
        reference="DUN-3-0042",
        signature=("Kind regards,", "Accounts Receivable"),
    )
