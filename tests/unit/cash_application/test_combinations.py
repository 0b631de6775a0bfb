"""Bounded subset-sum."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from owed.domain.cash_application.combinations import find_combinations


def test_a_unique_combination() -> None:
    search = find_combinations([100, 250, 400, 975], 650, max_items=3)
    assert search.solutions == ((1, 2),) and search.complete


def test_two_combinations_mean_ambiguity() -> None:
    search = find_combinations([100, 200, 300], 300, max_items=2)
    assert len(search.solutions) == 2


def test_item_limit_is_respected() -> None:
    assert find_combinations([1, 1, 1, 1], 4, max_items=3).solutions == ()


def test_node_budget_makes_the_search_incomplete() -> None:
    search = find_combinations(list(range(1, 60)), 10_000, max_items=5, max_nodes=50)
    assert not search.complete


@given(
    st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=12),
    st.integers(min_value=1, max_value=2000),
    st.integers(min_value=1, max_value=4),
)
def test_every_solution_sums_to_the_target(amounts: list[int], target: int, limit: int) -> None:
    search = find_combinations(amounts, target, max_items=limit)
    for solution in search.solutions:
        assert sum(amounts[p] for p in solution) == target
        assert len(solution) <= limit and len(set(solution)) == len(solution)


@given(
    st.lists(st.integers(min_value=1, max_value=900), min_size=1, max_size=9),
    st.integers(min_value=1, max_value=2500),
    st.integers(min_value=0, max_value=300),
    st.sampled_from([1, 7, 100]),
)
def test_with_a_step_only_sums_over_by_a_multiple_of_it_fit_and_all_of_them_do(
    amounts: list[int], target: int, slack: int, step: int
) -> None:
    # a sum over the target by whole currency units (step = 100 minor units): a bank fee
    search = find_combinations(amounts, target, 3, max_solutions=10_000, slack=slack, step=step)
    found = set(search.solutions)
    for solution in found:
        over = sum(amounts[p] for p in solution) - target
        assert 0 <= over <= slack and over % step == 0
    # every fitting set is found unless a smaller fitting set is inside it (never extended)
    for size in (1, 2, 3):
        for combo in itertools.combinations(range(len(amounts)), size):
            over = sum(amounts[p] for p in combo) - target
            fits = 0 <= over <= slack and over % step == 0
            smaller_fits = any(
                0 <= sum(amounts[p] for p in part) - target <= slack
                for k in range(1, size)
                for part in itertools.combinations(combo, k)
            )
            if fits and not smaller_fits:
                assert combo in found, combo


def test_a_step_keeps_out_a_sum_over_by_odd_cents() -> None:
    amounts = [1000_00, 1012_47, 999_37]
    search = find_combinations(amounts, 985_00, 1, slack=50_00, step=100)
    assert search.solutions == ((0,),)  # 15.00 over; 27.47 over is not a whole fee


def _step_by_step(
    amounts: list[int],
    target: int,
    max_items: int,
    max_solutions: int,
    max_nodes: int,
    out_of_time: Callable[[], bool] | None,
    slack: int,
) -> tuple[tuple[tuple[int, ...], ...], bool, int]:
    """The search without its shortcuts: every step taken and counted one at a time."""
    ordered = sorted((a, p) for p, a in enumerate(amounts) if 0 < a <= target + slack)
    sums = [0]
    for amount, _ in ordered:
        sums.append(sums[-1] + amount)
    solutions: list[tuple[int, ...]] = []
    state = {"nodes": 0, "stopped": False}

    def walk(start: int, left: int, chosen: list[int]) -> None:
        end, slots = len(ordered), max_items - len(chosen) - 1
        for i in range(start, end):
            if state["stopped"]:
                return
            state["nodes"] += 1
            nodes = state["nodes"]
            if nodes > max_nodes or (out_of_time and nodes % 512 == 0 and out_of_time()):
                state["stopped"] = True
                return
            amount, position = ordered[i]
            if amount > left + slack:
                return
            if amount >= left:
                solutions.append(tuple(sorted([*chosen, position])))
                if len(solutions) >= max_solutions:
                    state["stopped"] = True
                    return
                continue
            if slots <= 0 or amount + sums[end] - sums[max(i + 1, end - slots)] < left:
                continue
            walk(i + 1, left - amount, [*chosen, position])

    if target > 0 and max_items > 0:
        walk(0, target, [])
    complete = not (state["stopped"] and len(solutions) < max_solutions)
    return tuple(solutions), complete, int(state["nodes"])


def _clock(stop_at_call: int) -> Callable[[], bool]:
    calls = [0]

    def out_of_time() -> bool:
        calls[0] += 1
        return calls[0] >= stop_at_call

    return out_of_time


@settings(max_examples=300)
@given(
    st.lists(st.integers(min_value=1, max_value=3000), min_size=0, max_size=45),
    st.integers(min_value=1, max_value=12_000),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=1, max_value=5000),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=4),
)
def test_counted_shortcuts_take_the_same_steps(
    amounts: list[int],
    target: int,
    max_items: int,
    max_solutions: int,
    max_nodes: int,
    slack: int,
    clock_stops: int,
) -> None:
    """Small amounts skipped in one step leave solutions, completeness and the step count
    (which decides when the budget or the clock stops the search) as the plain walk's."""
    expected = _step_by_step(
        amounts, target, max_items, max_solutions, max_nodes,
        _clock(clock_stops) if clock_stops else None, slack,
    )  # fmt: skip
    search = find_combinations(
        amounts,
        target,
        max_items,
        max_solutions=max_solutions,
        max_nodes=max_nodes,
        out_of_time=_clock(clock_stops) if clock_stops else None,
        slack=slack,
    )
    assert (search.solutions, search.complete, search.nodes) == expected


def test_many_small_amounts_are_counted_without_being_visited() -> None:
    amounts = [1] * 40 + [5_000, 7_000]
    search = find_combinations(amounts, 12_000, max_items=2, max_nodes=100_000)
    assert search.solutions == ((40, 41),)
    assert search.nodes == _step_by_step(amounts, 12_000, 2, 2, 100_000, None, 0)[2]


@given(
    st.integers(min_value=500, max_value=1600),
    st.sampled_from([512, 1024, 1100, 100_000]),
    st.integers(min_value=0, max_value=3),
)
def test_the_budget_and_the_clock_stop_inside_a_counted_stretch(
    small: int, max_nodes: int, clock_stops: int
) -> None:
    amounts = [1] * small + [9_000]
    expected = _step_by_step(
        amounts, 9_001, 2, 2, max_nodes, _clock(clock_stops) if clock_stops else None, 0
    )
    search = find_combinations(
        amounts,
        9_001,
        2,
        max_nodes=max_nodes,
        out_of_time=_clock(clock_stops) if clock_stops else None,
    )
    assert (search.solutions, search.complete, search.nodes) == expected
