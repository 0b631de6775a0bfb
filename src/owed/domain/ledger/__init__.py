"""Double-entry ledger: accounts, balanced journal entries, fiscal periods."""

from owed.domain.ledger.accounts import SYSTEM_ACCOUNTS, Account, AccountType, SystemAccount
from owed.domain.ledger.journal import JournalEntry, JournalLine, reverse
from owed.domain.ledger.periods import FiscalCalendar, PeriodStatus

__all__ = [
    "SYSTEM_ACCOUNTS",
    "Account",
    "AccountType",
    "FiscalCalendar",
    "JournalEntry",
    "JournalLine",
    "PeriodStatus",
    "SystemAccount",
    "reverse",
]
