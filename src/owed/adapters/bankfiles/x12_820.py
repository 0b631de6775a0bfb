"""ANSI X12 820 payment order / remittance advice.

An interchange is ``ISA .. GS .. ST*820 .. SE .. GE .. IEA``. The delimiters
are not fixed: the ISA header declares them. The element separator is the
4th character; the sub-element separator is ISA16 and the character right
after it ends every segment. Rather than trusting the fixed 106-character
ISA width (real files get it wrong), the reader counts 16 element separators.
A newline terminator, blanks or line breaks after the terminator, a BOM and
blanks around elements are all tolerated.

Each ``ST*820 .. SE`` transaction set becomes one ``StatementLine``::

    BPR02 amount, BPR03 C/D direction, BPR04 method, BPR16 date (value date)
    TRN02 bank_reference        CUR02 currency       N1*PR name  payer_name
    RMR  one RemittanceLine: RMR01 qualifier (kind), RMR02 reference,
         RMR04 paid, RMR05 invoice amount, RMR06 discount
    ADX  adjustment on the preceding RMR; ADX01 is signed as X12 sends it
         (negative = less paid) and stored as ``adjustment = -ADX01``; an
         ADX with no RMR before it in its ENT applies to the whole payment
         and becomes a RemittanceLine of kind ``adjustment``
    NTE  free text -> remittance_text

Envelope checks: SE01 (segment count), GE01 and IEA01 are control checks;
ST02/SE02, GS06/GE02 and ISA13/IEA02 must match (numerically when both are
digits). Transaction sets other than 820 are skipped with a warning.
``read_interchange`` is also used by the NACHA reader for CTX addenda.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from owed.adapters.bankfiles._common import (
    Report,
    ascii_digits,
    century,
    currency_of,
    decimal_text,
    decode,
    fit,
    make_date,
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

FORMAT = "x12-820"

_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_METHODS = {
    "ACH": Method.ACH,
    "CHK": Method.CHECK,
    "FWT": Method.WIRE,
    "SWT": Method.WIRE,
    "CWT": Method.WIRE,
    "BKW": Method.WIRE,
    "FEW": Method.WIRE,
    "DCP": Method.CARD,
}
_KINDS = {
    "IV": "invoice",
    "OI": "invoice",
    "IK": "invoice",
    "AP": "invoice",
    "CM": "credit_note",
    "CR": "credit_note",
    "DM": "debit_note",
    "PO": "po",
}


def sniff(data: bytes) -> bool:
    """An X12 interchange (``ISA``) holding an 820 transaction set."""
    head = data[:4000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"ISA") or len(head) < 4:
        return False
    separator = head[3:4]
    return b"ST" + separator + b"820" in head


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    report = Report(name, options.strict)
    lines = read_interchange(decode(data), report, options.default_currency)
    if not lines and not report.problems:
        report.problem("file", "no 820 transaction set in the interchange")
    groups: dict[tuple[str, str], list[StatementLine]] = {}
    for line, account in lines:
        groups.setdefault((account, line.currency), []).append(line)
    statements = [
        Statement(account=acct, currency=cur, lines=tuple(group))
        for (acct, cur), group in groups.items()
    ]
    return report.finish(FORMAT, statements)


@dataclass(frozen=True)
class Segment:
    number: int  # 1-based position in the interchange
    elements: tuple[str, ...]  # elements[0] is the tag
    text: str

    @property
    def tag(self) -> str:
        return self.elements[0]

    @property
    def position(self) -> str:
        return f"segment {self.number} ({self.tag})"

    def el(self, index: int) -> str:
        return self.elements[index] if index < len(self.elements) else ""


def split_segments(text: str, report: Report, prefix: str = "") -> list[Segment]:
    """The segments of an interchange, delimiters taken from its ISA header."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body.startswith("ISA") or len(body) < 4:
        report.problem(f"{prefix}segment 1", "does not start with an ISA interchange header")
        return []
    separator = body[3]
    if separator.isalnum() or separator.isspace():
        report.problem(f"{prefix}segment 1 (ISA)", f"element separator {separator!r} is invalid")
        return []
    index = 3
    for _ in range(15):
        index = body.find(separator, index + 1)
        if index == -1:
            break
    if index == -1 or index + 2 >= len(body):
        report.problem(f"{prefix}segment 1 (ISA)", "ISA header is cut short (needs 16 elements)")
        return []
    terminator = body[index + 2]
    if terminator.isalnum() or terminator == separator:
        report.problem(
            f"{prefix}segment 1 (ISA)", f"segment terminator {terminator!r} after ISA16 is invalid"
        )
        return []
    newline = terminator in "\r\n"
    pieces = re.split(r"\r\n|\r|\n", body) if newline else body.split(terminator)
    segments: list[Segment] = []
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        number = len(segments) + 1
        elements = tuple(e.strip() for e in stripped.split(separator))
        tag = elements[0].upper()
        if not _TAG.fullmatch(tag):
            report.problem(f"{prefix}segment {number}", f"{tag[:10]!r} is not a segment identifier")
            continue
        segments.append(Segment(number, (tag, *elements[1:]), stripped))
    return segments


