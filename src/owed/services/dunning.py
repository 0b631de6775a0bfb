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
5. ``send_queued`` delivers each queued (or failed, or abandoned) message in
   its own short transactions, and the actions that depend on a notice going
   out (credit hold, escalation) happen when it is sent. ``run_dunning`` calls
   it after committing (also when the day's run already happened, so a later
   run retries what failed); ``owed dunning send`` calls it alone.

While a message is queued or failed, its items wait (``awaiting_delivery``):
the message is retried, never replaced by a new one.

One consolidated message per customer and currency: a notice whose items are
in two currencies goes out as two messages (the templates total one currency).

This module holds the run and the queueing (steps 1, 3 and 4). Beside it:

* ``dunning_selection``: the policies (company setting ``dunning_policies``,
  see ``policies_from_settings``, else ``DEFAULT_POLICY``) and the customers'
  states loaded in bulk (step 2);
* ``dunning_sending``: the ``NoticeSender`` port and the delivery of queued
  messages with the actions a sent notice triggers (step 5).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.collections.dunning import select
from owed.domain.collections.dunning_policy import DunningPolicy
from owed.domain.collections.dunning_run import DunningNotice, DunningRun, Exclusion
from owed.domain.errors import ConfigurationError
from owed.services import credit
from owed.services.customers import Customer
from owed.services.dunning_selection import customer_states, policies_from_settings
from owed.services.dunning_sending import NoticeSender, SentMessage, send_queued
from owed.services.promises import evaluate_commitments
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RunDunning:
    dry_run: bool = False


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
            states, external, doc_ids = customer_states(uow, commitments, last_run)
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
