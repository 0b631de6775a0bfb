"""The take-home's judgement calls: why each receipt needs a person, and the GL entries.

Input is what the cash application run left behind: its ``Decision`` per
receipt, the receipts, the open items afterwards and the journal. Output is
plain values the take-home writes as files:

* ``Finding``: one receipt a person must look at (cash not applied, or applied
  with a deduction opened or a credit kept), its root cause in plain words and
  the best next step, with the application that step would post (if any);
* ``GlEntry``: a journal entry, either *posted* (read from the journal: the
  adjustments the run booked) or *proposed* (what the findings' next steps
  would book once a person agrees). Every entry balances; ``balanced`` says so.

Root causes are derived in a fixed order, most specific first: a duplicate
of another receipt, an invoice billed twice, a payer nobody can identify, a
reference the payer or amount does not confirm, and finally no reference and
no unique amount match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.cash_application.model import AdjustmentKind, Decision, OpenItem
from owed.domain.ledger import SystemAccount
from owed.domain.money import Currency

ZERO = Decimal("0.00")
SMALL_SHORT_PAY = Decimal("100.00")  # a deduction up to this is proposed for write-off


@dataclass(frozen=True)
class Proposed:
    """An application a person would post: invoice number -> (cash, deduction)."""

    customer: str
    lines: tuple[tuple[str, Decimal, Decimal], ...]


@dataclass(frozen=True)
class Finding:
    receipt_id: int
    reference: str
    value_date: date
    amount: Decimal
    unapplied: Decimal
    payer: str
    customer: str  # external id, "" when unknown
    status: str  # unapplied | applied, deduction opened | applied, credit kept
    cause: str
    suggestion: str
    duplicate_of: str = ""  # bank reference of the receipt this one repeats
    billed_twice: tuple[str, str] | None = None  # (keep, credit) invoice numbers
    proposed: Proposed | None = None
    deduction: Decimal = ZERO  # deduction opened by the run (status "deduction opened")
    reason_code: str | None = None  # the customer's reason for that deduction


@dataclass(frozen=True)
class GlLine:
    account: str
    name: str
    debit: Decimal
    credit: Decimal
    memo: str = ""


@dataclass(frozen=True)
class GlEntry:
    kind: str  # posted | proposed
    ref: str  # journal entry id, or P1, P2 ...
    on: date
    description: str
    why: str
    currency: str
    lines: tuple[GlLine, ...]

    @property
    def balanced(self) -> bool:
        debit = sum((ln.debit for ln in self.lines), ZERO)
        return debit == sum((ln.credit for ln in self.lines), ZERO) and debit > 0


@dataclass
class RunView:
    """What the findings are derived from (built by the take-home from the database)."""

    decisions: Mapping[int, Decision]
    receipts: Mapping[int, dict[str, Any]]  # receipt rows by id
    open_items: Sequence[OpenItem]  # after the run
    customer_ids: Mapping[int, str]  # internal id -> external id
    customer_names: Mapping[int, str]
    item_numbers: Mapping[int, str]  # document id -> number (incl. settled ones)
    accounts: Mapping[SystemAccount, tuple[str, str]]  # role -> (code, name)
    numbers_by_receipt: dict[int, list[str]] = field(default_factory=dict)


def find_exceptions(view: RunView) -> list[Finding]:
    out = []
    for rid in sorted(view.receipts):
        decision, row = view.decisions.get(rid), view.receipts[rid]
        if decision is None:
            continue
        if decision.auto:
            out.extend(_applied_with_follow_up(view, decision, row))
        else:
            out.append(_unapplied(view, decision, row))
    return out


def _base(view: RunView, d: Decision, row: dict[str, Any], status: str) -> dict[str, Any]:
    cid, cur = d.customer_id, Currency.of(row["currency"])
    return {
        "receipt_id": d.receipt_id,
        "reference": row["bank_reference"] or f"receipt-{d.receipt_id}",
        "value_date": row["value_date"],
        "amount": cur.from_minor(row["amount_minor"]),
        "unapplied": cur.from_minor(row["unapplied_minor"]),
        "payer": row["payer_name"] or "(no name: check)",
        "customer": view.customer_ids.get(cid, "") if cid is not None else "",
        "status": status,
    }


def _applied_with_follow_up(view: RunView, d: Decision, row: dict[str, Any]) -> list[Finding]:
    out = []
    for adj in d.adjustments:
        if adj.kind is AdjustmentKind.DEDUCTION:
            number = view.item_numbers.get(adj.item_id or 0, "?")
            reason = f"reason given: {adj.reason_code}" if adj.reason_code else "no reason given"
            if adj.reason_code:
                step = (
                    f"ask {number}'s customer for the {adj.reason_code.lower()} claim backup; "
                    "valid: credit memo against the deduction, else rebill"
                )
            elif adj.amount <= SMALL_SHORT_PAY:
                step = f"write off the {adj.amount} short pay (below {SMALL_SHORT_PAY})"
            else:
                step = f"ask the customer why {number} was paid {adj.amount} short"
            out.append(
                Finding(
                    **_base(view, d, row, "applied, deduction opened"),
                    cause=f"short pay of {adj.amount} on {number} beyond the "
                    f"write-off tolerance: deduction opened ({reason})",
                    suggestion=step,
                    deduction=adj.amount,
                    reason_code=adj.reason_code,
                )
            )
        elif adj.kind is AdjustmentKind.CUSTOMER_CREDIT:
            out.append(
                Finding(
                    **_base(view, d, row, "applied, credit kept"),
                    cause=f"overpayment of {adj.amount}: no other open invoice it "
                    "could pay, kept as credit on account",
                    suggestion="ask the customer: apply to the next invoice or refund",
                )
            )
    return out


def _unapplied(view: RunView, d: Decision, row: dict[str, Any]) -> Finding:
    base = _base(view, d, row, "unapplied")
    amount = base["amount"]
    twin = _earlier_twin(view, d, row)
    if twin is not None:
        ref = twin["bank_reference"] or f"receipt-{twin['id']}"
        paid = ", ".join(view.numbers_by_receipt.get(twin["id"], [])) or "the same items"
        return Finding(
            **base,
            cause=f"likely duplicate of receipt {ref}: same payer, amount "
            f"and remittance; that one already paid {paid}",
            suggestion="confirm with the customer, then refund or (with their "
            "consent) apply to their oldest open invoices",
            duplicate_of=ref,
        )
    if d.customer_id is not None:
        pair = _billed_twice(view, d.customer_id, amount)
        if pair is not None:
            keep, credit, po = pair
            return Finding(
                **base,
                cause=f"invoice billed twice: {keep.number} and "
                f"{credit.number} are both open for {po} with the same "
                "amount; the payment covers one",
                suggestion=f"apply to {keep.number}; credit memo {credit.number}",
                billed_twice=(keep.number, credit.number),
                proposed=Proposed(base["customer"], ((keep.number, amount, ZERO),)),
            )
    if d.suggestions:
        best = d.suggestions[0]
        lines = _proposal_lines(view, best)
        text = "; ".join(f"{n} {c}" + (f" (+ deduction {x})" if x else "") for n, c, x in lines)
        customer = view.customer_ids.get(best.customer_id or 0, base["customer"])
        cause = _unconfirmed(best.rule, lines, row)
        return Finding(
            **base,
            cause=cause,
            suggestion=f"confirm and apply: {text}",
            proposed=Proposed(customer, lines),
        )
    if d.customer_id is None:
        matches = [i for i in view.open_items if i.open_amount == amount]
        if len(matches) == 1:
            item = matches[0]
            who = view.customer_names.get(item.customer_id, "?")
            customer = view.customer_ids.get(item.customer_id, "")
            return Finding(
                **{**base, "customer": ""},
                cause="payer not identified (no remittance, no name); the amount "
                f"equals exactly one open invoice: {item.number} of {who}",
                suggestion=f"confirm with the check image, then apply to {item.number}",
                proposed=Proposed(customer, ((item.number, amount, ZERO),)),
            )
        hint = (
            " (the remittance says REFUND: may not be a customer payment)"
            if ("REFUND" in (row["remittance_text"] or "").upper())
            else ""
        )
        return Finding(
            **base,
            cause="payer not identified: no known account, no matching name, "
            f"no unique amount match{hint}",
            suggestion="investigate with the bank (originator details); return the "
            "funds if not ours within 5 business days",
        )
    return Finding(
        **base,
        cause=f"no reference and no unique amount match ({d.explanation})",
        suggestion="ask the customer for the remittance advice",
    )


def _unconfirmed(
    rule: str, lines: Sequence[tuple[str, Decimal, Decimal]], row: dict[str, Any]
) -> str:
    if rule != "reference":
        return "several open invoices fit the amount: no unique match"
    quoted = ", ".join(n for n, _, _ in lines)
    payer = f"payer {row['payer_name']!r} not matched" if row["payer_name"] else "no payer name"
    short = sum((x for _, _, x in lines), ZERO)
    amount = f"amount {short} short of the open balance" if short else "amount differs"
    return f"reference {quoted} quoted but not confirmed: {payer}, {amount}"


def _earlier_twin(view: RunView, d: Decision, row: dict[str, Any]) -> dict[str, Any] | None:
    if d.duplicate_of is not None:
        return view.receipts.get(d.duplicate_of) or {"id": d.duplicate_of, "bank_reference": None}
    if d.customer_id is None:
        return None
    for rid, other in sorted(view.receipts.items()):
        od = view.decisions.get(rid)
        if rid >= d.receipt_id or od is None or not od.auto:
            continue
        if (
            od.customer_id == d.customer_id
            and other["amount_minor"] == row["amount_minor"]
            and _remit(other) == _remit(row)
        ):
            return other
    return None


def _remit(row: dict[str, Any]) -> str:
    text = str(row["remittance_text"] or "").upper()
    return text.rsplit("REMI:", 1)[-1].strip()


def _billed_twice(
    view: RunView, customer_id: int, amount: Decimal
) -> tuple[OpenItem, OpenItem, str] | None:
    same = sorted(
        (i for i in view.open_items if i.customer_id == customer_id and i.open_amount == amount),
        key=lambda i: (i.issue_date, i.number),
    )
    for i, first in enumerate(same):
        for second in same[i + 1 :]:
            if first.po_number and first.po_number == second.po_number:
                return first, second, first.po_number
    return None


def _proposal_lines(view: RunView, proposal: Any) -> tuple[tuple[str, Decimal, Decimal], ...]:
    cash: dict[str, Decimal] = {}
    deduction: dict[str, Decimal] = {}
    for a in proposal.allocations:
        number = view.item_numbers.get(a.item_id, str(a.item_id))
        cash[number] = cash.get(number, ZERO) + a.amount
    for adj in proposal.adjustments:
        if adj.kind is AdjustmentKind.DEDUCTION and adj.item_id is not None:
            number = view.item_numbers.get(adj.item_id, str(adj.item_id))
            deduction[number] = deduction.get(number, ZERO) + adj.amount
    return tuple((n, cash.get(n, ZERO), deduction.get(n, ZERO)) for n in cash)


# -- proposed GL entries --------------------------------------------------------
def propose_entries(
    findings: Sequence[Finding], view: RunView, on: date, currency: str
) -> list[GlEntry]:
    acct = view.accounts
    out: list[GlEntry] = []

    def line(
        role: SystemAccount, debit: Decimal = ZERO, credit: Decimal = ZERO, memo: str = ""
    ) -> GlLine:
        code, name = acct[role]
        return GlLine(code, name, debit, credit, memo)

    def add(description: str, why: str, *lines: GlLine) -> None:
        out.append(
            GlEntry("proposed", f"P{len(out) + 1}", on, description, why, currency, tuple(lines))
        )

    for f in findings:
        if f.billed_twice is not None:
            _, twin = f.billed_twice
            add(
                f"Credit memo for {twin} (billed twice)",
                f.cause,
                line(SystemAccount.REVENUE, debit=f.amount, memo=twin),
                line(SystemAccount.AR_CONTROL, credit=f.amount, memo=f"{f.customer} {twin}"),
            )
        if f.proposed is not None:
            cash = sum((c for _, c, _ in f.proposed.lines), ZERO)
            lines = [line(SystemAccount.UNAPPLIED_CASH, debit=cash, memo=f.reference)]
            lines += [
                line(SystemAccount.DEDUCTIONS_CLEARING, debit=x, memo=n)
                for n, _, x in f.proposed.lines
                if x
            ]
            lines += [
                line(SystemAccount.AR_CONTROL, credit=c + x, memo=f"{f.proposed.customer} {n}")
                for n, c, x in f.proposed.lines
            ]
            add(f"Apply receipt {f.reference}: {f.suggestion}", f.cause, *lines)
        elif f.duplicate_of:
            add(
                f"Hold duplicate receipt {f.reference} as customer credit, then refund",
                f.cause,
                line(SystemAccount.UNAPPLIED_CASH, debit=f.amount, memo=f.reference),
                line(SystemAccount.CUSTOMER_CREDITS, credit=f.amount, memo=f.customer),
            )
        elif f.status == "unapplied" and not f.customer:
            add(
                f"If not identified in 5 business days: return {f.reference} to the originator",
                f.cause,
                line(SystemAccount.UNAPPLIED_CASH, debit=f.amount, memo=f.reference),
                line(SystemAccount.BANK, credit=f.amount, memo="return of funds"),
            )
        elif f.status == "applied, deduction opened":
            short = f.deduction
            if f.reason_code:
                add(
                    f"If the claim is valid: credit memo against the deduction ({f.reference})",
                    f.cause,
                    line(SystemAccount.REVENUE, debit=short, memo=f.customer),
                    line(SystemAccount.DEDUCTIONS_CLEARING, credit=short, memo=f.reference),
                )
            elif short <= SMALL_SHORT_PAY:
                add(
                    f"Write off the small short pay on receipt {f.reference}",
                    f.cause,
                    line(SystemAccount.WRITE_OFF, debit=short, memo=f.customer),
                    line(SystemAccount.DEDUCTIONS_CLEARING, credit=short, memo=f.reference),
                )
    return out
