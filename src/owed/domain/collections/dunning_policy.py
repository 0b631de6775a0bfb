"""Dunning policies: the levels a customer's items climb, as data.

A ``DunningPolicy`` holds the ordered ``DunningLevel``s of one customer segment
(``segment=None``: the default policy). Each level has a threshold in days
relative to the due date (negative: a friendly reminder before due), a minimum
amount, a ``Channel``, a template and the ``DunningAction``s it triggers
(credit hold, agency, legal). A policy checks its levels when it is built: numbers
from 1, increasing in both number and days, non-negative ``Decimal`` minimums.

``policies_by_segment`` and ``PolicyLevels`` are the look-ups ``dunning.select``
makes of the policies: one policy per segment, and each policy's next level
answered once per run rather than once per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from owed.domain.errors import ConfigurationError


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"


class DunningAction(StrEnum):
    HOLD = "hold"
    ESCALATE_AGENCY = "escalate_agency"
    ESCALATE_LEGAL = "escalate_legal"


@dataclass(frozen=True)
class DunningLevel:
    number: int
    name: str
    days_after_due: int  # negative: a friendly reminder before the due date
    min_amount: Decimal = Decimal(0)
    channel: Channel = Channel.EMAIL
    template: str = ""
    actions: frozenset[DunningAction] = frozenset()

    @property
    def is_pre_due(self) -> bool:
        return self.days_after_due < 0


@dataclass(frozen=True)
class DunningPolicy:
    """Ordered levels for one customer segment (``segment=None``: the default policy)."""

    name: str
    segment: str | None
    levels: tuple[DunningLevel, ...]

    def __post_init__(self) -> None:
        if not self.levels:
            raise ConfigurationError(f"dunning policy {self.name!r} has no levels")
        for prev, nxt in zip(self.levels, self.levels[1:], strict=False):
            if nxt.number <= prev.number or nxt.days_after_due <= prev.days_after_due:
                raise ConfigurationError(
                    f"dunning policy {self.name!r}: level {nxt.number} must come after level "
                    f"{prev.number} in both number and days after due"
                )
        for level in self.levels:
            if level.number < 1:
                raise ConfigurationError(
                    f"dunning policy {self.name!r}: level numbers start at 1, got {level.number}"
                )
            if not isinstance(level.min_amount, Decimal) or level.min_amount < 0:
                raise ConfigurationError(
                    f"dunning policy {self.name!r}: level {level.number} min_amount must be a "
                    f"non-negative Decimal"
                )

    def level(self, number: int) -> DunningLevel | None:
        for lv in self.levels:
            if lv.number == number:
                return lv
        return None

    def next_level(self, last_level: int, days_overdue: int) -> DunningLevel | None:
        """The first level above ``last_level``; pre-due levels only while not yet overdue."""
        for level in self.levels:
            if level.number <= last_level:
                continue
            if level.is_pre_due and days_overdue > 0:
                continue
            return level
        return None


class PolicyLevels:
    """One policy's level look-ups, answered once per run instead of once per item."""

    __slots__ = ("by_number", "has_minimum", "next", "policy")

    def __init__(self, policy: DunningPolicy) -> None:
        self.policy = policy
        self.by_number = {lv.number: lv for lv in policy.levels}  # numbers are increasing
        self.has_minimum = any(lv.min_amount > 0 for lv in policy.levels)
        # (last level, overdue?) -> next level: ``next_level`` depends on the days
        # overdue only through "overdue or not" (pre-due levels are passed over).
        self.next: dict[tuple[int, bool], DunningLevel | None] = {}

    def next_level(self, last_level: int, overdue: bool) -> DunningLevel | None:
        key = (last_level, overdue)
        if key in self.next:
            return self.next[key]
        level = self.next[key] = self.policy.next_level(last_level, 1 if overdue else 0)
        return level


def policies_by_segment(
    policies: Sequence[DunningPolicy],
) -> dict[str | None, DunningPolicy]:
    result: dict[str | None, DunningPolicy] = {}
    for policy in policies:
        if policy.segment in result:
            raise ConfigurationError(
                f"dunning policies {result[policy.segment].name!r} and {policy.name!r} "
                f"both apply to segment {policy.segment!r}"
            )
        result[policy.segment] = policy
    return result
