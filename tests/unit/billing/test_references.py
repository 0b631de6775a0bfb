"""ISO 11649 RF creditor references and the matching key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.billing.references import (
    format_rf,
    is_valid_rf,
    normalize_reference,
    rf_body,
    rf_reference,
)
from owed.domain.errors import InvalidInput


def test_reference_from_an_invoice_number() -> None:
    reference = rf_reference("INV-000123")
    assert reference == "RF73INV000123"
    assert is_valid_rf(reference)
    assert format_rf(reference) == "RF73 INV0 0012 3"
    assert rf_body(format_rf(reference)) == normalize_reference("INV-000123")


def test_published_example() -> None:
    # ISO 11649 example (also python-stdnum's): RF18 5390 0754 7034.
    assert rf_reference("5390 0754 7034") == "RF18539007547034"
    assert is_valid_rf("RF18 5390 0754 7034")
    assert not is_valid_rf("RF17 5390 0754 7034")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("inv-000123", "INV000123"),
        ("INV 000123", "INV000123"),
        (" INV/000123. ", "INV000123"),
        ("ＩＮＶ－０００１２３", "INV000123"),  # full-width forms fold to ASCII
        ("rf73 inv0 0012 3", "RF73INV000123"),
        ("Rechnung Nr. 42", "RECHNUNGNR42"),
    ],
)
def test_normalize_reference(text: str, key: str) -> None:
    assert normalize_reference(text) == key


def test_refusals() -> None:
    with pytest.raises(InvalidInput, match="no letters or digits"):
        rf_reference("--")
    with pytest.raises(InvalidInput, match="at most 21"):
        rf_reference("INV-" + "1" * 19)
    with pytest.raises(InvalidInput, match="not a valid RF creditor reference"):
        format_rf("RF00INV000123")


bodies = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcxyz-/ ."),
    min_size=1,
    max_size=30,
).filter(lambda t: 1 <= len(normalize_reference(t)) <= 21)


@given(bodies)
def test_rf_references_are_valid_and_round_trip(invoice_number: str) -> None:
    reference = rf_reference(invoice_number)
    assert is_valid_rf(reference)
    assert is_valid_rf(format_rf(reference))
    assert normalize_reference(format_rf(reference)) == reference
    assert normalize_reference(reference) == reference
    assert rf_body(reference) == normalize_reference(invoice_number)


@given(bodies, st.integers(min_value=2, max_value=24), st.integers(min_value=1, max_value=25))
def test_a_substituted_character_is_detected(
    invoice_number: str, position: int, shift: int
) -> None:
    # MOD 97-10 catches every substitution of a digit by a digit or a letter by a letter.
    reference = rf_reference(invoice_number)
    position = min(position, len(reference) - 1)
    old = reference[position]
    alphabet = "0123456789" if old.isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    if new != old:
        assert not is_valid_rf(reference[:position] + new + reference[position + 1 :])
