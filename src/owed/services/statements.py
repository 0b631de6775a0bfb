"""Statements of account: open-item and activity (balance forward), printed and mailed.

* **Open item** as of D: every document open as of D (rebuilt from dated
  settlements), oldest due first, with a running balance; opening balance 0,
  closing balance = Σ open; an aging of the same items (domain ``age_items``).
* **Activity** for the month of D up to D: opening balance = open as of the
  day before the month starts; then documents issued (invoice / debit memo as
  debit, credit memo as credit) and settlements dated in the range
  (a settlement reduces its document's open amount, so it is a credit on an
  invoice and a debit on a credit memo; reversals are negative and so flip),
  with a running balance; closing = opening + activity = open as of D.

A statement is per customer and currency. The service talks to two ports:
``StatementRenderer`` (a ``Statement`` → PDF bytes) and ``StatementMailer``
(sends the PDF with the covering email, returns ``MailOutcome``); adapters
implement them (``owed.adapters.statements``).

``run_statements`` (``owed statement run --period``) sends the open-item
statement as of the period end to every customer with a non-zero balance, at
most once per (period, customer, currency): a ``statement_runs`` row with
status ``sent`` is never sent again; a ``failed`` one is retried. Each
statement's row is committed as soon as it is sent (one transaction per
statement, not per run), so a run cut short never re-sends what it sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from owed.domain.auth import Permission
from owed.domain.collections.aging import AgingItem, age_items
from owed.domain.errors import InvalidInput, NotFound, RuleViolation
from owed.domain.ledger.periods import parse_period
from owed.domain.money import Currency, Money
from owed.services.delivery import MailOutcome
from owed.services.unit_of_work import CompanyRef, UnitOfWork

KINDS = ("open_item", "activity")
SETTLEMENT_TEXT = {
    "payment": "Payment",
    "credit_memo": "Credit memo applied",
    "discount": "Discount",
    "write_off": "Write-off",
    "deduction": "Deduction",
    "bank_fee": "Bank fee",
    "opening": "Paid before import",
    "void": "Voided",
}


@dataclass(frozen=True)
class StatementLine:
    on: date
    document: str
    description: str
    debit: Money | None
    credit: Money | None
    balance: Money
    due_date: date | None = None


@dataclass(frozen=True)
class Statement:
    customer: Any  # services.customers.Customer
    as_of: date
    kind: str
    currency: str
    lines: tuple[StatementLine, ...]
    opening: Money
    closing: Money
    period_start: date | None = None
    period_end: date | None = None
    aging: tuple[tuple[str, Money], ...] = ()


class StatementRenderer(Protocol):
    def __call__(self, statement: Statement, company: CompanyRef) -> bytes: ...


class StatementMailer(Protocol):
    channel: str

    def __call__(
        self, statement: Statement, company: CompanyRef, pdf: bytes, to: str
    ) -> MailOutcome: ...


# -- building ----------------------------------------------------------------------
def _open_item(customer: Any, currency: str, items: list[Any], as_of: date) -> Statement:
    cur = Currency.of(currency)
    balance = Money.zero(cur)
    lines = []
    for i in items:
        amount = Money.from_minor(int(i.open_minor), cur)
        balance += amount
        lines.append(
            StatementLine(
                i.issue_date,
                i.number,
                i.kind.replace("_", " ").capitalize(),
                amount if amount.amount > 0 else None,
                -amount if amount.amount < 0 else None,
                balance,
                i.due_date,
            )
        )
    aging = age_items(
        [
            AgingItem(
                str(customer.id),
                i.number,
                currency,
                cur.from_minor(int(i.open_minor)),
                i.issue_date,
                i.due_date,
            )
            for i in items
            if int(i.open_minor) > 0
        ],
        as_of,
    )
    cells = aging.totals_by_currency().get(cur.code, {})
    buckets = tuple((label, cells[label]) for label in aging.labels if label in cells)
    return Statement(
        customer,
        as_of,
        "open_item",
        cur.code,
        tuple(lines),
        Money.zero(cur),
        balance,
        aging=buckets,
    )


def _activity(
    customer: Any,
    currency: str,
    opening_minor: int,
    docs: list[Any],
    settled: list[Any],
    start: date,
    as_of: date,
) -> Statement:
    cur = Currency.of(currency)
    events: list[tuple[date, int, str, str, int, date | None]] = []
    for d in docs:
        sign = -1 if d.kind == "credit_memo" else 1
        events.append(
            (
                d.issue_date,
                0,
                d.number,
                d.kind.replace("_", " ").capitalize(),
                sign * int(d.total_minor),
                d.due_date,
            )
        )
    for s in settled:
        sign = 1 if s.document_kind == "credit_memo" else -1
        events.append(
            (
                s.on_date,
                1,
                s.number,
                SETTLEMENT_TEXT.get(s.kind, s.kind),
                sign * int(s.amount_minor),
                None,
            )
        )
    balance = Money.from_minor(opening_minor, cur)
    opening = balance
    lines = []
    for on, _, number, text, minor, due in sorted(events, key=lambda e: (e[0], e[1], e[2])):
        amount = Money.from_minor(minor, cur)
        balance += amount
        lines.append(
            StatementLine(
                on,
                number,
                text,
                amount if minor > 0 else None,
                -amount if minor < 0 else None,
                balance,
                due,
            )
        )
    return Statement(
        customer, as_of, "activity", cur.code, tuple(lines), opening, balance, start, as_of
    )


def build_statements(
    uow: UnitOfWork, as_of: date, kind: str, customer_ids: Iterable[int] | None = None
) -> list[Statement]:
    """Statements for the given customers (all with a balance or activity when None)."""
    if kind not in KINDS:
        raise InvalidInput(f"statement kind must be one of {', '.join(KINDS)}, not {kind!r}")
    wanted = set(customer_ids) if customer_ids is not None else None
    customers = {c.id: c for c in uow.customers.list(None, None)}
    repo = uow.reporting
    out: list[Statement] = []
    if kind == "open_item":
        grouped: dict[tuple[int, str], list[Any]] = defaultdict(list)
        for i in repo.open_items(as_of):
            if wanted is None or int(i.customer_id) in wanted:
                grouped[(int(i.customer_id), i.currency)].append(i)
        for (cid, cur), items in sorted(grouped.items()):
            out.append(_open_item(customers[cid], cur, items, as_of))
        return out
    start = as_of.replace(day=1)
    opening: dict[tuple[int, str], int] = defaultdict(int)
    for i in repo.open_items(start - timedelta(days=1)):
        opening[(int(i.customer_id), i.currency)] += int(i.open_minor)
    docs: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for d in repo.documents_issued(start, as_of):
        docs[(int(d.customer_id), d.currency)].append(d)
    settled: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for s in repo.settlements_between(start, as_of):
        settled[(int(s.customer_id), s.currency)].append(s)
    for key in sorted(set(opening) | set(docs) | set(settled)):
        if wanted is not None and key[0] not in wanted:
            continue
        out.append(
            _activity(
                customers[key[0]],
                key[1],
                opening.get(key, 0),
                docs.get(key, []),
                settled.get(key, []),
                start,
                as_of,
            )
        )
    return out


# -- one customer ----------------------------------------------------------------------
@dataclass(frozen=True)
class GetStatement:
    customer: str  # external id
    as_of: date
    kind: str = "open_item"


def get_statement(cmd: GetStatement, uow: UnitOfWork) -> list[Statement]:
    """The customer's statement per currency (empty list: nothing open, no activity)."""
    with uow:
        uow.require(Permission.READ)
        customer_id = uow.reporting.customer_id_of(cmd.customer)
        if customer_id is None:
            raise NotFound("customer", cmd.customer)
        return build_statements(uow, cmd.as_of, cmd.kind, [customer_id])


