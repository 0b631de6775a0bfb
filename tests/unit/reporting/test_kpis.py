"""The KPIs of the AR guide, checked on its worked examples and on invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.collections.promises import PromiseStatus
from owed.domain.errors import InvalidInput
from owed.domain.money import Money
from owed.domain.reporting.kpis import (
    MonthInputs,
    MonthSales,
    OpenReceipt,
    PaymentOutcome,
    auto_match_rate,
    average_days_delinquent,
    bad_debt_percent,
    best_possible_dso,
    cash_application_accuracy,
    cei,
    days_deductions_outstanding,
    dispute_cycle_time,
    dso_countback,
    dso_standard,
    kpi_trend,
    percent_current,
    promise_kept_rate,
    unapplied_over_days,
)

D = Decimal


# -- the guide's worked examples ------------------------------------------------


def test_countback_dso_walks_back_three_months_to_73_7_days() -> None:
    months = [
        MonthSales(D(100_000), 30, "M3"),
        MonthSales(D(80_000), 30, "M2"),
        MonthSales(D(70_000), 30, "M1"),
    ]

    result = dso_countback(D(212_000), months)

    assert result.display() == D("73.7")
    assert [days for _, days in result.months_used][:2] == [D(30), D(30)]
    assert result.months_used[2][1] == D(32_000) / D(70_000) * 30
    assert not result.history_exhausted


def test_cei_of_the_guide_is_55_9_percent() -> None:
    result = cei(D(6_200), D(10_890), 3, D(6_340), D(3_590))

    assert result.percent() == D("55.9")
    assert result.numerator == D(3_490)
    assert result.denominator == D(6_240)
    assert (result.ratio.numerator, result.ratio.denominator) == (D(10_470), D(18_720))


def test_add_is_dso_less_best_possible_dso() -> None:
    result = average_days_delinquent(D(45), D(12))

    assert result.days == D(33)
    assert result.inputs == {"dso": D(45), "best_possible_dso": D(12)}


# -- the other formulas -----------------------------------------------------------


def test_standard_dso_and_best_possible_dso_carry_their_denominator() -> None:
    dso = dso_standard(D(150_000), D(300_000), 90)
    bpdso = best_possible_dso(D(100_000), D(300_000), 90)

    assert dso.days == D(45)
    assert dso.denominator == D(300_000)
    assert bpdso.days == D(30)
    assert average_days_delinquent(dso.days, bpdso.days).days == D(15)


def test_dso_without_sales_is_undefined_not_zero() -> None:
    assert dso_standard(D(1_000), D(0), 30).days is None
    assert str(dso_standard(D(1_000), D(0), 30)) == "n/a"


def test_countback_that_runs_out_of_history_says_so() -> None:
    result = dso_countback(D(500), [MonthSales(D(100), 31), MonthSales(D(0), 28)])

    assert result.days == D(59)
    assert result.history_exhausted


def test_countback_with_ar_inside_the_latest_month() -> None:
    result = dso_countback(D(50), [MonthSales(D(100), 31), MonthSales(D(100), 30)])

    assert result.days == D("15.5")
    assert len(result.months_used) == 1


def test_percent_current_and_bad_debt() -> None:
    assert percent_current(D(906), D(1_000)).percent() == D("90.6")
    assert bad_debt_percent(D(5_000), D(1_000_000)).percent(2) == D("0.50")
    assert percent_current(D(0), D(0)).value is None


def test_auto_match_rate_four_ways_with_denominators() -> None:
    outcomes = [
        PaymentOutcome(D(100), account_untouched=True, invoices_untouched=True),
        PaymentOutcome(D(300), account_untouched=True, invoices_untouched=False),
        PaymentOutcome(D(600), account_untouched=False, invoices_untouched=False),
    ]

    rate = auto_match_rate(outcomes)

    assert (rate.account_by_count.numerator, rate.account_by_count.denominator) == (2, 3)
    assert (rate.account_by_value.numerator, rate.account_by_value.denominator) == (400, 1000)
    assert (rate.invoice_by_count.numerator, rate.invoice_by_count.denominator) == (1, 3)
    assert rate.invoice_by_value.percent() == D("10.0")


def test_auto_match_refuses_invoices_untouched_when_the_account_was_touched() -> None:
    with pytest.raises(InvalidInput, match="payment 1"):
        auto_match_rate([PaymentOutcome(D(1), account_untouched=False, invoices_untouched=True)])


def test_cash_application_accuracy() -> None:
    assert cash_application_accuracy(98, 100).percent() == D("98.0")
    with pytest.raises(InvalidInput):
        cash_application_accuracy(101, 100)


def test_unapplied_cash_older_than_seven_days() -> None:
    as_of = date(2026, 3, 20)
    receipts = [
        OpenReceipt(date(2026, 3, 12), Money("50.00", "USD")),  # 8 days: counts
        OpenReceipt(date(2026, 3, 13), Money("70.00", "USD")),  # 7 days: not yet
        OpenReceipt(date(2026, 3, 1), Money("0", "USD")),  # fully applied
        OpenReceipt(date(2026, 2, 1), Money("10", "EUR")),
    ]

    result = unapplied_over_days(receipts, as_of)

    assert result.count == 2
    assert result.amounts == {"USD": Money("50.00", "USD"), "EUR": Money("10", "EUR")}
    assert result.receipts_with_unapplied == 3


def test_dispute_cycle_time_and_ddo() -> None:
    cycle = dispute_cycle_time(
        [(date(2026, 1, 1), date(2026, 1, 4)), (date(2026, 1, 2), date(2026, 1, 11))]
    )
    assert cycle.days == D(6)
    assert cycle.denominator == D(2)
    assert dispute_cycle_time([]).days is None

    ddo = days_deductions_outstanding(D(9_000), D(27_000), 90)
    assert ddo.days == D(30)


def test_promise_kept_rate_ignores_pending() -> None:
    statuses = [PromiseStatus.KEPT, PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.PENDING]

    rate = promise_kept_rate(statuses)

    assert (rate.numerator, rate.denominator) == (D(2), D(3))


def test_kpis_refuse_floats() -> None:
    with pytest.raises(TypeError):
        dso_standard(1000.0, D(1), 30)  # type: ignore[arg-type]


def test_trend_rows_use_earlier_months_for_countback() -> None:
    months = [
        MonthInputs("2026-01", 30, D(100_000), D(150_000), D(90_000), D(70_000)),
        MonthInputs("2026-02", 30, D(150_000), D(180_000), D(100_000), D(80_000)),
        MonthInputs("2026-03", 30, D(180_000), D(212_000), D(120_000), D(100_000), D(1_000)),
    ]

    rows = kpi_trend(months)

    assert [r.month for r in rows] == ["2026-01", "2026-02", "2026-03"]
    assert rows[2].dso_countback.display() == D("73.7")
    assert rows[0].dso_countback.history_exhausted
    assert rows[2].bad_debt.percent() == D("1.0")
    assert rows[2].add is not None
    assert rows[2].add.days == rows[2].dso.days - rows[2].best_possible_dso.days  # type: ignore[operator]


# -- invariants -------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10**9).map(D)
scales = st.integers(min_value=2, max_value=10**6).map(D)
TOLERANCE = D("1e-12")


@given(amounts, amounts, scales)
def test_dso_is_scale_invariant(ar: Decimal, sales: Decimal, k: Decimal) -> None:
    a = dso_standard(ar, sales, 30).days
    b = dso_standard(ar * k, sales * k, 30).days
    assert a is not None and b is not None
    assert abs(a - b) <= TOLERANCE


@given(amounts, amounts, amounts, amounts, scales)
def test_cei_is_scale_invariant(
    begin: Decimal, sales: Decimal, end_total: Decimal, end_current: Decimal, k: Decimal
) -> None:
    a = cei(begin, sales, 3, end_total, end_current).value
    b = cei(begin * k, sales * k, 3, end_total * k, end_current * k).value
    assert a == b  # exact: the formula is evaluated multiplied through by N


@given(amounts, st.lists(amounts, min_size=1, max_size=12), scales)
def test_countback_is_scale_invariant(ar: Decimal, sales: list[Decimal], k: Decimal) -> None:
    a = dso_countback(ar, [MonthSales(s, 30) for s in sales])
    b = dso_countback(ar * k, [MonthSales(s * k, 30) for s in sales])
    assert abs(a.days - b.days) <= TOLERANCE
    assert a.history_exhausted == b.history_exhausted


@given(amounts, st.lists(amounts, min_size=1, max_size=12))
def test_countback_never_exceeds_the_days_walked(ar: Decimal, sales: list[Decimal]) -> None:
    result = dso_countback(ar, [MonthSales(s, 30) for s in sales])
    assert 0 < result.days <= 30 * len(sales)
