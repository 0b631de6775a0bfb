"""The take-home's run read back from the database: what the files and the plan are made of.

``read_view`` gathers, in one unit of work, what the findings need (``RunView``:
the run's decisions, the receipts, the open items left, customer and item
names, the system accounts); ``posted_entries`` reads the application entries
that carry an adjustment back from the journal; ``today_notes`` says per
customer what happened today, for the follow-up plan.
"""

from __future__ import annotations

from decimal import Decimal

from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.cash_application.model import AdjustmentKind, Decision, OpenItem
from owed.domain.ledger import SystemAccount
from owed.domain.money import Currency
from owed.entrypoints.demo.takehome_findings import Finding, GlEntry, GlLine, RunView


def read_view(uow: SqlUnitOfWork, decisions: list[Decision], receipt_ids: list[int]) -> RunView:
    with uow:
        receipts = uow.cash.receipts_by_ids(receipt_ids)
        items: list[OpenItem] = uow.cash.open_items()
        infos = uow.cash.customer_infos()
        ids = {a.item_id for d in decisions for a in d.allocations}
        ids |= {a.item_id for d in decisions for a in d.adjustments if a.item_id is not None}
        ids |= {a.item_id for d in decisions for p in d.suggestions for a in p.allocations}
        numbers = {i.id: i.number for i in uow.cash.items_for_documents(sorted(ids))}
        numbers |= {i.id: i.number for i in items}
        by_role = {a.role: (a.code, a.name) for a in uow.ledger.list_accounts() if a.role}
    by_receipt: dict[int, list[str]] = {}
    for d in decisions:
        if d.auto:
            by_receipt[d.receipt_id] = [numbers[a.item_id] for a in d.allocations]
    return RunView(
        decisions={d.receipt_id: d for d in decisions},
        receipts=receipts,
        open_items=items,
        customer_ids={c.id: c.external_id or str(c.id) for c in infos},
        customer_names={c.id: c.name for c in infos},
        item_numbers=numbers,
        accounts=by_role,
        numbers_by_receipt=by_receipt,
    )


def posted_entries(
    uow: SqlUnitOfWork, receipt_ids: list[int], view: RunView, currency: str
) -> list[GlEntry]:
    """The run's application entries that carry an adjustment (not only cash to AR)."""
    plain = {
        view.accounts[SystemAccount.UNAPPLIED_CASH][0],
        view.accounts[SystemAccount.AR_CONTROL][0],
    }
    names = {code: name for code, name in view.accounts.values()}
    out = []
    with uow:
        for rid in receipt_ids:
            for entry_id in uow.ledger.entries_for_source("receipt", rid):
                entry = uow.ledger.get_entry(entry_id)
                if entry is None or all(ln.account in plain for ln in entry.lines):
                    continue
                lines = tuple(
                    GlLine(
                        ln.account,
                        names.get(ln.account, ln.account),
                        max(ln.amount.amount, Decimal(0)),
                        max(-ln.amount.amount, Decimal(0)),
                        ln.memo or _customer_memo(view, ln.customer_id),
                    )
                    for ln in entry.lines
                )
                ref = view.receipts[rid]["bank_reference"] or f"receipt-{rid}"
                why = _adjustment_words(view.decisions.get(rid))
                out.append(
                    GlEntry(
                        "posted",
                        str(entry_id),
                        entry.entry_date,
                        f"{entry.description} ({ref})",
                        why,
                        currency,
                        lines,
                    )
                )
    return out


def adjustments_total(posted: list[GlEntry], view: RunView) -> Decimal:
    plain = {
        view.accounts[SystemAccount.UNAPPLIED_CASH][0],
        view.accounts[SystemAccount.AR_CONTROL][0],
    }
    return sum(
        (ln.debit + ln.credit for e in posted for ln in e.lines if ln.account not in plain),
        Decimal("0.00"),
    )


def _customer_memo(view: RunView, customer_id: int | None) -> str:
    return view.customer_ids.get(customer_id, "") if customer_id is not None else ""


def _adjustment_words(decision: Decision | None) -> str:
    if decision is None:
        return ""
    words = {
        AdjustmentKind.DISCOUNT: "discount granted",
        AdjustmentKind.WRITE_OFF: "short pay within tolerance written off",
        AdjustmentKind.DEDUCTION: "short pay beyond tolerance: deduction to clearing",
        AdjustmentKind.BANK_FEE: "bank fee",
        AdjustmentKind.CUSTOMER_CREDIT: "overpayment kept as customer credit",
    }
    return "; ".join(f"{words[a.kind]} {a.amount}" for a in decision.adjustments)


def today_notes(view: RunView, findings: list[Finding]) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for rid, d in view.decisions.items():
        if d.auto and d.customer_id is not None:
            numbers = ", ".join(view.numbers_by_receipt.get(rid, [])) or "credit on account"
            row = view.receipts[rid]
            amount = Currency.of(row["currency"]).from_minor(row["amount_minor"])
            notes.setdefault(view.customer_ids[d.customer_id], []).append(
                f"paid {amount:,} to {numbers} (applied)"
            )
    for f in findings:
        key = f.customer or (f.proposed.customer if f.proposed else "")
        if not key:
            continue
        if f.status == "applied, deduction opened":
            text = f"short by {f.deduction:,} (deduction opened)"
        elif f.status == "applied, credit kept":
            text = "overpaid: credit kept on account"
        elif f.duplicate_of:
            text = f"paid {f.amount:,} a second time (duplicate, not applied)"
        else:
            text = f"{f.amount:,} received, not applied yet (to confirm)"
        notes.setdefault(key, []).append(text)
    return notes
