"""Audit trail use cases: verify the chain, read the log."""

from __future__ import annotations

from dataclasses import dataclass

from owed.domain.audit import AuditRecord, ChainBreak, verify_chain
from owed.domain.auth import Permission
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    head_seq: int
    problem: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_audit(uow: UnitOfWork) -> VerifyResult:
    with uow:
        uow.require(Permission.READ)
        checked, problem = verify_chain(uow.audit_log.records())
        head_seq, _ = uow.audit_log.head()
        if problem is None and checked != head_seq:
            problem = ChainBreak(
                checked + 1 if checked < head_seq else head_seq,
                f"the chain head says {head_seq} records, found {checked} "
                "(records were removed from the end)",
            )
        return VerifyResult(checked, head_seq, problem)


def recent_audit(
    uow: UnitOfWork, limit: int = 50, object_type: str | None = None, object_id: str | None = None
) -> list[AuditRecord]:
    with uow:
        uow.require(Permission.READ)
        return uow.audit_log.recent(limit, object_type, object_id)  # type: ignore[no-any-return]
