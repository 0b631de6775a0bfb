"""Who paid? The payer evidence, strongest first.

1. the payer's bank account, learned from an earlier correction: 0.97;
2. the payer name, learned as an alias of a customer: 0.96;
3. the payer name against customer names and aliases (``names.NameIndex``):
   an equal canonical name gives 0.95, a truncated name 0.92, a fuzzy match
   0.95 × its similarity. When another corporate group scores within 0.03 of
   the best, the guess is ambiguous and its confidence is multiplied by 0.8.
   A similarity under ``MatchSettings.name_min_score`` names nobody.

A parent paying for its children is resolved later: the guess is the payer,
and rules accept items anywhere in the payer's corporate group.
"""

from __future__ import annotations

from typing import NamedTuple

from owed.domain.cash_application.index import MatchContext
from owed.domain.cash_application.model import Knowledge, MatchSettings, Receipt
from owed.domain.cash_application.names import canonical_name
from owed.domain.cash_application.references import normalize_key

ACCOUNT_CONFIDENCE = 0.97
LEARNED_NAME_CONFIDENCE = 0.96
EXACT_NAME_CONFIDENCE = 0.95
AMBIGUOUS_NAME_FACTOR = 0.8
_NAME_MARGIN = 0.03


class PayerGuess(NamedTuple):  # a tuple: made for every receipt, so made cheaply
    customer_id: int
    confidence: float  # 0–1
    reason: str
    by_name: bool = False  # found by name similarity alone (no account, nothing learned)
    rivals: tuple[int, ...] = ()  # other customers' names that score about as well


def normalize_account(account: str) -> str:
    """An account number or IBAN without spaces or punctuation, upper case."""
    return normalize_key(account)


def _masked(account: str) -> str:
    return f"…{account[-4:]}" if len(account) > 4 else account


def _by_name(receipt: Receipt, context: MatchContext, settings: MatchSettings) -> PayerGuess | None:
    name = receipt.payer_name or ""
    matches = context.names.search(name)
    if not matches or matches[0].score < settings.name_min_score:
        return None
    best = matches[0]
    rivals = [
        m
        for m in matches[1:]
        if context.root(m.customer_id) != context.root(best.customer_id)
        and m.score >= best.score - _NAME_MARGIN
    ]
    confidence = EXACT_NAME_CONFIDENCE * min(1.0, best.score)
    customer = context.customer_name(best.customer_id)
    reason = f"payer name '{name}' matches customer {customer} ({best.score:.0%})"
    if rivals:
        confidence *= AMBIGUOUS_NAME_FACTOR
        others = ", ".join(context.customer_name(m.customer_id) for m in rivals[:3])
        reason += f" but also resembles {others}"
    rival_ids = tuple(m.customer_id for m in rivals)
    return PayerGuess(best.customer_id, confidence, reason, by_name=True, rivals=rival_ids)


def identify_payer(
    receipt: Receipt, context: MatchContext, knowledge: Knowledge, settings: MatchSettings
) -> PayerGuess | None:
    """The customer the payer evidence points to, or None."""
    if receipt.payer_account:
        account = normalize_account(receipt.payer_account)
        known = knowledge.accounts.get(account)
        if known is not None and known in context.customers:
            customer = context.customer_name(known)
            return PayerGuess(
                known,
                ACCOUNT_CONFIDENCE,
                f"payer account {_masked(account)} is known for {customer}",
            )
    if receipt.payer_name:
        learned = knowledge.payer_names.get(canonical_name(receipt.payer_name))
        if learned is not None and learned in context.customers:
            customer = context.customer_name(learned)
            return PayerGuess(
                learned,
                LEARNED_NAME_CONFIDENCE,
                f"payer name '{receipt.payer_name}' was learned for {customer}",
            )
        return _by_name(receipt, context, settings)
    return None
