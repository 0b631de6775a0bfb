"""The collector's desk: the customer timeline and the worklist.

* ``add_activity`` / ``list_activities``: calls, emails, letters and notes
  with an outcome and a next action date. Dunning messages, promises, plans,
  holds and escalations are written to the same timeline by their services.
* ``get_worklist``: every account with something past due, per collector,
  ranked by the domain's explainable score (``rank``): amount and days past
  due, risk class, broken promises, open disputes, days since the last
  contact, next action due; each with the reasons that produced its score.
  Amounts in several currencies are converted to the base currency with the
  setting ``fx_rates`` so accounts compare on one scale. Everything is loaded
  in bulk: five queries whatever the number of customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from owed.domain.auth import Permission
from owed.domain.collections.worklist import AccountSnapshot, PastDueItem, RankedAccount, rank
from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money
from owed.services.credit import convert, fx_rates
from owed.services.promises import customer_by_external, evaluate_commitments
from owed.services.unit_of_work import UnitOfWork

ACTIVITY_KINDS = ("call", "email", "letter", "meeting", "note")


@dataclass(frozen=True)
class AddActivity:
    customer: str
    kind: str
    note: str
    next_action: date | None = None
    outcome: str | None = None
    on_date: date | None = None  # default today


def add_activity(cmd: AddActivity, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.COLLECT)
        if cmd.kind not in ACTIVITY_KINDS:
            raise InvalidInput(
                f"activity type {cmd.kind!r}: choose one of {', '.join(ACTIVITY_KINDS)}"
            )
        if not cmd.note.strip():
            raise InvalidInput("an activity needs a note (--note)")
        customer = customer_by_external(uow, cmd.customer)
        today = uow.today()
        on = cmd.on_date or today
        if on > today:
            raise InvalidInput(f"activity date {on} is in the future (today {today})")
        row = {
            "customer_id": customer.id,
            "kind": cmd.kind,
            "on_date": on,
            "note": cmd.note.strip(),
            "outcome": cmd.outcome,
            "next_action": cmd.next_action,
            "created_by": uow.actor.username,
            "created_at": uow.now(),
        }
        uow.collections.add_activities([row])
        uow.audit(
            "activity.add",
            "customer",
            customer.external_id,
            after={
                "kind": cmd.kind,
                "on": on.isoformat(),
                "note": cmd.note.strip(),
                "outcome": cmd.outcome,
                "next_action": cmd.next_action.isoformat() if cmd.next_action else None,
            },
        )
        uow.commit()


def list_activities(uow: UnitOfWork, customer: str) -> list[dict[str, Any]]:
    with uow:
        uow.require(Permission.READ)
        found = customer_by_external(uow, customer)
        return uow.collections.activities(found.id)  # type: ignore[no-any-return]


# -- worklist ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GetWorklist:
    collector: str | None = None
    top: int | None = None


@dataclass(frozen=True)
class WorklistEntry:
    collector: str
    customer: str
    name: str
    ranked: RankedAccount


def get_worklist(query: GetWorklist, uow: UnitOfWork) -> list[WorklistEntry]:
    if query.top is not None and query.top < 1:
        raise InvalidInput(f"--top must be at least 1, got {query.top}")
    with uow:
        uow.require(Permission.READ)
        today = uow.today()
        base = uow.company.base_currency
        rates = fx_rates(uow)
        commitments = evaluate_commitments(uow, today, record=False)
        disputes = uow.collections.open_dispute_counts()
        contacts = uow.collections.contact_summary()
        past_due: dict[int, list[PastDueItem]] = {}
        for item in uow.collections.open_items():
            days = (today - item.due_date).days
            if days <= 0:
                continue
            amount = convert(
                Money(
                    Currency.of(item.currency).from_minor(item.open_minor - item.disputed_minor),
                    item.currency,
                ),
                base,
                base,
                rates,
            )
            if amount.amount > 0:
                past_due.setdefault(item.customer_id, []).append(PastDueItem(amount.amount, days))
        customers = uow.collections.customers_by_id(sorted(past_due))
        accounts, owners = [], {}
        for cid, items in past_due.items():
            c = customers[cid]
            collector = c.collector or "(unassigned)"
            if query.collector is not None and collector != query.collector:
                continue
            broken = commitments.broken_promises.get(cid, [])
            last_contact, next_action = contacts.get(cid, (None, None))
            accounts.append(
                AccountSnapshot(
                    customer_id=c.external_id,
                    currency=Currency.of(base).code,
                    past_due_items=tuple(items),
                    risk_class=c.risk_class,
                    broken_promises=len(broken),
                    last_broken_promise=max(broken, default=None),
                    open_disputes=disputes.get(cid, 0),
                    last_contact=last_contact,
                    next_action=next_action,
                )
            )
            owners[c.external_id] = (collector, c.name)
        entries = [
            WorklistEntry(
                owners[r.account.customer_id][0],
                r.account.customer_id,
                owners[r.account.customer_id][1],
                r,
            )
            for r in rank(accounts, today)
        ]
        entries.sort(key=lambda e: e.collector)  # stable: keeps the ranking per collector
        return _top(entries, query.top) if query.top is not None else entries


def _top(entries: list[WorklistEntry], top: int) -> list[WorklistEntry]:
    """The first ``top`` entries of each collector."""
    shown: dict[str, int] = {}
    kept = []
    for entry in entries:
        shown[entry.collector] = shown.get(entry.collector, 0) + 1
        if shown[entry.collector] <= top:
            kept.append(entry)
    return kept
