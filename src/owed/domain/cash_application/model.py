"""What cash application takes in and what it hands back.

Inputs are plain immutable values that the service layer builds from the
database: ``OpenItem`` (an invoice with a balance), ``CustomerInfo``,
``Receipt`` (one incoming payment with its remittance), ``Knowledge`` (what
earlier corrections taught) and ``MatchSettings`` (the policy).

The output is a ``Decision`` per receipt. Its money obeys the conservation law
(checked by ``conservation.check_conservation``)::

    receipt.amount == Σ allocation.amount              (cash applied to items)
                    + Σ cash adjustments               (customer_credit: overpayment kept)
                    + unapplied

Non-cash adjustments (``discount``, ``write_off``, ``deduction``,
``bank_fee``) close part of an item's balance beside the cash, so for each
item: Σ its allocations + Σ its non-cash adjustments <= its open amount.

A decision is either automatic (``auto=True``: post it as it stands) or not;
a decision that is not automatic carries no allocations or adjustments (the
whole receipt is ``unapplied``) and lists ranked ``suggestions`` for a person.
All amounts are exact ``Decimal`` in the receipt's currency; confidences are
plain floats between 0 and 1 (they are scores, not money).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from owed.domain.payments.statement import Method, RemittanceLine, StatementLine

# -- inputs ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An invoice (or debit memo) with an open balance, as matching sees it."""

    id: int
    customer_id: int
    number: str
    currency: str
    open_amount: Decimal
    original_amount: Decimal
    issue_date: date
    due_date: date
    po_number: str | None = None
    rf_reference: str | None = None
    discount_date: date | None = None  # last day the early-payment discount may be taken
    discount_amount: Decimal | None = None  # discount the terms allow on the open amount


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """A customer's identity for matching: names, parent, external id."""

    id: int
    name: str
    parent_id: int | None = None
    external_id: str | None = None
    aliases: tuple[str, ...] = ()  # trade names, "doing business as", old names


@dataclass(frozen=True, slots=True)
class Receipt:
    """One incoming payment to apply."""

    id: int
    amount: Decimal
    currency: str
    value_date: date
    method: Method = Method.OTHER
    payer_name: str | None = None
    payer_account: str | None = None
    remittance_text: str = ""
    remittance: tuple[RemittanceLine, ...] = ()
    bank_reference: str | None = None

    @classmethod
    def from_statement_line(cls, receipt_id: int, line: StatementLine) -> Receipt:
        """The receipt for a credit line of a parsed bank file."""
        when = line.value_date or line.booking_date
        if when is None:
            raise ValueError(f"statement line {line.source_position} has no date")
        return cls(
            id=receipt_id,
            amount=line.amount,
            currency=line.currency,
            value_date=when,
            method=line.method,
            payer_name=line.payer_name,
            payer_account=line.payer_account,
            remittance_text=line.remittance_text,
            remittance=line.remittance,
            bank_reference=line.bank_reference,
        )


@dataclass(frozen=True, slots=True)
class ReferencePattern:
    """How one customer writes our invoice numbers.

    A payer who always quotes ``V10233`` + the invoice digits (``V10233012345``
    for ``INV-012345``) has the pattern ``prefix="V10233", suffix=""``: the
    middle of a quoted token wrapped in prefix and suffix is an invoice number.
    """

    prefix: str
    suffix: str = ""

    def extract(self, token: str) -> str | None:
        """The invoice digits inside ``token`` (normalized), or None."""
        inner_len = len(token) - len(self.prefix) - len(self.suffix)
        if inner_len < 1 or not token.startswith(self.prefix) or not token.endswith(self.suffix):
            return None
        inner = token[len(self.prefix) : len(token) - len(self.suffix)]
        return inner if inner.isdigit() else None


