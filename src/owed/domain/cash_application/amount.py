"""Rule 4: matching on amount once the customer is known.

For a receipt with no usable reference whose customer is identified, in order:

1. exactly one open item of the customer (or a customer below it) whose
   balance equals the amount: confidence = customer confidence − 0.03;
2. otherwise the oldest ``combination_candidates`` open items are searched for
   combinations of up to ``combination_max_items`` summing to the amount
   (``combinations.find_combinations``): one combination from a complete
   search gives customer confidence − 0.05, unless the items are so many that
   a fit could be chance (more subsets than 0.02 × the amount in minor units,
   or an incomplete search);
3. otherwise one item the amount misses by an explainable difference: an
   eligible early-payment discount (− 0.03), a wire bank fee (− 0.04) or a
   short pay within the write-off tolerance (− 0.05). A chance combination is
   only offered (capped at 0.8) when no such item exists.

Two or more fits at any step make the receipt ambiguous: each fit becomes a
suggestion and nothing is applied. A receipt quoting only invoices that are
already settled is capped at 0.6 (a possible duplicate payment).
"""

from __future__ import annotations

import math

from owed.domain.cash_application.combinations import find_combinations
from owed.domain.cash_application.differences import discount_eligible
from owed.domain.cash_application.model import Allocation, Proposal
from owed.domain.cash_application.state import MatchState
from owed.domain.money import Currency
from owed.domain.payments.statement import Method

SINGLE_PENALTY = 0.03
COMBINATION_PENALTY = 0.05
ALTERNATIVE_PENALTY = 0.2  # a suggestion among several equally good ones
DUPLICATE_CAP = 0.6
NEAR_DISCOUNT, NEAR_FEE, NEAR_WRITE_OFF = 0.03, 0.04, 0.05
CHANCE_LIMIT = (
    0.02  # combinations searched per minor unit of the amount above which a fit is chance
)
CHANCY_CAP = 0.8
CHANCY_NODES = 2_000


