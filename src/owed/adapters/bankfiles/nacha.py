"""NACHA ACH files: 94-character records.

::

    1 file header
      5 batch header (company name and id, SEC code, effective date)
        6 entry detail (transaction code, RDFI, account, amount, trace)
          7 addenda (05 remittance, 99 return, 10-18 IAT)
      8 batch control (entry/addenda count, entry hash, debit and credit totals)
    9 file control (batch, block and entry counts, hash, totals); 9999... padding

Direction follows the transaction code class NACHA itself uses in the
control totals: codes ending 1-4 credit the account of the party the entry
goes to, codes ending 5-9 debit it. An entry with a 99 addendum is a return:
``is_reversal=True``, the reason code (R01...) and original trace go into
``remittance_text``. Zero-amount entries (prenotes, notifications of change,
zero-dollar remittance) are counted in the controls but not imported.

Payer: for a credit the originator pays, so ``payer_name`` is the batch
header's company name (IAT: the originator name in addendum 11); for a debit
the receiver pays, so it is the entry's receiver name.

Remittance: CCD+/PPD+ addenda text is kept as ``remittance_text`` and any
``RMR`` segments in it become ``RemittanceLine``s. CTX addenda carry an X12
820 cut into 80-character pieces: they are joined in addendum sequence order
and read by ``x12_820.read_interchange``.

Record length: lines longer than 94 characters whose extra characters are
blanks are trimmed, shorter lines are padded with blanks, and a file without
line breaks is cut every 94 characters; each case is reported in
``warnings``. Fixed header fields (record size 094, blocking factor 10,
format code 1) are checked, which catches a record that lost a character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from owed.adapters.bankfiles import x12_820
from owed.adapters.bankfiles._common import (
    Report,
    ascii_digits,
    decimal_text,
    decode,
    digits,
    parse_date,
)
from owed.domain.money import Currency
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    ParseOptions,
    RemittanceLine,
    Statement,
    StatementLine,
)

FORMAT = "nacha"
WIDTH = 94
_USD = Currency.of("USD")
_CREDIT_CODES = frozenset({21, 22, 23, 24, 31, 32, 33, 34, 41, 42, 43, 44, 51, 52, 53, 54})
_DEBIT_CODES = frozenset({26, 27, 28, 29, 36, 37, 38, 39, 46, 47, 48, 49, 55, 56})
_RMR = re.compile(r"RMR\*[^\\~]*")


def sniff(data: bytes) -> bool:
    """A file header: ``1``, priority code, and record size/blocking/format ``094101``."""
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"1" and head[1:3].isdigit() and b"094101" in head[:60]


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    report = Report(name, options.strict)
    records = _records(decode(data), report)
    reader = _Reader(report, physical=len(records))
    for position, record in records:
        reader.feed(position, record)
    reader.end()
    return report.finish(FORMAT, reader.statements())


def _records(text: str, report: Report) -> list[tuple[str, str]]:
    """94-character records with their positions; odd lengths fixed or reported."""
    result: list[tuple[str, str]] = []
    long_lines = short_lines = streams = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > WIDTH and line[WIDTH:].strip() and len(line) % WIDTH == 0:
            streams += 1
            for k in range(0, len(line), WIDTH):
                result.append((f"line {number} record {k // WIDTH + 1}", line[k : k + WIDTH]))
            continue
        if len(line) > WIDTH:
            if line[WIDTH:].strip():
                report.problem(f"line {number}", f"record is {len(line)} characters, not {WIDTH}")
                continue
            long_lines += 1
            line = line[:WIDTH]
        elif len(line) < WIDTH:
            short_lines += 1
            line = line.ljust(WIDTH)
        result.append((f"line {number}", line))
    if streams:
        report.warn("file", "no line breaks between records: read as 94-character records")
    if long_lines:
        report.warn("file", f"{long_lines} line(s) longer than 94 characters: trailing blanks cut")
    if short_lines:
        report.warn("file", f"{short_lines} line(s) shorter than 94 characters: padded with blanks")
    return result


@dataclass
class _Entry:
    position: str
    record: str
    code: int
    amount: int
    addenda: list[tuple[str, str]] = field(default_factory=list)  # (position, record)


@dataclass
class _Batch:
    position: str
    record: str
    entries: list[_Entry] = field(default_factory=list)
    count: int = 0
    hash: int = 0
    debit: int = 0
    credit: int = 0

    @property
    def sec(self) -> str:
        return self.record[50:53]

    @property
    def company(self) -> str:
        return self.record[4:20].strip()

    def effective_date(self) -> date | None:
        return parse_date(self.record[69:75], "YYMMDD")


@dataclass
class _Reader:
    report: Report
    physical: int  # records in the file, padding included (for the block count)
    header: bool = False
    created: date | None = None  # file creation date: the fallback value date
    trailer: bool = False
    batch: _Batch | None = None
    lines: dict[str, list[StatementLine]] = field(default_factory=dict)
    batches: int = 0
    count: int = 0
    hash: int = 0
    debit: int = 0
    credit: int = 0
    skipped: int = 0

    def feed(self, where: str, rec: str) -> None:
        kind = rec[:1]
        if self.trailer:
            if set(rec) != {"9"}:
                self.report.problem(where, "record after the 9 file control record")
            return
        if kind != "1" and not self.header:
            self.report.problem(where, f"record type {kind!r} before the 1 file header")
            return
        if kind == "1":
            self._file_header(where, rec)
        elif kind == "5":
            self._batch_header(where, rec)
        elif kind == "6":
            self._entry(where, rec)
        elif kind == "7":
            self._addenda(where, rec)
        elif kind == "8":
            self._batch_control(where, rec)
        elif kind == "9":
            self._file_control(where, rec)
        else:
            self.report.problem(where, f"record type {kind!r} is not a NACHA record type")

    def end(self) -> None:
        if not self.header:
            if not self.report.problems:
                self.report.problem("line 1", "no 1 file header: not a NACHA file")
            return
        if self.batch is not None:
            self.report.problem(self.batch.position, "batch has no 8 batch control record")
        if not self.trailer:
            self.report.problem("end of file", "no 9 file control record: file may be truncated")
        if self.skipped:
            self.report.warn(
                "file", f"{self.skipped} zero-amount entries (prenote, NOC) not imported"
            )

    def _file_header(self, where: str, rec: str) -> None:
        if self.header:
            self.report.problem(where, "a second 1 file header")
            return
        self.header = True
        for columns, expected, what in (
            ((34, 37), "094", "record size"),
            ((37, 39), "10", "blocking factor"),
            ((39, 40), "1", "format code"),
        ):
            found = rec[columns[0] : columns[1]]
            if found != expected:
                self.report.problem(
                    where,
                    f"{what} (columns {columns[0] + 1}-{columns[1]}) is {found!r}, "
                    f"expected {expected!r}: a field is shifted",
                )
        self.created = parse_date(rec[23:29], "YYMMDD")
        if self.created is None:
            self.report.problem(where, f"file creation date {rec[23:29]!r} is not YYMMDD")

    def _batch_header(self, where: str, rec: str) -> None:
        if self.batch is not None:
            self.report.problem(where, "batch header before the previous batch's 8 record")
            self._close_batch()
        self.batch = _Batch(where, rec)
        self.batches += 1
        if self.batch.effective_date() is None:
            self.report.warn(
                where,
                f"effective entry date {rec[69:75]!r} is not YYMMDD: "
                "the file creation date is used as value date",
            )

    def _entry(self, where: str, rec: str) -> None:
        batch = self.batch
        if batch is None:
            self.report.problem(where, "entry detail record outside a batch (no 5 header)")
            return
        code = digits(rec[1:3], where, "transaction code", self.report)
        rdfi = digits(rec[3:11], where, "receiving DFI id", self.report)
        amount = digits(rec[29:39], where, "amount", self.report)
        if code is None or rdfi is None or amount is None:
            return
        if code not in _CREDIT_CODES and code not in _DEBIT_CODES:
            self.report.problem(where, f"transaction code {code:02d} is not a NACHA code")
            return
        batch.count += 1
        batch.hash += rdfi
        if code in _CREDIT_CODES:
            batch.credit += amount
        else:
            batch.debit += amount
        batch.entries.append(_Entry(where, rec, code, amount))

    def _addenda(self, where: str, rec: str) -> None:
        batch = self.batch
        if batch is None or not batch.entries:
            self.report.problem(where, "addenda record with no entry before it")
            return
        entry = batch.entries[-1]
        if entry.record[78] != "1":
            self.report.problem(where, "addenda record for an entry whose addenda indicator is 0")
        batch.count += 1
        entry.addenda.append((where, rec))

    def _batch_control(self, where: str, rec: str) -> None:
        batch = self.batch
        if batch is None:
            self.report.problem(where, "batch control record with no open batch")
            return
        name = f"batch {batch.record[87:94].strip()}"
        self._check(where, rec[4:10], batch.count, f"{name} entry/addenda count")
        self._check(where, rec[10:20], batch.hash % 10**10, f"{name} entry hash")
        self._check(where, rec[20:32], batch.debit, f"{name} total debits", money=True)
        self._check(where, rec[32:44], batch.credit, f"{name} total credits", money=True)
        self.count += batch.count
        self.hash += batch.hash
        self.debit += batch.debit
        self.credit += batch.credit
        self._close_batch()

    def _file_control(self, where: str, rec: str) -> None:
        if self.batch is not None:
            self.report.problem(where, "file control before the batch's 8 record")
            self._close_batch()
        self.trailer = True
        self._check(where, rec[1:7], self.batches, "file batch count")
        self._check(where, rec[13:21], self.count, "file entry/addenda count")
        self._check(where, rec[21:31], self.hash % 10**10, "file entry hash")
        self._check(where, rec[31:43], self.debit, "file total debits", money=True)
        self._check(where, rec[43:55], self.credit, "file total credits", money=True)
        self._check(where, rec[7:13], (self.physical + 9) // 10, "file block count")

    def _check(self, where: str, text: str, computed: int, what: str, money: bool = False) -> None:
        stated = digits(text, where, what, self.report)
        if stated is None:
            return
        if money:
            self.report.control(where, what, _USD.from_minor(stated), _USD.from_minor(computed))
        else:
            self.report.control(where, what, Decimal(stated), Decimal(computed))

    def _close_batch(self) -> None:
        batch = self.batch
        self.batch = None
        if batch is None:
            return
        for entry in batch.entries:
            if entry.amount == 0:
                self.skipped += 1
                continue
            line = _line(batch, entry, self.report, self.created)
            self.lines.setdefault(_account(entry.record), []).append(line)

    def statements(self) -> list[Statement]:
        return [
            Statement(account=account, currency="USD", lines=tuple(lines))
            for account, lines in self.lines.items()
        ]


def _account(rec: str) -> str:
    return f"{rec[3:12]}/{rec[12:29].strip()}"


def _line(batch: _Batch, entry: _Entry, report: Report, created: date | None) -> StatementLine:
    rec = entry.record
    credit = entry.code in _CREDIT_CODES
    sec = batch.sec
    receiver = (rec[58:74] if sec == "CTX" else rec[54:76]).strip()
    text, remittance, reversal, iat_name = _remittance(batch, entry, report)
    payer = (iat_name or batch.company) if credit else receiver
    return StatementLine(
        amount=_USD.from_minor(entry.amount),
        currency="USD",
        direction=Direction.CREDIT if credit else Direction.DEBIT,
        value_date=batch.effective_date() or created,
        bank_reference=rec[79:94].strip() or None,
        customer_reference=rec[39:54].strip() or None,
        type_code=f"{sec}:{entry.code:02d}",
        method=Method.ACH,
        payer_name=payer or None,
        payer_account=None if credit else _account(rec),
        remittance_text=text,
        remittance=tuple(remittance),
        is_reversal=reversal,
        source_position=entry.position,
        raw="\n".join([rec, *(r for _, r in entry.addenda)]),
    )


def _remittance(
    batch: _Batch, entry: _Entry, report: Report
) -> tuple[str, list[RemittanceLine], bool, str | None]:
    """Free text, structured lines, whether it is a return, and an IAT originator name."""
    texts: list[str] = []
    remittance: list[RemittanceLine] = []
    reversal = False
    iat_name: str | None = None
    payment_info: list[tuple[int, str, str]] = []  # (sequence, position, 80 characters)
    for where, rec in entry.addenda:
        kind = rec[1:3]
        if kind == "99":
            reversal = True
            texts.append(
                f"RETURN {rec[3:6]} original trace {rec[6:21].strip()} {rec[35:79].strip()}".strip()
            )
        elif kind == "05":
            sequence = int(rec[83:87]) if ascii_digits(rec[83:87]) else len(payment_info) + 1
            payment_info.append((sequence, where, rec[3:83]))
        elif kind == "11":
            iat_name = rec[3:38].strip() or None
        elif kind == "17":
            texts.append(rec[3:83].strip())
    payment_info.sort(key=lambda item: item[0])
    joined = "".join(chunk for _, _, chunk in payment_info).rstrip()
    if joined.lstrip().startswith("ISA"):
        remittance.extend(_ctx(joined, payment_info[0][1], report))
    elif joined:
        texts.append(" ".join(chunk.strip() for _, _, chunk in payment_info))
        remittance.extend(_rmr_lines(joined))
    return " ".join(t for t in texts if t), remittance, reversal, iat_name


def _ctx(text: str, where: str, report: Report) -> list[RemittanceLine]:
    """The remittance lines of an X12 820 carried in CTX addenda."""
    inner = Report(report.name, report.strict)
    found = x12_820.read_interchange(text, inner, "USD", prefix=f"{where} CTX addenda ")
    report.controls.extend(inner.controls)
    report.warnings.extend(inner.warnings)
    for problem in inner.problems:
        if report.strict:
            report.problems.append(problem)
        else:
            report.warn(problem.position, f"{problem.reason} (embedded 820 not used)")
    if inner.problems:
        return []
    return [r for line, _ in found for r in line.remittance]


def _rmr_lines(text: str) -> list[RemittanceLine]:
    """``RMR*qualifier*reference*action*paid*invoice*discount`` segments in addenda text."""
    result: list[RemittanceLine] = []
    for match in _RMR.finditer(text):
        elements = [e.strip() for e in match.group(0).split("*")]
        if len(elements) < 3 or not elements[2]:
            continue
        scratch = Report("addenda", True)
        amounts = [
            decimal_text(elements[i], "addenda", "amount", scratch)
            if i < len(elements) and elements[i]
            else None
            for i in (4, 5, 6)
        ]
        if scratch.problems:
            continue
        result.append(
            RemittanceLine(
                reference=elements[2],
                paid=amounts[0],
                invoice_amount=amounts[1],
                discount=amounts[2],
                kind="credit_note" if elements[1] == "CM" else "invoice",
            )
        )
    return result
