"""Write-offs: requested by one person, approved by another within their limit, then posted.

``request_write_off`` (``REQUEST_WRITE_OFF``) records a request against an
invoice or debit memo. Requests at or below the company setting
``write_off_auto_approve`` (default 0: none) are approved by policy and
posted at once. Everything else waits for ``approve_write_off``
(``APPROVE``), which asks the domain's ``ApprovalMatrix`` (company setting
``approval_matrix``: ``{"currency": "USD", "limits": {"lead": "10000"}}``,
defaults in ``owed.domain.collections.writeoffs``): the approver is never the
requester, whatever their roles (``SegregationOfDuties``), and an amount above
the approver's limit is refused (``NotPermitted``) until someone with a high
enough limit approves. ``reject_write_off`` needs a reason.

Posting on approval (docs/ledger.md)::

    Dr bad debt expense (or allowance for doubtful accounts when the company
       setting "write_off_to_allowance" is true)
        Cr AR control (customer, document)     + settlement row kind write_off

A write-off that resolves a *deduction* dispute credits the deductions
clearing account instead of AR (the short pay already left AR when the cash
was applied), and no settlement row is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from owed.domain.auth import SYSTEM_USERNAME, Permission, check_different_people
from owed.domain.collections.writeoffs import DEFAULT_LIMITS, ApprovalMatrix, check_approval
from owed.domain.disputes.model import DisputeAction
from owed.domain.errors import ConfigurationError, InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money, to_decimal
from owed.services.dispute_states import load_dispute, move_dispute
from owed.services.fx_rates import converter
from owed.services.ledger import account, post_entries
from owed.services.unit_of_work import UnitOfWork

WRITABLE_KINDS = ("invoice", "debit_memo")


def approval_matrix(uow: UnitOfWork) -> ApprovalMatrix:
    raw = uow.company.settings.get("approval_matrix") or {}
    try:
        limits = {
            str(role): to_decimal(limit)
            for role, limit in (raw.get("limits") or DEFAULT_LIMITS).items()
        }
    except TypeError as exc:  # a JSON float
        raise ConfigurationError(f"approval_matrix: {exc}") from None
    return ApprovalMatrix(str(raw.get("currency") or uow.company.base_currency), limits)


def auto_approve_threshold(uow: UnitOfWork) -> Decimal:
    raw = uow.company.settings.get("write_off_auto_approve", "0")
    try:
        return to_decimal(raw if raw is not None else "0")
    except TypeError as exc:
        raise ConfigurationError(f"write_off_auto_approve: {exc}") from None


def in_matrix_currency(uow: UnitOfWork, amount: Money, matrix: ApprovalMatrix) -> Money:
    """The amount in the approval matrix's currency, at the company's rate for today.

    Limits are set in one currency (the base currency by default); a write-off in
    another currency is judged by its value in that one.
    """
    if amount.currency.code == matrix.currency:
        return amount
    if matrix.currency != uow.company.base_currency:
        raise ConfigurationError(
            f"approval_matrix currency {matrix.currency} differs from the base currency "
            f"{uow.company.base_currency}: cannot convert {amount}"
        )
    return converter(uow, uow.today()).money(amount)


# -- requesting ------------------------------------------------------------------
@dataclass(frozen=True)
class RequestWriteOff:
    invoice: str  # document number
    amount: Decimal | str | None  # None: all that is open (or the whole disputed amount)
    reason: str
    dispute_id: int | None = None


@dataclass(frozen=True)
class WriteOffResult:
    write_off_id: int
    status: str  # requested | approved
    amount: Money
    entry_id: int | None = None


def request_write_off(cmd: RequestWriteOff, uow: UnitOfWork) -> WriteOffResult:
    with uow:
        uow.require(Permission.REQUEST_WRITE_OFF)
        result = request_write_off_in(uow, cmd)
        uow.commit()
        return result


def request_write_off_in(uow: UnitOfWork, cmd: RequestWriteOff) -> WriteOffResult:
    """Record a request in the caller's transaction; post it if under the auto-approve limit."""
    if not cmd.reason.strip():
        raise InvalidInput("a write-off needs a reason")
    doc = uow.cash.document_by_number(cmd.invoice.strip())
    if doc is None:
        raise NotFound("document", cmd.invoice)
    if doc["kind"] not in WRITABLE_KINDS:
        raise RuleViolation(f"{doc['number']} is a {doc['kind']}: only invoices are written off")
    if doc["source"] == "billing":
        check_different_people(
            uow.actor,
            doc["created_by"],
            "request a write-off",
            "whoever bills an invoice does not write it off",
        )
    cur = Currency.of(doc["currency"])
    dispute = load_dispute(uow, cmd.dispute_id) if cmd.dispute_id is not None else None
    limit = _writable_minor(uow, doc, dispute)
    minor = cur.to_minor(to_decimal(cmd.amount)) if cmd.amount is not None else limit
    if minor <= 0:
        raise InvalidInput(f"a write-off amount must be positive, got {cur.from_minor(minor)}")
    if minor > limit:
        what = f"dispute {dispute['id']}" if dispute else f"{doc['number']} (less pending requests)"
        raise RuleViolation(
            f"cannot write off {Money.from_minor(minor, cur)}: only "
            f"{Money.from_minor(limit, cur)} is open on {what}"
        )
    amount = Money.from_minor(minor, cur)
    wo_id = uow.disputes.add_write_off(
        document_id=doc["id"],
        customer_id=doc["customer_id"],
        amount_minor=minor,
        currency=cur.code,
        reason=cmd.reason.strip(),
        status="requested",
        dispute_id=dispute["id"] if dispute else None,
        requested_by=uow.actor.username,
        requested_at=uow.now(),
    )
    uow.audit(
        "write_off.request",
        "write_off",
        wo_id,
        after={"document": doc["number"], "amount": str(amount), "reason": cmd.reason.strip(),
               "dispute": dispute["id"] if dispute else None},
    )  # fmt: skip
    threshold = auto_approve_threshold(uow)
    if threshold > 0 and amount.amount <= threshold:
        row = uow.disputes.write_off(wo_id)
        entry_id = _approve_and_post(
            uow, row, SYSTEM_USERNAME, f"auto-approved: at or below {threshold} {cur.code}"
        )
        return WriteOffResult(wo_id, "approved", amount, entry_id)
    return WriteOffResult(wo_id, "requested", amount)


