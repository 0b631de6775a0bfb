"""Payment behaviour, the weekly cash forecast and the back-test."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owed.domain.errors import InvalidInput
from owed.domain.money import Money
from owed.domain.reporting.forecast import (
    BacktestPoint,
    ForecastItem,
    PaidInvoice,
    backtest,
    fit_behaviours,
    forecast,
)

D = Decimal
AS_OF = date(2026, 3, 30)  # a Monday


def paid(
    customer: str, days_late: int, amount: str = "100", due: date = date(2026, 1, 15)
) -> PaidInvoice:
    return PaidInvoice(customer, due, due + timedelta(days=days_late), D(amount))


def test_behaviour_is_amount_weighted_and_shrunk_towards_the_prior() -> None:
    history = [paid("C1", 10, "300"), paid("C1", 30, "100")] + [paid("C2", 0) for _ in range(8)]

    model = fit_behaviours(history)

    # C1's own weighted mean is (300·10 + 100·30) / 400 = 15; the prior over all
    # invoices is (3000 + 3000 + 0) / 1200 = 5; with 2 invoices z = 2/7.
    c1 = model.for_customer("C1")
    assert model.prior.mean_days_late == D(5)
    assert c1.credibility == D(2) / D(7)
    assert c1.mean_days_late == D(2) / D(7) * 15 + D(5) / D(7) * 5
    assert model.for_customer("unknown") is model.prior
    assert "customer C1" in c1.explain()


def test_broken_promises_add_a_capped_penalty() -> None:
    model = fit_behaviours([paid("C1", 10)], broken_promises={"C1": 1, "C2": 9})
    assert model.for_customer("C1").penalty_days == D(5)
    assert model.for_customer("C2").penalty_days == D(20)
    assert model.for_customer("C2").mean_days_late == model.prior.mean_days_late + 20


def test_an_item_lands_around_its_due_date_plus_expected_lateness() -> None:
    model = fit_behaviours([paid("C1", 14) for _ in range(50)])
    item = ForecastItem("C1", "INV-1", "USD", D("1000.00"), AS_OF)  # due today, paid ~14 days on

    result = forecast([item], model, AS_OF)

    weeks = result.weekly["USD"]
    assert weeks[2] == max(weeks)  # day 14 is the first day of week 3
    assert sum(weeks, Money.zero("USD")) + result.beyond["USD"] == Money("1000.00", "USD")
    assert result.items[0].expected_date == AS_OF + timedelta(days=14)
    assert result.items[0].method == "behaviour"


def test_an_item_late_beyond_expectation_decays_from_the_first_week() -> None:
    model = fit_behaviours([paid("C1", 0) for _ in range(50)])
    item = ForecastItem("C1", "OLD", "USD", D("1000.00"), AS_OF - timedelta(days=60))

    result = forecast([item], model, AS_OF)

    weeks = [w.amount for w in result.weekly["USD"]]
    assert weeks[0] == D("400.00")  # (1 − 0.6) of it in week 1
    assert weeks[1] == D("240.00")
    assert all(a >= b for a, b in itertools.pairwise(weeks))
    assert result.items[0].method == "overdue_decay"


def test_expected_in_days_and_currencies_kept_apart() -> None:
    model = fit_behaviours([paid("C1", 3) for _ in range(20)])
    items = [
        ForecastItem("C1", "A", "USD", D("500"), AS_OF + timedelta(days=2)),
        ForecastItem("C1", "B", "EUR", D("70"), AS_OF + timedelta(days=40)),
        ForecastItem("C1", "CN", "USD", D("-50"), AS_OF),
    ]

    result = forecast(items, model, AS_OF)

    assert result.expected_in_days(14, "USD") == result.weekly["USD"][0] + result.weekly["USD"][1]
    assert result.expected_in_days(14, "USD") == Money("500.00", "USD")
    assert result.expected_in_days(14, "EUR") == Money("0.00", "EUR")
    assert result.open_total == {"USD": Money("500", "USD"), "EUR": Money("70", "EUR")}
    assert result.expected_in_days(10, "GBP") == Money("0", "GBP")
    with pytest.raises(InvalidInput):
        result.expected_in_days(92, "USD")


items_strategy = st.lists(
    st.builds(
        ForecastItem,
        customer_id=st.sampled_from(["C1", "C2", "C3", "NEW"]),
        document=st.just("X"),
        currency=st.sampled_from(["USD", "JPY"]),
        open_amount=st.integers(-1000, 10**7).map(D),
        due_date=st.integers(-200, 200).map(lambda d: AS_OF + timedelta(days=d)),
    ),
    max_size=25,
)
history_strategy = st.lists(
    st.builds(
        paid,
        st.sampled_from(["C1", "C2", "C3"]),
        st.integers(-10, 90),
        st.integers(1, 5000).map(str),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(items_strategy, history_strategy, st.integers(1, 13))
def test_weekly_amounts_never_exceed_the_open_total(
    items: list[ForecastItem], history: list[PaidInvoice], weeks: int
) -> None:
    result = forecast(items, fit_behaviours(history), AS_OF, weeks)
    for code, total in result.open_total.items():
        forecast_sum = sum(result.weekly[code], Money.zero(code))
        assert all(w.amount >= 0 for w in result.weekly[code])
        assert forecast_sum <= total
        assert forecast_sum + result.beyond[code] == total
        assert result.beyond[code].amount >= 0


def test_backtest_fits_only_on_what_was_known_and_reports_errors() -> None:
    # C1 paid 14 days late until March, then started paying on time.
    history = [paid("C1", 14, due=date(2026, 1, d)) for d in range(1, 29)]
    history += [paid("C1", 0, due=date(2026, 4, d)) for d in range(1, 29)]
    item = ForecastItem("C1", "A", "USD", D("1000.00"), AS_OF + timedelta(days=7))
    point = BacktestPoint(AS_OF, (item,), actual_14_days=D("500.00"), actual_13_weeks=D("1000"))

    result = backtest(history, [point], "USD")

    (row,) = result.rows
    # Fitted on the 14-days-late history only, the item is expected on day 21, not
    # in the first 14 days; with the later on-time history it would be day 7.
    assert row.expected_14_days < D("1.00")
    assert row.expected_13_weeks == D("1000.00")
    assert result.next_13_weeks.mape == D(0)
    assert result.next_14_days.points_used == 1
    assert result.next_14_days.mape == abs(row.expected_14_days - 500) / 500
    assert result.next_14_days.bias.numerator == row.expected_14_days - 500
