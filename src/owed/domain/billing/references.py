"""Payment references: ISO 11649 RF creditor references and matching keys.

An RF creditor reference is ``RF`` + two check digits + a body of 1 to 21
letters and digits. The check digits are ISO 7064 MOD 97-10 over
``body + "RF" + check digits`` (letters count as 10–35), computed and
verified with python-stdnum (``stdnum.iso7064.mod_97_10``,
``stdnum.iso11649``).

``rf_reference`` builds one from an invoice number by keeping its letters
and digits (``INV-000123`` → body ``INV000123`` → ``RF73INV000123``), so
``rf_body`` of a remitted reference gives back the key that
``normalize_reference`` makes of the invoice number: the matcher compares
those keys.

The compact form (no spaces) is what is stored and compared; ``format_rf``
gives the printed form in groups of four.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from stdnum import iso11649
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_97_10

from owed.domain.errors import InvalidInput

MAX_BODY: Final = 21


def normalize_reference(text: str) -> str:
    """A matching key: compatibility-normalized, upper case, letters and digits only.

    ``"inv-000123"``, ``"INV 000123"`` and ``"INV/000123"`` all give ``"INV000123"``;
    ``"RF73 INV0 0012 3"`` gives ``"RF73INV000123"``.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    return "".join(char for char in folded if char.isascii() and char.isalnum())


def rf_reference(invoice_number: str) -> str:
    """The RF creditor reference (compact) of an invoice number."""
    body = normalize_reference(invoice_number)
    if not body:
        raise InvalidInput(
            f"invoice number {invoice_number!r} has no letters or digits for an RF reference"
        )
    if len(body) > MAX_BODY:
        raise InvalidInput(
            f"invoice number {invoice_number!r} gives {len(body)} letters and digits; "
            f"an RF reference holds at most {MAX_BODY}"
        )
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def is_valid_rf(text: str) -> bool:
    """True when ``text`` (spaces allowed) is a valid RF creditor reference."""
    return iso11649.is_valid(text)


def _validated(text: str) -> str:
    try:
        return iso11649.validate(text)
    except ValidationError as error:
        raise InvalidInput(f"{text!r} is not a valid RF creditor reference: {error}") from None


def format_rf(reference: str) -> str:
    """The printed form in groups of four: ``RF73 INV0 0012 3``."""
    return iso11649.format(_validated(reference))


def rf_body(reference: str) -> str:
    """The body of a valid RF reference (what ``normalize_reference`` makes of the invoice)."""
    return _validated(reference)[4:]
