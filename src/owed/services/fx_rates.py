"""FX rates from the company settings, and conversion of amounts to the base currency.

The company setting ``"fx_rates"`` holds base-currency units per unit of each
foreign currency, flat or dated (``rates_as_of``). ``Converter`` turns an
amount into the base currency at those rates, rounded by the base currency's
policy; a missing rate is a ``ConfigurationError`` naming the currency. Used
by the KPIs, the close (FX report), aging, credit and write-off approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.errors import ConfigurationError
from owed.domain.money import Currency, Money
from owed.services.unit_of_work import UnitOfWork


def rates_as_of(uow: UnitOfWork, as_of: date) -> dict[str, Decimal]:
    """Rates (base units per unit) from settings ``"fx_rates"``.

    Either flat ``{"EUR": "1.08"}`` or dated ``{"2026-03-31": {"EUR": "1.08"}}``,
    in which case the latest date on or before ``as_of`` is used.
    """
    raw: dict[str, Any] = dict(uow.company.settings.get("fx_rates", {}) or {})
    if raw and all(isinstance(v, dict) for v in raw.values()):
        dated = sorted(d for d in raw if date.fromisoformat(d) <= as_of)
        raw = dict(raw[dated[-1]]) if dated else {}
    rates: dict[str, Decimal] = {}
    for code, value in raw.items():
        if isinstance(value, float):
            value = repr(value)  # a rate typed as a JSON number: its shortest exact text
        try:
            rate = Decimal(str(value))
        except ArithmeticError:
            raise ConfigurationError(f"fx_rates: {code} rate {value!r} is not a number") from None
        if rate <= 0:
            raise ConfigurationError(f"fx_rates: {code} rate must be positive, got {value!r}")
        rates[Currency.of(code).code] = rate
    return rates


@dataclass(frozen=True)
class Converter:
    base: str
    rates: dict[str, Decimal]
    as_of: date

    def minor(self, minor: int, currency: str) -> Decimal:
        """An amount in minor units of ``currency`` → base currency Decimal (rounded)."""
        return self.money(Money.from_minor(int(minor), currency)).amount

    def money(self, amount: Money) -> Money:
        code = amount.currency.code
        if code == self.base:
            return amount
        rate = self.rates.get(code)
        if rate is None:
            raise ConfigurationError(
                f"no exchange rate for {code} in company setting 'fx_rates' as of "
                f"{self.as_of} (base currency {self.base}): add e.g. "
                f'{{"fx_rates": {{"{code}": "1.10"}}}}',
                currency=code,
            )
        return Money(amount.amount * rate, self.base).round()


def converter(uow: UnitOfWork, as_of: date) -> Converter:
    return Converter(uow.company.base_currency, rates_as_of(uow, as_of), as_of)
