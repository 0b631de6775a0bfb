"""What people do with the exception queue: apply by hand, unapply, and what that teaches.

A manual application names the receipt and one or more invoices (with an
amount each, or "what is open"), optionally keeping any remainder as a
customer credit. It is checked and posted exactly like an automatic one. When
a person corrects the matcher (applies a receipt it left in the queue, or
unapplies one it applied) Owed learns the payer's account, name and reference
pattern, so the next receipt from that payer applies itself.

Unapplying reverses the chosen applications with a new opposite entry,
re-opens the invoices (negative settlement rows), and returns the cash to
unapplied; a deduction dispute the application opened is cancelled ("payment
unapplied"). An automatic application that is unapplied counts as a
correction in the cash-application-accuracy KPI.

Accepting a suggestion applies one of the ranked proposals the matcher left in
the queue, exactly as proposed; its allocations are recorded with
``how = suggested``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission, check_different_people
from owed.domain.calendar import business_days_between
from owed.domain.cash_application.learning import learn_from_correction
from owed.domain.disputes.model import DisputeAction, DisputeStatus
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.cash_application import (
    UNAPPLIED_SLA_BUSINESS_DAYS,
    AppLine,
    post_application,
    posting_date,
    receipt_from_row,
)
from owed.services.dispute_states import check_transition, load_dispute, move_dispute
from owed.services.disputes import open_deduction_disputes
from owed.services.ledger import account, post_entries
from owed.services.promises import reopen_commitments
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Target:
    number: str
    amount: Decimal | None = None  # None: as much as is open (and the receipt still has)
    write_off: Decimal | None = None  # close a small difference on this invoice


@dataclass(frozen=True)
class ApplyReceipt:
    receipt_id: int
    targets: tuple[Target, ...]
    keep_remainder_as_credit: bool = False
    note: str = ""


def _cash_receipt(uow: UnitOfWork, receipt_id: int) -> dict[str, Any]:
    """The receipt row; a returned payment is not cash to apply."""
    rec = uow.cash.receipt(receipt_id)
    if rec is None:
        raise NotFound("receipt", receipt_id)
    if rec["kind"] != "receipt":
        raise RuleViolation(f"receipt {receipt_id} is a returned payment, not cash")
    return dict(rec)


def apply_receipt(cmd: ApplyReceipt, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.APPLY_CASH)
        rec = _cash_receipt(uow, cmd.receipt_id)
        cur = Currency.of(rec["currency"])
        remaining = rec["unapplied_minor"]
        lines: list[AppLine] = []
        customers = set()
        for t in cmd.targets:
            doc = uow.cash.document_by_number(t.number)
            if doc is None:
                raise NotFound("invoice", t.number)
            if doc["kind"] not in ("invoice", "debit_memo"):
                raise RuleViolation(f"{t.number} is a {doc['kind']}: cash applies to invoices")
            if doc["created_by"] == uow.actor.username and doc["source"] == "billing":
                check_different_people(
                    uow.actor,
                    doc["created_by"],
                    "apply cash",
                    "whoever bills an invoice does not apply cash to it",
                )
            wanted = (
                cur.to_minor(t.amount)
                if t.amount is not None
                else min(doc["open_minor"], remaining)
            )
            write_off = cur.to_minor(t.write_off) if t.write_off else 0
            if wanted <= 0 and not write_off:
                raise InvalidInput(f"nothing left to apply to {t.number}")
            if wanted > remaining:
                raise RuleViolation(
                    f"receipt {cmd.receipt_id} has only "
                    f"{Money.from_minor(remaining, cur)} unapplied; "
                    f"cannot apply {Money.from_minor(wanted, cur)}"
                )
            remaining -= wanted
            lines.append(AppLine(doc, cash=wanted, write_off=write_off))
            customers.add(doc["customer_id"])
        if any(ln.write_off for ln in lines):
            uow.require(Permission.REQUEST_WRITE_OFF)
        credit = remaining if cmd.keep_remainder_as_credit else 0
        customer_id = next(iter(customers)) if len(customers) == 1 else None
        if credit and customer_id is None:
            raise InvalidInput("a remainder kept as credit needs all invoices of one customer")
        entry_id = post_application(
            uow,
            rec,
            customer_id,
            lines,
            credit,
            how="manual",
            rule="manual",
            confidence=1.0,
            explanation=cmd.note or f"applied by {uow.actor.username}",
        )
        uow.cash.set_match(rec["id"], "manual", customer_id, _proposal(rec))
        if customer_id is not None and rec["match_status"] in ("exception", "new"):
            _learn(uow, rec, customer_id, [ln.document["id"] for ln in lines])
        uow.commit()
        return entry_id


def _proposal(rec: dict[str, Any]) -> dict[str, Any] | None:
    return json.loads(rec["proposal"]) if rec.get("proposal") else None


def _learn(uow: UnitOfWork, rec: dict[str, Any], customer_id: int, document_ids: list[int]) -> None:
    """Remember what this correction teaches (payer account, name, reference pattern)."""
    before = uow.cash.knowledge()
    items = uow.cash.items_for_documents(document_ids)
    after = learn_from_correction(before, receipt_from_row(rec), items, customer_id)
    now, user = uow.now(), uow.actor.username
    learned = []
    for key, cid in after.accounts.items():
        if before.accounts.get(key) != cid and uow.cash.learn(
            "payer_account", key, cid, {}, user, now
        ):
            learned.append(f"account {key[-4:]}")
    for key, cid in after.payer_names.items():
        if before.payer_names.get(key) != cid and uow.cash.learn(
            "payer_name", key, cid, {}, user, now
        ):
            learned.append(f"name {key}")
    for cid, patterns in after.patterns.items():
        for p in patterns:
            if p not in before.patterns.get(cid, ()) and uow.cash.learn(
                "pattern",
                f"{cid}:{p.prefix}:{p.suffix}",
                cid,
                {"prefix": p.prefix, "suffix": p.suffix},
                user,
                now,
            ):
                learned.append(f"pattern {p.prefix}…{p.suffix}")
    if learned:
        uow.audit(
            "cashapp.learn",
            "customer",
            customer_id,
            after={"from_receipt": rec["id"], "learned": learned},
        )


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
    uow.cash.set_match(rec["id"], "exception", rec["customer_id"], _proposal(rec))
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


# -- accepting a suggestion from the queue ---------------------------------------
@dataclass(frozen=True)
class AcceptSuggestion:
    receipt_id: int
    rank: int = 1  # 1 = the best suggestion shown in the queue


def accept_suggestion(cmd: AcceptSuggestion, uow: UnitOfWork) -> int:
    """Apply the queue's ``rank``-th suggestion for a receipt (``how = suggested``)."""
    with uow:
        uow.require(Permission.APPLY_CASH)
        rec = _cash_receipt(uow, cmd.receipt_id)
        suggestions = (_proposal(rec) or {}).get("suggestions") or []
        if not suggestions:
            raise RuleViolation(f"receipt {cmd.receipt_id} has no suggestion to accept")
        if not 1 <= cmd.rank <= len(suggestions):
            raise InvalidInput(
                f"receipt {cmd.receipt_id} has {len(suggestions)} suggestion(s); "
                f"--rank {cmd.rank} is not one of them"
            )
        if (
            rec["status"] == "returned"
            or rec["unapplied_minor"] != rec["amount_minor"]
            or uow.cash.active_applications(rec["id"])
        ):
            raise RuleViolation(
                f"receipt {cmd.receipt_id} was applied (or returned) since the suggestion was "
                "made: look at it again (owed cashapp exceptions)"
            )
        s = suggestions[cmd.rank - 1]
        cur = Currency.of(rec["currency"])
        item_ids = sorted(
            {int(i) for i, _ in s["allocations"]}
            | {int(a[2]) for a in s["adjustments"] if a[2] is not None}
        )
        docs = uow.cash.documents_by_ids(item_ids)
        lines: dict[int, AppLine] = {}
        for item_id in item_ids:
            if item_id not in docs:
                raise NotFound("document", item_id)
            doc = docs[item_id]
            if doc["created_by"] == uow.actor.username and doc["source"] == "billing":
                check_different_people(
                    uow.actor,
                    doc["created_by"],
                    "apply cash",
                    "whoever bills an invoice does not apply cash to it",
                )
            lines[item_id] = AppLine(doc)
        for item_id, amount in s["allocations"]:
            lines[int(item_id)].cash += cur.to_minor(Decimal(amount))
        credit = 0
        fields = {"discount": "discount", "write_off": "write_off", "deduction": "deduction",
                  "bank_fee": "fee"}  # fmt: skip
        for kind, amount, item_id, reason_code in s["adjustments"]:
            minor = cur.to_minor(Decimal(amount))
            if kind == "customer_credit":
                credit += minor
                continue
            ln = lines[int(item_id)]
            setattr(ln, fields[kind], getattr(ln, fields[kind]) + minor)
            if reason_code:
                ln.reason_code = reason_code
        if any(ln.write_off for ln in lines.values()):
            uow.require(Permission.REQUEST_WRITE_OFF)
        customer_id = s.get("customer_id")
        entry_id = post_application(
            uow,
            rec,
            customer_id,
            list(lines.values()),
            credit,
            how="suggested",
            rule=str(s.get("rule") or "suggested"),
            confidence=float(s.get("confidence") or 0),
            explanation=f"suggestion {cmd.rank} accepted by {uow.actor.username}: "
            + str(s.get("explanation") or ""),
        )
        uow.cash.set_match(rec["id"], "manual", customer_id, _proposal(rec))
        open_deduction_disputes(uow)
        if customer_id is not None:
            _learn(uow, rec, customer_id, [d for d in lines])
        uow.audit(
            "receipt.accept_suggestion",
            "receipt",
            rec["id"],
            after={"rank": cmd.rank, "rule": s.get("rule"), "entry_id": entry_id},
        )
        uow.commit()
        return entry_id


