"""Aging: bucket rules, the SQL date edges, groups, currencies and invariants."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.collections.aging import (
    AgingBasis,
    AgingItem,
    Bucket,
    Buckets,
    BucketTotal,
    MinorRowTotal,
    RowTotal,
    Unapplied,
    age_items,
    assemble_report,
    bucket_edges,
)
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Money

D = Decimal
AS_OF = date(2026, 3, 31)


def item(
    doc: str,
    days_past_due: int,
    amount: str,
    customer: str = "C1",
    currency: str = "USD",
    **groups: str,
) -> AgingItem:
    due = AS_OF - timedelta(days=days_past_due)
    return AgingItem(customer, doc, currency, D(amount), due - timedelta(days=30), due, groups)


def test_default_buckets_and_their_boundaries() -> None:
    buckets = Buckets.standard()
    assert buckets.labels == ("current", "1-30", "31-60", "61-90", "91-120", "over 120")
    cases = {
        -5: "current",
        0: "current",
        1: "1-30",
        30: "1-30",
        31: "31-60",
        90: "61-90",
        120: "91-120",
        121: "over 120",
    }
    assert {age: buckets.label_for(age) for age in cases} == cases


def test_custom_buckets_must_cover_every_age_without_gaps() -> None:
    with pytest.raises(ConfigurationError, match="start the day after"):
        Buckets((Bucket("a", None, 0), Bucket("b", 2, None)))
    with pytest.raises(ConfigurationError, match="open below"):
        Buckets((Bucket("a", 0, 10), Bucket("b", 11, None)))
    with pytest.raises(ConfigurationError):
        Buckets.from_edges([30, 30])
    assert Buckets.from_edges([15, 45]).labels == ("current", "1-15", "16-45", "over 45")


def test_aging_per_customer_with_totals_and_unapplied_beside() -> None:
    items = [
        item("A", 0, "100.00"),
        item("B", 15, "50.00"),
        item("C", 200, "25.50"),
        item("D", 45, "10.00", customer="C2"),
    ]

    report = age_items(items, AS_OF, unapplied=[Unapplied("C1", "USD", D("30.00"), D("5.00"))])

    c1, c2 = report.rows
    assert (c1.group, c2.group) == ("C1", "C2")
    assert c1.buckets["current"] == Money("100.00", "USD")
    assert c1.buckets["1-30"] == Money("50.00", "USD")
    assert c1.buckets["over 120"] == Money("25.50", "USD")
    assert c1.total == Money("175.50", "USD")
    assert c1.item_count == 3
    assert c1.net == Money("140.50", "USD")
    assert c2.buckets["31-60"] == Money("10.00", "USD")
    assert c2.unapplied_cash == Money("0", "USD")


def test_invoice_date_basis_ages_from_the_issue_date() -> None:
    # Issued 30 days before the due date, which was 15 days ago: 45 days since invoice.
    report = age_items([item("A", 15, "10")], AS_OF, Buckets.standard(AgingBasis.INVOICE_DATE))
    assert report.rows[0].buckets["31-60"] == Money("10", "USD")
    assert report.basis is AgingBasis.INVOICE_DATE


def test_rows_per_group_key_and_currency_with_base_totals() -> None:
    items = [
        item("A", 5, "100.00", collector="ann"),
        item("B", 5, "100.00", currency="EUR", collector="ann"),
        item("C", 5, "33.33", customer="C2", currency="EUR", collector="bob"),
    ]

    report = age_items(
        items, AS_OF, by="collector", rates={"EUR": D("1.0851")}, base_currency="USD"
    )

    assert [(r.group, r.currency) for r in report.rows] == [
        ("ann", "EUR"),
        ("ann", "USD"),
        ("bob", "EUR"),
    ]
    assert report.rows[0].base_total == Money("108.51", "USD")
    assert report.rows[2].base_total == Money("36.17", "USD")  # 36.166383 rounded once
    assert report.base_total == Money("244.68", "USD")
    assert report.totals_by_currency()["EUR"]["total"] == Money("133.33", "EUR")


def test_missing_rate_or_group_key_is_an_error_naming_it() -> None:
    with pytest.raises(InvalidInput, match="EUR"):
        age_items([item("A", 1, "1", currency="EUR")], AS_OF, rates={}, base_currency="USD")
    with pytest.raises(InvalidInput, match="A has no group key 'region'"):
        age_items([item("A", 1, "1")], AS_OF, by="region")


def test_bucket_edges_are_the_date_ranges_a_query_uses() -> None:
    edges = bucket_edges(AS_OF)

    assert edges[0] == ("current", AS_OF, None)
    assert edges[1] == ("1-30", AS_OF - timedelta(days=30), AS_OF - timedelta(days=1))
    assert edges[-1] == ("over 120", None, AS_OF - timedelta(days=121))


def test_sql_totals_and_in_memory_aging_give_the_same_report() -> None:
    items = [item("A", 3, "10.00"), item("B", 3, "5.00"), item("C", 70, "1.00")]
    from_sql = [
        BucketTotal("C1", "USD", "1-30", D("15.00"), 2),
        BucketTotal("C1", "USD", "61-90", D("1.00"), 1),
    ]

    assert assemble_report(from_sql, AS_OF) == age_items(items, AS_OF)


def test_assemble_refuses_an_unknown_bucket() -> None:
    with pytest.raises(InvalidInput, match="'1-29'"):
        assemble_report([BucketTotal("C1", "USD", "1-29", D(1))], AS_OF)


def _in_edges(basis: date, edge: tuple[str, date | None, date | None]) -> bool:
    _, lo, hi = edge
    return (lo is None or basis >= lo) and (hi is None or basis <= hi)


@given(st.integers(-400, 400), st.lists(st.integers(1, 200), min_size=1, max_size=6, unique=True))
def test_edges_put_every_date_in_the_same_bucket_as_its_age(days: int, edges: list[int]) -> None:
    buckets = Buckets.from_edges(sorted(edges))
    due = AS_OF - timedelta(days=days)
    matching = [e.label for e in bucket_edges(AS_OF, buckets) if _in_edges(due, e)]
    assert matching == [buckets.label_for(days)]


amounts = st.decimals(min_value=D("-1000"), max_value=D("100000"), places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(st.integers(-60, 500), amounts, st.sampled_from(["C1", "C2", "C3"])), max_size=40
    )
)
def test_bucket_amounts_sum_to_the_total_open(rows: list[tuple[int, Decimal, str]]) -> None:
    items = [item(f"D{i}", d, str(a), customer=c) for i, (d, a, c) in enumerate(rows)]
    report = age_items(items, AS_OF)
    grand = sum((i.open_amount for i in items), D(0))
    assert sum((r.total.amount for r in report.rows), D(0)) == grand
    for row in report.rows:
        assert sum((m.amount for m in row.buckets.values()), D(0)) == row.total.amount
    assert sum(r.item_count for r in report.rows) == len(items)


LABELS = Buckets.standard().labels
cells = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "P9"]),
        st.sampled_from(["USD", "EUR", "JPY"]),
        st.sampled_from(LABELS),
        st.integers(-(10**9), 10**11),
        st.integers(1, 50),
    ),
    max_size=40,
)


def _as_rows(given: list[BucketTotal]) -> list[RowTotal]:
    """The same cells pivoted as ``aging_rows`` returns them: one row per group, currency."""
    rows: dict[tuple[str, str], tuple[dict[str, Decimal], list[int]]] = {}
    for c in given:
        amounts, count = rows.setdefault((c.group, c.currency), ({}, [0]))
        amounts[c.label] = amounts.get(c.label, D(0)) + c.amount
        count[0] += c.count
    return [RowTotal(g, cur, amounts, n[0]) for (g, cur), (amounts, n) in rows.items()]


def _as_minor_rows(given: list[BucketTotal], places: dict[str, int]) -> list[MinorRowTotal]:
    """The same rows as the integer pivot query returns them: minor units in label
    order, ``None`` for a bucket without items, split in two rows where it can be."""
    labels = list(LABELS)
    rows = []
    for row in _as_rows(given):
        cells = [row.amounts.get(label) for label in labels]
        minor = [None if c is None else int(c.scaleb(places[row.currency])) for c in cells]
        if row.count > 1 and any(m is not None for m in minor):  # two partial rows of the group
            first = [m if i % 2 == 0 else None for i, m in enumerate(minor)]
            second = [m if i % 2 == 1 else None for i, m in enumerate(minor)]
            rows.append(MinorRowTotal(row.group, row.currency, 1, tuple(first)))
            rows.append(MinorRowTotal(row.group, row.currency, row.count - 1, tuple(second)))
        else:
            rows.append(MinorRowTotal(row.group, row.currency, row.count, tuple(minor)))
    return rows


@given(cells, st.booleans())
def test_row_totals_and_bucket_totals_give_the_same_report(
    raw: list[tuple[str, str, str, int, int]], with_rates: bool
) -> None:
    places = {"USD": 2, "EUR": 2, "JPY": 0}
    given_cells = [
        BucketTotal(g, cur, label, D(minor).scaleb(-places[cur]), n)
        for g, cur, label, minor, n in raw
    ]
    beside = [Unapplied("C1", "USD", D("12.50"), D("3.00")), Unapplied("Z9", "JPY", D(700))]
    rates = {"EUR": D("1.0813"), "JPY": D("0.0067")} if with_rates else None
    base = "USD" if with_rates else None

    from_cells = assemble_report(
        given_cells, AS_OF, unapplied=beside, rates=rates, base_currency=base
    )
    from_rows = assemble_report(
        _as_rows(given_cells), AS_OF, unapplied=beside, rates=rates, base_currency=base
    )
    from_minor = assemble_report(
        _as_minor_rows(given_cells, places),
        AS_OF,
        unapplied=beside,
        rates=rates,
        base_currency=base,
    )

    assert from_rows == from_cells
    assert from_minor == from_cells
    assert [r.item_count for r in from_rows.rows] == [r.item_count for r in from_cells.rows]
    for a, b in zip(from_rows.rows, from_cells.rows, strict=True):
        assert {k: (m.amount, m.currency.code) for k, m in a.buckets.items()} == {
            k: (m.amount, m.currency.code) for k, m in b.buckets.items()
        }
        assert a.base_total == b.base_total


def test_minor_rows_are_exact_and_checked() -> None:
    labels = Buckets.standard().labels
    row = MinorRowTotal("C1", "JPY", 2, (1500, None, 0, 0, 0, 7))
    (only,) = assemble_report([row], AS_OF, rates={"JPY": D("0.0067")}, base_currency="USD").rows
    assert only.buckets[labels[0]] == Money("1500", "JPY") and only.total == Money(1507, "JPY")
    assert only.base_total == Money("10.10", "USD")  # 1507 × 0.0067 = 10.0969, rounded once
    with pytest.raises(InvalidInput, match="2 bucket sums for 6 buckets"):
        assemble_report([MinorRowTotal("C1", "USD", 1, (1, 2))], AS_OF)
    with pytest.raises(InvalidInput, match="must be integers"):
        assemble_report([MinorRowTotal("C1", "USD", 1, (1, 2, 3, 4, 5, 6.5))], AS_OF)  # type: ignore[arg-type]


def test_a_finer_amount_keeps_its_digits_beside_minor_rows() -> None:
    rows = [
        MinorRowTotal("C1", "USD", 1, (1234, 0, 0, 0, 0, 0)),
        BucketTotal("C1", "USD", "1-30", D("0.005")),
    ]
    (only,) = assemble_report(rows, AS_OF).rows
    assert only.buckets["current"] == Money("12.34", "USD")
    assert only.buckets["1-30"] == Money("0.005", "USD")
    assert only.total == Money("12.345", "USD") and only.item_count == 2


def test_a_row_without_a_bucket_reads_as_zero_there() -> None:
    row = RowTotal("C1", "USD", {"1-30": D("15.00"), "61-90": D("1.00")}, 3)
    report = assemble_report([row], AS_OF)
    (only,) = report.rows
    assert only.buckets["current"] == Money("0", "USD") and only.item_count == 3
    assert only.total == Money("16.00", "USD")
    with pytest.raises(InvalidInput, match="'1-29'"):
        assemble_report([RowTotal("C1", "USD", {"1-29": D(1)}, 1)], AS_OF)
