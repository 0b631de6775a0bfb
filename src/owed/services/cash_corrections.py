"""What people do with the exception queue: apply a receipt by hand, or accept a suggestion.

A manual application names the receipt and one or more invoices (with an
amount each, or "what is open"), optionally keeping any remainder as a
customer credit. It is checked and posted exactly like an automatic one
(``cash_postings``). When a person applies a receipt the matcher left in the
queue, Owed learns the payer's account, name and reference pattern
(``cash_learning``), so the next receipt from that payer applies itself.

Accepting a suggestion applies one of the ranked proposals the matcher left in
the queue, exactly as proposed; its allocations are recorded with
``how = suggested``.

Beside this module: unapplying in ``cash_unapply``; the exception queue and
the applications export in ``cash_reading``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission, check_different_people
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.money import Currency, Money
from owed.services.cash_learning import remember_correction
from owed.services.cash_postings import AppLine, post_application
from owed.services.cash_rows import stored_proposal
from owed.services.disputes import open_deduction_disputes
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
        uow.cash.set_match(rec["id"], "manual", customer_id, stored_proposal(rec))
        if customer_id is not None and rec["match_status"] in ("exception", "new"):
            remember_correction(uow, rec, customer_id, [ln.document["id"] for ln in lines])
        uow.commit()
        return entry_id


@dataclass(frozen=True)
class AcceptSuggestion:
    receipt_id: int
    rank: int = 1  # 1 = the best suggestion shown in the queue


def accept_suggestion(cmd: AcceptSuggestion, uow: UnitOfWork) -> int:
    """Apply the queue's ``rank``-th suggestion for a receipt (``how = suggested``)."""
    with uow:
        uow.require(Permission.APPLY_CASH)
        rec = _cash_receipt(uow, cmd.receipt_id)
        suggestions = (stored_proposal(rec) or {}).get("suggestions") or []
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
        uow.cash.set_match(rec["id"], "manual", customer_id, stored_proposal(rec))
        open_deduction_disputes(uow)
        if customer_id is not None:
            remember_correction(uow, rec, customer_id, [d for d in lines])
        uow.audit(
            "receipt.accept_suggestion",
            "receipt",
            rec["id"],
            after={"rank": cmd.rank, "rule": s.get("rule"), "entry_id": entry_id},
        )
        uow.commit()
        return entry_id
