"""The dunning run: who gets which reminder today, recording it, then sending it.

Decisions are committed before anything leaves (an outbox):

1. ``run_dunning`` evaluates promises and plans from cash application (a
   broken one is recorded and no longer protects its items);
2. loads the customers' states in bulk (open items with their disputed
   amount, last level and whether that level's message is still undelivered,
   unapplied cash and credits, blocked flags) and the domain's ``select``
   decides the notices and every exclusion with its reason;
3. with ``dry_run`` nothing is written and the preview is returned;
4. otherwise, in one transaction: a ``dunning_runs`` row for (company, today)
   is inserted first (a second run the same day finds it and queues nothing;
   two concurrent runs collide on its unique key), one ``dunning_messages``
   row per customer **and currency** with status ``queued``, its stable
   Message-ID and the decided notice (``payload``), the item levels, a
   timeline entry and an audit record per message, and the automatic holds
   of customers over their credit limit (``credit.auto_holds``: they do not
   depend on a notice going out). Then it commits;
5. ``send_queued`` delivers: each queued (or failed, or abandoned while
   ``sending``) message is claimed in its own short transaction (``sending``,
   attempts + 1), sent through the ``NoticeSender`` port with no transaction
   open, and its outcome recorded in another short transaction (``sent`` with
   the message id / ``failed`` with the reason), with a timeline entry and an
   audit record. ``run_dunning`` calls it after committing (also when the
   day's run already happened, so a later run retries what failed);
   ``owed dunning send`` calls it alone;
6. actions that depend on the notice going out happen when it is sent, in the
   same transaction as the ``sent`` outcome: a level with ``hold`` puts the
   customer on credit hold (audited); ``escalate_agency`` / ``escalate_legal``
   write a timeline entry and audit event for the placement export.

While a message is queued or failed, its items wait (``awaiting_delivery``):
the message is retried, never replaced by a new one. A message whose sender
died mid-way stays ``sending``; after ``CLAIM_TIMEOUT`` it is retried with the
same Message-ID, so a receiver that got the first attempt can recognise it.

One consolidated message per customer and currency: a notice whose items are
in two currencies goes out as two messages (the templates total one currency).
Policies come from the company setting ``dunning_policies`` (see
``policies_from_settings``), else ``DEFAULT_POLICY``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.collections.dunning import (
    Channel,
    CustomerDunningState,
    DunningAction,
    DunningItem,
    DunningLevel,
    DunningNotice,
    DunningPolicy,
    DunningRun,
    Exclusion,
    select,
)
from owed.domain.errors import ConfigurationError
from owed.domain.money import Currency, Money
from owed.services import credit
from owed.services.customers import Customer
from owed.services.promises import evaluate_commitments, item_protection
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


# -- the sending port ------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLine:
    number: str
    due_date: date
    days_overdue: int
    amount: Money


@dataclass(frozen=True)
class OutgoingNotice:
    """One consolidated reminder, as the sender adapter renders it."""

    customer: Customer
    to: str | None
    channel: Channel
    level: int
    level_name: str
    template: str
    items: tuple[NoticeLine, ...]
    total: Money
    letter_date: date
    company_name: str
    company_settings: Mapping[str, Any]
    reference: str
    message_id: str | None = None  # stable Message-ID, decided when the message was queued


@dataclass(frozen=True)
class NoticeOutcome:
    channel: str  # email | outbox | letter
    status: str  # sent | failed
    message_id: str | None = None
    reason: str = ""
    location: str | None = None


class NoticeSender(Protocol):
    def __call__(self, notice: OutgoingNotice) -> NoticeOutcome: ...

    def message_id_for(self, token: str) -> str:
        """A stable Message-ID for the message named ``token`` (same token, same id)."""
        ...


# -- the run -----------------------------------------------------------------------------

CLAIM_TIMEOUT = timedelta(minutes=15)  # a message `sending` for longer was abandoned


@dataclass(frozen=True)
class RunDunning:
    dry_run: bool = False


@dataclass(frozen=True)
class SendDunning:
    """Deliver the queued and failed dunning messages (``owed dunning send``)."""


@dataclass(frozen=True)
class SentMessage:
    customer: str
    level: int
    channel: str
    recipient: str
    status: str
    reason: str
    items: tuple[str, ...]
    total: Money
    attempts: int = 1
    run_date: date | None = None


@dataclass
class DunningResult:
    today: date
    dry_run: bool
    already_ran: bool
    run: DunningRun
    customers: dict[str, str]  # customer id (as in the run) -> external id
    messages: list[SentMessage] = field(default_factory=list)
    queued: int = 0  # messages this run created (0 on a dry run or a repeated run)
    holds: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    commitment_changes: list[tuple[str, int, str, str]] = field(default_factory=list)

    def exclusions_for(self, external_id: str) -> list[Exclusion]:
        key = next((k for k, v in self.customers.items() if v == external_id), None)
        return [] if key is None else self.run.why_not(key)


@dataclass
class Delivery:
    """What one call of ``send_queued`` did."""

    messages: list[SentMessage] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)


def run_dunning(cmd: RunDunning, uow: UnitOfWork, sender: NoticeSender | None) -> DunningResult:
    """Decide and commit today's messages, then deliver every deliverable message."""
    with uow:
        uow.require(Permission.COLLECT)
        today = uow.today()
        last_run = uow.collections.last_run_date()
        commitments = evaluate_commitments(
            uow, today, record=not cmd.dry_run and (last_run is None or last_run < today)
        )
        policies = policies_from_settings(uow.company.settings)
        with collector_paused():  # a million items and their notices: see domain.batching
            states, external, doc_ids = _states(uow, commitments, last_run)
            run = select(states, policies, today)
        result = DunningResult(
            today, cmd.dry_run, last_run is not None and last_run >= today, run, external
        )
        result.commitment_changes = [
            (k, key, external.get(str(c), str(c)), str(after))
            for k, key, c, _, after in commitments.changes
        ]
        if cmd.dry_run:
            return result
        if sender is None:
            if result.already_ran:
                return result
            raise ConfigurationError("a dunning run needs a way to send (SMTP or outbox)")
        if not result.already_ran:
            _queue(uow, run, policies, doc_ids, sender, today, result)
            uow.commit()
    delivery = send_queued(uow, sender)
    result.messages = delivery.messages
    result.holds += delivery.holds
    result.escalations += delivery.escalations
    return result


