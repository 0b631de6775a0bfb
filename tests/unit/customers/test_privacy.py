"""Masking and PCI card-number detection in free text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from owed.domain.customers.privacy import (
    find_card_numbers,
    mask_account,
    mask_email,
    redact_card_numbers,
)


def test_mask_account_keeps_the_last_four() -> None:
    assert mask_account("DE89 3704 0044 0532 0130 00") == "*" * 18 + "3000"
    assert mask_account("123456789") == "*****6789"
    assert mask_account("1234") == "****"
    assert mask_account("") == ""


def test_mask_email() -> None:
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    assert mask_email("j@example.com") == "***@example.com"
    assert mask_email("no-at-sign") == "***"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("card 4111 1111 1111 1111 exp 12/27", "card **** **** **** 1111 exp 12/27"),
        ("paid with 5555-5555-5555-4444.", "paid with ****-****-****-4444."),
        ("amex 378282246310005", "amex ***********0005"),
        ("visa13 4222222222222 ok", "visa13 *********2222 ok"),
        ("pan 4111 1111 1111 1111 123 cvv", "pan **** **** **** 1111 123 cvv"),
        ("two: 4111111111111111, 6011111111111117", "two: ************1111, ************1117"),
    ],
)
def test_card_numbers_are_redacted(text: str, redacted: str) -> None:
    assert redact_card_numbers(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "invoice INV-000123 for 1,234.56",
        "4111 1111 1111 1112",  # Luhn fails
        "411111111111",  # 12 digits
        "41111111111111111111",  # 20 contiguous digits: not a card, never cut
        "phone +49 30 1234567",
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert find_card_numbers(text) == []
    assert redact_card_numbers(text) == text


def card_numbers() -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=12, max_size=18).map(
        lambda body: body + luhn.calc_check_digit(body)
    )


@given(card_numbers(), st.sampled_from(["", " ", "-"]), st.text(alphabet="abc .,:", max_size=10))
def test_any_luhn_valid_number_in_text_is_masked(card: str, sep: str, around: str) -> None:
    grouped = sep.join(card[i : i + 4] for i in range(0, len(card), 4))
    text = f"{around}{grouped}{around}"
    redacted = redact_card_numbers(text)
    assert len(redacted) == len(text)
    core = redacted[len(around) : len(redacted) - len(around)]
    assert redacted == f"{around}{core}{around}"
    assert [i for i, c in enumerate(core) if not c.isdigit() and c != "*"] == [
        i for i, c in enumerate(grouped) if not c.isdigit()
    ]
    digits = core.replace(sep, "") if sep else core
    assert digits == "*" * (len(card) - 4) + card[-4:]
    assert [m.digits for m in find_card_numbers(text)] == [card]
