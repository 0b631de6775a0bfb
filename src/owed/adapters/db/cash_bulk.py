"""Bulk helpers shared by the cash mixins: chunked IN lists, guarded updates, inserts.

``_update_rows`` runs one guarded ``UPDATE`` for a whole batch (a single
statement joined to ``json_to_recordset`` on PostgreSQL, an ``executemany``
on SQLite), ``_summed`` adds amounts up per row id before such an update,
``_insert_dicts`` inserts dict rows through ``insert_rows`` (``COPY`` on
PostgreSQL), and ``_chunks`` bounds ``IN (...)`` lists by SQLite's variable
limit. Used by ``cash_import``, ``cash_applying`` and ``cash_matching``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table

from owed.adapters.db.errors import translated
from owed.adapters.db.ledger import insert_rows
from owed.domain.money import Currency

_CHUNK = 900  # bound for IN (...) lists (SQLite's variable limit)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _summed(pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(row id, amount) pairs summed per id, zero totals dropped, in id order."""
    totals: dict[int, int] = {}
    for key, x in pairs:
        totals[key] = totals.get(key, 0) + x
    return sorted((k, x) for k, x in totals.items() if x)


def _update_rows(
    conn: Connection,
    table: str,
    assignments: str,
    where: str,
    columns: dict[str, str],
    rows: Sequence[tuple[Any, ...]],
    **fixed: Any,
) -> int:
    """``UPDATE table SET assignments WHERE id = row id AND where``, for every row at once.

    Each row's first value is the id of the table row it changes; ``columns``
    maps value names to PostgreSQL types, in the order of each row's values.
    ``assignments`` and ``where`` name per-row values ``{name}`` and ``fixed``
    values the same way; column names stay unqualified. PostgreSQL joins the
    table to the rows sent as one JSON array (``json_to_recordset``: one
    statement, one round trip, one parameter to encode); each row's condition
    is evaluated by the database, and re-checked on the new version of a row a
    concurrent transaction changed first. ``id = ANY(ids)`` lets the planner
    fetch just those rows by primary key. The rows must name distinct table
    rows (a row joined twice is updated once). SQLite runs the same statement
    once per row with ``executemany``. Returns how many table rows changed.
    """
    key = next(iter(columns))
    if conn.dialect.name == "postgresql":
        names = {n: f"v_{n}" for n in columns} | {n: f"%({n})s" for n in fixed}
        shape = ", ".join(f"v_{n} {kind}" for n, kind in columns.items())
        sql = (
            f"UPDATE {table} SET {assignments.format(**names)}"
            f" FROM json_to_recordset(%(rows)s::json) AS v({shape})"
            f" WHERE id = v_{key} AND id = ANY(%(ids)s::bigint[])"
            f" AND {where.format(**names)}"
        )
        fields = [f"v_{n}" for n in columns]
        params = {
            "rows": json.dumps([dict(zip(fields, r, strict=True)) for r in rows]),
            "ids": "{" + ",".join(str(int(r[0])) for r in rows) + "}",
        } | fixed
        return int(conn.exec_driver_sql(sql, params).rowcount)
    marks = {n: f":{n}" for n in [*columns, *fixed]}
    sql = (
        f"UPDATE {table} SET {assignments.format(**marks)}"
        f" WHERE id = :{key} AND {where.format(**marks)}"
    )
    order = list(columns)
    return int(
        conn.exec_driver_sql(sql, [dict(zip(order, r, strict=True)) | fixed for r in rows]).rowcount
    )


def _insert_dicts(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows through ``insert_rows`` (COPY on PostgreSQL) when they share keys."""
    columns = list(rows[0])
    if any(r.keys() != rows[0].keys() for r in rows):
        with translated():
            conn.execute(table.insert(), rows)
        return
    with translated():
        insert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


def to_minor(amount: Decimal, currency: str) -> int:
    return Currency.of(currency).to_minor(amount)
