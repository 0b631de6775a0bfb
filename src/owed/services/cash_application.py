"""Cash application use cases: the matching run, manual apply, unapply, the exception queue.

The matching itself is pure (``owed.domain.cash_application``); this module
feeds it from the database and persists its decisions. Every application is
posted at once (see docs/ledger.md):

    Dr unapplied cash        cash applied (+ overpayment kept as credit)
    Dr sales discounts       discount granted
    Dr small balance w/o     short pay within tolerance
    Dr bank fees             wire fee
    Dr deductions clearing   short pay beyond tolerance (customer, invoice)
        Cr AR control        per invoice: everything that closed it (customer, invoice)
        Cr customer credits  overpayment kept as credit (customer)

and mirrored in dated ``settlements`` rows, so an aging as of any past date can
be rebuilt. Invariant, per receipt, at all times: Σ active cash applications
+ credit kept + unapplied cash = receipt amount (a property test guards it).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.cash_application.conservation import check_conservation
from owed.domain.cash_application.engine import consume, match_receipt
from owed.domain.cash_application.index import MatchContext
from owed.domain.cash_application.model import (
    AdjustmentKind,
    Decision,
    MatchSettings,
    OpenItem,
    Receipt,
)
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.domain.payments.statement import Method, RemittanceLine
from owed.services.disputes import open_deduction_disputes
from owed.services.ledger import account, post_entries, posting_dates
from owed.services.unit_of_work import UnitOfWork

UNAPPLIED_SLA_BUSINESS_DAYS = 5


# -- settings -------------------------------------------------------------------
def match_settings(uow: UnitOfWork) -> MatchSettings:
    """The company's policy: defaults overridden by settings["cash_application"]."""
    overrides: dict[str, Any] = dict(uow.company.settings.get("cash_application", {}))
    defaults = MatchSettings()
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        if not hasattr(defaults, name):
            raise InvalidInput(f"unknown cash application setting {name!r}")
        current = getattr(defaults, name)
        values[name] = Decimal(str(value)) if isinstance(current, Decimal) else type(current)(value)
    return MatchSettings(**{**{f: getattr(defaults, f) for f in defaults.__slots__}, **values})


# -- reading receipts ---------------------------------------------------------
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


# -- posting one application ----------------------------------------------------
@dataclass
class AppLine:
    """What one application does to one document (amounts in minor units)."""

    document: dict[str, Any]
    cash: int = 0
    discount: int = 0
    write_off: int = 0
    deduction: int = 0
    fee: int = 0
    reason_code: str | None = None

    @property
    def settles(self) -> int:
        return self.cash + self.discount + self.write_off + self.deduction + self.fee


def posting_date(uow: UnitOfWork, value_date: date) -> date:
    """The receipt's value date when its period is open, else today."""
    return posting_dates(uow, [value_date])[value_date]


@dataclass
class PendingApplication:
    """One decision for one receipt, ready to post."""

    receipt: dict[str, Any]
    customer_id: int | None
    lines: Sequence[AppLine]
    credit: int
    how: str
    rule: str
    confidence: float
    explanation: str

    @property
    def cash(self) -> int:
        return sum(ln.cash for ln in self.lines) + self.credit


def post_application(
    uow: UnitOfWork,
    receipt: dict[str, Any],
    customer_id: int | None,
    lines: Sequence[AppLine],
    credit: int,
    *,
    how: str,
    rule: str,
    confidence: float,
    explanation: str,
) -> int:
    """Apply, settle, post and record one decision for one receipt; returns the entry id."""
    pending = PendingApplication(
        receipt, customer_id, lines, credit, how, rule, confidence, explanation
    )
    return post_applications(uow, [pending])[0]


