"""Aging of open receivables.

An open item's *age* is ``as_of - basis date`` in days, where the basis is the
due date (the default: "days past due") or the invoice date ("days since
invoice"). ``Buckets`` is an ordered, gap-free partition of all integer ages
into labelled ranges; the default is ``current`` (age <= 0, not yet due),
``1-30``, ``31-60``, ``61-90``, ``91-120`` and ``over 120``.

The computation is split so that large books are aged where the data lives:

* ``bucket_edges(as_of, buckets)`` turns the age ranges into inclusive *date*
  ranges on the basis column. A query can put them into a ``CASE`` expression
  and ``GROUP BY`` group key, currency and bucket, so a million open items are
  summed in SQL and only a few hundred totals travel to Python.
* ``assemble_report(totals, ...)`` builds the report from such totals.
  The inputs, the report rows and the summing live in ``aging_totals``.
* ``age_items(items, as_of, ...)`` is the in-memory path for small books and
  for tests: it buckets each item and then calls ``assemble_report``. Both
  paths therefore produce identical reports.

Amounts are ``Money``; the bucket amounts of a row always sum to its total.
Base-currency totals are produced only when rates are given, and are rounded
to the base currency's minor unit at one named boundary: the conversion of a
row total. Unapplied cash and open credits are shown beside the aging per
group and currency (they are not aged, and they are not netted into buckets).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from owed.domain.collections.aging_totals import (
    AgingRow,
    BaseRates,
    BucketTotal,
    MinorRowTotal,
    RowSums,
    RowTotal,
    Unapplied,
    convert,
    sum_beside,
)
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Currency, Money, total

__all__ = [  # the pre-summed inputs and rows live in aging_totals; importable from here too
    "DEFAULT_BUCKETS",
    "AgingBasis",
    "AgingItem",
    "AgingReport",
    "AgingRow",
    "Bucket",
    "BucketEdge",
    "BucketTotal",
    "Buckets",
    "MinorRowTotal",
    "RowTotal",
    "Unapplied",
    "age_items",
    "assemble_report",
    "bucket_edges",
    "convert",
]


class AgingBasis(StrEnum):
    DUE_DATE = "due_date"
    INVOICE_DATE = "invoice_date"


@dataclass(frozen=True)
class Bucket:
    """Ages ``min_days..max_days`` inclusive; ``None`` is unbounded on that side."""

    label: str
    min_days: int | None
    max_days: int | None

    def contains(self, age: int) -> bool:
        above = self.min_days is None or age >= self.min_days
        below = self.max_days is None or age <= self.max_days
        return above and below


@dataclass(frozen=True)
class Buckets:
    """An ordered partition of every integer age into labelled buckets."""

    buckets: tuple[Bucket, ...]
    basis: AgingBasis = AgingBasis.DUE_DATE

    def __post_init__(self) -> None:
        _check_partition(self.buckets)

    @classmethod
    def from_edges(
        cls,
        edges: Sequence[int],
        basis: AgingBasis = AgingBasis.DUE_DATE,
        first_label: str = "current",
    ) -> Buckets:
        """``[30, 60, 90, 120]`` gives current (<= 0), 1-30, 31-60, 61-90, 91-120, over 120."""
        if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
            raise ConfigurationError(f"aging edges must be increasing and non-empty: {edges!r}")
        if edges[0] < 1:
            raise ConfigurationError(f"the first aging edge must be at least 1 day: {edges!r}")
        parts = [Bucket(first_label, None, 0)]
        low = 1
        for edge in edges:
            parts.append(Bucket(f"{low}-{edge}", low, edge))
            low = edge + 1
        parts.append(Bucket(f"over {edges[-1]}", low, None))
        return cls(tuple(parts), basis)

    @classmethod
    def standard(cls, basis: AgingBasis = AgingBasis.DUE_DATE) -> Buckets:
        return cls.from_edges((30, 60, 90, 120), basis)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(b.label for b in self.buckets)

    def label_for(self, age: int) -> str:
        for bucket in self.buckets:
            if bucket.contains(age):
                return bucket.label
        raise AssertionError("unreachable: buckets are checked to cover every age")


def _check_partition(buckets: tuple[Bucket, ...]) -> None:
    if not buckets:
        raise ConfigurationError("aging needs at least one bucket")
    labels = [b.label for b in buckets]
    if len(set(labels)) != len(labels):
        raise ConfigurationError(f"aging bucket labels must be unique: {labels}")
    if buckets[0].min_days is not None or buckets[-1].max_days is not None:
        raise ConfigurationError("the first bucket must be open below and the last open above")
    for i, (prev, nxt) in enumerate(itertools.pairwise(buckets), start=1):
        if prev.max_days is None or nxt.min_days is None or nxt.min_days != prev.max_days + 1:
            raise ConfigurationError(
                f"aging bucket {i + 1} ({nxt.label!r}) must start the day after "
                f"bucket {i} ({prev.label!r}) ends"
            )
        if nxt.max_days is not None and nxt.max_days < nxt.min_days:
            raise ConfigurationError(f"aging bucket {nxt.label!r} ends before it starts")


DEFAULT_BUCKETS = Buckets.standard()


class BucketEdge(NamedTuple):
    """The inclusive basis-date range of one bucket (``None`` = unbounded)."""

    label: str
    date_from: date | None
    date_to: date | None


def bucket_edges(as_of: date, buckets: Buckets = DEFAULT_BUCKETS) -> list[BucketEdge]:
    """Date ranges for SQL: an item is in a bucket when ``date_from <= basis <= date_to``.

    An age range ``[lo, hi]`` is the basis-date range ``[as_of - hi, as_of - lo]``.
    The edges are returned in bucket order; a query writes them as
    ``CASE WHEN due_date >= :from_0 THEN :label_0 WHEN due_date >= :from_1 ... END``.
    """
    edges = []
    for b in buckets.buckets:
        date_from = None if b.max_days is None else as_of - timedelta(days=b.max_days)
        date_to = None if b.min_days is None else as_of - timedelta(days=b.min_days)
        edges.append(BucketEdge(b.label, date_from, date_to))
    return edges


@dataclass(frozen=True)
class AgingItem:
    """One open item as the aging sees it. ``open_amount`` may be negative (open credit)."""

    customer_id: str
    document: str
    currency: str
    open_amount: Decimal
    issue_date: date
    due_date: date
    groups: Mapping[str, str] = field(default_factory=dict)  # collector, segment, region...

    def basis_date(self, basis: AgingBasis) -> date:
        return self.due_date if basis is AgingBasis.DUE_DATE else self.issue_date


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    basis: AgingBasis
    labels: tuple[str, ...]
    rows: tuple[AgingRow, ...]
    base_currency: str | None = None

    def totals_by_currency(self) -> dict[str, dict[str, Money]]:
        """Bucket totals per currency, plus a ``"total"`` entry."""
        result: dict[str, dict[str, Money]] = {}
        for row in self.rows:
            cell = result.setdefault(
                row.currency, {label: Money.zero(row.currency) for label in (*self.labels, "total")}
            )
            for label in self.labels:
                cell[label] = cell[label] + row.buckets[label]
            cell["total"] = cell["total"] + row.total
        return result

    @property
    def base_total(self) -> Money | None:
        if self.base_currency is None:
            return None
        return total((r.base_total for r in self.rows if r.base_total), self.base_currency)


KeyFunction = Callable[[AgingItem], str]


def _key_function(by: str | KeyFunction) -> KeyFunction:
    if callable(by):
        return by
    if by == "customer_id":
        return lambda item: item.customer_id

    def from_groups(item: AgingItem) -> str:
        try:
            return item.groups[by]
        except KeyError:
            raise InvalidInput(
                f"aging item {item.document} has no group key {by!r}", document=item.document
            ) from None

    return from_groups


def age_items(
    items: Iterable[AgingItem],
    as_of: date,
    buckets: Buckets = DEFAULT_BUCKETS,
    by: str | KeyFunction = "customer_id",
    unapplied: Iterable[Unapplied] = (),
    rates: Mapping[str, Decimal] | None = None,
    base_currency: str | None = None,
) -> AgingReport:
    """Age open items in memory. ``by`` is ``"customer_id"``, a key of ``groups`` or a function.

    ``rates`` maps a currency code to the number of base-currency units per unit
    (``{"EUR": Decimal("1.08")}`` with base USD); the base currency's own rate is 1.
    """
    key = _key_function(by)
    cells: dict[tuple[str, str, str], BucketTotal] = {}
    for item in items:
        age = (as_of - item.basis_date(buckets.basis)).days
        cell_key = (key(item), item.currency, buckets.label_for(age))
        prev = cells.get(cell_key)
        amount = Money(item.open_amount, item.currency).amount  # refuses floats
        if prev is None:
            cells[cell_key] = BucketTotal(*cell_key, amount=amount, count=1)
        else:
            cells[cell_key] = BucketTotal(
                *cell_key, amount=prev.amount + amount, count=prev.count + 1
            )
    return assemble_report(
        cells.values(),
        as_of,
        buckets,
        unapplied=unapplied,
        rates=rates,
        base_currency=base_currency,
    )


def assemble_report(
    totals: Iterable[BucketTotal | RowTotal | MinorRowTotal],
    as_of: date,
    buckets: Buckets = DEFAULT_BUCKETS,
    unapplied: Iterable[Unapplied] = (),
    rates: Mapping[str, Decimal] | None = None,
    base_currency: str | None = None,
) -> AgingReport:
    """Build the report from pre-summed cells or rows (computed in SQL or by ``age_items``).

    Sums are exact integers at each row's scale (``_Cells``); a ``Decimal`` is
    made only where a row is read or converted to the base currency.
    """
    if (rates is None) != (base_currency is None):
        raise InvalidInput("base-currency totals need both rates and a base currency")
    labels = buckets.labels
    cells = RowSums(labels)
    cells.add_all(totals)
    beside = sum_beside(unapplied)
    base = BaseRates(base_currency, rates) if base_currency is not None else None
    rows = cells.rows(beside, base)
    base_code = Currency.of(base_currency).code if base_currency is not None else None
    return AgingReport(as_of, buckets.basis, labels, rows, base_code)