def read_interchange(
    text: str, report: Report, default_currency: str, prefix: str = ""
) -> list[tuple[StatementLine, str]]:
    """Every 820 in ``text`` as (line, receiving account); problems go to ``report``."""
    reader = _Envelope(report, default_currency, prefix)
    for segment in split_segments(text, report, prefix):
        reader.feed(segment)
    reader.end()
    return reader.lines


def _same_control(a: str, b: str) -> bool:
    if ascii_digits(a) and ascii_digits(b):
        return int(a) == int(b)
    return a == b


@dataclass
class _Payment:
    """The 820 being read: BPR facts plus remittance lines as they arrive."""

    st: Segment
    currency: str
    segments: list[Segment] = field(default_factory=list)
    bpr: Segment | None = None
    amount: Decimal | None = None
    reference: str | None = None
    payer: str | None = None
    remittance: list[RemittanceLine] = field(default_factory=list)
    sources: list[Segment] = field(default_factory=list)  # the RMR/ADX of each line
    current: int | None = None  # index of the RMR that an ADX adjusts
    notes: list[str] = field(default_factory=list)


@dataclass
class _Envelope:
    report: Report
    default_currency: str
    prefix: str
    lines: list[tuple[StatementLine, str]] = field(default_factory=list)
    isa: Segment | None = None
    gs: Segment | None = None
    st: Segment | None = None
    payment: _Payment | None = None
    groups: int = 0
    sets: int = 0

    def problem(self, segment: Segment, reason: str) -> None:
        self.report.problem(f"{self.prefix}{segment.position}", reason)

    def feed(self, seg: Segment) -> None:
        if self.st is not None and seg.tag not in ("SE", "ST", "GE", "IEA", "ISA"):
            if self.payment is not None:
                self.payment.segments.append(seg)
                self._content(self.payment, seg)
            return
        handler = {
            "ISA": self._isa,
            "GS": self._gs,
            "ST": self._st,
            "SE": self._se,
            "GE": self._ge,
            "IEA": self._iea,
        }.get(seg.tag)
        if handler is None:
            self.problem(seg, "segment outside a transaction set (no ST before it)")
        else:
            handler(seg)

    def end(self) -> None:
        where = f"{self.prefix}end of interchange"
        if self.st is not None:
            self.report.problem(where, f"transaction set at {self.st.position} has no SE")
        if self.gs is not None:
            self.report.problem(where, f"functional group at {self.gs.position} has no GE")
        if self.isa is not None:
            self.report.problem(where, "interchange has no IEA trailer")

    # -- envelope --
    def _isa(self, seg: Segment) -> None:
        if self.isa is not None:
            self.problem(seg, "ISA inside an interchange that has no IEA yet")
        self.isa = seg
        self.groups = 0
        if len(seg.elements) < 17:
            self.problem(seg, f"ISA has {len(seg.elements) - 1} elements, needs 16")
        elif parse_date(seg.el(9), "YYMMDD") is None:
            self.report.warn(f"{self.prefix}{seg.position}", f"ISA09 date {seg.el(9)!r} is invalid")

    def _gs(self, seg: Segment) -> None:
        if self.isa is None or self.gs is not None:
            self.problem(seg, "GS outside an interchange or inside an open group")
        self.gs = seg
        self.sets = 0
        self.groups += 1

    def _st(self, seg: Segment) -> None:
        if self.gs is None or self.st is not None:
            self.problem(seg, "ST outside a functional group or inside an open transaction set")
        self.st = seg
        self.sets += 1
        if seg.el(1) == "820":
            self.payment = _Payment(seg, self.default_currency, [seg])
        else:
            self.payment = None
            self.report.warn(
                f"{self.prefix}{seg.position}",
                f"transaction set {seg.el(1)!r} is not an 820: skipped",
            )

    def _se(self, seg: Segment) -> None:
        st = self.st
        if st is None:
            self.problem(seg, "SE with no ST before it")
            return
        count = seg.number - st.number + 1
        where = f"{self.prefix}{seg.position}"
        stated = seg.el(1)
        if ascii_digits(stated) and len(stated) <= 10:
            what = f"segment count of transaction set {st.el(2)}"
            self.report.control(where, what, Decimal(stated), Decimal(count))
        else:
            self.problem(seg, f"SE01 segment count {stated!r} is not a number")
        if not _same_control(seg.el(2), st.el(2)):
            self.problem(seg, f"SE02 {seg.el(2)!r} does not match ST02 {st.el(2)!r}")
        if self.payment is not None:
            self.payment.segments.append(seg)
            self._finish(self.payment)
        self.st = None
        self.payment = None

    def _ge(self, seg: Segment) -> None:
        gs = self.gs
        if gs is None:
            self.problem(seg, "GE with no GS before it")
            return
        self._count(seg, "transaction sets in the group", self.sets)
        if not _same_control(seg.el(2), gs.el(6)):
            self.problem(seg, f"GE02 {seg.el(2)!r} does not match GS06 {gs.el(6)!r}")
        self.gs = None

    def _iea(self, seg: Segment) -> None:
        isa = self.isa
        if isa is None:
            self.problem(seg, "IEA with no ISA before it")
            return
        self._count(seg, "functional groups in the interchange", self.groups)
        if not _same_control(seg.el(2), isa.el(13)):
            self.problem(seg, f"IEA02 {seg.el(2)!r} does not match ISA13 {isa.el(13)!r}")
        self.isa = None

    def _count(self, seg: Segment, what: str, computed: int) -> None:
        stated = seg.el(1)
        if ascii_digits(stated) and len(stated) <= 10:
            where = f"{self.prefix}{seg.position}"
            self.report.control(where, what, Decimal(stated), Decimal(computed))
        else:
            self.problem(seg, f"{seg.tag}01 count {stated!r} is not a number")

    # -- 820 content --
    def _amount(self, seg: Segment, index: int, required: bool = False) -> Decimal | None:
        text = seg.el(index)
        if not text:
            if required:
                self.problem(seg, f"{seg.tag}{index:02d} amount is missing")
            return None
        where = f"{self.prefix}{seg.position}"
        return decimal_text(text, where, f"{seg.tag}{index:02d} amount", self.report)

    def _content(self, pay: _Payment, seg: Segment) -> None:
        tag = seg.tag
        if tag == "BPR":
            pay.bpr = seg
            pay.amount = self._amount(seg, 2, required=True)
            if pay.amount is not None and pay.amount < 0:
                self.problem(seg, f"BPR02 amount {pay.amount} is negative")
            if seg.el(3) not in ("C", "D"):
                self.problem(seg, f"BPR03 credit/debit flag {seg.el(3)!r} is not C or D")
        elif tag == "TRN":
            pay.reference = seg.el(2) or None
        elif tag == "CUR" and seg.el(2):
            where = f"{self.prefix}{seg.position}"
            found = currency_of(seg.el(2), where, self.report)
            pay.currency = found.code if found else pay.currency
        elif tag == "N1" and seg.el(1) == "PR":
            pay.payer = seg.el(2) or None
        elif tag == "ENT":
            pay.current = None
        elif tag == "RMR":
            self._rmr(pay, seg)
        elif tag == "ADX":
            self._adx(pay, seg)
        elif tag == "NTE" and seg.el(2):
            pay.notes.append(seg.el(2))

    def _rmr(self, pay: _Payment, seg: Segment) -> None:
        if not seg.el(2):
            self.problem(seg, "RMR02 reference is missing")
            return
        pay.remittance.append(
            RemittanceLine(
                reference=seg.el(2),
                paid=self._amount(seg, 4),
                invoice_amount=self._amount(seg, 5),
                discount=self._amount(seg, 6),
                kind=_KINDS.get(seg.el(1), "invoice"),
            )
        )
        pay.sources.append(seg)
        pay.current = len(pay.remittance) - 1

    def _adx(self, pay: _Payment, seg: Segment) -> None:
        amount = self._amount(seg, 1, required=True)
        if amount is None:
            return
        reason = seg.el(2) or None
        if pay.current is not None and pay.remittance[pay.current].adjustment is None:
            line = pay.remittance[pay.current]
            pay.remittance[pay.current] = replace(line, adjustment=-amount, reason_code=reason)
            return
        reference = seg.el(4)
        if pay.current is not None and not reference:
            reference = pay.remittance[pay.current].reference
        pay.remittance.append(
            RemittanceLine(
                reference=reference, adjustment=-amount, reason_code=reason, kind="adjustment"
            )
        )
        pay.sources.append(seg)

    def _finish(self, pay: _Payment) -> None:
        bpr = pay.bpr
        if bpr is None:
            self.problem(pay.st, "820 transaction set has no BPR segment")
            return
        if pay.amount is None or pay.amount < 0 or bpr.el(3) not in ("C", "D"):
            return  # already reported
        currency = currency_of(pay.currency, f"{self.prefix}{pay.st.position}", self.report)
        if currency is None:
            return
        amount = fit(pay.amount, currency, f"{self.prefix}{bpr.position}", self.report)
        pairs = zip(pay.remittance, pay.sources, strict=True)
        remittance = [self._fit_line(r, s, currency) for r, s in pairs]
        if amount is None:
            return
        value_date = _x12_date(bpr.el(16))
        if bpr.el(16) and value_date is None:
            self.problem(bpr, f"BPR16 date {bpr.el(16)!r} is not a CCYYMMDD date")
        paid = [r.paid for r in remittance if r.kind != "adjustment"]
        if paid and all(p is not None for p in paid):
            remitted = sum((p for p in paid if p is not None), Decimal(0))
            if remitted != amount:
                self.report.warn(
                    f"{self.prefix}{pay.st.position}",
                    f"remittance lines add up to {remitted}, the payment (BPR02) is {amount}",
                )
        method = bpr.el(4)
        type_code = f"820:{method}/{bpr.el(5)}" if bpr.el(5) else f"820:{method}"
        account = bpr.el(15)
        originator = "/".join(p for p in (bpr.el(7), bpr.el(9)) if p)
        line = StatementLine(
            amount=amount,
            currency=currency.code,
            # An 820 is a remittance advice to us, the payee: BPR03 says whether the
            # payer's bank pushes the money (C) or we pull it by authorisation (D);
            # either way the money comes in.
            direction=Direction.CREDIT,
            value_date=value_date,
            bank_reference=pay.reference,
            type_code=type_code,
            method=_METHODS.get(method, Method.OTHER),
            payer_name=pay.payer,
            payer_account=originator or None,
            remittance_text=" ".join(pay.notes),
            remittance=tuple(remittance),
            source_position=f"{self.prefix}{pay.st.position}",
            raw="\n".join(s.text for s in pay.segments),
        )
        self.lines.append((line, account))

    def _fit_line(self, line: RemittanceLine, seg: Segment, currency: Currency) -> RemittanceLine:
        where = f"{self.prefix}{seg.position}"
        return replace(
            line,
            paid=fit(line.paid, currency, where, self.report),
            invoice_amount=fit(line.invoice_amount, currency, where, self.report),
            discount=fit(line.discount, currency, where, self.report),
            adjustment=fit(line.adjustment, currency, where, self.report),
        )


def _x12_date(text: str) -> date | None:
    value = text.strip()
    if len(value) == 6 and value.isascii() and value.isdigit():
        return make_date(century(int(value[:2])), int(value[2:4]), int(value[4:6]))
    return parse_date(value, "CCYYMMDD")
