"""Recurring billing: periods with anchor days 29–31, proration, subscription charges."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.billing.recurring import (
    Change,
    Frequency,
    Period,
    Subscription,
    UsageRecord,
    billing_periods,
    charges_for_period,
    prorate,
    run_key,
)
from owed.domain.errors import InvalidInput
from owed.domain.money import Money

APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))
MAY = Period(date(2026, 5, 1), date(2026, 5, 31))
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def plan(*changes: tuple[date, str, str], anchor: int = 1) -> Subscription:
    return Subscription(
        id="sub-1",
        description="Pro plan",
        frequency=Frequency.MONTHLY,
        anchor_day=anchor,
        changes=tuple(Change(day, Decimal(qty), usd(price)) for day, qty, price in changes),
        tax_code="US-CA",
        account="4100",
    )


def amounts(lines: list) -> list[Money]:  # type: ignore[type-arg]
    return [line.amount for line in lines]


class TestBillingPeriods:
    def test_anchor_31_falls_on_the_last_day_of_short_months(self) -> None:
        periods = billing_periods(date(2026, 1, 31), 31, Frequency.MONTHLY, date(2026, 5, 31))
        assert periods == [
            (date(2026, 1, 31), date(2026, 2, 27)),
            (date(2026, 2, 28), date(2026, 3, 30)),
            (date(2026, 3, 31), date(2026, 4, 29)),
            (date(2026, 4, 30), date(2026, 5, 30)),
            (date(2026, 5, 31), date(2026, 6, 29)),
        ]

    def test_start_off_the_anchor_opens_a_stub(self) -> None:
        periods = billing_periods(date(2026, 1, 10), 1, Frequency.MONTHLY, date(2026, 2, 1))
        assert periods == [
            (date(2026, 1, 10), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
        ]

    def test_quarterly_and_annual_on_a_leap_day(self) -> None:
        quarterly = billing_periods(date(2026, 1, 15), 15, Frequency.QUARTERLY, date(2026, 4, 15))
        assert quarterly == [
            (date(2026, 1, 15), date(2026, 4, 14)),
            (date(2026, 4, 15), date(2026, 7, 14)),
        ]
        annual = billing_periods(date(2024, 2, 29), 29, Frequency.ANNUAL, date(2028, 3, 1))
        assert [p.start for p in annual] == [
            date(2024, 2, 29),
            date(2025, 2, 28),
            date(2026, 2, 28),
            date(2027, 2, 28),
            date(2028, 2, 29),
        ]

    def test_bad_anchor_day(self) -> None:
        with pytest.raises(InvalidInput, match="anchor day 32"):
            billing_periods(date(2026, 1, 1), 32, Frequency.MONTHLY, date(2026, 2, 1))

    @given(
        st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
        st.integers(min_value=1, max_value=31),
        st.sampled_from(list(Frequency)),
        st.integers(min_value=0, max_value=2000),
    )
    def test_periods_are_contiguous_and_start_on_the_anchor(
        self, start: date, anchor: int, frequency: Frequency, span: int
    ) -> None:
        until = start + timedelta(days=span)
        periods = billing_periods(start, anchor, frequency, until)
        assert periods[0].start == start
        assert periods[-1].start <= until <= periods[-1].end
        for earlier, later in itertools.pairwise(periods):
            assert later.start == earlier.end + timedelta(days=1)
            assert later.start.day == anchor or (
                later.start.day < anchor and (later.start + timedelta(days=1)).day == 1
            )


class TestProrate:
    def test_mid_month_upgrade_of_a_thirty_day_month(self) -> None:
        # 30.00 → 60.00 from day 16 of April: 15 of 30 days remain → 15.00 extra.
        assert prorate(usd("60.00") - usd("30.00"), APRIL, date(2026, 4, 16)) == usd("15.00")

    def test_whole_period_first_day_and_last_day(self) -> None:
        assert prorate(usd("31.00"), MAY, date(2026, 5, 1)) == usd("31.00")
        assert prorate(usd("31.00"), MAY, date(2026, 5, 31)) == usd("1.00")
        assert prorate(usd("10.00"), MAY, date(2026, 5, 16)) == usd("5.16")  # 5.1613

    def test_day_outside_the_period(self) -> None:
        with pytest.raises(InvalidInput, match="outside the period"):
            prorate(usd("10.00"), MAY, date(2026, 6, 1))

    @given(
        st.integers(min_value=-(10**9), max_value=10**9),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
        st.integers(min_value=0, max_value=400),
        st.integers(min_value=0, max_value=400),
    )
    def test_proration_never_exceeds_the_full_amount(
        self, cents: int, start: date, length: int, offset: int
    ) -> None:
        period = Period(start, start + timedelta(days=length))
        from_day = start + timedelta(days=min(offset, length))
        full = Money.from_minor(cents, "USD")
        part = prorate(full, period, from_day)
        assert part.is_exact
        assert abs(part) <= abs(full)
        assert part.amount * full.amount >= 0  # same sign (or zero)


class TestCharges:
    def test_first_full_period_is_billed_in_advance(self) -> None:
        sub = plan((date(2026, 4, 1), "2", "30.00"))
        lines = charges_for_period(sub, APRIL, [])
        assert len(lines) == 1
        assert (lines[0].quantity, lines[0].unit_price) == (Decimal(2), usd("30.00"))
        assert lines[0].description == "Pro plan (2026-04-01 to 2026-04-30)"
        assert (lines[0].tax_code, lines[0].account) == ("US-CA", "4100")

    def test_upgrade_inside_the_previous_period(self) -> None:
        sub = plan((date(2026, 4, 1), "1", "30.00"), (date(2026, 4, 16), "1", "60.00"))
        lines = charges_for_period(sub, MAY, [])
        assert amounts(lines) == [usd("60.00"), usd("15.00")]
        assert lines[1].description.startswith("Upgrade from 2026-04-16")

    def test_downgrade_inside_the_previous_period_is_a_credit_line(self) -> None:
        sub = plan((date(2026, 4, 1), "3", "10.00"), (date(2026, 4, 16), "1", "10.00"))
        lines = charges_for_period(sub, MAY, [])
        assert amounts(lines) == [usd("10.00"), usd("-10.00")]
        assert lines[1].description.startswith("Credit for downgrade")

    def test_changes_inside_the_billed_period_wait_for_the_next_run(self) -> None:
        sub = plan((date(2026, 4, 1), "1", "30.00"), (date(2026, 5, 20), "1", "60.00"))
        assert amounts(charges_for_period(sub, MAY, [])) == [usd("30.00")]
        # 12 of 31 May days at +30.00 = 11.6129 → 11.61
        assert amounts(charges_for_period(sub, JUNE, [])) == [usd("60.00"), usd("11.61")]

    def test_two_changes_in_one_period_telescope(self) -> None:
        sub = plan(
            (date(2026, 4, 1), "1", "30.00"),
            (date(2026, 4, 11), "1", "60.00"),
            (date(2026, 4, 21), "1", "90.00"),
        )
        lines = charges_for_period(sub, MAY, [])
        # April as lived: 10 days at 30 + 10 at 60 + 10 at 90 = 60.00; billed 30.00 in advance.
        assert amounts(lines) == [usd("90.00"), usd("20.00"), usd("10.00")]

    def test_stub_period_is_prorated_against_the_full_month(self) -> None:
        sub = plan((date(2026, 4, 10), "1", "30.00"))
        stub = Period(date(2026, 4, 10), date(2026, 4, 30))
        lines = charges_for_period(sub, stub, [])
        assert amounts(lines) == [usd("21.00")]  # 21 of 30 days
        assert lines[0].description.endswith(", prorated")

    def test_cancellation_credits_the_unused_days_and_bills_nothing_ahead(self) -> None:
        sub = plan((date(2026, 4, 1), "1", "31.00"), (date(2026, 5, 21), "0", "31.00"))
        lines = charges_for_period(sub, JUNE, [])
        assert amounts(lines) == [usd("-11.00")]  # May 21–31: 11 of 31 days

    def test_usage_of_the_previous_period_in_arrears(self) -> None:
        sub = plan((date(2026, 4, 1), "1", "30.00"))
        usage = [
            UsageRecord(date(2026, 4, 3), Decimal(100), usd("0.01"), "API calls"),
            UsageRecord(date(2026, 4, 30), Decimal(250), usd("0.01"), "API calls"),
            UsageRecord(date(2026, 4, 9), Decimal("1.5"), usd("2.00"), "Storage GB"),
            UsageRecord(date(2026, 5, 1), Decimal(999), usd("0.01"), "API calls"),  # next run
        ]
        lines = charges_for_period(sub, MAY, usage)
        assert [(x.description, x.quantity, x.amount) for x in lines[1:]] == [
            ("API calls (2026-04-01 to 2026-04-30)", Decimal(350), usd("3.50")),
            ("Storage GB (2026-04-01 to 2026-04-30)", Decimal("1.5"), usd("3.00")),
        ]
        assert amounts(charges_for_period(sub, APRIL, usage)) == [usd("30.00")]

    def test_a_period_that_is_not_the_subscriptions(self) -> None:
        sub = plan((date(2026, 4, 1), "1", "30.00"))
        with pytest.raises(InvalidInput, match="not a billing period of subscription sub-1"):
            charges_for_period(sub, Period(date(2026, 5, 2), date(2026, 6, 1)), [])
        with pytest.raises(InvalidInput):
            charges_for_period(sub, Period(date(2026, 3, 1), date(2026, 3, 31)), [])

    def test_subscription_validation(self) -> None:
        with pytest.raises(InvalidInput, match="strictly increase"):
            plan((date(2026, 4, 2), "1", "1.00"), (date(2026, 4, 1), "1", "2.00"))
        with pytest.raises(InvalidInput, match="one currency"):
            Subscription(
                "s",
                "x",
                Frequency.MONTHLY,
                1,
                (
                    Change(date(2026, 1, 1), Decimal(1), usd("1.00")),
                    Change(date(2026, 2, 1), Decimal(1), Money("1.00", "EUR")),
                ),
            )

    def test_run_key(self) -> None:
        assert run_key("sub-1", date(2026, 5, 1)) == "subscription:sub-1:2026-05-01"
        assert run_key("sub-1", date(2026, 5, 1)) != run_key("sub-1", date(2026, 6, 1))
