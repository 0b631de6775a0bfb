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
"""

from __future__ import annotations

from bisect import bisect_left
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
    ) -> None:
        self.slack = slack
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
        ceiling = left + self.slack
        positions, out_of_time, most = self.positions, self.out_of_time, self.max_nodes
        solutions, nodes = self.solutions, self.nodes
        for i in range(start, end):
            nodes += 1
            if nodes > most or (out_of_time is not None and nodes % 512 == 0 and out_of_time()):
                self.nodes, self.stopped = nodes, True
                return
            if values[i] > ceiling:
                break
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
        solutions, nodes = self.solutions, self.nodes
        for i in range(start, end):
            nodes += 1
            if nodes > most or (out_of_time is not None and nodes % 512 == 0 and out_of_time()):
                self.nodes, self.stopped = nodes, True
                return
            amount = values[i]
            if amount > ceiling:
                break
            if amount >= left:
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
) -> CombinationSearch:
    """Combinations of at most ``max_items`` positive ``amounts`` summing to ``target``.

    With ``slack`` a sum up to ``target + slack`` fits too (one item short by a
    fee); a combination is never extended past its first fitting item.
    """
    if target <= 0 or max_items <= 0 or slack < 0:
        return CombinationSearch((), True, 0)
    ordered = sorted((a, p) for p, a in enumerate(amounts) if 0 < a <= target + slack)
    walk = _Walk(ordered, max_items, max_solutions, max_nodes, out_of_time, slack)
    walk.walk(0, target, [])
    exhausted = walk.stopped and len(walk.solutions) < max_solutions
    return CombinationSearch(tuple(walk.solutions), not exhausted, walk.nodes)