def post_applications(
    uow: UnitOfWork, batch: Sequence[PendingApplication], *, take_cash: bool = True
) -> list[int]:
    """Post many decisions at once: guarded balance updates, one bulk posting, bulk rows.

    Balances move first, by guarded UPDATEs (an invoice is never settled below
    zero, a receipt never gives more than it has, even with concurrent workers);
    then one journal entry per receipt is written through the bulk path.
    ``take_cash=False``: the caller takes the receipts' cash itself, by the same
    guard (the matching run does, with the match status, in one statement).
    """
    if not batch:
        return []
    settles, takes = [], []
    for p in batch:
        cur = Currency.of(p.receipt["currency"])
        if p.cash <= 0 and not any(ln.settles for ln in p.lines):
            raise InvalidInput(f"nothing to apply from receipt {p.receipt['id']}")
        for ln in p.lines:
            doc = ln.document
            if doc["currency"] != cur.code:
                raise RuleViolation(
                    f"receipt {p.receipt['id']} is in {cur.code}, invoice {doc['number']} in "
                    f"{doc['currency']}: applying across currencies is not supported yet"
                )
            settles.append((doc["id"], ln.settles, cur.code, doc["number"]))
        if p.cash:
            takes.append((p.receipt["id"], p.cash, cur.code))
    uow.cash.reduce_open_many(settles)
    if take_cash:
        uow.cash.take_unapplied_many(takes)
    dates = posting_dates(uow, list({p.receipt["value_date"] for p in batch}))
    codes = {role: account(uow, role) for role in SystemAccount}  # resolved once per batch
    amounts = _Amounts()
    entries = [_application_entry(p, dates[p.receipt["value_date"]], codes, amounts) for p in batch]
    entry_ids = post_entries(uow, entries)
    now, user = uow.now(), uow.actor.username
    settle_rows: list[dict[str, Any]] = []
    app_rows: list[dict[str, Any]] = []
    for p, entry_id, entry in zip(batch, entry_ids, entries, strict=True):
        on, rid = entry.entry_date, p.receipt["id"]
        for ln in p.lines:
            for kind, minor in (
                ("payment", ln.cash),
                ("discount", ln.discount),
                ("write_off", ln.write_off),
                ("deduction", ln.deduction),
                ("bank_fee", ln.fee),
            ):
                if minor:
                    settle_rows.append(
                        {
                            "document_id": ln.document["id"],
                            "on_date": on,
                            "kind": kind,
                            "amount_minor": minor,
                            "source_type": "receipt",
                            "source_id": rid,
                            "entry_id": entry_id,
                            "created_by": user,
                            "created_at": now,
                        }
                    )
            app_rows.append(
                _app_row(
                    p,
                    ln.document["id"],
                    ln.document["customer_id"],
                    ln.cash,
                    ln,
                    on,
                    user,
                    now,
                    entry_id,
                )
            )
        if p.credit:
            app_rows.append(
                _app_row(p, None, p.customer_id, p.credit, None, on, user, now, entry_id)
            )
        text = amounts.text_in(p.receipt["currency"])
        uow.audit(
            "receipt.apply",
            "receipt",
            rid,
            after={
                "how": p.how,
                "rule": p.rule,
                "confidence": round(p.confidence, 3),
                "customer_id": p.customer_id,
                "entry_id": entry_id,
                "credit": text(p.credit),
                "documents": [
                    [
                        ln.document["number"],
                        text(ln.cash),
                        text(ln.discount),
                        text(ln.write_off),
                        text(ln.deduction),
                        text(ln.fee),
                    ]
                    for ln in p.lines
                ],
            },
        )
    uow.cash.add_settlements(settle_rows)
    uow.cash.add_applications(app_rows)
    return entry_ids


class _Amounts:
    """Money values and their audit text for one batch, each built once per (minor, currency).

    A batch repeats the same amounts (every zero, common invoice totals), and
    ``Money`` is immutable, so one value serves every line that needs it.
    Values come from ``Money.from_minor``, so a journal entry's balance check
    reads their minor units back without converting.
    """

    def __init__(self) -> None:
        self._money: dict[tuple[int, str], Money] = {}
        self._texts: dict[str, Callable[[int], str]] = {}

    def money(self, minor: int, currency: str) -> Money:
        key = (minor, currency)
        value = self._money.get(key)
        if value is None:
            value = self._money[key] = Money.from_minor(minor, currency)
        return value

    def text_in(self, currency: str) -> Callable[[int], str]:
        """``str(Currency.from_minor(minor))`` for ``currency``, memoised per amount."""
        text = self._texts.get(currency)
        if text is None:
            cur = Currency.of(currency)
            memo: dict[int, str] = {}

            def text(minor: int) -> str:
                value = memo.get(minor)
                if value is None:
                    value = memo[minor] = str(cur.from_minor(minor))
                return value

            self._texts[currency] = text
        return text


