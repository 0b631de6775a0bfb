"""Cash application's conversions between stored rows and the matcher's values.

A receipt row becomes a ``Receipt`` (``receipt_from_row``), an open item the
document a posting names (``document_of``), a ``Decision`` the per-document
posting lines (``lines_from_decision``) and the proposal stored as JSON with
the receipt (``proposal_json``), which ``stored_proposal`` reads back for the
exception queue, the corrections and the suggestions.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from owed.domain.cash_application.model import AdjustmentKind, Decision, OpenItem, Receipt
from owed.domain.errors import NotFound, RuleViolation
from owed.domain.money import Currency
from owed.domain.payments.statement import Method, RemittanceLine
from owed.services.cash_postings import AppLine


def receipt_from_row(row: dict[str, Any]) -> Receipt:
    cur = Currency.of(row["currency"])
    remittance = tuple(
        RemittanceLine(
            reference=r["reference"],
            paid=Decimal(r["paid"]) if r.get("paid") else None,
            invoice_amount=Decimal(r["invoice_amount"]) if r.get("invoice_amount") else None,
            discount=Decimal(r["discount"]) if r.get("discount") else None,
            adjustment=Decimal(r["adjustment"]) if r.get("adjustment") else None,
            reason_code=r.get("reason_code"),
            reason_text=r.get("reason_text"),
            kind=r.get("kind") or "invoice",
        )
        for r in json.loads(row["remittance"] or "[]")
    )
    return Receipt(
        id=row["id"],
        amount=cur.from_minor(row["amount_minor"]),
        currency=cur.code,
        value_date=row["value_date"],
        method=Method(row["method"]),
        payer_name=row["payer_name"],
        payer_account=row["payer_account"],
        remittance_text=row["remittance_text"] or "",
        remittance=remittance,
        bank_reference=row["bank_reference"],
    )


def lines_from_decision(
    decision: Decision, currency: str, documents: dict[int, dict[str, Any]]
) -> tuple[list[AppLine], int]:
    """The decision as per-document lines in minor units (documents preloaded by id)."""
    cur = Currency.of(currency)
    by_doc: dict[int, AppLine] = {}

    def line(item_id: int) -> AppLine:
        if item_id not in by_doc:
            doc = documents.get(item_id)
            if doc is None:
                raise NotFound("document", item_id)
            by_doc[item_id] = AppLine(doc)
        return by_doc[item_id]

    for alloc in decision.allocations:
        line(alloc.item_id).cash += cur.to_minor(alloc.amount)
    credit = 0
    field_for = {
        AdjustmentKind.DISCOUNT: "discount",
        AdjustmentKind.WRITE_OFF: "write_off",
        AdjustmentKind.DEDUCTION: "deduction",
        AdjustmentKind.BANK_FEE: "fee",
    }
    for adj in decision.adjustments:
        minor = cur.to_minor(adj.amount)
        if adj.kind is AdjustmentKind.CUSTOMER_CREDIT:
            credit += minor
            continue
        if adj.item_id is None:
            raise RuleViolation(f"{adj.kind} adjustment without an invoice")
        ln = line(adj.item_id)
        setattr(ln, field_for[adj.kind], getattr(ln, field_for[adj.kind]) + minor)
        if adj.reason_code:
            ln.reason_code = adj.reason_code
    return list(by_doc.values()), credit


def document_of(item: OpenItem) -> dict[str, Any]:
    """What posting needs of a document, from the open item the run loaded."""
    return {
        "id": item.id,
        "number": item.number,
        "currency": item.currency,
        "customer_id": item.customer_id,
    }


def proposal_json(decision: Decision) -> dict[str, Any]:
    return {
        "rule": decision.rule,
        "confidence": round(decision.confidence, 3),
        "explanation": decision.explanation,
        "customer_id": decision.customer_id,
        "suggestions": [
            {
                "customer_id": s.customer_id,
                "confidence": round(s.confidence, 3),
                "rule": s.rule,
                "explanation": s.explanation,
                "allocations": [[a.item_id, str(a.amount)] for a in s.allocations],
                "adjustments": [
                    [a.kind.value, str(a.amount), a.item_id, a.reason_code] for a in s.adjustments
                ],
            }
            for s in decision.suggestions
        ],
    }


def stored_proposal(rec: dict[str, Any]) -> dict[str, Any] | None:
    return json.loads(rec["proposal"]) if rec.get("proposal") else None
