"""`owed demo --scenario take-home`: the classic AR take-home test, done by Owed.

Inputs are plain files in one folder (``--inputs``): ``open_ar_aging.csv``,
``customers.csv`` and the day's bank files (every file whose name starts with
``bank``, any format Owed parses). When the folder has no aging file the
scenario writes its own (``owed.simulation.takehome``); otherwise the user's
files are used as they are.

Each run creates a fresh company (``TAKEHOME``, then ``TAKEHOME-2`` ...) in
the configured database with a fixed clock on the scenario's date, loads the
files through the ordinary use cases (customer import, invoice import, bank
import), runs cash application, and writes to ``--out``:

* ``applications.csv``: the applications (the ``owed cashapp export`` format);
* ``exceptions.csv``: each receipt a person must look at, with its root cause;
* ``gl_entries.csv`` / ``gl_entries.md``: the adjustments posted, and those proposed;
* ``follow_up_plan.md`` (+ ``emails/``): the five most delinquent accounts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from owed.adapters.bankfiles import file_digest, parse_bytes
from owed.adapters.db.directory import CompanyRepository
from owed.adapters.db.engine import ensure_schema, make_engine
from owed.adapters.db.uow import SqlUnitOfWork
from owed.adapters.tables import read_table
from owed.config import Settings
from owed.domain.cash_application.model import AdjustmentKind, Decision, OpenItem
from owed.domain.clock import FixedClock
from owed.domain.errors import InvalidInput
from owed.domain.ledger import SystemAccount
from owed.domain.money import Currency
from owed.domain.payments.statement import ParsedFile, ParseOptions
from owed.entrypoints.demo.takehome_findings import (
    Finding,
    GlEntry,
    GlLine,
    RunView,
    find_exceptions,
    propose_entries,
)
from owed.entrypoints.demo.takehome_plan import FollowUpPlan, build_plan, render_plan
from owed.services.billing_imports import ImportInvoices, import_invoices
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_corrections import EXPORT_COLUMNS, export_applications
from owed.services.companies import CreateCompany, create_company
from owed.services.customer_imports import ImportCustomers, import_customers
from owed.services.forecast import RunForecast, run_forecast
from owed.services.ledger import trial_balance
from owed.services.payments import ImportBankFile, import_bank_file
from owed.services.users import AddUser, add_user
from owed.simulation.takehome import write_takehome

COMPANY = "TAKEHOME"
AGING, CUSTOMERS = "open_ar_aging.csv", "customers.csv"
CURRENCY = "USD"


@dataclass(frozen=True)
class TakeHomeReport:
    company: str
    as_of: date
    inputs_dir: Path
    out_dir: Path
    user_files: bool  # True: the folder already held the inputs (used as they are)
    receipts: int
    auto_applied: int
    findings: tuple[Finding, ...]
    posted: tuple[GlEntry, ...]
    proposed: tuple[GlEntry, ...]
    plan: FollowUpPlan
    adjustments_total: Decimal  # deductions, write-offs, discounts, fees, credits kept
    ledger_balanced: bool
    files: tuple[Path, ...]


def run_takehome(
    settings: Settings,
    console: Console,
    inputs_dir: Path,
    out_dir: Path,
    today: date | None = None,
    seed: int = 11,
) -> TakeHomeReport:
    """Load the inputs into a fresh company, apply the cash, write the results."""
    user_files, as_of, banks = _inputs(inputs_dir, today, seed)
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    clock = FixedClock.on(as_of, hour=17)
    code = _fresh_code(engine)
    admin = settings.acting_user()
    create_company(
        CreateCompany(
            code=code,
            name="Take-home Distribution Inc.",
            base_currency=CURRENCY,
            timezone="America/New_York",
            admin_username=admin,
        ),
        SqlUnitOfWork(engine, code, None, clock, creating=True),
    )

    def uow(user: str = "carol") -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code, user, clock)

    for username, role, name in (("carol", "clerk", "Carol Clerk"), ("lena", "lead", "Lena Lead")):
        add_user(AddUser(username, (role,), name), uow(admin))
    import_customers(ImportCustomers(read_table(inputs_dir / CUSTOMERS)), uow())
    import_invoices(ImportInvoices(read_table(inputs_dir / AGING)), uow())
    receipt_ids: list[int] = []
    for path, parsed, digest in banks:
        done = import_bank_file(ImportBankFile(parsed, path.name, digest), uow())
        receipt_ids += done.receipt_ids
    run = run_cash_application(RunCashApplication(tuple(receipt_ids)), uow(), keep_decisions=True)
    view = _view(uow("lena"), run.decisions, receipt_ids)
    findings = find_exceptions(view)
    posted = _posted(uow("lena"), receipt_ids, view)
    proposed = propose_entries(findings, view, as_of, CURRENCY)
    forecast = run_forecast(RunForecast(), uow("lena"))
    plan = build_plan(
        lambda: uow("lena"),
        as_of,
        "Take-home Distribution Inc.",
        forecast,
        view.open_items,
        _today_notes(view, findings),
        CURRENCY,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (
        _write_csv(out_dir / "applications.csv", EXPORT_COLUMNS, export_applications(uow("lena"))),
        _write_exceptions(out_dir / "exceptions.csv", findings),
        *_write_gl(out_dir, posted, proposed),
        _write_plan(out_dir, plan),
    )
    report = TakeHomeReport(
        code,
        as_of,
        inputs_dir,
        out_dir,
        user_files,
        run.receipts,
        run.auto_applied,
        tuple(findings),
        tuple(posted),
        tuple(proposed),
        plan,
        _adjustments(posted, view),
        trial_balance(uow("lena")).balanced,
        files,
    )
    show(console, report)
    return report


# -- inputs and company -------------------------------------------------------
def _inputs(
    folder: Path, today: date | None, seed: int
) -> tuple[bool, date, list[tuple[Path, ParsedFile, str]]]:
    user_files = (folder / AGING).is_file()
    as_of = today
    if not user_files:
        generated = write_takehome(folder, seed)
        as_of = today or generated.as_of
    missing = [n for n in (AGING, CUSTOMERS) if not (folder / n).is_file()]
    bank_paths = sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("bank"))
    if missing or not bank_paths:
        need = missing + ([] if bank_paths else ["bank* (the bank files)"])
        raise InvalidInput(f"{folder}: the take-home needs {', '.join(need)}")
    banks = []
    for path in bank_paths:
        data = path.read_bytes()
        banks.append(
            (path, parse_bytes(data, str(path), None, ParseOptions(strict=True)), file_digest(data))
        )
    if as_of is None:  # the user's files: the day after the bank's latest value date
        dates = [
            ln.value_date
            for _, p, _ in banks
            for s in p.statements
            for ln in s.lines
            if ln.value_date is not None
        ]
        if not dates:
            raise InvalidInput(f"{folder}: the bank files hold no transactions; pass --today")
        as_of = max(d for d in dates if d is not None)
    return user_files, as_of, banks


def _fresh_code(engine: Engine) -> str:
    with engine.connect() as conn:
        repo = CompanyRepository(conn)
        n = 1
        while repo.get(COMPANY if n == 1 else f"{COMPANY}-{n}") is not None:
            n += 1
    return COMPANY if n == 1 else f"{COMPANY}-{n}"


# -- reading the run back ---------------------------------------------------------
def _view(uow: SqlUnitOfWork, decisions: list[Decision], receipt_ids: list[int]) -> RunView:
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


def _posted(uow: SqlUnitOfWork, receipt_ids: list[int], view: RunView) -> list[GlEntry]:
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
                        CURRENCY,
                        lines,
                    )
                )
    return out


def _adjustments(posted: list[GlEntry], view: RunView) -> Decimal:
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


def _today_notes(view: RunView, findings: list[Finding]) -> dict[str, list[str]]:
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


# -- writing ---------------------------------------------------------------------
def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


EXCEPTION_COLUMNS = (
    "payment_reference",
    "value_date",
    "amount",
    "unapplied",
    "payer",
    "customer_id",
    "status",
    "root_cause",
    "duplicate_of",
    "suggestion",
)


def _write_exceptions(path: Path, findings: list[Finding]) -> Path:
    rows = [
        dict(
            zip(
                EXCEPTION_COLUMNS,
                (
                    f.reference,
                    f.value_date.isoformat(),
                    str(f.amount),
                    str(f.unapplied),
                    f.payer,
                    f.customer,
                    f.status,
                    f.cause,
                    f.duplicate_of,
                    f.suggestion,
                ),
                strict=True,
            )
        )
        for f in findings
    ]
    return _write_csv(path, EXCEPTION_COLUMNS, rows)


GL_COLUMNS = (
    "kind",
    "entry",
    "date",
    "description",
    "account",
    "account_name",
    "debit",
    "credit",
    "currency",
    "memo",
)


def _write_gl(folder: Path, posted: list[GlEntry], proposed: list[GlEntry]) -> tuple[Path, Path]:
    entries = [*posted, *proposed]
    rows = [
        dict(
            zip(
                GL_COLUMNS,
                (
                    e.kind,
                    e.ref,
                    e.on.isoformat(),
                    e.description,
                    ln.account,
                    ln.name,
                    str(ln.debit) if ln.debit else "",
                    str(ln.credit) if ln.credit else "",
                    e.currency,
                    ln.memo,
                ),
                strict=True,
            )
        )
        for e in entries
        for ln in e.lines
    ]
    csv_path = _write_csv(folder / "gl_entries.csv", GL_COLUMNS, rows)
    md = ["# GL entries for the day's adjustments", ""]
    for title, group in (("Posted by Owed", posted), ("Proposed: a person decides", proposed)):
        md += [f"## {title}", ""]
        for e in group:
            md += [
                f"**{e.ref}** {e.on.isoformat()}: {e.description}  ",
                f"_{e.why}_",
                "",
                "| account | name | debit | credit | memo |",
                "|---|---|--:|--:|---|",
            ]
            md += [
                f"| {ln.account} | {ln.name} | {ln.debit or ''} | {ln.credit or ''} | {ln.memo} |"
                for ln in e.lines
            ]
            md.append("")
    md_path = folder / "gl_entries.md"
    md_path.write_text("\n".join(md), encoding="utf-8")
    return csv_path, md_path


def _write_plan(folder: Path, plan: FollowUpPlan) -> Path:
    emails = folder / "emails"
    emails.mkdir(exist_ok=True)
    for a in plan.accounts:
        (emails / f"{a.customer}.txt").write_text(
            f"Subject: {a.subject}\n\n{a.email_text}", encoding="utf-8"
        )
    path = folder / "follow_up_plan.md"
    path.write_text(render_plan(plan), encoding="utf-8")
    return path


def show(console: Console, r: TakeHomeReport) -> None:
    source = "your files" if r.user_files else "generated files"
    console.print(
        f"[bold]Take-home[/] company {r.company}, as of {r.as_of.isoformat()}, "
        f"{source} in {r.inputs_dir}",
        highlight=False,
    )
    console.print(
        f"receipts {r.receipts}: {r.auto_applied} applied automatically, "
        f"{sum(1 for f in r.findings if f.status == 'unapplied')} left unapplied",
        highlight=False,
    )
    for f in r.findings:
        console.print(
            f"  {f.reference} {f.amount:>12,} [{f.status}] {f.cause}", highlight=False, markup=False
        )
    console.print(
        f"adjustments posted: {len(r.posted)} entries, {r.adjustments_total:,} {CURRENCY}; "
        f"{len(r.proposed)} entries proposed for a person to decide",
        highlight=False,
    )
    console.print(
        f"follow-up plan: {len(r.plan.accounts)} accounts, "
        f"{r.plan.past_due_of_five:,.2f} past due; expected in the next 14 days "
        f"{r.plan.expected_total:,.2f} {CURRENCY} ({r.plan.expected_from_five:,.2f} "
        "from these five, incl. invoices not yet due)",
        highlight=False,
    )
    console.print(f"ledger balanced: {'yes' if r.ledger_balanced else 'NO'}", highlight=False)
    console.print(
        f"results in {r.out_dir}/: " + ", ".join(p.name for p in r.files), highlight=False
    )
