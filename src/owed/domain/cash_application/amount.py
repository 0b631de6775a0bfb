"""Rule 4: matching on amount once the customer is known.

For a receipt with no usable reference whose customer is identified, only
open items issued on or before the value date are candidates (an invoice not
yet issued cannot be what an unreferenced payment pays). In order:

1. exactly one open item of the customer (or a customer below it) whose
   balance equals the amount: confidence = customer confidence − 0.03;
2. otherwise the oldest ``combination_candidates`` open items are searched for
   combinations of up to ``combination_max_items`` summing to the amount
   (``combinations.find_combinations``): one combination from a complete
   search gives customer confidence − 0.05, unless the items are so many that
   a fit could be chance (more subsets than 0.02 × the amount in minor units,
   or an incomplete search);
3. otherwise one item (any of the customer's open items) the amount misses by
   an explainable difference: its early-payment discount (− 0.03; taken late,
   the difference rule books it as an unearned-discount deduction), a wire
   bank fee (− 0.04) or a short pay within the write-off tolerance (− 0.05).
   A fee or write-off fit among so many open items that one could lie that
   close by chance (items × (window + 1) > ``NEAR_CHANCE_LIMIT`` × the amount,
   in minor units) is only offered (capped at 0.8), unless it is a wire fee on
   the only such item falling due near the payment, and the items falling due
   near it are few enough to pass the same test. Banks charge fees in whole
   currency units: a fee gap in whole units counts window / unit + 1 values
   in that test, and of several near fits the only one short by whole units,
   or by exactly its discount within terms, is chosen (``amount_near``);
4. otherwise one combination that fits after its items' discounts (− 0.04),
   or, on a wire, less a fee up to ``bank_fee_max`` (the fee sits on the
   newest item): first in whole units, up to ``combination_max_items`` items
   (− 0.03), then in any cents, up to ``SLACK_MAX_ITEMS`` items (− 0.05). The
   chance test for a fee widens with it: subsets × (fee values + 1) must stay
   under ``SLACK_CHANCE_LIMIT`` × the amount. A chance combination is only
   offered (capped at 0.8) when nothing else fits.

A payer found by name alone (no known account) starts from its name
confidence; the amount can confirm it (``confirmation``): equal to the cent to
the chosen items (exactly or after discounts) or, when not by chance, a fee or
a write-off below one item, and to no similar-named rival's items, it raises
the customer confidence to 0.97, as sure as a known account. When the company
the name resembles most has nothing the amount fits, the one open item equal
to it, else the one combination equal to it or the one item less its
discount, among the other companies the name resembles is applied.

Customers pay around due dates. Among several fits of an exhaustive search,
the only one whose newest item falls due within ``due_window_days`` of the
value date (a fit taking discounts: paid in time, at most that many days
before the discount date) is applied, − 0.02 more (``amount_choice.timely``).
When the search over all open items finds nothing or could fit by chance, a search
among the items due by the value date + window, counting only combinations
whose newest item falls due within the window, may find one (− 0.07): when
it covers every invoice due by then, up to ``TIMELY_CHANCE_LIMIT`` × the
amount such combinations may be searched (``find_anchored_combinations``, a
complete search whatever the amounts); when there are more than
``combination_candidates``, the newest are searched under the stricter
``CHANCE_LIMIT``. Last, for a customer with at most ``SHORT_PAY_MAX_OPEN``
open items, a payment short (beyond the write-off tolerance, up to
``deduction_max_percent``) of the only item due within the window is applied
to it (− 0.04); the difference rule opens the deduction.

Fits that are one customer's invoices of the same amounts (a subscriber's)
are told apart by age alone: the payment settles those due first, − 0.02,
unless an earlier receipt of the customer awaits a person (``oldest``); the
combination searches count combinations of the same amounts once. Two or more
fits otherwise make the receipt ambiguous: each fit becomes a suggestion and
nothing is applied. A receipt quoting only invoices that are already settled
is capped at 0.6 (a possible duplicate payment).
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from owed.domain.cash_application.amount_choice import (
    CHANCY_CAP,
    RULE,
    TIMING_PENALTY,
    choose,
    timely,
)
from owed.domain.cash_application.amount_near import near, short_pay
from owed.domain.cash_application.combinations import (
    distinct_subsets,
    find_anchored_combinations,
    find_combinations,
)
from owed.domain.cash_application.confirmation import (
    AMOUNT_CONFIRMS_NAME,
    rival_fit,
    strong_name,
)
from owed.domain.cash_application.state import MatchState
from owed.domain.money import Currency
from owed.domain.payments.statement import Method

_ZERO = Decimal(0)
SINGLE_PENALTY = 0.03
COMBINATION_PENALTY = 0.05
DUPLICATE_CAP = 0.6
NET_PENALTY, NET_FEE_PENALTY = 0.04, 0.05  # combinations after discounts / after a wire fee
WHOLE_FEE_PENALTY = 0.03  # after a wire fee in whole units, under its own chance test
SLACK_CHANCE_LIMIT = 0.2  # expected chance fits allowed when a fee widens the target
SLACK_MAX_ITEMS = 3  # invoices in one combination paid less a fee
CHANCE_LIMIT = (
    0.02  # combinations searched per minor unit of the amount above which a fit is chance
)
MAX_FITS = 4  # combinations collected per search: more only says "ambiguous" again
# a combination among all the invoices due by the payment, holding one falling due near it:
# anchored subsets up to this × the amount in minor units (CHANCE_LIMIT counts every subset
# of the oldest invoices). Measured on seeds 11–13: 131 applied this way, 130 right.
TIMELY_CHANCE_LIMIT = 1.0
CHANCY_NODES = 500  # a chancy search only feeds suggestions (capped at 0.8)


class AmountRule:
    name = RULE

    def match(self, state: MatchState) -> bool:
        return not state.lines and state.customer_id is not None and state.pending > 0

    def apply(self, state: MatchState) -> None:
        if state.settled_refs:
            state.cap(
                DUPLICATE_CAP,
                f"quotes {', '.join(state.settled_refs)}, already settled: possible duplicate",
            )
        candidates = self._open_items(state)
        if self._single(state):
            return
        fits, chancy, exhaustive = self._combinations(state, candidates)
        if len(fits) == 1 and not chancy:
            choose(state, fits, COMBINATION_PENALTY, " (combination, oldest first)")
        elif (
            near(state, candidates)
            or self._on_time_combination(state, candidates)
            or self._net(state, candidates, fits)
        ):
            return
        elif fits:
            if chancy:
                state.cap(CHANCY_CAP, "so many open invoices that a combination may be chance")
            why = " (combination, oldest first)"
            choose(state, fits, COMBINATION_PENALTY, why, exhaustive=exhaustive)
        elif self._rival(state) or self._rival_combination(state) or short_pay(state, candidates):
            return
        elif not state.lines and not state.alternatives:
            name = state.context.customer_name(state.customer_id)
            state.note(f"no open invoice or combination of {name}'s equals {state.pending}")

    def _open_items(self, state: MatchState, customer_id: int | None = None) -> list[int]:
        """The group's open items in the receipt's currency issued by its value date, oldest first.

        An invoice issued after the payment cannot be what an unreferenced payment pays.
        The group is the customer's (``customer_id``, else the receipt's).
        """
        customer_id = state.customer_id if customer_id is None else customer_id
        assert customer_id is not None
        index, receipt = state.context.index, state.receipt
        family = state.context.family(customer_id)
        items, currency, when = index.items, receipt.currency, receipt.value_date
        found = [
            i
            for c in family
            for i in index.open_view(c)
            if items[i].currency == currency and items[i].issue_date <= when
        ]
        if len(family) > 1:  # one customer's list is kept oldest first already
            found.sort(key=lambda i: (items[i].due_date, items[i].issue_date, i))
        return found

    def _rival(self, state: MatchState) -> bool:
        """The one open item equal to the amount among the companies the payer name also
        resembles (``confirmation.rival_fit``), applied to its owner."""
        found = rival_fit(state)
        if found is None:
            return False
        item, ctx = state.context.index.items[found], state.context
        state.customer_id = item.customer_id
        state.customer_confidence = AMOUNT_CONFIRMS_NAME
        name = ctx.customer_name(item.customer_id)
        state.note(f"the amount equals {item.number} of {name}, a company the payer name resembles")
        confidence = AMOUNT_CONFIRMS_NAME - SINGLE_PENALTY
        state.allocate(item, state.available(item.id), confidence, "")
        state.rule, state.amount_fits = RULE, True
        return True

    def _rival_combination(self, state: MatchState) -> bool:
        """When the company the payer name resembles most has nothing the amount fits, the
        one fit among all the other companies the name resembles names the payer (a name
        cut to the bank's field width often fits several companies): a combination of open
        items equal to the amount, from a complete search that could hardly fit by chance,
        or one item the amount equals to the cent less its early-payment discount."""
        payer, ctx = state.payer(), state.context
        if payer is None or not payer.rivals or state.customer_id != payer.customer_id:
            return False
        if not strong_name(payer):
            return False
        found: list[list[int]] = []
        discounted: list[int] = []
        for rival in dict.fromkeys(ctx.root(r) for r in payer.rivals):
            if rival == ctx.root(payer.customer_id):
                continue
            candidates = self._open_items(state, rival)
            fits, chancy, _ = self._combinations(state, candidates)
            if chancy and fits:
                return False
            found += fits
            discounted += [i for i in candidates if self._less_discount(state, i)]
        if len(found) + len(discounted) != 1:
            return False
        fit = found[0] if found else discounted
        owners = {ctx.index.items[i].customer_id for i in fit}
        state.customer_id = ctx.root(min(owners)) if len(owners) > 1 else owners.pop()
        state.customer_confidence = AMOUNT_CONFIRMS_NAME
        name = ctx.customer_name(state.customer_id)
        if found:
            state.note(
                f"the amount equals a combination of invoices of {name}, "
                "a company the payer name resembles"
            )
            return choose(state, found, COMBINATION_PENALTY, " (combination, oldest first)")
        item = ctx.index.items[discounted[0]]
        state.note(
            f"the amount equals {item.number} of {name} less its discount, a company the "
            "payer name resembles"
        )  # the difference rule books the discount (or, taken late, a deduction)
        state.allocate(item, state.pending, AMOUNT_CONFIRMS_NAME - NET_PENALTY, "")
        state.rule, state.amount_fits = RULE, True
        return True

    @staticmethod
    def _less_discount(state: MatchState, item_id: int) -> bool:
        """True when the amount is the item's balance less its early-payment discount."""
        discount = state.context.index.items[item_id].discount_amount
        return discount is not None and state.available(item_id) - discount == state.pending

    def _single(self, state: MatchState) -> bool:
        assert state.customer_id is not None
        index, receipt = state.context.index, state.receipt
        singles = [
            [i]
            for c in state.context.family(state.customer_id)
            for i in index.with_amount(c, state.pending)
            if index.items[i].currency == receipt.currency
            and index.items[i].issue_date <= receipt.value_date
        ]
        return choose(state, singles, SINGLE_PENALTY, "")

    def _combinations(
        self,
        state: MatchState,
        candidates: list[int],
        net: dict[int, Decimal] | None = None,
        slack: Decimal = Decimal(0),
        anchored: int | None = None,
        chance: float = CHANCE_LIMIT,
        whole: bool = False,
    ) -> tuple[list[list[int]], bool, bool]:
        """Combinations that fit, whether one could fit by chance among so many items, and
        whether the fits found are all there are.

        ``net`` lowers items by their discounts; ``slack`` lets the sum exceed
        the amount by up to that much (a wire fee); ``anchored``: only combinations
        holding one of the last ``anchored`` candidates count, searched to the end
        (``find_anchored_combinations``) when a unique one could be trusted; ``chance``:
        the subsets searched per minor unit of the amount above which a fit may be chance;
        ``whole``: the sum exceeds the amount by whole currency units only (a bank fee), so
        a chance fit has ``slack`` / unit + 1 sums to land on, not ``slack`` + 1.
        """
        settings = state.settings
        candidates = candidates[: settings.combination_candidates]
        smallest = 1 if net or slack else 2
        if len(candidates) < smallest:
            return [], False, True
        currency = Currency.of(state.receipt.currency)
        less = net or {}
        amounts = [
            currency.to_minor(state.available(i) - less.get(i, Decimal(0))) for i in candidates
        ]
        target, spare = currency.to_minor(state.pending), currency.to_minor(slack)
        step = currency.to_minor(Decimal(1)) if whole else 1
        most = SLACK_MAX_ITEMS if spare and not whole else settings.combination_max_items
        if anchored is None:  # identical invoices make one sum however they are chosen
            subsets = distinct_subsets(amounts, smallest, most)
        else:  # only combinations holding one of the last ``anchored``
            older = len(candidates) - anchored
            subsets = sum(
                math.comb(len(candidates), k) - math.comb(older, k)
                for k in range(smallest, most + 1)
            )
        limit = chance * target
        if spare:
            limit = SLACK_CHANCE_LIMIT * target / (spare // step + 1)
        budget = settings.combination_max_nodes
        if subsets > limit:  # only suggestions can come of it: search less
            budget = min(budget, CHANCY_NODES)
        ticker = state.context.ticker
        out_of_time = None
        if ticker is not None:
            deadline = ticker() + settings.combination_time_budget_ms / 1000
            out_of_time = lambda: ticker() > deadline  # noqa: E731
        if anchored is None:
            search = find_combinations(
                amounts,
                target,
                most,
                max_solutions=MAX_FITS,
                max_nodes=budget,
                out_of_time=out_of_time,
                slack=spare,
                step=step,
                distinct=True,
            )
        else:
            search = find_anchored_combinations(
                amounts,
                range(len(candidates) - anchored, len(candidates)),
                target,
                most,
                max_solutions=MAX_FITS,
                meet=subsets <= limit,  # completed only when a unique fit could be trusted
            )
        fits = [
            [candidates[p] for p in solution]
            for solution in search.solutions
            if len(solution) >= smallest
        ]
        if not search.complete and fits:
            state.note(f"combination search stopped after {search.nodes} steps")
        chancy = not search.complete or subsets > limit
        exhaustive = search.complete and len(fits) < MAX_FITS
        return fits, chancy, exhaustive

    def _on_time_combination(self, state: MatchState, candidates: list[int]) -> bool:
        """One combination among the invoices due by the payment's window whose newest
        falls due within it (``amount_choice.timely``), when the search over all open items found
        none or too many to trust. Fewer candidates make a chance fit less likely."""
        window = timedelta(days=state.settings.due_window_days)
        when, since = state.receipt.value_date + window, state.receipt.value_date - window
        items = state.context.index.items
        due = [i for i in candidates if items[i].due_date <= when]
        # all of them searched, a unique fit is unlikely by chance up to TIMELY_CHANCE_LIMIT;
        # only the newest searched (one must be timely), the older could hold the real one
        chance = TIMELY_CHANCE_LIMIT
        if len(due) > state.settings.combination_candidates:
            due, chance = due[-state.settings.combination_candidates :], CHANCE_LIMIT
        recent = sum(1 for i in due if items[i].due_date >= since)
        if len(due) < 2 or not recent:
            return False
        fits, chancy, exhaustive = self._combinations(state, due, anchored=recent, chance=chance)
        fits = [f for f in fits if timely(state, f, frozenset())]
        if len(fits) != 1 or chancy or not exhaustive:
            return False
        why = f" among the invoices due by {when} (combination, oldest first)"
        return choose(state, fits, COMBINATION_PENALTY + TIMING_PENALTY, why)

    def _net(self, state: MatchState, candidates: list[int], plain: list[list[int]]) -> bool:
        """One combination that fits once its items' discounts are taken (in time or late),
        and on a wire also after a bank fee; the difference rule books the discounts.

        Banks charge fees in whole currency units (10.00, 25.00): a fit short by a whole
        number of units is looked for first, under a chance test that counts only those
        sums (measured on seeds 11–13: see ``WHOLE_FEE``)."""
        if plain:
            return False
        index, receipt, settings = state.context.index, state.receipt, state.settings
        net = {
            i: index.items[i].discount_amount or Decimal(0)
            for i in candidates
            if index.items[i].discount_amount
        }
        tries: list[tuple[dict[int, Decimal] | None, Decimal, bool, str]] = []
        if net:
            tries.append((net, Decimal(0), False, " after their discounts"))
        if receipt.method is Method.WIRE:
            fee = settings.bank_fee_max
            tries.append((None, fee, True, " less a wire fee in whole units"))
            tries.append((None, fee, False, " less a wire fee"))
            if net:
                tries.append((net, fee, True, " after discounts and a wire fee in whole units"))
                tries.append((net, fee, False, " after discounts and a wire fee"))
        for discounts, slack, whole, why in tries:
            fits, chancy, exhaustive = self._combinations(
                state, candidates, discounts, slack, whole=whole
            )
            if discounts is not None:
                fits = [f for f in fits if any(i in discounts for i in f)]
            penalty = NET_PENALTY if not slack else WHOLE_FEE_PENALTY if whole else NET_FEE_PENALTY
            if fits and not chancy:  # one fit is applied; several become suggestions
                taken = frozenset(i for f in fits for i in f if discounts and i in discounts)
                return choose(state, fits, penalty, why, not slack, exhaustive, taken)
            if fits:
                return False
        return False
