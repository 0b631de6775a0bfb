"""Customer master data: value types and the validation of tax ids and emails.

The customer aggregate itself (ids, terms, credit limit, collector) is the
persistence layer's; this module holds the values it is made of and the
rules that normalize them.

Tax ids (``parse_tax_id`` / ``validate_tax_id``) are checked with
python-stdnum. For a known country the schemes are tried in order: the
country's ``vat`` module, then ``tin``, then a few national fallbacks
(India PAN, Brazil CPF), and the first that accepts the number gives its
normalized form. EU VAT numbers (and GB) are normalized with their country
prefix (``DE136695976``; Greece ``EL``), so the same number typed with or
without the prefix gives the same value; other schemes use stdnum's compact
form. A country stdnum has no tax module for (or no country at all, when
the number carries no recognizable VAT prefix) is accepted as typed,
trimmed, and flagged ``verified=False``: the data-quality report lists it.

Risk classes and segments are plain strings chosen by each company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Final, Protocol, cast

from stdnum import vatin
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.util import get_cc_module

from owed.domain.errors import InvalidInput


class ContactRole(StrEnum):
    AP = "ap"  # accounts payable: where invoices and reminders go
    BILLING = "billing"
    ESCALATION = "escalation"
    OTHER = "other"


class DeliveryPreference(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"
    POST = "post"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    country: str  # ISO 3166-1 alpha-2, upper case
    postal_code: str = ""
    line2: str = ""
    region: str = ""

    def __post_init__(self) -> None:
        country = self.country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise InvalidInput(f"address country {self.country!r} is not a two-letter ISO code")
        object.__setattr__(self, "country", country)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    role: ContactRole = ContactRole.OTHER

    def __post_init__(self) -> None:
        if self.email is not None:
            object.__setattr__(self, "email", validate_email(self.email))


# -- email ------------------------------------------------------------------------

_LOCAL: Final = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def validate_email(text: str) -> str:
    """A trimmed address with its domain lower-cased; ``InvalidInput`` naming the reason.

    Accepts the everyday form ``local@domain.tld`` (dot-atom local part of at
    most 64 characters, a domain of at least two labels ending in a letter
    TLD, 254 characters in all). Quoted local parts and IP-literal domains
    are refused on purpose: invoices are not sent there.
    """
    address = text.strip()

    def bad(reason: str) -> InvalidInput:
        return InvalidInput(f"email {text!r} is not valid: {reason}", email=text)

    if address.count("@") != 1:
        raise bad("it must contain exactly one @")
    local, domain = address.split("@")
    domain = domain.lower().rstrip(".")
    if len(address) > 254:
        raise bad("it is longer than 254 characters")
    if not local or len(local) > 64 or not _LOCAL.fullmatch(local):
        raise bad("the part before @ is empty, too long, or has a character not allowed there")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise bad("the domain must be labels of letters, digits and hyphens, like example.com")
    if not labels[-1].isalpha() or len(labels[-1]) < 2:
        raise bad("the domain must end in a top-level domain of letters, like .com")
    return f"{local}@{domain}"


# -- tax ids ----------------------------------------------------------------------


class _TaxModule(Protocol):
    def validate(self, number: str) -> str: ...


_SCHEMES: Final = ("vat", "tin")
_NATIONAL_FALLBACKS: Final[dict[str, tuple[str, ...]]] = {"in": ("pan",), "br": ("cpf",)}
_PREFIXED: Final = frozenset(eu_vat.MEMBER_STATES) | {"gb"}


@dataclass(frozen=True, slots=True)
class TaxId:
    """A normalized tax id; ``verified`` is False when no checksum rule could be applied."""

    value: str
    country: str | None
    scheme: str | None  # "de.vat", "us.tin", ... or None when unverified
    verified: bool


@cache
def _modules(country: str) -> tuple[tuple[str, _TaxModule], ...]:
    names = _SCHEMES + _NATIONAL_FALLBACKS.get(country, ())
    found = []
    for name in names:
        module = get_cc_module(country, name) if re.fullmatch(r"[a-z]{2}", country) else None
        if module is not None:
            found.append((f"{country}.{name}", cast(_TaxModule, module)))
    return tuple(found)


def parse_tax_id(country: str | None, tax_id: str) -> TaxId:
    """Validate and normalize a tax id for a customer in ``country`` (ISO alpha-2 or None)."""
    text = tax_id.strip()
    if not text:
        raise InvalidInput("tax id is empty")
    cc = country.strip().lower() if country and country.strip() else None
    if cc is None:
        return _without_country(text)
    modules = _modules(cc)
    if not modules:
        return TaxId(text, cc.upper(), None, verified=False)
    reasons = []
    for scheme, module in modules:
        try:
            number = module.validate(text)
        except ValidationError as error:
            reasons.append(f"{scheme}: {error}")
            continue
        return TaxId(_with_prefix(cc, scheme, number), cc.upper(), scheme, verified=True)
    raise InvalidInput(
        f"tax id {tax_id!r} is not valid for country {cc.upper()} ({'; '.join(reasons)})",
        tax_id=tax_id,
        country=cc.upper(),
    )


def validate_tax_id(country: str | None, tax_id: str) -> str:
    """The normalized tax id, or ``InvalidInput`` with the reason; see ``parse_tax_id``."""
    return parse_tax_id(country, tax_id).value


def _with_prefix(cc: str, scheme: str, number: str) -> str:
    if not scheme.endswith(".vat") or cc not in _PREFIXED:
        return number
    prefix = "EL" if cc == "gr" else cc.upper()
    return number if number.startswith(prefix) else prefix + number


def _without_country(text: str) -> TaxId:
    """With no country, a number starting with an EU/GB VAT prefix is checked as VAT."""
    compact = re.sub(r"[\s.\-/]", "", text).upper()
    prefix = compact[:2].lower()
    cc = "gr" if prefix == "el" else prefix
    if cc not in _PREFIXED:
        return TaxId(text, None, None, verified=False)
    try:
        number = vatin.validate(compact)
    except ValidationError as error:
        raise InvalidInput(
            f"tax id {text!r} starts with the VAT prefix {compact[:2]} but is not a valid "
            f"{cc.upper()} VAT number: {error}",
            tax_id=text,
        ) from None
    return TaxId(number, cc.upper(), f"{cc}.vat", verified=True)
