"""The audit log table: sealing new records at commit, reading the chain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, select

from owed.adapters.db.schema import audit_heads, audit_log
from owed.domain.audit import AuditEvent, AuditRecord, instant_text, seal


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
        at = datetime.fromisoformat(instant_text(at))
        records = seal(events, at, head.seq, head.hash)
        self.conn.execute(
            audit_log.insert(),
            [
                {
                    "company_id": self.company_id,
                    "seq": r.seq,
                    "at": instant_text(r.at),
                    "actor": r.actor,
                    "action": r.action,
                    "object_type": r.object_type,
                    "object_id": r.object_id,
                    "before": r.before,
                    "after": r.after,
                    "prev_hash": r.prev_hash,
                    "hash": r.hash,
                }
                for r in records
            ],
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
