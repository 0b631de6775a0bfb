"""Client-side id allocation for bulk inserts.

Journal lines are written before their entry header, so entry ids must be
known before the insert. PostgreSQL hands out a block from a sequence;
SQLite (one writer at a time, ``BEGIN IMMEDIATE``) bumps a counter row.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text, update

from owed.adapters.db.schema import id_counters


def allocate_ids(conn: Connection, name: str, count: int) -> list[int]:
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text(f"SELECT nextval('{name}_id_seq') FROM generate_series(1, :n)"), {"n": count}
        )
        return [r[0] for r in rows]
    current = conn.execute(
        select(id_counters.c.next_value).where(id_counters.c.name == name)
    ).scalar_one_or_none()
    if current is None:
        current = 1
        conn.execute(id_counters.insert().values(name=name, next_value=current + count))
    else:
        conn.execute(
            update(id_counters).where(id_counters.c.name == name).values(next_value=current + count)
        )
    return list(range(current, current + count))
