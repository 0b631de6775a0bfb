"""Billing use cases: drafts, issuing, voiding, tax codes, settings.

A document is first a **draft** (number ``DRAFT-<id>``, lines stored,
nothing posted). **Issuing** it, in one transaction:

1. checks the state (``transition``), the PO rule (``check_po``) and, for a
   credit memo linked to an invoice, that it does not exceed the invoice's
   open amount (``check_credit_memo``);
2. computes the totals from the domain (``compute_totals``) with the
   company's tax rounding mode and price basis;
3. derives the due date, discount date and discount from the payment terms
   (the document's, else the customer's);
4. takes the next number of the kind's series (``number_series``, locked
   ``FOR UPDATE`` on PostgreSQL, so numbers are gap-free: a rolled-back
   issue gives its number back) and the RF creditor reference;
5. posts the entry (``billing_postings.issue_entry``) through
   ``post_entries``, which refuses a closed period;
6. for a credit memo on an invoice, settles both (settlement rows of kind
   ``credit_memo``, the application entry, the invoice's new status).

**Voiding** is allowed while nothing is applied: the issue entry is reversed
(dated the void date) and a ``void`` settlement takes the open amount to 0.
Credit memo requests and approvals are in ``billing_memos``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from owed.domain.auth import Permission
from owed.domain.billing.documents import (
    DocumentAction,
    DocumentKind,
    DocumentStatus,
    check_credit_memo,
    check_po,
    compute_totals,
    transition,
)
from owed.domain.billing.references import rf_reference
from owed.domain.billing.tax import TaxCode, TaxRounding
from owed.domain.billing.terms import PaymentTerms
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import reverse
from owed.domain.money import Money, to_decimal
from owed.services import billing_postings as postings
from owed.services.billing_model import (
    SERIES_PREFIX,
    BillingSettings,
    Document,
    LineInput,
)
from owed.services.ledger import post_entries
from owed.services.unit_of_work import UnitOfWork

# -- settings and tax codes -------------------------------------------------------


@dataclass(frozen=True)
class ConfigureBilling:
    tax_rounding: str | None = None
    prices_include_tax: bool | None = None
    credit_approval_threshold: str | None = None  # "" clears it: no approval needed


def billing_settings(uow: UnitOfWork) -> BillingSettings:
    return BillingSettings.of(uow.company.settings)


def configure_billing(cmd: ConfigureBilling, uow: UnitOfWork) -> BillingSettings:
    with uow:
        uow.require(Permission.CONFIGURE)
        before = billing_settings(uow)
        after = before
        if cmd.tax_rounding is not None:
            try:
                after = replace(after, tax_rounding=TaxRounding(cmd.tax_rounding))
            except ValueError:
                raise InvalidInput(
                    f"tax rounding {cmd.tax_rounding!r}: use per_line or per_document"
                ) from None
        if cmd.prices_include_tax is not None:
            after = replace(after, prices_include_tax=cmd.prices_include_tax)
        if cmd.credit_approval_threshold is not None:
            text = cmd.credit_approval_threshold.strip()
            after = replace(after, credit_approval_threshold=to_decimal(text) if text else None)
        settings = {**uow.company.settings, "billing": after.as_json()}
        uow.companies.update_settings(uow.company.id, settings)
        uow.audit(
            "billing.configure",
            "company",
            uow.company.code,
            before=before.as_json(),
            after=after.as_json(),
        )
        uow.commit()
        return after


@dataclass(frozen=True)
class AddTaxCode:
    code: str
    name: str
    rate: str  # percent, exact: "19", "7.5"
    account: str | None = None


def add_tax_code(cmd: AddTaxCode, uow: UnitOfWork) -> TaxCode:
    with uow:
        uow.require(Permission.CONFIGURE)
        tax = TaxCode(cmd.code.strip(), to_decimal(cmd.rate), cmd.name.strip())
        if cmd.account and not uow.ledger.account_exists(cmd.account):
            raise NotFound("account", cmd.account)
        uow.billing.add_tax_code(tax, cmd.account)
        uow.audit(
            "tax_code.add",
            "tax_code",
            tax.code,
            after={"rate": str(tax.rate), "name": tax.name, "account": cmd.account},
        )
        uow.commit()
        return tax


def list_tax_codes(uow: UnitOfWork) -> list[tuple[TaxCode, str | None]]:
    with uow:
        uow.require(Permission.READ)
        return list(uow.billing.tax_codes().values())


# -- drafts -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateDraft:
    customer: str  # external id
    lines: Sequence[LineInput]
    kind: DocumentKind = DocumentKind.INVOICE
    issue_date: date | None = None
    po_number: str | None = None
    terms: str | None = None  # overrides the customer's terms
    related: str | None = None  # the invoice a memo corrects (number)
    notes: str = ""


def add_draft(
    uow: UnitOfWork,
    cmd: CreateDraft,
    details: dict[str, Any] | None = None,
    source: str = "billing",
    source_key: str | None = None,
) -> Document:
    """Store a draft inside the caller's transaction (after its permission check)."""
    customer = uow.customers.get_by_external(cmd.customer)
    if customer is None:
        raise NotFound("customer", cmd.customer)
    if not cmd.lines:
        raise InvalidInput("a document needs at least one line")
    drafts = [line.to_draft(customer.currency, i) for i, line in enumerate(cmd.lines, start=1)]
    known = uow.billing.tax_codes()
    for i, line in enumerate(drafts, start=1):
        if line.tax_code is not None and line.tax_code not in known:
            raise NotFound(f"tax code (line {i})", line.tax_code)
        if line.account is not None and not uow.ledger.account_exists(line.account):
            raise NotFound(f"account (line {i})", line.account)
    terms = PaymentTerms.parse(cmd.terms).code if cmd.terms else None
    related_id = None
    if cmd.related:
        related = find_document(uow, cmd.related)
        if related.customer_id != customer.id:
            raise RuleViolation(f"{related.label} belongs to another customer")
        related_id = related.id
    issue_date = cmd.issue_date or uow.today()
    doc_id = uow.billing.add_draft(
        customer.id,
        cmd.kind,
        customer.currency,
        issue_date,
        cmd.po_number,
        terms,
        related_id,
        {**(details or {}), "notes": cmd.notes} if cmd.notes else details or {},
        source,
        source_key,
        uow.actor.username,
        uow.now(),
    )
    uow.billing.add_lines(doc_id, drafts)
    doc = uow.billing.get(doc_id)
    uow.audit("document.draft", "document", doc.number, after=doc.summary())
    return doc  # type: ignore[no-any-return]


