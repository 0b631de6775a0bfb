"""What billing use cases read and return: documents, lines, settings.

``Document`` is an invoice, credit memo or debit memo as stored. Amounts are
``Money``; ``total`` is always positive and ``kind`` gives the side (a credit
memo reduces what the customer owes). ``open`` is what is still to be
settled; every change to it is also a dated row in ``settlements``.

``BillingSettings`` are the company's billing switches, kept in the
company's settings JSON under ``"billing"``: the tax rounding mode, whether
prices include tax, and the credit memo amount above which a second person
must approve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.billing.documents import DocumentKind, DocumentStatus, DraftLine
from owed.domain.billing.tax import TaxRounding
from owed.domain.errors import InvalidInput
from owed.domain.money import Money, to_decimal

SERIES_PREFIX: dict[DocumentKind, str] = {
    DocumentKind.INVOICE: "INV",
    DocumentKind.CREDIT_MEMO: "CM",
    DocumentKind.DEBIT_MEMO: "DM",
}
DRAFT_PREFIX = "DRAFT-"


@dataclass(frozen=True)
class LineInput:
    """A line as typed: exact decimal text or ``Decimal``; never a float."""

    description: str
    quantity: Decimal | str | int
    unit_price: Decimal | str | int
    discount_percent: Decimal | str | int = 0
    tax_code: str | None = None
    account: str | None = None

    def to_draft(self, currency: str, position: int) -> DraftLine:
        if not self.description.strip():
            raise InvalidInput(f"line {position}: a line needs a description")
        try:
            return DraftLine(
                self.description.strip(),
                to_decimal(self.quantity),
                Money(self.unit_price, currency),
                to_decimal(self.discount_percent),
                (self.tax_code or None),
                (self.account or None),
            )
        except InvalidInput as error:
            raise InvalidInput(f"line {position}: {error.message}") from None


@dataclass(frozen=True)
class StoredLine:
    line_no: int
    draft: DraftLine
    net: Money
    tax: Money


@dataclass(frozen=True)
class Document:
    id: int
    kind: DocumentKind
    number: str
    status: DocumentStatus
    customer_id: int
    customer_external_id: str
    issue_date: date
    due_date: date
    currency: str
    net: Money
    tax: Money
    total: Money
    open: Money
    discount_date: date | None = None
    discount: Money | None = None
    po_number: str | None = None
    terms: str | None = None
    rf_reference: str | None = None
    related_id: int | None = None
    source: str = "billing"
    details: Mapping[str, Any] = field(default_factory=dict)
    created_by: str = ""
    lines: tuple[StoredLine, ...] = ()

    @property
    def applied(self) -> Money:
        return self.total - self.open

    @property
    def is_draft(self) -> bool:
        return self.status is DocumentStatus.DRAFT

    @property
    def label(self) -> str:
        return f"{self.kind.value.replace('_', ' ')} {self.number}"

    def summary(self) -> dict[str, Any]:
        """The audit view of a document."""
        return {
            "number": self.number,
            "kind": self.kind.value,
            "status": self.status.value,
            "customer": self.customer_external_id,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "total": str(self.total),
            "open": str(self.open),
            "po_number": self.po_number,
        }


@dataclass(frozen=True)
class BillingSettings:
    tax_rounding: TaxRounding = TaxRounding.PER_LINE
    prices_include_tax: bool = False
    credit_approval_threshold: Decimal | None = Decimal(1000)  # None: never needs approval

    @classmethod
    def of(cls, settings: Mapping[str, Any]) -> BillingSettings:
        raw = settings.get("billing", {})
        threshold = raw.get("credit_approval_threshold", "1000")
        return cls(
            TaxRounding(raw.get("tax_rounding", TaxRounding.PER_LINE.value)),
            bool(raw.get("prices_include_tax", False)),
            None if threshold in (None, "") else to_decimal(threshold),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "tax_rounding": self.tax_rounding.value,
            "prices_include_tax": self.prices_include_tax,
            "credit_approval_threshold": (
                None
                if self.credit_approval_threshold is None
                else str(self.credit_approval_threshold)
            ),
        }