def send_dunning(cmd: SendDunning, uow: UnitOfWork, sender: NoticeSender) -> Delivery:
    """``owed dunning send``: deliver what earlier runs queued or failed to send."""
    return send_queued(uow, sender)


def _queue(
    uow: UnitOfWork,
    run: DunningRun,
    policies: list[DunningPolicy],
    doc_ids: Mapping[str, int],
    sender: NoticeSender,
    today: date,
    result: DunningResult,
) -> None:
    """Record the run, a queued message per customer and currency, the levels, the
    timeline and the audit; and the automatic holds over the credit limit."""
    run_id = uow.collections.add_run(today, len(run.notices), uow.actor.username, uow.now())
    customers = uow.collections.customers_by_id([int(n.customer_id) for n in run.notices])
    queued = 0
    for notice in run.notices:
        customer = customers[int(notice.customer_id)]
        policy = next(p for p in policies if p.name == notice.policy)
        for code in sorted(notice.totals):
            _queue_message(uow, run_id, notice, code, policy, customer, doc_ids, sender, today)
            queued += 1
    result.queued = queued
    result.holds += credit.auto_holds(uow, today, exclude=set())
    uow.audit(
        "dunning.run",
        "dunning_run",
        today.isoformat(),
        after={"notices": len(run.notices), "queued": queued, "excluded": len(run.exclusions)},
    )