def _application_entry(
    p: PendingApplication, on: date, codes: dict[SystemAccount, str], amounts: _Amounts
) -> JournalEntry:
    code = p.receipt["currency"]
    money = amounts.money
    rid = p.receipt["id"]
    jl: list[JournalLine] = []
    if p.cash:
        jl.append(
            JournalLine(
                codes[SystemAccount.UNAPPLIED_CASH], money(p.cash, code), memo=f"receipt {rid}"
            )
        )
    discount = write_off = fee = 0
    for ln in p.lines:
        discount += ln.discount
        write_off += ln.write_off
        fee += ln.fee
    for role, total in (
        (SystemAccount.SALES_DISCOUNTS, discount),
        (SystemAccount.WRITE_OFF, write_off),
        (SystemAccount.BANK_FEES, fee),
    ):
        if total:
            jl.append(JournalLine(codes[role], money(total, code), customer_id=p.customer_id))
    deductions, ar = codes[SystemAccount.DEDUCTIONS_CLEARING], codes[SystemAccount.AR_CONTROL]
    for ln in p.lines:
        doc = ln.document
        if ln.deduction:
            jl.append(
                JournalLine(
                    deductions,
                    money(ln.deduction, code),
                    customer_id=doc["customer_id"],
                    document_type="document",
                    document_id=doc["id"],
                    memo=ln.reason_code or "",
                )
            )
        jl.append(
            JournalLine(
                ar,
                money(-ln.settles, code),
                customer_id=doc["customer_id"],
                document_type="document",
                document_id=doc["id"],
            )
        )
    if p.credit:
        jl.append(
            JournalLine(
                codes[SystemAccount.CUSTOMER_CREDITS],
                money(-p.credit, code),
                customer_id=p.customer_id,
                memo=f"overpayment, receipt {rid}",
            )
        )
    numbers = ", ".join(ln.document["number"] for ln in p.lines) or "customer credit"
    return JournalEntry(
        on,
        f"Cash application: receipt {rid} to {numbers}",
        tuple(jl),
        source_type="receipt",
        source_id=rid,
    )


def _app_row(
    p: PendingApplication,
    document_id: int | None,
    customer_id: int | None,
    cash: int,
    ln: AppLine | None,
    on: date,
    user: str,
    now: Any,
    entry_id: int,
) -> dict[str, Any]:
    return {
        "receipt_id": p.receipt["id"],
        "document_id": document_id,
        "customer_id": customer_id,
        "amount_minor": cash,
        "discount_minor": ln.discount if ln else 0,
        "write_off_minor": ln.write_off if ln else 0,
        "deduction_minor": ln.deduction if ln else 0,
        "fee_minor": ln.fee if ln else 0,
        "reason_code": ln.reason_code if ln else None,
        "how": p.how,
        "rule": p.rule[:60],
        "confidence": float(p.confidence),
        "explanation": p.explanation,
        "applied_on": on,
        "applied_by": user,
        "applied_at": now,
        "entry_id": entry_id,
    }


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


# -- the matching run -----------------------------------------------------------
@dataclass(frozen=True)
class RunCashApplication:
    receipt_ids: tuple[int, ...] | None = None
    batch: int = 1000


@dataclass
class RunResult:
    receipts: int = 0
    auto_applied: int = 0
    exceptions: int = 0
    applied_value: dict[str, Money] = field(default_factory=dict)
    total_value: dict[str, Money] = field(default_factory=dict)
    by_rule: Counter[str] = field(default_factory=Counter)
    decisions: list[Decision] = field(default_factory=list)
    # Where the run's time went, for benchmarks (seconds, monotonic clock):
    # "prepare" (reading receipts, open items, customers; building the index),
    # "match" (the rules) and "persist" (postings, rows, audit, commits).
    seconds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("prepare", "match", "persist"), 0.0)
    )


