"""View models for the printed documents: invoices, statements, dunning letters.

These are plain frozen dataclasses holding exactly what a page shows, already
computed: the renderers add no business logic (no tax, no totals, no aging).
The services build them from the domain; nothing here depends on services or
on the database, so a document can be rendered from a test, a demo or an
import preview alike.

Money is ``owed.domain.money.Money``; dates are ``datetime.date``; rates and
quantities are ``Decimal``. Percentages (discount, tax rate) are given as
percent: ``Decimal("19")`` means 19 %.

``__post_init__`` checks only what would make a page wrong or unreadable
(an unknown document kind, amounts in another currency than the document's).
It raises ``InvalidInput`` naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, TypeAlias

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money

Day: TypeAlias = date  # lets StatementLineView have a field called ``date``

InvoiceKind = Literal["invoice", "credit_memo", "debit_memo"]
StatementKind = Literal["open_item", "activity"]

INVOICE_KINDS: tuple[str, ...] = ("invoice", "credit_memo", "debit_memo")
STATEMENT_KINDS: tuple[str, ...] = ("open_item", "activity")


def _check_currency(currency: Currency, named: Iterable[tuple[str, Money | None]]) -> None:
    for name, amount in named:
        if amount is not None and amount.currency != currency:
            raise InvalidInput(
                f"{name} is in {amount.currency.code} but the document is in {currency.code}",
                field=name,
            )


@dataclass(frozen=True)
class CompanyHeader:
    """The issuing company as printed on every document."""

    name: str
    address_lines: tuple[str, ...] = ()
    tax_id: str | None = None
    email: str | None = None
    phone: str | None = None
    bank_details: tuple[str, ...] = ()  # remittance instructions, one line each
    logo_path: Path | None = None


@dataclass(frozen=True)
class Party:
    """A customer as addressed on a document (bill-to, ship-to, statement recipient)."""

    name: str
    address_lines: tuple[str, ...] = ()
    tax_id: str | None = None
    account: str | None = None  # customer number, printed as a reference


@dataclass(frozen=True)
class InvoiceLineView:
    description: str
    quantity: Decimal
    unit_price: Money
    net: Money
    discount_percent: Decimal | None = None
    tax_code: str = ""


@dataclass(frozen=True)
class TaxSummaryView:
    code: str
    rate_percent: Decimal
    base: Money
    tax: Money


@dataclass(frozen=True)
class InvoiceView:
    """An invoice, credit memo or debit memo, ready to print."""

    kind: InvoiceKind
    number: str
    issue_date: date
    currency: Currency
    bill_to: Party
    lines: tuple[InvoiceLineView, ...]
    net: Money
    tax: Money
    total: Money
    due_date: date | None = None
    ship_to: Party | None = None
    po_number: str | None = None
    terms: str = ""
    tax_summary: tuple[TaxSummaryView, ...] = ()
    amount_paid: Money | None = None
    balance_due: Money | None = None
    rf_reference: str | None = None
    notes: tuple[str, ...] = ()
    language: str = "en"
    original_invoice: str | None = None  # the invoice a credit/debit memo corrects

    def __post_init__(self) -> None:
        if self.kind not in INVOICE_KINDS:
            raise InvalidInput(
                f"invoice view {self.number}: kind {self.kind!r} is not one of {INVOICE_KINDS}",
                field="kind",
            )
        amounts: list[tuple[str, Money | None]] = [
            ("net", self.net),
            ("tax", self.tax),
            ("total", self.total),
            ("amount_paid", self.amount_paid),
            ("balance_due", self.balance_due),
        ]
        for i, line in enumerate(self.lines, start=1):
            amounts += [(f"line {i} unit_price", line.unit_price), (f"line {i} net", line.net)]
        for row in self.tax_summary:
            amounts += [(f"tax {row.code} base", row.base), (f"tax {row.code} tax", row.tax)]
        _check_currency(self.currency, amounts)

    @property
    def amount_due(self) -> Money:
        """What the customer is asked to pay: the balance due, else the total."""
        return self.balance_due if self.balance_due is not None else self.total


@dataclass(frozen=True)
class StatementLineView:
    date: Day
    document: str
    description: str
    debit: Money | None
    credit: Money | None
    balance: Money
    due_date: Day | None = None


@dataclass(frozen=True)
class AgingBucketView:
    label: str  # "Current", "1-30", ... as the caller's aging policy names them
    amount: Money


@dataclass(frozen=True)
class StatementView:
    """A statement of account: open items, or all activity over a period."""

    customer: Party
    as_of: date
    kind: StatementKind
    currency: Currency
    lines: tuple[StatementLineView, ...]
    opening_balance: Money
    closing_balance: Money
    period_start: date | None = None
    period_end: date | None = None
    aging: tuple[AgingBucketView, ...] = ()
    remittance: tuple[str, ...] = ()  # overrides the company's bank details when given
    language: str = "en"

    def __post_init__(self) -> None:
        if self.kind not in STATEMENT_KINDS:
            raise InvalidInput(
                f"statement view: kind {self.kind!r} is not one of {STATEMENT_KINDS}",
                field="kind",
            )
        amounts: list[tuple[str, Money | None]] = [
            ("opening_balance", self.opening_balance),
            ("closing_balance", self.closing_balance),
        ]
        for i, line in enumerate(self.lines, start=1):
            amounts += [
                (f"line {i} debit", line.debit),
                (f"line {i} credit", line.credit),
                (f"line {i} balance", line.balance),
            ]
        amounts += [(f"aging {b.label}", b.amount) for b in self.aging]
        _check_currency(self.currency, amounts)


@dataclass(frozen=True)
class LetterItemView:
    number: str
    due_date: date
    days_overdue: int
    open_amount: Money


@dataclass(frozen=True)
class LetterView:
    """A dunning letter: a level's wording plus the overdue items."""

    customer: Party
    letter_date: date
    level_name: str  # "Payment reminder", "Final notice", ...
    body: tuple[str, ...]  # paragraphs, plain text
    items: tuple[LetterItemView, ...]
    total_due: Money
    reference: str | None = None  # the letter's own number, if the caller keeps one
    language: str = "en"
    signature: tuple[str, ...] = field(default_factory=tuple)
    heading: str | None = None  # the letter's title in its language; default: the level name

    def __post_init__(self) -> None:
        _check_currency(
            self.total_due.currency,
            [(f"item {item.number} open_amount", item.open_amount) for item in self.items],
        )
