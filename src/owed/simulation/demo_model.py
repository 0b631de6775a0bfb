"""The demo company as plain values: customers, invoices, receipts, history, truth.

Everything here is a frozen dataclass holding exact ``Decimal`` amounts (never
a float) and ``date``s; ``company.build_company`` makes them, the demo loads
them, and ``files`` writes them as the files an ERP or a bank would send.

Money conservation holds by construction and is checked by the tests:

* a receipt: ``amount == Σ allocation.amount + unapplied`` (cash only);
* an invoice: ``open_amount == amount - Σ cash - Σ discounts - Σ bank fees
  - Σ credit memos - Σ write-offs`` over the history dated before the bank
  activity of the last two business days (``DemoCompany.history_cutoff``).

A short payment leaves the short amount open on the invoice; a dispute names
it, and its resolution (credit memo, write-off, or rejection followed by a
later payment) closes it. ``DemoReceipt`` carries both faces of a payment:
what the bank reports (amount, dates, payer, references, remittance) and the
ground truth a careful clerk would post (owner, allocations, story tags).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from owed.domain.payments.statement import Method, RemittanceLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Behaviour:
    """How a customer pays; shares are probabilities (0-1), not money."""

    days_late_mean: int  # mean days paid after the due date (negative: early)
    days_late_spread: int  # standard deviation of those days
    short_pay_share: float  # invoices paid short without a dispute raised first
    dispute_share: float  # invoices disputed
    bad_reference_share: float  # receipts quoting invoice numbers badly or not at all
    multi_invoice_share: float  # chance to pay in weekly payment runs (several invoices)
    discount_share: float  # with discount terms: discounts taken
    late_discount_share: float  # of discounts taken: taken after the discount date
    habit: str = "normal"  # normal | chronic_late | stopped_paying | always_disputes
    stopped_on: date | None = None  # stopped_paying: nothing due after this date is paid


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str  # "C00042"
    name: str
    segment: str  # enterprise | mid-market | small
    risk_class: str  # low | medium | high
    currency: str
    payment_terms: str  # canonical PaymentTerms code: "NET 30", "2/10 NET 30", "EOM+15"
    credit_limit: Decimal
    email: str
    country: str  # ISO 3166-1 alpha-2
    tax_id: str  # valid for the country (python-stdnum), "" when none is generated
    collector: str  # username
    language: str  # en | de | fr
    po_required: bool
    parent_id: str | None  # the parent's external id
    pays_for_children: bool  # a group parent that pays its children's invoices
    payment_method: Method  # how it usually pays
    bank_account: str  # IBAN (EUR, GBP) or US account number
    behaviour: Behaviour


@dataclass(frozen=True)
class DemoInvoice:
    number: str  # INV-2025-004711
    customer_id: str
    issue_date: date
    due_date: date
    currency: str
    amount: Decimal
    open_amount: Decimal  # as of the history cutoff, before today's receipts
    po_number: str | None = None
    discount_date: date | None = None  # last day of the early-payment discount
    discount_amount: Decimal | None = None  # what the terms allow


@dataclass(frozen=True)
class Allocation:
    """Cash applied to one invoice, with the non-cash amounts closed beside it."""

    invoice_number: str
    amount: Decimal  # cash
    discount: Decimal = ZERO  # early-payment discount granted (also when taken late)
    bank_fee: Decimal = ZERO  # wire fee deducted by the banks, absorbed by us


@dataclass(frozen=True)
class DemoReceipt:
    """One incoming payment: the bank's view, then the ground truth."""

    id: str  # R000123
    amount: Decimal
    currency: str
    value_date: date
    reported_on: date  # the bank file (business day) that reports it
    method: Method
    payer_name: str | None  # as the bank reports it (abbreviated, cut, missing)
    payer_account: str | None  # IBAN / account number where the format carries one
    bank_reference: str  # the bank's own id: equal on a re-reported duplicate
    customer_reference: str | None  # EndToEndId, ACH trace or check number
    remittance_text: str
    remittance: tuple[RemittanceLine, ...] = ()
    batch_id: str | None = None  # entries the bank books as one batch (CAMT)
    # -- ground truth --
    customer_id: str | None = None  # whose money it is; None: belongs to no one
    payer_id: str | None = None  # who sent it (a parent paying for a child)
    allocations: tuple[Allocation, ...] = ()
    unapplied: Decimal = ZERO  # overpayment left on account
    duplicate_of: str | None = None  # the receipt this one repeats (apply nothing)
    story: tuple[str, ...] = ()  # tags: multi, short pay, late discount, wire fee...

    @property
    def applied(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)


@dataclass(frozen=True)
class DemoDispute:
    id: str  # D00012
    invoice_number: str
    customer_id: str
    reason: str  # owed.domain.disputes.ReasonCode value
    amount: Decimal  # disputed
    opened_on: date
    status: str  # open | investigating | resolved | rejected (as of today)
    resolution: str | None = None  # credit_memo | write_off (when resolved)
    closed_on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class DemoPromise:
    customer_id: str
    invoice_numbers: tuple[str, ...]
    amount: Decimal
    made_on: date
    promised_for: date
    status: str  # pending | kept | broken (as of today)
    collector: str


@dataclass(frozen=True)
class DemoWriteOff:
    invoice_number: str
    customer_id: str
    amount: Decimal
    on: date
    reason: str  # small_balance | bad_debt | dispute


@dataclass(frozen=True)
class DemoCompany:
    """The whole generated company, as of ``today``."""

    seed: int
    today: date
    name: str
    base_currency: str
    fx_to_base: dict[str, Decimal]  # one unit of currency in the base currency
    bank_accounts: dict[str, str]  # currency -> our account (US number or IBAN)
    collectors: tuple[str, ...]
    report_days: tuple[date, date]  # the last two business days before today
    customers: tuple[DemoCustomer, ...]
    invoices: tuple[DemoInvoice, ...]
    history_receipts: tuple[DemoReceipt, ...]
    todays_receipts: tuple[DemoReceipt, ...]
    disputes: tuple[DemoDispute, ...]
    promises: tuple[DemoPromise, ...]
    write_offs: tuple[DemoWriteOff, ...]

    @property
    def history_cutoff(self) -> date:
        """History is everything dated before this day (the first report day)."""
        return self.report_days[0]

    def open_invoices(self) -> list[DemoInvoice]:
        return [i for i in self.invoices if i.open_amount > 0]

    def to_base(self, amount: Decimal, currency: str) -> Decimal:
        """An amount in the base currency at the demo's fixed rates (rounded to cents)."""
        return (amount * self.fx_to_base[currency]).quantize(Decimal("0.01"))

    def open_ar_base(self) -> Decimal:
        """Total open AR in the base currency (the AR control account, converted)."""
        return sum((self.to_base(i.open_amount, i.currency) for i in self.open_invoices()), ZERO)

    def receipts_reported_on(self, day: date, currency: str) -> list[DemoReceipt]:
        """Today's receipts in one currency that the bank file for ``day`` reports."""
        return [r for r in self.todays_receipts if r.reported_on == day and r.currency == currency]
