"""Disputes and deductions: open, work, resolve; and their metrics.

A dispute holds an amount of one invoice out of collections. It comes from

* a person (``open_dispute``, source ``manual``): the amount stays in the
  invoice's open amount, collections leaves it alone while the dispute is open;
* cash application (``open_deduction_disputes``, source ``deduction``): a
  short pay beyond tolerance already moved the amount from AR to the
  deductions clearing account (Dr deductions clearing / Cr AR); the dispute
  decides where it goes from there. The payer's reason code is mapped to ours
  (``owed.domain.disputes.deductions``).

Statuses follow the domain machine (open → investigating → resolved or
rejected). Resolutions and their postings (docs/ledger.md):

* credit_memo: a billing credit memo for the disputed amount. Invoice
  dispute: Dr revenue / Cr AR, applied to the invoice. Deduction: the memo is
  issued (Dr revenue / Cr AR on the memo) and settled against the clearing
  account (Dr AR memo / Cr deductions clearing), net Dr revenue / Cr
  deductions clearing.
* rebill: deduction only (the deduction is not accepted): the item re-opens,
  Dr AR (invoice) / Cr deductions clearing, settlement row of −amount. An
  invoice dispute has nothing outside AR to rebill: reject it.
* write_off: a write-off request (``services.writeoffs``); when approved,
  Dr bad debt / Cr AR (invoice dispute) or Cr deductions clearing (deduction).
* reject: back to collections. Invoice dispute: dunnable again, no posting.
  Deduction: posted as rebill (the item re-opens), status rejected.

A credit memo above the billing ``credit_approval_threshold`` needs a
resolver with ``APPROVE`` who did not open the dispute (the resolution is the
approval). A write-off that waits for approval leaves the dispute open with
``pending_write_off`` in its details; approving it resolves the dispute.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from owed.domain.auth import Permission, check_different_people
from owed.domain.billing.documents import DocumentKind, DocumentStatus, credit_memo_lines_for
from owed.domain.disputes.deductions import reason_for_deduction
from owed.domain.disputes.model import (
    Dispute,
    DisputeAction,
    DisputeMetrics,
    DisputeStatus,
    ReasonCode,
    Resolution,
    SlaPolicy,
    dispute_metrics,
    sla_due_date,
)
from owed.domain.errors import (
    ConfigurationError,
    InvalidInput,
    NotFound,
    OverApplication,
    RuleViolation,
)
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money, to_decimal
from owed.services.billing import CreateDraft, add_draft, billing_settings, find_document, issue_in
from owed.services.billing_model import Document, LineInput
from owed.services.delivery import BlobStore
from owed.services.dispute_states import check_transition, load_dispute, move_dispute
from owed.services.ledger import account, post_entries
from owed.services.unit_of_work import UnitOfWork
from owed.services.writeoffs import RequestWriteOff, request_write_off_in

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def sla_policy(uow: UnitOfWork) -> SlaPolicy:
    """Company setting ``disputes``: ``{"sla_days": 7, "business_days": false}``."""
    raw = uow.company.settings.get("disputes") or {}
    days = raw.get("sla_days", 7)
    if not isinstance(days, int) or days < 0:
        raise ConfigurationError(f"disputes.sla_days must be a whole number >= 0, got {days!r}")
    return SlaPolicy(days, bool(raw.get("business_days", False)))


def parse_reason(text: str) -> ReasonCode:
    try:
        return ReasonCode(text.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in ReasonCode)
        raise InvalidInput(f"unknown reason {text!r}; reasons are: {valid}") from None


# -- opening ---------------------------------------------------------------------
@dataclass(frozen=True)
class OpenDispute:
    invoice: str
    reason: str
    amount: Decimal | str | None = None  # None: all that is open and not yet disputed
    note: str = ""
    owner: str | None = None


def open_dispute(cmd: OpenDispute, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.MANAGE_DISPUTES)
        reason = parse_reason(cmd.reason)
        doc = uow.cash.document_by_number(cmd.invoice.strip())
        if doc is None:
            raise NotFound("invoice", cmd.invoice)
        if doc["kind"] not in ("invoice", "debit_memo"):
            raise RuleViolation(f"{doc['number']} is a {doc['kind']}: disputes are on invoices")
        cur = Currency.of(doc["currency"])
        disputed = sum(d["amount_minor"] for d in uow.disputes.open_on_document(doc["id"])
                       if d["source"] == "manual")  # fmt: skip
        free = int(doc["open_minor"]) - disputed
        minor = cur.to_minor(to_decimal(cmd.amount)) if cmd.amount is not None else free
        if minor <= 0:
            raise RuleViolation(f"{doc['number']} has nothing open that is not already disputed")
        if minor > free:
            raise OverApplication(doc["number"], Money.from_minor(free, cur),
                                  Money.from_minor(minor, cur))  # fmt: skip
        owner = _check_owner(uow, cmd.owner)
        today = uow.today()
        dispute_id = uow.disputes.add(
            document_id=doc["id"], customer_id=doc["customer_id"], amount_minor=minor,
            currency=cur.code, reason=reason.value, status=DisputeStatus.OPEN.value,
            owner=owner, opened_by=uow.actor.username, opened_at=uow.now(), opened_on=today,
            sla_due=sla_due_date(today, sla_policy(uow)), source="manual", details={},
        )  # fmt: skip
        if cmd.note.strip():
            uow.disputes.add_note(dispute_id, cmd.note.strip(), uow.actor.username, uow.now())
        uow.audit("dispute.open", "dispute", dispute_id,
                  after={"document": doc["number"], "amount": str(Money.from_minor(minor, cur)),
                         "reason": reason.value, "owner": owner, "source": "manual"})  # fmt: skip
        uow.commit()
        return int(dispute_id)


def _check_owner(uow: UnitOfWork, owner: str | None) -> str | None:
    if owner is None:
        return None
    if uow.users.get(owner) is None:
        raise NotFound("user", owner)
    return owner


def open_deduction_disputes(uow: UnitOfWork, document_ids: Collection[int] | None = None) -> int:
    """Open a deduction dispute for every active application with a deduction and none yet.

    Runs inside the caller's transaction (cash application calls it before it
    commits each batch); returns how many were opened. ``document_ids``: look
    only at applications on these documents (a matching batch passes the
    documents it took a deduction on, so the query does not grow with the
    company's history; an empty collection reads nothing). The rows and their
    ``dispute.open`` audit records are written in bulk (one insert, sealed with
    the batch's commit).
    """
    if document_ids is not None and not document_ids:
        return 0
    rows = uow.disputes.unmatched_deductions(None if document_ids is None else sorted(document_ids))
    if not rows:
        return 0
    today, now = uow.today(), uow.now()
    due = sla_due_date(today, sla_policy(uow))
    new = []
    for r in rows:
        reason = reason_for_deduction(r["reason_code"])
        new.append({
            "document_id": r["document_id"], "customer_id": r["document_customer_id"],
            "amount_minor": r["deduction_minor"], "currency": r["currency"],
            "reason": reason.value, "status": DisputeStatus.OPEN.value, "owner": r["collector"],
            "opened_by": uow.actor.username, "opened_at": now, "opened_on": today,
            "sla_due": due, "source": "deduction", "application_id": r["id"],
            "details": {"remittance_reason": r["reason_code"], "receipt_id": r["receipt_id"]},
        })  # fmt: skip
        uow.audit("dispute.open", "application", r["id"],
                  after={"source": "deduction", "document_id": r["document_id"],
                         "amount_minor": r["deduction_minor"], "reason": reason.value,
                         "remittance_reason": r["reason_code"]})  # fmt: skip
    uow.disputes.add_many(new)
    return len(new)


# -- working ---------------------------------------------------------------------
@dataclass(frozen=True)
class InvestigateDispute:
    dispute_id: int
    owner: str | None = None
    note: str = ""


def investigate_dispute(cmd: InvestigateDispute, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.MANAGE_DISPUTES)
        dispute = load_dispute(uow, cmd.dispute_id)
        owner = _check_owner(uow, cmd.owner) or dispute["owner"] or uow.actor.username
        move_dispute(uow, dispute, DisputeAction.INVESTIGATE, note=cmd.note)
        uow.disputes.update(dispute["id"], DisputeStatus.INVESTIGATING.value, owner=owner)
        uow.commit()


@dataclass(frozen=True)
class AddDisputeNote:
    dispute_id: int
    body: str


def add_dispute_note(cmd: AddDisputeNote, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.MANAGE_DISPUTES)
        if not cmd.body.strip():
            raise InvalidInput("a note needs some text")
        load_dispute(uow, cmd.dispute_id)
        uow.disputes.add_note(cmd.dispute_id, cmd.body.strip(), uow.actor.username, uow.now())
        uow.audit("dispute.note", "dispute", cmd.dispute_id, after={"note": cmd.body.strip()})
        uow.commit()


@dataclass(frozen=True)
class AttachToDispute:
    dispute_id: int
    filename: str
    content: bytes
    content_type: str | None = None


def attach_to_dispute(cmd: AttachToDispute, uow: UnitOfWork, store: BlobStore) -> str:
    """Store the file content-addressed (the billing attachment store); returns its sha256."""
    with uow:
        uow.require(Permission.MANAGE_DISPUTES)
        load_dispute(uow, cmd.dispute_id)
        name = PurePath(cmd.filename).name
        if not name or not cmd.content:
            raise InvalidInput(f"{cmd.filename!r}: an attachment needs a name and content")
        if len(cmd.content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(f"{name} is {len(cmd.content)} bytes; the limit is "
                               f"{MAX_ATTACHMENT_BYTES}")  # fmt: skip
        sha = store.put(cmd.content)
        if any(a["sha256"] == sha for a in uow.disputes.attachments_of(cmd.dispute_id)):
            raise RuleViolation(f"dispute {cmd.dispute_id} already has this file ({sha[:12]}...)")
        kind = cmd.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        info = {"sha256": sha, "filename": name, "content_type": kind,
                "size_bytes": len(cmd.content)}  # fmt: skip
        uow.disputes.add_attachment(cmd.dispute_id, info, uow.actor.username, uow.now())
        uow.audit("dispute.attach", "dispute", cmd.dispute_id, after=info)
        uow.commit()
        return sha


# -- resolving -------------------------------------------------------------------
RESOLVE_BY = ("credit_memo", "rebill", "write_off", "reject")


@dataclass(frozen=True)
class ResolveDispute:
    dispute_id: int
    by: str  # one of RESOLVE_BY
    note: str = ""


@dataclass(frozen=True)
class Resolved:
    dispute_id: int
    status: str
    reference: str | None = None  # the credit memo, or write-off id
    pending: str | None = None  # what still has to happen (write-off approval)


def resolve_dispute(cmd: ResolveDispute, uow: UnitOfWork) -> Resolved:
    with uow:
        uow.require(Permission.MANAGE_DISPUTES)
        dispute = load_dispute(uow, cmd.dispute_id)
        if cmd.by not in RESOLVE_BY:
            raise InvalidInput(f"resolve by one of {', '.join(RESOLVE_BY)}, not {cmd.by!r}")
        if dispute["details"].get("pending_write_off"):
            raise RuleViolation(
                f"dispute {dispute['id']} waits for write-off "
                f"{dispute['details']['pending_write_off']} to be decided"
            )
        deduction = dispute["source"] == "deduction"
        if cmd.by == "credit_memo":
            check_transition(dispute, DisputeAction.RESOLVE_CREDIT_MEMO)
            memo = _resolve_by_credit_memo(uow, dispute, deduction)
            move_dispute(uow, dispute, DisputeAction.RESOLVE_CREDIT_MEMO, ref=memo.id,
                         note=cmd.note)  # fmt: skip
            result = Resolved(dispute["id"], "resolved", memo.number)
        elif cmd.by == "write_off":
            result = _resolve_by_write_off(uow, dispute, cmd.note)
        else:
            action = DisputeAction.RESOLVE_REBILL if cmd.by == "rebill" else DisputeAction.REJECT
            check_transition(dispute, action)
            if deduction:
                _reopen_deduction(uow, dispute)
            elif action is DisputeAction.RESOLVE_REBILL:
                raise RuleViolation(
                    f"dispute {dispute['id']} is on an open invoice: nothing "
                    "left AR to rebill; reject it to send it back to collections"
                )
            move_dispute(uow, dispute, action, note=cmd.note)
            status = "resolved" if action is DisputeAction.RESOLVE_REBILL else "rejected"
            result = Resolved(dispute["id"], status, dispute["document_number"])
        uow.commit()
        return result


def _resolve_by_credit_memo(uow: UnitOfWork, dispute: dict[str, Any], deduction: bool) -> Document:
    invoice = find_document(uow, dispute["document_number"])
    amount = Money.from_minor(dispute["amount_minor"], dispute["currency"])
    lines = _credit_lines(invoice, amount)
    settings = billing_settings(uow)
    threshold = settings.credit_approval_threshold
    approved_by = None
    if threshold is not None and amount.amount > threshold:
        uow.require(Permission.APPROVE)
        check_different_people(uow.actor, dispute["opened_by"], "approve credit memos",
                               "nobody approves a credit for the dispute they opened")  # fmt: skip
        approved_by = uow.actor.username
    draft = add_draft(
        uow,
        CreateDraft(invoice.customer_external_id, lines, kind=DocumentKind.CREDIT_MEMO,
                    related=None if deduction else invoice.number),
        details={"reason": f"dispute {dispute['id']}: {dispute['reason']}",
                 "dispute": dispute["id"], "invoice": invoice.number,
                 "approval_required": approved_by is not None, "approved_by": approved_by},
    )  # fmt: skip
    memo = issue_in(uow, draft)
    if memo.total != amount:
        raise RuleViolation(
            f"the credit memo for dispute {dispute['id']} comes to {memo.total} "
            f"(tax rounding), not {amount}: resolve it by write-off instead"
        )
    if deduction:
        _clear_deduction_with_memo(uow, dispute, memo)
    return memo


def _credit_lines(invoice: Document, amount: Money) -> list[LineInput]:
    """Credit lines for ``amount`` (gross): spread over the invoice lines, or one line."""
    if not invoice.lines:
        return [LineInput(f"Credit on {invoice.number}", 1, amount.amount)]
    drafts = [ln.draft for ln in invoice.lines]
    what: Decimal | Money = (
        amount if invoice.tax.is_zero() else amount.amount / invoice.total.amount
    )
    return [LineInput(ln.description, ln.quantity, ln.unit_price.amount, ln.discount_percent,
                      ln.tax_code, ln.account)
            for ln in credit_memo_lines_for(drafts, what)]  # fmt: skip


def _clear_deduction_with_memo(uow: UnitOfWork, dispute: dict[str, Any], memo: Document) -> None:
    """Dr AR (memo) / Cr deductions clearing: the memo pays for the deduction."""
    on = uow.today()
    ar, clearing = (
        account(uow, SystemAccount.AR_CONTROL),
        account(uow, SystemAccount.DEDUCTIONS_CLEARING),
    )
    (entry_id,) = post_entries(uow, [JournalEntry(
        on, f"Credit memo {memo.number} clears deduction dispute {dispute['id']}",
        (
            JournalLine(ar, memo.total, customer_id=memo.customer_id, document_type="document",
                        document_id=memo.id, memo=memo.number),
            JournalLine(clearing, -memo.total, customer_id=dispute["customer_id"],
                        document_type="document", document_id=dispute["document_id"]),
        ),
        source_type="dispute", source_id=dispute["id"],
    )])  # fmt: skip
    uow.billing.settle(memo, Money.zero(memo.currency), DocumentStatus.PAID, on, "deduction",
                       memo.total, "dispute", dispute["id"], entry_id, uow.actor.username,
                       uow.now())  # fmt: skip


def _reopen_deduction(uow: UnitOfWork, dispute: dict[str, Any]) -> None:
    """The deduction is not accepted: Dr AR (invoice) / Cr deductions clearing; item re-opens."""
    on = uow.today()
    cur = Currency.of(dispute["currency"])
    amount = Money.from_minor(dispute["amount_minor"], cur)
    ref = {"customer_id": dispute["customer_id"], "document_type": "document",
           "document_id": dispute["document_id"]}  # fmt: skip
    (entry_id,) = post_entries(uow, [JournalEntry(
        on, f"Deduction dispute {dispute['id']} not accepted: "
            f"{dispute['document_number']} re-opened",
        (JournalLine(account(uow, SystemAccount.AR_CONTROL), amount, **ref),
         JournalLine(account(uow, SystemAccount.DEDUCTIONS_CLEARING), -amount, **ref)),
        source_type="dispute", source_id=dispute["id"],
    )])  # fmt: skip
    uow.cash.reduce_open(dispute["document_id"], -amount.to_minor(), cur.code,
                         dispute["document_number"])  # fmt: skip
    uow.cash.add_settlements([{
        "document_id": dispute["document_id"], "on_date": on, "kind": "deduction",
        "amount_minor": -amount.to_minor(), "source_type": "dispute",
        "source_id": dispute["id"], "entry_id": entry_id,
        "created_by": uow.actor.username, "created_at": uow.now(),
    }])  # fmt: skip


def _resolve_by_write_off(uow: UnitOfWork, dispute: dict[str, Any], note: str) -> Resolved:
    uow.require(Permission.REQUEST_WRITE_OFF)
    check_transition(dispute, DisputeAction.RESOLVE_WRITE_OFF)
    reason = note.strip() or f"dispute {dispute['id']} ({dispute['reason']})"
    result = request_write_off_in(
        uow, RequestWriteOff(dispute["document_number"], None, reason, dispute["id"])
    )
    if result.status == "approved":  # auto-approved: the dispute was resolved with it
        return Resolved(dispute["id"], "resolved", f"write-off {result.write_off_id}")
    details = {**dispute["details"], "pending_write_off": result.write_off_id}
    uow.disputes.update(dispute["id"], dispute["status"], details=details)
    uow.audit(
        "dispute.write_off_requested",
        "dispute",
        dispute["id"],
        after={"write_off": result.write_off_id, "amount": str(result.amount)},
    )
    return Resolved(dispute["id"], dispute["status"], f"write-off {result.write_off_id}",
                    pending=f"write-off {result.write_off_id} awaits approval")  # fmt: skip


# -- reading ---------------------------------------------------------------------
def list_disputes(uow: UnitOfWork, status: str | None = None,
                  reason: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    with uow:
        uow.require(Permission.READ)
        if status and status != "active" and status not in {s.value for s in DisputeStatus}:
            _bad_status(status)
        code = parse_reason(reason).value if reason else None
        return uow.disputes.search(status, code)  # type: ignore[no-any-return]


def _bad_status(status: str) -> None:
    valid = ", ".join(["active", *(s.value for s in DisputeStatus)])
    raise InvalidInput(f"unknown status {status!r}; statuses are: {valid}")


@dataclass(frozen=True)
class DisputeView:
    dispute: dict[str, Any]
    notes: list[dict[str, Any]]
    attachments: list[dict[str, Any]]


def get_dispute(uow: UnitOfWork, dispute_id: int) -> DisputeView:
    with uow:
        uow.require(Permission.READ)
        row = load_dispute(uow, dispute_id)
        return DisputeView(row, uow.disputes.notes_of(dispute_id),
                           uow.disputes.attachments_of(dispute_id))  # fmt: skip


def to_domain(row: dict[str, Any]) -> Dispute:
    status = DisputeStatus(row["status"])
    opened_on: date = row["opened_on"] or row["opened_at"].date()
    return Dispute(
        dispute_id=str(row["id"]),
        customer_id=row["customer_external_id"],
        document=row["document_number"],
        reason=ReasonCode(row["reason"]),
        amount=Money.from_minor(row["amount_minor"], row["currency"]),
        opened_on=opened_on,
        status=status,
        closed_on=row["closed_on"] if status.is_closed else None,
        resolution=Resolution(row["resolution"]) if row["resolution"] else None,
    )


def dispute_report(uow: UnitOfWork, as_of: date | None = None) -> DisputeMetrics:
    """Open disputes by age and reason, cycle time, share within SLA, repeat rates."""
    with uow:
        uow.require(Permission.REPORT)
        day = as_of or uow.today()
        rows = uow.disputes.search()
        return dispute_metrics([to_domain(r) for r in rows], day, sla_policy(uow))
