"""The aging's pre-summed inputs, its report rows, and how rows are assembled from them.

``assemble_report`` (in ``aging``) adds the inputs up here:

* ``BucketTotal`` (one cell) and ``RowTotal`` (one row of ``Decimal`` sums) come
  from ``age_items`` and from tests; ``MinorRowTotal`` (one row of integer
  minor units) from the database, tens of thousands at a time;
* ``RowSums`` adds them per (group, ISO code) and makes the sorted ``AgingRow``s,
  which keep integer sums at a scale and make ``Money`` when read;
* ``BaseRates`` checks each currency's rate to the base once; ``convert`` is the
  one rounding boundary for a single amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import MAX_PREC, Context, Decimal
from typing import NamedTuple, cast

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money, to_decimal

_ZERO = Decimal(0)
_EXACT = Context(prec=MAX_PREC)  # scaling by a power of ten never rounds
_RowKey = tuple[str, str]


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


class RowSums:
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
            if not isinstance(cell, MinorRowTotal):
                self._add_decimal(cell)
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

    def _add_decimal(self, cell: BucketTotal | RowTotal) -> None:
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
        self, beside: Mapping[_RowKey, tuple[Decimal, Decimal]], base: BaseRates | None
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


def sum_beside(unapplied: Iterable[Unapplied]) -> dict[_RowKey, tuple[Decimal, Decimal]]:
    """Unapplied cash and open credits per (group, ISO code), as checked Decimals."""
    beside: dict[_RowKey, tuple[Decimal, Decimal]] = {}
    for u in unapplied:
        row_key = (u.group, Currency.of(u.currency).code)
        cash, credits = beside.get(row_key, (_ZERO, _ZERO))
        beside[row_key] = (cash + to_decimal(u.cash), credits + to_decimal(u.credits))
    return beside


class BaseRates:
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
