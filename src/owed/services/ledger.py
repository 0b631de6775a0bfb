"""Ledger use cases: posting, reversing, periods, balances.

``post_entries`` is the one path every capability posts through: it refuses
dates in closed periods, unknown accounts, and (via the domain) unbalanced
entries, then writes them in bulk. Use cases that call it have already
checked their own permission.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from owed.domain.auth import Permission
from owed.domain.errors import ClosedPeriod, InvalidInput, NotFound, RuleViolation
from owed.domain.ledger import Account, AccountType, JournalEntry, JournalLine, SystemAccount
from owed.domain.ledger import reverse as reverse_entry_lines
from owed.domain.ledger.periods import parse_period, period_key
from owed.domain.money import Money
from owed.services.unit_of_work import UnitOfWork


def post_entries(uow: UnitOfWork, entries: Sequence[JournalEntry]) -> list[int]:
    """Post balanced entries (already built) inside the caller's transaction."""
    if not entries:
        return []
    periods = {period_key(e.entry_date) for e in entries}
    closed = uow.ledger.closed_periods(periods)
    if closed:
        first = min(closed)
        day = min(e.entry_date for e in entries if period_key(e.entry_date) == first)
        raise ClosedPeriod(first, day)
    known = {a.code for a in uow.ledger.list_accounts()}
    for e in entries:
        for line in e.lines:
            if line.account not in known:
                raise NotFound("account", line.account)
    return uow.ledger.add_entries(entries, uow.actor.username, uow.now())  # type: ignore[no-any-return]


def posting_dates(uow: UnitOfWork, days: Sequence[date]) -> dict[date, date]:
    """Where an event dated ``day`` posts: on its day while that period is open and the
    day is not in the future, else today (a bank file may report a transaction dated in
    a period that is already closed; it is booked in the current one)."""
    today = uow.today()
    closed = uow.ledger.closed_periods({period_key(d) for d in days})
    return {d: d if d <= today and period_key(d) not in closed else today for d in days}


def account(uow: UnitOfWork, role: SystemAccount) -> str:
    """The account code that plays ``role`` in this company's chart."""
    return uow.ledger.code_for(role)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ManualLine:
    account: str
    debit: Money | None = None
    credit: Money | None = None
    customer_id: int | None = None
    memo: str = ""


@dataclass(frozen=True)
class PostManualEntry:
    entry_date: date
    description: str
    lines: tuple[ManualLine, ...]


def post_manual_entry(cmd: PostManualEntry, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.POST_JOURNAL)
        lines = []
        for ln in cmd.lines:
            if (ln.debit is None) == (ln.credit is None):
                raise InvalidInput(f"line on {ln.account}: give a debit or a credit, not both")
            amount = ln.debit if ln.debit is not None else -ln.credit  # type: ignore[operator]
            lines.append(JournalLine(ln.account, amount, customer_id=ln.customer_id, memo=ln.memo))
        entry = JournalEntry(cmd.entry_date, cmd.description, tuple(lines), "manual")
        (entry_id,) = post_entries(uow, [entry])
        uow.audit("journal.post", "journal_entry", entry_id, after=_entry_summary(entry))
        uow.commit()
        return entry_id


@dataclass(frozen=True)
class ReverseEntry:
    entry_id: int
    on: date | None = None
    reason: str = ""


def reverse_entry(cmd: ReverseEntry, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.POST_JOURNAL)
        original = uow.ledger.get_entry(cmd.entry_id)
        if original is None:
            raise NotFound("journal entry", cmd.entry_id)
        if original.reverses_id is not None:
            raise RuleViolation(f"entry {cmd.entry_id} is itself a reversal; post a new entry")
        already = uow.ledger.reversal_of(cmd.entry_id)
        if already is not None:
            raise RuleViolation(f"entry {cmd.entry_id} was already reversed by entry {already}")
        rev = reverse_entry_lines(
            original,
            cmd.on or uow.today(),
            f"Reversal of entry {cmd.entry_id}" + (f": {cmd.reason}" if cmd.reason else ""),
        )
        (new_id,) = post_entries(uow, [rev])
        uow.audit(
            "journal.reverse",
            "journal_entry",
            new_id,
            after={"reverses": cmd.entry_id, "reason": cmd.reason},
        )
        uow.commit()
        return new_id


