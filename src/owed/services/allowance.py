"""The allowance for doubtful accounts: proposed at the close, posted by another person.

``propose_allowance`` multiplies the aging per currency (bucket sums) by the
company's percentages per bucket (setting ``"allowance_percentages"``, per
cent, keyed by bucket label; defaults below) and compares the target with the
allowance account's balance. ``store_proposals`` keeps one pending proposal per
currency to adjust (superseding the period's earlier ones); a *different*
person with the approve permission posts it with ``decide_allowance``, dated
the period end::

    increase:  Dr bad debt expense / Cr allowance for doubtful accounts
    decrease:  Dr allowance for doubtful accounts / Cr bad debt expense
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission, check_different_people
from owed.domain.collections.aging import Buckets
from owed.domain.errors import ConfigurationError, Conflict, InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.ledger import account, post_entries
from owed.services.unit_of_work import UnitOfWork

DEFAULT_ALLOWANCE_PERCENTAGES: dict[str, Decimal] = {
    "current": Decimal("0.5"),
    "1-30": Decimal(2),
    "31-60": Decimal(5),
    "61-90": Decimal(10),
    "91-120": Decimal(25),
    "over 120": Decimal(50),
}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class AllowanceLine:
    bucket: str
    open_amount: Decimal
    percent: Decimal
    allowance: Decimal  # unrounded open × percent ÷ 100


@dataclass(frozen=True)
class AllowanceProposal:
    currency: str
    current: Decimal  # allowance balance (credit positive)
    target: Decimal
    lines: tuple[AllowanceLine, ...]
    proposal_id: int | None = None

    @property
    def adjustment(self) -> Decimal:
        return self.target - self.current


def allowance_percentages(uow: UnitOfWork, buckets: Buckets) -> dict[str, Decimal]:
    raw = uow.company.settings.get("allowance_percentages")
    if raw is None:
        chosen = dict(DEFAULT_ALLOWANCE_PERCENTAGES)
    else:
        chosen = {}
        for label, value in dict(raw).items():
            try:
                chosen[str(label)] = Decimal(str(value))
            except ArithmeticError:
                raise ConfigurationError(
                    f"allowance_percentages: {label!r} is not a number: {value!r}"
                ) from None
    unknown = set(chosen) - set(buckets.labels)
    if unknown:
        raise ConfigurationError(
            f"allowance_percentages: unknown bucket(s) {sorted(unknown)}; "
            f"the buckets are {list(buckets.labels)}"
        )
    for label, pct in chosen.items():
        if not Decimal(0) <= pct <= HUNDRED:
            raise ConfigurationError(f"allowance_percentages: {label} must be 0..100, got {pct}")
    return {label: chosen.get(label, Decimal(0)) for label in buckets.labels}


def propose_allowance(
    uow: UnitOfWork, aging: dict[str, dict[str, Decimal]], buckets: Buckets, end: date
) -> list[AllowanceProposal]:
    percentages = allowance_percentages(uow, buckets)
    balances = uow.reporting.account_balances(account(uow, SystemAccount.ALLOWANCE), end)
    out = []
    for cur in sorted(set(aging) | set(balances)):
        cells = aging.get(cur, {})
        lines = tuple(
            AllowanceLine(
                label,
                cells.get(label, Decimal(0)),
                percentages[label],
                cells.get(label, Decimal(0)) * percentages[label] / HUNDRED,
            )
            for label in buckets.labels
        )
        target = Money(sum((ln.allowance for ln in lines), Decimal(0)), cur).round().amount
        current = -Currency.of(cur).from_minor(balances.get(cur, 0))  # a credit balance
        out.append(AllowanceProposal(cur, current, target, lines))
    return out


def store_proposals(
    uow: UnitOfWork, period: str, as_of: date, proposals: list[AllowanceProposal]
) -> list[AllowanceProposal]:
    """Supersede pending proposals of the period; store one per currency to adjust."""
    for old in uow.reporting.pending_proposals(period):
        uow.reporting.decide_proposal(
            int(old.id), "proposed", {"status": "superseded", "decided_at": uow.now()}
        )
        uow.audit(
            "allowance.supersede",
            "allowance_proposal",
            int(old.id),
            before={"status": "proposed"},
            after={"status": "superseded"},
        )
    stored = []
    for p in proposals:
        if p.adjustment == 0:
            stored.append(p)
            continue
        cur = Currency.of(p.currency)
        detail = [
            {
                "bucket": ln.bucket,
                "open": str(ln.open_amount),
                "percent": str(ln.percent),
                "allowance": str(ln.allowance),
            }
            for ln in p.lines
        ]
        pid = uow.reporting.add_proposal(
            {
                "period": period,
                "as_of": as_of,
                "currency": cur.code,
                "current_minor": cur.to_minor(p.current),
                "target_minor": cur.to_minor(p.target),
                "adjustment_minor": cur.to_minor(p.adjustment),
                "detail": json.dumps(detail),
                "status": "proposed",
                "proposed_by": uow.actor.username,
                "proposed_at": uow.now(),
            }
        )
        uow.audit(
            "allowance.propose",
            "allowance_proposal",
            pid,
            after={
                "currency": cur.code,
                "current": str(p.current),
                "target": str(p.target),
                "adjustment": str(p.adjustment),
            },
        )
        stored.append(AllowanceProposal(p.currency, p.current, p.target, p.lines, pid))
    return stored


# -- approving the allowance ---------------------------------------------------------
@dataclass(frozen=True)
class DecideAllowance:
    proposal_id: int
    approve: bool = True
    note: str = ""


def decide_allowance(cmd: DecideAllowance, uow: UnitOfWork) -> int | None:
    """Approve (post; returns the journal entry id) or reject a pending allowance proposal."""
    with uow:
        uow.require(Permission.APPROVE)
        row = uow.reporting.get_proposal(cmd.proposal_id)
        if row is None:
            raise NotFound("allowance proposal", cmd.proposal_id)
        if row.status != "proposed":
            raise RuleViolation(f"allowance proposal {cmd.proposal_id} is {row.status}")
        check_different_people(
            uow.actor,
            row.proposed_by,
            Permission.APPROVE.value,
            "whoever proposes the allowance does not approve it",
        )
        before = {"status": "proposed"}
        if not cmd.approve:
            if not cmd.note.strip():
                raise InvalidInput("rejecting an allowance proposal needs a note")
            _decide(uow, row, {"status": "rejected", "decision_note": cmd.note})
            uow.audit(
                "allowance.reject",
                "allowance_proposal",
                int(row.id),
                before=before,
                after={"status": "rejected", "note": cmd.note},
            )
            uow.commit()
            return None
        entry_id = _post_allowance(uow, row)
        _decide(uow, row, {"status": "approved", "decision_note": cmd.note, "entry_id": entry_id})
        uow.audit(
            "allowance.approve",
            "allowance_proposal",
            int(row.id),
            before=before,
            after={"status": "approved", "entry": entry_id},
        )
        uow.commit()
        return entry_id


def _decide(uow: UnitOfWork, row: Any, values: dict[str, Any]) -> None:
    values = {**values, "decided_by": uow.actor.username, "decided_at": uow.now()}
    if not uow.reporting.decide_proposal(int(row.id), "proposed", values):
        raise Conflict(f"allowance proposal {row.id} was decided by someone else meanwhile")


def _post_allowance(uow: UnitOfWork, row: Any) -> int:
    allowance = account(uow, SystemAccount.ALLOWANCE)
    expense = account(uow, SystemAccount.BAD_DEBT_EXPENSE)
    balance = uow.reporting.account_balances(allowance, row.as_of).get(row.currency, 0)
    if -balance != int(row.current_minor):
        raise Conflict(
            f"the allowance balance changed since proposal {row.id} was made "
            f"(then {Currency.of(row.currency).from_minor(int(row.current_minor))}, now "
            f"{Currency.of(row.currency).from_minor(-balance)}): run the close again"
        )
    amount = Money.from_minor(int(row.adjustment_minor), row.currency)
    target = Money.from_minor(int(row.target_minor), row.currency)
    text = f"Allowance for doubtful accounts {row.period}: to {target}"
    entry = JournalEntry(
        row.as_of,
        text,
        (JournalLine(expense, amount, memo=text), JournalLine(allowance, -amount, memo=text)),
        "allowance",
        int(row.id),
    )
    (entry_id,) = post_entries(uow, [entry])
    return int(entry_id)
