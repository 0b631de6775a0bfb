"""The chart of accounts.

Every company starts with the AR system accounts below; users may add their
own (e.g. several revenue or bank accounts). Code depends on the *role* of a
system account (``SystemAccount.AR_CONTROL``), never on its number, so a
company may renumber its chart to match its ERP.

Signs: a journal line's amount is positive for a debit and negative for a
credit. An account's natural balance is debit for assets and expenses,
credit for liabilities, equity and revenue; contra accounts (allowance,
sales discounts) carry the opposite of their type's natural side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)


class SystemAccount(StrEnum):
    """Roles the AR system posts to."""

    AR_CONTROL = "ar_control"
    BANK = "bank"
    UNAPPLIED_CASH = "unapplied_cash"
    REVENUE = "revenue"
    TAX_PAYABLE = "tax_payable"
    SALES_DISCOUNTS = "sales_discounts"
    DEDUCTIONS_CLEARING = "deductions_clearing"
    BAD_DEBT_EXPENSE = "bad_debt_expense"
    ALLOWANCE = "allowance_doubtful"
    FX_GAIN_LOSS = "fx_gain_loss"
    WRITE_OFF = "small_balance_write_off"
    CUSTOMER_CREDITS = "customer_credits"
    BANK_FEES = "bank_fees"
    OPENING_BALANCE = "opening_balance"


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: AccountType
    role: SystemAccount | None = None


SYSTEM_ACCOUNTS: tuple[Account, ...] = (
    Account("1000", "Bank", AccountType.ASSET, SystemAccount.BANK),
    Account("1200", "Accounts receivable (control)", AccountType.ASSET, SystemAccount.AR_CONTROL),
    Account("1250", "Deductions clearing", AccountType.ASSET, SystemAccount.DEDUCTIONS_CLEARING),
    Account("1290", "Allowance for doubtful accounts", AccountType.ASSET, SystemAccount.ALLOWANCE),
    Account("2100", "Unapplied cash", AccountType.LIABILITY, SystemAccount.UNAPPLIED_CASH),
    Account("2150", "Customer credits", AccountType.LIABILITY, SystemAccount.CUSTOMER_CREDITS),
    Account("2200", "Sales tax payable", AccountType.LIABILITY, SystemAccount.TAX_PAYABLE),
    Account("3900", "Opening balance equity", AccountType.EQUITY, SystemAccount.OPENING_BALANCE),
    Account("4000", "Revenue", AccountType.REVENUE, SystemAccount.REVENUE),
    Account("4900", "Sales discounts", AccountType.REVENUE, SystemAccount.SALES_DISCOUNTS),
    Account("6100", "Bad debt expense", AccountType.EXPENSE, SystemAccount.BAD_DEBT_EXPENSE),
    Account("6150", "Small balance write-offs", AccountType.EXPENSE, SystemAccount.WRITE_OFF),
    Account("6200", "Bank fees", AccountType.EXPENSE, SystemAccount.BANK_FEES),
    Account("7100", "Realized FX gain/loss", AccountType.EXPENSE, SystemAccount.FX_GAIN_LOSS),
)
