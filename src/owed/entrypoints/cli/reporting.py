"""CLI: KPIs, statements, month-end close and allowance approval, GL export, forecasts.

Commands parse their input, call one use case, and render. Tables go to the
terminal; ``-o FILE`` (``.csv`` / ``.xlsx``) writes them through the one
export writer (``owed.adapters.exports``); ``--format json`` prints JSON.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from owed.domain.errors import InvalidInput
from owed.entrypoints.cli.common import console, parse_date, table
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.services import exports as ex
    from owed.services import reporting as rep

FORMATS = ("table", "csv", "xlsx", "json")


def _required_date(text: str, what: str) -> date:
    parsed = parse_date(text, what)
    assert parsed is not None
    return parsed


def _show(
    t: ex.ExportTable, numeric_kinds: tuple[str, ...] = ("money", "number", "integer", "percent")
) -> None:
    out = table(
        t.title,
        *[c.name for c in t.columns],
        numeric=tuple(c.name for c in t.columns if c.kind in numeric_kinds),
    )
    for row in t.rows:
        cells = []
        for column, value in zip(t.columns, row, strict=True):
            if value is None:
                cells.append("")
            elif column.kind == "percent":
                cells.append(f"{(Decimal(value) * 100).quantize(Decimal('0.1'))} %")
            else:
                cells.append(str(value))
        out.add_row(*cells)
    console.print(out)


def _emit(tables: list[ex.ExportTable], format: str, output: Path | None) -> None:
    from owed.adapters.exports import table_format, write_table, write_tables

    if format not in FORMATS:
        raise InvalidInput(f"--format must be one of {', '.join(FORMATS)}")
    if output is not None:
        chosen = format if format in ("csv", "xlsx") else table_format(output)
        if chosen == "xlsx" and len(tables) > 1:
            write_tables(tables, output)
        else:
            for i, t in enumerate(tables):
                target = (
                    output
                    if i == 0
                    else output.with_name(
                        f"{output.stem}-{t.title.replace(' ', '-')}{output.suffix}"
                    )
                )
                write_table(t, target, chosen)
        console.print(f"written to {output}")
        return
    if format == "json":
        data = {
            t.title: [dict(zip([c.name for c in t.columns], r, strict=True)) for r in t.rows]
            for t in tables
        }
        console.print_json(json.dumps(data, default=str))
        return
    if format in ("csv", "xlsx"):
        raise InvalidInput(f"--format {format} needs -o FILE")
    for t in tables:
        _show(t)


# -- KPIs ------------------------------------------------------------------------------
def report_kpis_cmd(
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    by: Annotated[str | None, typer.Option(help="segment | collector | customer")] = None,
    format: Annotated[str, typer.Option(help="table | csv | xlsx | json")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write")] = None,
    trend: Annotated[bool, typer.Option(help="Also month by month")] = False,
) -> None:
    """DSO (standard, countback), BPDSO, ADD, CEI, % current, bad debt, cash application KPIs."""
    from owed.services import exports as ex
    from owed.services import reporting as rep

    report = rep.report_kpis(
        rep.ReportKpis(
            _required_date(date_from, "--from"), _required_date(date_to, "--to"), by, trend
        ),
        runtime().uow(),
    )
    tables = [ex.kpi_table(report)]
    if trend:
        tables.append(ex.kpi_trend_table(report))
    if format == "table" and output is None:
        _print_kpis(report)
        if trend:
            _show(tables[1])
        return
    _emit(tables, format, output)


def _print_kpis(report: rep.KpiReport) -> None:
    console.print(
        f"KPIs {report.date_from} .. {report.date_to} ({report.days} days, "
        f"{report.months} months) in {report.base_currency}"
    )
    for r in report.rows:
        am = r.auto_match
        console.print(f"[bold]{r.group}[/]", highlight=False)
        lines = [
            (
                "ending AR",
                f"{r.ending_ar} (current {r.ending_current_ar}); "
                f"beginning AR {r.beginning_ar}; credit sales {r.credit_sales}",
            ),
            ("DSO standard", str(r.dso)),
            (
                "DSO countback",
                f"{r.dso_countback.display()} days"
                + (
                    " (history exhausted: a lower bound)"
                    if r.dso_countback.history_exhausted
                    else ""
                ),
            ),
            ("Best possible DSO", str(r.best_possible_dso)),
            ("ADD", str(r.add) if r.add else "n/a"),
            ("CEI", f"{r.cei.percent() or 'n/a'} % (N = {r.cei.months})"),
            ("% current", str(r.percent_current)),
            ("bad debt %", str(r.bad_debt)),
            (
                "auto-match, account level",
                f"by count {am.account_by_count}; by value {am.account_by_value}",
            ),
            (
                "auto-match, invoice level",
                f"by count {am.invoice_by_count}; by value {am.invoice_by_value}",
            ),
            ("cash application accuracy", str(r.cash_application_accuracy)),
            (
                "unapplied cash > 7 days",
                f"{r.unapplied_over_7_days} receipts, "
                f"{r.unapplied_over_7_days_amount} (of {r.receipts_not_fully_applied} "
                "not fully applied)",
            ),
            (
                "dispute cycle time",
                f"{r.dispute_cycle_time} ({int(r.dispute_cycle_time.denominator)} closed)",
            ),
            ("DDO", str(r.ddo)),
            ("promise-kept rate", str(r.promise_kept)),
        ]
        for name, value in lines:
            console.print(f"  {name:<28} {value}", highlight=False, markup=False)


# -- statements ---------------------------------------------------------------------------
def statement_cmd(
    customer: Annotated[str, typer.Argument(help="Customer external id, or `run`")],
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    kind: Annotated[str, typer.Option(help="open_item | activity")] = "open_item",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="PDF file")] = None,
    send: Annotated[bool, typer.Option(help="Email it (SMTP or the outbox)")] = False,
    period: Annotated[str | None, typer.Option(help="With `run`: YYYY-MM")] = None,
) -> None:
    """A customer's statement (PDF, or --send); `owed statement run --period P` for everyone."""
    from owed.adapters.statements import render_statement_pdf, statement_filename, statement_mailer
    from owed.services import statements as st_svc

    rt = runtime()
    if customer == "run":
        _statement_run(period, send)
        return
    day = parse_date(as_of, "--as-of") or _today()
    if send:
        outcomes = st_svc.send_statement(
            st_svc.SendStatement(customer, day, kind),
            rt.uow(),
            render_statement_pdf,
            statement_mailer(rt.settings, rt.clock),
        )
        for o in outcomes:
            console.print(
                f"statement {o.status}"
                + (f": {o.reason}" if o.reason else "")
                + (f" ({o.location})" if o.location else "")
            )
        return
    statements = st_svc.get_statement(st_svc.GetStatement(customer, day, kind), rt.uow())
    if not statements:
        console.print(f"customer {customer}: nothing open and no activity as of {day}")
        return
    uow = rt.uow()
    with uow:
        company = uow.company
    for st in statements:
        target = output or Path(statement_filename(st))
        if output is not None and len(statements) > 1:
            target = output.with_name(f"{output.stem}-{st.currency}{output.suffix}")
        target.write_bytes(render_statement_pdf(st, company))
        console.print(f"{st.currency} statement, balance {st.closing}: written to {target}")


