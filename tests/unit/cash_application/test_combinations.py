"""Bounded subset-sum."""

from __future__ import annotations

from hypothesis import given
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
