"""Importing open invoices from an ERP (migration, or a periodic feed).

Columns (``INVOICE_COLUMNS``): invoice_number, customer_id (the customer's
external id), issue_date, due_date, currency, amount, open_amount (defaults
to amount), po_number. See docs/formats.md.

Bulk path, built for millions of rows:

1. one query loads the company's customers (external id → id) and one the
   existing document numbers with their amounts;
2. one validation pass in plain Python (``_validate_row``): dates, amounts
   exact for the currency, 0 ≤ open ≤ amount, known customer, no duplicate
   number within the file. A number already stored is *unchanged* when the
   customer, currency and amount agree and *changed* (reported, never
   applied) when they differ;
3. documents are inserted with client-allocated ids by SQLAlchemy Core
   executemany (``billing.add_imported``);
4. ONE opening entry per currency (``billing_postings.opening_entry``): one
   AR control line per document with an open amount, customer and document
   set, against opening balance equity, so the AR subledger equals the GL
   from the first day; dated ``as_of`` (default today);
5. a settlement row of kind ``opening`` for amount − open when they differ,
   dated ``as_of`` too, so "open as of D = total − Σ settlements ≤ D" holds
   from the import date on.

One audit record summarizes the import (file, counts, entries).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from owed.domain.auth import Permission
from owed.domain.billing.documents import DocumentStatus
from owed.domain.errors import Problem, UnknownCurrency
from owed.domain.money import Currency
from owed.services import billing_postings as postings
from owed.services.imports_common import (
    BadCell,
    ImportResult,
    ImportTable,
    Progress,
    Reject,
    cell_date,
    cell_minor,
    check_length,
    refuse_or_keep,
    resolve_columns,
)
from owed.services.ledger import post_entries
from owed.services.unit_of_work import UnitOfWork

INVOICE_COLUMNS = (
    "invoice_number",
    "customer_id",
    "issue_date",
    "due_date",
    "currency",
    "amount",
    "open_amount",
    "po_number",
)
INVOICE_REQUIRED = ("invoice_number", "customer_id", "issue_date", "due_date", "currency", "amount")
PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class ImportInvoices:
    table: ImportTable
    mapping: Mapping[str, str] = field(default_factory=dict)
    skip_invalid: bool = False
    as_of: date | None = None  # date of the opening entry and settlements (default today)
    dry_run: bool = False  # validate only
    # Post each invoice's opening balance on its own issue date (one entry per date
    # and currency) instead of on ``as_of``: the GL then matches the subledger on
    # every past date too, which a migration with history needs.
    post_on_issue_dates: bool = False


@dataclass(frozen=True)
class _Row:
    number: str
    customer_id: int
    issue_date: date
    due_date: date
    currency: str
    amount: int
    open: int
    po_number: str | None


def import_invoices(
    cmd: ImportInvoices, uow: UnitOfWork, progress: Progress | None = None
) -> ImportResult:
    with uow:
        uow.require(Permission.IMPORT_AR)
        columns = resolve_columns(cmd.table, cmd.mapping, INVOICE_COLUMNS, INVOICE_REQUIRED)
        started = time.perf_counter()
        result = ImportResult(header=list(cmd.table.header))
        good = _validate(cmd.table, columns, uow, result, progress)
        result.validate_seconds = time.perf_counter() - started
        refuse_or_keep(result, cmd.table.source, "invoice file", cmd.skip_invalid)
        if cmd.dry_run or not good:
            return result
        started = time.perf_counter()
        on = cmd.as_of or uow.today()
        result.entry_ids = _write(uow, good, on, cmd.table.source, cmd.post_on_issue_dates)
        result.imported = len(good)
        uow.audit(
            "import.invoices",
            "import",
            cmd.table.source,
            after={
                "rows": result.read,
                "imported": result.imported,
                "unchanged": result.unchanged,
                "changed": len(result.changed),
                "rejected": len(result.rejects),
                "entries": result.entry_ids,
                "as_of": on.isoformat(),
            },
        )
        uow.commit()
        result.write_seconds = time.perf_counter() - started
        return result


def _validate(
    table: ImportTable,
    columns: dict[str, int],
    uow: UnitOfWork,
    result: ImportResult,
    progress: Progress | None,
) -> list[_Row]:
    customers = uow.customers.external_ids()
    existing = uow.billing.document_numbers()
    seen: dict[str, int] = {}
    good: list[_Row] = []
    exponents: dict[str, int] = {}
    c = columns
    i_num, i_cust, i_issue, i_due, i_cur, i_amt = (
        c["invoice_number"],
        c["customer_id"],
        c["issue_date"],
        c["due_date"],
        c["currency"],
        c["amount"],
    )
    i_open, i_po = c.get("open_amount"), c.get("po_number")
    width = max(columns.values()) + 1
    row_no = 1
    for row_no, cells in enumerate(table.rows, start=2):
        if row_no % PROGRESS_EVERY == 0 and progress is not None:
            progress(row_no - 1)
        try:
            if len(cells) < width:
                cells = [*cells, *([""] * (width - len(cells)))]
            number = check_length(cells[i_num].strip(), "invoice_number", 40)
            if not number:
                raise BadCell("invoice_number is empty")
            first = seen.get(number)
            if first is not None:
                raise BadCell(f"invoice_number {number} repeats row {first}")
            seen[number] = row_no
            ext = cells[i_cust].strip()
            customer = customers.get(ext)
            if customer is None:
                raise BadCell(f"customer_id {ext!r} is not a known customer")
            code = cells[i_cur].strip().upper()
            exponent = exponents.get(code)
            if exponent is None:
                try:
                    exponent = exponents[code] = Currency.of(code).minor_units
                except UnknownCurrency:
                    raise BadCell(f"currency {code!r} is not an ISO 4217 code") from None
            amount = cell_minor(cells[i_amt].strip(), "amount", code, exponent)
            if amount <= 0:
                raise BadCell(f"amount {cells[i_amt].strip()} must be positive")
            open_text = cells[i_open].strip() if i_open is not None else ""
            open_minor = (
                cell_minor(open_text, "open_amount", code, exponent) if open_text else amount
            )
            if open_minor < 0 or open_minor > amount:
                raise BadCell(
                    f"open_amount {open_text} must be between 0 and amount {cells[i_amt].strip()}"
                )
            issue = cell_date(cells[i_issue].strip(), "issue_date")
            due = cell_date(cells[i_due].strip(), "due_date")
            if due < issue:
                raise BadCell(f"due_date {due} is before issue_date {issue}")
        except BadCell as bad:
            result.rejects.append(Reject(row_no, list(cells), str(bad)))
            continue
        stored = existing.get(number)
        if stored is not None:
            if stored == (customer[0], code, amount):
                result.unchanged += 1
            else:
                result.changed.append(
                    Problem(
                        f"row {row_no}",
                        f"invoice {number} already exists with "
                        f"{_describe(stored)}; the file says "
                        f"{_describe((customer[0], code, amount))}"
                        ": not applied",
                        row=row_no,
                    )
                )
            continue
        po = cells[i_po].strip() if i_po is not None else ""
        if len(po) > 60:
            result.rejects.append(
                Reject(row_no, list(cells), f"po_number is {len(po)} characters long; at most 60")
            )
            continue
        good.append(_Row(number, customer[0], issue, due, code, amount, open_minor, po or None))
    result.read = row_no - 1
    return good


def _describe(key: tuple[int, str, int]) -> str:
    customer_id, code, minor = key
    return f"customer #{customer_id}, amount {Currency.of(code).from_minor(minor)} {code}"


def _status(row: _Row) -> str:
    if row.open == row.amount:
        return DocumentStatus.ISSUED.value
    return DocumentStatus.PAID.value if row.open == 0 else DocumentStatus.PARTIALLY_PAID.value


def _write(
    uow: UnitOfWork, rows: list[_Row], on: date, source: str, on_issue_dates: bool = False
) -> list[int]:
    ids = uow.billing.allocate_document_ids(len(rows))
    by = uow.actor.username
    at = uow.now()
    uow.billing.add_imported(
        [
            {
                "id": doc_id,
                "customer_id": r.customer_id,
                "number": r.number,
                "status": _status(r),
                "issue_date": r.issue_date,
                "due_date": r.due_date,
                "currency": r.currency,
                "net_minor": r.amount,
                "total_minor": r.amount,
                "open_minor": r.open,
                "po_number": r.po_number,
            }
            for doc_id, r in zip(ids, rows, strict=True)
        ],
        by,
        at,
    )
    groups: dict[tuple[date, str], list[tuple[int, int, str, int]]] = defaultdict(list)
    for doc_id, r in zip(ids, rows, strict=True):
        if r.open:
            day = r.issue_date if on_issue_dates else on
            groups[(day, r.currency)].append((r.customer_id, doc_id, r.number, r.open))
    keys = sorted(groups)
    entries = [
        postings.opening_entry(uow, day, cur, groups[(day, cur)], source) for day, cur in keys
    ]
    entry_ids = post_entries(uow, entries)
    entry_of = dict(zip(keys, entry_ids, strict=True))
    settlements: list[dict[str, Any]] = [
        {
            "document_id": doc_id,
            "on_date": on,
            "kind": "opening",
            "amount_minor": r.amount - r.open,
            "source_type": "import",
            "entry_id": entry_of.get((r.issue_date if on_issue_dates else on, r.currency)),
        }
        for doc_id, r in zip(ids, rows, strict=True)
        if r.open != r.amount
    ]
    uow.billing.add_settlements(settlements, by, at)
    return entry_ids
