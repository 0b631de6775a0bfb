"""Customer data-quality report: duplicates, missing and invalid data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from owed.domain.customers.duplicates import similar_name_pairs
from owed.domain.customers.quality import (
    CustomerRecord,
    IssueKind,
    normalize_name,
    quality_report,
)


def record(
    id: str,
    name: str,
    *,
    external_id: str | None = None,
    country: str | None = "DE",
    tax_id: str | None = None,
    emails: tuple[str, ...] = ("ap@example.com",),
    has_ap_contact: bool = True,
) -> CustomerRecord:
    return CustomerRecord(id, external_id, name, country, tax_id, emails, has_ap_contact)


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Inc", "acme"),
        ("Acme Corporation", "acme"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Smith & Jones Ltd.", "smith jones"),
        ("The Jones and Smith Company Limited", "jones smith"),
        ("Société Générale S.A.", "societe generale"),
        ("Co-op Ltd", "co op"),
        ("Company Ltd", "company"),  # never strip a name away entirely
    ],
)
def test_normalize_name(name: str, normalized: str) -> None:
    assert normalize_name(name) == normalized


def duplicate_pairs(records: list[CustomerRecord], **options: int) -> set[tuple[str, ...]]:
    report = quality_report(records, **options)
    return {f.customer_ids for f in report.of_kind(IssueKind.LIKELY_DUPLICATE_NAME)}


def test_likely_duplicate_names() -> None:
    records = [
        record("c1", "Acme, Inc."),
        record("c2", "ACME Corporation"),
        record("c3", "Acme Industries"),
        record("c4", "Smith & Jones Ltd"),
        record("c5", "Jones and Smith Limited"),
        record("c6", "Müller GmbH"),
        record("c7", "MULLER gmbh"),
        record("c8", "Globex"),
    ]
    assert duplicate_pairs(records) == {("c1", "c2"), ("c4", "c5"), ("c6", "c7")}


def test_threshold_is_respected() -> None:
    # "globex systems" / "globex system": 2 × 13 / 27 = 96.3 % alike
    records = [record("c1", "Globex Systems"), record("c2", "Globex System Inc")]
    assert duplicate_pairs(records, name_threshold=96) == {("c1", "c2")}
    assert duplicate_pairs(records, name_threshold=97) == set()


def test_oversized_blocks_are_split_and_still_find_duplicates() -> None:
    records = [record(f"n{i}", f"Acme Widgets Region {i}") for i in range(10)]
    records += [record("d1", "Acmex Holdings"), record("d2", "Acmex Holding")]
    full = duplicate_pairs(records)
    split = duplicate_pairs(records, max_block=3)
    assert ("d1", "d2") in split
    assert split <= full


def test_blocking_does_not_compare_names_that_start_differently() -> None:
    # The documented price of blocking: a typo in the first letters is not caught.
    records = [record("a", "Mueller Trading"), record("b", "Muller Trading")]  # 97 % alike
    assert duplicate_pairs(records) == set()  # blocks "mue" and "mul"
    assert duplicate_pairs(records, prefix_length=2) == {("a", "b")}


def test_same_tax_id_and_external_id() -> None:
    records = [
        record("c1", "Alpha", tax_id="DE 136 695 976", external_id="ERP-1"),
        record("c2", "Beta", tax_id="136695976", external_id="ERP-2"),
        record("c3", "Gamma", country=None, tax_id="DE136695976", external_id="ERP-1"),
        record("c4", "Delta", tax_id=None),
        record("c5", "Epsilon", tax_id=None),
    ]
    report = quality_report(records)
    assert [f.customer_ids for f in report.of_kind(IssueKind.SAME_TAX_ID)] == [("c1", "c2", "c3")]
    assert [f.customer_ids for f in report.of_kind(IssueKind.SAME_EXTERNAL_ID)] == [("c1", "c3")]


def test_missing_and_invalid_data() -> None:
    records = [
        record("ok", "Alpha", tax_id="DE136695976"),
        record("no-ap", "Beta", has_ap_contact=False),
        record("no-mail", "Gamma", emails=()),
        record("bad-mail", "Delta", emails=("ap@example.com", "billing@@example.com")),
        record("bad-tax", "Epsilon", tax_id="DE136695978"),
        record("unknown", "Zeta", country="XX", tax_id="12-345"),
    ]
    report = quality_report(records)
    assert report.for_customer("ok") == []
    assert report.count_by_kind() == {
        IssueKind.MISSING_AP_CONTACT: 1,
        IssueKind.MISSING_EMAIL: 1,
        IssueKind.INVALID_EMAIL: 1,
        IssueKind.INVALID_TAX_ID: 1,
        IssueKind.UNVERIFIED_TAX_ID: 1,
    }
    (bad_tax,) = report.of_kind(IssueKind.INVALID_TAX_ID)
    assert bad_tax.customer_ids == ("bad-tax",)
    assert "checksum" in bad_tax.detail
    (bad_mail,) = report.of_kind(IssueKind.INVALID_EMAIL)
    assert "billing@@example.com" in bad_mail.detail


words = st.sampled_from(["acme", "acne", "globex", "globe", "smith", "jones", "ltd", "co", "x"])
names = st.lists(words, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60)
@given(st.lists(names, min_size=2, max_size=25), st.sampled_from([70, 85, 90, 100]))
def test_blocking_finds_every_pair_a_full_comparison_finds_within_a_block(
    batch: list[str], threshold: int
) -> None:
    found = similar_name_pairs(batch, threshold=threshold, prefix_length=3, max_block=4)
    normalized = [normalize_name(n) for n in batch]
    in_order = [" ".join(sorted(n.split())) for n in normalized]
    for i in range(len(batch)):
        for j in range(i + 1, len(batch)):
            score = fuzz.token_sort_ratio(normalized[i], normalized[j])
            if (i, j) in found:
                assert found[(i, j)] == pytest.approx(score)
                assert score >= threshold
            same_block = normalized[i] == normalized[j] or in_order[i] == in_order[j]
            if same_block and normalized[i]:
                assert (i, j) in found
