"""Recognising customers from bank payer names."""

from __future__ import annotations

import pytest

from owed.domain.cash_application import CustomerInfo
from owed.domain.cash_application.names import NameIndex, canonical_name, similarity


def test_abbreviations_and_legal_forms_do_not_matter() -> None:
    assert canonical_name("ACME CORP INTL") == canonical_name("Acme Corporation International Ltd")


@pytest.mark.parametrize(
    ("payer", "least"),
    [
        ("ACME CORP INTL", 1.0),
        ("ACME CORPORATION INTERNA", 0.97),  # cut to the bank's field width
        ("ACME CORPORATON INTERNATIONAL", 0.9),  # a typo
    ],
)
def test_similarity_of_bank_spellings(payer: str, least: float) -> None:
    assert similarity(payer, "Acme Corporation International Ltd") >= least


def test_different_companies_are_not_similar() -> None:
    assert similarity("GLOBEX TRADING", "Acme Corporation International Ltd") < 0.6


def test_index_finds_by_name_and_alias_best_first() -> None:
    index = NameIndex(
        [
            CustomerInfo(1, "Acme Corporation International Ltd"),
            CustomerInfo(2, "Acme Corporation Canada Ltd"),
            CustomerInfo(3, "Initech Supply LLC", aliases=("INITECH",)),
        ]
    )
    assert index.search("ACME CORP INTL")[0].customer_id == 1
    assert index.search("INITECH")[0].customer_id == 3
    assert index.search("UNKNOWN PAYER") == []
