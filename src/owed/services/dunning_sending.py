"""Sending dunning messages: the ``NoticeSender`` port and the delivery of the outbox.

``run_dunning`` (``services.dunning``) queues one ``dunning_messages`` row per
customer and currency and commits; ``send_queued`` then delivers every queued
(or failed, or abandoned while ``sending``) message. Each is claimed in its own
short transaction (``sending``, attempts + 1), sent through the
``NoticeSender`` port with no transaction open, and its outcome recorded in
another short transaction (``sent`` with the message id / ``failed`` with the
reason), with a timeline entry and an audit record. ``run_dunning`` calls it
after committing; ``owed dunning send`` (``send_dunning``) calls it alone.

Actions that depend on the notice going out happen when it is sent, in the
same transaction as the ``sent`` outcome: a level with ``hold`` puts the
customer on credit hold (audited); ``escalate_agency`` / ``escalate_legal``
write a timeline entry and audit event for the placement export.

A message whose sender died mid-way stays ``sending``; after ``CLAIM_TIMEOUT``
it is retried with the same Message-ID, so a receiver that got the first
attempt can recognise it. The sender adapters (email, outbox folder, letter)
are in ``adapters.dunning_delivery``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from owed.domain.auth import Permission
from owed.domain.collections.dunning_policy import Channel, DunningAction
from owed.domain.money import Currency, Money
from owed.services import credit
from owed.services.customers import Customer
from owed.services.unit_of_work import UnitOfWork


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


CLAIM_TIMEOUT = timedelta(minutes=15)  # a message `sending` for longer was abandoned


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
class Delivery:
    """What one call of ``send_queued`` did."""

    messages: list[SentMessage] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)


def send_dunning(cmd: SendDunning, uow: UnitOfWork, sender: NoticeSender) -> Delivery:
    """``owed dunning send``: deliver what earlier runs queued or failed to send."""
    return send_queued(uow, sender)


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