def _queue_message(
    uow: UnitOfWork,
    run_id: int,
    notice: DunningNotice,
    code: str,
    policy: DunningPolicy,
    customer: Customer,
    doc_ids: Mapping[str, int],
    sender: NoticeSender,
    today: date,
) -> None:
    mine = [i for i in notice.items if i.dunned_amount.currency.code == code]
    levels = {i.document: i.level for i in mine}
    level = max(levels.values())
    level_def = policy.level(level) or notice.level
    total = notice.totals[code]
    reference = f"D-{today.isoformat()}-{customer.external_id}-{code}"
    actions = sorted(
        {a.value for i in mine for a in (policy.level(i.level) or notice.level).actions}
    )
    payload = {
        "channel": level_def.channel.value,
        "level_name": level_def.name,
        "template": level_def.template,
        "currency": code,
        "total_minor": total.to_minor(),
        "run_date": today.isoformat(),
        "lines": [
            [i.document, i.due_date.isoformat(), i.days_overdue, i.dunned_amount.to_minor()]
            for i in mine
        ],
        "actions": actions,
    }
    to = customer.billing_email() or ""
    message_id = uow.collections.add_message(
        run_id=run_id,
        customer_id=customer.id,
        level=level,
        channel=level_def.channel.value,
        recipient=to,
        status="queued",
        reason="",
        message_id=sender.message_id_for(f"dunning.{uow.company.code}.{reference}"),
        items=[[n, lv] for n, lv in levels.items()],
        created_at=uow.now(),
        payload=json.dumps(payload),
        reference=reference,
    )
    uow.collections.add_levels([(doc_ids[n], lv, today, message_id) for n, lv in levels.items()])
    uow.collections.add_activities(
        [
            {
                "customer_id": customer.id,
                "kind": "dunning",
                "on_date": today,
                "note": f"level {level} ({level_def.name}) {level_def.channel.value} "
                f"to {to or '-'} queued: {', '.join(levels)} total {total}",
                "outcome": "queued",
                "created_by": uow.actor.username,
                "created_at": uow.now(),
            }
        ]
    )
    uow.audit(
        "dunning.queue",
        "customer",
        customer.external_id,
        after={
            "level": level,
            "channel": level_def.channel.value,
            "items": levels,
            "total": str(total),
            "reference": reference,
            "actions": actions,
        },
    )


# -- delivery ----------------------------------------------------------------------------


def send_queued(uow: UnitOfWork, sender: NoticeSender) -> Delivery:
    """Send every deliverable message, one at a time, each outcome in its own transaction.

    No transaction is open while a message is being sent: a slow SMTP server
    holds no lock, and a crash leaves at worst one message ``sending``.
    """
    with uow:
        uow.require(Permission.COLLECT)
        pending = uow.collections.deliverable_messages(uow.now() - CLAIM_TIMEOUT)
    delivery = Delivery()
    for message_id in pending:
        with uow:
            row = uow.collections.claim_message(message_id, uow.now(), uow.now() - CLAIM_TIMEOUT)
            if row is None:  # another sender took it, or finished it
                continue
            customer = uow.collections.customers_by_id([int(row["customer_id"])])[
                int(row["customer_id"])
            ]
            notice = _outgoing(uow, row, customer)
            uow.commit()
        if notice.channel is Channel.EMAIL and not notice.to:
            outcome = NoticeOutcome("email", "failed", reason="customer has no email address")
        else:
            outcome = sender(notice)
        with uow:
            _record(uow, row, notice, outcome, delivery)
            uow.commit()
    return delivery


def _outgoing(uow: UnitOfWork, row: Mapping[str, Any], customer: Customer) -> OutgoingNotice:
    payload = row["payload"]
    currency = Currency.of(payload["currency"])
    lines = tuple(
        NoticeLine(n, date.fromisoformat(due), int(days), Money.from_minor(int(m), currency))
        for n, due, days, m in payload["lines"]
    )
    run_date = date.fromisoformat(payload["run_date"])
    return OutgoingNotice(
        customer=customer,
        # the address as it is now: a customer given an email since the run gets the retry
        to=customer.billing_email() or row["recipient"] or None,
        channel=Channel(payload["channel"]),
        level=int(row["level"]),
        level_name=payload["level_name"],
        template=payload["template"],
        items=lines,
        total=Money.from_minor(int(payload["total_minor"]), currency),
        letter_date=run_date,
        company_name=uow.company.name,
        company_settings=uow.company.settings,
        reference=row["reference"],
        message_id=row["message_id"],
    )


