"""Cash application: which open items does each receipt pay?

A pipeline of pure rules (see ``rules``) turns a ``Receipt`` into a
``Decision``: allocations to open items, explained adjustments (discount,
write-off, deduction, bank fee, customer credit), the unapplied rest, a
confidence and a plain-language explanation. Decisions that are sure enough
are applied automatically; the others carry ranked suggestions for a person.
Every decision obeys the conservation law in ``conservation``. Corrections feed
``learning``, which later receipts use.

Typical use by the service layer::

    context = MatchContext.build(open_items, customers)
    decisions = match_receipts(receipts, context, knowledge, MatchSettings())
"""

from owed.domain.cash_application.conservation import check_conservation
from owed.domain.cash_application.engine import consume, match_receipt, match_receipts
from owed.domain.cash_application.index import MatchContext, OpenItemIndex
from owed.domain.cash_application.learning import learn_from_correction
from owed.domain.cash_application.model import (
    Adjustment,
    AdjustmentKind,
    Allocation,
    CustomerInfo,
    Decision,
    Knowledge,
    MatchSettings,
    OpenItem,
    Proposal,
    Receipt,
    ReferencePattern,
)

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "Allocation",
    "CustomerInfo",
    "Decision",
    "Knowledge",
    "MatchContext",
    "MatchSettings",
    "OpenItem",
    "OpenItemIndex",
    "Proposal",
    "Receipt",
    "ReferencePattern",
    "check_conservation",
    "consume",
    "learn_from_correction",
    "match_receipt",
    "match_receipts",
]
