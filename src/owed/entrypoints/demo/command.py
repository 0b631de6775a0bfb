"""`owed demo`: build a realistic company and run the AR team's day, in under a minute.

The demo company lives in the configured database (default: the SQLite file
``owed.db``) under company code ``DEMO`` with its own clock: "today" is the day
the data was generated for. Running the demo again finds the company already
there and runs the day again, which changes nothing (bank files are recognised,
dunning is idempotent per day) and shows the dashboard.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from owed.entrypoints.cli.common import console

if TYPE_CHECKING:
    from rich.progress import Progress

    from owed.domain.clock import FixedClock

DEMO_COMPANY = "DEMO"


class Scenario(StrEnum):
    COMPANY = "company"
    TAKE_HOME = "take-home"


def demo(
    customers: Annotated[int, typer.Option(help="How many customers to generate")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same company")] = 7,
    today: Annotated[
        str | None, typer.Option(help="The demo's business date (default: today)")
    ] = None,
    company: Annotated[str, typer.Option(help="Company code of the demo")] = DEMO_COMPANY,
    scenario: Annotated[
        Scenario,
        typer.Option(
            help="company: a year of a company and its day; take-home: the AR take-home test"
        ),
    ] = Scenario.COMPANY,
    inputs: Annotated[
        Path | None,
        typer.Option(
            help="take-home: folder of input files (written there when absent; yours are used "
            "as they are) [default: <data dir>/take-home]"
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="take-home: folder for the results [default: <inputs>/results]"),
    ] = None,
) -> None:
    """Build a realistic company and run the AR team's day end to end, then show the dashboard.

    With --scenario take-home: apply one day of cash from two bank files to an
    open AR aging, list the exceptions with their causes, propose the GL
    entries and write a follow-up plan for the five most delinquent accounts.
    """
    from owed.adapters.db.directory import CompanyRepository
    from owed.adapters.db.engine import ensure_schema, make_engine
    from owed.adapters.db.uow import SqlUnitOfWork
    from owed.config import load_settings
    from owed.domain.clock import FixedClock
    from owed.entrypoints.demo import dashboard
    from owed.entrypoints.demo.day import run_day
    from owed.entrypoints.demo.load import (
        add_users,
        load_collections_history,
        load_history,
        load_master_data,
    )
    from owed.entrypoints.demo.takehome import run_takehome
    from owed.simulation.company import build_company

    started = time.perf_counter()
    settings = load_settings()
    if scenario is Scenario.TAKE_HOME:
        folder = inputs or settings.data_dir / "take-home"
        run_takehome(
            settings,
            console,
            folder,
            out or folder / "results",
            date.fromisoformat(today) if today else None,
        )
        console.print(f"Done in {time.perf_counter() - started:.0f} s.")
        return
    day = date.fromisoformat(today) if today else datetime.now(UTC).date()
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    with engine.connect() as conn:
        existing = CompanyRepository(conn).get(company)
    if existing is not None:
        stored = existing.settings.get("demo", {})
        day = date.fromisoformat(stored.get("today", day.isoformat()))
        seed, customers = stored.get("seed", seed), stored.get("customers", customers)
    clock = FixedClock.on(day, hour=17)
    folder = settings.data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)

    def uow(user: str) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, company, user, clock)

    def uow_at(user: str, on: date) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, company, user, FixedClock.on(min(on, day), hour=17))

    with _progress(console) as progress:
        task = progress.add_task("generating the company", total=None)
        generated = build_company(seed=seed, customers=customers, today=day)
        if existing is None:
            admin = settings.acting_user()
            _create(
                engine,
                company,
                generated,
                clock,
                admin,
                settings_extra={
                    "demo": {"today": day.isoformat(), "seed": seed, "customers": customers}
                },
            )
            add_users(generated, uow, admin)
            progress.update(task, description="importing customers and a year of invoices")
            load_master_data(generated, folder, uow)
            # Disputes, credit memos and write-offs first, then the payments: every
            # amount then fits whatever the order of dates (payments only ever
            # cover what the credits left), and each event keeps its own date.
            progress.update(task, description="replaying disputes, promises and write-offs")
            skipped = load_collections_history(generated, uow_at)
            progress.update(task, description="replaying a year of payments")
            load_history(generated, uow, lambda _d, _n: None)
        else:
            skipped = []
            console.print(
                f"company {company} exists: running its day again (nothing is created twice)"
            )
        result = run_day(
            generated,
            folder,
            settings,
            clock,
            uow,
            lambda text: progress.update(task, description=text),
        )
    console.print(
        f"[bold]{generated.name}[/] — demo date {day.isoformat()}, "
        f"{len(generated.customers)} customers, {len(generated.invoices):,} invoices"
    )
    if skipped:
        console.print(
            f"[yellow]{len(skipped)} history events could not be replayed[/] (first: {skipped[0]})",
            highlight=False,
        )
    dashboard.show(console, uow, result, day, "USD")
    elapsed = time.perf_counter() - started
    clock_hint = "" if day == datetime.now(UTC).date() else f" OWED_CLOCK={day.isoformat()}"
    _next_steps(console, settings.database_url, company + clock_hint, folder, elapsed, day)


def _create(
    engine: Any,
    code: str,
    generated: Any,
    clock: FixedClock,
    admin: str,
    settings_extra: dict[str, Any],
) -> None:
    from owed.adapters.db.directory import CompanyRepository
    from owed.adapters.db.uow import SqlUnitOfWork
    from owed.services.companies import CreateCompany, create_company

    create_company(
        CreateCompany(
            code=code,
            name=generated.name,
            base_currency="USD",
            timezone="America/New_York",
            admin_username=admin,
        ),
        SqlUnitOfWork(engine, code, None, clock, creating=True),
    )
    with engine.begin() as conn:
        repo = CompanyRepository(conn)
        ref = repo.get(code)
        assert ref is not None
        settings = dict(ref.settings)
        settings["fx_rates"] = {
            cur: str(rate) for cur, rate in generated.fx_to_base.items() if cur != "USD"
        }
        settings["document_header"] = {"name": generated.name}
        settings.update(settings_extra)
        repo.update_settings(ref.id, json.loads(json.dumps(settings)))


def _progress(console: Console) -> Progress:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _next_steps(
    console: Console, url: str, company: str, folder: Path, elapsed: float, day: date
) -> None:
    env = f"OWED_COMPANY={company}"
    last = day.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _ in range(2):  # three full months back
        first = (first - timedelta(days=1)).replace(day=1)
    period = f"{last.year:04d}-{last.month:02d}"
    console.print(
        f"\nDone in {elapsed:.0f} s. Explore the demo company (database {url}):\n"
        f"  {env} OWED_USER=carol owed cashapp exceptions     # the exception queue\n"
        f"  {env} OWED_USER=lena  owed report aging --by segment\n"
        f"  {env} OWED_USER=lena  owed report kpis --from {first} --to {last} --trend\n"
        f"  {env} OWED_USER=lena  owed close {period} --dry-run  # subledger = GL, to the cent\n"
        f"  {env} OWED_USER=lena  owed worklist\n"
        f"  {env} owed audit verify\n"
        f"Files: bank files and imports in {folder}/, reminders in the outbox folder.",
        highlight=False,
    )
