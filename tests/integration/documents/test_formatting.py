"""How amounts, dates and references are written on documents and in emails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.adapters.documents.formatting import (
    format_date,
    format_money,
    format_percent,
    format_quantity,
    format_reference,
)
from owed.adapters.documents.labels import LABELS, Labels
from owed.domain.money import Money


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("1234567.5", "EUR", "en", "1,234,567.50 EUR"),
        ("1234567.5", "EUR", "de", "1.234.567,50 EUR"),
        ("1234567.5", "EUR", "fr", "1\u00a0234\u00a0567,50 EUR"),
        ("-42", "USD", "en", "-42.00 USD"),
        ("1500", "JPY", "en", "1,500 JPY"),
        ("1.5", "BHD", "en", "1.500 BHD"),
        ("0.0125", "USD", "en", "0.0125 USD"),  # a unit price keeps its decimals
        ("12.5", "EUR", "pt-BR", "12.50 EUR"),  # unknown language: English
    ],
)
def test_format_money(amount: str, currency: str, language: str, expected: str) -> None:
    assert format_money(Money(amount, currency), language) == expected


def test_format_money_without_code() -> None:
    assert format_money(Money("9.9", "EUR"), code=False) == "9.90"


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["en", "de", "fr"]))
def test_formatted_money_reads_back_to_the_same_amount(minor: int, language: str) -> None:
    money = Money.from_minor(minor, "EUR")
    number = format_money(money, language, code=False)
    thousands, point = {"en": (",", "."), "de": (".", ","), "fr": ("\u00a0", ",")}[language]
    assert Decimal(number.replace(thousands, "").replace(point, ".")) == money.amount


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "5 Mar 2026"), ("de", "5. März 2026"), ("fr", "5 mars 2026"), ("xx", "5 Mar 2026")],
)
def test_format_date(language: str, expected: str) -> None:
    assert format_date(date(2026, 3, 5), language) == expected


def test_quantities_percent_and_reference() -> None:
    assert format_quantity(Decimal("2.500")) == "2.5"
    assert format_quantity(Decimal("1E+3")) == "1,000"
    assert format_quantity(Decimal("1.5"), "de") == "1,5"
    assert format_percent(Decimal("19.00")) == "19\u00a0%"
    assert format_reference("rf18 539007547034") == "RF18 5390 0754 7034"


def test_every_translation_has_the_english_keys() -> None:
    for language, table in LABELS.items():
        assert set(table) <= set(LABELS["en"]), language
        labels = Labels(language)
        assert all(labels[key] for key in LABELS["en"])
    assert Labels("de")["pos"] == "#"  # missing key falls back to English
    assert Labels("es").language == "en"
