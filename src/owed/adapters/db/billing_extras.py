"""Billing persistence beyond documents: attachments and deliveries.

Mixed into ``BillingRepository`` (``uow.billing``); uses its ``conn`` and
``company_id``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import attachments, deliveries
from owed.services.delivery import AttachmentInfo


class AttachmentsAndDeliveries:
    conn: Connection
    company_id: int

    def add_attachment(self, doc_id: int, info: AttachmentInfo, by: str, at: datetime) -> None:
        with translated():
            self.conn.execute(
                attachments.insert().values(
                    company_id=self.company_id,
                    document_id=doc_id,
                    sha256=info.sha256,
                    filename=info.filename,
                    content_type=info.content_type,
                    size_bytes=info.size_bytes,
                    added_by=by,
                    added_at=at,
                )
            )

    def attachments_of(self, doc_id: int) -> list[AttachmentInfo]:
        rows = self.conn.execute(
            select(attachments)
            .where(attachments.c.company_id == self.company_id, attachments.c.document_id == doc_id)
            .order_by(attachments.c.id)
        )
        return [AttachmentInfo(r.sha256, r.filename, r.content_type, r.size_bytes) for r in rows]

    def add_delivery(
        self,
        doc_id: int,
        channel: str,
        recipient: str,
        status: str,
        reason: str,
        message_id: str | None,
        location: str | None,
        by: str,
        at: datetime,
    ) -> None:
        with translated():
            self.conn.execute(
                deliveries.insert().values(
                    company_id=self.company_id,
                    document_id=doc_id,
                    channel=channel,
                    recipient=recipient,
                    status=status,
                    reason=reason,
                    message_id=message_id,
                    location=location,
                    attempted_by=by,
                    attempted_at=at,
                )
            )

    def deliveries_of(self, doc_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(deliveries)
            .where(deliveries.c.company_id == self.company_id, deliveries.c.document_id == doc_id)
            .order_by(deliveries.c.id)
        )
        return [dict(r._mapping) for r in rows]
