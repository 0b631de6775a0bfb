"""Bounded subset-sum: which of a customer's open items add up to a payment?

The search is a depth-first walk over the amounts in ascending order, in
integer minor units, with two prunings: an amount larger than what is left
(plus the optional ``slack``) ends the loop (all later ones are larger), and
a branch whose largest possible completion (from prefix sums) falls short is
skipped. It stops at ``max_items`` per combination,
after ``max_solutions`` different combinations (two are enough to know the
answer is ambiguous), after ``max_nodes`` steps, or when the optional
``out_of_time`` callback says so. ``complete`` tells whether every
combination within the limits was examined: one solution from an incomplete
search proves nothing about uniqueness.

``find_anchored_combinations`` finds only the combinations holding at least one
of a few ``anchors`` (say, the invoices falling due near the payment), each
counted under its first anchor: a short walk from each anchor settles most
searches, and, when asked (``meet``), the others meet in the middle (pair sums
tabled once, then each anchor completed by an item, a pair, an item and a
pair, or two pairs), a bounded amount of work whatever the amounts, where a
walk among fifty invoices may need millions of steps.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class CombinationSearch:
    solutions: tuple[tuple[int, ...], ...]  # positions in the input, each combination sorted
    complete: bool
    nodes: int


class _Walk:
    def __init__(
        self,
        amounts: list[tuple[int, int]],
        max_items: int,
        max_solutions: int,
        max_nodes: int,
        out_of_time: Callable[[], bool] | None,
        slack: int = 0,
        step: int = 1,
        distinct: bool = False,
    ) -> None:
        self.slack = slack
        self.step = step
        self.distinct = distinct
        self.values = [amount for amount, _ in amounts]  # ascending
        self.positions = [position for _, position in amounts]  # in the input
        self.max_items = max_items
        self.max_solutions = max_solutions
        self.max_nodes = max_nodes
        self.out_of_time = out_of_time
        self.solutions: list[tuple[int, ...]] = []
        self.nodes = 0
        self.stopped = False
        self.prefix_sums = [0, *accumulate(self.values)]

    def _skip(self, count: int) -> bool:
        """Count ``count`` steps that can neither fit nor be extended, as if taken one by
        one (the same budget and clock checks); False when the search stops among them."""
        nodes, most = self.nodes, self.max_nodes
        if self.out_of_time is not None:
            tick = (nodes // 512 + 1) * 512
            while tick <= nodes + count and tick <= most:
                if self.out_of_time():
                    self.nodes, self.stopped = tick, True
                    return False
                tick += 512
        if nodes + count > most:
            self.nodes, self.stopped = most + 1, True
            return False
        self.nodes = nodes + count
        return True

    def _last(self, start: int, left: int, chosen: list[int]) -> None:
        """``walk`` for the last item a combination may take: the amounts below ``left``
        are counted in one step, then each amount up to ``left`` + slack fits."""
        values, end = self.values, len(self.values)
        if start < end and values[start] < left:
            skipped = bisect_left(values, left, start, end)
            if not self._skip(skipped - start):
                return
            start = skipped
        ceiling, step, distinct = left + self.slack, self.step, self.distinct
        positions, out_of_time, most = self.positions, self.out_of_time, self.max_nodes
        solutions, nodes = self.solutions, self.nodes
        for i in range(start, end):
            nodes += 1
            if nodes > most or (out_of_time is not None and nodes % 512 == 0 and out_of_time()):
                self.nodes, self.stopped = nodes, True
                return
            if values[i] > ceiling:
                break
            if (values[i] - left) % step or (distinct and i > start and values[i] == values[i - 1]):
                continue
            solutions.append(tuple(sorted([*chosen, positions[i]])))
            if len(solutions) >= self.max_solutions:
                self.nodes, self.stopped = nodes, True
                return
        self.nodes = nodes

    def walk(self, start: int, left: int, chosen: list[int]) -> None:
        values, sums, end = self.values, self.prefix_sums, len(self.values)
        slots = self.max_items - len(chosen) - 1  # items still allowed after this one
        ceiling = left + self.slack
        # Leading amounts too small to matter are counted in one step: an amount below
        # ``floor`` neither fits nor, with the ``slots`` largest amounts after it, reaches
        # ``left`` (only while those largest amounts all lie after it, before ``last``).
        if slots <= 0:
            floor, last = left, end
        else:
            last = end - slots
            floor = left - (sums[end] - sums[last]) if last > start else 0
        if last > start and values[start] < floor:
            skipped = bisect_left(values, floor, start, last)
            if not self._skip(skipped - start):
                return
            start = skipped
        positions, out_of_time, most = self.positions, self.out_of_time, self.max_nodes
        solutions, nodes, distinct = self.solutions, self.nodes, self.distinct
        for i in range(start, end):
            nodes += 1
            if nodes > most or (out_of_time is not None and nodes % 512 == 0 and out_of_time()):
                self.nodes, self.stopped = nodes, True
                return
            amount = values[i]
            if amount > ceiling:
                break
            if distinct and i > start and amount == values[i - 1]:
                continue  # the same amounts again: the same combination of other invoices
            if amount >= left:
                if (amount - left) % self.step:
                    continue
                solutions.append(tuple(sorted([*chosen, positions[i]])))
                if len(solutions) >= self.max_solutions:
                    self.nodes, self.stopped = nodes, True
                    return
                continue
            if slots <= 0:
                continue
            # the largest completion: the ``slots`` largest amounts after position i (before
            # ``last`` they are the last ``slots`` amounts, and the skip above left only
            # amounts that reach ``left`` with them)
            if i >= last and amount + sums[end] - sums[i + 1] < left:
                continue
            chosen.append(positions[i])
            self.nodes = nodes
            if slots == 1:  # the next item is the last one: no extension to weigh
                self._last(i + 1, left - amount, chosen)
            else:
                self.walk(i + 1, left - amount, chosen)
            chosen.pop()
            if self.stopped:
                return
            nodes = self.nodes
        self.nodes = nodes


def find_combinations(
    amounts: Sequence[int],
    target: int,
    max_items: int,
    max_solutions: int = 2,
    max_nodes: int = 200_000,
    out_of_time: Callable[[], bool] | None = None,
    slack: int = 0,
    step: int = 1,
    distinct: bool = False,
) -> CombinationSearch:
    """Combinations of at most ``max_items`` positive ``amounts`` summing to ``target``.

    With ``slack`` a sum up to ``target + slack`` fits too (one item short by a
    fee), and with ``step`` only a sum exceeding ``target`` by a multiple of it
    (a fee in whole currency units); a combination is never extended past its
    first fitting item. With ``distinct`` combinations of the same amounts count
    once, taking the earliest positions of each amount (a subscriber's identical
    invoices: the oldest).
    """
    if target <= 0 or max_items <= 0 or slack < 0 or step < 1:
        return CombinationSearch((), True, 0)
    ordered = sorted((a, p) for p, a in enumerate(amounts) if 0 < a <= target + slack)
    walk = _Walk(ordered, max_items, max_solutions, max_nodes, out_of_time, slack, step, distinct)
    walk.walk(0, target, [])
    exhausted = walk.stopped and len(walk.solutions) < max_solutions
    return CombinationSearch(tuple(walk.solutions), not exhausted, walk.nodes)


def distinct_subsets(amounts: Sequence[int], smallest: int, largest: int) -> int:
    """How many different combinations of ``smallest`` to ``largest`` of ``amounts`` there
    are when combinations of the same amounts count once (``find_combinations(distinct=
    True)``): the coefficients of x^k in the product of (1 + x + ... + x^m) over the
    distinct amounts, each m times in ``amounts``."""
    copies_of = Counter(amounts)
    if len(copies_of) == len(amounts):  # all different: the binomial coefficients
        return sum(math.comb(len(amounts), k) for k in range(max(smallest, 0), largest + 1))
    ways = [1] + [0] * largest
    for copies in copies_of.values():
        grown = [0] * (largest + 1)
        for size, count in enumerate(ways):
            if count:
                for more in range(min(copies, largest - size) + 1):
                    grown[size + more] += count
        ways = grown
    return sum(ways[max(smallest, 0) :])


MEET_MAX_ITEMS = 5  # an anchor and up to two pairs: what the meet-in-the-middle search covers
QUICK_NODES = 2_000  # steps walked from the anchors before meeting in the middle instead


def _walk_from_anchors(
    amounts: Sequence[int],
    anchors: Sequence[int],
    target: int,
    max_items: int,
    max_solutions: int,
    max_nodes: int,
) -> CombinationSearch:
    """The anchored search as one walk per anchor (each combination under its first
    anchor), within ``max_nodes`` steps in all."""
    solutions: list[tuple[int, ...]] = []
    nodes, used = 0, set()
    for anchor in anchors:
        used.add(anchor)
        left = target - amounts[anchor]
        if left == 0:
            solutions.append((anchor,))
        elif left > 0 and max_items > 1:
            others = [p for p in range(len(amounts)) if p not in used]
            search = find_combinations(
                [amounts[p] for p in others],
                left,
                max_items - 1,
                max_solutions - len(solutions),
                max_nodes - nodes,
            )
            nodes += search.nodes
            if not search.complete:
                return CombinationSearch((), False, nodes)
            solutions.extend(
                tuple(sorted([anchor, *(others[q] for q in found)])) for found in search.solutions
            )
        if len(solutions) >= max_solutions:
            break
    return CombinationSearch(tuple(solutions[:max_solutions]), True, nodes)


def find_anchored_combinations(
    amounts: Sequence[int],
    anchors: Sequence[int],
    target: int,
    max_items: int,
    max_solutions: int = 2,
    meet: bool = True,
    quick_nodes: int = QUICK_NODES,
) -> CombinationSearch:
    """Combinations of at most ``max_items`` (up to ``MEET_MAX_ITEMS``) positive
    ``amounts`` summing to ``target`` that hold at least one of the positions ``anchors``.

    A walk from each anchor (``quick_nodes`` steps in all) settles most searches; when
    it does not, and ``meet`` is set, the search is completed by meeting in the middle
    (without ``meet``, or for more than ``MEET_MAX_ITEMS`` items, it is reported
    incomplete).

    Meeting in the middle: the sums of every pair of items are tabled
    once, then each anchor is completed by nothing, one item, one pair, an item and a
    pair, or two pairs (sets of pair sums are intersected rather than walked). A
    combination is counted under the first of its anchors in ``anchors``. The work is
    about (items² + anchors × items²) set operations whatever the amounts, where a
    walk may need millions of steps among fifty invoices; ``nodes`` counts table
    entries and probes.
    """
    if target <= 0 or max_items <= 0:
        return CombinationSearch((), True, 0)
    quick = _walk_from_anchors(amounts, anchors, target, max_items, max_solutions, quick_nodes)
    if quick.complete or not meet or max_items > MEET_MAX_ITEMS:
        return quick  # the common case: a few steps from each anchor settle it
    count = len(amounts)
    singles: dict[int, list[int]] = {}
    pairs: dict[int, list[tuple[int, int]]] = {}
    for i in range(count):
        first = amounts[i]
        if not 0 < first < target:
            continue
        singles.setdefault(first, []).append(i)
        for j in range(i + 1, count):
            both = first + amounts[j]
            if amounts[j] > 0 and both < target:
                pairs.setdefault(both, []).append((i, j))
    pair_sums = set(pairs)
    nodes = count + len(pair_sums)
    solutions: list[tuple[int, ...]] = []
    used: set[int] = set()
    for anchor in anchors:
        used.add(anchor)
        left = target - amounts[anchor]
        found: list[tuple[int, ...]] = []
        if left == 0:
            found.append(())
        elif left > 0 and max_items >= 2:
            found += [(p,) for p in singles.get(left, ()) if p not in used]
            if max_items >= 3:
                found += [pq for pq in pairs.get(left, ()) if used.isdisjoint(pq)]
            if max_items >= 4:
                for p in range(count):
                    if p in used or not 0 < amounts[p] < left:
                        continue
                    nodes += 1
                    for q, r in pairs.get(left - amounts[p], ()):
                        if p < q and q not in used and r not in used:
                            found.append((p, q, r))
            if max_items >= 5:
                nodes += len(pair_sums)
                for low in pair_sums.intersection([left - v for v in pair_sums]):
                    for p, q in pairs[low]:
                        if p in used or q in used:
                            continue
                        for r, t in pairs[left - low]:
                            if q < r and r not in used and t not in used:
                                found.append((p, q, r, t))
        for rest in found:
            solutions.append(tuple(sorted((anchor, *rest))))
            if len(solutions) >= max_solutions:
                return CombinationSearch(tuple(solutions), True, nodes)
    return CombinationSearch(tuple(solutions), True, nodes)
