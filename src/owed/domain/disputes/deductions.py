"""Reason codes of a deduction: from what the remittance said to our reason codes.

A short pay found by cash application carries the payer's reason, if any,
as one of:

* an X12 adjustment reason code (element 426, the ``ADX02`` of an 820), e.g.
  ``01`` pricing error, ``06`` quantity contested, ``19`` duplicate billing,
  ``59`` item not received;
* a word recognised by cash application in free remittance text, normalised
  to upper case (``DAMAGED``, ``PRICING``, ``SHORTAGE``, ``PROMOTION``, ...);
* one of our own reason code values (``pricing``, ``quantity``, ...).

``reason_for_deduction`` maps each to a ``ReasonCode``; anything else (or
nothing) is ``ReasonCode.OTHER``. Only codes whose meaning is unambiguous are
mapped; a payer's code that is not listed is kept in the dispute's details
for a person to read.
"""

from __future__ import annotations

from typing import Final

from owed.domain.disputes.model import ReasonCode

X12_ADJUSTMENT_REASONS: Final[dict[str, ReasonCode]] = {
    "01": ReasonCode.PRICING,  # pricing error
    "02": ReasonCode.PRICING,  # allowance/charge error
    "03": ReasonCode.PRICING,  # extension error
    "04": ReasonCode.DAMAGED_QUALITY,  # item not accepted - damaged
    "05": ReasonCode.DAMAGED_QUALITY,  # item not accepted - quality
    "06": ReasonCode.QUANTITY,  # quantity contested
    "11": ReasonCode.DAMAGED_QUALITY,  # returns - damage
    "12": ReasonCode.DAMAGED_QUALITY,  # returns - quality
    "14": ReasonCode.TRADE_PROMOTION,  # returns - promotion
    "19": ReasonCode.DUPLICATE_BILLING,  # duplicate billing
    "22": ReasonCode.QUANTITY,  # weight error
    "24": ReasonCode.PRICING,  # incorrect discount
    "42": ReasonCode.SHORTAGE,  # item not accepted - loss
    "55": ReasonCode.TAX,  # tax deducted
    "56": ReasonCode.TRADE_PROMOTION,  # advertising allowance taken
    "57": ReasonCode.TRADE_PROMOTION,  # volume discount taken
    "59": ReasonCode.NOT_RECEIVED,  # item not received
    "71": ReasonCode.TRADE_PROMOTION,  # advertising allowance
}

TEXT_REASONS: Final[dict[str, ReasonCode]] = {
    "DAMAGED": ReasonCode.DAMAGED_QUALITY,
    "QUALITY": ReasonCode.DAMAGED_QUALITY,
    "RETURN": ReasonCode.DAMAGED_QUALITY,
    "PRICING": ReasonCode.PRICING,
    "SHORTAGE": ReasonCode.SHORTAGE,
    "PROMOTION": ReasonCode.TRADE_PROMOTION,
    "TAX": ReasonCode.TAX,
    "DUPLICATE_BILLING": ReasonCode.DUPLICATE_BILLING,
    "NOT_RECEIVED": ReasonCode.NOT_RECEIVED,
}


def reason_for_deduction(code: str | None) -> ReasonCode:
    """Our reason code for a remittance reason (X12 code, recognised word, or ours)."""
    if code is None:
        return ReasonCode.OTHER
    key = code.strip()
    if key in X12_ADJUSTMENT_REASONS:
        return X12_ADJUSTMENT_REASONS[key]
    if key.upper() in TEXT_REASONS:
        return TEXT_REASONS[key.upper()]
    try:
        return ReasonCode(key.lower())
    except ValueError:
        return ReasonCode.OTHER
