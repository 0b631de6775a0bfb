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

This module runs the scenario and prints its summary; the run is read back in
``takehome_view``, judged in ``takehome_findings``, planned in ``takehome_plan``
and written out in ``takehome_files``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy import Engine

from owed.adapters.bankfiles import file_digest, parse_bytes
from owed.adapters.db.directory import CompanyRepository
from owed.adapters.db.engine import ensure_schema, make_engine
from owed.adapters.db.uow import SqlUnitOfWork
from owed.adapters.tables import read_table
from owed.config import Settings
from owed.domain.clock import FixedClock
from owed.domain.errors import InvalidInput
from owed.domain.payments.statement import ParsedFile, ParseOptions
from owed.entrypoints.demo.takehome_files import write_csv, write_exceptions, write_gl, write_plan
from owed.entrypoints.demo.takehome_findings import (
    Finding,
    GlEntry,
    find_exceptions,
    propose_entries,
)
from owed.entrypoints.demo.takehome_plan import FollowUpPlan, build_plan
from owed.entrypoints.demo.takehome_view import (
    adjustments_total,
    posted_entries,
    read_view,
    today_notes,
)
from owed.services.billing_imports import ImportInvoices, import_invoices
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_reading import EXPORT_COLUMNS, export_applications
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
    view = read_view(uow("lena"), run.decisions, receipt_ids)
    findings = find_exceptions(view)
    posted = posted_entries(uow("lena"), receipt_ids, view, CURRENCY)
    proposed = propose_entries(findings, view, as_of, CURRENCY)
    forecast = run_forecast(RunForecast(), uow("lena"))
    plan = build_plan(
        lambda: uow("lena"),
        as_of,
        "Take-home Distribution Inc.",
        forecast,
        view.open_items,
        today_notes(view, findings),
        CURRENCY,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (
        write_csv(out_dir / "applications.csv", EXPORT_COLUMNS, export_applications(uow("lena"))),
        write_exceptions(out_dir / "exceptions.csv", findings),
        *write_gl(out_dir, posted, proposed),
        write_plan(out_dir, plan),
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
        adjustments_total(posted, view),
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