def create_draft(cmd: CreateDraft, uow: UnitOfWork, *, issue: bool = False) -> Document:
    """Store a draft; with ``issue`` also issue it in the same transaction."""
    with uow:
        uow.require(Permission.BILL)
        doc = add_draft(uow, cmd)
        if issue:
            doc = issue_in(uow, doc)
        uow.commit()
        return doc


# -- issuing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueDocument:
    number: str  # "DRAFT-12"


def issue_document(cmd: IssueDocument, uow: UnitOfWork) -> Document:
    with uow:
        uow.require(Permission.BILL)
        doc = find_document(uow, cmd.number)
        if doc.kind is DocumentKind.CREDIT_MEMO and doc.details.get("approval_required"):
            raise RuleViolation(f"{doc.label} needs approval: use `owed memo approve`")
        doc = issue_in(uow, doc)
        uow.commit()
        return doc


def issue_in(uow: UnitOfWork, doc: Document) -> Document:
    """Issue a draft inside the caller's transaction; see the module docstring."""
    zero = Money.zero(doc.currency)
    status = transition(
        doc.status, DocumentAction.ISSUE, zero, zero, kind=doc.kind, number=doc.number
    )
    customer = uow.customers.get(doc.customer_id)
    settings = billing_settings(uow)
    codes = uow.billing.tax_codes()
    drafts = [line.draft for line in doc.lines]
    totals = compute_totals(
        drafts,
        [c for c, _ in codes.values()],
        prices_include_tax=settings.prices_include_tax,
        rounding=settings.tax_rounding,
    )
    if totals.gross.amount <= 0:
        raise InvalidInput(
            f"{doc.label}: the total {totals.gross} must be positive (the kind gives the side)"
        )
    invoice = None
    if doc.kind is DocumentKind.CREDIT_MEMO:
        if doc.related_id is not None:
            invoice = uow.billing.get(doc.related_id)
            check_credit_memo(totals.gross, invoice.open, invoice=invoice.label)
        due, discount_date, discount, terms = doc.issue_date, None, None, None
    else:
        check_po(customer.po_required, doc.po_number)
        parsed = PaymentTerms.parse(doc.terms or customer.payment_terms)
        terms = parsed.code
        due = parsed.due_date(doc.issue_date)
        discount_date = parsed.discount_date(doc.issue_date)
        discount = parsed.discount_amount(totals.gross) if discount_date else None
    number = uow.billing.next_number(doc.kind.value, SERIES_PREFIX[doc.kind])
    rf = rf_reference(number) if doc.kind is not DocumentKind.CREDIT_MEMO else None
    issued = replace(
        doc,
        number=number,
        status=status,
        due_date=due,
        net=totals.net,
        tax=totals.tax,
        total=totals.gross,
        open=totals.gross,
        discount_date=discount_date,
        discount=discount,
        terms=terms,
        rf_reference=rf,
    )
    entry = postings.issue_entry(
        uow,
        issued,
        totals,
        [d.account for d in drafts],
        {code: acct for code, (_, acct) in codes.items()},
    )
    post_entries(uow, [entry])
    uow.billing.save_issued(issued, [(ln.net, ln.tax) for ln in totals.lines])
    uow.audit("document.issue", "document", number, before=doc.summary(), after=issued.summary())
    if invoice is not None:
        issued = apply_credit_memo(uow, issued, invoice)
    return uow.billing.get(issued.id)  # type: ignore[no-any-return]