class AmountRule:
    name = "amount"

    def match(self, state: MatchState) -> bool:
        return not state.lines and state.customer_id is not None and state.pending > 0

    def apply(self, state: MatchState) -> None:
        if state.settled_refs:
            state.cap(
                DUPLICATE_CAP,
                f"quotes {', '.join(state.settled_refs)}, already settled: possible duplicate",
            )
        if self._single(state):
            return
        fits, chancy = self._combinations(state)
        if len(fits) == 1 and not chancy:
            self._choose(state, fits, COMBINATION_PENALTY, " (combination, oldest first)")
        elif not self._near(state) and fits:
            if chancy:
                state.cap(CHANCY_CAP, "so many open invoices that a combination may be chance")
            self._choose(state, fits, COMBINATION_PENALTY, " (combination, oldest first)")
        elif not fits and not state.lines and not state.alternatives:
            name = state.context.customer_name(state.customer_id)
            state.note(f"no open invoice or combination of {name}'s equals {state.pending}")

    def _open_items(self, state: MatchState) -> list[int]:
        assert state.customer_id is not None
        index, currency = state.context.index, state.receipt.currency
        found = [
            i
            for c in state.context.family(state.customer_id)
            for i in index.open_of(c)
            if index.items[i].currency == currency
        ]
        found.sort(key=lambda i: (index.items[i].due_date, i))
        return found

    def _choose(self, state: MatchState, fits: list[list[int]], penalty: float, why: str) -> bool:
        """Apply the only fit, or offer several as suggestions; False when there is none."""
        if not fits:
            return False
        index = state.context.index
        confidence = state.customer_confidence - penalty
        if len(fits) == 1:
            for item_id in fits[0]:
                state.allocate(index.items[item_id], state.available(item_id), confidence, "")
            state.rule, state.amount_fits = self.name, True
            owners = {index.items[i].customer_id for i in fits[0]}
            if len(owners) == 1:  # a parent paid for one child: the child is the customer
                state.customer_id = owners.pop()
            numbers = ", ".join(index.items[i].number for i in fits[0])
            state.note(f"amount equals the open balance of {numbers}{why}")
            return True
        state.ambiguous = True
        state.note(f"{len(fits)} different sets of open invoices equal the amount{why}")
        for fit in fits:
            state.alternatives.append(
                Proposal(
                    customer_id=state.customer_id,
                    allocations=_capped(state, fit),
                    adjustments=(),
                    confidence=confidence - ALTERNATIVE_PENALTY,
                    rule=self.name,
                    explanation="amount equals " + ", ".join(index.items[i].number for i in fit),
                )
            )
        return True

    def _single(self, state: MatchState) -> bool:
        assert state.customer_id is not None
        index = state.context.index
        singles = [
            [i]
            for c in state.context.family(state.customer_id)
            for i in index.with_amount(c, state.pending)
            if index.items[i].currency == state.receipt.currency
        ]
        return self._choose(state, singles, SINGLE_PENALTY, "")

    def _combinations(self, state: MatchState) -> tuple[list[list[int]], bool]:
        """Combinations that fit, and whether one could fit by chance among so many items."""
        settings = state.settings
        candidates = self._open_items(state)[: settings.combination_candidates]
        if len(candidates) < 2:
            return [], False
        currency = Currency.of(state.receipt.currency)
        amounts = [currency.to_minor(state.available(i)) for i in candidates]
        target = currency.to_minor(state.pending)
        subsets = sum(
            math.comb(len(candidates), k) for k in range(2, settings.combination_max_items + 1)
        )
        budget = settings.combination_max_nodes
        if subsets > CHANCE_LIMIT * target:  # only suggestions can come of it: search less
            budget = min(budget, CHANCY_NODES)
        ticker = state.context.ticker
        out_of_time = None
        if ticker is not None:
            deadline = ticker() + settings.combination_time_budget_ms / 1000
            out_of_time = lambda: ticker() > deadline  # noqa: E731
        search = find_combinations(
            amounts,
            target,
            settings.combination_max_items,
            max_solutions=2,
            max_nodes=budget,
            out_of_time=out_of_time,
        )
        fits = [[candidates[p] for p in solution] for solution in search.solutions]
        if not search.complete and fits:
            state.note(f"combination search stopped after {search.nodes} steps")
        chancy = not search.complete or subsets > CHANCE_LIMIT * target
        return fits, chancy

    def _near(self, state: MatchState) -> bool:
        settings, receipt = state.settings, state.receipt
        fits: list[list[int]] = []
        penalty = 0.0
        for item_id in self._open_items(state)[: settings.combination_candidates]:
            item = state.context.index.items[item_id]
            gap = state.available(item_id) - state.pending
            if gap <= 0:
                continue
            if item.discount_amount == gap and discount_eligible(
                item, receipt.value_date, settings
            ):
                fits.append([item_id])
                penalty = max(penalty, NEAR_DISCOUNT)
            elif receipt.method is Method.WIRE and gap <= settings.bank_fee_max:
                fits.append([item_id])
                penalty = max(penalty, NEAR_FEE)
            elif gap <= settings.write_off_tolerance(state.available(item_id)):
                fits.append([item_id])
                penalty = max(penalty, NEAR_WRITE_OFF)
        if len(fits) == 1:
            item_id = fits[0][0]
            item = state.context.index.items[item_id]
            state.allocate(item, state.pending, state.customer_confidence - penalty, "")
            state.rule, state.amount_fits = self.name, True
            state.note(
                f"amount is {state.available(item_id)} less than the balance of {item.number}"
            )
            return True
        return self._choose(state, fits, penalty, " after a difference") if fits else False


def _capped(state: MatchState, item_ids: list[int]) -> tuple[Allocation, ...]:
    """Allocations of the pending cash to ``item_ids`` in order, none above its balance."""
    left, placed = state.pending, []
    for item_id in item_ids:
        cash = min(left, state.available(item_id))
        if cash > 0:
            placed.append(Allocation(item_id, cash))
            left -= cash
    return tuple(placed)
