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
from decimal import MAX_PREC, Context, Decimal
from enum import StrEnum
from typing import NamedTuple, cast

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


class MinorRowTotal(NamedTuple):
    """A pre-summed row in integer minor units, as an integer pivot query returns it.

    ``cells`` holds one sum per bucket label, in label order, in minor units of
    ``currency``; ``None`` where the row has no item in that bucket (an exact
    zero, as for a ``RowTotal`` without the label). The fast input of
    ``assemble_report``: no ``Decimal`` is made until a row is read.
    """

    group: str
    currency: str
    item_count: int
    cells: tuple[int | None, ...]


@dataclass(frozen=True)
class Unapplied:
    """Cash received but not applied, and open credits, for one group and currency."""

    group: str
    currency: str
    cash: Decimal = Decimal(0)
    credits: Decimal = Decimal(0)


class AgingRow(NamedTuple):
    """One group's open amounts in one currency, per bucket.

    Stored compactly (a report by customer has tens of thousands of rows): the
    bucket sums are integers in units of ``10 ** scale`` of the currency (the
    minor unit, ``scale`` -2 for USD, unless an amount is finer), in label
    order; ``buckets``, ``total``, ``base_total``, ``unapplied_cash`` and
    ``credits`` build their ``Money`` when read.
    """

    group: str
    currency: str
    labels: tuple[str, ...]
    minor: tuple[int, ...]  # one per label, exact: amount = minor × 10 ** scale
    scale: int
    item_count: int
    cash: Decimal  # unapplied cash beside the row
    credit: Decimal  # open credits beside the row
    unit: Currency
    base: Currency | None = None  # the base currency, when base totals were asked for
    rate: Decimal | None = None  # base units per unit; None: the row is in the base currency

    @property
    def base_total(self) -> Money | None:
        """The row total in the base currency, rounded to its minor unit (the one
        named rounding boundary of the aging)."""
        base = self.base
        if base is None:
            return None
        amount = Decimal(sum(self.minor)).scaleb(self.scale, _EXACT)
        if self.rate is None and self.scale == -base.minor_units:
            return Money._trusted(amount, base)  # rounding would change nothing
        return Money._trusted(base.round(amount if self.rate is None else amount * self.rate), base)

    @property
    def sums(self) -> tuple[Decimal, ...]:
        scale = self.scale
        return tuple(Decimal(m).scaleb(scale, _EXACT) for m in self.minor)

    @property
    def buckets(self) -> dict[str, Money]:
        unit = self.unit
        return {
            label: Money._trusted(a, unit) for label, a in zip(self.labels, self.sums, strict=True)
        }

    @property
    def total(self) -> Money:
        return Money._trusted(Decimal(sum(self.minor)).scaleb(self.scale, _EXACT), self.unit)

    @property
    def unapplied_cash(self) -> Money:
        return Money._trusted(self.cash, self.unit)

    @property
    def credits(self) -> Money:
        return Money._trusted(self.credit, self.unit)

    @property
    def net(self) -> Money:
        """Total open less unapplied cash and open credits."""
        return self.total - self.unapplied_cash - self.credits


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
    cells = _Cells(labels)
    cells.add_all(totals)
    beside = _sum_beside(unapplied)
    base = _BaseRates(base_currency, rates) if base_currency is not None else None
    rows = cells.rows(beside, base)
    base_code = Currency.of(base_currency).code if base_currency is not None else None
    return AgingReport(as_of, buckets.basis, labels, rows, base_code)


_ZERO = Decimal(0)
_EXACT = Context(prec=MAX_PREC)  # scaling by a power of ten never rounds
_RowKey = tuple[str, str]


