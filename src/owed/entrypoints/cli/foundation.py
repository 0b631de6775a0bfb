"""CLI: database, users, ledger, periods, audit, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from owed.entrypoints.cli.common import console, money_cell, parse_date, table
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.services import ledger as ledger_svc

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
ledger_app = typer.Typer(
    help="General ledger: trial balance, entries, reversals.", no_args_is_help=True
)
period_app = typer.Typer(help="Fiscal periods: close, reopen, list.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest migration."""
    from owed.adapters.db.engine import current_revision, ensure_schema, make_engine

    engine = make_engine(runtime().settings.database_url)
    applied = ensure_schema(engine)
    rev = current_revision(engine)
    console.print(f"schema at revision {rev}" + (" (upgraded)" if applied else " (up to date)"))


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[
        list[str],
        typer.Option(
            "--role", "-r", help="clerk, specialist, analyst, lead, admin, auditor (repeatable)"
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name")] = "",
    email: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a user with one or more roles."""
    from owed.services import users as users_svc

    users_svc.add_user(users_svc.AddUser(username, tuple(role), name, email), runtime().uow())
    console.print(f"user {username} added with roles {', '.join(role)}")


@user_app.command("roles")
def user_roles(
    username: str,
    role: Annotated[list[str], typer.Option("--role", "-r")],
) -> None:
    """Replace a user's roles."""
    from owed.services import users as users_svc

    users_svc.set_roles(users_svc.SetRoles(username, tuple(role)), runtime().uow())
    console.print(f"user {username} now has roles {', '.join(role)}")


@user_app.command("list")
def user_list() -> None:
    """List users and their roles."""
    from owed.services import users as users_svc

    t = table("Users", "username", "name", "roles", "active")
    for u in users_svc.list_users(runtime().uow()):
        t.add_row(u["username"], u["display_name"], u["roles"], "yes" if u["active"] else "no")
    console.print(t)


@ledger_app.command("trial-balance")
def trial_balance(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD")] = None,
) -> None:
    """Trial balance per account and currency, as of a date."""
    from owed.services import ledger as ledger_svc

    tb = ledger_svc.trial_balance(runtime().uow(), parse_date(as_of, "--as-of"))
    show_trial_balance(tb)


def show_trial_balance(tb: ledger_svc.TrialBalance) -> None:
    t = table(
        f"Trial balance{' as of ' + tb.as_of.isoformat() if tb.as_of else ''}",
        "account",
        "name",
        "ccy",
        "debit",
        "credit",
        numeric=("debit", "credit"),
    )
    for r in tb.rows:
        t.add_row(
            r.account.code, r.account.name, r.currency, money_cell(r.debit), money_cell(r.credit)
        )
    for cur, (d, c) in sorted(tb.totals().items()):
        t.add_row("", "[bold]total[/]", cur, f"[bold]{d.format()}[/]", f"[bold]{c.format()}[/]")
    console.print(t)
    if not tb.rows:
        console.print("no postings yet")
    console.print("balanced: " + ("[green]yes[/]" if tb.balanced else "[red]NO[/]"))


@ledger_app.command("post")
def ledger_post(
    date_: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    description: Annotated[str, typer.Option("--description", "-m")],
    debit: Annotated[list[str], typer.Option(help="ACCOUNT:AMOUNT[:CURRENCY]")],
    credit: Annotated[list[str], typer.Option(help="ACCOUNT:AMOUNT[:CURRENCY]")],
) -> None:
    """Post a manual journal entry (needs the lead or admin role)."""
    from owed.domain.money import Money
    from owed.services import ledger as ledger_svc

    rt = runtime()
    base = rt.settings.base_currency

    def parse(spec: str, side: str) -> ledger_svc.ManualLine:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            from owed.domain.errors import InvalidInput

            raise InvalidInput(f"--{side} {spec!r}: expected ACCOUNT:AMOUNT[:CURRENCY]")
        amount = Money(parts[1], parts[2] if len(parts) == 3 else base)
        if side == "debit":
            return ledger_svc.ManualLine(parts[0], debit=amount)
        return ledger_svc.ManualLine(parts[0], credit=amount)

    lines = tuple([parse(d, "debit") for d in debit] + [parse(c, "credit") for c in credit])
    on = parse_date(date_, "--date")
    assert on is not None  # --date is required
    entry_id = ledger_svc.post_manual_entry(
        ledger_svc.PostManualEntry(on, description, lines), rt.uow()
    )
    console.print(f"posted journal entry {entry_id}")


@ledger_app.command("reverse")
def ledger_reverse(
    entry_id: int,
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default today)")] = None,
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Reverse a posted entry with a new, opposite entry."""
    from owed.services import ledger as ledger_svc

    new_id = ledger_svc.reverse_entry(
        ledger_svc.ReverseEntry(entry_id, parse_date(on, "--on"), reason), runtime().uow()
    )
    console.print(f"entry {entry_id} reversed by entry {new_id}")


@period_app.command("close")
def period_close(period: str) -> None:
    """Lock a period (YYYY-MM) without the month-end checks (see `owed close`)."""
    from owed.services import ledger as ledger_svc

    ledger_svc.close_period(ledger_svc.ClosePeriod(period), runtime().uow())
    console.print(f"period {period} closed")


@period_app.command("reopen")
def period_reopen(period: str, reason: Annotated[str, typer.Option()]) -> None:
    """Reopen a closed period (lead or admin; a reason is required)."""
    from owed.services import ledger as ledger_svc

    ledger_svc.reopen_period(ledger_svc.ReopenPeriod(period, reason), runtime().uow())
    console.print(f"period {period} reopened")


@period_app.command("list")
def period_list() -> None:
    """Periods that were ever closed or reopened."""
    from owed.services import ledger as ledger_svc

    t = table("Periods", "period", "status", "by", "at")
    for period, status, by, at in ledger_svc.list_periods(runtime().uow()):
        t.add_row(period, status, by or "", str(at or ""))
    console.print(t)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit log; exit 8 at the first bad record."""
    from owed.services import audit as audit_svc

    result = audit_svc.verify_audit(runtime().uow())
    if result.ok:
        console.print(f"[green]audit log intact[/]: {result.checked} records verified")
        return
    from owed.domain.errors import IntegrityFailure

    assert result.problem is not None
    raise IntegrityFailure(
        f"audit log broken at record {result.problem.seq}: {result.problem.reason} "
        f"({result.checked} records read)"
    )


@audit_app.command("log")
def audit_log(
    limit: Annotated[int, typer.Option()] = 30,
    object_type: Annotated[str | None, typer.Option("--type")] = None,
    object_id: Annotated[str | None, typer.Option("--id")] = None,
) -> None:
    """The most recent audit records."""
    from owed.services import audit as audit_svc

    t = table("Audit log", "seq", "at", "actor", "action", "object", "after")
    for r in audit_svc.recent_audit(runtime().uow(), limit, object_type, object_id):
        t.add_row(
            str(r.seq),
            r.at.strftime("%Y-%m-%d %H:%M:%S"),
            r.actor,
            r.action,
            f"{r.object_type} {r.object_id}",
            (r.after or "")[:60],
        )
    console.print(t)


def status() -> None:
    """Show the company, the acting user and the ledger state."""
    from owed.services import ledger as ledger_svc

    rt = runtime()
    uow = rt.uow()
    with uow:
        company = uow.company
        actor = uow.actor
        entries = uow.ledger.entry_count()
    console.print(
        f"[bold]{company.name}[/] ({company.code}), base currency "
        f"{company.base_currency}, timezone {company.timezone}"
    )
    console.print(f"database: {rt.settings.database_url}")
    console.print(f"acting as: {actor.username} ({', '.join(sorted(actor.roles))})")
    console.print(f"journal entries: {entries}")
    show_trial_balance(ledger_svc.trial_balance(rt.uow()))
    sub = ledger_svc.subledger_vs_control(rt.uow())
    for _currency, (subledger, control) in sorted(sub.items()):
        mark = "[green]=[/]" if subledger == control else "[red]≠[/]"
        console.print(f"AR subledger {subledger} {mark} GL control {control}")
