"""CLI: aging report, timeline, worklist, dunning, promises, payment plans, credit holds.

Commands parse their input, call one use case and render the result; exit
codes come from ``errors.py`` except ``owed credit check``, which answers an
order system: 0 allowed, 6 refused.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from owed.domain.errors import InvalidInput, RuleViolation
from owed.entrypoints.cli.common import console, parse_date, table
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.services import aging as aging_svc
    from owed.services import dunning_sending

activity_app = typer.Typer(
    help="The customer timeline: calls, emails, notes.", no_args_is_help=True
)
dunning_app = typer.Typer(help="Dunning: payment reminders.", no_args_is_help=True)
promise_app = typer.Typer(help="Promises to pay.", no_args_is_help=True)
plan_app = typer.Typer(help="Payment plans.", no_args_is_help=True)
credit_app = typer.Typer(help="Credit holds and credit checks.", no_args_is_help=True)


def _decimal(text: str, what: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what} {text!r} is not a number") from None


# -- aging --------------------------------------------------------------------------------


def aging(
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    by: Annotated[
        str, typer.Option(help="customer|parent|collector|segment|currency")
    ] = "customer",
    basis: Annotated[str, typer.Option(help="due|invoice")] = "due",
    format: Annotated[str, typer.Option(help="table|csv|xlsx|json")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
) -> None:
    """Open receivables by age bucket (as of a past date: rebuilt from settlements)."""
    from owed.entrypoints.cli.aging_export import aging_rows, write_xlsx
    from owed.services import aging as aging_svc

    if format not in ("table", "csv", "xlsx", "json"):
        raise InvalidInput(f"--format {format!r}: choose table, csv, xlsx or json")
    if format == "xlsx" and output is None:
        raise InvalidInput("--format xlsx needs -o FILE")
    result = aging_svc.get_aging(
        aging_svc.GetAging(parse_date(as_of, "--as-of"), by, basis), runtime().uow()
    )
    header, rows = aging_rows(result)
    if format == "xlsx":
        assert output is not None
        write_xlsx(result, header, rows, output)
    elif format in ("csv", "json"):
        text = _csv(header, rows) if format == "csv" else _json(result, header, rows)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
    else:
        _aging_table(result, header, rows)
        return
    if output is not None:
        console.print(f"aging as of {result.report.as_of} written to {output}")


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _json(result: aging_svc.Aging, header: list[str], rows: list[list[Any]]) -> str:
    report = result.report
    doc = {
        "as_of": report.as_of.isoformat(),
        "basis": report.basis.value,
        "by": result.by,
        "reconstructed": result.reconstructed,
        "base_currency": report.base_currency,
        "base_total": str(report.base_total.amount) if report.base_total else None,
        "rows": [
            dict(zip(header, [str(v) if isinstance(v, Decimal) else v for v in row], strict=True))
            for row in rows
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _aging_table(result: aging_svc.Aging, header: list[str], rows: list[list[Any]]) -> None:
    report = result.report
    how = "rebuilt from settlements" if result.reconstructed else "open amounts now"
    numeric = tuple(h for h in header if h not in ("group", "name", "currency"))
    t = table(
        f"Aging as of {report.as_of} by {result.by} ({report.basis.value}, {how})",
        *header,
        numeric=numeric,
    )
    for row in rows:
        t.add_row(
            *["" if v is None else (f"{v:,}" if isinstance(v, Decimal) else str(v)) for v in row]
        )
    console.print(t)
    for code, cells in sorted(report.totals_by_currency().items()):
        console.print(
            f"{code}: " + ", ".join(f"{k} {v.currency.round(v.amount):,}" for k, v in cells.items())
        )
    if report.base_total is not None:
        console.print(f"total in {report.base_currency}: {report.base_total.amount:,}")


# -- activities -------------------------------------------------------------------------


@activity_app.command("add")
def activity_add(
    customer: str,
    type: Annotated[str, typer.Option("--type", help="call|email|letter|meeting|note")],
    note: Annotated[str, typer.Option()],
    next_action: Annotated[str | None, typer.Option("--next-action")] = None,
    outcome: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a call, email, letter, meeting or note on the customer's timeline."""
    from owed.services import collections as coll

    coll.add_activity(
        coll.AddActivity(customer, type, note, parse_date(next_action, "--next-action"), outcome),
        runtime().uow(),
    )
    console.print(f"{type} recorded for {customer}")