def run_cash_application(
    cmd: RunCashApplication,
    uow: UnitOfWork,
    progress: Callable[[int], None] | None = None,
    keep_decisions: bool = False,
) -> RunResult:
    result = RunResult()
    clock = time.perf_counter
    started = clock()
    # The run holds every open item, the index and the receipts for its whole length:
    # the cyclic collector would re-scan them every few thousand allocations (a second
    # or so per full pass at 10^5 items) to find almost nothing; the few cycles wait.
    with uow, collector_paused():
        uow.require(Permission.APPLY_CASH)
        rows = uow.cash.receipts_to_match(cmd.receipt_ids)
        if not rows:
            return result
        settings = match_settings(uow)
        items = uow.cash.open_items()
        context = MatchContext.build(
            items,
            uow.cash.customer_infos(),
            earlier_receipts=earlier_receipts(uow, rows, settings.duplicate_window_days),
        )
        items_by_id = {item.id: item for item in items}
        knowledge = uow.cash.knowledge()
        result.seconds["prepare"] += clock() - started
        for start in range(0, len(rows), cmd.batch):
            chunk = rows[start : start + cmd.batch]
            started = clock()
            pending: list[dict[str, Any]] = []
            decided: list[tuple[dict[str, Any], Decision]] = []
            for row in chunk:
                receipt = receipt_from_row(row)
                decision = match_receipt(receipt, context, knowledge, settings)
                check_conservation(receipt, decision)
                consume(context, decision)
                result.receipts += 1
                cur = receipt.currency
                amount = Money(receipt.amount, cur)
                result.total_value[cur] = result.total_value.get(cur, Money.zero(cur)) + amount
                if keep_decisions:
                    result.decisions.append(decision)
                if decision.auto:
                    result.auto_applied += 1
                    result.by_rule[decision.rule] += 1
                    result.applied_value[cur] = result.applied_value.get(
                        cur, Money.zero(cur)
                    ) + Money(receipt.amount - decision.unapplied, cur)
                    decided.append((row, decision))
                else:
                    result.exceptions += 1
                pending.append(
                    {
                        "rid": row["id"],
                        "ms": "auto" if decision.auto else "exception",
                        "cid": decision.customer_id,
                        "prop": json.dumps(_proposal_json(decision)),
                    }
                )
            result.seconds["match"] += clock() - started
            started = clock()
            item_ids = {a.item_id for _, d in decided for a in d.allocations} | {
                a.item_id for _, d in decided for a in d.adjustments if a.item_id is not None
            }
            documents = {i: _document(items_by_id[i]) for i in item_ids if i in items_by_id}
            batch: list[PendingApplication] = []
            for row, decision in decided:
                lines, credit = lines_from_decision(decision, row["currency"], documents)
                batch.append(
                    PendingApplication(
                        row,
                        decision.customer_id,
                        lines,
                        credit,
                        "auto",
                        decision.rule,
                        decision.confidence,
                        decision.explanation,
                    )
                )
            post_applications(uow, batch, take_cash=False)
            taken = {p.receipt["id"]: p.cash for p in batch}
            uow.cash.record_matches(
                [
                    (m["rid"], m["ms"], m["cid"], m["prop"], taken.get(m["rid"], 0), cur)
                    for m, cur in zip(pending, (row["currency"] for row in chunk), strict=True)
                ]
            )
            # Short pays found in this batch (services.disputes): only its documents are read.
            open_deduction_disputes(
                uow, {ln.document["id"] for p in batch for ln in p.lines if ln.deduction}
            )
            uow.audit(
                "cashapp.run",
                "receipts",
                f"{chunk[0]['id']}-{chunk[-1]['id']}",
                after={
                    "receipts": len(chunk),
                    "auto": sum(1 for p in pending if p["ms"] == "auto"),
                },
            )
            uow.commit()
            result.seconds["persist"] += clock() - started
            if progress:
                progress(len(chunk))
    return result


def earlier_receipts(
    uow: UnitOfWork, rows: Sequence[dict[str, Any]], window_days: int
) -> list[Receipt]:
    """Receipts applied before this run that a receipt of ``rows`` could repeat.

    The duplicate guard flags a receipt identical to one valued at most
    ``window_days`` away, so only receipts valued within that many days of a
    receipt to match can matter: those (kind ``receipt``, cash applied in full
    or in part, not among ``rows``) are loaded, nothing older. Receipts still
    in the queue are among ``rows`` and the run remembers them as it goes.
    """
    days = {
        day + timedelta(days=k)
        for day in {r["value_date"] for r in rows}
        for k in range(-window_days, window_days + 1)
    }
    skip = {r["id"] for r in rows}
    return [receipt_from_row(r) for r in uow.cash.applied_receipts_on(days) if r["id"] not in skip]


def _document(item: OpenItem) -> dict[str, Any]:
    """What posting needs of a document, from the open item the run loaded."""
    return {
        "id": item.id,
        "number": item.number,
        "currency": item.currency,
        "customer_id": item.customer_id,
    }


def _proposal_json(decision: Decision) -> dict[str, Any]:
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
