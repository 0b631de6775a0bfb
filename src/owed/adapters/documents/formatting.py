"""How values are written on documents and in emails.

One place decides how an amount, a date or a quantity looks, per language,
so the PDF and the email of the same invoice agree:

* Money: grouped digits, the currency's own minor unit, and the ISO code
  after the number (``1,234.56 EUR``; German ``1.234,56 EUR``; French
  ``1 234,56 EUR`` with a no-break space). The code, not a symbol, because
  "$" is ambiguous across a dozen currencies.
* Dates: day, abbreviated month name, four-digit year (``15 Jan 2026``), never
  ``01/02/2026``, which half the world reads the other way round.
* Decimal arithmetic only: digits come from ``Decimal`` formatting, never a float.

Unknown languages format as English.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from owed.domain.money import Money

_NBSP = "\u00a0"

# (thousands separator, decimal separator) per language.
_SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "de": (".", ","),
    "fr": (_NBSP, ","),
}

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "de": (
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni",
        "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez.",
    ),
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
}  # fmt: skip


def _lang(language: str) -> str:
    key = language.split("-")[0].split("_")[0].lower()
    return key if key in _SEPARATORS else "en"


def format_decimal(value: Decimal, language: str = "en", places: int | None = None) -> str:
    """Group and localise a decimal; ``places`` fixes the decimals, else they are kept."""
    thousands, point = _SEPARATORS[_lang(language)]
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = f"{value:,f}"  # en-style grouping, no exponent
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def format_money(amount: Money, language: str = "en", code: bool = True) -> str:
    """``1,234.56 EUR``; decimals follow the currency (JPY none, BHD three).

    An amount with more decimals than the currency has (a unit price of
    0.0125 USD) keeps them rather than being rounded on the page.
    """
    exponent = amount.amount.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    places = max(amount.currency.minor_units, decimals)
    number = format_decimal(amount.amount, language, places)
    return f"{number} {amount.currency.code}" if code else number


def format_quantity(value: Decimal, language: str = "en") -> str:
    """A quantity without trailing zeros: ``3``, ``2.5``, ``1,000``."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal(1))
    return format_decimal(normalized, language)


def format_percent(value: Decimal, language: str = "en") -> str:
    """``19 %`` / ``7.5 %`` (percent given as percent, not a fraction)."""
    return f"{format_quantity(value, language)}{_NBSP}%"


def format_date(day: date, language: str = "en") -> str:
    """``15 Jan 2026`` / ``15. Jan. 2026`` / ``15 janv. 2026``."""
    lang = _lang(language)
    month = _MONTHS[lang][day.month - 1]
    if lang == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def format_reference(reference: str) -> str:
    """An RF creditor reference in its print form: groups of four (``RF18 5390 0754 7034``)."""
    compact = "".join(reference.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
