"""Credit memos: requested by billing, approved by someone else above a threshold.

``request_credit_memo`` credits an issued invoice in full, by a fraction of
every line, or by an amount spread over the lines
(``credit_memo_lines_for``; the amount is in the invoice's price basis, i.e.
net of tax when prices exclude tax, and the memo's tax follows from the
lines' tax codes). The memo's total may not exceed the invoice's open
amount (``check_credit_memo``).

At or below the company's ``credit_approval_threshold`` (in the document's
currency) the memo is issued at once and settles the invoice. Above it the
memo stays a draft marked ``approval_required``; ``approve_credit_memo`` by a
user with ``APPROVE`` who is not the requester (``check_different_people``)
issues it. Nobody approves their own credit memo, whatever their roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from owed.domain.auth import Permission, check_different_people
from owed.domain.billing.documents import (
    DocumentKind,
    DocumentStatus,
    check_credit_memo,
    compute_totals,
    credit_memo_lines_for,
)
from owed.domain.errors import InvalidInput, RuleViolation
from owed.domain.money import Money, to_decimal
from owed.services.billing import CreateDraft, add_draft, billing_settings, find_document, issue_in
from owed.services.billing_model import Document, LineInput
from owed.services.unit_of_work import UnitOfWork

CREDITABLE = (DocumentStatus.ISSUED, DocumentStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class RequestCreditMemo:
    invoice: str  # number
    reason: str
    fraction: Decimal | str | None = None  # 0 < f <= 1; neither given: the full invoice
    amount: Decimal | str | None = None  # in the invoice's price basis
    issue_date: date | None = None


@dataclass(frozen=True)
class CreditMemoResult:
    memo: Document
    needs_approval: bool


def request_credit_memo(cmd: RequestCreditMemo, uow: UnitOfWork) -> CreditMemoResult:
    with uow:
        uow.require(Permission.BILL)
        if not cmd.reason.strip():
            raise InvalidInput("a credit memo needs a reason")
        if cmd.fraction is not None and cmd.amount is not None:
            raise InvalidInput("give a fraction or an amount to credit, not both")
        invoice = find_document(uow, cmd.invoice)
        if invoice.kind is DocumentKind.CREDIT_MEMO or invoice.status not in CREDITABLE:
            raise RuleViolation(
                f"{invoice.label} is {invoice.status.value}: only an issued "
                "invoice or debit memo with an open amount can be credited"
            )
        what: Decimal | Money = (
            Money(cmd.amount, invoice.currency)
            if cmd.amount is not None
            else to_decimal(cmd.fraction if cmd.fraction is not None else 1)
        )
        lines = credit_memo_lines_for([ln.draft for ln in invoice.lines], what)
        settings = billing_settings(uow)
        totals = compute_totals(
            lines,
            [c for c, _ in uow.billing.tax_codes().values()],
            prices_include_tax=settings.prices_include_tax,
            rounding=settings.tax_rounding,
        )
        check_credit_memo(totals.gross, invoice.open, invoice=invoice.label)
        threshold = settings.credit_approval_threshold
        needs_approval = threshold is not None and totals.gross.amount > threshold
        draft = add_draft(
            uow,
            CreateDraft(
                invoice.customer_external_id,
                [
                    LineInput(
                        ln.description,
                        ln.quantity,
                        ln.unit_price.amount,
                        ln.discount_percent,
                        ln.tax_code,
                        ln.account,
                    )
                    for ln in lines
                ],
                kind=DocumentKind.CREDIT_MEMO,
                issue_date=cmd.issue_date,
                related=invoice.number,
            ),
            details={
                "reason": cmd.reason.strip(),
                "approval_required": needs_approval,
                "requested_total": str(totals.gross),
            },
        )
        uow.audit(
            "credit_memo.request",
            "document",
            draft.number,
            after={
                "invoice": invoice.number,
                "total": str(totals.gross),
                "reason": cmd.reason,
                "needs_approval": needs_approval,
            },
        )
        memo = draft if needs_approval else issue_in(uow, draft)
        uow.commit()
        return CreditMemoResult(memo, needs_approval)


@dataclass(frozen=True)
class ApproveCreditMemo:
    number: str  # the draft's number, DRAFT-<id>


def approve_credit_memo(cmd: ApproveCreditMemo, uow: UnitOfWork) -> Document:
    with uow:
        uow.require(Permission.APPROVE)
        draft = find_document(uow, cmd.number)
        if (
            draft.kind is not DocumentKind.CREDIT_MEMO
            or not draft.is_draft
            or not draft.details.get("approval_required")
        ):
            raise RuleViolation(f"{draft.label} is not a credit memo awaiting approval")
        check_different_people(
            uow.actor,
            draft.created_by,
            "approve credit memos",
            "nobody approves their own credit memo",
        )
        details = {
            **draft.details,
            "approved_by": uow.actor.username,
            "approved_at": uow.now().isoformat(),
        }
        uow.billing.set_details(draft.id, details)
        uow.audit(
            "credit_memo.approve",
            "document",
            draft.number,
            before={"status": "awaiting approval", "requested_by": draft.created_by},
            after={"approved_by": uow.actor.username},
        )
        memo = issue_in(uow, uow.billing.get(draft.id))
        uow.commit()
        return memo
