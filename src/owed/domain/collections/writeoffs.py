"""Write-off approval and placement with a collection agency.

``ApprovalMatrix`` maps a role to the largest amount it may approve, in the
matrix's currency (the company's base currency). Defaults: clerk 0 (nothing),
specialist 250, lead 10,000, admin 100,000. A user with several roles gets the
highest of their limits; an amount above every limit cannot be approved.

``check_approval`` enforces two controls and raises on the first it finds:

* segregation of duties: the approver is never the requester, whatever
  their role (there is no self-approval, not even for an admin):
  ``SegregationOfDuties``;
* authority: the approver's limit must reach the amount: ``NotPermitted``.

``agency_export_rows`` turns items placed with an agency into flat rows
(strings only, dates ISO 8601, amounts exact) with the columns in
``AGENCY_COLUMNS``; disputed amounts are never placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from owed.domain.errors import InvalidInput, NotPermitted, SegregationOfDuties
from owed.domain.money import Currency, Money

DEFAULT_LIMITS: Mapping[str, Decimal] = {
    "clerk": Decimal(0),
    "specialist": Decimal(250),
    "lead": Decimal(10_000),
    "admin": Decimal(100_000),
}


@dataclass(frozen=True)
class ApprovalMatrix:
    currency: str = "USD"
    limits: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_LIMITS))

    def __post_init__(self) -> None:
        Currency.of(self.currency)
        for role, limit in self.limits.items():
            if not isinstance(limit, Decimal) or limit < 0:
                raise InvalidInput(f"approval limit for role {role!r} must be a Decimal >= 0")

    def limit_for(self, roles: Iterable[str]) -> Decimal | None:
        """The highest limit among the roles, or None when no role may approve at all."""
        known = [self.limits[r] for r in roles if r in self.limits]
        return max(known) if known else None


def _same_user(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def check_approval(
    matrix: ApprovalMatrix,
    requester: str,
    approver: str,
    roles_of_approver: Iterable[str],
    amount: Money,
) -> None:
    """Raise unless ``approver`` may approve a write-off of ``amount`` asked by ``requester``."""
    if amount.currency != Currency.of(matrix.currency):
        raise InvalidInput(
            f"write-off of {amount} must be converted to the approval currency "
            f"{matrix.currency} before approval"
        )
    if amount.amount <= 0:
        raise InvalidInput(f"a write-off amount must be positive, got {amount}")
    if _same_user(requester, approver):
        raise SegregationOfDuties(
            approver, f"approve a write-off of {amount}", "nobody approves their own write-off"
        )
    roles = list(roles_of_approver)
    limit = matrix.limit_for(roles)
    if limit is None or amount.amount > limit:
        shown = "no approval authority" if limit is None else f"limit {limit} {matrix.currency}"
        raise NotPermitted(
            approver,
            f"approve a write-off of {amount}",
            f"roles {sorted(roles)} give {shown}",
        )


AGENCY_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "tax_id",
    "address",
    "email",
    "phone",
    "document",
    "issue_date",
    "due_date",
    "days_past_due",
    "currency",
    "original_amount",
    "open_amount",
    "placed_amount",
    "last_payment_date",
    "last_dunning_level",
    "placed_on",
)


@dataclass(frozen=True)
class Debtor:
    customer_id: str
    name: str
    tax_id: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PlacedItem:
    customer_id: str
    document: str
    issue_date: date
    due_date: date
    original_amount: Money
    open_amount: Money
    disputed_amount: Money | None = None
    last_payment_date: date | None = None
    last_dunning_level: int = 0


@dataclass(frozen=True)
class AgencySkip:
    document: str
    reason: str


@dataclass(frozen=True)
class AgencyExport:
    rows: list[dict[str, str]]
    skipped: list[AgencySkip]


def agency_export_rows(
    debtors: Iterable[Debtor], items: Iterable[PlacedItem], placed_on: date
) -> AgencyExport:
    """Rows for the agency file: the undisputed open amount of each placed item."""
    by_id = {d.customer_id: d for d in debtors}
    rows: list[dict[str, str]] = []
    skipped: list[AgencySkip] = []
    for item in items:
        debtor = by_id.get(item.customer_id)
        if debtor is None:
            raise InvalidInput(
                f"placed item {item.document}: no debtor details for customer {item.customer_id}"
            )
        disputed = item.disputed_amount or Money.zero(item.open_amount.currency)
        placed = item.open_amount - disputed
        if item.open_amount.amount <= 0:
            skipped.append(AgencySkip(item.document, "nothing open"))
            continue
        if placed.amount <= 0:
            skipped.append(AgencySkip(item.document, "disputed in full"))
            continue
        rows.append(
            {
                "customer_id": debtor.customer_id,
                "customer_name": debtor.name,
                "tax_id": debtor.tax_id,
                "address": debtor.address,
                "email": debtor.email,
                "phone": debtor.phone,
                "document": item.document,
                "issue_date": item.issue_date.isoformat(),
                "due_date": item.due_date.isoformat(),
                "days_past_due": str((placed_on - item.due_date).days),
                "currency": item.open_amount.currency.code,
                "original_amount": str(item.original_amount.round().amount),
                "open_amount": str(item.open_amount.round().amount),
                "placed_amount": str(placed.round().amount),
                "last_payment_date": (
                    item.last_payment_date.isoformat() if item.last_payment_date else ""
                ),
                "last_dunning_level": str(item.last_dunning_level),
                "placed_on": placed_on.isoformat(),
            }
        )
    return AgencyExport(rows, skipped)
