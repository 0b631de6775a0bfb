"""BAI2 record level: physical lines into logical records, and the fields of a record.

Rules 1 and 3 of the format (see ``bai2``): a line that does not start with a
record code continues the record above it; records sharing a line are split at
``/``, whitespace, then a record code; an ``88`` continues the previous record
and starts a new field. ``FieldCursor`` reads a 16 record's fields across its
88s and then the free text, which may hold commas and slashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from owed.adapters.bankfiles._common import Report

_CODES = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})
_RECORD_START = re.compile(r"\s*\d\d,")
_INLINE_SPLIT = re.compile(r"/\s+(?=(?:01|02|03|16|49|88|98|99),)")
_RECORD = re.compile(r"\s*(\d\d),(.*)", re.S)


@dataclass
class Record:
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


def logical_records(text: str, report: Report) -> list[Record]:
    physical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if _RECORD_START.match(line) or not physical:
            physical.append((number, line.strip()))
        else:  # a wrapped line continues the record above it
            first, previous = physical[-1]
            physical[-1] = (first, f"{previous} {line.strip()}")
    records: list[Record] = []
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
                records.append(Record(code, number, [body], [part]))
    return records


class FieldCursor:
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
