"""Posting cash applications: the journal entry, the settlements, the application rows.

One decision for one receipt (``PendingApplication``: an ``AppLine`` per
document in minor units, plus any overpayment kept as credit) is posted at
once (see docs/ledger.md):

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

``post_applications`` posts a batch (the matching run's, in
``services.cash_application``); ``post_application`` posts one decision (a
person's, in ``cash_corrections``). A posting is dated by ``posting_date``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from owed.domain.errors import InvalidInput, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.ledger import account, post_entries, posting_dates
from owed.services.unit_of_work import UnitOfWork


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