@activity_app.command("list")
def activity_list(customer: str) -> None:
    """The customer's timeline, oldest first."""
    from owed.services import collections as coll

    t = table(f"Timeline of {customer}", "date", "type", "note", "outcome", "next action", "by")
    for a in coll.list_activities(runtime().uow(), customer):
        t.add_row(
            str(a["on_date"]),
            a["kind"],
            a["note"],
            a["outcome"] or "",
            str(a["next_action"] or ""),
            a["created_by"],
        )
    console.print(t)


# -- worklist ---------------------------------------------------------------------------


def worklist(
    collector: Annotated[str | None, typer.Option(help="Only this collector")] = None,
    top: Annotated[int | None, typer.Option(help="Accounts per collector")] = None,
) -> None:
    """Each collector's accounts, highest score first, with the reasons."""
    from owed.services import collections as coll

    entries = coll.get_worklist(coll.GetWorklist(collector, top), runtime().uow())
    t = table(
        "Worklist",
        "collector",
        "customer",
        "name",
        "score",
        "past due",
        "why",
        numeric=("score", "past due"),
    )
    for e in entries:
        r = e.ranked
        t.add_row(
            e.collector,
            e.customer,
            e.name[:30],
            str(r.score.display),
            f"{r.account.past_due.amount:,}",
            r.summary,
        )
    console.print(t)
    if not entries:
        console.print("nothing past due")


# -- dunning ----------------------------------------------------------------------------


@dunning_app.command("run")
def dunning_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Preview; change nothing")] = False,
) -> None:
    """Send today's reminders (once a day); --dry-run shows who would get what and why not."""
    from owed.adapters.dunning_delivery import dunning_sender_for
    from owed.services import dunning as dunning_svc

    rt = runtime()
    sender = None if dry_run else dunning_sender_for(rt.settings, rt.clock)
    result = dunning_svc.run_dunning(dunning_svc.RunDunning(dry_run), rt.uow(), sender)
    names = result.customers
    if result.already_ran and not dry_run:
        console.print(f"dunning already ran on {result.today}: nothing new queued")
        if result.messages:
            _messages_table(f"Dunning {result.today}: retried", result.messages)
        return
    title = "would send" if dry_run else f"{result.queued} queued, delivered"
    t = table(
        f"Dunning {result.today}: {title}",
        "customer",
        "level",
        "channel",
        "items",
        "amount",
        "status",
    )
    if dry_run:
        for n in result.run.notices:
            t.add_row(
                names.get(n.customer_id, n.customer_id),
                str(n.level.number),
                n.channel.value,
                ", ".join(i.document for i in n.items),
                ", ".join(str(m) for m in n.totals.values()),
                "preview",
            )
    else:
        _message_rows(t, result.messages)
    console.print(t)
    if dry_run:
        x = table("Not dunned", "customer", "item", "reason", "detail")
        for e in result.run.exclusions:
            x.add_row(
                names.get(e.customer_id, e.customer_id), e.item or "(all)", e.reason.value, e.detail
            )
        console.print(x)
    for kind, key, who, after in result.commitment_changes:
        console.print(f"{kind} {key} of {who}: {after}")
    if result.holds:
        console.print(f"credit hold placed: {', '.join(result.holds)}")
    if result.escalations:
        console.print(f"flagged for escalation: {', '.join(result.escalations)}")


@dunning_app.command("send")
def dunning_send() -> None:
    """Deliver dunning messages still queued or failed (a run also does this first)."""
    from owed.adapters.dunning_delivery import dunning_sender_for
    from owed.services import dunning_sending

    rt = runtime()
    sender = dunning_sender_for(rt.settings, rt.clock)
    delivery = dunning_sending.send_dunning(dunning_sending.SendDunning(), rt.uow(), sender)
    if not delivery.messages:
        console.print("no dunning message waiting to be sent")
        return
    _messages_table("Dunning messages delivered", delivery.messages)
    if delivery.holds:
        console.print(f"credit hold placed: {', '.join(delivery.holds)}")
    if delivery.escalations:
        console.print(f"flagged for escalation: {', '.join(delivery.escalations)}")


def _messages_table(title: str, messages: list[dunning_sending.SentMessage]) -> None:
    t = table(title, "customer", "level", "channel", "items", "amount", "status")
    _message_rows(t, messages)
    console.print(t)


