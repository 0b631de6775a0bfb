"""Masking personal and payment data; keeping card numbers out of free text.

PCI DSS forbids storing a full card number (PAN) anywhere, notes and memos
included. ``redact_card_numbers`` is applied to every free-text field
(notes, memos, remittance text) before it is stored.

Card detection (``find_card_numbers``): a run of digits with optional single
spaces or dashes between them, not touching another digit, holding 13 to 19
digits in all and passing the Luhn check. A longer run is also searched at
its separators, so a card number followed by a CVV or an expiry
(``4111 1111 1111 1111 123``) is still found; a contiguous run of more
than 19 digits is never cut (it is some other number). Luhn passes for one
number in ten at random, so some 13–19 digit references will be masked too:
over-masking is the safe side of this trade.

Masking keeps the last four characters: ``mask_account`` and
``redact_card_numbers`` replace every other digit or letter with ``*`` (a
card keeps its spacing); a value of four characters or fewer is masked
whole. ``mask_email`` keeps the first character of the local part and the
domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stdnum import luhn

MASK: Final = "*"
KEEP: Final = 4
_RUN: Final = re.compile(r"(?<!\d)\d+(?:[ -]\d+)*(?!\d)", re.ASCII)
_GROUP: Final = re.compile(r"\d+", re.ASCII)
MIN_PAN, MAX_PAN = 13, 19


@dataclass(frozen=True, slots=True)
class CardMatch:
    """A card number found in text: ``text[start:end]`` holds it, ``digits`` without separators."""

    start: int
    end: int
    digits: str


def mask_account(number: str) -> str:
    """Keep the last four letters/digits, separators dropped: ``DE89…3000`` → ``**…3000``."""
    compact = "".join(char for char in number if char.isalnum())
    if len(compact) <= KEEP:
        return MASK * len(compact)
    return MASK * (len(compact) - KEEP) + compact[-KEEP:]


def mask_email(address: str) -> str:
    """``jane.doe@example.com`` → ``j***@example.com``; without an @ the whole is masked."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return MASK * 3
    return f"{local[:1]}{MASK * 3}@{domain}" if len(local) > 1 else f"{MASK * 3}@{domain}"


def find_card_numbers(text: str) -> list[CardMatch]:
    """Luhn-valid 13–19 digit numbers in ``text`` (see the module docstring)."""
    found: list[CardMatch] = []
    for run in _RUN.finditer(text):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run[0])]
        found.extend(_cards_in_run(text, groups))
    return found


def _cards_in_run(text: str, groups: list[tuple[int, int]]) -> list[CardMatch]:
    """Longest Luhn-valid 13–19 digit spans made of whole groups, left to right."""
    found = []
    first = 0
    while first < len(groups):
        match = None
        # Every group holds a digit, so a span of more than MAX_PAN groups is too long.
        for last in range(min(len(groups), first + MAX_PAN) - 1, first - 1, -1):
            start, end = groups[first][0], groups[last][1]
            digits = "".join(text[a:b] for a, b in groups[first : last + 1])
            if MIN_PAN <= len(digits) <= MAX_PAN and luhn.is_valid(digits):
                match = CardMatch(start, end, digits)
                first = last + 1
                break
        if match is None:
            first += 1
        else:
            found.append(match)
    return found


def redact_card_numbers(text: str) -> str:
    """``text`` with every card number's digits but the last four replaced by ``*``."""
    pieces = []
    position = 0
    for card in find_card_numbers(text):
        pieces.append(text[position : card.start])
        pieces.append(_mask_digits(text[card.start : card.end]))
        position = card.end
    pieces.append(text[position:])
    return "".join(pieces)


def _mask_digits(span: str) -> str:
    digits_seen = 0
    total = sum(char.isdigit() for char in span)
    out = []
    for char in span:
        if char.isdigit():
            digits_seen += 1
            out.append(char if digits_seen > total - KEEP else MASK)
        else:
            out.append(char)
    return "".join(out)
