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

from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Currency, Money, to_decimal, total


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
class BucketTotal:
    """A pre-summed cell, as a ``GROUP BY group, currency, bucket`` query returns it."""

    group: str
    currency: str
    label: str
    amount: Decimal
    count: int = 1


@dataclass(frozen=True)
class RowTotal:
    """A pre-summed row, as a query that pivots the buckets into columns returns it.

    ``amounts`` maps bucket labels to sums; a label without items is absent (its
    cell is then an exact zero, as for ``BucketTotal``s that never name it).
    """

    group: str
    currency: str
    amounts: Mapping[str, Decimal]
    count: int


@dataclass(frozen=True)
class Unapplied:
    """Cash received but not applied, and open credits, for one group and currency."""

    group: str
    currency: str
    cash: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One group's open amounts in one currency, per bucket.

    Stored compactly (a report by customer has tens of thousands of rows): the
    bucket sums as ``Decimal``s in label order; ``buckets``, ``total``,
    ``unapplied_cash`` and ``credits`` build their ``Money`` when read.
    """

    group: str
    currency: str
    labels: tuple[str, ...]
    sums: tuple[Decimal, ...]  # one per label, exact
    item_count: int
    cash: Decimal  # unapplied cash beside the row
    credit: Decimal  # open credits beside the row
    base_total: Money | None = None
    unit: Currency = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    @property
    def buckets(self) -> dict[str, Money]:
        unit = self._unit()
        return {
            label: Money._trusted(a, unit) for label, a in zip(self.labels, self.sums, strict=True)
        }

    @property
    def total(self) -> Money:
        return Money._trusted(sum(self.sums, _ZERO), self._unit())

    @property
    def unapplied_cash(self) -> Money:
        return Money._trusted(self.cash, self._unit())

    @property
    def credits(self) -> Money:
        return Money._trusted(self.credit, self._unit())

    @property
    def net(self) -> Money:
        """Total open less unapplied cash and open credits."""
        return self.total - self.unapplied_cash - self.credits

    def _unit(self) -> Currency:
        return self.unit if self.unit is not None else Currency.of(self.currency)


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
    totals: Iterable[BucketTotal | RowTotal],
    as_of: date,
    buckets: Buckets = DEFAULT_BUCKETS,
    unapplied: Iterable[Unapplied] = (),
    rates: Mapping[str, Decimal] | None = None,
    base_currency: str | None = None,
) -> AgingReport:
    """Build the report from pre-summed cells or rows (computed in SQL or by ``age_items``).

    Sums stay ``Decimal`` throughout; each cell becomes ``Money`` once, at the
    end, through the trusted constructor (the sums are checked to be finite).
    """
    if (rates is None) != (base_currency is None):
        raise InvalidInput("base-currency totals need both rates and a base currency")
    labels = buckets.labels
    sums, counts = _sum_cells(totals, labels)
    beside = _sum_beside(unapplied)
    for row_key in beside:
        sums.setdefault(row_key, {})
    base = _BaseConverter(base_currency, rates) if base_currency is not None else None
    rows = []
    zeros = (_ZERO,) * len(labels)
    for row_key in sorted(sums):
        group, code = row_key
        currency = Currency.of(code)
        row_sums = sums[row_key]
        cells = tuple(map(row_sums.get, labels, zeros))  # a missing label is an exact zero
        row_total = sum(cells, _ZERO)
        cash, credits = beside.get(row_key, (_ZERO, _ZERO))
        rows.append(
            AgingRow(
                group,
                code,
                labels,
                cells,
                counts.get(row_key, 0),
                cash,
                credits,
                None if base is None else base.convert(row_total, currency),
                currency,
            )
        )
    base_code = Currency.of(base_currency).code if base_currency is not None else None
    return AgingReport(as_of, buckets.basis, labels, tuple(rows), base_code)


_ZERO = Decimal(0)
_RowKey = tuple[str, str]


def _sum_cells(
    totals: Iterable[BucketTotal | RowTotal], labels: tuple[str, ...]
) -> tuple[dict[_RowKey, dict[str, Decimal]], dict[_RowKey, int]]:
    """Decimal sums per (group, ISO code) and label, and item counts per row."""
    known = frozenset(labels)
    sums: dict[_RowKey, dict[str, Decimal]] = {}
    counts: dict[_RowKey, int] = {}
    codes: dict[str, str] = {}  # currency as given -> ISO code, checked once per spelling
    for cell in totals:
        amounts = cell.amounts if isinstance(cell, RowTotal) else {cell.label: cell.amount}
        if not known.issuperset(amounts):
            label = next(label for label in amounts if label not in known)
            raise InvalidInput(
                f"bucket {label!r} for group {cell.group!r} is not one of {list(labels)}",
                label=label,
            )
        code = codes.get(cell.currency)
        if code is None:
            code = codes[cell.currency] = Currency.of(cell.currency).code
        row_key = (cell.group, code)
        row_sums = sums.get(row_key)
        if row_sums is None:  # the first cells of the row (a RowTotal: usually the only ones)
            sums[row_key] = dict(amounts)
            counts[row_key] = cell.count
            continue
        for label, amount in amounts.items():
            row_sums[label] = row_sums.get(label, _ZERO) + amount
        counts[row_key] += cell.count
    for row_key, row_sums in sums.items():
        for amount in row_sums.values():
            if not amount.is_finite():
                Money(amount, row_key[1])  # raises the one error for a non-finite amount
    return sums, counts


def _sum_beside(unapplied: Iterable[Unapplied]) -> dict[_RowKey, tuple[Decimal, Decimal]]:
    """Unapplied cash and open credits per (group, ISO code), as checked Decimals."""
    beside: dict[_RowKey, tuple[Decimal, Decimal]] = {}
    for u in unapplied:
        row_key = (u.group, Currency.of(u.currency).code)
        cash, credits = beside.get(row_key, (_ZERO, _ZERO))
        beside[row_key] = (cash + to_decimal(u.cash), credits + to_decimal(u.credits))
    return beside


class _BaseConverter:
    """``convert`` for many row totals: the rate of each currency is checked once."""

    def __init__(self, base_currency: str, rates: Mapping[str, Decimal] | None) -> None:
        self.base = Currency.of(base_currency)
        self.rates = rates or {}
        self.checked: dict[Currency, Decimal | None] = {}  # None: the base currency itself

    def convert(self, amount: Decimal, currency: Currency, as_money: Money | None = None) -> Money:
        """``amount`` in the base currency, rounded; ``as_money`` (``amount`` as Money)
        is returned as it is when it is already in the base currency at its minor unit."""
        if currency not in self.checked:
            self.checked[currency] = (
                None if currency == self.base else _rate(currency, self.base, self.rates)
            )
        rate = self.checked[currency]
        if rate is None:
            if amount.as_tuple().exponent == -self.base.minor_units:
                # rounding would change nothing, not even the exponent
                return as_money if as_money is not None else Money._trusted(amount, self.base)
            return Money._trusted(self.base.round(amount), self.base)
        return Money._trusted(self.base.round(amount * rate), self.base)


def convert(amount: Money, base_currency: str, rates: Mapping[str, Decimal]) -> Money:
    """Convert into the base currency, rounded to its minor unit (the named boundary)."""
    base = Currency.of(base_currency)
    if amount.currency == base:
        return amount.round()
    rate = _rate(amount.currency, base, rates)
    return Money(amount.amount * rate, base).round()


def _rate(currency: Currency, base: Currency, rates: Mapping[str, Decimal]) -> Decimal:
    """The checked rate from ``currency`` to ``base``: present and a positive Decimal."""
    rate = rates.get(currency.code)
    if rate is None:
        raise InvalidInput(
            f"no rate from {currency.code} to {base.code} for the aging base totals",
            currency=currency.code,
        )
    if not isinstance(rate, Decimal) or rate <= 0:
        raise InvalidInput(
            f"rate for {currency.code} must be a positive Decimal, got {rate!r}",
            currency=currency.code,
        )
    return rate
