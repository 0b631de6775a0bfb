"""Promises to pay and payment plans: record them, and judge them from cash application.

A promise or plan is recorded once (``add_promise`` / ``add_plan``); its
status is decided by the domain (``evaluate_promise`` / ``evaluate_plan``)
from the applications to the customer's items (or the promised items) made
since it was agreed, plus the customer's identified but unapplied cash.
``evaluate_commitments`` runs at the start of every dunning run: a promise
that turns broken is recorded (status, audit, a timeline entry), which
resumes dunning for its items and raises the account in the worklist.

The grace period is the company setting ``promise_grace_days`` (default 3).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.collections.promises import (
    Installment,
    PaymentEvent,
    PaymentPlan,
    PlanStatus,
    Promise,
    PromiseStatus,
    evaluate_plan,
    evaluate_promise,
)
from owed.domain.errors import InvalidInput, NotFound
from owed.domain.money import Currency, Money
from owed.services.unit_of_work import UnitOfWork

DEFAULT_GRACE_DAYS = 3


def grace_days(uow: UnitOfWork) -> int:
    value = uow.company.settings.get("promise_grace_days", DEFAULT_GRACE_DAYS)
    if not isinstance(value, int) or value < 0:
        raise InvalidInput(f"setting promise_grace_days must be a whole number >= 0, got {value!r}")
    return value


def customer_by_external(uow: UnitOfWork, external_id: str) -> Any:
    customer = uow.customers.get_by_external(external_id.strip())
    if customer is None:
        raise NotFound("customer", external_id)
    return customer


def _documents_of(uow: UnitOfWork, customer: Any, numbers: Sequence[str]) -> list[str]:
    for number in numbers:
        doc = uow.billing.get_by_number(number.strip())
        if doc is None:
            raise NotFound("document", number)
        if doc.customer_id != customer.id:
            raise InvalidInput(f"{number} belongs to another customer, not {customer.external_id}")
    return [n.strip() for n in numbers]


# -- promises ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddPromise:
    customer: str  # external id
    amount: Decimal | str
    promised_date: date
    promised_by: str
    invoices: tuple[str, ...] = ()
    currency: str | None = None  # default: the customer's currency


@dataclass(frozen=True)
class PromiseView:
    id: int
    customer: str
    amount: Money
    promised_date: date
    promised_by: str
    invoices: tuple[str, ...]
    status: str
    made_on: date


def add_promise(cmd: AddPromise, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.COLLECT)
        customer = customer_by_external(uow, cmd.customer)
        amount = Money(cmd.amount, cmd.currency or customer.currency)
        if not cmd.promised_by.strip():
            raise InvalidInput("a promise names the person who made it (--by)")
        today = uow.today()
        if cmd.promised_date < today:
            raise InvalidInput(f"promised date {cmd.promised_date} is in the past (today {today})")
        Promise(
            str(customer.id), frozenset(cmd.invoices), amount, cmd.promised_date, cmd.promised_by
        )  # the domain checks the amount
        docs = _documents_of(uow, customer, cmd.invoices)
        values = {
            "customer_id": customer.id,
            "currency": amount.currency.code,
            "amount_minor": amount.to_minor(),
            "made_on": today,
            "promised_date": cmd.promised_date,
            "promised_by": cmd.promised_by.strip(),
            "documents": docs,
            "status": PromiseStatus.PENDING.value,
            "created_by": uow.actor.username,
            "created_at": uow.now(),
        }
        promise_id = uow.collections.add_promise(**values)
        uow.collections.add_activities(
            [
                {
                    "customer_id": customer.id,
                    "kind": "promise",
                    "on_date": today,
                    "note": f"promise of {amount} by {cmd.promised_date} ({cmd.promised_by})"
                    + (f" for {', '.join(docs)}" if docs else ""),
                    "outcome": "promise",
                    "next_action": cmd.promised_date,
                    "created_by": uow.actor.username,
                    "created_at": uow.now(),
                }
            ]
        )
        uow.audit(
            "promise.add",
            "promise",
            promise_id,
            after={
                "customer": customer.external_id,
                "amount": str(amount),
                "promised_date": cmd.promised_date.isoformat(),
                "by": cmd.promised_by,
                "invoices": docs,
            },
        )
        uow.commit()
        return int(promise_id)


def list_promises(uow: UnitOfWork) -> list[PromiseView]:
    with uow:
        uow.require(Permission.READ)
        rows = uow.collections.promises()
        names = {
            c.id: c.external_id
            for c in uow.collections.customers_by_id(
                sorted({r["customer_id"] for r in rows})
            ).values()
        }
        return [
            PromiseView(
                r["id"],
                names.get(r["customer_id"], str(r["customer_id"])),
                Money.from_minor(r["amount_minor"], r["currency"]),
                r["promised_date"],
                r["promised_by"],
                tuple(r["documents"]),
                r["status"],
                r["made_on"],
            )
            for r in rows
        ]


# -- payment plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class AddPlan:
    customer: str
    invoices: tuple[str, ...]
    installments: tuple[tuple[date, Decimal | str], ...]
    currency: str | None = None


def parse_installments(text: str) -> tuple[tuple[date, Decimal], ...]:
    """``"2026-04-01:500,2026-05-01:500"`` → ((date, Decimal), ...)."""
    out = []
    for position, part in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
        day, sep, amount = part.partition(":")
        try:
            if not sep:
                raise ValueError
            out.append((date.fromisoformat(day.strip()), Decimal(amount.strip())))
        except (ValueError, ArithmeticError):
            raise InvalidInput(
                f"installment {position} {part!r}: expected YYYY-MM-DD:AMOUNT"
            ) from None
    if not out:
        raise InvalidInput("a payment plan needs at least one installment")
    return tuple(out)


def add_plan(cmd: AddPlan, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.COLLECT)
        customer = customer_by_external(uow, cmd.customer)
        if not cmd.invoices:
            raise InvalidInput("a payment plan covers named invoices (--invoice)")
        cur = Currency.of(cmd.currency or customer.currency)
        plan = PaymentPlan(
            "new",
            str(customer.id),
            frozenset(cmd.invoices),
            tuple(Installment(d, Money(a, cur)) for d, a in cmd.installments),
        )
        docs = _documents_of(uow, customer, cmd.invoices)
        today = uow.today()
        plan_id = uow.collections.add_plan(
            [(i.due_date, i.amount.to_minor()) for i in plan.installments],
            customer_id=customer.id,
            currency=cur.code,
            made_on=today,
            documents=docs,
            status=PlanStatus.CURRENT.value,
            created_by=uow.actor.username,
            created_at=uow.now(),
        )
        uow.collections.add_activities(
            [
                {
                    "customer_id": customer.id,
                    "kind": "plan",
                    "on_date": today,
                    "note": f"payment plan of {plan.total} in {len(plan.installments)} "
                    f"installments for {', '.join(docs)}",
                    "outcome": "plan",
                    "next_action": plan.installments[0].due_date,
                    "created_by": uow.actor.username,
                    "created_at": uow.now(),
                }
            ]
        )
        uow.audit(
            "plan.add",
            "payment_plan",
            plan_id,
            after={
                "customer": customer.external_id,
                "invoices": docs,
                "installments": [
                    [i.due_date.isoformat(), str(i.amount)] for i in plan.installments
                ],
            },
        )
        uow.commit()
        return int(plan_id)


# -- evaluation ---------------------------------------------------------------------------


@dataclass
class Commitments:
    """Statuses after evaluation, by customer id, and what changed."""

    promised: dict[int, list[tuple[frozenset[str], PromiseStatus]]] = field(default_factory=dict)
    planned: dict[int, list[tuple[frozenset[str], PlanStatus]]] = field(default_factory=dict)
    broken_promises: dict[int, list[date]] = field(default_factory=dict)
    changes: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    # (kind, id, customer id, before, after)


def evaluate_commitments(uow: UnitOfWork, today: date, record: bool) -> Commitments:
    """Judge every promise and plan still open; with ``record`` store what changed.

    Runs inside the caller's unit of work and does not commit.
    """
    grace = grace_days(uow)
    all_promises = uow.collections.promises()
    all_plans = uow.collections.plans()
    open_promises = [p for p in all_promises if p["status"] == PromiseStatus.PENDING.value]
    open_plans = [p for p in all_plans if p["status"] == PlanStatus.CURRENT.value]
    result = Commitments()
    for p in all_promises:
        if p["status"] == PromiseStatus.BROKEN.value:
            result.broken_promises.setdefault(p["customer_id"], []).append(
                p["evaluated_on"] or p["promised_date"]
            )
    pending = open_promises + open_plans
    if pending:
        since = min(p["made_on"] for p in pending)
        ids = sorted({p["customer_id"] for p in pending})
        events = [
            PaymentEvent(
                str(e["customer_id"]),
                e["on"],
                Money.from_minor(e["minor"], e["currency"]),
                e["document"],
            )
            for e in uow.collections.payment_events(ids, since)
        ]
    else:
        events = []
    for p in all_promises:
        status = PromiseStatus(p["status"])
        if status is PromiseStatus.PENDING:
            promise = Promise(
                str(p["customer_id"]),
                frozenset(p["documents"]),
                Money.from_minor(p["amount_minor"], p["currency"]),
                p["promised_date"],
                p["promised_by"],
            )
            mine = [e for e in events if e.paid_on >= p["made_on"]]
            status = evaluate_promise(promise, mine, today, grace).status
            if status is not PromiseStatus.PENDING:
                result.changes.append(("promise", p["id"], p["customer_id"], p["status"], status))
                if status is PromiseStatus.BROKEN:
                    result.broken_promises.setdefault(p["customer_id"], []).append(today)
        result.promised.setdefault(p["customer_id"], []).append((frozenset(p["documents"]), status))
    for p in all_plans:
        plan_status = PlanStatus(p["status"])
        if plan_status is PlanStatus.CURRENT:
            plan = PaymentPlan(
                str(p["id"]),
                str(p["customer_id"]),
                frozenset(p["documents"]),
                tuple(
                    Installment(d, Money.from_minor(m, p["currency"])) for d, m in p["installments"]
                ),
            )
            mine = [e for e in events if e.paid_on >= p["made_on"]]
            plan_status = evaluate_plan(plan, mine, today, grace).status
            if plan_status is not PlanStatus.CURRENT:
                result.changes.append(("plan", p["id"], p["customer_id"], p["status"], plan_status))
        result.planned.setdefault(p["customer_id"], []).append(
            (frozenset(p["documents"]), plan_status)
        )
    if record:
        _record(uow, result, today)
    return result


def reopen_commitments(
    uow: UnitOfWork, customer_ids: Collection[int], since: date, why: str
) -> list[tuple[str, int]]:
    """Reopen what an unapplied payment may have kept; inside the caller's transaction.

    A promise judged kept, or a plan judged completed, on or after ``since``
    (the day the payment now unapplied was applied) for one of the customers
    goes back to pending / current, audited and on the customer's timeline.
    The next evaluation (every dunning run starts with one) judges it again
    from the payments that remain: broken once its date and grace have passed,
    which resumes dunning. Returns the reopened (kind, id).
    """
    wanted = set(customer_ids)
    reopened: list[tuple[str, int]] = []
    for kind, rows, done, again in (
        ("promise", uow.collections.promises([PromiseStatus.KEPT.value]), "kept", "pending"),
        ("plan", uow.collections.plans([PlanStatus.COMPLETED.value]), "completed", "current"),
    ):
        for p in rows:
            judged = p["evaluated_on"]
            if p["customer_id"] not in wanted or judged is None or judged < since:
                continue
            if kind == "promise":
                uow.collections.set_promise_status(p["id"], again, uow.today())
            else:
                uow.collections.set_plan_status(p["id"], again, uow.today())
            uow.audit(
                f"{kind}.reopen",
                "promise" if kind == "promise" else "payment_plan",
                p["id"],
                before={"status": done},
                after={"status": again, "why": why},
            )
            uow.collections.add_activities(
                [
                    {
                        "customer_id": p["customer_id"],
                        "kind": kind,
                        "on_date": uow.today(),
                        "note": f"{kind} {p['id']} reopened: {why}",
                        "outcome": f"{kind}_reopened",
                        "created_by": uow.actor.username,
                        "created_at": uow.now(),
                    }
                ]
            )
            reopened.append((kind, int(p["id"])))
    return reopened


def _record(uow: UnitOfWork, result: Commitments, today: date) -> None:
    rows = []
    for kind, key, customer_id, before, after in result.changes:
        if kind == "promise":
            uow.collections.set_promise_status(key, str(after), today)
        else:
            uow.collections.set_plan_status(key, str(after), today)
        uow.audit(
            f"{kind}.evaluate",
            "promise" if kind == "promise" else "payment_plan",
            key,
            before={"status": before},
            after={"status": str(after)},
        )
        rows.append(
            {
                "customer_id": customer_id,
                "kind": kind,
                "on_date": today,
                "note": f"{kind} {key} {after}",
                "outcome": f"{kind}_{after}",
                "created_by": uow.actor.username,
                "created_at": uow.now(),
            }
        )
    uow.collections.add_activities(rows)


def item_protection(
    commitments: Commitments, customer_id: int, number: str
) -> tuple[PromiseStatus | None, PlanStatus | None]:
    """The promise and plan status that applies to one item (pending/current win)."""
    promise: PromiseStatus | None = None
    for docs, status in commitments.promised.get(customer_id, []):
        covers = not docs or number in docs
        if covers and (status is PromiseStatus.PENDING or promise is None):
            promise = status
    plan: PlanStatus | None = None
    for docs, plan_status in commitments.planned.get(customer_id, []):
        if number in docs and (plan_status is PlanStatus.CURRENT or plan is None):
            plan = plan_status
    return promise, plan
