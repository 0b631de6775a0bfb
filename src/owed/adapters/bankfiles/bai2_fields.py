"""What the fields of BAI2 03 and 16 records mean: funds types, type codes, payer names.

Rules 2 and 4 of the format (see ``bai2``). The funds type of a 16 record, and
of each 03 summary, decides how many fields follow it (``S`` three amounts,
``V`` a value date and time, ``D`` a count and that many (days, amount) pairs).
A detail's type code gives its direction (100-399 credit, 400-699 debit), the
payment method it implies and whether it returns an earlier credit; the free
text may name the payer.
"""

from __future__ import annotations

import re
from datetime import date

from owed.adapters.bankfiles._common import Report, digits, parse_date
from owed.adapters.bankfiles.bai2_records import FieldCursor, Record
from owed.domain.payments.statement import Method

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
REVERSAL_CODES = frozenset({555, 557})

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


def read_funds(rec: Record, cursor: FieldCursor, report: Report) -> date | None:
    """Consume a 16 record's funds type and its fields; return a value date (type V)."""
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
            report.problem(rec.position, f"value date {text!r} is not a YYMMDD date")
        return value_date
    if funds == "D":
        count_text = cursor.field() or ""
        count = digits(count_text, rec.position, "distribution count", report)
        for _ in range(2 * min(count or 0, 1000)):
            if cursor.field() is None:
                report.problem(rec.position, "fewer distributions than their count says")
                break
        return None
    report.problem(rec.position, f"funds type {funds!r} is not one of 0 1 2 S V D Z")
    return None


def funds_extra(funds: str, f: list[str], start: int) -> int:
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