def apply_credit_memo(uow: UnitOfWork, memo: Document, invoice: Document) -> Document:
    """Settle ``invoice`` with the whole of ``memo``: settlements, entry, statuses."""
    amount = memo.open
    on = memo.issue_date
    invoice_open = invoice.open - amount
    invoice_status = transition(
        invoice.status,
        DocumentAction.APPLY,
        invoice.applied + amount,
        invoice_open,
        kind=invoice.kind,
        number=invoice.number,
    )
    (entry_id,) = post_entries(uow, [postings.application_entry(uow, memo, invoice, amount, on)])
    uow.billing.settle(
        invoice,
        invoice_open,
        invoice_status,
        on,
        "credit_memo",
        amount,
        "document",
        memo.id,
        entry_id,
        uow.actor.username,
        uow.now(),
    )
    uow.billing.settle(
        memo,
        Money.zero(memo.currency),
        DocumentStatus.PAID,
        on,
        "credit_memo",
        amount,
        "document",
        invoice.id,
        entry_id,
        uow.actor.username,
        uow.now(),
    )
    uow.audit(
        "document.apply_credit",
        "document",
        invoice.number,
        before={"open": str(invoice.open), "status": invoice.status.value},
        after={
            "open": str(invoice_open),
            "status": invoice_status.value,
            "credit_memo": memo.number,
        },
    )
    return memo


# -- voiding ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VoidDocument:
    number: str
    reason: str
    on: date | None = None


def void_document(cmd: VoidDocument, uow: UnitOfWork) -> Document:
    with uow:
        uow.require(Permission.BILL)
        if not cmd.reason.strip():
            raise InvalidInput("voiding a document needs a reason")
        doc = find_document(uow, cmd.number)
        status = transition(
            doc.status, DocumentAction.VOID, doc.applied, doc.open, kind=doc.kind, number=doc.number
        )
        on = cmd.on or uow.today()
        if not doc.is_draft:
            reversals = []
            for entry_id in uow.ledger.entries_for_source(postings.DOCUMENT, doc.id):
                original = uow.ledger.get_entry(entry_id)
                if original.reverses_id is None and uow.ledger.reversal_of(entry_id) is None:
                    reversals.append(reverse(original, on, f"Void of {doc.label}: {cmd.reason}"))
            ids = post_entries(uow, reversals)
            uow.billing.settle(
                doc,
                Money.zero(doc.currency),
                status,
                on,
                "void",
                doc.open,
                "document",
                doc.id,
                ids[0] if ids else None,
                uow.actor.username,
                uow.now(),
            )
        else:
            uow.billing.set_status(doc.id, status)
        after = uow.billing.get(doc.id)
        uow.audit(
            "document.void",
            "document",
            doc.number,
            before=doc.summary(),
            after={**after.summary(), "reason": cmd.reason},
        )
        uow.commit()
        return after  # type: ignore[no-any-return]


# -- reading ---------------------------------------------------------------------------


def find_document(uow: UnitOfWork, number: str) -> Document:
    doc = uow.billing.get_by_number(number.strip())
    if doc is None:
        raise NotFound("document", number)
    return doc  # type: ignore[no-any-return]


def get_document(uow: UnitOfWork, number: str) -> Document:
    with uow:
        uow.require(Permission.READ)
        return find_document(uow, number)


def list_documents(
    uow: UnitOfWork,
    customer: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> list[Document]:
    with uow:
        uow.require(Permission.READ)
        customer_id = None
        if customer:
            found = uow.customers.get_by_external(customer)
            if found is None:
                raise NotFound("customer", customer)
            customer_id = found.id
        return uow.billing.list_documents(customer_id, status, kind, limit)  # type: ignore[no-any-return]


def open_items_by_customer(uow: UnitOfWork) -> dict[tuple[int, str], Money]:
    """Σ open amounts per (customer id, currency); credit memos count negative."""
    with uow:
        uow.require(Permission.READ)
        return uow.billing.open_by_customer()  # type: ignore[no-any-return]


__all__ = [
    "AddTaxCode", "ConfigureBilling", "CreateDraft", "IssueDocument",
    "VoidDocument", "add_tax_code", "billing_settings", "configure_billing",
    "create_draft", "get_document", "issue_document", "list_documents", "void_document",
]  # fmt: skip
