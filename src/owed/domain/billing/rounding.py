"""Rounding parts so that they add up to a rounded whole.

When a whole is rounded once (tax per document, 40 % of an invoice) but must
also be shown per line, rounding each line on its own can miss the whole by a
few minor units. ``spread_rounded`` rounds each exact part half-up, then moves
the difference one minor unit at a time onto the parts whose rounding lost
the most (largest remainder), so the parts sum to the target exactly.

Unlike ``Money.allocate`` (which splits one amount by non-negative weights),
this starts from known exact parts, which may have either sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency


def spread_rounded(raws: Sequence[Decimal], target: Decimal, currency: Currency) -> list[Decimal]:
    """Round ``raws`` to ``currency`` so that they sum to ``target`` exactly."""
    if not raws:
        if target:
            raise InvalidInput(f"cannot spread {target} {currency} over no parts")
        return []
    rounded = [currency.round(raw) for raw in raws]
    missing = currency.to_minor(target - sum(rounded, Decimal(0)))
    if missing == 0:
        return rounded
    step = currency.quantum if missing > 0 else -currency.quantum
    # Parts that lost most to rounding (or gained most, when removing) go first.
    lost = [raw - part for raw, part in zip(raws, rounded, strict=True)]
    order = sorted(range(len(raws)), key=lambda i: (-lost[i] if missing > 0 else lost[i], i))
    each, extra = divmod(abs(missing), len(raws))
    for rank, index in enumerate(order):
        units = each + (1 if rank < extra else 0)
        rounded[index] += step * units
    return rounded
