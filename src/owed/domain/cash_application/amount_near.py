"""Near fits: one invoice the amount misses by a difference it can explain.

``near`` looks at every open item of the customer once: the amount short of
it by exactly its early-payment discount (in terms, or late: the difference
rule books an unearned-discount deduction), by a wire bank fee, or by a short
pay within the write-off tolerance. Whether so close a fit could be chance is
weighed against the number of open items (``near_by_chance``); a fee in whole
currency units (what banks charge) has far fewer values to land on than odd
cents. ``short_pay`` applies a payment short beyond the write-off tolerance to
the only invoice due near it, for customers with few open items. See
``amount`` for the rule as a whole.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from owed.domain.cash_application.amount_choice import CHANCY_CAP, RULE, choose, timely
from owed.domain.cash_application.confirmation import confirmed
from owed.domain.cash_application.differences import discount_eligible, whole_units
from owed.domain.cash_application.state import MatchState
from owed.domain.money import Currency
from owed.domain.payments.statement import Method

_ZERO = Decimal(0)
NEAR_DISCOUNT, NEAR_FEE, NEAR_WRITE_OFF = 0.03, 0.04, 0.05
NEAR_LATE_DISCOUNT = 0.03  # the discount itself is booked as unearned by the difference rule
# one open item within a fee or a write-off above the amount: (items) × (window in minor
# units + 1) above this × the amount in minor units may be chance. Measured on seeds 11–13
# (60,000 receipts) before this test, payers known by account: below it a fee fit was right
# 174 times in 176 and a write-off fit 44 in 49; above it 53 in 67 and 6 in 32.
NEAR_CHANCE_LIMIT = 1.0
SHORT_PAY_MAX_OPEN = 12  # more open items: a payment fitting none is rather several invoices
SHORT_PAY_PENALTY = 0.04  # one timely item paid short; the deduction costs its own penalty


def near(state: MatchState, candidates: list[int]) -> bool:
    """Apply the one item the amount is short of by an explainable difference, or offer
    several; False when there is none (see the module docstring)."""
    settings, receipt = state.settings, state.receipt
    fits: list[list[int]] = []
    discounted: set[int] = set()
    penalty = 0.0
    window = _ZERO  # how far below an item a fee or a write-off lets the amount be
    fee = False  # the fit is a wire short by a fee
    for item_id in candidates:  # every open item: one comparison each, no search
        item = state.context.index.items[item_id]
        gap = state.available(item_id) - state.pending
        if gap <= 0:
            continue
        if item.discount_amount == gap:
            fits.append([item_id])
            discounted.add(item_id)
            late = not discount_eligible(item, receipt.value_date, settings)
            penalty = max(penalty, NEAR_LATE_DISCOUNT if late else NEAR_DISCOUNT)
        elif receipt.method is Method.WIRE and gap <= settings.bank_fee_max:
            fits.append([item_id])
            penalty = max(penalty, NEAR_FEE)
            window, fee = settings.bank_fee_max, True
        elif gap <= settings.write_off_tolerance(state.available(item_id)):
            fits.append([item_id])
            penalty = max(penalty, NEAR_WRITE_OFF)
            window = max(window, settings.write_off_tolerance(state.available(item_id)))
    if len(fits) > 1 and discounted:
        in_terms = _discount_in_terms_fits(state, fits, discounted)
        if len(in_terms) == 1:
            fits, penalty = in_terms, NEAR_DISCOUNT
    if len(fits) > 1 and fee and not discounted:
        fits = _whole_fee_fits(state, fits)
    if len(fits) == 1:
        item_id = fits[0][0]
        item = state.context.index.items[item_id]
        exact = item.discount_amount == state.available(item_id) - state.pending
        confidence = _near_confidence(state, candidates, item_id, exact, window, fee)
        confidence -= penalty
        state.allocate(item, state.pending, confidence, "")
        state.rule, state.amount_fits = RULE, True
        state.note(f"amount is {state.available(item_id)} less than the balance of {item.number}")
        return True
    if not fits:
        return False
    why = " after a difference"
    return choose(state, fits, penalty, why, discounted=frozenset(discounted))


def _discount_in_terms_fits(
    state: MatchState, fits: list[list[int]], discounted: set[int]
) -> list[list[int]]:
    """Of several items the amount nearly equals, the only one it equals to the cent
    less the discount its terms still allow on the payment date (the others are near
    by a fee or a write-off, which any amount can be); all of them otherwise."""
    items, when = state.context.index.items, state.receipt.value_date
    in_terms = [
        f
        for f in fits
        if f[0] in discounted and discount_eligible(items[f[0]], when, state.settings)
    ]
    if len(in_terms) != 1:
        return fits
    number = items[in_terms[0][0]].number
    state.note(
        f"of {len(fits)} invoices the amount nearly equals, only {number} less the "
        "discount its terms allow"
    )
    return in_terms


def _whole_fee_fits(state: MatchState, fits: list[list[int]]) -> list[list[int]]:
    """Of several items a wire falls short of, the only one short by a fee in whole
    currency units (banks charge 10.00 or 25.00, not 13.47); all of them otherwise."""
    whole = []
    for fit in fits:
        gap = state.available(fit[0]) - state.pending
        if gap <= state.settings.bank_fee_max and whole_units(gap):
            whole.append(fit)
    if len(whole) != 1:
        return fits
    number = state.context.index.items[whole[0][0]].number
    state.note(f"of {len(fits)} invoices the wire nearly equals, only {number} by whole units")
    return whole


def _near_confidence(
    state: MatchState,
    candidates: list[int],
    item_id: int,
    exact: bool,
    window: Decimal,
    fee: bool,
) -> float:
    """How sure a near fit names the customer's invoice, before the near penalty.

    Short by exactly its discount, or within ``window`` of so few invoices that a
    chance fit is unlikely (``near_by_chance``): the amount confirms the payer
    (``confirmation.confirmed``). Among more invoices, a wire short by a fee of the
    only one falling due near the payment (``amount_choice.timely``), counting only those due near
    it for chance, is as good (a bank keeping a fee is to be expected on a wire;
    measured on seeds 11–13: 34 right in 34). Any other near fit among so many
    invoices may be chance: capped for review (see ``NEAR_CHANCE_LIMIT``)."""
    fit, settings = [item_id], state.settings
    if exact:
        return confirmed(state, fit, True)
    gap = state.available(item_id) - state.pending
    whole = fee and whole_units(gap)  # banks charge whole units
    if not near_by_chance(state, len(candidates), window, whole):
        return confirmed(state, fit, True, window)
    if (
        fee
        and timely(state, fit, frozenset())
        and not near_by_chance(state, _due_near(state, candidates), window, whole)
    ):
        number = state.context.index.items[item_id].number
        state.note(
            f"{number}, the one invoice the amount nearly equals, falls due within "
            f"{settings.due_window_days} days of the payment, as few of the "
            f"{len(candidates)} open invoices do"
        )
        return confirmed(state, fit, True, window)
    state.cap(
        CHANCY_CAP,
        f"{len(candidates)} open invoices: one within {window} of the amount may be chance",
    )
    return state.customer_confidence


def _due_near(state: MatchState, candidates: list[int]) -> int:
    """How many of the candidates fall due within ``due_window_days`` of the payment."""
    items, when = state.context.index.items, state.receipt.value_date
    window = state.settings.due_window_days
    return sum(1 for i in candidates if abs((items[i].due_date - when).days) <= window)


def near_by_chance(state: MatchState, items: int, window: Decimal, whole: bool = False) -> bool:
    """True when one of so many open items could lie within ``window`` above the amount
    by chance: items × (window in minor units + 1) above ``NEAR_CHANCE_LIMIT`` × the
    amount in minor units (the test ``_combinations`` makes for a fee). A ``whole``
    gap (a fee in whole currency units) has window / unit + 1 values to land on."""
    money = Currency.of(state.receipt.currency)
    step = money.to_minor(Decimal(1)) if whole else 1
    spread = items * (money.to_minor(money.round(window, ROUND_DOWN)) // step + 1)
    return spread > NEAR_CHANCE_LIMIT * money.to_minor(state.pending)


def short_pay(state: MatchState, candidates: list[int]) -> bool:
    """One open item the payment falls short of by more than a write-off but at most
    ``deduction_max_percent`` of its balance, and it is the only such item whose due
    date fits the payment date (``amount_choice.timely``); the difference rule then opens a
    deduction for what is missing.

    Only for a customer with at most ``SHORT_PAY_MAX_OPEN`` open items: with more, a
    payment that fits none of them exactly is more often several invoices with some
    difference than one invoice paid short (measured on generated activity: with
    more than 12 open items 3 right in 27, with at most 12, 41 right in 43)."""
    settings, index = state.settings, state.context.index
    if len(candidates) > SHORT_PAY_MAX_OPEN:
        return False
    kept = Decimal(1) - settings.deduction_max_percent / Decimal(100)
    pending = state.pending
    short = [
        i
        for i in candidates
        if pending < state.available(i) and state.available(i) * kept <= pending
    ]
    on_time = [i for i in short if timely(state, [i], frozenset())]
    if len(on_time) != 1:
        return False
    item = index.items[on_time[0]]
    confidence = state.customer_confidence - SHORT_PAY_PENALTY
    state.allocate(item, pending, confidence, "")
    state.rule, state.payer_agrees = RULE, True  # chosen among the payer's own items
    state.note(
        f"amount is less than the balance {state.available(item.id) + pending} of "
        f"{item.number}, the only invoice falling due within "
        f"{settings.due_window_days} days of the payment that it could pay short"
    )
    return True
