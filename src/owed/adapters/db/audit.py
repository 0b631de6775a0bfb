"""The audit log table: sealing new records at commit, reading the chain.

``append`` locks the company's chain head (PostgreSQL: ``FOR UPDATE``, so
concurrent writers queue), seals the events after it and writes every record
of the commit in one driver call (``insert_rows``: COPY on PostgreSQL,
``executemany`` on SQLite), then moves the head. The ``at`` text stored is the
text that was hashed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, select

from owed.adapters.db.ledger import insert_rows
from owed.adapters.db.schema import audit_heads, audit_log
from owed.domain.audit import AuditEvent, AuditRecord, instant_text, seal

_COLUMNS = (
    "company_id", "seq", "at", "actor", "action", "object_type", "object_id", "before", "after",
    "prev_hash", "hash",
)  # fmt: skip


class AuditRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    def append(self, events: list[AuditEvent], at: datetime) -> None:
        if not events:
            return
        query = select(audit_heads.c.seq, audit_heads.c.hash).where(
            audit_heads.c.company_id == self.company_id
        )
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()  # one chain: writers queue here
        head = self.conn.execute(query).one()
        at_text = instant_text(at)  # stored as hashed: the canonical text, once per batch
        records = seal(events, datetime.fromisoformat(at_text), head.seq, head.hash)
        cid = self.company_id
        insert_rows(  # COPY on PostgreSQL, executemany on SQLite; rows in seq order
            self.conn,
            audit_log,
            _COLUMNS,
            [
                (
                    cid,
                    r.seq,
                    at_text,
                    r.actor,
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.before,
                    r.after,
                    r.prev_hash,
                    r.hash,
                )
                for r in records
            ],
            bound=True,  # plain text and integers: nothing to bind
        )
        last = records[-1]
        self.conn.execute(
            audit_heads.update()
            .where(audit_heads.c.company_id == self.company_id)
            .values(seq=last.seq, hash=last.hash)
        )

    def records(self, batch: int = 5000) -> Iterator[AuditRecord]:
        last = 0
        while True:
            rows = self.conn.execute(
                select(audit_log)
                .where(audit_log.c.company_id == self.company_id, audit_log.c.seq > last)
                .order_by(audit_log.c.seq)
                .limit(batch)
            ).all()
            if not rows:
                return
            for r in rows:
                yield AuditRecord(
                    r.seq,
                    datetime.fromisoformat(r.at),
                    r.actor,
                    r.action,
                    r.object_type,
                    r.object_id,
                    r.before,
                    r.after,
                    r.prev_hash,
                    r.hash,
                )
            last = rows[-1].seq

    def head(self) -> tuple[int, str]:
        row = self.conn.execute(
            select(audit_heads.c.seq, audit_heads.c.hash).where(
                audit_heads.c.company_id == self.company_id
            )
        ).one()
        return row.seq, row.hash

    def recent(
        self, limit: int = 50, object_type: str | None = None, object_id: str | None = None
    ) -> list[AuditRecord]:
        q = select(audit_log).where(audit_log.c.company_id == self.company_id)
        if object_type:
            q = q.where(audit_log.c.object_type == object_type)
        if object_id:
            q = q.where(audit_log.c.object_id == object_id)
        rows = self.conn.execute(q.order_by(audit_log.c.seq.desc()).limit(limit)).all()
        return [
            AuditRecord(
                r.seq,
                datetime.fromisoformat(r.at),
                r.actor,
                r.action,
                r.object_type,
                r.object_id,
                r.before,
                r.after,
                r.prev_hash,
                r.hash,
            )
            for r in rows
        ]
