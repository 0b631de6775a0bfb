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

from collections.abc import Callable, Sequence
from dataclasses import dataclass


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
        self.amounts = amounts  # (amount, original position), ascending
        self.max_items = max_items
        self.max_solutions = max_solutions
        self.max_nodes = max_nodes
        self.out_of_time = out_of_time
        self.solutions: list[tuple[int, ...]] = []
        self.nodes = 0
        self.stopped = False
        self.prefix_sums = [0]
        for amount, _ in amounts:
            self.prefix_sums.append(self.prefix_sums[-1] + amount)

    def walk(self, start: int, left: int, chosen: list[int]) -> None:
        amounts, sums, end = self.amounts, self.prefix_sums, len(self.amounts)
        slots = self.max_items - len(chosen) - 1  # items still allowed after this one
        ceiling = left + self.slack
        for i in range(start, end):
            if self.stopped:
                return
            self.nodes += 1
            if self.nodes > self.max_nodes or (
                self.out_of_time is not None and self.nodes % 512 == 0 and self.out_of_time()
            ):
                self.stopped = True
                return
            amount, position = amounts[i]
            if amount > ceiling:
                return
            if amount >= left:
                self.solutions.append(tuple(sorted([*chosen, position])))
                if len(self.solutions) >= self.max_solutions:
                    self.stopped = True
                    return
                continue
            # the largest completion: the ``slots`` largest amounts after position i
            if slots <= 0 or amount + sums[end] - sums[max(i + 1, end - slots)] < left:
                continue
            chosen.append(position)
            self.walk(i + 1, left - amount, chosen)
            chosen.pop()


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
