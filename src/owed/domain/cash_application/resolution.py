"""From a quoted reference to open items, with how sure the match is.

Confidence of a reference by how it matched (before amount and payer checks):

=====================================  ==========
RF creditor reference (valid check)    0.98
number with our prefix (``INV12345``)  0.97
number after an invoice word           0.96
learned payer pattern (``V10233…``)    0.95
PO number                              0.94
bare number (4+ digits)                0.93
bare number of 3 digits                0.88
one-character typo, labelled           0.93
one-character typo, bare               0.91
number at the end of a longer token    0.92
=====================================  ==========

The last: a payer quoting ``V27207134142`` for ``INV-134142`` follows a
pattern not learned yet (``knowledge.patterns``); the invoice number is read
from the token's last digits, only among the identified payer's open items
and only when exactly one of them is found (``embedded_hits_for``).

A typo is read only when the amount confirms it (``rules.ReferenceRule``);
without payer evidence it also loses 0.06. Structured remittance (a field
that can only hold a document number) adds 0.02, up to 0.99. A number quoted
with a different document prefix (``CN-``, another company's ``V10233``) is
not our invoice of the same digits.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz.distance import OSA

from owed.domain.cash_application.index import OpenItemIndex
from owed.domain.cash_application.model import ReferencePattern
from owed.domain.cash_application.references import (
    INVOICE_WORDS,
    QuotedRef,
    core_of,
    extract_references,
    extract_rf_references,
)

RF = 0.98
PREFIXED = 0.97
LABELLED = 0.96
PATTERN = 0.95
PO = 0.94
BARE = 0.93
BARE_SHORT = 0.88
TYPO_LABELLED = 0.93
TYPO_BARE = 0.91
EMBEDDED = 0.92
EMBEDDED_MIN_DIGITS = 5
STRUCTURED_BONUS = 0.02


class Hit(NamedTuple):  # a tuple: made for every number probed, so made cheaply
    item_id: int
    confidence: float
    quoted: str  # what the payer wrote, for explanations
    typo: bool = False


def _number_hits(ref: QuotedRef, index: OpenItemIndex, currency: str) -> list[Hit]:
    hits: list[Hit] = []
    for item_id in index.by_core(ref.core):
        if index.items[item_id].currency != currency:
            continue
        ours = index.prefix[item_id]
        if ref.prefix and ref.prefix == ours:
            confidence = PREFIXED
        elif ref.labelled and (not ref.prefix or ref.prefix in INVOICE_WORDS or not ours):
            confidence = LABELLED
        elif ref.prefix and ref.prefix not in INVOICE_WORDS:
            continue  # another document type or another party's numbering
        else:
            confidence = BARE if len(ref.core) >= 4 else BARE_SHORT
        hits.append(Hit(item_id, confidence, ref.token))
    return hits


def resolve_ref(ref: QuotedRef, index: OpenItemIndex, currency: str) -> list[Hit]:
    """Items a quoted number names exactly (by number, or by PO number)."""
    if ref.po:
        found = index.by_po(ref.token) or index.by_po(ref.digits)
        return [Hit(i, PO, f"PO {ref.token}") for i in found]
    hits = _number_hits(ref, index, currency)
    if not hits and len(ref.digits) >= 6:
        hits = [Hit(i, PO - 0.02, f"PO {ref.token}") for i in index.by_po(ref.digits)]
    return hits


def resolve_text(text: str, index: OpenItemIndex, currency: str) -> list[Hit]:
    """Every exact hit for the references in ``text`` (RF references first)."""
    hits = [Hit(i, RF, rf) for rf in extract_rf_references(text) for i in index.by_rf(rf)]
    for ref in extract_references(text):
        hits.extend(resolve_ref(ref, index, currency))
    return hits


def pattern_hits_for(
    ref: QuotedRef,
    patterns: tuple[ReferencePattern, ...],
    index: OpenItemIndex,
    allowed: set[int],
) -> list[Hit]:
    """Hits through a payer's learned way of quoting, among ``allowed`` customers' items."""
    hits: list[Hit] = []
    for pattern in patterns:
        inner = pattern.extract(ref.token)
        if inner is None:
            continue
        for item_id in index.by_core(core_of(inner)):
            if index.items[item_id].customer_id in allowed:
                hits.append(Hit(item_id, PATTERN, ref.token))
    return hits


def typo_hits_for(
    ref: QuotedRef, index: OpenItemIndex, within: set[int] | None, currency: str
) -> list[Hit]:
    """Items one character away from a quoted number: anywhere, or among the open items of
    the customers ``within``."""
    if ref.po or len(ref.core) < 4:
        return []
    if within is None:
        found = index.typo_neighbours(ref.core)
    else:
        found = _typos_within(ref.core, index, within)
    confidence = TYPO_LABELLED if ref.labelled else TYPO_BARE
    return [
        Hit(i, confidence, ref.token, typo=True)
        for i in found
        if index.items[i].currency == currency
    ]


def embedded_hits_for(
    ref: QuotedRef, index: OpenItemIndex, within: set[int], currency: str
) -> list[Hit]:
    """The open item of the ``within`` customers whose number ends a longer quoted token
    (an unlearned quoting pattern such as ``V27207`` + ``134142``); none when several are."""
    digits = ref.digits
    found: set[int] = set()
    for start in range(1, len(digits) - EMBEDDED_MIN_DIGITS + 1):
        for item_id in index.by_core(core_of(digits[start:])):
            item = index.items[item_id]
            if (
                item.customer_id in within
                and item.currency == currency
                and index.remaining[item_id] > 0
                and len(index.core[item_id]) >= EMBEDDED_MIN_DIGITS
            ):
                found.add(item_id)
    if len(found) != 1:
        return []
    return [Hit(found.pop(), EMBEDDED, ref.token, typo=True)]


_FEW_ITEMS = 64  # below this many open items, comparing each beats generating variants


def _typos_within(core: str, index: OpenItemIndex, within: set[int]) -> list[int]:
    """Open items of the ``within`` customers one edit from ``core``, by the cheaper route."""
    open_items = [i for c in within for i in index.open_view(c)]
    if len(open_items) < _FEW_ITEMS:
        found = [i for i in open_items if OSA.distance(core, index.core[i], score_cutoff=1) == 1]
        return sorted(found)
    return [
        i
        for i in index.typo_neighbours(core)
        if index.items[i].customer_id in within and index.remaining[i] > 0
    ]


def typo_hits(text: str, index: OpenItemIndex, within: set[int] | None, currency: str) -> list[Hit]:
    """``typo_hits_for`` every number quoted in ``text``."""
    return [
        hit
        for ref in extract_references(text)
        for hit in typo_hits_for(ref, index, within, currency)
    ]


def best_per_item(hits: list[Hit]) -> dict[int, Hit]:
    """One hit per item: the most confident."""
    best: dict[int, Hit] = {}
    for hit in hits:
        if hit.item_id not in best or hit.confidence > best[hit.item_id].confidence:
            best[hit.item_id] = hit
    return best