def _writable_minor(uow: UnitOfWork, doc: dict[str, Any], dispute: dict[str, Any] | None) -> int:
    if dispute is None:
        return int(doc["open_minor"]) - int(uow.disputes.requested_total(doc["id"]))
    if dispute["document_id"] != doc["id"]:
        raise RuleViolation(f"dispute {dispute['id']} is not about {doc['number']}")
    if dispute["source"] == "deduction":
        return int(dispute["amount_minor"])
    return min(int(dispute["amount_minor"]), int(doc["open_minor"]))


# -- deciding --------------------------------------------------------------------
@dataclass(frozen=True)
class ApproveWriteOff:
    write_off_id: int
    note: str = ""


def approve_write_off(cmd: ApproveWriteOff, uow: UnitOfWork) -> WriteOffResult:
    with uow:
        uow.require(Permission.APPROVE)
        row = _requested(uow, cmd.write_off_id)
        amount = Money.from_minor(row["amount_minor"], row["currency"])
        matrix = approval_matrix(uow)
        check_approval(
            matrix,
            row["requested_by"],
            uow.actor.username,
            [r.value for r in uow.actor.roles],
            in_matrix_currency(uow, amount, matrix),
        )
        entry_id = _approve_and_post(uow, row, uow.actor.username, cmd.note)
        uow.commit()
        return WriteOffResult(row["id"], "approved", amount, entry_id)


@dataclass(frozen=True)
class RejectWriteOff:
    write_off_id: int
    reason: str


