"""Running the rule chain and turning its state into a decision.

``match_receipt`` runs every rule of ``rules.RULES`` whose ``match`` holds, in
order, then decides:

* **automatic** when items were chosen, nothing is ambiguous, a customer is
  set, and the confidence is at least ``auto_apply_threshold``;
* otherwise the receipt stays **unapplied**: the chosen items (if any) and
  the alternatives become ranked suggestions (those under
  ``suggestion_floor`` are dropped). ``customer_id`` is kept when the payer
  alone was identified confidently, so the cash can sit on account.

A receipt identical to one seen before (same amount, payer and remittance,
value date within ``duplicate_window_days``) is capped at 0.6 and names the
receipt it repeats in ``Decision.duplicate_of``: a payment made twice goes to
review, never to the ledger.

A quoted reference confirmed neither by the payer nor by the amount is capped
at 0.6: a number in free text that happens to exist is not enough.

``match_receipts`` matches a batch in order and consumes what each automatic
decision closes, so the next receipt sees the lowered balances. Matching makes
no reference cycles, so the batch runs with the cyclic garbage collector paused
(as the index build does): it would only re-scan the index and the decisions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from owed.domain.batching import collector_paused
from owed.domain.cash_application.index import MatchContext
from owed.domain.cash_application.model import Decision, Knowledge, MatchSettings, Receipt
from owed.domain.cash_application.rules import RULES, Rule
from owed.domain.cash_application.state import MatchState

UNCONFIRMED_CAP = 0.6
_ZERO = Decimal(0)
DUPLICATE_CAP = 0.6  # a likely duplicate payment is never applied automatically


def _run(state: MatchState, rules: Iterable[Rule]) -> None:
    for rule in rules:
        if rule.match(state):
            rule.apply(state)
    if state.lines and not (state.payer_agrees or state.amount_fits or _weakly_agrees(state)):
        state.cap(UNCONFIRMED_CAP, "neither the payer nor the amount confirms the reference")


def _weakly_agrees(state: MatchState) -> bool:
    """True when a payer name too uncertain to name a customer alone (a rival resembles
    it) still points to the group of every chosen item: it confirms the reference."""
    payer = state.payer()
    if payer is None:
        return False
    ctx = state.context
    root = ctx.root(payer.customer_id)
    if any(ctx.root(line.item.customer_id) != root for line in state.lines):
        return False
    state.note(f"{payer.reason}: the quoted invoices are that payer's")
    return True


def _decide(state: MatchState) -> Decision:
    receipt, settings = state.receipt, state.settings
    confidence = state.confidence()
    has_items = bool(state.adjustments) or any(line.cash > 0 for line in state.lines)
    auto = (
        has_items
        and not state.ambiguous
        and state.customer_id is not None
        and confidence >= settings.auto_apply_threshold
    )
    explanation = "; ".join(state.notes) or "nothing in the receipt points to an open item"
    if auto:
        allocations = state.allocations()
        adjustments = tuple(state.adjustments)
        credit = applied = _ZERO
        for adjustment in adjustments:
            if adjustment.kind.is_cash:
                credit += adjustment.amount
        for allocation in allocations:
            applied += allocation.amount
        return Decision(
            receipt_id=receipt.id,
            customer_id=state.customer_id,
            allocations=allocations,
            adjustments=adjustments,
            unapplied=receipt.amount - applied - credit,
            confidence=confidence,
            rule=state.rule,
            explanation=explanation,
            auto=True,
        )
    suggestions = list(state.alternatives)
    if has_items:
        suggestions.insert(0, state.proposal())
    suggestions = [s for s in suggestions if s.confidence >= settings.suggestion_floor]
    suggestions.sort(key=lambda s: -s.confidence)
    known = (
        state.customer_id if state.customer_confidence >= settings.auto_apply_threshold else None
    )
    return Decision(
        receipt_id=receipt.id,
        customer_id=known,
        allocations=(),
        adjustments=(),
        unapplied=receipt.amount,
        confidence=suggestions[0].confidence if suggestions else 0.0,
        rule=state.rule if has_items else "unapplied",
        explanation=explanation,
        auto=False,
        suggestions=tuple(suggestions),
    )


def match_receipt(
    receipt: Receipt,
    context: MatchContext,
    knowledge: Knowledge | None = None,
    settings: MatchSettings | None = None,
    rules: Iterable[Rule] = RULES,
) -> Decision:
    """Decide how to apply one receipt.

    Reads ``context`` and changes no balance; it remembers the receipt in
    ``context.duplicates`` so a later identical copy is flagged.
    """
    settings = settings or MatchSettings()
    state = MatchState.start(receipt, context, knowledge or Knowledge(), settings)
    original = context.duplicates.check_and_remember(receipt, settings.duplicate_window_days)
    if receipt.amount > 0:
        _run(state, rules)
    else:
        state.note("a receipt of zero or less is not applied")
    if original is not None:
        state.cap(
            DUPLICATE_CAP,
            f"identical to receipt {original} (amount, payer, remittance, date within "
            f"{settings.duplicate_window_days} days): likely paid twice, review",
        )
        return replace(_decide(state), duplicate_of=original)
    return _decide(state)


def consume(context: MatchContext, decision: Decision) -> None:
    """Lower the balances of the items an automatic decision closes; remember a receipt
    left to a person under its customer (``MatchContext.awaiting``), unless it is a likely
    duplicate."""
    if not decision.auto:
        customer = decision.customer_id
        if customer is None and decision.suggestions:
            customer = decision.suggestions[0].customer_id
        if customer is not None and decision.duplicate_of is None:
            context.awaiting.setdefault(customer, []).append(decision.receipt_id)
        return
    for allocation in decision.allocations:
        context.index.consume(allocation.item_id, allocation.amount)
    for adjustment in decision.adjustments:
        if adjustment.item_id is not None:
            context.index.consume(adjustment.item_id, adjustment.amount)


def match_receipts(
    receipts: Iterable[Receipt],
    context: MatchContext,
    knowledge: Knowledge | None = None,
    settings: MatchSettings | None = None,
) -> list[Decision]:
    """Match receipts in order; each automatic decision consumes what it closes."""
    knowledge = knowledge or Knowledge()
    settings = settings or MatchSettings()
    decisions = []
    # Matching makes no reference cycles, so the cyclic collector would only re-scan the
    # index and the decisions kept so far, again and again: it is paused for the batch.
    with collector_paused():
        for receipt in receipts:
            decision = match_receipt(receipt, context, knowledge, settings)
            consume(context, decision)
            decisions.append(decision)
    return decisions
