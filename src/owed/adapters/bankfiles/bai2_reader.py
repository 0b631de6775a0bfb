"""BAI2 assembly: logical records into one ``Statement`` per account.

``Reader.feed`` takes the records in file order and keeps the open file, group
(02/98) and account (03/49). The 03 record gives the account, its currency and
its summary amounts (010 opening, 015 closing balance); each 16 becomes a
``StatementLine``; the 49 trailer closes the account into a ``Statement``.
While reading, it adds up the amounts and counts the records, accounts and
groups each trailer states, and checks them (``bai2_controls``). Records out
of order (a 16 outside an account, a second 01, anything after the 99) are
problems with their line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from owed.adapters.bankfiles._common import (
    Report,
    currency_of,
    digits,
    from_minor,
    parse_date,
    signed_digits,
)
from owed.adapters.bankfiles.bai2_controls import check_trailer
from owed.adapters.bankfiles.bai2_fields import (
    REVERSAL_CODES,
    funds_extra,
    method_for,
    payer_name,
    read_funds,
)
from owed.adapters.bankfiles.bai2_records import FieldCursor, Record
from owed.domain.money import Currency
from owed.domain.payments.statement import Direction, Statement, StatementLine


@dataclass
class Account:
    record: Record
    number: str
    currency: Currency
    as_of: date | None
    total: int = 0
    records: int = 0
    lines: list[StatementLine] = field(default_factory=list)
    opening: Decimal | None = None
    closing: Decimal | None = None


@dataclass
class Group:
    record: Record
    currency: Currency
    as_of: date | None
    total: int = 0
    records: int = 0
    accounts: int = 0


@dataclass
class Reader:
    report: Report
    default_currency: str
    statements: list[Statement] = field(default_factory=list)
    file_id: str | None = None
    header: Record | None = None
    trailer: Record | None = None
    group: Group | None = None
    account: Account | None = None
    total: int = 0
    records: int = 0
    groups: int = 0

    def feed(self, rec: Record) -> None:
        size = len(rec.pieces)
        if self.trailer is not None:
            self.report.problem(rec.position, f"{rec.code} record after the 99 file trailer")
            return
        if rec.code != "01" and self.header is None:
            self.report.problem(rec.position, f"{rec.code} record before the 01 file header")
            return
        self.records += size
        if self.group is not None:
            self.group.records += size
        if self.account is not None:
            self.account.records += size
        handler = {
            "01": self._file_header,
            "02": self._group_header,
            "03": self._account_header,
            "16": self._detail,
            "49": self._account_trailer,
            "98": self._group_trailer,
            "99": self._file_trailer,
        }[rec.code]
        handler(rec)

    def end(self) -> None:
        if self.header is None:
            if not self.report.problems:
                self.report.problem("line 1", "no 01 file header: not a BAI2 file")
            return
        if self.account is not None:
            self.report.problem(self.account.record.position, "account has no 49 trailer")
        if self.group is not None:
            self.report.problem(self.group.record.position, "group has no 98 trailer")
        if self.trailer is None:
            self.report.problem("end of file", "no 99 file trailer: the file may be truncated")

    # -- headers --
    def _file_header(self, rec: Record) -> None:
        if self.header is not None:
            self.report.problem(rec.position, "a second 01 file header")
            return
        self.header = rec
        self.records = len(rec.pieces)
        f = rec.fields()
        if len(f) < 5:
            self.report.problem(rec.position, "01 file header needs at least 5 fields")
            return
        if parse_date(f[2], "YYMMDD") is None:
            self.report.problem(rec.position, f"01 creation date {f[2]!r} is not a YYMMDD date")
        self.file_id = f[4] or None
        if len(f) > 7 and f[7] not in ("2", ""):
            self.report.warn(rec.position, f"version {f[7]!r}; read as BAI2 (version 2)")

    def _group_header(self, rec: Record) -> None:
        if self.group is not None:
            self.report.problem(rec.position, "02 group header before the previous group's 98")
        f = rec.fields()
        as_of = parse_date(f[3], "YYMMDD") if len(f) > 3 else None
        if as_of is None:
            shown = f[3] if len(f) > 3 else ""
            self.report.problem(rec.position, f"02 as-of date {shown!r} is not a YYMMDD date")
        code = f[5] if len(f) > 5 and f[5] else self.default_currency
        currency = currency_of(code, rec.position, self.report) or Currency.of("USD")
        self.group = Group(rec, currency, as_of, records=len(rec.pieces))
        self.groups += 1

    def _account_header(self, rec: Record) -> None:
        if self.group is None:
            self.report.problem(rec.position, "03 account record outside a group (no 02)")
            return
        if self.account is not None:
            self.report.problem(rec.position, "03 account record before the previous 49 trailer")
            self._close_account()
        f = rec.fields()
        number = f[0] if f else ""
        if not number:
            self.report.problem(rec.position, "03 record has no account number")
        currency = self.group.currency
        if len(f) > 1 and f[1]:
            currency = currency_of(f[1], rec.position, self.report) or currency
        account = Account(rec, number, currency, self.group.as_of, records=len(rec.pieces))
        self._summary(rec, f[2:], account)
        self.account = account
        self.group.accounts += 1

    def _summary(self, rec: Record, f: list[str], account: Account) -> None:
        """Status and summary amounts: type, amount, item count, funds type (+ its fields)."""
        i = 0
        while i < len(f):
            code = f[i]
            if not code:  # an empty field left by ",/" or a skipped type: not a summary
                i += 1
                continue
            amount_text = f[i + 1] if i + 1 < len(f) else ""
            funds = f[i + 3].upper() if i + 3 < len(f) else ""
            i += 4 + funds_extra(funds, f, i + 4)
            if not (code.isascii() and code.isdigit() and len(code) == 3):
                self.report.problem(rec.position, f"03 summary type code {code!r} is not 3 digits")
                continue
            if not amount_text:
                continue
            amount = signed_digits(amount_text, rec.position, f"03 amount for {code}", self.report)
            if amount is None:
                continue
            account.total += amount
            if code == "010":
                account.opening = from_minor(amount, account.currency)
            elif code == "015":
                account.closing = from_minor(amount, account.currency)

    # -- detail --
    def _detail(self, rec: Record) -> None:
        account = self.account
        if account is None:
            self.report.problem(rec.position, "16 transaction outside an account (no 03)")
            return
        cursor = FieldCursor(rec.pieces)
        code = cursor.field() or ""
        amount_text = cursor.field() or ""
        value_date = read_funds(rec, cursor, self.report)
        bank_ref = cursor.field() or ""
        customer_ref = cursor.field() or ""
        text_parts = cursor.rest()
        if not (code.isascii() and code.isdigit() and len(code) == 3):
            self.report.problem(rec.position, f"16 type code {code!r} is not 3 digits")
            return
        amount = digits(amount_text, rec.position, "16 amount", self.report)
        if amount is None:
            return
        account.total += amount
        number = int(code)
        if not 100 <= number <= 699:
            self.report.warn(
                rec.position,
                f"type code {code} is neither a credit (100-399) nor a debit (400-699): "
                "counted in the control total, not imported as a transaction",
            )
            return
        credit = number < 400
        account.lines.append(
            StatementLine(
                amount=from_minor(amount, account.currency),
                currency=account.currency.code,
                direction=Direction.CREDIT if credit else Direction.DEBIT,
                value_date=value_date or account.as_of,
                booking_date=account.as_of,
                bank_reference=bank_ref or None,
                customer_reference=customer_ref or None,
                type_code=code,
                method=method_for(number),
                payer_name=payer_name(text_parts),
                remittance_text=" ".join(text_parts),
                is_reversal=number in REVERSAL_CODES,
                source_position=rec.position,
                raw="\n".join(rec.raw),
            )
        )

    # -- trailers --
    def _account_trailer(self, rec: Record) -> None:
        account = self.account
        if account is None:
            self.report.problem(rec.position, "49 account trailer with no open account")
            return
        what = f"account {account.number}"
        check_trailer(
            self.report,
            rec,
            (account.total, f"{what} control total", account.currency),
            (account.records, f"{what} record count", None),
        )
        self._close_account()

    def _close_account(self) -> None:
        account = self.account
        if account is None or self.group is None:
            return
        self.group.total += account.total
        self.statements.append(
            Statement(
                account=account.number,
                currency=account.currency.code,
                lines=tuple(account.lines),
                opening_balance=account.opening,
                closing_balance=account.closing,
                as_of=account.as_of,
            )
        )
        self.account = None

    def _group_trailer(self, rec: Record) -> None:
        group = self.group
        if group is None:
            self.report.problem(rec.position, "98 group trailer with no open group")
            return
        if self.account is not None:
            self.report.problem(rec.position, "98 group trailer before the account's 49 trailer")
            self._close_account()
        what = f"group at {group.record.position}"
        check_trailer(
            self.report,
            rec,
            (group.total, f"{what} control total", group.currency),
            (group.accounts, f"{what} account count", None),
            (group.records, f"{what} record count", None),
        )
        self.total += group.total
        self.group = None

    def _file_trailer(self, rec: Record) -> None:
        if self.group is not None:
            self.report.problem(rec.position, "99 file trailer before the group's 98 trailer")
            self.group = None
        self.trailer = rec
        currency = currency_of(self.default_currency, rec.position, self.report)
        check_trailer(
            self.report,
            rec,
            (self.total, "file control total", currency),
            (self.groups, "file group count", None),
            (self.records, "file record count", None),
        )