def reject_write_off(cmd: RejectWriteOff, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.APPROVE)
        if not cmd.reason.strip():
            raise InvalidInput("rejecting a write-off needs a reason")
        row = _requested(uow, cmd.write_off_id)
        check_different_people(
            uow.actor, row["requested_by"], "reject a write-off", "nobody decides their own request"
        )
        uow.disputes.decide_write_off(
            row["id"], status="rejected", decided_by=uow.actor.username,
            decided_at=uow.now(), decision_note=cmd.reason.strip(),
        )  # fmt: skip
        if row["dispute_id"] is not None:
            dispute = load_dispute(uow, row["dispute_id"])
            details = {k: v for k, v in dispute["details"].items() if k != "pending_write_off"}
            uow.disputes.update(dispute["id"], dispute["status"], details=details)
        uow.audit(
            "write_off.reject",
            "write_off",
            row["id"],
            before={"status": "requested"},
            after={"status": "rejected", "reason": cmd.reason.strip()},
        )
        uow.commit()


def _requested(uow: UnitOfWork, write_off_id: int) -> dict[str, Any]:
    row = uow.disputes.write_off(write_off_id)
    if row is None:
        raise NotFound("write-off", write_off_id)
    if row["status"] != "requested":
        raise RuleViolation(f"write-off {write_off_id} is already {row['status']}")
    return row  # type: ignore[no-any-return]


def _approve_and_post(uow: UnitOfWork, row: dict[str, Any], approver: str, note: str) -> int:
    """Post the write-off, settle the document, close its dispute; audited."""
    cur = Currency.of(row["currency"])
    amount = Money.from_minor(row["amount_minor"], cur)
    dispute = load_dispute(uow, row["dispute_id"]) if row["dispute_id"] is not None else None
    from_deduction = dispute is not None and dispute["source"] == "deduction"
    on = uow.today()
    expense = (
        SystemAccount.ALLOWANCE
        if uow.company.settings.get("write_off_to_allowance")
        else SystemAccount.BAD_DEBT_EXPENSE
    )
    credited = SystemAccount.DEDUCTIONS_CLEARING if from_deduction else SystemAccount.AR_CONTROL
    ref = dict(customer_id=row["customer_id"], document_type="document",
               document_id=row["document_id"])  # fmt: skip
    (entry_id,) = post_entries(
        uow,
        [
            JournalEntry(
                on,
                f"Write-off {row['id']} of {row['document_number']}: {row['reason']}",
                (
                    JournalLine(account(uow, expense), amount, customer_id=row["customer_id"]),
                    JournalLine(account(uow, credited), -amount, **ref),
                ),
                source_type="write_off",
                source_id=row["id"],
            )
        ],
    )
    if not from_deduction:
        uow.cash.reduce_open(row["document_id"], amount.to_minor(), cur.code,
                             row["document_number"])  # fmt: skip
        uow.cash.add_settlements(
            [
                {
                    "document_id": row["document_id"],
                    "on_date": on,
                    "kind": "write_off",
                    "amount_minor": amount.to_minor(),
                    "source_type": "write_off",
                    "source_id": row["id"],
                    "entry_id": entry_id,
                    "created_by": uow.actor.username,
                    "created_at": uow.now(),
                }
            ]
        )
    uow.disputes.decide_write_off(
        row["id"], status="approved", decided_by=approver, decided_at=uow.now(),
        decision_note=note or None, on_date=on, entry_id=entry_id,
    )  # fmt: skip
    uow.audit(
        "write_off.approve",
        "write_off",
        row["id"],
        before={"status": "requested", "requested_by": row["requested_by"]},
        after={"status": "approved", "approved_by": approver, "entry_id": entry_id,
               "account": account(uow, expense), "amount": str(amount)},
    )  # fmt: skip
    if dispute is not None:
        details = {k: v for k, v in dispute["details"].items() if k != "pending_write_off"}
        move_dispute(uow, dispute, DisputeAction.RESOLVE_WRITE_OFF, ref=row["id"],
                     details=details)  # fmt: skip
    return entry_id


# -- reading ---------------------------------------------------------------------
def list_write_offs(uow: UnitOfWork, status: str | None = None) -> list[dict[str, Any]]:
    with uow:
        uow.require(Permission.READ)
        return uow.disputes.write_offs(status)  # type: ignore[no-any-return]
