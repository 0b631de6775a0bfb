"""Bounded subset-sum: which of a customer's open items add up to a payment?

The search is a depth-first walk over the amounts in ascending order, in
integer minor units, with two prunings: an amount larger than what is left
ends the loop (all later ones are larger), and a branch whose largest possible
completion falls short is skipped. It stops at ``max_items`` per combination,
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
    ) -> None:
        self.amounts = amounts  # (amount, original position), ascending
        self.max_items = max_items
        self.max_solutions = max_solutions
        self.max_nodes = max_nodes
        self.out_of_time = out_of_time
        self.solutions: list[tuple[int, ...]] = []
        self.nodes = 0
        self.stopped = False
        values = [a for a, _ in amounts]
        # best[i][k]: the largest sum of k amounts taken from positions i.. (ascending list)
        self.suffix = [values[i:] for i in range(len(values) + 1)]

    def largest(self, start: int, count: int) -> int:
        tail = self.suffix[start]
        return sum(tail[-count:]) if count > 0 else 0

    def walk(self, start: int, left: int, chosen: list[int]) -> None:
        for i in range(start, len(self.amounts)):
            if self.stopped:
                return
            self.nodes += 1
            if self.nodes > self.max_nodes or (
                self.out_of_time is not None and self.nodes % 512 == 0 and self.out_of_time()
            ):
                self.stopped = True
                return
            amount, position = self.amounts[i]
            if amount > left:
                return
            if amount == left:
                self.solutions.append(tuple(sorted([*chosen, position])))
                if len(self.solutions) >= self.max_solutions:
                    self.stopped = True
                    return
                continue
            slots = self.max_items - len(chosen) - 1
            if slots <= 0 or amount + self.largest(i + 1, slots) < left:
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
) -> CombinationSearch:
    """Combinations of at most ``max_items`` positive ``amounts`` summing to ``target``."""
    if target <= 0 or max_items <= 0:
        return CombinationSearch((), True, 0)
    ordered = sorted((a, p) for p, a in enumerate(amounts) if 0 < a <= target)
    walk = _Walk(ordered, max_items, max_solutions, max_nodes, out_of_time)
    walk.walk(0, target, [])
    exhausted = walk.stopped and len(walk.solutions) < max_solutions
    return CombinationSearch(tuple(walk.solutions), not exhausted, walk.nodes)
