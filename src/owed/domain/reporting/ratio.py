"""Small result values for KPIs: a figure never travels without its denominator.

``Ratio`` keeps numerator and denominator as exact ``Decimal``; its value is
``None`` when the denominator is zero (a KPI over nothing is undefined, not
0 %). ``Days`` is a number of days with the inputs that produced it. Rounding
happens only when a figure is displayed (``percent``/``display``, half-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def _places(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator

    def percent(self, places: int = 1) -> Decimal | None:
        """The ratio in per cent, rounded half-up for display."""
        value = self.value
        if value is None:
            return None
        return (value * 100).quantize(_places(places), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        shown = self.percent()
        figure = "n/a" if shown is None else f"{shown} %"
        return f"{figure} ({self.numerator} / {self.denominator})"


@dataclass(frozen=True)
class Days:
    """A figure in days; ``days`` is None when the denominator is zero."""

    days: Decimal | None
    denominator: Decimal
    inputs: Mapping[str, Decimal] = field(default_factory=dict)

    def display(self, places: int = 1) -> Decimal | None:
        if self.days is None:
            return None
        return self.days.quantize(_places(places), rounding=ROUND_HALF_UP)

    def __str__(self) -> str:
        shown = self.display()
        return "n/a" if shown is None else f"{shown} days"
