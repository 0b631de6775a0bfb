"""What the customer and invoice imports share: tables, headers, cells, results.

A file reaches the services as an ``ImportTable``: its header and its rows
as lists of text cells (``owed.adapters.tables`` reads CSV and XLSX into
this shape). Headers are matched case-insensitively after trimming;
``mapping`` renames the file's headers to ours (``--map Kunde=customer_id``).

Validation is plain Python over the rows, one pass, no query per row: the
cell parsers here (``cell_date``, ``cell_minor``) are small and raise
``BadCell`` with a message naming the column, which the import turns into a
reject for that row (row numbers count the header as row 1, as a
spreadsheet shows them).

The rule of every import: a file with any bad row imports nothing
(``InvalidFile`` listing every bad row) unless ``skip_invalid``; then the
good rows are imported and the bad ones are returned as rejects (their
cells plus the reason) for the caller to write beside the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from owed.domain.errors import InvalidFile, Problem

Progress = Callable[[int], None]  # called with the number of rows read so far


@dataclass(frozen=True)
class ImportTable:
    source: str  # the file name, for messages
    header: Sequence[str]
    rows: Iterable[Sequence[str]]  # data rows; the first is row 2 of the file


@dataclass(frozen=True)
class Reject:
    row: int
    cells: Sequence[str]
    error: str


@dataclass
class ImportResult:
    read: int = 0
    imported: int = 0
    unchanged: int = 0
    changed: list[Problem] = field(default_factory=list)  # existing rows that differ: reported
    rejects: list[Reject] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    validate_seconds: float = 0.0  # wall time of the validation pass, not money
    write_seconds: float = 0.0

    @property
    def valid(self) -> int:
        return self.read - len(self.rejects)


class BadCell(Exception):
    """A row's cell that cannot be accepted; becomes a reject, never escapes the import."""


def resolve_columns(
    table: ImportTable, mapping: Mapping[str, str], known: Sequence[str], required: Sequence[str]
) -> dict[str, int]:
    """Our column name → index in the file; ``InvalidFile`` naming missing columns."""
    renames = {k.strip().lower(): v.strip().lower() for k, v in mapping.items()}
    for their, ours in renames.items():
        if ours not in known:
            raise InvalidFile(
                table.source,
                [
                    Problem(
                        "--map",
                        f"{their}={ours}: {ours!r} is not a column; columns are {', '.join(known)}",
                    )
                ],
                "mapping",
            )
    index: dict[str, int] = {}
    for position, name in enumerate(table.header):
        key = name.strip().lower()
        key = renames.get(key, key)
        if key in known and key not in index:
            index[key] = position
    missing = [c for c in required if c not in index]
    if missing:
        raise InvalidFile(
            table.source,
            [
                Problem(
                    "header",
                    f"missing column(s) {', '.join(missing)} (have: "
                    f"{', '.join(h.strip() for h in table.header)}; use --map THEIRS=OURS)",
                )
            ],
            "header",
        )
    return index


def cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return value.strip() if value else ""


def check_length(text: str, column: str, limit: int) -> str:
    """Refuse text longer than its column holds (PostgreSQL would refuse it late)."""
    if len(text) > limit:
        raise BadCell(f"{column} is {len(text)} characters long; at most {limit} are allowed")
    return text


def cell_date(text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadCell(f"{column} {text!r} is not a date (YYYY-MM-DD)") from None


def cell_minor(text: str, column: str, currency: str, exponent: int) -> int:
    """An exact amount in minor units; refuses more decimals than the currency has."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadCell(f"{column} {text!r} is not a decimal number") from None
    if not value.is_finite():
        raise BadCell(f"{column} {text!r} is not a finite amount")
    scaled = value.scaleb(exponent)
    minor = int(scaled)
    if minor != scaled:
        raise BadCell(
            f"{column} {text} has more than the {exponent} decimal place(s) {currency} allows"
        )
    return minor


def refuse_or_keep(result: ImportResult, source: str, what: str, skip_invalid: bool) -> None:
    """A file with rejects imports nothing unless ``skip_invalid``."""
    if result.rejects and not skip_invalid:
        raise InvalidFile(
            source,
            [Problem(f"row {r.row}", r.error, row=r.row) for r in result.rejects],
            what,
        )
