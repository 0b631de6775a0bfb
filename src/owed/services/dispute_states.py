"""Moving a stored dispute through the domain's state machine, audited.

Shared by ``services.disputes`` (every transition) and ``services.writeoffs``
(an approved write-off resolves the dispute it came from), so neither imports
the other. Callers hold the unit of work open and commit.
"""

from __future__ import annotations

from typing import Any

from owed.domain.disputes.model import DisputeAction, DisputeStatus, resolution_of, transition
from owed.domain.errors import NotFound
from owed.services.unit_of_work import UnitOfWork


def load_dispute(uow: UnitOfWork, dispute_id: int) -> dict[str, Any]:
    row = uow.disputes.get(dispute_id)
    if row is None:
        raise NotFound("dispute", dispute_id)
    return row  # type: ignore[no-any-return]


def check_transition(dispute: dict[str, Any], action: DisputeAction) -> DisputeStatus:
    """The status ``action`` leads to; raises ``InvalidTransition`` before anything is posted."""
    return transition(DisputeStatus(dispute["status"]), action, str(dispute["id"]))


def move_dispute(
    uow: UnitOfWork,
    dispute: dict[str, Any],
    action: DisputeAction,
    *,
    ref: int | None = None,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> DisputeStatus:
    """Apply ``action`` to the stored dispute (guarded on its current status) and audit it."""
    new = check_transition(dispute, action)
    values: dict[str, Any] = {"status": new.value}
    if new.is_closed:
        resolution = resolution_of(action)
        values.update(
            resolution=resolution.value if resolution else None,
            resolution_ref=ref,
            resolved_at=uow.now(),
            closed_on=uow.today(),
            resolved_by=uow.actor.username,
        )
    if details is not None:
        values["details"] = details
    uow.disputes.update(dispute["id"], dispute["status"], **values)
    if note.strip():
        uow.disputes.add_note(dispute["id"], note.strip(), uow.actor.username, uow.now())
    uow.audit(
        f"dispute.{action.value}",
        "dispute",
        dispute["id"],
        before={"status": dispute["status"], "owner": dispute["owner"]},
        after={
            "status": new.value,
            "resolution": values.get("resolution"),
            "ref": ref,
            "note": note.strip() or None,
        },
    )
    return new
