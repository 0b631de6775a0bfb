"""Valid-looking identifiers for the demo: VAT / tax ids and IBANs, with real check digits.

Each generator draws a random body and searches the check digits that
python-stdnum accepts (trying every candidate in order, so it is exact and
deterministic for a given ``random.Random``). A country without a generator
gets an empty tax id, as the brief allows. Names are invented; so are numbers.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from stdnum import iban, luhn
from stdnum.at import uid as at_uid
from stdnum.be import vat as be_vat
from stdnum.de import vat as de_vat
from stdnum.fr import tva as fr_tva
from stdnum.gb import vat as gb_vat
from stdnum.iso7064 import mod_97_10
from stdnum.nl import btw as nl_btw
from stdnum.us import ein as us_ein

_US_EIN_PREFIXES = ("04", "13", "20", "26", "27", "33", "35", "45", "46", "52", "58", "81", "94")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _search(make: Callable[[str], str], valid: Callable[[str], bool], width: int) -> str | None:
    """The first ``make(check)`` that ``valid`` accepts, check running over ``width`` digits."""
    for n in range(10**width):
        candidate = make(f"{n:0{width}d}")
        if valid(candidate):
            return candidate
    return None


def tax_id(country: str, rng: random.Random) -> str:
    """A tax id with valid check digits for ``country``; "" for a country not covered."""
    for _ in range(50):  # a body may admit no check digit (e.g. FR key 0 only); draw again
        found = _one_tax_id(country, rng)
        if found is not None:
            return found
    return ""


def _one_tax_id(country: str, rng: random.Random) -> str | None:
    if country == "US":
        return f"{rng.choice(_US_EIN_PREFIXES)}-{_digits(rng, 7)}"
    if country == "DE":
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        return _search(lambda c: f"DE{body}{c}", de_vat.is_valid, 1)
    if country == "AT":
        body = _digits(rng, 7)
        return _search(lambda c: f"ATU{body}{c}", at_uid.is_valid, 1)
    if country == "NL":
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        return _search(lambda c: f"NL{body}{c}B01", nl_btw.is_valid, 1)
    if country == "BE":
        body = "0" + str(rng.randint(2, 9)) + _digits(rng, 6)
        return _search(lambda c: f"BE{body}{c}", be_vat.is_valid, 2)
    if country == "FR":
        body = str(rng.randint(3, 9)) + _digits(rng, 7)
        siren = body + luhn.calc_check_digit(body)
        key = (12 + 3 * (int(siren) % 97)) % 97
        candidate = f"FR{key:02d}{siren}"
        return candidate if fr_tva.is_valid(candidate) else None
    if country == "GB":
        body = str(rng.randint(1, 9)) + _digits(rng, 6)
        return _search(lambda c: f"GB{body}{c}", gb_vat.is_valid, 2)
    return None


_IBAN_BODY: dict[str, Callable[[random.Random], str]] = {
    "DE": lambda rng: _digits(rng, 18),
    "AT": lambda rng: _digits(rng, 16),
    "NL": lambda rng: rng.choice(("ABNA", "INGB", "RABO", "TRIO")) + _digits(rng, 10),
    "BE": lambda rng: _digits(rng, 12),
    "FR": lambda rng: _digits(rng, 10) + _digits(rng, 11) + _digits(rng, 2),
    "GB": lambda rng: rng.choice(("NWBK", "BARC", "LOYD", "HBUK")) + _digits(rng, 14),
}


def iban_for(country: str, rng: random.Random) -> str:
    """An IBAN that passes ``stdnum.iban`` (national check digits included, by redrawing)."""
    make_body = _IBAN_BODY[country]
    for _ in range(2000):
        body = make_body(rng)
        check = mod_97_10.calc_check_digits(body + country)
        candidate = f"{country}{check}{body}"
        if iban.is_valid(candidate):
            return candidate
    raise AssertionError(f"no valid {country} IBAN drawn")  # pragma: no cover


def us_account(rng: random.Random) -> str:
    """A US bank account number (10-12 digits; no checksum exists for these)."""
    return str(rng.randint(1, 9)) + _digits(rng, rng.randint(9, 11))


def is_valid_ein(number: str) -> bool:
    return bool(us_ein.is_valid(number))
