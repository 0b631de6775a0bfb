"""KPI use case: the AR guide's KPIs over a date range, overall or per group, and by month.

The figures themselves are computed by ``owed.domain.reporting.kpis``; this
module reads the facts in bulk (one query each, at customer granularity),
converts them to the base currency and groups them (``by`` = segment,
collector or customer). Definitions, with their denominators:

* **ending / beginning AR**: open items as of the period end / the day before
  the period start, from documents and dated settlements (credit memos
  negative). **Current AR**: open items not yet due (due date ≥ the date).
* **credit sales**: invoices + debit memos − credit memos issued in the
  period (drafts and voided documents excluded), by issue date.
* **days**: calendar days of the period; with company setting
  ``"kpi_month_days": 30`` every month counts 30 days (the 30-day convention).
* **bad-debt %**: write-off settlements dated in the period ÷ credit sales.
* **auto-match rate**: denominator = receipts valued in the period (count and
  value). Account level: the customer applied to is the one the matching run
  identified (or the receipt was applied automatically). Invoice level: every
  application of the receipt is ``how = 'auto'`` and none was ever reversed.
* **cash application accuracy**: automatic applications made in the period
  that were never reversed ÷ automatic applications made in the period.
* **unapplied cash > 7 days**: receipts with cash not applied as of the period
  end, valued more than 7 days before it (denominator: receipts not fully
  applied).
* **dispute cycle time**: disputes closed (resolved or rejected) in the
  period: Σ(closed − opened) ÷ their number. **DDO**: deductions (disputes
  opened by cash application) open at the period end ÷ (deductions opened in
  the period ÷ days).
* **promise-kept rate**: promises whose date falls in the period, kept ÷
  (kept + broken) as last evaluated.

Multi-currency: every amount is converted to the base currency with the
company setting ``"fx_rates"`` (see ``services.fx_rates``); a missing rate is a
``ConfigurationError`` naming the currency.

This module holds the use case and the KPI rows; the facts are read and
grouped in ``services.kpi_facts``, the period's months in ``services.kpi_periods``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.errors import InvalidInput
from owed.domain.reporting import kpis as k
from owed.domain.reporting.ratio import Days, Ratio
from owed.services.fx_rates import Converter, converter
from owed.services.kpi_facts import ZERO, KpiFacts, sum_by
from owed.services.kpi_periods import Month, months_between
from owed.services.unit_of_work import UnitOfWork

GROUPINGS = ("segment", "collector", "customer")


# -- the use case ---------------------------------------------------------------------
@dataclass(frozen=True)
class ReportKpis:
    date_from: date
    date_to: date
    by: str | None = None  # segment | collector | customer
    trend: bool = False
    history_months: int = 24  # how far countback DSO may walk back


@dataclass(frozen=True)
class KpiRow:
    group: str
    beginning_ar: Decimal
    ending_ar: Decimal
    ending_current_ar: Decimal
    credit_sales: Decimal
    write_offs: Decimal
    dso: Days
    dso_countback: k.Countback
    best_possible_dso: Days
    add: Days | None
    cei: k.Cei
    percent_current: Ratio
    bad_debt: Ratio
    auto_match: k.AutoMatchRate
    cash_application_accuracy: Ratio
    unapplied_over_7_days: int
    unapplied_over_7_days_amount: Decimal  # base currency
    receipts_not_fully_applied: int
    dispute_cycle_time: Days
    ddo: Days
    promise_kept: Ratio


@dataclass(frozen=True)
class KpiReport:
    date_from: date
    date_to: date
    base_currency: str
    by: str | None
    days: int
    months: int
    rows: tuple[KpiRow, ...]
    trend: tuple[tuple[str, k.TrendRow], ...] = ()  # (group, month row)


def report_kpis(cmd: ReportKpis, uow: UnitOfWork) -> KpiReport:
    if cmd.by is not None and cmd.by not in GROUPINGS:
        raise InvalidInput(f"--by must be one of {', '.join(GROUPINGS)}, not {cmd.by!r}")
    with uow:
        uow.require(Permission.REPORT)
        thirty = int(uow.company.settings.get("kpi_month_days", 0) or 0) == 30
        months = months_between(cmd.date_from, cmd.date_to, thirty)
        conv = converter(uow, cmd.date_to)
        facts = KpiFacts.load(
            uow,
            conv,
            by=cmd.by,
            start=cmd.date_from,
            end=cmd.date_to,
            history_months=cmd.history_months,
            thirty=thirty,
        )
        rows = tuple(_row(group, facts, months) for group in facts.groups())
        trend: list[tuple[str, k.TrendRow]] = []
        if cmd.trend:
            trend = _trend(uow, facts, months, conv)
        return KpiReport(
            cmd.date_from,
            cmd.date_to,
            conv.base,
            cmd.by,
            sum(m.days for m in months),
            len(months),
            rows,
            tuple(trend),
        )


def _row(group: str, f: KpiFacts, months: list[Month]) -> KpiRow:
    days = sum(m.days for m in months)
    sales = f.sales_in(group, months)
    end_ar = f.end_total.get(group, ZERO)
    end_cur = f.end_current.get(group, ZERO)
    dso = k.dso_standard(end_ar, sales, days)
    bpdso = k.best_possible_dso(end_cur, sales, days)
    add = None
    if dso.days is not None and bpdso.days is not None:
        add = k.average_days_delinquent(dso.days, bpdso.days)
    countback = k.dso_countback(
        end_ar,
        [k.MonthSales(f.sales.get((group, m.label), ZERO), m.days, m.label) for m in f.history],
    )
    unapplied = k.unapplied_over_days(f.open_receipts.get(group, []), f.as_of, 7)
    correct, applied = f.auto_apps.get(group, (0, 0))
    return KpiRow(
        group=group,
        beginning_ar=f.begin.get(group, ZERO),
        ending_ar=end_ar,
        ending_current_ar=end_cur,
        credit_sales=sales,
        write_offs=f.write_offs.get(group, ZERO),
        dso=dso,
        dso_countback=countback,
        best_possible_dso=bpdso,
        add=add,
        cei=k.cei(f.begin.get(group, ZERO), sales, len(months), end_ar, end_cur),
        percent_current=k.percent_current(end_cur, end_ar),
        bad_debt=k.bad_debt_percent(f.write_offs.get(group, ZERO), sales),
        auto_match=k.auto_match_rate(f.outcomes.get(group, [])),
        cash_application_accuracy=k.cash_application_accuracy(correct, applied),
        unapplied_over_7_days=unapplied.count,
        unapplied_over_7_days_amount=sum(
            (f.conv.money(m).amount for m in unapplied.amounts.values()), ZERO
        ),
        receipts_not_fully_applied=unapplied.receipts_with_unapplied,
        dispute_cycle_time=k.dispute_cycle_time(f.cycle.get(group, [])),
        ddo=k.days_deductions_outstanding(
            f.deductions_open.get(group, ZERO), f.deductions_new.get(group, ZERO), days
        ),
        promise_kept=k.promise_kept_rate(f.promises.get(group, [])),
    )


def _trend(
    uow: UnitOfWork, f: KpiFacts, months: list[Month], conv: Converter
) -> list[tuple[str, k.TrendRow]]:
    """Month by month: AR as of each month end (one query per month), countback over history."""
    repo = uow.reporting

    def ar(r: Any) -> Decimal:
        return conv.minor(r.total_minor, r.currency)

    def cur(r: Any) -> Decimal:
        return conv.minor(r.current_minor, r.currency)

    begin = f.begin
    write_offs: dict[str, dict[str, Decimal]] = {}
    per_month: list[tuple[Month, dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]] = []
    for m in months:
        rows = repo.ar_by_customer(m.end)
        total, current = sum_by(rows, f.key, ar), sum_by(rows, f.key, cur)
        per_month.append((m, begin, total, current))
        write_offs[m.label] = sum_by(
            repo.write_offs(m.start, m.end), f.key, lambda r: conv.minor(r.amount_minor, r.currency)
        )
        begin = total
    groups = sorted({g for _, b, t, _ in per_month for g in (*b, *t)} | set(f.groups()))
    out: list[tuple[str, k.TrendRow]] = []
    for group in groups:
        inputs = [
            k.MonthInputs(
                m.label,
                m.days,
                b.get(group, ZERO),
                t.get(group, ZERO),
                c.get(group, ZERO),
                f.sales.get((group, m.label), ZERO),
                write_offs[m.label].get(group, ZERO),
            )
            for m, b, t, c in per_month
        ]
        for i, row in enumerate(k.kpi_trend(inputs)):
            m = per_month[i][0]
            older = [h for h in f.history if h.label <= m.label]
            history = [
                k.MonthSales(f.sales.get((group, h.label), ZERO), h.days, h.label) for h in older
            ]
            row = replace(row, dso_countback=k.dso_countback(inputs[i].ending_ar, history))
            out.append((group, row))
    return out
