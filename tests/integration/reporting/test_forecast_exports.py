"""Forecast and back-test from the database; typed XLSX/CSV exports; the GL journal export."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from owed.adapters.exports import write_table
from owed.services.exports import ExportJournal, export_journal, forecast_table, kpi_table
from owed.services.forecast import RunBacktest, RunForecast, run_backtest, run_forecast
from owed.services.reporting import ReportKpis, report_kpis
from tests.builders import add_customer, add_invoice
from tests.integration.reporting.builders import pay


def paid_history(env):
    c = add_customer(env, "Late payer", external_id="LATE")
    d = add_customer(env, "On time", external_id="ONTIME")
    for month in (1, 2):
        inv = add_invoice(env, c, "100.00", issue_date=date(2026, month, 1), due_days=10)
        pay(env, inv.number, "100.00", date(2026, month, 21))  # 10 days late
        inv = add_invoice(env, d, "50.00", issue_date=date(2026, month, 3), due_days=10)
        pay(env, inv.number, "50.00", date(2026, month, 13))  # on the day
    add_invoice(env, c, "300.00", issue_date=date(2026, 3, 20), due_days=10)
    add_invoice(env, d, "200.00", issue_date=date(2026, 3, 25), due_days=10)
    return c, d


def test_forecast_weeks_sum_to_at_most_open_ar_and_headline_is_14_days(env):
    paid_history(env)
    result = run_forecast(RunForecast(as_of=date(2026, 4, 1)), env.uow())
    f = result.forecast
    weekly = f.weekly["USD"]
    assert len(weekly) == 13
    assert sum((w.amount for w in weekly), Decimal(0)) <= f.open_total["USD"].amount
    assert f.open_total["USD"].amount == Decimal("500.00")
    assert sum((w.amount for w in weekly), Decimal(0)) + f.beyond["USD"].amount == Decimal("500.00")
    assert result.next_14_days["USD"] == weekly[0] + weekly[1]
    assert result.snapshot_ids


def test_backtest_runs_and_reports_error_and_bias(env):
    paid_history(env)
    report = run_backtest(RunBacktest(date(2026, 1, 5), date(2026, 2, 16), 14), env.uow())
    assert report.currency == "USD"
    assert [r.as_of for r in report.result.rows] == [
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 2),
        date(2026, 2, 16),
    ]
    # as of Jan 19 the Jan invoices (150) were open and paid on Jan 13 / 21: 100 within 14 days
    row = report.result.rows[1]
    assert row.actual_14_days == Decimal("100.00")
    stats = report.result.next_14_days
    assert stats.points_used >= 1 and stats.mape is not None
    assert stats.bias.denominator == sum(r.actual_14_days for r in report.result.rows)


def test_kpi_xlsx_has_typed_cells_frozen_header_and_filter(env, tmp_path):
    paid_history(env)
    report = report_kpis(ReportKpis(date(2026, 1, 1), date(2026, 3, 31)), env.uow())
    path = write_table(kpi_table(report), tmp_path / "kpis.xlsx")
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert isinstance(row["from"].value, datetime) and row["from"].number_format == "yyyy-mm-dd"
    assert isinstance(row["ending_ar"].value, (int, float))
    assert row["ending_ar"].value == 500 and row["ending_ar"].number_format == "#,##0.00"
    assert row["percent_current"].number_format == "0.0%"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}2"


def test_forecast_csv_writes_exact_decimals(env, tmp_path):
    paid_history(env)
    result = run_forecast(RunForecast(as_of=date(2026, 4, 1)), env.uow())
    path = write_table(forecast_table(result), tmp_path / "forecast.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 14  # 13 weeks and "later"
    assert sum(Decimal(r["expected"]) for r in rows) == Decimal("500.00")


def test_journal_export_has_one_row_per_line_with_debit_or_credit(env, tmp_path):
    paid_history(env)
    table = export_journal(ExportJournal(date(2026, 1, 1), date(2026, 1, 31)), env.uow())
    opening = [r for r in table.rows if r[11].startswith("Opening balance")]
    ar_line = next(r for r in opening if r[4] == "1200")
    assert ar_line[6] == Decimal("100.00") and ar_line[7] is None
    assert ar_line[9] == "LATE" and ar_line[10].startswith("INV-")
    debits = sum((r[6] or Decimal(0)) for r in table.rows)
    credits = sum((r[7] or Decimal(0)) for r in table.rows)
    assert debits == credits and debits > 0
    path = write_table(table, tmp_path / "journal.xlsx")
    sheet = load_workbook(path).active
    assert sheet.max_row == len(table.rows) + 1
    assert isinstance(sheet["C2"].value, datetime)
