"""Tabular exports as typed tables: the GL journal, KPIs, forecasts, exceptions.

A use case (or a small function over a report) returns an ``ExportTable``:
named, typed columns and rows of Python values (``Decimal`` for numbers and
money, ``date`` for dates, ``int``, ``str``, ``None`` for empty). The one
writer (``owed.adapters.exports.write_table``) turns it into CSV or a real
XLSX sheet, so every export gets the same typing, header and formats.

GL journal export columns (one row per journal line): see ``JOURNAL_COLUMNS``
and docs/formats.md. Debit and credit are positive amounts in the line's
currency, exactly one of them filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.errors import InvalidInput
from owed.domain.money import Currency
from owed.domain.reporting.ratio import Days, Ratio
from owed.services.unit_of_work import UnitOfWork

KINDS = ("text", "integer", "number", "money", "percent", "date")


@dataclass(frozen=True)
class ExportColumn:
    name: str
    kind: str = "text"  # text | integer | number | money | percent | date
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"column {self.name}: kind {self.kind!r} is not one of {KINDS}")


@dataclass(frozen=True)
class ExportTable:
    title: str
    columns: tuple[ExportColumn, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise InvalidInput(
                    f"{self.title}: row {i} has {len(row)} values for {len(self.columns)} columns"
                )


# -- GL journal -------------------------------------------------------------------
JOURNAL_COLUMNS = (
    ExportColumn("entry_id", "integer"),
    ExportColumn("line_no", "integer"),
    ExportColumn("date", "date"),
    ExportColumn("period"),
    ExportColumn("account_code"),
    ExportColumn("account_name", width=30),
    ExportColumn("debit", "money"),
    ExportColumn("credit", "money"),
    ExportColumn("currency"),
    ExportColumn("customer_external_id"),
    ExportColumn("document_number"),
    ExportColumn("description", width=40),
    ExportColumn("source"),
    ExportColumn("source_id", "integer"),
    ExportColumn("reverses_entry_id", "integer"),
    ExportColumn("posted_by"),
)


@dataclass(frozen=True)
class ExportJournal:
    date_from: date
    date_to: date


def export_journal(cmd: ExportJournal, uow: UnitOfWork) -> ExportTable:
    if cmd.date_to < cmd.date_from:
        raise InvalidInput(f"--to {cmd.date_to} is before --from {cmd.date_from}")
    with uow:
        uow.require(Permission.REPORT)
        rows = []
        for r in uow.reporting.journal_lines(cmd.date_from, cmd.date_to):
            amount = Currency.of(r.currency).from_minor(int(r.amount_minor))
            description = r.description + (
                f" ({r.memo})" if r.memo and r.memo != r.description else ""
            )
            rows.append(
                (
                    int(r.entry_id),
                    int(r.line_no),
                    r.entry_date,
                    r.period,
                    r.account_code,
                    r.account_name or "",
                    amount if amount > 0 else None,
                    -amount if amount < 0 else None,
                    r.currency,
                    r.customer_external_id,
                    r.document_number,
                    description,
                    r.source_type,
                    r.source_id,
                    r.reverses_id,
                    r.posted_by,
                )
            )
        return ExportTable("journal", JOURNAL_COLUMNS, rows)


# -- KPIs -------------------------------------------------------------------------
def _days(value: Days | None) -> Decimal | None:
    return None if value is None else value.display(1)


def _pct(value: Ratio) -> Decimal | None:
    v = value.value
    return None if v is None else v


def kpi_table(report: Any) -> ExportTable:
    """One row per group (``services.reporting.KpiReport``); percentages as fractions."""
    columns = (
        ExportColumn("group"),
        ExportColumn("from", "date"),
        ExportColumn("to", "date"),
        ExportColumn("currency"),
        ExportColumn("beginning_ar", "money"),
        ExportColumn("ending_ar", "money"),
        ExportColumn("ending_current_ar", "money"),
        ExportColumn("credit_sales", "money"),
        ExportColumn("write_offs", "money"),
        ExportColumn("dso", "number"),
        ExportColumn("dso_countback", "number"),
        ExportColumn("best_possible_dso", "number"),
        ExportColumn("add", "number"),
        ExportColumn("cei", "percent"),
        ExportColumn("percent_current", "percent"),
        ExportColumn("bad_debt", "percent"),
        ExportColumn("auto_match_account_count", "percent"),
        ExportColumn("auto_match_account_value", "percent"),
        ExportColumn("auto_match_invoice_count", "percent"),
        ExportColumn("auto_match_invoice_value", "percent"),
        ExportColumn("payments", "integer"),
        ExportColumn("payments_value", "money"),
        ExportColumn("cash_application_accuracy", "percent"),
        ExportColumn("auto_applications", "integer"),
        ExportColumn("unapplied_over_7_days", "integer"),
        ExportColumn("unapplied_over_7_days_amount", "money"),
        ExportColumn("dispute_cycle_days", "number"),
        ExportColumn("disputes_closed", "integer"),
        ExportColumn("ddo", "number"),
        ExportColumn("promise_kept", "percent"),
        ExportColumn("promises_decided", "integer"),
    )
    rows = []
    for r in report.rows:
        am = r.auto_match
        rows.append(
            (
                r.group,
                report.date_from,
                report.date_to,
                report.base_currency,
                r.beginning_ar,
                r.ending_ar,
                r.ending_current_ar,
                r.credit_sales,
                r.write_offs,
                _days(r.dso),
                r.dso_countback.display(1),
                _days(r.best_possible_dso),
                _days(r.add),
                r.cei.value,
                _pct(r.percent_current),
                _pct(r.bad_debt),
                _pct(am.account_by_count),
                _pct(am.account_by_value),
                _pct(am.invoice_by_count),
                _pct(am.invoice_by_value),
                int(am.invoice_by_count.denominator),
                am.invoice_by_value.denominator,
                _pct(r.cash_application_accuracy),
                int(r.cash_application_accuracy.denominator),
                r.unapplied_over_7_days,
                r.unapplied_over_7_days_amount,
                _days(r.dispute_cycle_time),
                int(r.dispute_cycle_time.denominator),
                _days(r.ddo),
                _pct(r.promise_kept),
                int(r.promise_kept.denominator),
            )
        )
    return ExportTable("kpis", columns, rows)


def kpi_trend_table(report: Any) -> ExportTable:
    columns = (
        ExportColumn("group"),
        ExportColumn("month"),
        ExportColumn("beginning_ar", "money"),
        ExportColumn("ending_ar", "money"),
        ExportColumn("ending_current_ar", "money"),
        ExportColumn("credit_sales", "money"),
        ExportColumn("dso", "number"),
        ExportColumn("dso_countback", "number"),
        ExportColumn("best_possible_dso", "number"),
        ExportColumn("add", "number"),
        ExportColumn("cei", "percent"),
        ExportColumn("percent_current", "percent"),
        ExportColumn("bad_debt", "percent"),
    )
    rows = [
        (
            group,
            t.month,
            t.cei.beginning_ar,
            t.cei.ending_total_ar,
            t.cei.ending_current_ar,
            t.cei.credit_sales,
            _days(t.dso),
            t.dso_countback.display(1),
            _days(t.best_possible_dso),
            _days(t.add),
            t.cei.value,
            _pct(t.percent_current),
            _pct(t.bad_debt),
        )
        for group, t in report.trend
    ]
    return ExportTable("kpi trend", columns, rows)


# -- forecast ----------------------------------------------------------------------
def forecast_table(result: Any) -> ExportTable:
    """Week by week per currency (``services.forecast.ForecastResult``), then "later"."""
    f = result.forecast
    columns = (
        ExportColumn("currency"),
        ExportColumn("week", "integer"),
        ExportColumn("week_start", "date"),
        ExportColumn("expected", "money"),
    )
    rows: list[tuple[Any, ...]] = []
    for code in sorted(f.weekly):
        for i, amount in enumerate(f.weekly[code], start=1):
            rows.append((code, i, f.week_start(i), amount.amount))
        rows.append((code, None, None, f.beyond[code].amount))
    return ExportTable("forecast", columns, rows)


# -- exceptions ----------------------------------------------------------------------
def exceptions_table(items: Sequence[Any]) -> ExportTable:
    """The cash application exception queue (``cash_reading.list_exceptions``)."""
    columns = (
        ExportColumn("receipt_id", "integer"),
        ExportColumn("value_date", "date"),
        ExportColumn("currency"),
        ExportColumn("amount", "money"),
        ExportColumn("unapplied", "money"),
        ExportColumn("payer_name", width=28),
        ExportColumn("bank_reference"),
        ExportColumn("business_days_open", "integer"),
        ExportColumn("over_sla"),
        ExportColumn("reason", width=40),
        ExportColumn("best_suggestion", width=50),
    )
    rows = [
        (
            e.receipt_id,
            e.value_date,
            e.amount.currency.code,
            e.amount.amount,
            e.unapplied.amount,
            e.payer_name or "",
            e.bank_reference or "",
            e.business_days_open,
            "yes" if e.over_sla else "no",
            e.reason,
            e.suggestions[0]["explanation"] if e.suggestions else "",
        )
        for e in items
    ]
    return ExportTable("exceptions", columns, rows)