@dataclass(frozen=True)
class SendStatement:
    customer: str
    as_of: date
    kind: str = "open_item"
    to: str | None = None


def send_statement(
    cmd: SendStatement, uow: UnitOfWork, render: StatementRenderer, mailer: StatementMailer
) -> list[MailOutcome]:
    with uow:
        uow.require(Permission.COLLECT)
        customer_id = uow.reporting.customer_id_of(cmd.customer)
        if customer_id is None:
            raise NotFound("customer", cmd.customer)
        statements = build_statements(uow, cmd.as_of, cmd.kind, [customer_id])
        if not statements:
            raise RuleViolation(f"customer {cmd.customer} has nothing to state as of {cmd.as_of}")
        outcomes = []
        for st in statements:
            to = cmd.to or st.customer.billing_email()
            if not to:
                raise RuleViolation(
                    f"customer {cmd.customer} has no billing contact or email: "
                    "add one with `owed customer update`"
                )
            outcome = mailer(st, uow.company, render(st, uow.company), to)
            uow.audit(
                "statement.send",
                "customer",
                cmd.customer,
                after={
                    "as_of": cmd.as_of.isoformat(),
                    "kind": cmd.kind,
                    "currency": st.currency,
                    "to": to,
                    "status": outcome.status,
                    "reason": outcome.reason,
                },
            )
            outcomes.append(outcome)
        uow.commit()
        return outcomes