def _record(
    uow: UnitOfWork,
    row: Mapping[str, Any],
    notice: OutgoingNotice,
    outcome: NoticeOutcome,
    delivery: Delivery,
) -> None:
    today = uow.today()
    customer = uow.collections.customers_by_id([int(row["customer_id"])])[int(row["customer_id"])]
    sent = outcome.status == "sent"
    uow.collections.record_delivery(
        int(row["id"]),
        int(row["run_id"]),
        row["status"],
        today,
        status=outcome.status,
        reason=outcome.reason,
        channel=outcome.channel,
        recipient=notice.to or "",
        message_id=outcome.message_id or row["message_id"],
        location=outcome.location,
        sent_at=uow.now() if sent else None,
    )
    numbers = [n for n, _ in row["items"]]
    attempts = int(row["attempts"])
    uow.collections.add_activities(
        [
            {
                "customer_id": customer.id,
                "kind": "dunning",
                "on_date": today,
                "note": f"level {notice.level} ({notice.level_name}) {outcome.channel} "
                f"to {notice.to or '-'}: {', '.join(numbers)} total {notice.total}"
                + (f"; attempt {attempts}" if attempts > 1 else "")
                + (f"; failed: {outcome.reason}" if not sent else ""),
                "outcome": outcome.status,
                "message_id": outcome.message_id or row["message_id"],
                "created_by": uow.actor.username,
                "created_at": uow.now(),
            }
        ]
    )
    uow.audit(
        "dunning.send",
        "customer",
        customer.external_id,
        after={
            "level": notice.level,
            "channel": outcome.channel,
            "status": outcome.status,
            "reason": outcome.reason,
            "items": dict((n, lv) for n, lv in row["items"]),
            "total": str(notice.total),
            "attempts": attempts,
            "message_id": outcome.message_id or row["message_id"],
        },
    )
    delivery.messages.append(
        SentMessage(
            customer.external_id,
            notice.level,
            outcome.channel,
            notice.to or "",
            outcome.status,
            outcome.reason,
            tuple(numbers),
            notice.total,
            attempts,
            notice.letter_date,
        )
    )
    if sent:  # a level not delivered is not reached: its actions wait for the delivery
        _actions(uow, customer, notice, row["payload"].get("actions", []), numbers, delivery)


def _actions(
    uow: UnitOfWork,
    customer: Customer,
    notice: OutgoingNotice,
    actions: list[str],
    numbers: list[str],
    delivery: Delivery,
) -> None:
    today = uow.today()
    if DunningAction.HOLD.value in actions and not customer.on_hold:
        credit.place_hold_in(
            uow, customer, "dunning", f"dunning level {notice.level} ({notice.level_name})", today
        )
        delivery.holds.append(customer.external_id)
    for action in (DunningAction.ESCALATE_AGENCY, DunningAction.ESCALATE_LEGAL):
        if action.value in actions:
            uow.collections.add_activities(
                [
                    {
                        "customer_id": customer.id,
                        "kind": action.value,
                        "on_date": today,
                        "note": f"flagged for {action.value.replace('_', ' ')}: "
                        f"{', '.join(numbers)}",
                        "outcome": "flagged",
                        "created_by": uow.actor.username,
                        "created_at": uow.now(),
                    }
                ]
            )
            uow.audit(
                f"dunning.{action.value}",
                "customer",
                customer.external_id,
                after={"items": numbers, "level": notice.level},
            )
            delivery.escalations.append(customer.external_id)


# -- loading the states --------------------------------------------------------------------


def _states(
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
