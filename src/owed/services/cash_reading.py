"""Reading cash application: the exception queue and the applications export.

``list_exceptions`` lists the receipts not fully applied, each with the reason,
its age in business days against the ``UNAPPLIED_SLA_BUSINESS_DAYS`` SLA and
the matcher's ranked suggestions; ``export_applications`` gives one row per
active allocation plus one per unapplied remainder (``EXPORT_COLUMNS``,
docs/formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from owed.domain.auth import Permission
from owed.domain.calendar import business_days_between
from owed.domain.money import Currency, Money
from owed.services.cash_rows import stored_proposal
from owed.services.unit_of_work import UnitOfWork

UNAPPLIED_SLA_BUSINESS_DAYS = 5


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
            proposal = stored_proposal(r) or {}
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