class _Cells:
    """Sums per (group, ISO code): integer minor units from ``MinorRowTotal``s, exact
    ``Decimal``s from ``BucketTotal``s and ``RowTotal``s, and item counts."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self.position = {label: i for i, label in enumerate(labels)}
        self.ints: dict[_RowKey, tuple[int, ...]] = {}  # minor units, label order
        self.decimals: dict[_RowKey, dict[int, Decimal]] = {}  # label position -> sum
        self.counts: dict[_RowKey, int] = {}
        self.codes: dict[str, str] = {}  # currency as given -> ISO code, checked once
        self.currencies: dict[str, Currency] = {}

    def keys(self) -> set[_RowKey]:
        return set(self.counts)

    def currency(self, code: str) -> Currency:
        found = self.currencies.get(code)
        if found is None:
            found = self.currencies[code] = Currency.of(code)
        return found

    def _key(self, group: str, spelled: str) -> _RowKey:
        code = self.codes.get(spelled)
        if code is None:
            code = self.codes[spelled] = self.currency(spelled).code
        return (group, code)

    def add_all(self, totals: Iterable[BucketTotal | RowTotal | MinorRowTotal]) -> None:
        """Add every cell or row; ``MinorRowTotal``s (tens of thousands from one
        query) take an inlined path."""
        width, ints, counts, codes = len(self.labels), self.ints, self.counts, self.codes
        for cell in totals:
            if type(cell) is not MinorRowTotal:
                self._add_decimal(cell)  # a subclass of MinorRowTotal, if any, too
                continue
            group, spelled, count, cells = cell
            if len(cells) != width:
                raise InvalidInput(
                    f"aging row for group {group!r} has {len(cells)} bucket sums "
                    f"for {width} buckets",
                    group=group,
                )
            code = codes.get(spelled)
            row_key = (group, code) if code is not None else self._key(group, spelled)
            minor = (
                tuple(0 if c is None else c for c in cells)
                if None in cells
                else cast("tuple[int, ...]", cells)
            )
            known = ints.get(row_key)
            if known is None:
                ints[row_key] = minor
                counts[row_key] = counts.get(row_key, 0) + count
            else:
                ints[row_key] = tuple(a + b for a, b in zip(known, minor, strict=True))
                counts[row_key] += count

    def _add_decimal(self, cell: BucketTotal | RowTotal | MinorRowTotal) -> None:
        if isinstance(cell, MinorRowTotal):  # a subclass of it
            self.add_all([MinorRowTotal(*cell)])
            return
        amounts = cell.amounts if isinstance(cell, RowTotal) else {cell.label: cell.amount}
        row_key = self._key(cell.group, cell.currency)
        sums = self.decimals.setdefault(row_key, {})
        for label, amount in amounts.items():
            at = self.position.get(label)
            if at is None:
                raise InvalidInput(
                    f"bucket {label!r} for group {cell.group!r} is not one of {list(self.labels)}",
                    label=label,
                )
            sums[at] = sums.get(at, _ZERO) + amount
        self.counts[row_key] = self.counts.get(row_key, 0) + cell.count

    def rows(
        self, beside: Mapping[_RowKey, tuple[Decimal, Decimal]], base: _BaseRates | None
    ) -> tuple[AgingRow, ...]:
        """One row per (group, ISO code) with cells or beside amounts, sorted.

        A row's sums are in its currency's minor units unless a ``Decimal`` sum
        is finer (``_finer``). One pass over tens of thousands of rows: the
        per-currency facts are looked up once."""
        labels, ints, decimals, counts = self.labels, self.ints, self.decimals, self.counts
        zeros = (0,) * len(labels)
        nothing = (_ZERO, _ZERO)
        per_code: dict[str, tuple[Currency, int, Currency | None, Decimal | None]] = {}
        keys = set(counts)
        keys.update(beside)
        rows = []
        for row_key in sorted(keys):
            group, code = row_key
            facts = per_code.get(code)
            if facts is None:
                unit = self.currency(code)
                facts = per_code[code] = (
                    unit,
                    -unit.minor_units,
                    None if base is None else base.base,
                    None if base is None else base.rate(unit),
                )
            unit, scale, base_unit, rate = facts
            minor = ints.get(row_key, zeros)
            if type(sum(minor)) is not int:  # a float or Decimal among them
                raise InvalidInput(f"aging row {group!r}: bucket sums must be integers")
            if row_key in decimals:
                minor, scale = self._finer(minor, scale, decimals[row_key], unit)
            cash, credits = beside.get(row_key, nothing)
            rows.append(
                AgingRow(
                    group, code, labels, minor, scale, counts.get(row_key, 0), cash, credits,
                    unit, base_unit, rate,
                )
            )  # fmt: skip
        return tuple(rows)

    @staticmethod
    def _finer(
        minor: tuple[int, ...], scale: int, decimals: Mapping[int, Decimal], unit: Currency
    ) -> tuple[tuple[int, ...], int]:
        """``minor`` (at ``scale``) plus exact ``Decimal`` sums by label position, at the
        finest scale any of them needs."""
        for amount in decimals.values():
            if not amount.is_finite():
                Money(amount, unit)  # raises the one error for a non-finite amount
        fine = min([scale, *(int(a.as_tuple().exponent) for a in decimals.values())])
        up = 10 ** (scale - fine)
        return tuple(
            m * up + (int(decimals[i].scaleb(-fine, _EXACT)) if i in decimals else 0)
            for i, m in enumerate(minor)
        ), fine


def _sum_beside(unapplied: Iterable[Unapplied]) -> dict[_RowKey, tuple[Decimal, Decimal]]:
    """Unapplied cash and open credits per (group, ISO code), as checked Decimals."""
    beside: dict[_RowKey, tuple[Decimal, Decimal]] = {}
    for u in unapplied:
        row_key = (u.group, Currency.of(u.currency).code)
        cash, credits = beside.get(row_key, (_ZERO, _ZERO))
        beside[row_key] = (cash + to_decimal(u.cash), credits + to_decimal(u.credits))
    return beside


class _BaseRates:
    """The checked rate of each currency to the base, looked up once per currency."""

    def __init__(self, base_currency: str, rates: Mapping[str, Decimal] | None) -> None:
        self.base = Currency.of(base_currency)
        self.rates = rates or {}
        self.checked: dict[str, Decimal | None] = {}  # None: the base currency itself

    def rate(self, currency: Currency) -> Decimal | None:
        code = currency.code
        try:
            return self.checked[code]
        except KeyError:
            rate = None if currency == self.base else _rate(currency, self.base, self.rates)
            self.checked[code] = rate
            return rate


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
