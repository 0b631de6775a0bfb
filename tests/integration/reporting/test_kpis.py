"""KPIs through the service on constructed histories: the AR guide's worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from owed.domain.errors import ConfigurationError, NotPermitted
from owed.services.reporting import ReportKpis, report_kpis
from tests.builders import add_customer, add_invoice
from tests.integration.reporting.builders import auto_run, pay, receive
from tests.integration.reporting.conftest import set_settings

Q1 = ReportKpis(date(2026, 1, 1), date(2026, 3, 31))


def only(report):
    (row,) = report.rows
    return row


def test_countback_dso_is_the_guides_73_7_days_with_30_day_months(env):
    set_settings(env, kpi_month_days=30)
    c = add_customer(env, "Acme")
    jan = add_invoice(env, c, "70000.00", issue_date=date(2026, 1, 10))
    add_invoice(env, c, "80000.00", issue_date=date(2026, 2, 10))
    add_invoice(env, c, "100000.00", issue_date=date(2026, 3, 10))
    pay(env, jan.number, "38000.00", date(2026, 3, 20))
    row = only(report_kpis(Q1, env.uow()))
    assert row.ending_ar == Decimal("212000.00")
    assert row.credit_sales == Decimal("250000.00")
    assert row.dso_countback.display() == Decimal("73.7")
    assert [m.label for m, _ in row.dso_countback.months_used] == ["2026-03", "2026-02", "2026-01"]
    # standard DSO on the same data: 212,000 / 250,000 × 90
    assert row.dso.display() == Decimal("76.3")


def test_countback_with_actual_days_counts_each_calendar_month(env):
    c = add_customer(env, "Acme")
    jan = add_invoice(env, c, "70000.00", issue_date=date(2026, 1, 10))
    add_invoice(env, c, "80000.00", issue_date=date(2026, 2, 10))
    add_invoice(env, c, "100000.00", issue_date=date(2026, 3, 10))
    pay(env, jan.number, "38000.00", date(2026, 3, 20))
    row = only(report_kpis(Q1, env.uow()))
    expected = Decimal(31) + Decimal(28) + Decimal(32000) / Decimal(70000) * 31
    assert row.dso_countback.days == expected  # 73.17 days: March 31 + February 28 + …
    assert row.dso.inputs["days_in_period"] == Decimal(90)


def test_cei_is_the_guides_55_9_percent(env):
    c = add_customer(env, "Beta")
    dec = add_invoice(env, c, "6200.00", issue_date=date(2025, 12, 1), due_days=30)
    jan = add_invoice(env, c, "7300.00", issue_date=date(2026, 1, 10), due_days=30)
    add_invoice(env, c, "3590.00", issue_date=date(2026, 3, 20), due_days=30)  # not yet due
    pay(env, dec.number, "6200.00", date(2026, 1, 15))
    pay(env, jan.number, "4550.00", date(2026, 2, 20))
    row = only(report_kpis(Q1, env.uow()))
    assert (row.beginning_ar, row.credit_sales) == (Decimal("6200.00"), Decimal("10890.00"))
    assert (row.ending_ar, row.ending_current_ar) == (Decimal("6340.00"), Decimal("3590.00"))
    assert row.cei.percent() == Decimal("55.9")
    assert row.percent_current.percent() == Decimal("56.6")


def test_add_is_dso_minus_best_possible_33_days(env):
    c = add_customer(env, "Gamma")
    add_invoice(env, c, "33000.00", issue_date=date(2026, 1, 5), due_days=30)  # overdue at end
    add_invoice(env, c, "12000.00", issue_date=date(2026, 3, 25), due_days=30)  # current
    old = add_invoice(env, c, "45000.00", issue_date=date(2026, 2, 1), due_days=30)
    pay(env, old.number, "45000.00", date(2026, 3, 1))
    row = only(report_kpis(Q1, env.uow()))
    # sales 90,000 over 90 days; AR 45,000 → DSO 45; current 12,000 → BPDSO 12
    assert row.dso.display() == Decimal("45.0")
    assert row.best_possible_dso.display() == Decimal("12.0")
    assert row.add is not None and row.add.display() == Decimal("33.0")


def test_auto_match_rate_and_accuracy_state_their_denominators(env):
    c = add_customer(env, "Delta")
    a = add_invoice(env, c, "100.00", issue_date=date(2026, 2, 1))
    b = add_invoice(env, c, "300.00", issue_date=date(2026, 2, 2))
    receive(env, "100.00", date(2026, 3, 3), remit=a.number)  # applied automatically
    receive(env, "55.55", date(2026, 3, 4), text="no clue")  # left for a person
    auto_run(env)
    pay(env, b.number, "300.00", date(2026, 3, 6))  # a manual application
    row = only(report_kpis(Q1, env.uow()))
    rate = row.auto_match
    assert (rate.invoice_by_count.numerator, rate.invoice_by_count.denominator) == (1, 3)
    assert rate.invoice_by_value.numerator == Decimal("100.00")
    assert rate.invoice_by_value.denominator == Decimal("455.55")
    assert row.cash_application_accuracy.numerator == 1
    assert row.cash_application_accuracy.denominator == 1
    # 55.55 unapplied since March 4: more than 7 days before March 31
    assert row.unapplied_over_7_days == 1
    assert row.unapplied_over_7_days_amount == Decimal("55.55")


def test_grouping_by_customer_gives_one_row_each(env):
    a = add_customer(env, "A", external_id="CA", segment="retail")
    b = add_customer(env, "B", external_id="CB", segment="retail")
    add_invoice(env, a, "10.00", issue_date=date(2026, 3, 1))
    add_invoice(env, b, "30.00", issue_date=date(2026, 3, 1))
    by_customer = report_kpis(ReportKpis(Q1.date_from, Q1.date_to, by="customer"), env.uow())
    assert [(r.group, r.ending_ar) for r in by_customer.rows] == [
        ("CA", Decimal("10.00")),
        ("CB", Decimal("30.00")),
    ]
    by_segment = report_kpis(ReportKpis(Q1.date_from, Q1.date_to, by="segment"), env.uow())
    assert [(r.group, r.ending_ar) for r in by_segment.rows] == [("retail", Decimal("40.00"))]


def test_trend_gives_one_row_per_month(env):
    c = add_customer(env, "Trend")
    add_invoice(env, c, "100.00", issue_date=date(2026, 1, 10))
    add_invoice(env, c, "200.00", issue_date=date(2026, 3, 10))
    report = report_kpis(ReportKpis(Q1.date_from, Q1.date_to, trend=True), env.uow())
    months = [(g, r.month, r.dso.inputs["ending_ar"]) for g, r in report.trend]
    assert months == [
        ("all", "2026-01", Decimal("100.00")),
        ("all", "2026-02", Decimal("100.00")),
        ("all", "2026-03", Decimal("300.00")),
    ]


def test_foreign_currency_needs_a_rate_and_is_converted(env):
    c = add_customer(env, "Euro", currency="EUR")
    add_invoice(env, c, "100.00", issue_date=date(2026, 3, 1), currency="EUR")
    with pytest.raises(ConfigurationError, match="no exchange rate for EUR"):
        report_kpis(Q1, env.uow())
    set_settings(env, fx_rates={"EUR": "1.10"})
    assert only(report_kpis(Q1, env.uow())).ending_ar == Decimal("110.00")


def test_reports_need_the_report_permission(env):
    env.add_user("nobody", "clerk")
    report_kpis(Q1, env.uow("nobody"))  # clerks may run reports
    uow = env.uow("admin")
    with uow:
        from owed.adapters.db.schema import users

        uow.conn.execute(
            users.update()
            .where(users.c.company_id == uow.company.id, users.c.username == "nobody")
            .values(roles="")
        )
        uow.commit()
    with pytest.raises(NotPermitted):
        report_kpis(Q1, env.uow("nobody"))
