"""Exact money: one constructor, no floats, no lost cents."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.errors import CurrencyMismatch, InexactAmount, MoneyError, UnknownCurrency
from owed.domain.money import HALF_EVEN, Currency, Money, total

CURRENCIES = ["USD", "JPY", "BHD", "EUR", "KWD", "CLF"]


# -- construction --------------------------------------------------------------
@pytest.mark.parametrize("bad", [0.1, 10.0, float("nan"), -0.0])
def test_float_is_refused_with_type_error(bad: float) -> None:
    with pytest.raises(TypeError, match="float"):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, False])
def test_bool_is_refused_with_type_error(bad: bool) -> None:
    with pytest.raises(TypeError, match="bool"):
        Money(bad, "USD")


@pytest.mark.parametrize("bad", [None, [1], b"1", 1 + 0j])
def test_other_types_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (" 1_000.05 ", Decimal("1000.05")),
        ("-3", Decimal("-3")),
        (7, Decimal("7")),
        (-(10**15), Decimal(-(10**15))),
        (Decimal("0.10"), Decimal("0.10")),
    ],
)
def test_str_int_and_decimal_are_accepted_exactly(value: object, expected: Decimal) -> None:
    money = Money(value, "USD")  # type: ignore[arg-type]
    assert money.amount == expected
    assert isinstance(money.amount, Decimal)
    assert money.currency == Currency.of("USD")


def test_point_one_plus_point_two_is_exactly_point_three() -> None:
    assert Money("0.10", "USD") + Money("0.20", "USD") == Money("0.30", "USD")


@pytest.mark.parametrize("text", ["abc", "", "1,000.00", "12.50.1"])
def test_unreadable_text_is_a_money_error(text: str) -> None:
    with pytest.raises(MoneyError):
        Money(text, "USD")


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_amounts_are_refused(text: str) -> None:
    with pytest.raises(MoneyError):
        Money(text, "USD")
    with pytest.raises(MoneyError):
        Money(Decimal(text), "USD")


def test_money_is_immutable_and_hashable() -> None:
    money = Money("1.00", "USD")
    with pytest.raises(AttributeError):
        money.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del money.amount
    assert {Money("1.00", "USD"), Money("1.0", "USD"), Money("1", "USD")} == {money}
    assert pickle.loads(pickle.dumps(money)) == money


def test_parse_accepts_both_orders_and_checks_the_currency() -> None:
    assert Money.parse("12.50 USD") == Money("12.50", "USD")
    assert Money.parse("usd 12.50") == Money("12.50", "USD")
    assert Money.parse("12.50", "EUR") == Money("12.50", "EUR")
    with pytest.raises(CurrencyMismatch):
        Money.parse("12.50 USD", "EUR")
    with pytest.raises(MoneyError):
        Money.parse("12.50")


# -- currencies ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "minor_units"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("KWD", 3), ("CLF", 4)],
)
def test_iso_minor_units(code: str, minor_units: int) -> None:
    assert Currency.of(code).minor_units == minor_units
    assert Currency.of(code).quantum == Decimal(1).scaleb(-minor_units)


def test_currency_codes_are_normalised_and_cached() -> None:
    assert Currency.of(" usd ") is Currency.of("USD")
    assert Currency.of(Currency.of("EUR")) is Currency.of("EUR")


@pytest.mark.parametrize("code", ["XYZ", "US", "", "DOLLAR"])
def test_unknown_currency_is_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        Money(1, code)


def test_non_string_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        Currency.of(840)  # type: ignore[arg-type]


# -- minor units -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("12.34", "USD", 1234),
        ("-0.01", "USD", -1),
        ("12.3", "USD", 1230),
        ("1E+3", "USD", 100000),
        ("500", "JPY", 500),
        ("1.234", "BHD", 1234),
        ("0.001", "BHD", 1),
    ],
)
def test_to_minor(amount: str, code: str, minor: int) -> None:
    assert Money(amount, code).to_minor() == minor


@pytest.mark.parametrize(
    ("amount", "code"), [("1.005", "USD"), ("0.5", "JPY"), ("1.0001", "BHD"), ("-0.001", "USD")]
)
def test_to_minor_refuses_inexact_amounts(amount: str, code: str) -> None:
    money = Money(amount, code)
    assert not money.is_exact
    with pytest.raises(InexactAmount, match=code):
        money.to_minor()


def test_round_is_half_up_by_default_and_half_even_on_request() -> None:
    assert Money("0.125", "USD").round() == Money("0.13", "USD")
    assert Money("-0.125", "USD").round() == Money("-0.13", "USD")
    assert Money("0.125", "USD").round(HALF_EVEN) == Money("0.12", "USD")
    assert Money("2.5", "JPY").round() == Money("3", "JPY")
    assert Money("1.0005", "BHD").round() == Money("1.001", "BHD")


# -- arithmetic ---------------------------------------------------------------------
def test_arithmetic_within_one_currency() -> None:
    a, b = Money("10.00", "USD"), Money("2.50", "USD")
    assert a + b == Money("12.50", "USD")
    assert a - b == Money("7.50", "USD")
    assert -a == Money("-10.00", "USD")
    assert +a is a
    assert abs(-a) == a
    assert a * 3 == Money("30.00", "USD")
    assert Decimal("0.5") * a == Money("5.00", "USD")
    assert a / b == Decimal(4)


@pytest.mark.parametrize("operation", ["add", "sub", "lt", "le", "gt", "ge", "truediv"])
def test_mixing_currencies_raises(operation: str) -> None:
    usd, eur = Money("1.00", "USD"), Money("1.00", "EUR")
    with pytest.raises(CurrencyMismatch, match="USD") as info:
        getattr(usd, f"__{operation}__")(eur)
    assert "EUR" in str(info.value)


def test_equality_across_currencies_is_false_not_an_error() -> None:
    assert Money("1.00", "USD") != Money("1.00", "EUR")
    assert Money("1.00", "USD") != Decimal("1.00")


def test_multiplying_by_float_or_money_is_refused() -> None:
    with pytest.raises(TypeError, match="float"):
        Money("1.00", "USD") * 1.5
    with pytest.raises(TypeError):
        Money("1.00", "USD") * Money("1.00", "USD")
    with pytest.raises(TypeError):
        Money("1.00", "USD") * True


def test_dividing_by_a_number_points_to_split() -> None:
    with pytest.raises(TypeError, match="split"):
        Money("1.00", "USD") / 3


def test_adding_a_non_zero_number_is_refused() -> None:
    with pytest.raises(TypeError):
        Money("1.00", "USD") + 1
    with pytest.raises(TypeError):
        Money("1.00", "USD") + Decimal(0)


def test_sum_works_and_total_handles_empty() -> None:
    amounts = [Money("0.10", "USD"), Money("0.20", "USD"), Money("-0.05", "USD")]
    assert sum(amounts) == Money("0.25", "USD")
    assert total(amounts, "USD") == Money("0.25", "USD")
    assert sum([]) == 0  # sum() of nothing has no currency: hence total()
    empty = total([], "JPY")
    assert empty == Money.zero("JPY")
    assert empty.currency.code == "JPY"


def test_sum_and_total_refuse_mixed_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        sum([Money(1, "USD"), Money(1, "EUR")])
    with pytest.raises(CurrencyMismatch):
        total([Money(1, "EUR")], "USD")


def test_comparisons() -> None:
    one, two = Money("1.00", "USD"), Money("2.00", "USD")
    assert one < two
    assert one <= two
    assert one <= Money("1", "USD")
    assert two > one
    assert two >= one
    assert not one > two
    assert sorted([two, one]) == [one, two]
    assert max(one, two) == two
    assert not Money.zero("USD")
    assert Money("0.01", "USD")
    assert Money.zero("USD").is_zero()


def test_comparing_with_a_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        _ = Money("1.00", "USD") < 2  # type: ignore[operator]


def test_format_and_repr() -> None:
    assert str(Money("1234567.5", "USD")) == "1,234,567.50 USD"
    assert Money("1234.5", "USD").format(grouping=False) == "1234.50"
    assert str(Money("5", "JPY")) == "5 JPY"
    assert str(Money("1.0005", "USD")) == "1.0005 USD"  # inexact: shown as is, not rounded
    assert repr(Money("1.50", "USD")) == "Money('1.50', 'USD')"


# -- distribution ----------------------------------------------------------------------
def test_split_worked_example() -> None:
    parts = Money("100.00", "USD").split(3)
    assert parts == [Money("33.34", "USD"), Money("33.33", "USD"), Money("33.33", "USD")]
    assert Money("-0.05", "USD").split(2) == [Money("-0.03", "USD"), Money("-0.02", "USD")]
    assert Money("10", "JPY").split(4) == [
        Money(3, "JPY"),
        Money(3, "JPY"),
        Money(2, "JPY"),
        Money(2, "JPY"),
    ]


def test_allocate_worked_example_largest_remainder() -> None:
    # 10.00 over 1:1:1 leaves one cent; 0.05 over 3:7 is 0.015 / 0.035.
    assert Money("10.00", "USD").allocate([1, 1, 1]) == [
        Money("3.34", "USD"),
        Money("3.33", "USD"),
        Money("3.33", "USD"),
    ]
    assert Money("0.05", "USD").allocate(["3", "7"]) == [Money("0.02", "USD"), Money("0.03", "USD")]
    assert Money("1.000", "BHD").allocate([0, 1]) == [Money(0, "BHD"), Money(1, "BHD")]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_refuses_degenerate_weights(weights: list[int]) -> None:
    with pytest.raises(MoneyError):
        Money("1.00", "USD").allocate(weights)


def test_allocate_refuses_float_weights_and_inexact_amounts() -> None:
    with pytest.raises(TypeError):
        Money("1.00", "USD").allocate([0.5, 0.5])  # type: ignore[list-item]
    with pytest.raises(InexactAmount):
        Money("1.005", "USD").allocate([1, 1])
    with pytest.raises(MoneyError):
        Money("1.00", "USD").split(0)


currencies = st.sampled_from(CURRENCIES)
minor_amounts = st.integers(min_value=-(10**15), max_value=10**15)
weights_st = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=20,
).filter(lambda ws: sum(Decimal(w) for w in ws) > 0)


@given(minor=minor_amounts, code=currencies, parts=st.integers(min_value=1, max_value=200))
def test_split_conserves_the_total_and_parts_differ_by_at_most_one_minor_unit(
    minor: int, code: str, parts: int
) -> None:
    money = Money.from_minor(minor, code)
    pieces = money.split(parts)
    assert len(pieces) == parts
    assert total(pieces, code) == money
    minors = [p.to_minor() for p in pieces]
    assert max(minors) - min(minors) <= 1
    assert all(p.currency.code == code for p in pieces)


@given(minor=minor_amounts, code=currencies, weights=weights_st)
def test_allocate_conserves_the_total_for_any_weights(
    minor: int, code: str, weights: list[int | Decimal]
) -> None:
    money = Money.from_minor(minor, code)
    pieces = money.allocate(weights)
    assert len(pieces) == len(weights)
    assert total(pieces, code) == money
    total_w = sum((Decimal(w) for w in weights), Decimal(0))
    for piece, w in zip(pieces, weights, strict=True):
        assert piece.is_exact
        # every part has the amount's sign (or is zero) and is within one minor unit
        # of its exact proportional share
        assert piece.to_minor() * minor >= 0
        exact_share = Decimal(minor) * Decimal(w) / total_w
        assert abs(Decimal(piece.to_minor()) - exact_share) < 1
        if w == 0:
            assert piece.is_zero()


@given(minor=st.integers(min_value=-(2**63), max_value=2**63 - 1), code=currencies)
def test_minor_unit_round_trip(minor: int, code: str) -> None:
    money = Money.from_minor(minor, code)
    assert money.is_exact
    assert money.to_minor() == minor
    assert Money(str(money.amount), code) == money
    assert Money.from_minor(Money(str(money.amount), code).to_minor(), code) == money


@given(
    amount=st.decimals(
        min_value=-(10**12), max_value=10**12, places=3, allow_nan=False, allow_infinity=False
    ),
    code=currencies,
)
def test_to_minor_is_exact_or_refuses(amount: Decimal, code: str) -> None:
    money = Money(amount, code)
    if money.is_exact:
        assert Money.from_minor(money.to_minor(), code) == money
    else:
        with pytest.raises(InexactAmount):
            money.to_minor()