# -- reading -------------------------------------------------------------------
@dataclass(frozen=True)
class ExceptionItem:
    receipt_id: int
    kind: str
    value_date: date
    amount: Money
    unapplied: Money
    payer_name: str | None
    payer_account_last4: str | None
    bank_reference: str | None
    remittance: str
    business_days_open: int
    over_sla: bool
    reason: str
    suggestions: list[dict[str, Any]]


def list_exceptions(uow: UnitOfWork) -> list[ExceptionItem]:
    with uow:
        uow.require(Permission.READ)
        today = uow.today()
        out = []
        for r in uow.cash.open_receipts():
            cur = Currency.of(r["currency"])
            proposal = _proposal(r) or {}
            age = business_days_between(r["value_date"], today)
            if r["kind"] == "return":
                reason = proposal.get("explanation") or (
                    "returned payment: not paired yet: run `owed cashapp run` or "
                    "`owed cashapp pair-return`"
                )
            elif r["match_status"] == "new":
                reason = "not matched yet: run `owed cashapp run`"
            elif r["status"] == "partial":
                left = Money.from_minor(r["unapplied_minor"], cur)
                reason = (
                    f"partly applied; {left} left over (an overpayment: keep as credit, "
                    "refund, or apply to another invoice)"
                )
            else:
                reason = proposal.get("explanation") or "no confident match"
            acct = r["payer_account"]
            out.append(
                ExceptionItem(
                    r["id"],
                    r["kind"],
                    r["value_date"],
                    Money.from_minor(r["amount_minor"], cur),
                    Money.from_minor(r["unapplied_minor"], cur),
                    r["payer_name"],
                    acct[-4:] if acct else None,
                    r["bank_reference"],
                    (r["remittance_text"] or "")[:120],
                    age,
                    age > UNAPPLIED_SLA_BUSINESS_DAYS,
                    reason,
                    proposal.get("suggestions", []),
                )
            )
        return out


