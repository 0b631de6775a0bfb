"""The dunning run: who gets which reminder today, sending it, and recording it.

``run_dunning`` is one transaction:

1. promises and plans are evaluated from cash application (a broken one is
   recorded and no longer protects its items);
2. the customers' states are loaded in bulk (open items with their disputed
   amount and last level, unapplied cash and credits, blocked flags) and the
   domain's ``select`` decides the notices and every exclusion with its reason;
3. with ``dry_run`` nothing is written and the preview is returned;
4. otherwise a ``dunning_runs`` row for (company, today) is inserted first:
   a second run the same day finds it and sends nothing (and two concurrent
   runs collide on its unique key); each notice goes out through the
   ``NoticeSender`` port (email over SMTP, the outbox folder, or a PDF letter),
   and the message (sent / failed + reason, message id), the item levels
   (only when sent), a timeline entry and an audit record are written;
5. actions, once the notice went out: a level with the ``hold`` action puts
   the customer on credit hold (audited); a level with ``escalate_agency``
   records an ``escalate_agency`` timeline entry and audit event for the
   placement export; customers over
   their credit limit are put on hold too (``credit.auto_holds``).

One consolidated message per customer and currency: a notice whose items are
in two currencies goes out as two messages (the templates total one currency).
Policies come from the company setting ``dunning_policies`` (see
``policies_from_settings``), else ``DEFAULT_POLICY``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from owed.domain.auth import Permission
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
            "dunning_4",
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
                    str(lv.get("template", f"dunning_{min(int(lv['number']), 4)}")),
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


@dataclass(frozen=True)
class NoticeOutcome:
    channel: str  # email | outbox | letter
    status: str  # sent | failed
    message_id: str | None = None
    reason: str = ""
    location: str | None = None


class NoticeSender(Protocol):
    def __call__(self, notice: OutgoingNotice) -> NoticeOutcome: ...


# -- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunDunning:
    dry_run: bool = False


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


@dataclass
class DunningResult:
    today: date
    dry_run: bool
    already_ran: bool
    run: DunningRun
    customers: dict[str, str]  # customer id (as in the run) -> external id
    messages: list[SentMessage] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    commitment_changes: list[tuple[str, int, str, str]] = field(default_factory=list)

    def exclusions_for(self, external_id: str) -> list[Exclusion]:
        key = next((k for k, v in self.customers.items() if v == external_id), None)
        return [] if key is None else self.run.why_not(key)


def run_dunning(cmd: RunDunning, uow: UnitOfWork, sender: NoticeSender | None) -> DunningResult:
    with uow:
        uow.require(Permission.COLLECT)
        today = uow.today()
        last_run = uow.collections.last_run_date()
        commitments = evaluate_commitments(
            uow, today, record=not cmd.dry_run and (last_run is None or last_run < today)
        )
        states, external, doc_ids = _states(uow, commitments, last_run)
        policies = policies_from_settings(uow.company.settings)
        run = select(states, policies, today)
        result = DunningResult(
            today, cmd.dry_run, last_run is not None and last_run >= today, run, external
        )
        result.commitment_changes = [
            (k, key, external.get(str(c), str(c)), str(after))
            for k, key, c, _, after in commitments.changes
        ]
        if cmd.dry_run or result.already_ran:
            return result
        if sender is None:
            raise ConfigurationError("a dunning run needs a way to send (SMTP or outbox)")
        run_id = uow.collections.add_run(today, len(run.notices), uow.actor.username, uow.now())
        customers = uow.collections.customers_by_id([int(n.customer_id) for n in run.notices])
        sent = failed = 0
        for notice in run.notices:
            customer = customers[int(notice.customer_id)]
            policy = next(p for p in policies if p.name == notice.policy)
            outcomes = _send(uow, run_id, notice, policy, customer, doc_ids, sender, today, result)
            sent += outcomes.count("sent")
            failed += len(outcomes) - outcomes.count("sent")
            if "sent" in outcomes:  # a level not delivered is not reached: no action yet
                _actions(uow, notice, customer, today, result)
        result.holds += credit.auto_holds(uow, today, exclude=set(result.holds))
        uow.collections.finish_run(run_id, sent, failed)
        uow.audit(
            "dunning.run",
            "dunning_run",
            today.isoformat(),
            after={
                "notices": len(run.notices),
                "sent": sent,
                "failed": failed,
                "excluded": len(run.exclusions),
            },
        )
        uow.commit()
        return result


def _states(
    uow: UnitOfWork, commitments: Any, last_run: date | None
) -> tuple[list[CustomerDunningState], dict[str, str], dict[str, int]]:
    customers = uow.collections.dunning_customers()
    items_by_customer: dict[int, list[DunningItem]] = {}
    doc_ids: dict[str, int] = {}
    currencies: dict[str, Currency] = {}
    for row in uow.collections.open_items():
        doc_ids[row.number] = row.id
        cur = currencies.get(row.currency)
        if cur is None:
            cur = currencies[row.currency] = Currency.of(row.currency)
        promise, plan = item_protection(commitments, row.customer_id, row.number)
        items_by_customer.setdefault(row.customer_id, []).append(
            DunningItem(
                document=row.number,
                currency=cur.code,
                due_date=row.due_date,
                open_amount=_from_minor(cur, row.open_minor),
                disputed_amount=_from_minor(cur, row.disputed_minor),
                promise=promise,
                plan=plan,
                last_level=row.last_level,
                last_sent_on=row.last_sent_on,
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


def _send(
    uow: UnitOfWork,
    run_id: int,
    notice: DunningNotice,
    policy: DunningPolicy,
    customer: Customer,
    doc_ids: Mapping[str, int],
    sender: NoticeSender,
    today: date,
    result: DunningResult,
) -> list[str]:
    outcomes = []
    for code in sorted(notice.totals):
        lines = tuple(
            NoticeLine(i.document, i.due_date, i.days_overdue, i.dunned_amount)
            for i in notice.items
            if i.dunned_amount.currency.code == code
        )
        levels = {
            i.document: i.level for i in notice.items if i.dunned_amount.currency.code == code
        }
        level = max(levels.values())
        level_def = policy.level(level) or notice.level
        to = customer.billing_email()
        outgoing = OutgoingNotice(
            customer=customer,
            to=to,
            channel=level_def.channel,
            level=level,
            level_name=level_def.name,
            template=level_def.template,
            items=lines,
            total=notice.totals[code],
            letter_date=today,
            company_name=uow.company.name,
            company_settings=uow.company.settings,
            reference=f"D-{today.isoformat()}-{customer.external_id}-{code}",
        )
        if level_def.channel is Channel.EMAIL and not to:
            outcome = NoticeOutcome("email", "failed", reason="customer has no email address")
        else:
            outcome = sender(outgoing)
        message_id = uow.collections.add_message(
            run_id=run_id,
            customer_id=customer.id,
            level=level,
            channel=outcome.channel,
            recipient=to or "",
            status=outcome.status,
            reason=outcome.reason,
            message_id=outcome.message_id,
            location=outcome.location,
            items=[[n, lv] for n, lv in levels.items()],
            created_at=uow.now(),
        )
        if outcome.status == "sent":
            uow.collections.add_levels(
                [(doc_ids[n], lv, today, message_id) for n, lv in levels.items()]
            )
        uow.collections.add_activities(
            [
                {
                    "customer_id": customer.id,
                    "kind": "dunning",
                    "on_date": today,
                    "note": f"level {level} ({level_def.name}) {outcome.channel} to {to or '-'}: "
                    f"{', '.join(levels)} total {notice.totals[code]}"
                    + (f"; failed: {outcome.reason}" if outcome.status != "sent" else ""),
                    "outcome": outcome.status,
                    "message_id": outcome.message_id,
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
                "level": level,
                "channel": outcome.channel,
                "status": outcome.status,
                "reason": outcome.reason,
                "items": levels,
                "total": str(notice.totals[code]),
            },
        )
        result.messages.append(
            SentMessage(
                customer.external_id,
                level,
                outcome.channel,
                to or "",
                outcome.status,
                outcome.reason,
                tuple(levels),
                notice.totals[code],
            )
        )
        outcomes.append(outcome.status)
    return outcomes


def _actions(
    uow: UnitOfWork,
    notice: DunningNotice,
    customer: Customer,
    today: date,
    result: DunningResult,
) -> None:
    if DunningAction.HOLD in notice.actions and not customer.on_hold:
        credit.place_hold_in(
            uow,
            customer,
            "dunning",
            f"dunning level {notice.level.number} ({notice.level.name})",
            today,
        )
        result.holds.append(customer.external_id)
    for action in (DunningAction.ESCALATE_AGENCY, DunningAction.ESCALATE_LEGAL):
        if action in notice.actions:
            items = [i.document for i in notice.items]
            uow.collections.add_activities(
                [
                    {
                        "customer_id": customer.id,
                        "kind": action.value,
                        "on_date": today,
                        "note": f"flagged for {action.value.replace('_', ' ')}: {', '.join(items)}",
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
                after={"items": items, "level": notice.level.number},
            )
            result.escalations.append(customer.external_id)