def _message_rows(t: Any, messages: list[dunning_sending.SentMessage]) -> None:
    for m in messages:
        t.add_row(
            m.customer,
            str(m.level),
            m.channel,
            ", ".join(m.items),
            str(m.total),
            m.status
            + (f" (attempt {m.attempts})" if m.attempts > 1 else "")
            + (f": {m.reason}" if m.reason else ""),
        )


# -- promises and plans -------------------------------------------------------------------


@promise_app.command("add")
def promise_add(
    customer: str,
    amount: Annotated[str, typer.Option()],
    date_: Annotated[str, typer.Option("--date", help="Promised payment date")],
    by: Annotated[str, typer.Option("--by", help="Who at the customer promised")],
    invoice: Annotated[list[str] | None, typer.Option("--invoice")] = None,
) -> None:
    """Record a promise to pay (dunning pauses for its items until it is kept or broken)."""
    from owed.services import promises as promises_svc

    when = parse_date(date_, "--date")
    assert when is not None
    pid = promises_svc.add_promise(
        promises_svc.AddPromise(
            customer, _decimal(amount, "--amount"), when, by, tuple(invoice or ())
        ),
        runtime().uow(),
    )
    console.print(f"promise {pid} recorded")


@promise_app.command("list")
def promise_list() -> None:
    """Every promise with its last evaluated status."""
    from owed.services import promises as promises_svc

    t = table(
        "Promises to pay",
        "id",
        "customer",
        "amount",
        "date",
        "by",
        "invoices",
        "status",
        numeric=("amount",),
    )
    for p in promises_svc.list_promises(runtime().uow()):
        t.add_row(
            str(p.id),
            p.customer,
            str(p.amount),
            str(p.promised_date),
            p.promised_by,
            ", ".join(p.invoices) or "(account)",
            p.status,
        )
    console.print(t)


@plan_app.command("add")
def plan_add(
    customer: str,
    invoice: Annotated[list[str], typer.Option("--invoice")],
    installments: Annotated[str, typer.Option(help='"2026-04-01:500,2026-05-01:500"')],
) -> None:
    """Agree a payment plan for invoices; a missed installment past grace resumes dunning."""
    from owed.services import promises as promises_svc

    parsed = promises_svc.parse_installments(installments)
    pid = promises_svc.add_plan(
        promises_svc.AddPlan(customer, tuple(invoice), parsed), runtime().uow()
    )
    console.print(f"payment plan {pid} recorded with {len(parsed)} installments")


# -- credit -------------------------------------------------------------------------------


@credit_app.command("hold")
def credit_hold(customer: str, reason: Annotated[str, typer.Option()]) -> None:
    """Put a customer on credit hold."""
    from owed.services import credit as credit_svc

    credit_svc.place_hold(credit_svc.PlaceHold(customer, reason), runtime().uow())
    console.print(f"{customer} is on credit hold")


@credit_app.command("release")
def credit_release(customer: str, reason: Annotated[str, typer.Option()] = "") -> None:
    """Release a hold (a lead; not the person who placed a manual hold)."""
    from owed.services import credit as credit_svc

    credit_svc.release_hold(credit_svc.ReleaseHold(customer, reason), runtime().uow())
    console.print(f"credit hold of {customer} released")


@credit_app.command("check")
def credit_check(
    customer: str,
    amount: Annotated[str, typer.Option()],
    open_orders: Annotated[str, typer.Option("--open-orders")] = "0",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """May this order go on credit? Exit 0 allowed, 6 refused."""
    from owed.services import credit as credit_svc

    answer = credit_svc.check_customer_credit(
        credit_svc.CheckCredit(
            customer, _decimal(amount, "--amount"), _decimal(open_orders, "--open-orders")
        ),
        runtime().uow(),
    )
    if as_json:
        typer.echo(json.dumps(answer.as_dict(), indent=2))
    else:
        d = answer.decision
        verdict = "[green]allowed[/]" if d.allowed else "[red]refused[/]"
        console.print(
            f"{customer}: {verdict}; exposure {d.exposure}"
            + (f", limit {d.limit}" if d.limit is not None else ", no limit set")
        )
        for reason in d.reasons:
            console.print(f"  - {reason}", markup=False)
        if answer.hold_placed:
            console.print("  (the account was put on credit hold: open AR exceeds the limit)")
    if not answer.decision.allowed:  # exit code 6, the code of a refused business rule
        raise RuleViolation(f"credit refused for {customer}: " + "; ".join(answer.decision.reasons))
