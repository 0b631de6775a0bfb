"""Billing documents: lines, totals, status, credit memos, numbers.

* ``DraftLine`` is a line as entered. Its ``amount`` is
  ``quantity × unit_price × (1 − discount_percent / 100)`` rounded half-up to
  the currency: the "line total" rounding boundary. ``compute_totals`` hands
  those amounts to ``owed.domain.billing.tax.compute_tax``.
* The status of an issued document follows from its total and its open
  amount (``status_for``). ``transition`` is the whole state machine::

      draft ──issue──▶ issued ──apply──▶ partially_paid ──apply──▶ paid
        │                │  ◀──unapply──      │   ◀──────unapply──────┘
        └──void──▶ voided ◀──void (nothing applied)

  "applied" means anything that reduced the open amount: receipts, credit
  memos, discounts taken, write-offs. A document with something applied
  cannot be voided: reverse the applications, or issue a credit memo.
* A credit memo linked to an invoice may not exceed the invoice's open
  amount (``check_credit_memo``). ``credit_memo_lines_for`` builds the lines
  of a partial credit: a fraction of every line, or an amount spread over
  the lines in proportion to their amounts, rounded so that the credit lines
  add up to exactly the target (``spread_rounded``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Final

from owed.domain.billing.rounding import spread_rounded
from owed.domain.billing.tax import (
    DocumentTotals,
    TaxableAmount,
    TaxCodes,
    TaxRounding,
    compute_tax,
)
from owed.domain.billing.terms import percent_text
from owed.domain.errors import InvalidInput, InvalidTransition, OverApplication, RuleViolation
from owed.domain.money import Money, to_decimal

__all__ = [
    "DocumentAction",
    "DocumentKind",
    "DocumentStatus",
    "DocumentTotals",
    "DraftLine",
    "check_credit_memo",
    "check_po",
    "compute_totals",
    "credit_memo_lines_for",
    "format_number",
    "status_for",
    "transition",
]

HUNDRED: Final = Decimal(100)


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_MEMO = "credit_memo"
    DEBIT_MEMO = "debit_memo"


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOIDED = "voided"


class DocumentAction(StrEnum):
    ISSUE = "issue"
    APPLY = "apply"  # a receipt, credit memo, discount or write-off was applied
    UNAPPLY = "unapply"  # an application was reversed (returned payment, undone match)
    VOID = "void"


@dataclass(frozen=True, slots=True)
class DraftLine:
    description: str
    quantity: Decimal
    unit_price: Money
    discount_percent: Decimal = Decimal(0)
    tax_code: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", to_decimal(self.quantity))
        object.__setattr__(self, "discount_percent", to_decimal(self.discount_percent))
        if not 0 <= self.discount_percent <= HUNDRED:
            raise InvalidInput(
                f"line {self.description!r}: discount {self.discount_percent} % "
                "must be between 0 and 100"
            )

    @property
    def amount(self) -> Money:
        """Quantity × unit price less the line discount, rounded half-up to the currency."""
        factor = self.quantity * (HUNDRED - self.discount_percent) / HUNDRED
        return (self.unit_price * factor).round()


def compute_totals(
    lines: Sequence[DraftLine],
    tax_codes: TaxCodes,
    *,
    prices_include_tax: bool,
    rounding: TaxRounding,
) -> DocumentTotals:
    """Per-line net/tax/gross, tax per code, and document totals (see ``tax.compute_tax``)."""
    return compute_tax(
        [TaxableAmount(line.amount, line.tax_code) for line in lines],
        tax_codes,
        prices_include_tax=prices_include_tax,
        rounding=rounding,
    )


# -- status ---------------------------------------------------------------------


def status_for(total: Money, open_amount: Money) -> DocumentStatus:
    """ISSUED when nothing is applied, PAID when nothing is open, else PARTIALLY_PAID.

    A zero-total document is PAID. An open amount below zero or above the
    total is refused (``OverApplication`` / ``RuleViolation``).
    """
    if open_amount.amount < 0:
        raise OverApplication("document", total, total - open_amount)
    if open_amount > total:
        raise RuleViolation(
            f"open amount {open_amount} exceeds the document total {total}",
            total=total,
            open_amount=open_amount,
        )
    if open_amount.is_zero():
        return DocumentStatus.PAID
    if open_amount == total:
        return DocumentStatus.ISSUED
    return DocumentStatus.PARTIALLY_PAID


_ALLOWED_FROM: Final = {
    DocumentAction.APPLY: frozenset({DocumentStatus.ISSUED, DocumentStatus.PARTIALLY_PAID}),
    DocumentAction.UNAPPLY: frozenset({DocumentStatus.PARTIALLY_PAID, DocumentStatus.PAID}),
}


def transition(
    status: DocumentStatus,
    action: DocumentAction,
    applied: Money,
    open: Money,
    *,
    kind: DocumentKind = DocumentKind.INVOICE,
    number: str = "(unnumbered)",
) -> DocumentStatus:
    """The status after ``action``; ``applied`` and ``open`` are the amounts after it.

    Raises ``InvalidTransition`` when the action is not allowed in ``status``.
    """

    def refuse(why: str) -> InvalidTransition:
        return InvalidTransition(kind.value.replace("_", " "), number, status.value, why)

    if action is DocumentAction.ISSUE:
        if status is not DocumentStatus.DRAFT:
            raise refuse("issue it: only a draft can be issued")
        return DocumentStatus.ISSUED
    if action is DocumentAction.VOID:
        if status is DocumentStatus.DRAFT or (
            status is DocumentStatus.ISSUED and applied.is_zero()
        ):
            return DocumentStatus.VOIDED
        raise refuse(
            f"void it: {applied} has been applied; reverse the applications "
            "or issue a credit memo instead"
            if not applied.is_zero()
            else "void it: only a draft or an issued document with nothing applied can be voided"
        )
    allowed = _ALLOWED_FROM[action]
    if status not in allowed:
        states = " or ".join(sorted(allowed))
        raise refuse(f"{action.value} an amount: only a document that is {states} can")
    return status_for(applied + open, open)


# -- credit memos ---------------------------------------------------------------


def check_credit_memo(credit: Money, invoice_open: Money, *, invoice: str = "invoice") -> None:
    """Refuse a credit memo that is not positive or exceeds the invoice's open amount."""
    if credit.amount <= 0:
        raise InvalidInput(f"credit memo amount {credit} for {invoice} must be positive")
    if credit > invoice_open:
        raise OverApplication(invoice, invoice_open, credit)