def _today() -> date:
    uow = runtime().uow()
    with uow:
        return uow.today()


def _statement_run(period: str | None, send: bool) -> None:
    from owed.adapters.statements import render_statement_pdf, statement_mailer
    from owed.domain.ledger.periods import parse_period
    from owed.services import statements as st_svc

    if period is None:
        raise InvalidInput("`owed statement run` needs --period YYYY-MM")
    parse_period(period)
    if not send:
        raise InvalidInput("`owed statement run` sends statements: add --send to confirm")
    rt = runtime()
    result = st_svc.run_statements(
        st_svc.RunStatements(period),
        rt.uow(),
        render_statement_pdf,
        statement_mailer(rt.settings, rt.clock),
    )
    console.print(
        f"statements {period}: {result.sent} sent, {result.failed} failed, "
        f"{result.skipped_already_sent} already sent before"
    )
    for who, why in result.failures:
        console.print(f"  {who}: {why}", markup=False, highlight=False)


# -- close ----------------------------------------------------------------------------------
def close_cmd(
    period: Annotated[str, typer.Argument(help="YYYY-MM")],
    dry_run: Annotated[bool, typer.Option(help="Check and report only")] = False,
    force: Annotated[
        str | None,
        typer.Option(help="Lock even if the subledger differs from the GL: give the reason"),
    ] = None,
) -> None:
    """Month-end close: reconcile AR to the GL, propose the allowance, lock the period."""
    from owed.adapters.close_report import CloseWriter
    from owed.services import close as close_svc

    rt = runtime()
    report = close_svc.close_month(
        close_svc.CloseMonth(period, dry_run, force, CloseWriter(rt.settings.data_dir / "close")),
        rt.uow(),
    )
    for r in report.reconciliation:
        flag = "ok" if r.difference == 0 else "DIFFERENCE"
        console.print(
            f"{r.currency}: subledger {r.subledger}, GL {r.gl}, difference {r.difference} [{flag}]",
            markup=False,
            highlight=False,
        )
    for d in report.differences[:50]:
        console.print(
            f"  {d.customer or '-'} {d.document or '(no document)'} {d.currency}: "
            f"subledger {d.subledger}, GL {d.gl}",
            markup=False,
            highlight=False,
        )
    console.print(
        f"unapplied receipts: {len(report.unapplied)}; open disputes: {len(report.disputes)}"
    )
    for p in report.allowance:
        console.print(
            f"allowance {p.currency}: current {p.current}, target {p.target}, "
            f"adjustment {p.adjustment}" + (f" (proposal {p.proposal_id})" if p.proposal_id else "")
        )
    for f in report.fx:
        console.print(
            f"{f.currency} open {f.open_amount} at rate {f.rate or 'missing'}"
            f" = {f.base_amount or '?'} {report.base_currency} (report only)"
        )
    for note in report.notes:
        console.print(note, markup=False, highlight=False)
    console.print(f"outcome: {report.outcome}; report in {report.location}")
    if report.outcome == "refused":
        raise typer.Exit(6)