def _entry_summary(entry: JournalEntry) -> dict[str, object]:
    return {
        "date": entry.entry_date.isoformat(),
        "description": entry.description,
        "lines": [[ln.account, str(ln.amount), ln.customer_id] for ln in entry.lines],
    }


# -- periods ------------------------------------------------------------------
@dataclass(frozen=True)
class ClosePeriod:
    period: str


def lock_period(uow: UnitOfWork, period: str) -> None:
    """Mark a period closed inside the caller's transaction (after its checks)."""
    start, end = parse_period(period)
    if uow.ledger.period_status(period) == "closed":
        raise RuleViolation(f"period {period} is already closed")
    uow.ledger.set_period_status(period, start, end, "closed", uow.actor.username, uow.now())
    uow.audit(
        "period.close", "period", period, before={"status": "open"}, after={"status": "closed"}
    )


def close_period(cmd: ClosePeriod, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.CLOSE_PERIOD)
        lock_period(uow, cmd.period)
        uow.commit()


@dataclass(frozen=True)
class ReopenPeriod:
    period: str
    reason: str


def reopen_period(cmd: ReopenPeriod, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.CLOSE_PERIOD)
        if not cmd.reason.strip():
            raise InvalidInput("reopening a period needs a reason")
        start, end = parse_period(cmd.period)
        if uow.ledger.period_status(cmd.period) != "closed":
            raise RuleViolation(f"period {cmd.period} is not closed")
        uow.ledger.set_period_status(cmd.period, start, end, "open", uow.actor.username, uow.now())
        uow.audit(
            "period.reopen",
            "period",
            cmd.period,
            before={"status": "closed"},
            after={"status": "open", "reason": cmd.reason},
        )
        uow.commit()


def list_periods(uow: UnitOfWork) -> list[tuple[str, str, str | None, object]]:
    with uow:
        uow.require(Permission.READ)
        return uow.ledger.list_periods()  # type: ignore[no-any-return]


# -- balances -----------------------------------------------------------------
@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    currency: str
    debit: Money
    credit: Money


@dataclass(frozen=True)
class TrialBalance:
    as_of: date | None
    rows: list[TrialBalanceRow]

    def totals(self) -> dict[str, tuple[Money, Money]]:
        out: dict[str, tuple[Money, Money]] = {}
        for r in self.rows:
            d, c = out.get(r.currency, (Money.zero(r.currency), Money.zero(r.currency)))
            out[r.currency] = (d + r.debit, c + r.credit)
        return out

    @property
    def balanced(self) -> bool:
        return all(d == c for d, c in self.totals().values())


def trial_balance(uow: UnitOfWork, as_of: date | None = None) -> TrialBalance:
    with uow:
        uow.require(Permission.READ)
        by_code = {a.code: a for a in uow.ledger.list_accounts()}
        rows = []
        for (code, cur), net in sorted(uow.ledger.balances(as_of).items()):
            if net.is_zero():
                continue
            acct = by_code.get(code, Account(code, "(unknown)", AccountType.ASSET))
            zero = Money.zero(cur)
            rows.append(
                TrialBalanceRow(
                    acct, cur, net if net.amount > 0 else zero, -net if net.amount < 0 else zero
                )
            )
        return TrialBalance(as_of, rows)


def customer_balances(
    uow: UnitOfWork, as_of: date | None = None, customer_id: int | None = None
) -> dict[tuple[int, str], Money]:
    """The AR subledger: each customer's balance on the AR control account."""
    with uow:
        uow.require(Permission.READ)
        return uow.ledger.customer_balances(  # type: ignore[no-any-return]
            account(uow, SystemAccount.AR_CONTROL), as_of, customer_id
        )


def subledger_vs_control(
    uow: UnitOfWork, as_of: date | None = None
) -> dict[str, tuple[Money, Money]]:
    """Per currency: (sum of customer balances on AR control, AR control balance)."""
    with uow:
        uow.require(Permission.READ)
        code = account(uow, SystemAccount.AR_CONTROL)
        result: dict[str, tuple[Money, Money]] = {}
        totals: dict[str, Money] = {}
        for (_, cur), amount in uow.ledger.customer_balances(code, as_of).items():
            totals[cur] = totals.get(cur, Money.zero(cur)) + amount
        for (acct, cur), net in uow.ledger.balances(as_of).items():
            if acct == code:
                result[cur] = (totals.get(cur, Money.zero(cur)), net)
        for cur, amount in totals.items():
            result.setdefault(cur, (amount, Money.zero(cur)))
        return result
