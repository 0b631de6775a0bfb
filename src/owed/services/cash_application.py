"""Cash application: the matching run.

The matching itself is pure (``owed.domain.cash_application``);
``run_cash_application`` feeds it from the database in batches (receipts to
match, every open item, the customers, earlier receipts for the duplicate
guard, what corrections taught) and persists its decisions: the confident
ones are applied and posted, every receipt's match status and proposal is
recorded, short pays open deduction disputes, and each batch commits.
``cash_settings.match_settings`` reads the company's matching policy.

Beside this module:

* ``cash_postings``: posting one or many applications (journal entry,
  settlements, application rows; the posting is in docs/ledger.md), for the
  run and for the people working the queue;
* ``cash_rows``: receipt rows into ``Receipt``s, a decision into posting
  lines, proposals to and from the JSON stored with the receipt;
* ``cash_corrections`` (apply by hand, accept a suggestion), ``cash_learning``,
  ``cash_unapply`` and ``cash_reading`` (the exception queue, the applications
  export): what people do with what the run leaves.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.cash_application.conservation import check_conservation
from owed.domain.cash_application.engine import consume, match_receipt
from owed.domain.cash_application.index import MatchContext
from owed.domain.cash_application.model import Decision, Receipt
from owed.domain.money import Money
from owed.services.cash_postings import PendingApplication, post_applications
from owed.services.cash_rows import (
    document_of,
    lines_from_decision,
    proposal_json,
    receipt_from_row,
)
from owed.services.cash_settings import match_settings
from owed.services.disputes import open_deduction_disputes
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RunCashApplication:
    receipt_ids: tuple[int, ...] | None = None
    batch: int = 1000


@dataclass
class RunResult:
    receipts: int = 0
    auto_applied: int = 0
    exceptions: int = 0
    applied_value: dict[str, Money] = field(default_factory=dict)
    total_value: dict[str, Money] = field(default_factory=dict)
    by_rule: Counter[str] = field(default_factory=Counter)
    decisions: list[Decision] = field(default_factory=list)
    # Where the run's time went, for benchmarks (seconds, monotonic clock):
    # "prepare" (reading receipts, open items, customers; building the index),
    # "match" (the rules) and "persist" (postings, rows, audit, commits).
    seconds: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(("prepare", "match", "persist"), 0.0)
    )


def run_cash_application(
    cmd: RunCashApplication,
    uow: UnitOfWork,
    progress: Callable[[int], None] | None = None,
    keep_decisions: bool = False,
) -> RunResult:
    result = RunResult()
    clock = time.perf_counter
    started = clock()
    # The run holds every open item, the index and the receipts for its whole length:
    # the cyclic collector would re-scan them every few thousand allocations (a second
    # or so per full pass at 10^5 items) to find almost nothing; the few cycles wait.
    with uow, collector_paused():
        uow.require(Permission.APPLY_CASH)
        rows = uow.cash.receipts_to_match(cmd.receipt_ids)
        if not rows:
            return result
        settings = match_settings(uow)
        items = uow.cash.open_items()
        context = MatchContext.build(
            items,
            uow.cash.customer_infos(),
            earlier_receipts=earlier_receipts(uow, rows, settings.duplicate_window_days),
        )
        items_by_id = {item.id: item for item in items}
        knowledge = uow.cash.knowledge()
        result.seconds["prepare"] += clock() - started
        for start in range(0, len(rows), cmd.batch):
            chunk = rows[start : start + cmd.batch]
            started = clock()
            pending: list[dict[str, Any]] = []
            decided: list[tuple[dict[str, Any], Decision]] = []
            for row in chunk:
                receipt = receipt_from_row(row)
                decision = match_receipt(receipt, context, knowledge, settings)
                check_conservation(receipt, decision)
                consume(context, decision)
                result.receipts += 1
                cur = receipt.currency
                amount = Money(receipt.amount, cur)
                result.total_value[cur] = result.total_value.get(cur, Money.zero(cur)) + amount
                if keep_decisions:
                    result.decisions.append(decision)
                if decision.auto:
                    result.auto_applied += 1
                    result.by_rule[decision.rule] += 1
                    result.applied_value[cur] = result.applied_value.get(
                        cur, Money.zero(cur)
                    ) + Money(receipt.amount - decision.unapplied, cur)
                    decided.append((row, decision))
                else:
                    result.exceptions += 1
                pending.append(
                    {
                        "rid": row["id"],
                        "ms": "auto" if decision.auto else "exception",
                        "cid": decision.customer_id,
                        "prop": json.dumps(proposal_json(decision)),
                    }
                )
            result.seconds["match"] += clock() - started
            started = clock()
            item_ids = {a.item_id for _, d in decided for a in d.allocations} | {
                a.item_id for _, d in decided for a in d.adjustments if a.item_id is not None
            }
            documents = {i: document_of(items_by_id[i]) for i in item_ids if i in items_by_id}
            batch: list[PendingApplication] = []
            for row, decision in decided:
                lines, credit = lines_from_decision(decision, row["currency"], documents)
                batch.append(
                    PendingApplication(
                        row,
                        decision.customer_id,
                        lines,
                        credit,
                        "auto",
                        decision.rule,
                        decision.confidence,
                        decision.explanation,
                    )
                )
            post_applications(uow, batch, take_cash=False)
            taken = {p.receipt["id"]: p.cash for p in batch}
            uow.cash.record_matches(
                [
                    (m["rid"], m["ms"], m["cid"], m["prop"], taken.get(m["rid"], 0), cur)
                    for m, cur in zip(pending, (row["currency"] for row in chunk), strict=True)
                ]
            )
            # Short pays found in this batch (services.disputes): only its documents are read.
            open_deduction_disputes(
                uow, {ln.document["id"] for p in batch for ln in p.lines if ln.deduction}
            )
            uow.audit(
                "cashapp.run",
                "receipts",
                f"{chunk[0]['id']}-{chunk[-1]['id']}",
                after={
                    "receipts": len(chunk),
                    "auto": sum(1 for p in pending if p["ms"] == "auto"),
                },
            )
            uow.commit()
            result.seconds["persist"] += clock() - started
            if progress:
                progress(len(chunk))
    return result


def earlier_receipts(
    uow: UnitOfWork, rows: Sequence[dict[str, Any]], window_days: int
) -> list[Receipt]:
    """Receipts applied before this run that a receipt of ``rows`` could repeat.

    The duplicate guard flags a receipt identical to one valued at most
    ``window_days`` away, so only receipts valued within that many days of a
    receipt to match can matter: those (kind ``receipt``, cash applied in full
    or in part, not among ``rows``) are loaded, nothing older. Receipts still
    in the queue are among ``rows`` and the run remembers them as it goes.
    """
    days = {
        day + timedelta(days=k)
        for day in {r["value_date"] for r in rows}
        for k in range(-window_days, window_days + 1)
    }
    skip = {r["id"] for r in rows}
    return [receipt_from_row(r) for r in uow.cash.applied_receipts_on(days) if r["id"] not in skip]
