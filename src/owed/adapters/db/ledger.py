"""Ledger persistence: accounts, periods, journal entries and balances."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, and_, func, select
from sqlalchemy.exc import DBAPIError

from owed.adapters.db.errors import translated
from owed.adapters.db.ids import allocate_ids
from owed.adapters.db.schema import accounts, fiscal_periods, journal_entries, journal_lines
from owed.domain.ledger import Account, AccountType, JournalEntry, JournalLine, SystemAccount
from owed.domain.ledger.periods import period_key
from owed.domain.money import Currency, Money


class LedgerRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id
        self._role_codes: dict[SystemAccount, str] | None = None

    # -- accounts ---------------------------------------------------------
    def add_account(self, account: Account, at: datetime) -> None:
        with translated():
            self.conn.execute(
                accounts.insert().values(
                    company_id=self.company_id,
                    code=account.code,
                    name=account.name,
                    type=account.type.value,
                    role=account.role.value if account.role else None,
                    created_at=at,
                )
            )
        self._role_codes = None

    def list_accounts(self) -> list[Account]:
        rows = self.conn.execute(
            select(accounts)
            .where(accounts.c.company_id == self.company_id)
            .order_by(accounts.c.code)
        )
        return [
            Account(r.code, r.name, AccountType(r.type), SystemAccount(r.role) if r.role else None)
            for r in rows
        ]

    def code_for(self, role: SystemAccount) -> str:
        if self._role_codes is None:
            rows = self.conn.execute(
                select(accounts.c.role, accounts.c.code).where(
                    accounts.c.company_id == self.company_id, accounts.c.role.is_not(None)
                )
            )
            self._role_codes = {SystemAccount(r.role): r.code for r in rows}
        return self._role_codes[role]

    def account_exists(self, code: str) -> bool:
        return (
            self.conn.execute(
                select(func.count())
                .select_from(accounts)
                .where(accounts.c.company_id == self.company_id, accounts.c.code == code)
            ).scalar_one()
            > 0
        )

    # -- periods ----------------------------------------------------------
    def closed_periods(self, periods: set[str]) -> set[str]:
        if not periods:
            return set()
        rows = self.conn.execute(
            select(fiscal_periods.c.period).where(
                fiscal_periods.c.company_id == self.company_id,
                fiscal_periods.c.period.in_(sorted(periods)),
                fiscal_periods.c.status == "closed",
            )
        )
        return {r.period for r in rows}

    def period_status(self, period: str) -> str:
        status = self.conn.execute(
            select(fiscal_periods.c.status).where(
                fiscal_periods.c.company_id == self.company_id,
                fiscal_periods.c.period == period,
            )
        ).scalar_one_or_none()
        return status or "open"

    def set_period_status(
        self, period: str, start: date, end: date, status: str, by: str, at: datetime
    ) -> None:
        exists = self.conn.execute(
            select(func.count())
            .select_from(fiscal_periods)
            .where(
                fiscal_periods.c.company_id == self.company_id,
                fiscal_periods.c.period == period,
            )
        ).scalar_one()
        values = {"status": status, "changed_by": by, "changed_at": at}
        if exists:
            self.conn.execute(
                fiscal_periods.update()
                .where(
                    fiscal_periods.c.company_id == self.company_id,
                    fiscal_periods.c.period == period,
                )
                .values(**values)
            )
        else:
            self.conn.execute(
                fiscal_periods.insert().values(
                    company_id=self.company_id,
                    period=period,
                    start_date=start,
                    end_date=end,
                    **values,
                )
            )

    def list_periods(self) -> list[tuple[str, str, str | None, datetime | None]]:
        rows = self.conn.execute(
            select(fiscal_periods)
            .where(fiscal_periods.c.company_id == self.company_id)
            .order_by(fiscal_periods.c.period)
        )
        return [(r.period, r.status, r.changed_by, r.changed_at) for r in rows]

    # -- journal ----------------------------------------------------------
    def add_entries(
        self, entries: Sequence[JournalEntry], posted_by: str, posted_at: datetime
    ) -> list[int]:
        """Bulk path: lines first, then headers (whose insert trigger checks the balance).

        Rows are plain tuples handed to the driver in one call per table
        (``insert_rows``); a ``JournalEntry`` is already balanced and exact, so
        each amount converts to minor units without a second check.
        """
        ids = allocate_ids(self.conn, "journal_entries", len(entries))
        if not ids:
            return ids
        cid = self.company_id
        line_rows: list[tuple[object, ...]] = []
        head_rows: list[tuple[object, ...]] = []
        add_line = line_rows.append
        periods: dict[date, str] = {}  # period_key memoised per distinct day
        # Values are bind-processed here (once per entry, memoised) rather than
        # per row in insert_rows: only the dates need it, and they repeat.
        line_day = binder(self.conn, journal_lines.c.entry_date)
        head_day = binder(self.conn, journal_entries.c.entry_date)
        posted = binder(self.conn, journal_entries.c.posted_at)(posted_at)
        for entry_id, entry in zip(ids, entries, strict=True):
            day = entry.entry_date
            bound_day = line_day(day)
            for no, (line, minor) in enumerate(
                zip(entry.lines, entry.minor_amounts, strict=True), start=1
            ):
                add_line(
                    (
                        entry_id,
                        no,
                        cid,
                        bound_day,
                        line.account,
                        line.amount.currency.code,
                        minor,
                        line.customer_id,
                        line.document_type,
                        line.document_id,
                        line.memo,
                    )
                )
            period = periods.get(day)
            if period is None:
                period = periods[day] = period_key(day)
            head_rows.append(
                (
                    entry_id,
                    cid,
                    head_day(day),
                    period,
                    entry.description,
                    entry.source_type,
                    entry.source_id,
                    entry.reverses_id,
                    posted_by,
                    posted,
                )
            )
        with translated():
            insert_rows(self.conn, journal_lines, _LINE_COLUMNS, line_rows, bound=True)
            insert_rows(self.conn, journal_entries, _HEAD_COLUMNS, head_rows, bound=True)
        return ids

    def get_entry(self, entry_id: int) -> JournalEntry | None:
        head = self.conn.execute(
            select(journal_entries).where(
                journal_entries.c.company_id == self.company_id, journal_entries.c.id == entry_id
            )
        ).one_or_none()
        if head is None:
            return None
        lines = self.conn.execute(
            select(journal_lines)
            .where(journal_lines.c.entry_id == entry_id)
            .order_by(journal_lines.c.line_no)
        )
        return JournalEntry(
            entry_date=head.entry_date,
            description=head.description,
            lines=tuple(
                JournalLine(
                    account=ln.account_code,
                    amount=Money.from_minor(ln.amount_minor, ln.currency),
                    customer_id=ln.customer_id,
                    document_type=ln.document_type,
                    document_id=ln.document_id,
                    memo=ln.memo,
                )
                for ln in lines
            ),
            source_type=head.source_type,
            source_id=head.source_id,
            reverses_id=head.reverses_id,
            id=head.id,
        )

    def reversal_of(self, entry_id: int) -> int | None:
        return self.conn.execute(
            select(journal_entries.c.id).where(
                journal_entries.c.company_id == self.company_id,
                journal_entries.c.reverses_id == entry_id,
            )
        ).scalar_one_or_none()

    def entries_for_source(self, source_type: str, source_id: int) -> list[int]:
        return list(
            self.conn.execute(
                select(journal_entries.c.id)
                .where(
                    journal_entries.c.company_id == self.company_id,
                    journal_entries.c.source_type == source_type,
                    journal_entries.c.source_id == source_id,
                )
                .order_by(journal_entries.c.id)
            ).scalars()
        )

    # -- balances ---------------------------------------------------------
    def balances(self, as_of: date | None = None) -> dict[tuple[str, str], Money]:
        """Net balance (debit positive) per (account, currency)."""
        cond = [journal_lines.c.company_id == self.company_id]
        if as_of is not None:
            cond.append(journal_lines.c.entry_date <= as_of)
        rows = self.conn.execute(
            select(
                journal_lines.c.account_code,
                journal_lines.c.currency,
                func.sum(journal_lines.c.amount_minor).label("net"),
            )
            .where(and_(*cond))
            .group_by(journal_lines.c.account_code, journal_lines.c.currency)
        )
        return {
            (r.account_code, r.currency): Money.from_minor(int(r.net), r.currency) for r in rows
        }

    def account_balance(self, code: str, currency: str, as_of: date | None = None) -> Money:
        cond = [
            journal_lines.c.company_id == self.company_id,
            journal_lines.c.account_code == code,
            journal_lines.c.currency == Currency.of(currency).code,
        ]
        if as_of is not None:
            cond.append(journal_lines.c.entry_date <= as_of)
        net = self.conn.execute(
            select(func.coalesce(func.sum(journal_lines.c.amount_minor), 0)).where(and_(*cond))
        ).scalar_one()
        return Money.from_minor(int(net), currency)

    def customer_balances(
        self, account_code: str, as_of: date | None = None, customer_id: int | None = None
    ) -> dict[tuple[int, str], Money]:
        """Per-customer balance of one account (the AR subledger when it is AR control)."""
        cond = [
            journal_lines.c.company_id == self.company_id,
            journal_lines.c.account_code == account_code,
            journal_lines.c.customer_id.is_not(None),
        ]
        if as_of is not None:
            cond.append(journal_lines.c.entry_date <= as_of)
        if customer_id is not None:
            cond.append(journal_lines.c.customer_id == customer_id)
        rows = self.conn.execute(
            select(
                journal_lines.c.customer_id,
                journal_lines.c.currency,
                func.sum(journal_lines.c.amount_minor).label("net"),
            )
            .where(and_(*cond))
            .group_by(journal_lines.c.customer_id, journal_lines.c.currency)
        )
        return {
            (int(r.customer_id), r.currency): Money.from_minor(int(r.net), r.currency) for r in rows
        }

    def entry_count(self) -> int:
        return self.conn.execute(
            select(func.count())
            .select_from(journal_entries)
            .where(journal_entries.c.company_id == self.company_id)
        ).scalar_one()


_LINE_COLUMNS = (
    "entry_id", "line_no", "company_id", "entry_date", "account_code", "currency",
    "amount_minor", "customer_id", "document_type", "document_id", "memo",
)  # fmt: skip
_HEAD_COLUMNS = (
    "id", "company_id", "entry_date", "period", "description", "source_type", "source_id",
    "reverses_id", "posted_by", "posted_at",
)  # fmt: skip


def binder(conn: Connection, column: Column[Any]) -> Callable[[Any], Any]:
    """``column``'s bind processor on this connection, memoised per value.

    The identity when the type needs none. For callers of ``insert_rows``
    that bind values themselves (``bound=True``).
    """
    dialect = conn.dialect
    return _memoised(column.type.dialect_impl(dialect).bind_processor(dialect))


def reader(conn: Connection, column: Column[Any]) -> Callable[[Any], Any]:
    """``column``'s result processor on this connection, memoised per value (None stays
    None). For rows read past SQLAlchemy's per-row processing (``exec_driver_sql``)."""
    dialect = conn.dialect
    convert = _memoised(column.type.dialect_impl(dialect).result_processor(dialect, None))
    return lambda value: None if value is None else convert(value)


