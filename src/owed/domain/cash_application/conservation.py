"""The conservation law of a cash application decision, checked.

Every decision must account for every cent of its receipt::

    receipt.amount == Σ allocations + Σ cash adjustments (customer_credit) + unapplied

and must not close more of an item than is open::

    for each item: Σ its allocations + Σ its non-cash adjustments <= its open amount

Amounts are all positive; a ``customer_credit`` names no item, every other
adjustment names one. ``check_conservation`` raises ``RuleViolation`` (or
``OverApplication`` for one item) naming the receipt and the broken term.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from owed.domain.cash_application.model import Decision, Receipt
from owed.domain.errors import OverApplication, RuleViolation


def _fail(receipt: Receipt, reason: str) -> RuleViolation:
    return RuleViolation(
        f"decision for receipt {receipt.id} breaks conservation: {reason}",
        receipt_id=receipt.id,
        reason=reason,
    )


def _check_signs(receipt: Receipt, decision: Decision) -> None:
    if decision.receipt_id != receipt.id:
        raise _fail(receipt, f"the decision is for receipt {decision.receipt_id}")
    if decision.unapplied < 0:
        raise _fail(receipt, f"unapplied {decision.unapplied} is negative")
    for allocation in decision.allocations:
        if allocation.amount <= 0:
            raise _fail(receipt, f"allocation to item {allocation.item_id} is not positive")
    for adjustment in decision.adjustments:
        if adjustment.amount <= 0:
            raise _fail(receipt, f"{adjustment.kind} adjustment {adjustment.amount} not positive")
        if adjustment.kind.is_cash != (adjustment.item_id is None):
            raise _fail(
                receipt,
                f"{adjustment.kind} adjustment must {'not ' if adjustment.kind.is_cash else ''}"
                "name an item",
            )


def _check_items(receipt: Receipt, decision: Decision, open_amounts: Mapping[int, Decimal]) -> None:
    closed: dict[int, Decimal] = {}
    for allocation in decision.allocations:
        closed[allocation.item_id] = closed.get(allocation.item_id, Decimal(0)) + allocation.amount
    for adjustment in decision.adjustments:
        if adjustment.item_id is not None:
            previous = closed.get(adjustment.item_id, Decimal(0))
            closed[adjustment.item_id] = previous + adjustment.amount
    for item_id, amount in closed.items():
        if item_id not in open_amounts:
            raise _fail(receipt, f"item {item_id} has no known open amount")
        if amount > open_amounts[item_id]:
            raise OverApplication(f"item {item_id}", open_amounts[item_id], amount)


def check_conservation(
    receipt: Receipt,
    decision: Decision,
    open_amounts: Mapping[int, Decimal] | None = None,
) -> None:
    """Raise if ``decision`` does not account exactly for ``receipt``.

    With ``open_amounts`` (item id → balance before this receipt) the per-item
    law is checked too.
    """
    _check_signs(receipt, decision)
    cash_adjusted = sum((a.amount for a in decision.adjustments if a.kind.is_cash), Decimal(0))
    accounted = decision.applied + cash_adjusted + decision.unapplied
    if accounted != receipt.amount:
        raise _fail(
            receipt,
            f"allocations {decision.applied} + customer credit {cash_adjusted} + unapplied "
            f"{decision.unapplied} = {accounted}, not the receipt amount {receipt.amount}",
        )
    if open_amounts is not None:
        _check_items(receipt, decision, open_amounts)
