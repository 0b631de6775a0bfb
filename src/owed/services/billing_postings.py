"""The journal entries of billing events (see docs/ledger.md).

* Invoice / debit memo issued: Dr AR control (customer, document) gross;
  Cr revenue (each line's account, else the REVENUE role) net per account;
  Cr tax payable (each tax code's account, else TAX_PAYABLE) tax per account.
* Credit memo issued: the same lines with opposite signs, the AR line on the
  memo document.
* Credit memo applied to its invoice: Dr AR control (memo) / Cr AR control
  (invoice), same customer, so each document's AR balance stays equal to its
  open amount.
* Opening balances imported: Dr AR control (customer, document) open amount
  per document / Cr opening balance equity the sum, one entry per currency.

Lines whose amount is zero are left out (a journal line may not be zero).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from owed.domain.billing.documents import DocumentKind
from owed.domain.billing.tax import DocumentTotals
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Money
from owed.services.billing_model import Document
from owed.services.ledger import account
from owed.services.unit_of_work import UnitOfWork

DOCUMENT = "document"  # journal_lines.document_type and journal_entries.source_type


def _grouped(pairs: Iterable[tuple[str, Money]]) -> list[tuple[str, Money]]:
    out: dict[str, Money] = {}
    for code, amount in pairs:
        out[code] = out[code] + amount if code in out else amount
    return [(code, amount) for code, amount in out.items() if not amount.is_zero()]


def issue_entry(
    uow: UnitOfWork,
    doc: Document,
    totals: DocumentTotals,
    line_accounts: Sequence[str | None],
    tax_accounts: Mapping[str, str | None],
) -> JournalEntry:
    """The entry of an issued invoice, debit memo or credit memo (see module doc)."""
    revenue = account(uow, SystemAccount.REVENUE)
    tax_payable = account(uow, SystemAccount.TAX_PAYABLE)
    ar = account(uow, SystemAccount.AR_CONTROL)
    sign = -1 if doc.kind is DocumentKind.CREDIT_MEMO else 1
    credits = _grouped(
        [
            (acct or revenue, line.net)
            for acct, line in zip(line_accounts, totals.lines, strict=True)
        ]
        + [
            (tax_accounts.get(line.tax_code or "") or tax_payable, line.tax)
            for line in totals.lines
            if line.tax_code
        ]
    )
    lines = [
        JournalLine(
            ar,
            totals.gross * sign,
            customer_id=doc.customer_id,
            document_type=DOCUMENT,
            document_id=doc.id,
            memo=doc.number,
        )
    ]
    lines += [JournalLine(code, -amount * sign, memo=doc.number) for code, amount in credits]
    what = doc.kind.value.replace("_", " ").capitalize()
    return JournalEntry(
        doc.issue_date,
        f"{what} {doc.number} to {doc.customer_external_id}",
        tuple(lines),
        DOCUMENT,
        doc.id,
    )


def application_entry(
    uow: UnitOfWork, memo: Document, invoice: Document, amount: Money, on: date
) -> JournalEntry:
    """Dr AR (memo) / Cr AR (invoice): the credit memo settles the invoice."""
    ar = account(uow, SystemAccount.AR_CONTROL)
    return JournalEntry(
        on,
        f"Credit memo {memo.number} applied to {invoice.number}",
        (
            JournalLine(
                ar,
                amount,
                customer_id=memo.customer_id,
                document_type=DOCUMENT,
                document_id=memo.id,
                memo=memo.number,
            ),
            JournalLine(
                ar,
                -amount,
                customer_id=invoice.customer_id,
                document_type=DOCUMENT,
                document_id=invoice.id,
                memo=invoice.number,
            ),
        ),
        "credit_memo_application",
        memo.id,
    )


def opening_entry(
    uow: UnitOfWork, on: date, currency: str, items: Sequence[tuple[int, int, str, int]], label: str
) -> JournalEntry:
    """One opening entry: items are (customer id, document id, number, open minor)."""
    ar = account(uow, SystemAccount.AR_CONTROL)
    equity = account(uow, SystemAccount.OPENING_BALANCE)
    lines = [
        JournalLine(
            ar,
            Money.from_minor(minor, currency),
            customer_id=customer_id,
            document_type=DOCUMENT,
            document_id=document_id,
            memo=number,
        )
        for customer_id, document_id, number, minor in items
    ]
    total = sum(minor for *_, minor in items)
    lines.append(JournalLine(equity, -Money.from_minor(total, currency), memo=label))
    return JournalEntry(on, f"Opening balances imported: {label}", tuple(lines), "import")
