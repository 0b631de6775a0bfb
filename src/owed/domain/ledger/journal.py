"""Journal entries: built balanced, or not at all.

A ``JournalEntry`` can only be constructed when its lines balance per
currency (debits = credits) and every amount fits its currency's minor unit;
otherwise ``UnbalancedEntry`` / ``InexactAmount`` is raised. The database
refuses an unbalanced entry a second time (see docs/ledger.md). Entries are
append-only: ``reverse()`` builds the entry that cancels another.

A line tied to a customer and a document is part of the AR subledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from owed.domain.errors import InvalidInput, UnbalancedEntry
from owed.domain.money import Money


@dataclass(frozen=True)
class JournalLine:
    """One side of an entry. Positive amount = debit, negative = credit."""

    account: str
    amount: Money
    customer_id: int | None = None
    document_type: str | None = None
    document_id: int | None = None
    memo: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Money):  # a float or Decimal would lose the currency
            raise TypeError(
                f"journal line on {self.account}: amount must be Money, "
                f"not {type(self.amount).__name__}"
            )

    @classmethod
    def debit(cls, account: str, amount: Money, **kw: object) -> JournalLine:
        return cls(account, amount, **kw)  # type: ignore[arg-type]

    @classmethod
    def credit(cls, account: str, amount: Money, **kw: object) -> JournalLine:
        return cls(account, -amount, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class JournalEntry:
    entry_date: date
    description: str
    lines: tuple[JournalLine, ...]
    source_type: str = "manual"
    source_id: int | None = None
    reverses_id: int | None = None
    id: int | None = field(default=None, compare=False)
    # Each line's amount in integer minor units, computed once by the balance check.
    minor_amounts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.lines) < 2:
            raise InvalidInput("a journal entry needs at least two lines")
        sums: dict[str, int] = {}
        minors = []
        for line in self.lines:
            amount = line.amount
            minor = amount.to_minor()  # raises InexactAmount
            if minor == 0:
                raise InvalidInput(f"journal line on {line.account} has a zero amount")
            code = amount.currency.code
            sums[code] = sums.get(code, 0) + minor
            minors.append(minor)
        object.__setattr__(self, "minor_amounts", tuple(minors))
        if any(sums.values()):
            off = {cur: s for cur, s in sums.items() if s != 0}
            raise UnbalancedEntry({cur: Money.from_minor(s, cur).amount for cur, s in off.items()})

    @property
    def currencies(self) -> set[str]:
        return {line.amount.currency.code for line in self.lines}

    def total_debits(self, currency: str) -> Money:
        return sum(
            (
                ln.amount
                for ln in self.lines
                if ln.amount.amount > 0 and ln.amount.currency.code == currency
            ),
            Money.zero(currency),
        )


def reverse(entry: JournalEntry, on: date, description: str | None = None) -> JournalEntry:
    """The entry that cancels ``entry`` (same lines, opposite signs)."""
    if entry.id is None:
        raise InvalidInput("only a posted entry (with an id) can be reversed")
    return JournalEntry(
        entry_date=on,
        description=description or f"Reversal of entry {entry.id}: {entry.description}",
        lines=tuple(
            JournalLine(
                account=ln.account,
                amount=-ln.amount,
                customer_id=ln.customer_id,
                document_type=ln.document_type,
                document_id=ln.document_id,
                memo=ln.memo,
            )
            for ln in entry.lines
        ),
        source_type=entry.source_type,
        source_id=entry.source_id,
        reverses_id=entry.id,
    )
