"""Unapplying a receipt: the applications reversed, the invoices re-opened.

Unapplying reverses the chosen applications with a new opposite entry,
re-opens the invoices (negative settlement rows), and returns the cash to
unapplied; a deduction dispute the application opened is cancelled ("payment
unapplied"), and the promises and payment plans the payment kept are
re-opened. An automatic application that is unapplied counts as a correction
in the cash-application-accuracy KPI.

``unapply_receipt`` is the use case (``owed cashapp unapply``);
``unapply_applications`` does the work inside the caller's transaction, for it
and for a returned payment (``cash_returns``, which asks ``check_unapply``
first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from owed.domain.auth import Permission
from owed.domain.disputes.model import DisputeAction, DisputeStatus
from owed.domain.errors import NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.cash_postings import posting_date
from owed.services.cash_rows import stored_proposal
from owed.services.dispute_states import check_transition, load_dispute, move_dispute
from owed.services.ledger import account, post_entries
from owed.services.promises import reopen_commitments
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class UnapplyReceipt:
    receipt_id: int
    number: str | None = None  # only this invoice's applications; None: all
    reason: str = ""


def unapply_receipt(cmd: UnapplyReceipt, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.APPLY_CASH)
        rec = uow.cash.receipt(cmd.receipt_id)
        if rec is None:
            raise NotFound("receipt", cmd.receipt_id)
        doc_id = None
        if cmd.number is not None:
            doc = uow.cash.document_by_number(cmd.number)
            if doc is None:
                raise NotFound("invoice", cmd.number)
            doc_id = doc["id"]
        apps = uow.cash.active_applications(rec["id"], doc_id)
        if not apps:
            raise RuleViolation(
                f"receipt {cmd.receipt_id} has nothing applied"
                + (f" to {cmd.number}" if cmd.number else "")
            )
        entry_id = unapply_applications(uow, rec, apps, cmd.reason)
        uow.commit()
        return entry_id


UNAPPLIED_REASON = "payment unapplied"


def unapply_applications(
    uow: UnitOfWork, rec: dict[str, Any], apps: list[dict[str, Any]], reason: str
) -> int:
    """Reverse ``apps`` of receipt ``rec`` inside the caller's transaction; returns the entry.

    Posts the opposite entry (dated today), re-opens the invoices, returns the
    cash to unapplied, puts the receipt back in the queue, and cancels the
    deduction disputes the applications opened ("payment unapplied"). The
    write-off, discount and fee parts are reversed by the same entry. A
    deduction whose dispute was already resolved or rejected (or waits for a
    write-off approval) has been dealt with elsewhere: the unapply is refused.
    """
    disputes = _deduction_disputes_to_cancel(uow, apps)
    cur = Currency.of(rec["currency"])
    on = posting_date(uow, uow.today())
    jl: list[JournalLine] = []
    settle_rows: list[dict[str, Any]] = []
    cash_back = 0
    now, user = uow.now(), uow.actor.username

    def m(minor: int) -> Money:
        return Money.from_minor(minor, cur)

    for app in apps:
        cash_back += app["amount_minor"]
        if app["document_id"] is None:  # credit kept on account
            jl.append(
                JournalLine(
                    account(uow, SystemAccount.CUSTOMER_CREDITS),
                    m(app["amount_minor"]),
                    customer_id=app["customer_id"],
                )
            )
            continue
        doc = uow.cash.document(app["document_id"])
        parts = {
            "payment": app["amount_minor"],
            "discount": app["discount_minor"],
            "write_off": app["write_off_minor"],
            "deduction": app["deduction_minor"],
            "bank_fee": app["fee_minor"],
        }
        settles = sum(parts.values())
        uow.cash.reduce_open(doc["id"], -settles, cur.code, doc["number"])
        jl.append(
            JournalLine(
                account(uow, SystemAccount.AR_CONTROL),
                m(settles),
                customer_id=doc["customer_id"],
                document_type="document",
                document_id=doc["id"],
            )
        )
        for role, key in (
            (SystemAccount.SALES_DISCOUNTS, "discount"),
            (SystemAccount.WRITE_OFF, "write_off"),
            (SystemAccount.BANK_FEES, "bank_fee"),
        ):
            if parts[key]:
                jl.append(
                    JournalLine(account(uow, role), -m(parts[key]), customer_id=doc["customer_id"])
                )
        if parts["deduction"]:
            jl.append(
                JournalLine(
                    account(uow, SystemAccount.DEDUCTIONS_CLEARING),
                    -m(parts["deduction"]),
                    customer_id=doc["customer_id"],
                    document_type="document",
                    document_id=doc["id"],
                )
            )
        for kind, minor in parts.items():
            if minor:
                settle_rows.append(
                    {
                        "document_id": doc["id"],
                        "on_date": on,
                        "kind": kind,
                        "amount_minor": -minor,
                        "source_type": "receipt",
                        "source_id": rec["id"],
                        "created_by": user,
                        "created_at": now,
                    }
                )
    if cash_back:
        jl.append(JournalLine(account(uow, SystemAccount.UNAPPLIED_CASH), -m(cash_back)))
    (entry_id,) = post_entries(
        uow,
        [
            JournalEntry(
                on,
                f"Unapply receipt {rec['id']}" + (f": {reason}" if reason else ""),
                tuple(jl),
                source_type="receipt",
                source_id=rec["id"],
            )
        ],
    )
    for row in settle_rows:
        row["entry_id"] = entry_id
    uow.cash.add_settlements(settle_rows)
    uow.cash.mark_reversed([a["id"] for a in apps], on, user, entry_id)
    if cash_back:
        uow.cash.give_back_unapplied(rec["id"], cash_back)
    uow.cash.set_match(rec["id"], "exception", rec["customer_id"], stored_proposal(rec))
    for dispute in disputes:
        move_dispute(
            uow,
            dispute,
            DisputeAction.CANCEL,
            note=f"{UNAPPLIED_REASON}: receipt {rec['id']}" + (f" ({reason})" if reason else ""),
            details={
                **dispute["details"],
                "cancelled_because": UNAPPLIED_REASON,
                "unapply_entry_id": entry_id,
            },
        )
    customers = {a["customer_id"] for a in apps if a["customer_id"] is not None}
    if apps and customers:
        since = min(a["applied_on"] for a in apps)
        reopen_commitments(uow, customers, since, f"receipt {rec['id']} unapplied")
    uow.audit(
        "receipt.unapply",
        "receipt",
        rec["id"],
        before={
            "applications": [[a["id"], a["document_id"], a["amount_minor"], a["how"]] for a in apps]
        },
        after={
            "reason": reason,
            "entry_id": entry_id,
            "disputes_cancelled": [d["id"] for d in disputes],
        },
    )
    return entry_id


def check_unapply(uow: UnitOfWork, apps: list[dict[str, Any]]) -> None:
    """Raises ``RuleViolation`` if ``apps`` cannot be unapplied (reads only)."""
    _deduction_disputes_to_cancel(uow, apps)


def _deduction_disputes_to_cancel(
    uow: UnitOfWork, apps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The open deduction disputes of ``apps``; refuses when one was already dealt with."""
    with_deduction = [a["id"] for a in apps if a["deduction_minor"]]
    out = []
    for row in uow.cash.deduction_disputes_of(with_deduction):
        dispute = load_dispute(uow, row["id"])
        status = DisputeStatus(dispute["status"])
        if status is DisputeStatus.CANCELLED:
            continue
        if status.is_closed:
            raise RuleViolation(
                f"the deduction on {dispute['document_number']} was already {status.value} "
                f"(dispute {dispute['id']}): unapplying its payment would count it twice"
            )
        if dispute["details"].get("pending_write_off"):
            raise RuleViolation(
                f"dispute {dispute['id']} on {dispute['document_number']} waits for write-off "
                f"{dispute['details']['pending_write_off']}: decide it before unapplying"
            )
        check_transition(dispute, DisputeAction.CANCEL)
        out.append(dispute)
    return out