def credit_memo_lines_for(
    invoice_lines: Sequence[DraftLine], fraction_or_amount: Decimal | Money
) -> list[DraftLine]:
    """Lines crediting a fraction (0 < f ≤ 1) of every line, or an amount spread over them.

    Each credit line has quantity 1 and the credited amount as unit price,
    with the original tax code and account, so the credit memo's tax follows
    from the same codes. The target (fraction × sum of line amounts, rounded
    half-up; or the amount given) is spread in proportion to the line
    amounts with exact remainder handling. Lines whose share is zero are
    left out.
    """
    if not invoice_lines:
        raise InvalidInput("no invoice lines to credit")
    amounts = [line.amount for line in invoice_lines]
    whole = sum(amounts[1:], amounts[0])
    if whole.amount <= 0:
        raise InvalidInput(f"the invoice lines sum to {whole}: nothing to credit")
    ratio, label = _credit_ratio(fraction_or_amount, whole)
    target = (
        fraction_or_amount if isinstance(fraction_or_amount, Money) else (whole * ratio).round()
    )
    shares = spread_rounded(
        [amount.amount * ratio for amount in amounts], target.amount, whole.currency
    )
    return [
        replace(
            line,
            description=f"Credit {label} of: {line.description}",
            quantity=Decimal(1),
            unit_price=Money(share, whole.currency),
            discount_percent=Decimal(0),
        )
        for line, share in zip(invoice_lines, shares, strict=True)
        if share
    ]


def _credit_ratio(fraction_or_amount: Decimal | Money, whole: Money) -> tuple[Decimal, str]:
    if isinstance(fraction_or_amount, Money):
        amount = fraction_or_amount
        if amount.amount <= 0 or not amount.is_exact:
            raise InvalidInput(f"credit amount {amount!r} must be positive and exact")
        if amount > whole:
            raise OverApplication("the invoice lines", whole, amount)
        return amount / whole, f"{amount}"
    fraction = to_decimal(fraction_or_amount)
    if not 0 < fraction <= 1:
        raise InvalidInput(f"credit fraction {fraction} must be greater than 0 and at most 1")
    return fraction, f"{percent_text(fraction * HUNDRED)} %"


# -- purchase orders and numbers ------------------------------------------------


def check_po(customer_requires_po: bool, po_number: str | None) -> None:
    """Refuse a missing or blank PO number when the customer requires one."""
    if customer_requires_po and not (po_number or "").strip():
        raise RuleViolation(
            "this customer requires a purchase order (PO) number on every invoice; "
            "enter the PO number before issuing",
            rule="po_required",
        )


def format_number(prefix: str, n: int, width: int = 6) -> str:
    """``format_number("INV", 123)`` → ``"INV-000123"``; a prefix ending in -, /, _ or . is kept."""
    if n < 0:
        raise InvalidInput(f"document number {n} must not be negative")
    if width < 1:
        raise InvalidInput(f"number width {width} must be at least 1")
    separator = "" if not prefix or prefix[-1] in "-/_." else "-"
    return f"{prefix}{separator}{n:0{width}d}"
