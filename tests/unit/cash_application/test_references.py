"""Reading references: worked examples of what payers write."""

from __future__ import annotations

import pytest

from owed.domain.cash_application.references import (
    extract_references,
    extract_rf_references,
    number_parts,
)


def cores(text: str) -> list[str]:
    return [ref.core for ref in extract_references(text)]


@pytest.mark.parametrize(
    ("number", "parts"),
    [
        ("INV-012345", ("INV", "12345")),
        ("2024-001043", ("", "2024001043")),
        ("inv 7", ("INV", "7")),
    ],
)
def test_number_parts(number: str, parts: tuple[str, str]) -> None:
    assert number_parts(number) == parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INV-012345", ["12345"]),
        ("Invoice #12345", ["12345"]),
        ("Rechnung Nr. 0012345", ["12345"]),
        ("inv12345", ["12345"]),
        ("INV-O12345", ["12345"]),  # OCR letter O for zero
    ],
)
def test_prefixes_separators_and_zeros_reduce_to_one_core(text: str, expected: list[str]) -> None:
    assert cores(text) == expected


def test_several_numbers_in_one_line_keep_the_label() -> None:
    refs = extract_references("INV 1043/1044 and 1050")
    assert [r.core for r in refs if len(r.core) == 4] == ["1043", "1044", "1050"]
    assert all(r.labelled and r.prefix == "INV" for r in refs)


def test_amounts_and_dates_are_not_references() -> None:
    assert cores("PAID USD 1,043.50 ON 2024-05-13 AND 13.05.2024") == []


def test_unlabelled_words_do_not_make_a_prefix() -> None:
    (ref,) = extract_references("CUSTOMER 77812")
    assert ref.prefix == "" and not ref.labelled


def test_po_numbers_are_marked() -> None:
    (po, inv) = extract_references("PO 4500012345 INV 1043")
    assert po.po and po.digits == "4500012345"
    assert inv.labelled and not inv.po


def test_rf_references_are_validated_and_found_side_by_side() -> None:
    assert extract_rf_references("RF18 5390 0754 7034 thanks") == ("RF18539007547034",)
    assert extract_rf_references("RF19 5390 0754 7034") == ()  # wrong check digits
    found = extract_rf_references("RF720000004208 RF290000006728 108472")
    assert found == ("RF720000004208", "RF290000006728")
    assert cores("RF720000004208 RF290000006728 108472") == ["108472"]
