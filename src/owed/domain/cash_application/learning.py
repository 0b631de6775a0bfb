"""Learning from a person's correction.

When someone applies a receipt by hand, three facts are worth keeping:

* the payer's bank account belongs to that customer (next time: 0.97);
* the payer name as the bank spells it is an alias of that customer (0.96);
* how the payer wrote our invoice numbers: a quoted token that contains an
  applied item's digits with something around them (``V10233012345`` for
  ``INV-012345``) becomes a ``ReferencePattern`` (prefix ``V10233``) for the
  customer, so later tokens of that shape resolve (0.95).

``learn_from_correction`` returns a new ``Knowledge``; the old one is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from owed.domain.cash_application.identification import normalize_account
from owed.domain.cash_application.model import Knowledge, OpenItem, Receipt, ReferencePattern
from owed.domain.cash_application.names import canonical_name
from owed.domain.cash_application.references import (
    core_of,
    extract_references,
    normalize_key,
    number_parts,
)


def _digits_of(number: str) -> str:
    return "".join(ch for ch in normalize_key(number) if ch.isdigit())


def reference_patterns(receipt: Receipt, items: Sequence[OpenItem]) -> list[ReferencePattern]:
    """Patterns that explain how the receipt's text quoted the applied items."""
    found: list[ReferencePattern] = []
    tokens = [ref.token for ref in extract_references(receipt.remittance_text)]
    tokens += [normalize_key(line.reference) for line in receipt.remittance]
    for item in items:
        prefix, core = number_parts(item.number)
        digits = _digits_of(item.number)
        for token in tokens:
            if token in (normalize_key(item.number), digits, core, prefix + core):
                continue  # quoted plainly: nothing to learn
            for inner in dict.fromkeys((digits, core)):
                at = token.rfind(inner)
                if at < 0:
                    continue
                pattern = ReferencePattern(token[:at], token[at + len(inner) :])
                if (pattern.prefix or pattern.suffix) and core_of(
                    pattern.extract(token) or ""
                ) == core:
                    found.append(pattern)
                break
    return list(dict.fromkeys(found))


def learn_from_correction(
    knowledge: Knowledge,
    receipt: Receipt,
    applied_items: Sequence[OpenItem],
    customer_id: int,
) -> Knowledge:
    """The knowledge after a person applied ``receipt`` to ``applied_items`` of ``customer_id``."""
    accounts = dict(knowledge.accounts)
    names = dict(knowledge.payer_names)
    patterns = dict(knowledge.patterns)
    if receipt.payer_account:
        accounts[normalize_account(receipt.payer_account)] = customer_id
    if receipt.payer_name and canonical_name(receipt.payer_name):
        names[canonical_name(receipt.payer_name)] = customer_id
    learned = reference_patterns(receipt, applied_items)
    if learned:
        known = patterns.get(customer_id, ())
        patterns[customer_id] = known + tuple(p for p in learned if p not in known)
    return Knowledge(
        accounts=MappingProxyType(accounts),
        payer_names=MappingProxyType(names),
        patterns=MappingProxyType(patterns),
    )
