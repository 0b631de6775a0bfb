"""Choosing among the fits the amount rule finds, and when a payment is on time for them.

``choose`` applies the only fit, or, among several from an exhaustive search
that are one customer's identical invoices, the oldest (``oldest``), or else
the only one whose timing fits the payment (``timely``: customers pay around
due dates), or else offers the five oldest as suggestions. See ``amount`` for
the rule as a whole.
"""

from __future__ import annotations

from owed.domain.cash_application.confirmation import confirmed
from owed.domain.cash_application.differences import discount_eligible
from owed.domain.cash_application.model import Allocation, Proposal
from owed.domain.cash_application.oldest import mark_twins, settle_oldest
from owed.domain.cash_application.state import MatchState

RULE = "amount"
ALTERNATIVE_PENALTY = 0.2  # a suggestion among several equally good ones
TIMING_PENALTY = 0.02  # several fits, one chosen because only its due date fits the payment
CHANCY_CAP = 0.8  # a fit that could be chance is only offered
MAX_ALTERNATIVES = 5  # suggestions offered among several fits: the oldest


def choose(
    state: MatchState,
    fits: list[list[int]],
    penalty: float,
    why: str,
    exact: bool = True,
    exhaustive: bool = True,
    discounted: frozenset[int] = frozenset(),
) -> bool:
    """Apply the only fit, or offer several as suggestions; False when there is none.

    Among several fits from an exhaustive search, one customer's identical invoices
    settle oldest first (``oldest.settle_oldest``); otherwise the only one whose timing
    fits the payment date (``timely``) is applied, a little less surely. The only fit
    of a search counting identical invoices once says so (``oldest.mark_twins``).
    """
    if not fits:
        return False
    index = state.context.index
    oldest = settle_oldest(state, fits) if exhaustive else None
    if oldest is not None:
        fits = [oldest]
    elif len(fits) > 1 and exhaustive:
        on_time = [f for f in fits if timely(state, f, discounted)]
        if len(on_time) == 1:
            numbers = ", ".join(index.items[i].number for i in on_time[0])
            state.penalise(
                TIMING_PENALTY,
                f"{len(fits)} sets of open invoices equal the amount{why}; only {numbers} "
                f"falls due within {state.settings.due_window_days} days of the payment",
            )
            fits = on_time
    elif len(fits) == 1:
        mark_twins(state, fits[0])
    if len(fits) == 1:
        confidence = confirmed(state, fits[0], exact) - penalty
        for item_id in fits[0]:
            state.allocate(index.items[item_id], state.available(item_id), confidence, "")
        state.rule, state.amount_fits = RULE, True
        owners = {index.items[i].customer_id for i in fits[0]}
        if len(owners) == 1:  # a parent paid for one child: the child is the customer
            state.customer_id = owners.pop()
        numbers = ", ".join(index.items[i].number for i in fits[0])
        state.note(f"amount equals the open balance of {numbers}{why}")
        return True
    confidence = state.customer_confidence - penalty
    state.ambiguous = True
    state.note(f"{len(fits)} different sets of open invoices equal the amount{why}")
    if len(fits) > MAX_ALTERNATIVES:  # a subscriber's hundreds of identical invoices
        items = index.items
        fits = sorted(
            fits, key=lambda f: sorted((items[i].due_date, items[i].issue_date, i) for i in f)
        )
        fits = fits[:MAX_ALTERNATIVES]
    for fit in fits:
        state.alternatives.append(
            Proposal(
                customer_id=state.customer_id,
                allocations=_capped(state, fit),
                adjustments=(),
                confidence=confidence - ALTERNATIVE_PENALTY,
                rule=RULE,
                explanation="amount equals " + ", ".join(index.items[i].number for i in fit),
            )
        )
    return True


def timely(state: MatchState, fit: list[int], discounted: frozenset[int]) -> bool:
    """True when the payment date fits the items: customers pay around due dates.

    The newest of the items falls due within ``due_window_days`` of the payment
    date (so none falls due long after it); when the fit takes discounts
    (``discounted`` items), the payment is instead within that window before the
    latest discount date and early enough for every discount.
    """
    items, when = state.context.index.items, state.receipt.value_date
    window = state.settings.due_window_days
    taken = [items[i] for i in fit if i in discounted]
    if taken:
        if not all(discount_eligible(item, when, state.settings) for item in taken):
            return False
        latest = max(item.discount_date or item.due_date for item in taken)
        return (latest - when).days <= window
    latest = max(items[i].due_date for i in fit)
    return abs((when - latest).days) <= window


def _capped(state: MatchState, item_ids: list[int]) -> tuple[Allocation, ...]:
    """Allocations of the pending cash to ``item_ids`` in order, none above its balance."""
    left, placed = state.pending, []
    for item_id in item_ids:
        cash = min(left, state.available(item_id))
        if cash > 0:
            placed.append(Allocation(item_id, cash))
            left -= cash
    return tuple(placed)
