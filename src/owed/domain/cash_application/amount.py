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
   near it are few enough to pass the same test;
4. otherwise one combination that fits after its items' discounts (− 0.04),
   or, on a wire, of at most ``SLACK_MAX_ITEMS`` items less a fee up to
   ``bank_fee_max`` (− 0.05; the fee sits on the newest item). The chance
   test for a fee widens with it: subsets × (fee range + 1) must stay under
   ``SLACK_CHANCE_LIMIT`` × the amount. A chance combination is only offered
   (capped at 0.8) when nothing else fits.

A payer found by name alone (no known account) starts from its name
confidence; the amount can confirm it (``confirmation``): equal to the cent to
the chosen items (exactly or after discounts) or, when not by chance, a fee or
a write-off below one item, and to no similar-named rival's items, it raises
the customer confidence to 0.97, as sure as a known account. When the company
the name resembles most has nothing the amount fits, the one open item equal
to it among the other companies the name resembles is applied.

Customers pay around due dates. Among several fits of an exhaustive search,
the only one whose newest item falls due within ``due_window_days`` of the
value date (a fit taking discounts: paid in time, at most that many days
before the discount date) is applied, − 0.02 more (``_timely``). When the
search over all open items finds nothing or could fit by chance, a search
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

Two or more fits otherwise make the receipt ambiguous: each fit becomes a
suggestion and nothing is applied. In particular several open items of the
same amount are never resolved by age alone (the customer's habit is not
known). A receipt quoting only invoices that are already settled is capped
at 0.6 (a possible duplicate payment).
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from owed.domain.cash_application.combinations import (
    find_anchored_combinations,
    find_combinations,
)
from owed.domain.cash_application.confirmation import (
    AMOUNT_CONFIRMS_NAME,
    confirmed,
    rival_fit,
)
from owed.domain.cash_application.differences import discount_eligible
from owed.domain.cash_application.model import Allocation, Proposal
from owed.domain.cash_application.state import MatchState
from owed.domain.money import Currency
from owed.domain.payments.statement import Method