def _frozen(mapping: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Knowledge:
    """What corrections taught: who pays from where, under which name, quoting what.

    ``accounts`` and ``payer_names`` are keyed by their normalized forms
    (``learning.normalize_account`` / ``names.canonical_name``).
    """

    accounts: Mapping[str, int] = field(default_factory=lambda: _frozen(None))
    payer_names: Mapping[str, int] = field(default_factory=lambda: _frozen(None))
    patterns: Mapping[int, tuple[ReferencePattern, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """The cash application policy. Amounts are in the receipt's currency."""

    auto_apply_threshold: float = 0.90  # confidence at or above which a decision posts itself
    suggestion_floor: float = 0.50  # proposals below this are not shown
    write_off_max: Decimal = Decimal("5.00")  # short pay written off up to this amount ...
    write_off_max_percent: Decimal = Decimal("0.5")  # ... and this % of the items' balance
    deduction_max_percent: Decimal = Decimal("50")  # a larger shortfall is a partial payment
    bank_fee_max: Decimal = Decimal("50.00")  # a wire short by at most this lost a bank fee
    credit_max_percent: Decimal = Decimal("2")  # larger unexplained excess goes to review
    discount_grace_days: int = 3  # discount still granted this many days after its date
    combination_max_items: int = 5  # invoices in one amount-only combination
    combination_candidates: int = 50  # the customer's oldest open items searched
    combination_max_nodes: int = 20_000  # search steps per receipt (deterministic bound)
    combination_time_budget_ms: float = 50.0  # wall-time bound, used when a ticker is given
    name_min_score: float = 0.88  # payer-name similarity needed to name a customer
    duplicate_window_days: int = 7  # an identical receipt this close to another is a duplicate
    due_window_days: int = 15  # a payment this close to an invoice's due date is "on time" for it
    # a payment naming none of a customer's invoices of the same amount settles the one due
    # first (the legal default for an undirected payment); False: a person chooses
    oldest_first: bool = True

    def write_off_tolerance(self, balance: Decimal) -> Decimal:
        """The largest short pay written off on items with this balance."""
        by_percent = balance * self.write_off_max_percent / Decimal(100)
        return min(self.write_off_max, by_percent)


# -- outputs ---------------------------------------------------------------


class AdjustmentKind(StrEnum):
    DISCOUNT = "discount"  # early-payment discount granted (non-cash, closes the item)
    WRITE_OFF = "write_off"  # short pay within tolerance (non-cash)
    DEDUCTION = "deduction"  # short pay beyond tolerance: a deduction is opened (non-cash)
    BANK_FEE = "bank_fee"  # wire fee taken by the banks (non-cash)
    CUSTOMER_CREDIT = "customer_credit"  # overpayment kept as credit on account (cash)

    @property
    def is_cash(self) -> bool:
        """True when the adjustment holds part of the receipt's cash."""
        return self is AdjustmentKind.CUSTOMER_CREDIT


@dataclass(frozen=True, slots=True)
class Allocation:
    """Cash from the receipt applied to one open item."""

    item_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A difference explained: what kind, how much, on which item, and why."""

    kind: AdjustmentKind
    amount: Decimal
    item_id: int | None = None  # None only for customer_credit
    reason_code: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Proposal:
    """One way to apply a receipt, with how sure we are and why."""

    customer_id: int | None
    allocations: tuple[Allocation, ...]
    adjustments: tuple[Adjustment, ...]
    confidence: float
    rule: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one receipt. See the module docstring for the law it obeys."""

    receipt_id: int
    customer_id: int | None
    allocations: tuple[Allocation, ...]
    adjustments: tuple[Adjustment, ...]
    unapplied: Decimal
    confidence: float
    rule: str
    explanation: str
    auto: bool
    suggestions: tuple[Proposal, ...] = ()
    duplicate_of: int | None = None  # an identical receipt seen before: likely paid twice

    @property
    def applied(self) -> Decimal:
        """Cash applied to items."""
        return sum((a.amount for a in self.allocations), Decimal(0))
