"""What the dunning run gives the domain's ``select``: the policies and the customers' states.

The policies come from the company setting ``dunning_policies``
(``policies_from_settings``), else ``DEFAULT_POLICY``. ``customer_states`` loads every
customer's state in bulk: the open items (in customer order) with their
disputed amount, last level, whether that level's message is still undelivered
and the promise or payment plan protecting them; the unapplied cash per
currency; the segment and the blocked flag. ``run_dunning`` (``services.dunning``)
calls both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.collections.dunning_policy import (
    Channel,
    DunningAction,
    DunningLevel,
    DunningPolicy,
)
from owed.domain.collections.dunning_run import CustomerDunningState, DunningItem
from owed.domain.errors import ConfigurationError
from owed.domain.money import Currency, Money
from owed.services.promises import item_protection
from owed.services.unit_of_work import UnitOfWork

DEFAULT_POLICY = DunningPolicy(
    "standard",
    None,
    (
        DunningLevel(1, "Friendly reminder", -3, template="dunning_1"),
        DunningLevel(2, "Payment reminder", 7, template="dunning_2"),
        DunningLevel(3, "Second reminder", 21, Decimal(50), template="dunning_3"),
        DunningLevel(
            4,
            "Final notice",
            45,
            Decimal(50),
            template="dunning_4",
            actions=frozenset({DunningAction.HOLD}),
        ),
        DunningLevel(
            5,
            "Collection agency",
            75,
            Decimal(100),
            Channel.LETTER,
            "dunning_5",
            frozenset({DunningAction.ESCALATE_AGENCY}),
        ),
    ),
)


def policies_from_settings(settings: Mapping[str, Any]) -> list[DunningPolicy]:
    """``dunning_policies``: [{name, segment, levels: [{number, name, days, min_amount,
    channel, template, actions}]}]; absent: the default policy."""
    raw = settings.get("dunning_policies")
    if raw is None:
        return [DEFAULT_POLICY]
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError("setting dunning_policies must be a non-empty list")
    policies = []
    for i, p in enumerate(raw, 1):
        try:
            levels = tuple(
                DunningLevel(
                    int(lv["number"]),
                    str(lv["name"]),
                    int(lv["days"]),
                    Decimal(str(lv.get("min_amount", "0"))),
                    Channel(lv.get("channel", "email")),
                    str(lv.get("template", f"dunning_{min(int(lv['number']), 5)}")),
                    frozenset(DunningAction(a) for a in lv.get("actions", [])),
                )
                for lv in p["levels"]
            )
            policies.append(DunningPolicy(str(p["name"]), p.get("segment"), levels))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ConfigurationError(
                f"dunning policy {i} in settings is not valid: {exc}"
            ) from None
    return policies


def customer_states(
    uow: UnitOfWork, commitments: Any, last_run: date | None
) -> tuple[list[CustomerDunningState], dict[str, str], dict[str, int]]:
    customers = uow.collections.dunning_customers()
    items_by_customer: dict[int, list[DunningItem]] = {}
    doc_ids: dict[str, int] = {}
    # Per currency: (ISO code, -minor units, zero): one Currency.of per code, and the
    # zero shared by every undisputed item (most of them), not built a million times.
    scales: dict[str, tuple[str, int, Decimal]] = {}
    protected = set(commitments.promised) | set(commitments.planned)
    unprotected = (None, None)
    customer_id = -1  # no customer's id
    mine: list[DunningItem] = []
    for row in uow.collections.open_items():  # ordered by customer
        doc_ids[row.number] = row.id
        scale = scales.get(row.currency)
        if scale is None:
            cur = Currency.of(row.currency)
            scale = scales[row.currency] = (cur.code, -cur.minor_units, _from_minor(cur, 0))
        code, exponent, zero = scale
        if row.customer_id != customer_id:
            customer_id = row.customer_id
            mine = items_by_customer.setdefault(customer_id, [])
        promise, plan = (
            item_protection(commitments, customer_id, row.number)
            if customer_id in protected
            else unprotected
        )
        disputed = row.disputed_minor
        mine.append(
            DunningItem(
                row.number,
                code,
                row.due_date,
                Decimal(row.open_minor).scaleb(exponent),
                Decimal(disputed).scaleb(exponent) if disputed else zero,
                promise,
                plan,
                row.last_level,
                row.last_sent_on,
                row.undelivered,
            )
        )
    cover = uow.collections.unapplied_by_customer()
    states = []
    for c in customers:
        items = items_by_customer.get(c["id"])
        if not items:
            continue
        states.append(
            CustomerDunningState(
                customer_id=str(c["id"]),
                segment=c["segment"],
                items=tuple(items),
                unapplied_cash=tuple(
                    Money.from_minor(m, cur)
                    for cur, m in sorted(cover.get(c["id"], {}).items())
                    if m > 0
                ),
                last_run=last_run,
                blocked=bool(c["dunning_blocked"]),
            )
        )
    return states, {str(c["id"]): c["external_id"] for c in customers}, doc_ids


def _from_minor(currency: Currency, minor: int) -> Decimal:
    """``currency.from_minor`` without its quantize: an int scaled by the minor unit is exact."""
    return Decimal(int(minor)).scaleb(-currency.minor_units)