# -- the monthly run -------------------------------------------------------------------
@dataclass(frozen=True)
class RunStatements:
    period: str  # YYYY-MM: statements as of its last day


@dataclass(frozen=True)
class StatementRunResult:
    period: str
    sent: int
    failed: int
    skipped_already_sent: int
    no_address: list[str]
    failures: list[tuple[str, str]]  # (customer, reason)


def run_statements(
    cmd: RunStatements, uow: UnitOfWork, render: StatementRenderer, mailer: StatementMailer
) -> StatementRunResult:
    _, end = parse_period(cmd.period)
    with uow:
        uow.require(Permission.COLLECT)
        done = uow.reporting.statement_runs(cmd.period)
        sent = failed = skipped = 0
        no_address: list[str] = []
        failures: list[tuple[str, str]] = []
        for st in build_statements(uow, end, "open_item"):
            if st.closing.is_zero():
                continue
            previous = done.get((st.customer.id, st.currency))
            if previous is not None and previous.status == "sent":
                skipped += 1
                continue
            to = st.customer.billing_email()
            if not to:
                no_address.append(st.customer.external_id)
                outcome = MailOutcome("failed", None, "no billing contact or email")
            else:
                outcome = mailer(st, uow.company, render(st, uow.company), to)
            uow.reporting.record_statement(
                {
                    "period": cmd.period,
                    "customer_id": st.customer.id,
                    "currency": st.currency,
                    "kind": "open_item",
                    "as_of": end,
                    "balance_minor": st.closing.to_minor(),
                    "channel": mailer.channel if to else "none",
                    "recipient": to or "",
                    "status": outcome.status,
                    "reason": outcome.reason,
                    "message_id": outcome.message_id,
                    "location": outcome.location,
                    "run_by": uow.actor.username,
                    "run_at": uow.now(),
                },
                int(previous.id) if previous is not None else None,
            )
            uow.audit(
                "statement.send",
                "customer",
                st.customer.external_id,
                before={"status": previous.status} if previous is not None else None,
                after={
                    "period": cmd.period,
                    "currency": st.currency,
                    "to": to or "",
                    "status": outcome.status,
                    "reason": outcome.reason,
                },
            )
            uow.commit()  # per statement: a run cut short keeps what it already sent
            if outcome.status == "sent":
                sent += 1
            else:
                failed += 1
                failures.append((st.customer.external_id, outcome.reason))
        return StatementRunResult(cmd.period, sent, failed, skipped, no_address, failures)
