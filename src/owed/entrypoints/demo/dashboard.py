"""The demo's closing dashboard: aging, KPIs, exceptions, worklist, expected cash."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from owed.adapters.db.uow import SqlUnitOfWork
from owed.entrypoints.demo.day import DayResult
from owed.services.aging import GetAging, get_aging
from owed.services.cash_reading import list_exceptions
from owed.services.collections import GetWorklist, get_worklist
from owed.services.forecast import RunForecast, run_forecast
from owed.services.reporting import ReportKpis, report_kpis


def _money(amount: Decimal) -> str:
    """Thousands for a dashboard that fits 80 columns (the reports give cents)."""
    return f"{amount / 1000:,.1f}k"


def show(
    console: Console,
    uow: Callable[[str], SqlUnitOfWork],
    day: DayResult | None,
    today: date,
    base: str,
) -> None:
    if day is not None:
        _day(console, day)
    _aging(console, uow, base)
    _kpis(console, uow, today, base)
    _exceptions(console, uow)
    _worklist(console, uow)
    _forecast(console, uow, base)


def _day(console: Console, day: DayResult) -> None:
    receipts = sum(f.receipts_created for f in day.files)
    dupes = sum(f.duplicates for f in day.files)
    lines = [
        f"bank files: {len(day.files)} imported, {receipts} receipts, "
        f"{dupes} already known (re-reported)"
    ]
    if day.cash and day.cash.receipts:
        c = day.cash
        lines.append(
            f"cash application: {c.auto_applied} of {c.receipts} receipts applied with "
            f"no human touch ({c.auto_applied / c.receipts:.0%} by count); "
            f"{c.exceptions} to the exception queue with reasons"
        )
    if day.dunning:
        d = day.dunning
        sent = sum(1 for m in d.messages if m.status == "sent")
        reasons = Counter(e.reason for e in d.run.exclusions)
        top = ", ".join(f"{r} {n}" for r, n in reasons.most_common(4))
        lines.append(
            f"dunning: {sent} reminders sent, {len(d.holds)} credit holds; not dunned: {top}"
        )
    if day.outbox:
        lines.append(f"emails written to {day.outbox}/ (set OWED_SMTP_HOST to send them)")
    console.print(Panel("\n".join(lines), title="Today", title_align="left"))


def _aging(console: Console, uow: Callable[[str], SqlUnitOfWork], base: str) -> None:
    report = get_aging(GetAging(by="currency"), uow("lena")).report
    t = Table(title=f"Aging by due date as of {report.as_of} (thousands)", title_justify="left")
    t.add_column("ccy")
    for label in report.labels:
        t.add_column(label, justify="right")
    t.add_column("total", justify="right")
    t.add_column(f"in {base}", justify="right")
    for row in report.rows:
        t.add_row(
            row.currency,
            *(_money(row.buckets[label].amount) for label in report.labels),
            _money(row.total.amount),
            _money(row.base_total.amount) if row.base_total else "",
        )
    if report.base_total is not None:
        t.add_row(
            "",
            *("" for _ in report.labels),
            "[bold]total[/]",
            f"[bold]{_money(report.base_total.amount)}[/]",
        )
    console.print(t)


def _kpis(console: Console, uow: Callable[[str], SqlUnitOfWork], today: date, base: str) -> None:
    first_of_month = today.replace(day=1)
    start = (first_of_month - timedelta(days=1)).replace(day=1)
    start = (start - timedelta(days=1)).replace(day=1)
    start = (start - timedelta(days=1)).replace(day=1)
    end = first_of_month - timedelta(days=1)
    report = report_kpis(ReportKpis(start, end), uow("lena"))
    r = report.rows[0]
    am = r.auto_match
    t = Table(
        title=f"KPIs, last three full months ({report.date_from} to {report.date_to})",
        title_justify="left",
    )
    t.add_column("KPI")
    t.add_column("value", justify="right")
    t.add_column("benchmark / note", style="dim")
    t.add_row("DSO, standard", str(r.dso), "CRF median 38")
    t.add_row("DSO, countback", f"{r.dso_countback.display()} days", "")
    t.add_row("Best possible DSO", str(r.best_possible_dso), "CRF median 32")
    t.add_row("Average days delinquent", str(r.add) if r.add else "n/a", "CRF median 3")
    t.add_row("CEI", f"{r.cei.percent() or 'n/a'} %", "CRF median 86.5 %, target 92 %")
    t.add_row("% current", str(r.percent_current), "CRF median 90.6 %")
    t.add_row("Auto-match, invoice level", str(am.invoice_by_count), "by count")
    t.add_row("Cash application accuracy", str(r.cash_application_accuracy), "target 98 %")
    t.add_row(
        "Unapplied cash > 7 days",
        f"{r.unapplied_over_7_days} receipts",
        f"{_money(r.unapplied_over_7_days_amount)} {base}",
    )
    t.add_row("Dispute cycle time", str(r.dispute_cycle_time), "target: 90 % in 7 days")
    t.add_row("Promise-kept rate", str(r.promise_kept), "")
    console.print(t)


def _exceptions(console: Console, uow: Callable[[str], SqlUnitOfWork]) -> None:
    items = sorted(list_exceptions(uow("carol")), key=lambda e: e.value_date, reverse=True)
    over = sum(1 for e in items if e.over_sla)
    t = Table(
        title=f"Exceptions: {len(items)} receipts need a person ({over} over the "
        "5-business-day SLA); newest first",
        title_justify="left",
    )
    for col in ("receipt", "amount", "payer", "why"):
        t.add_column(col, justify="right" if col == "amount" else "left")
    for e in items[:8]:
        best = e.suggestions[0]["explanation"] if e.suggestions else ""
        why = e.reason if not best else f"{e.reason} | suggested: {best}"
        t.add_row(str(e.receipt_id), str(e.amount), (e.payer_name or "?")[:24], why[:90])
    console.print(t)


def _worklist(console: Console, uow: Callable[[str], SqlUnitOfWork]) -> None:
    entries = get_worklist(GetWorklist(top=10), uow("lena"))
    t = Table(title="Worklist: top 10 accounts to call", title_justify="left")
    for col in ("#", "collector", "customer", "why"):
        t.add_column(col)
    for i, e in enumerate(entries[:10], start=1):
        t.add_row(str(i), e.collector, e.name[:28], e.ranked.score.summary()[:80])
    console.print(t)


def _forecast(console: Console, uow: Callable[[str], SqlUnitOfWork], base: str) -> None:
    result = run_forecast(RunForecast(), uow("lena"))
    parts = [f"{m}" for m in result.next_14_days.values()]
    console.print(
        Panel(
            "expected cash in the next 14 days: " + ", ".join(parts),
            title="Forecast",
            title_align="left",
        )
    )
