"""What a dunning run reads and what it decides, as values.

In: one ``CustomerDunningState`` per customer: its open items (``DunningItem``,
a named tuple: a run over a large book builds a million of them), its unapplied
cash and open credits, its last run and its blocked flag.

Out: a ``DunningRun``: the ``DunningNotice``s to send (one per customer, each
``NoticeItem`` with the level it moves to) and, for everything not dunned, an
``Exclusion`` with its ``ExclusionReason``. ``dunning.select`` makes the one
from the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from owed.domain.collections.dunning_policy import Channel, DunningAction, DunningLevel
from owed.domain.collections.promises import PlanStatus, PromiseStatus
from owed.domain.money import Currency, Money


class DunningItem(NamedTuple):
    """One open item of a customer as dunning sees it (a named tuple: a run over a
    large book builds one per open item, a million of them)."""

    document: str
    currency: str
    due_date: date
    open_amount: Decimal
    disputed_amount: Decimal = Decimal(0)
    promise: PromiseStatus | None = None  # status of a promise covering the item, if any
    plan: PlanStatus | None = None  # status of a payment plan covering the item, if any
    last_level: int = 0  # 0: never dunned
    last_sent_on: date | None = None
    undelivered: bool = False  # the last level's message is queued or failed, not yet sent


@dataclass(frozen=True)
class CustomerDunningState:
    customer_id: str
    segment: str | None
    items: tuple[DunningItem, ...]
    unapplied_cash: tuple[Money, ...] = ()
    credits: tuple[Money, ...] = ()  # open credit memos, as positive amounts
    last_run: date | None = None
    blocked: bool = False


class ExclusionReason(StrEnum):
    ALREADY_RUN_TODAY = "already_run_today"
    BLOCKED = "blocked"
    NO_POLICY = "no_policy"
    NOTHING_OPEN = "nothing_open"
    DISPUTED = "disputed"
    PARTLY_DISPUTED = "partly_disputed"  # the item is dunned; its disputed part is not
    PROMISE_TO_PAY = "promise_to_pay"
    PAYMENT_PLAN = "payment_plan"
    LAST_LEVEL_SENT = "last_level_sent"
    AWAITING_DELIVERY = "awaiting_delivery"
    NOT_DUE_FOR_LEVEL = "not_due_for_level"
    TOO_SOON = "too_soon"
    COVERED_BY_UNAPPLIED = "covered_by_unapplied"
    BELOW_MIN_AMOUNT = "below_min_amount"


@dataclass(frozen=True)
class Exclusion:
    customer_id: str
    item: str | None  # the document, or None when the whole customer is excluded
    reason: ExclusionReason
    detail: str = ""


class NoticeItem(NamedTuple):
    """One item of a notice. The amounts are kept as checked ``Decimal``s with their
    currency; ``open_amount``, ``disputed_amount`` and ``dunned_amount`` build the
    ``Money`` when read (a large run lists close to a million notice items)."""

    document: str
    due_date: date
    days_overdue: int
    currency: Currency
    opened: Decimal
    disputed: Decimal
    dunned: Decimal  # open less disputed
    level: int  # the level this item moves to with this notice
    previous_level: int

    @property
    def open_amount(self) -> Money:
        return Money._trusted(self.opened, self.currency)

    @property
    def disputed_amount(self) -> Money:
        return Money._trusted(self.disputed, self.currency)

    @property
    def dunned_amount(self) -> Money:
        return Money._trusted(self.dunned, self.currency)


@dataclass(frozen=True)
class DunningNotice:
    customer_id: str
    policy: str
    level: DunningLevel  # the highest level among the items
    items: tuple[NoticeItem, ...]
    totals: Mapping[str, Money]  # dunned amount per currency
    actions: frozenset[DunningAction]
    unapplied: tuple[Money, ...]  # unapplied cash and credits, for the letter to mention

    @property
    def channel(self) -> Channel:
        return self.level.channel

    @property
    def template(self) -> str:
        return self.level.template


@dataclass(frozen=True)
class DunningRun:
    today: date
    notices: tuple[DunningNotice, ...]
    exclusions: tuple[Exclusion, ...]

    def why_not(self, customer_id: str, document: str | None = None) -> list[Exclusion]:
        """Exclusions for a customer (and item): customer-wide ones always apply."""
        return [
            e
            for e in self.exclusions
            if e.customer_id == customer_id
            and (e.item is None or document is None or e.item == document)
        ]
