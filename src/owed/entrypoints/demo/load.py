"""Load the generated demo company's past into a fresh company, through the use cases.

The past is what an AR team inherits when it starts with Owed: customers and a
year of invoices taken over from the ERP, and the payments already applied to
them. Everything goes through the same use cases a user would run (imports,
bank import, applications), so the ledger, settlements and audit trail are as
real as production's: invoices are imported day by day on their issue dates,
history receipts arrive as one bank file and are applied on their value dates
(most by the matcher, some by hand, as in real life).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from owed.adapters.db.uow import SqlUnitOfWork
from owed.adapters.tables import read_table
from owed.domain.errors import OwedError
from owed.domain.money import Currency
from owed.domain.payments.statement import Direction, ParsedFile, Statement, StatementLine
from owed.services.billing_imports import ImportInvoices, import_invoices
from owed.services.cash_postings import AppLine, PendingApplication, post_applications
from owed.services.customer_imports import ImportCustomers, import_customers
from owed.services.disputes import (
    InvestigateDispute,
    OpenDispute,
    ResolveDispute,
    investigate_dispute,
    open_dispute,
    resolve_dispute,
)
from owed.services.imports_common import ImportTable
from owed.services.payments import ImportBankFile, import_bank_file
from owed.services.promises import AddPromise, add_promise
from owed.services.users import AddUser, add_user
from owed.services.writeoffs import (
    ApproveWriteOff,
    RequestWriteOff,
    approve_write_off,
    request_write_off,
)
from owed.simulation.demo_model import DemoCompany, DemoReceipt
from owed.simulation.files import INVOICE_COLUMNS, invoice_row, write_customers_csv

Step = Callable[[str, int], None]  # (description, units done) progress callback

DEMO_USERS = (
    ("carol", "clerk", "Carol Clerk"),
    ("lena", "lead", "Lena Lead"),
    ("victor", "admin", "Victor Controller"),
)


def add_users(company: DemoCompany, uow: Callable[[str], SqlUnitOfWork], admin: str) -> None:
    for username, role, name in DEMO_USERS:
        add_user(AddUser(username, (role,), name), uow(admin))
    for collector in company.collectors:
        add_user(AddUser(collector, ("specialist",), collector.title()), uow(admin))


def load_master_data(
    company: DemoCompany, folder: Path, uow: Callable[[str], SqlUnitOfWork]
) -> None:
    """Customers from a CSV file, then invoices imported on their issue dates."""
    customers_csv = write_customers_csv(folder / "customers.csv", company.customers)
    import_customers(ImportCustomers(read_table(customers_csv)), uow("carol"))
    rows = [invoice_row(dataclasses.replace(i, open_amount=i.amount)) for i in company.invoices]
    table = ImportTable("erp-invoices.csv", INVOICE_COLUMNS, rows)
    import_invoices(ImportInvoices(table, post_on_issue_dates=True), uow("carol"))


def statement_line(r: DemoReceipt) -> StatementLine:
    return StatementLine(
        amount=r.amount,
        currency=r.currency,
        direction=Direction.CREDIT,
        value_date=r.value_date,
        booking_date=r.reported_on,
        bank_reference=r.bank_reference,
        customer_reference=r.customer_reference,
        method=r.method,
        payer_name=r.payer_name,
        payer_account=r.payer_account,
        remittance_text=r.remittance_text,
        remittance=r.remittance,
        source_position=f"history {r.id}",
    )


def load_history(company: DemoCompany, uow: Callable[[str], SqlUnitOfWork], step: Step) -> None:
    """Past receipts as a bank history file, applied on their value dates as the truth says."""
    receipts = sorted(company.history_receipts, key=lambda r: (r.value_date, r.id))
    by_currency: dict[str, list[DemoReceipt]] = defaultdict(list)
    for r in receipts:
        by_currency[r.currency].append(r)
    statements = tuple(
        Statement(company.bank_accounts[cur], cur, tuple(statement_line(r) for r in rs))
        for cur, rs in sorted(by_currency.items())
    )
    result = import_bank_file(
        ImportBankFile(
            ParsedFile("history", statements),
            "bank-history.csv",
            f"demo-history-{company.seed}-{company.today}",
        ),
        uow("carol"),
    )
    ordered = [r for _, rs in sorted(by_currency.items()) for r in rs]
    db_ids = dict(zip((r.id for r in ordered), result.receipt_ids, strict=True))
    step("history receipts imported", 0)
    todo = [r for r in ordered if r.allocations and r.duplicate_of is None]
    for start in range(0, len(todo), 500):
        chunk = todo[start : start + 500]
        _apply_chunk(chunk, db_ids, uow)
        step("history applied", len(chunk))


def _apply_chunk(
    chunk: list[DemoReceipt], db_ids: dict[str, int], uow: Callable[[str], SqlUnitOfWork]
) -> None:
    # Most history was applied by the matcher; one in eight by hand (as in real teams).
    for how, user in (("auto", "carol"), ("manual", "carol")):
        part = [r for r in chunk if (hash_id(r.id) % 8 == 0) == (how == "manual")]
        if not part:
            continue
        work = uow(user)
        with work:
            numbers = {a.invoice_number for r in part for a in r.allocations}
            docs = {d["number"]: d for d in work.cash.documents_by_numbers(sorted(numbers))}
            receipts = work.cash.receipts_by_ids([db_ids[r.id] for r in part])
            batch = []
            for r in part:
                row = receipts[db_ids[r.id]]
                c = Currency.of(r.currency)
                lines = [
                    AppLine(
                        docs[a.invoice_number],
                        cash=c.to_minor(a.amount),
                        discount=c.to_minor(a.discount),
                        fee=c.to_minor(a.bank_fee),
                    )
                    for a in r.allocations
                ]
                credit = 0
                customer_id = docs[r.allocations[0].invoice_number]["customer_id"]
                batch.append(
                    PendingApplication(
                        row,
                        customer_id,
                        lines,
                        credit,
                        how,
                        "history" if how == "auto" else "manual",
                        0.97 if how == "auto" else 1.0,
                        "applied before Owed took over (demo history)",
                    )
                )
            post_applications(work, batch)
            work.cash.set_matches(
                [
                    {"rid": p.receipt["id"], "ms": how, "cid": p.customer_id, "prop": None}
                    for p in batch
                ]
            )
            work.commit()


def hash_id(text: str) -> int:
    """A stable small number from an id (Python's hash() is salted per process)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(text))


UowAt = Callable[[str, Any], SqlUnitOfWork]  # (username, business date) -> unit of work


def load_collections_history(company: DemoCompany, uow_at: UowAt) -> list[str]:
    """Disputes (and their resolutions), promises and write-offs, each on its own date.

    Returns what could not be replayed, with the reason (shown by the demo: the
    generator and the rules may disagree on an edge case, and we say so).
    """
    problems: list[str] = []
    collector_of = {c.external_id: c.collector for c in company.customers}
    events: list[tuple[Any, int, Callable[[], None]]] = []
    for d in company.disputes:
        events.append((d.opened_on, 0, _dispute_events(d, collector_of, uow_at, problems)))
    for p in company.promises:
        events.append((p.made_on, 1, partial(_promise, p, uow_at)))
    for w in company.write_offs:
        if w.reason == "dispute":
            continue  # written off by the dispute's resolution, replayed with the dispute
        events.append((w.on, 2, partial(_write_off, w, collector_of, uow_at)))
    for day, order, event in sorted(events, key=lambda e: (e[0], e[1])):
        try:
            event()
        except OwedError as exc:
            what = ("dispute", "promise", "write-off")[order]
            problems.append(f"{what} of {day}: {exc}")
    return problems


def _dispute_events(
    d: Any, collector_of: dict[str, str], uow_at: UowAt, problems: list[str]
) -> Callable[[], None]:
    def run() -> None:
        owner = collector_of.get(d.customer_id) or "lena"
        dispute_id = open_dispute(
            OpenDispute(d.invoice_number, d.reason, d.amount, d.note, owner),
            uow_at(owner, d.opened_on),
        )
        if d.status == "open":
            return
        investigate_dispute(InvestigateDispute(dispute_id, owner), uow_at(owner, d.opened_on))
        closed = d.closed_on or d.opened_on
        try:
            if d.status == "rejected":
                resolve_dispute(
                    ResolveDispute(dispute_id, "reject", "claim not supported"),
                    uow_at("lena", closed),
                )
            elif d.status == "resolved" and d.resolution == "credit_memo":
                resolve_dispute(
                    ResolveDispute(dispute_id, "credit_memo", "claim accepted"),
                    uow_at("lena", closed),
                )
            elif d.status == "resolved" and d.resolution == "write_off":
                resolved = resolve_dispute(
                    ResolveDispute(dispute_id, "write_off"), uow_at(owner, closed)
                )
                if resolved.pending and resolved.reference:  # "write-off 12"
                    write_off_id = int(resolved.reference.rsplit(" ", 1)[-1])
                    approve_write_off(
                        ApproveWriteOff(write_off_id), uow_at(_approver(d.amount), closed)
                    )
        except OwedError as exc:
            problems.append(f"dispute on {d.invoice_number}: {exc}")

    return run


def _promise(p: Any, uow_at: UowAt) -> None:
    add_promise(
        AddPromise(p.customer_id, p.amount, p.promised_for, "AP department", p.invoice_numbers),
        uow_at(p.collector, p.made_on),
    )


def _write_off(w: Any, collector_of: dict[str, str], uow_at: UowAt) -> None:
    requester = collector_of.get(w.customer_id, "carol")
    result = request_write_off(
        RequestWriteOff(w.invoice_number, w.amount, w.reason), uow_at(requester, w.on)
    )
    if result.status == "requested":
        approve_write_off(ApproveWriteOff(result.write_off_id), uow_at(_approver(w.amount), w.on))


def _approver(amount: Any) -> str:
    """The lead approves up to her limit (10,000 by default); larger ones go to the controller."""
    return "lena" if amount <= 10_000 else "victor"