_ZERO = Decimal(0)
SINGLE_PENALTY = 0.03
COMBINATION_PENALTY = 0.05
ALTERNATIVE_PENALTY = 0.2  # a suggestion among several equally good ones
DUPLICATE_CAP = 0.6
NEAR_DISCOUNT, NEAR_FEE, NEAR_WRITE_OFF = 0.03, 0.04, 0.05
NEAR_LATE_DISCOUNT = 0.03  # the discount itself is booked as unearned by the difference rule
NET_PENALTY, NET_FEE_PENALTY = 0.04, 0.05  # combinations after discounts / after a wire fee
WHOLE_FEE_PENALTY = 0.03  # after a wire fee in whole units, under its own chance test
SLACK_CHANCE_LIMIT = 0.2  # expected chance fits allowed when a fee widens the target
SLACK_MAX_ITEMS = 3  # invoices in one combination paid less a fee
CHANCE_LIMIT = (
    0.02  # combinations searched per minor unit of the amount above which a fit is chance
)
SHORT_PAY_MAX_OPEN = 12  # more open items: a payment fitting none is rather several invoices
SHORT_PAY_PENALTY = 0.04  # one timely item paid short; the deduction costs its own penalty
TIMING_PENALTY = 0.02  # several fits, one chosen because only its due date fits the payment
MAX_FITS = 4  # combinations collected per search: more only says "ambiguous" again
CHANCY_CAP = 0.8
# one open item within a fee or a write-off above the amount: (items) × (window in minor
# units + 1) above this × the amount in minor units may be chance. Measured on seeds 11–13
# (60,000 receipts) before this test, payers known by account: below it a fee fit was right
# 174 times in 176 and a write-off fit 44 in 49; above it 53 in 67 and 6 in 32.
NEAR_CHANCE_LIMIT = 1.0
# a combination among all the invoices due by the payment, holding one falling due near it:
# anchored subsets up to this × the amount in minor units (CHANCE_LIMIT counts every subset
# of the oldest invoices). Measured on seeds 11–13: 131 applied this way, 130 right.
TIMELY_CHANCE_LIMIT = 1.0
CHANCY_NODES = 500  # a chancy search only feeds suggestions (capped at 0.8)


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
        candidates = self._open_items(state)
        if self._single(state):
            return
        fits, chancy, exhaustive = self._combinations(state, candidates)
        if len(fits) == 1 and not chancy:
            self._choose(state, fits, COMBINATION_PENALTY, " (combination, oldest first)")
        elif (
            self._near(state, candidates)
            or self._on_time_combination(state, candidates)
            or self._net(state, candidates, fits)
        ):
            return
        elif fits:
            if chancy:
                state.cap(CHANCY_CAP, "so many open invoices that a combination may be chance")
            why = " (combination, oldest first)"
            self._choose(state, fits, COMBINATION_PENALTY, why, exhaustive=exhaustive)
        elif self._rival(state) or self._short_pay(state, candidates):
            return
        elif not state.lines and not state.alternatives:
            name = state.context.customer_name(state.customer_id)
            state.note(f"no open invoice or combination of {name}'s equals {state.pending}")

    def _open_items(self, state: MatchState) -> list[int]:
        """The group's open items in the receipt's currency issued by its value date, oldest first.

        An invoice issued after the payment cannot be what an unreferenced payment pays.
        """
        assert state.customer_id is not None
        index, receipt = state.context.index, state.receipt
        family = state.context.family(state.customer_id)
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
        state.rule, state.amount_fits = self.name, True
        return True

    def _choose(
        self,
        state: MatchState,
        fits: list[list[int]],
        penalty: float,
        why: str,
        exact: bool = True,
        exhaustive: bool = True,
        discounted: frozenset[int] = frozenset(),
    ) -> bool:
        """Apply the only fit, or offer several as suggestions; False when there is none.

        Among several fits from an exhaustive search, the only one whose timing fits the
        payment date (``timely``) is applied, a little less surely.
        """
        if not fits:
            return False
        index = state.context.index
        if len(fits) > 1 and exhaustive:
            on_time = [f for f in fits if self._timely(state, f, discounted)]
            if len(on_time) == 1:
                numbers = ", ".join(index.items[i].number for i in on_time[0])
                state.penalise(
                    TIMING_PENALTY,
                    f"{len(fits)} sets of open invoices equal the amount{why}; only {numbers} "
                    f"falls due within {state.settings.due_window_days} days of the payment",
                )
                fits = on_time
        if len(fits) == 1:
            confidence = confirmed(state, fits[0], exact) - penalty
            for item_id in fits[0]:
                state.allocate(index.items[item_id], state.available(item_id), confidence, "")
            state.rule, state.amount_fits = self.name, True
            owners = {index.items[i].customer_id for i in fits[0]}
            if len(owners) == 1:  # a parent paid for one child: the child is the customer
                state.customer_id = owners.pop()
            numbers = ", ".join(index.items[i].number for i in fits[0])
            state.note(f"amount equals the open balance of {numbers}{why}")
            return True
        confidence = state.customer_confidence - penalty
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

    def _timely(self, state: MatchState, fit: list[int], discounted: frozenset[int]) -> bool:
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
        return self._choose(state, singles, SINGLE_PENALTY, "")

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
        subsets = sum(math.comb(len(candidates), k) for k in range(smallest, most + 1))
        if anchored is not None:  # only combinations holding one of the last ``anchored``
            older = len(candidates) - anchored
            subsets -= sum(math.comb(older, k) for k in range(smallest, most + 1))
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
        falls due within it (``_timely``), when the search over all open items found
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
        fits = [f for f in fits if self._timely(state, f, frozenset())]
        if len(fits) != 1 or chancy or not exhaustive:
            return False
        why = f" among the invoices due by {when} (combination, oldest first)"
        return self._choose(state, fits, COMBINATION_PENALTY + TIMING_PENALTY, why)

    def _short_pay(self, state: MatchState, candidates: list[int]) -> bool:
        """One open item the payment falls short of by more than a write-off but at most
        ``deduction_max_percent`` of its balance, and it is the only such item whose due
        date fits the payment date (``_timely``); the difference rule then opens a
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
        timely = [i for i in short if self._timely(state, [i], frozenset())]
        if len(timely) != 1:
            return False
        item = index.items[timely[0]]
        confidence = state.customer_confidence - SHORT_PAY_PENALTY
        state.allocate(item, pending, confidence, "")
        state.rule, state.payer_agrees = self.name, True  # chosen among the payer's own items
        state.note(
            f"amount is less than the balance {state.available(item.id) + pending} of "
            f"{item.number}, the only invoice falling due within "
            f"{settings.due_window_days} days of the payment that it could pay short"
        )
        return True

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
                return self._choose(state, fits, penalty, why, not slack, exhaustive, taken)
            if fits:
                return False
        return False

    def _near(self, state: MatchState, candidates: list[int]) -> bool:
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
            in_terms = self._discount_in_terms_fits(state, fits, discounted)
            if len(in_terms) == 1:
                fits, penalty = in_terms, NEAR_DISCOUNT
        if len(fits) > 1 and fee and not discounted:
            fits = self._whole_fee_fits(state, fits)
        if len(fits) == 1:
            item_id = fits[0][0]
            item = state.context.index.items[item_id]
            exact = item.discount_amount == state.available(item_id) - state.pending
            confidence = self._near_confidence(state, candidates, item_id, exact, window, fee)
            confidence -= penalty
            state.allocate(item, state.pending, confidence, "")
            state.rule, state.amount_fits = self.name, True
            state.note(
                f"amount is {state.available(item_id)} less than the balance of {item.number}"
            )
            return True
        if not fits:
            return False
        why = " after a difference"
        return self._choose(state, fits, penalty, why, discounted=frozenset(discounted))

    def _discount_in_terms_fits(
        self, state: MatchState, fits: list[list[int]], discounted: set[int]
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

    def _whole_fee_fits(self, state: MatchState, fits: list[list[int]]) -> list[list[int]]:
        """Of several items a wire falls short of, the only one short by a fee in whole
        currency units (banks charge 10.00 or 25.00, not 13.47); all of them otherwise."""
        whole = []
        for fit in fits:
            gap = state.available(fit[0]) - state.pending
            if gap <= state.settings.bank_fee_max and gap == gap.to_integral_value():
                whole.append(fit)
        if len(whole) != 1:
            return fits
        number = state.context.index.items[whole[0][0]].number
        state.note(f"of {len(fits)} invoices the wire nearly equals, only {number} by whole units")
        return whole

    def _near_confidence(
        self,
        state: MatchState,
        candidates: list[int],
        item_id: int,
        exact: bool,
        window: Decimal,
        fee: bool,
    ) -> float:
        """How sure a near fit names the customer's invoice, before the near penalty.

        Short by exactly its discount, or within ``window`` of so few invoices that a
        chance fit is unlikely (``_near_by_chance``): the amount confirms the payer
        (``confirmation.confirmed``). Among more invoices, a wire short by a fee of the
        only one falling due near the payment (``_timely``), counting only those due near
        it for chance, is as good (a bank keeping a fee is to be expected on a wire;
        measured on seeds 11–13: 34 right in 34). Any other near fit among so many
        invoices may be chance: capped for review (see ``NEAR_CHANCE_LIMIT``)."""
        fit, settings = [item_id], state.settings
        if exact:
            return confirmed(state, fit, True)
        gap = state.available(item_id) - state.pending
        whole = fee and gap == gap.to_integral_value()  # banks charge whole units
        if not self._near_by_chance(state, len(candidates), window, whole):
            return confirmed(state, fit, True, window)
        if (
            fee
            and self._timely(state, fit, frozenset())
            and not self._near_by_chance(state, self._due_near(state, candidates), window, whole)
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

    def _due_near(self, state: MatchState, candidates: list[int]) -> int:
        """How many of the candidates fall due within ``due_window_days`` of the payment."""
        items, when = state.context.index.items, state.receipt.value_date
        window = state.settings.due_window_days
        return sum(1 for i in candidates if abs((items[i].due_date - when).days) <= window)

    def _near_by_chance(
        self, state: MatchState, items: int, window: Decimal, whole: bool = False
    ) -> bool:
        """True when one of so many open items could lie within ``window`` above the amount
        by chance: items × (window in minor units + 1) above ``NEAR_CHANCE_LIMIT`` × the
        amount in minor units (the test ``_combinations`` makes for a fee). A ``whole``
        gap (a fee in whole currency units) has window / unit + 1 values to land on."""
        money = Currency.of(state.receipt.currency)
        step = money.to_minor(Decimal(1)) if whole else 1
        spread = items * (money.to_minor(money.round(window, ROUND_DOWN)) // step + 1)
        return spread > NEAR_CHANCE_LIMIT * money.to_minor(state.pending)


def _capped(state: MatchState, item_ids: list[int]) -> tuple[Allocation, ...]:
    """Allocations of the pending cash to ``item_ids`` in order, none above its balance."""
    left, placed = state.pending, []
    for item_id in item_ids:
        cash = min(left, state.available(item_id))
        if cash > 0:
            placed.append(Allocation(item_id, cash))
            left -= cash
    return tuple(placed)
