"""Exact money.

``Money`` is an immutable pair of a ``Decimal`` amount and a ``Currency``.
Design rules (see docs/architecture.md, "Money"):

* One way in: ``Money(amount, currency)`` accepts ``Decimal``, ``int`` or a
  decimal string and refuses ``float`` (and ``bool``) with ``TypeError``:
  a float has already lost the cents before we ever see it.
* Arithmetic never mixes currencies (``CurrencyMismatch``) and never rounds
  implicitly. Rounding is a currency policy applied at named boundaries
  (line total, tax, allocation remainder) with ``Money.round()``.
* Storage is integer minor units: ``to_minor()`` refuses an amount that has
  more decimals than the currency allows instead of silently rounding.
* ``allocate`` / ``split`` distribute an amount in minor units by the
  largest-remainder method: the parts always sum to the whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from owed.domain.errors import CurrencyMismatch, InexactAmount, MoneyError, UnknownCurrency

# ISO 4217 active codes whose minor unit is not 2.
_EXPONENTS: Final[dict[str, int]] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip

# ISO 4217 active codes with two decimals.
_TWO_DECIMAL_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP
ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR
JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU
MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR
RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
"""
_TWO_DECIMALS: Final[frozenset[str]] = frozenset(_TWO_DECIMAL_CODES.split())

Number = Decimal | int | str


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency and its rounding policy."""

    code: str
    minor_units: int

    @staticmethod
    def of(code: str | Currency) -> Currency:
        if isinstance(code, Currency):
            return code
        hit = _CACHE.get(code) if isinstance(code, str) else None
        if hit is not None:  # fast path: a code already seen exactly as written
            return hit
        if not isinstance(code, str):
            raise UnknownCurrency(code)
        key = code.strip().upper()
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        if key in _EXPONENTS:
            currency = Currency(key, _EXPONENTS[key])
        elif key in _TWO_DECIMALS:
            currency = Currency(key, 2)
        else:
            raise UnknownCurrency(code)
        _CACHE[key] = currency
        return currency

    @property
    def quantum(self) -> Decimal:
        quantum = _QUANTA.get(self.minor_units)
        if quantum is None:
            quantum = _QUANTA.setdefault(self.minor_units, Decimal(1).scaleb(-self.minor_units))
        return quantum

    def round(self, amount: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
        """Round to the currency's minor unit (half-up unless told otherwise)."""
        return amount.quantize(self.quantum, rounding=rounding)

    def to_minor(self, amount: Decimal) -> int:
        """Exact conversion to integer minor units; refuses to round."""
        scaled = amount.scaleb(self.minor_units)
        minor = int(scaled)  # truncates: the comparison below catches any fraction
        if scaled != minor:
            raise InexactAmount(amount, self.code, self.minor_units)
        return minor

    def from_minor(self, minor: int) -> Decimal:
        units = self.minor_units
        return Decimal(minor).scaleb(-units).quantize(_QUANTA.get(units) or self.quantum)

    def __str__(self) -> str:
        return self.code


_CACHE: dict[str, Currency] = {}
_QUANTA: dict[int, Decimal] = {}  # minor units -> 10 ** -minor units, built once each

HALF_UP: Final = ROUND_HALF_UP
HALF_EVEN: Final = ROUND_HALF_EVEN


def to_decimal(value: object) -> Decimal:
    """The single gate from outside values to ``Decimal``; refuses floats."""
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, float):
        raise TypeError(
            f"refusing float {value!r}: floats cannot represent money exactly; "
            "pass a Decimal, an int or a string"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"{value!r} is not a decimal number", value=value) from None
    else:
        raise TypeError(f"cannot make an amount from {type(value).__name__}")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount", value=value)
    return result


