"""Settling a customer's identical invoices oldest first.

A subscriber billed the same amount every period pays without naming which
invoice, and several open invoices (or sets of them) fit the payment alike.
The law settles an undirected payment against the debt due first (BGB §366(2);
in common law, the rule in Clayton's Case), and a subscriber's accounts payable
pays in that order too. So, with ``MatchSettings.oldest_first`` (the default),
the fit whose invoices fall due first is applied, − 0.02, and the explanation
says that nothing named one.

Which invoices are the oldest still unpaid is only known when the customer's
earlier payments have been applied: while one of them awaits a person
(``MatchContext.awaiting``), the choice is capped at 0.85 and only offered.
Identical invoices on one purchase order, or issued within a day of each
other, may be one sale billed twice: then age decides nothing, the choice is
capped at 0.85 and the explanation says "possibly billed twice".

Measured on seeds 11–13 (20,000 receipts each, payers paying their identical
invoices in order): 403 applied this way, 402 right; 212 capped as possibly
billed twice. Without the cap for an awaiting receipt (and before the billed-
twice guard), 623 were applied and 73 of them were wrong, nearly all after an
earlier payment of the same customer had been left to a person.

Combination searches count combinations of the same amounts once
(``find_combinations(distinct=True)``), taking the oldest; ``mark_twins`` then
says so in the explanation, at the same cost.
"""

from __future__ import annotations

from owed.domain.cash_application.state import MatchState

OLDEST_PENALTY = 0.02  # identical invoices of one customer: the payment settles the oldest
AWAITING_CAP = 0.85  # ... unless an earlier receipt of theirs awaits a person: only offered
DOUBLE_BILLING_DAYS = 1  # identical invoices issued this close (or on one PO): billed twice?


def settle_oldest(state: MatchState, fits: list[list[int]]) -> list[int] | None:
    """Of several fits that are one customer's invoices of the same amounts, the one an
    undirected payment settles: the debt due first (BGB §366(2), the rule in Clayton's
    Case; a subscriber's accounts payable pays in that order too). None when the fits
    differ otherwise, or the policy leaves the choice to a person."""
    if len(fits) < 2 or not state.settings.oldest_first or not _interchangeable(state, fits):
        return None
    items = state.context.index.items
    chosen = min(fits, key=lambda f: sorted((items[i].due_date, items[i].issue_date, i) for i in f))
    if _billed_twice(state, chosen, _twins(state, chosen)):
        return None
    numbers = ", ".join(items[i].number for i in chosen)
    state.penalise(
        OLDEST_PENALTY,
        f"{len(fits)} sets of {state.context.customer_name(state.customer_id)}'s invoices of "
        f"the same amounts fit and nothing names one: the payment settles the one due first, "
        f"{numbers}",
    )
    _awaiting(state, chosen)
    return chosen


def mark_twins(state: MatchState, fit: list[int]) -> None:
    """Say so when the only fit found stands for identical invoices outside it (a search
    counting combinations of the same amounts once takes the oldest of them)."""
    twins = _twins(state, fit)
    if not twins or _billed_twice(state, fit, twins):
        return
    items = state.context.index.items
    numbers = ", ".join(items[i].number for i in fit)
    name = state.context.customer_name(state.customer_id)
    if state.settings.oldest_first:
        state.penalise(
            OLDEST_PENALTY,
            f"{name} has other open invoices of the same amounts and nothing names one: "
            f"the payment settles those due first, {numbers}",
        )
        _awaiting(state, fit)
    else:
        state.cap(
            AWAITING_CAP,
            f"{name} has other open invoices of the same amounts and nothing names one: "
            f"{numbers} are only the oldest, a person chooses",
        )


def _awaiting(state: MatchState, fit: list[int]) -> None:
    """Cap an oldest-first choice when an earlier receipt of the customer awaits a person:
    until that one is applied, which invoices are the oldest still unpaid is not known."""
    items, awaiting = state.context.index.items, state.context.awaiting
    owners = {items[i].customer_id for i in fit} | {state.customer_id}
    earlier = sorted(r for c in owners if c is not None for r in awaiting.get(c, ()))
    if earlier:
        state.cap(
            AWAITING_CAP,
            f"receipt {', '.join(map(str, earlier[-3:]))} of the same customer awaits review: "
            "which invoices it pays decides which this one settles",
        )


def _twins(state: MatchState, fit: list[int]) -> list[int]:
    """The open invoices outside ``fit`` with the customer and amount of one in it."""
    index, when = state.context.index, state.receipt.value_date
    found: dict[int, None] = {}  # a subscriber may have hundreds: no list scans
    for item_id in fit:
        item = index.items[item_id]
        for other in index.with_amount(item.customer_id, state.available(item_id)):
            if other not in fit and index.items[other].issue_date <= when:
                found[other] = None
    return list(found)


def _billed_twice(state: MatchState, fit: list[int], twins: list[int]) -> bool:
    """Cap, and say so, when an invoice of ``fit`` has an identical twin on the same
    purchase order or issued within ``DOUBLE_BILLING_DAYS`` of it: a customer billed twice
    by mistake pays once, and which one to keep is a person's question, not the age's."""
    items = state.context.index.items
    for other_id in twins:
        other = items[other_id]
        for item_id in fit:
            item = items[item_id]
            same_order = item.po_number is not None and item.po_number == other.po_number
            days = abs((item.issue_date - other.issue_date).days)
            if same_order or days <= DOUBLE_BILLING_DAYS:
                plural = "" if days == 1 else "s"
                apart = f"{days} day{plural} apart"
                why = f"on purchase order {item.po_number}" if same_order else apart
                state.cap(
                    AWAITING_CAP,
                    f"{item.number} and {other.number} have the same amount and were issued "
                    f"{why}: possibly billed twice, review",
                )
                return True
    return False


def _interchangeable(state: MatchState, fits: list[list[int]]) -> bool:
    """True when the fits are one customer's invoices of the same amounts: nothing but
    their age tells them apart."""
    items = state.context.index.items
    owners = {items[i].customer_id for fit in fits for i in fit}
    if len(owners) != 1:
        return False
    return len({tuple(sorted(state.available(i) for i in fit)) for fit in fits}) == 1
