"""Month-end close records: close runs and allowance proposals.

Mixed into ``ReportingRepository`` (``uow.reporting``); uses its ``conn`` and
``company_id``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select, update

from owed.adapters.db.errors import translated
from owed.adapters.db.schema_reporting import allowance_proposals, close_runs


class CloseRecords:
    conn: Connection
    company_id: int

    # -- close runs --------------------------------------------------------------------
    def add_close_run(self, values: dict[str, Any]) -> int:
        with translated():
            result = self.conn.execute(
                close_runs.insert().values(company_id=self.company_id, **values)
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    # -- allowance proposals -----------------------------------------------------------
    def pending_proposals(self, period: str | None = None) -> list[Row[Any]]:
        cond = [
            allowance_proposals.c.company_id == self.company_id,
            allowance_proposals.c.status == "proposed",
        ]
        if period is not None:
            cond.append(allowance_proposals.c.period == period)
        return list(
            self.conn.execute(
                select(allowance_proposals).where(*cond).order_by(allowance_proposals.c.id)
            )
        )

    def get_proposal(self, proposal_id: int) -> Row[Any] | None:
        return self.conn.execute(
            select(allowance_proposals).where(
                allowance_proposals.c.company_id == self.company_id,
                allowance_proposals.c.id == proposal_id,
            )
        ).one_or_none()

    def add_proposal(self, values: dict[str, Any]) -> int:
        with translated():
            result = self.conn.execute(
                allowance_proposals.insert().values(company_id=self.company_id, **values)
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def decide_proposal(self, proposal_id: int, from_status: str, values: dict[str, Any]) -> bool:
        """Guarded status change: False when someone else decided it first."""
        result = self.conn.execute(
            update(allowance_proposals)
            .where(
                allowance_proposals.c.company_id == self.company_id,
                allowance_proposals.c.id == proposal_id,
                allowance_proposals.c.status == from_status,
            )
            .values(**values)
        )
        return result.rowcount == 1