class Money:
    """An exact amount in one currency. Immutable and hashable."""

    # ``_minor`` caches the amount in minor units when the value was built from
    # them (``from_minor``), so ``to_minor`` need not convert back; unset otherwise.
    __slots__ = ("_minor", "amount", "currency")

    amount: Decimal
    currency: Currency

    def __init__(self, amount: Number, currency: str | Currency) -> None:
        object.__setattr__(self, "amount", to_decimal(amount))
        object.__setattr__(self, "currency", Currency.of(currency))

    # -- construction -----------------------------------------------------
    @classmethod
    def _trusted(cls, amount: Decimal, currency: Currency) -> Money:
        """Internal fast path for values already checked (results of arithmetic)."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", currency)
        return money

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        return cls._trusted(Decimal(0), Currency.of(currency))

    @classmethod
    def from_minor(cls, minor: int, currency: str | Currency) -> Money:
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError(f"minor units must be an int, not {type(minor).__name__}")
        cur = currency if isinstance(currency, Currency) else Currency.of(currency)
        money = object.__new__(cls)
        setter = object.__setattr__
        setter(money, "amount", cur.from_minor(minor))
        setter(money, "currency", cur)
        setter(money, "_minor", minor)
        return money

    @classmethod
    def parse(cls, text: str, currency: str | Currency | None = None) -> Money:
        """Parse ``"12.50 USD"``, ``"USD 12.50"`` or ``"12.50"`` with a currency given."""
        parts = text.split()
        if len(parts) == 2:
            a, b = parts
            if a.isalpha():
                a, b = b, a
            if currency is not None and Currency.of(currency).code != b.upper():
                raise CurrencyMismatch(Currency.of(currency).code, b.upper(), "parse")
            return cls(a, b)
        if len(parts) == 1 and currency is not None:
            return cls(parts[0], currency)
        raise MoneyError(f"cannot read money from {text!r}", text=text)

    # -- immutability -----------------------------------------------------
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal, str]]:
        return (Money, (self.amount, self.currency.code))

    # -- conversion -------------------------------------------------------
    def to_minor(self) -> int:
        minor: int | None = getattr(self, "_minor", None)
        if minor is not None:
            return minor
        return self.currency.to_minor(self.amount)

    def round(self, rounding: str = ROUND_HALF_UP) -> Money:
        return Money(self.currency.round(self.amount, rounding), self.currency)

    @property
    def is_exact(self) -> bool:
        """True when the amount fits the currency's minor unit."""
        return self.amount == self.currency.round(self.amount)

    def is_zero(self) -> bool:
        return self.amount == 0

    # -- arithmetic -------------------------------------------------------
    def _same(self, other: Money, operation: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, operation)

    def __add__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "add")
            return Money._trusted(self.amount + other.amount, self.currency)
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # lets sum() start from 0
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if isinstance(other, Money):
            self._same(other, "subtract")
            return Money._trusted(self.amount - other.amount, self.currency)
        return NotImplemented

    def __neg__(self) -> Money:
        return Money._trusted(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(abs(self.amount), self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply money by money")
        if isinstance(factor, (Decimal, int)) and not isinstance(factor, bool):
            return Money._trusted(self.amount * factor, self.currency)
        if isinstance(factor, float):
            raise TypeError("refusing to multiply money by a float; use Decimal")
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Decimal:
        """Money / Money is a ratio. To divide an amount into parts use ``split``."""
        if isinstance(other, Money):
            self._same(other, "divide")
            return self.amount / other.amount
        raise TypeError("to divide money into parts use Money.split or Money.allocate")

    # -- comparison -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Money):
            return self.currency == other.currency and self.amount == other.amount
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.amount, self.currency.code))

    def _cmp(self, other: object) -> Decimal:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._same(other, "compare")
        return self.amount - other.amount

    def __lt__(self, other: object) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: object) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._cmp(other) >= 0

    def __bool__(self) -> bool:
        return self.amount != 0

    # -- distribution -----------------------------------------------------
    def allocate(self, weights: Sequence[Number]) -> list[Money]:
        """Split by weights, in minor units, largest remainder first.

        The parts always sum to ``self`` exactly (after rounding ``self`` to
        the currency's minor unit, which it must already fit).
        """
        if not weights:
            raise MoneyError("cannot allocate over no weights")
        ws = [to_decimal(w) for w in weights]
        if any(w < 0 for w in ws):
            raise MoneyError("allocation weights must not be negative")
        total_w = sum(ws, Decimal(0))
        if total_w == 0:
            raise MoneyError("allocation weights sum to zero")
        total = self.to_minor()
        sign = -1 if total < 0 else 1
        units = abs(total)
        raw = [Decimal(units) * w / total_w for w in ws]
        floors = [int(r) for r in raw]
        remainder = units - sum(floors)
        order = sorted(range(len(ws)), key=lambda i: (-(raw[i] - floors[i]), i))
        for i in order[:remainder]:
            floors[i] += 1
        return [Money.from_minor(sign * f, self.currency) for f in floors]

    def split(self, parts: int) -> list[Money]:
        """Split evenly into ``parts``; the first parts take any extra minor units."""
        if parts < 1:
            raise MoneyError("cannot split into fewer than one part")
        return self.allocate([1] * parts)

    # -- display ----------------------------------------------------------
    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"

    def __str__(self) -> str:
        return f"{self.format()} {self.currency.code}"

    def format(self, grouping: bool = True) -> str:
        q = self.currency.round(self.amount) if self.is_exact else self.amount
        return f"{q:,}" if grouping else f"{q}"


def total(amounts: Iterable[Money], currency: str | Currency) -> Money:
    """Sum that is well defined for an empty iterable."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
