"""BAI2 cash management balance reporting files.

A BAI2 file is a sequence of comma-delimited records, each ending in ``/``::

    01 file header
      02 group header (one per bank / as-of date)
        03 account identifier and summary amounts
          16 transaction detail  (88 continues it)
        49 account trailer: control total and record count
      98 group trailer
    99 file trailer

Reading it well takes four rules the naive "split on commas" misses:

1. **Logical records.** A physical line that does not start with a record
   code continues the previous record; several records may share one line
   (``.../   02,...``). An ``88`` continues the previous record and *starts a
   new field*: ``03,...,190/`` + ``88,500000,...`` is type ``190`` then amount
   ``500000``, never ``190500000``.
2. **Variable positions.** The funds type of a 16 record (and of each 03
   summary) decides how many fields follow: ``S`` adds three amounts, ``V`` a
   value date and time, ``D`` a count and that many (days, amount) pairs.
3. **Free text.** The 16 record's last field is free text that may contain
   commas and slashes; it runs to the end of the record and its 88s.
4. **Signs.** Detail amounts are unsigned integers in minor units; the type
   code gives the direction (100-399 credit, 400-699 debit).

Control totals (49 account, 98 group, 99 file) are recomputed from the
records and stated as ``ControlCheck`` items; see ``_common.Report.finish``
for strict versus lenient handling. A blank trailer amount is "not stated".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from owed.adapters.bankfiles._common import (
    Report,
    currency_of,
    decode,
    digits,
    from_minor,
    parse_date,
    signed_digits,
)
from owed.domain.money import Currency
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    ParseOptions,
    Statement,
    StatementLine,
)

FORMAT = "bai2"

_CODES = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})
_RECORD_START = re.compile(r"\s*\d\d,")
_INLINE_SPLIT = re.compile(r"/\s+(?=(?:01|02|03|16|49|88|98|99),)")
_RECORD = re.compile(r"\s*(\d\d),(.*)", re.S)

# Type codes that say how the money moved. Ranges are inclusive.
_METHOD_CODES: tuple[tuple[int, int, Method], ...] = (
    (115, 119, Method.LOCKBOX),  # lockbox deposit, item in lockbox, adjustments
    (140, 169, Method.ACH),  # ACH credits: 142 received, 165 preauthorized, 169 misc
    (191, 196, Method.WIRE),  # incoming internal / money transfers, 195 wire, 196 adj.
    (206, 208, Method.WIRE),  # book transfer, international money transfer credit
    (171, 176, Method.CHECK),  # deposits, deposit correction, check deposit package
    (301, 301, Method.CHECK),  # commercial deposit
    (450, 469, Method.ACH),  # ACH debits: 451 received, 455 preauthorized, 469 misc
    (471, 479, Method.CHECK),  # checks paid
    (491, 498, Method.WIRE),  # outgoing transfers, 495 outgoing wire
    (506, 508, Method.WIRE),
)
# Debits that return an earlier credit (deposited item returned, ACH return).
_REVERSAL_CODES = frozenset({555, 557})

_PAYER_KEY = re.compile(
    r"(?:\bORIG CO NAME\s*:|\bORIGINATOR(?: NAME)?\s*:=?|\bBY ORDER OF\s*:?|\bB/O\s*:|"
    r"\bORG\s*:=?|\bDBNM\s*:)\s*",
    re.I,
)
_NEXT_KEY = re.compile(
    r"\s+(?:ORIG ID|DESC DATE|CO ENTRY DESCR|ENTRY DESCR|IND ID|IND NAME|[A-Z0-9#]{2,10})\s*:"
    r"|\s{3,}",
    re.I,
)


def sniff(data: bytes) -> bool:
    """A BAI2 file starts with a ``01,`` record that ends in ``/``."""
    head = data[:400].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"01,") and b"/" in head


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    report = Report(name, options.strict)
    reader = _Reader(report, options.default_currency)
    for record in _logical_records(decode(data), report):
        reader.feed(record)
    reader.end()
    return report.finish(FORMAT, reader.statements, file_id=reader.file_id)


# -- records -----------------------------------------------------------------


@dataclass
class _Record:
    code: str
    line: int
    pieces: list[str]  # the record's body, then the body of each 88 continuation
    raw: list[str]

    @property
    def position(self) -> str:
        return f"line {self.line}"

    def fields(self) -> list[str]:
        """Comma fields of a record without free text; each 88 starts a new field."""
        result: list[str] = []
        for piece in self.pieces:
            body = piece.strip()
            body = body[:-1] if body.endswith("/") else body
            result.extend(f.strip() for f in body.split(","))
        return result


def _logical_records(text: str, report: Report) -> list[_Record]:
    physical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if _RECORD_START.match(line) or not physical:
            physical.append((number, line.strip()))
        else:  # a wrapped line continues the record above it
            first, previous = physical[-1]
            physical[-1] = (first, f"{previous} {line.strip()}")
    records: list[_Record] = []
    for number, line in physical:
        for part in _INLINE_SPLIT.split(line):
            match = _RECORD.match(part)
            if match is None:
                report.problem(f"line {number}", f"not a BAI2 record: {part[:40]!r}")
                continue
            code, body = match.group(1), match.group(2)
            if code not in _CODES:
                report.problem(f"line {number}", f"record code {code!r} is not a BAI2 record type")
            elif code == "88":
                if not records:
                    report.problem(f"line {number}", "88 continuation with no record before it")
                else:
                    records[-1].pieces.append(body)
                    records[-1].raw.append(part)
            else:
                records.append(_Record(code, number, [body], [part]))
    return records


class _Cursor:
    """Reads the fields of a 16 record and its 88s, then the free text."""

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces
        self.index = 0
        self.pos = 0

    def field(self) -> str | None:
        while self.index < len(self.pieces):
            piece = self.pieces[self.index]
            if self.pos >= len(piece):
                self.index, self.pos = self.index + 1, 0
                continue
            comma = piece.find(",", self.pos)
            if comma == -1:  # the piece ends the field (88 starts a new one)
                value = piece[self.pos :]
                self.index, self.pos = self.index + 1, 0
                return _unslash(value)
            value = piece[self.pos : comma]
            self.pos = comma + 1
            return value.strip()
        return None

    def rest(self) -> list[str]:
        parts: list[str] = []
        if self.index < len(self.pieces):
            parts.append(self.pieces[self.index][self.pos :])
            parts.extend(self.pieces[self.index + 1 :])
        cleaned = [_unslash(p) for p in parts]
        return [p for p in cleaned if p]


def _unslash(text: str) -> str:
    value = text.strip()
    return value[:-1].rstrip() if value.endswith("/") else value


# -- the reader --------------------------------------------------------------


@dataclass
class _Account:
    record: _Record
    number: str
    currency: Currency
    as_of: date | None
    total: int = 0
    records: int = 0
    lines: list[StatementLine] = field(default_factory=list)
    opening: Decimal | None = None
    closing: Decimal | None = None


@dataclass
class _Group:
    record: _Record
    currency: Currency
    as_of: date | None
    total: int = 0
    records: int = 0
    accounts: int = 0


@dataclass
class _Reader:
    report: Report
    default_currency: str
    statements: list[Statement] = field(default_factory=list)
    file_id: str | None = None
    header: _Record | None = None
    trailer: _Record | None = None
    group: _Group | None = None
    account: _Account | None = None
    total: int = 0
    records: int = 0
    groups: int = 0

    def feed(self, rec: _Record) -> None:
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
    def _file_header(self, rec: _Record) -> None:
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

    def _group_header(self, rec: _Record) -> None:
        if self.group is not None:
            self.report.problem(rec.position, "02 group header before the previous group's 98")
        f = rec.fields()
        as_of = parse_date(f[3], "YYMMDD") if len(f) > 3 else None
        if as_of is None:
            shown = f[3] if len(f) > 3 else ""
            self.report.problem(rec.position, f"02 as-of date {shown!r} is not a YYMMDD date")
        code = f[5] if len(f) > 5 and f[5] else self.default_currency
        currency = currency_of(code, rec.position, self.report) or Currency.of("USD")
        self.group = _Group(rec, currency, as_of, records=len(rec.pieces))
        self.groups += 1

    def _account_header(self, rec: _Record) -> None:
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
        account = _Account(rec, number, currency, self.group.as_of, records=len(rec.pieces))
        self._summary(rec, f[2:], account)
        self.account = account
        self.group.accounts += 1

    def _summary(self, rec: _Record, f: list[str], account: _Account) -> None:
        """Status and summary amounts: type, amount, item count, funds type (+ its fields)."""
        i = 0
        while i < len(f):
            code = f[i]
            if not code:  # an empty field left by ",/" or a skipped type: not a summary
                i += 1
                continue
            amount_text = f[i + 1] if i + 1 < len(f) else ""
            funds = f[i + 3].upper() if i + 3 < len(f) else ""
            i += 4 + _funds_extra(funds, f, i + 4)
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
    def _detail(self, rec: _Record) -> None:
        account = self.account
        if account is None:
            self.report.problem(rec.position, "16 transaction outside an account (no 03)")
            return
        cursor = _Cursor(rec.pieces)
        code = cursor.field() or ""
        amount_text = cursor.field() or ""
        value_date = self._funds(rec, cursor)
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
                is_reversal=number in _REVERSAL_CODES,
                source_position=rec.position,
                raw="\n".join(rec.raw),
            )
        )

    def _funds(self, rec: _Record, cursor: _Cursor) -> date | None:
        """Consume the funds type and its fields; return a value date (type V)."""
        funds = (cursor.field() or "").upper()
        if funds in ("", "0", "1", "2", "Z"):
            return None
        if funds == "S":
            for _ in range(3):
                cursor.field()
            return None
        if funds == "V":
            text = cursor.field() or ""
            cursor.field()  # value time
            value_date = parse_date(text, "YYMMDD")
            if value_date is None:
                self.report.problem(rec.position, f"value date {text!r} is not a YYMMDD date")
            return value_date
        if funds == "D":
            count_text = cursor.field() or ""
            count = digits(count_text, rec.position, "distribution count", self.report)
            for _ in range(2 * min(count or 0, 1000)):
                if cursor.field() is None:
                    self.report.problem(rec.position, "fewer distributions than their count says")
                    break
            return None
        self.report.problem(rec.position, f"funds type {funds!r} is not one of 0 1 2 S V D Z")
        return None

    # -- trailers --
    def _account_trailer(self, rec: _Record) -> None:
        account = self.account
        if account is None:
            self.report.problem(rec.position, "49 account trailer with no open account")
            return
        f = rec.fields()
        what = f"account {account.number}"
        self._check(
            rec, f[0] if f else "", account.total, f"{what} control total", account.currency
        )
        self._check(rec, f[1] if len(f) > 1 else "", account.records, f"{what} record count", None)
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

    def _group_trailer(self, rec: _Record) -> None:
        group = self.group
        if group is None:
            self.report.problem(rec.position, "98 group trailer with no open group")
            return
        if self.account is not None:
            self.report.problem(rec.position, "98 group trailer before the account's 49 trailer")
            self._close_account()
        f = rec.fields()
        what = f"group at {group.record.position}"
        self._check(rec, f[0] if f else "", group.total, f"{what} control total", group.currency)
        self._check(rec, f[1] if len(f) > 1 else "", group.accounts, f"{what} account count", None)
        self._check(rec, f[2] if len(f) > 2 else "", group.records, f"{what} record count", None)
        self.total += group.total
        self.group = None

    def _file_trailer(self, rec: _Record) -> None:
        if self.group is not None:
            self.report.problem(rec.position, "99 file trailer before the group's 98 trailer")
            self.group = None
        self.trailer = rec
        f = rec.fields()
        currency = currency_of(self.default_currency, rec.position, self.report)
        self._check(rec, f[0] if f else "", self.total, "file control total", currency)
        self._check(rec, f[1] if len(f) > 1 else "", self.groups, "file group count", None)
        self._check(rec, f[2] if len(f) > 2 else "", self.records, "file record count", None)

    def _check(
        self, rec: _Record, stated_text: str, computed: int, what: str, currency: Currency | None
    ) -> None:
        """Record a control check; amounts shown in the currency's units, counts as is."""
        if not stated_text:
            self.report.warn(rec.position, f"{what} is blank (not stated); not checked")
            return
        stated = signed_digits(stated_text, rec.position, what, self.report)
        if stated is None:
            return
        if currency is None:
            self.report.control(rec.position, what, Decimal(stated), Decimal(computed))
        else:
            self.report.control(
                rec.position, what, from_minor(stated, currency), from_minor(computed, currency)
            )


def _funds_extra(funds: str, f: list[str], start: int) -> int:
    """How many fields a summary's funds type adds after it."""
    if funds == "S":
        return 3
    if funds == "V":
        return 2
    if funds == "D":
        count = f[start] if start < len(f) else ""
        n = int(count) if count.isascii() and count.isdigit() and len(count) <= 4 else 0
        return 1 + 2 * n
    return 0


def method_for(type_code: int) -> Method:
    """The payment method a BAI2 detail type code implies (OTHER when it does not say)."""
    for low, high, method in _METHOD_CODES:
        if low <= type_code <= high:
            return method
    return Method.OTHER


def payer_name(text_parts: list[str]) -> str | None:
    """The payer's name where the text carries one (``ORIG CO NAME:``, ``ORG:=``...)."""
    for part in text_parts:
        key = _PAYER_KEY.search(part)
        if key is None:
            continue
        rest = part[key.end() :]
        stop = _NEXT_KEY.search(rest)
        name = (rest[: stop.start()] if stop else rest).strip(" ,;")
        if name:
            return name[:140]
    return None