def _memoised(proc: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """``proc`` computed once per distinct value; the identity when there is none."""
    if proc is None:
        return _identity
    memo: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if value in memo:
            return memo[value]
        result = memo[value] = proc(value)
        return result

    return once


def _identity(value: Any) -> Any:
    return value


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: list[tuple[object, ...]],
    *,
    bound: bool = False,
) -> None:
    """Insert many rows in one driver call, past SQLAlchemy's per-row processing.

    PostgreSQL: ``COPY ... FROM STDIN`` on the connection's own transaction
    (row triggers fire for COPY as for INSERT). SQLite: ``executemany``.
    Values go through each column type's bind processor (dates become the
    text SQLite stores), memoised per distinct value, so rows read back
    exactly as rows written through SQLAlchemy. Driver errors are raised as
    SQLAlchemy's ``DBAPIError`` like any other statement's. ``bound=True``:
    the caller already bound every value (see ``binder``).
    """
    if not rows:
        return
    dialect = conn.dialect
    names = ", ".join(columns)
    processors = (
        []
        if bound
        else [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    )
    if any(processors):
        cols = [list(col) for col in zip(*rows, strict=True)]
        for i, proc in enumerate(processors):
            if proc is not None:
                memo: dict[object, object] = {}
                cols[i] = [memo[v] if v in memo else memo.setdefault(v, proc(v)) for v in cols[i]]
        rows = list(zip(*cols, strict=True))
    if dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
        return
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    if not conn.in_transaction():
        conn.begin()  # the copy must belong to the transaction SQLAlchemy commits
    driver: Any = conn.connection.driver_connection  # the psycopg connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