allowance_app = typer.Typer(
    help="Allowance for doubtful accounts proposals (from `owed close`).", no_args_is_help=True
)


@allowance_app.command("approve")
def allowance_approve(proposal: int, note: Annotated[str, typer.Option()] = "") -> None:
    """Approve and post an allowance proposal (not by whoever proposed it)."""
    from owed.services import allowance as allowance_svc

    entry = allowance_svc.decide_allowance(
        allowance_svc.DecideAllowance(proposal, True, note), runtime().uow()
    )
    console.print(f"allowance proposal {proposal} approved: journal entry {entry}")


@allowance_app.command("reject")
def allowance_reject(proposal: int, note: Annotated[str, typer.Option()]) -> None:
    """Reject an allowance proposal with a note."""
    from owed.services import allowance as allowance_svc

    allowance_svc.decide_allowance(
        allowance_svc.DecideAllowance(proposal, False, note), runtime().uow()
    )
    console.print(f"allowance proposal {proposal} rejected")


# -- exports ------------------------------------------------------------------------------------
def export_journal_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file to write")],
    date_from: Annotated[str, typer.Option("--from")],
    date_to: Annotated[str, typer.Option("--to")],
) -> None:
    """GL journal: one row per journal line (columns in docs/formats.md)."""
    from owed.adapters.exports import write_table
    from owed.services import exports as ex

    t = ex.export_journal(
        ex.ExportJournal(_required_date(date_from, "--from"), _required_date(date_to, "--to")),
        runtime().uow(),
    )
    write_table(t, file)
    console.print(f"{len(t.rows)} journal lines written to {file}")


def export_exceptions_cmd(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file to write")],
) -> None:
    """The cash application exception queue."""
    from owed.adapters.exports import write_table
    from owed.services import cash_reading
    from owed.services import exports as ex

    t = ex.exceptions_table(cash_reading.list_exceptions(runtime().uow()))
    write_table(t, file)
    console.print(f"{len(t.rows)} receipts written to {file}")


# -- forecast ----------------------------------------------------------------------------------
forecast_app = typer.Typer(
    help="Cash forecast (13 weeks) and its back-test.", invoke_without_command=True
)


@forecast_app.callback()
def forecast_cmd(
    ctx: typer.Context,
    weeks: Annotated[int, typer.Option(help="Weeks to forecast")] = 13,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
    format: Annotated[str, typer.Option(help="table | csv | xlsx | json")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
) -> None:
    """Expected collections per week; headline: expected cash in the next 14 days."""
    from owed.services import exports as ex
    from owed.services import forecast as fc_svc

    if ctx.invoked_subcommand is not None:
        return
    result = fc_svc.run_forecast(
        fc_svc.RunForecast(parse_date(as_of, "--as-of"), weeks), runtime().uow()
    )
    f = result.forecast
    for code, amount in sorted(result.next_14_days.items()):
        console.print(
            f"expected cash in the next 14 days from {f.as_of}: {amount} "
            f"(open {f.open_total[code]})",
            highlight=False,
        )
    _emit([ex.forecast_table(result)], format, output)


@forecast_app.command("backtest")
def backtest_cmd(
    date_from: Annotated[str, typer.Option("--from")],
    date_to: Annotated[str, typer.Option("--to")],
    step: Annotated[int, typer.Option(help="Days between as-of dates")] = 7,
    currency: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Replay the forecast at past dates and compare with the cash actually applied."""
    from owed.services import forecast as fc_svc

    report = fc_svc.run_backtest(
        fc_svc.RunBacktest(
            _required_date(date_from, "--from"), _required_date(date_to, "--to"), step, currency
        ),
        runtime().uow(),
    )
    t = table(
        f"Back-test ({report.currency})",
        "as of",
        "expected 14d",
        "actual 14d",
        "expected 13w",
        "actual 13w",
        numeric=("expected 14d", "actual 14d", "expected 13w", "actual 13w"),
    )
    for r in report.result.rows:
        t.add_row(
            str(r.as_of),
            str(r.expected_14_days),
            str(r.actual_14_days),
            str(r.expected_13_weeks),
            str(r.actual_13_weeks),
        )
    console.print(t)
    for name, stats in (
        ("14 days", report.result.next_14_days),
        ("13 weeks", report.result.next_13_weeks),
    ):
        mape = "n/a" if stats.mape is None else f"{(stats.mape * 100).quantize(Decimal('0.1'))} %"
        console.print(
            f"{name}: MAPE {mape} over {stats.points_used} point(s); bias "
            f"{stats.bias} (positive: forecast too high)",
            highlight=False,
        )
    console.print(f"recorded as forecast snapshot {report.snapshot_id}")