EXPORT_COLUMNS = ("payment_reference", "invoice_number", "amount", "status", "rule", "confidence")


def export_applications(uow: UnitOfWork) -> list[dict[str, str]]:
    """One row per active allocation, plus one per unapplied remainder (docs/formats.md)."""
    with uow:
        uow.require(Permission.REPORT)
        rows: list[dict[str, str]] = []
        pending_unapplied: dict[str, str] | None = None
        last_receipt = None
        for r in uow.cash.export_rows():
            cur = Currency.of(r["currency"])
            ref = r["bank_reference"] or f"receipt-{r['receipt_id']}"
            if r["receipt_id"] != last_receipt:
                if pending_unapplied:
                    rows.append(pending_unapplied)
                last_receipt, pending_unapplied = r["receipt_id"], None
                if r["unapplied_minor"] > 0:
                    pending_unapplied = {
                        "payment_reference": ref,
                        "invoice_number": "",
                        "amount": str(cur.from_minor(r["unapplied_minor"])),
                        "status": "unapplied",
                        "rule": "",
                        "confidence": "",
                    }
            if r["amount_minor"] is not None and r["amount_minor"] > 0:
                rows.append(
                    {
                        "payment_reference": ref,
                        "invoice_number": r["number"] or "",
                        "amount": str(cur.from_minor(r["amount_minor"])),
                        "status": r["how"] if r["how"] in ("auto", "manual") else "suggested",
                        "rule": r["rule"] if r["number"] else "customer_credit",
                        "confidence": f"{r['confidence']:.2f}",
                    }
                )
        if pending_unapplied:
            rows.append(pending_unapplied)
        return rows
