"""What a correction teaches the matcher.

When a person applies a receipt (``cash_corrections``: by hand, when the
matcher left it in the queue, or by accepting one of its suggestions),
``remember_correction`` stores what the correction shows
(``domain.cash_application.learning.learn_from_correction``): the payer's
account, the payer's name and the reference pattern, each pointing to the
customer, so the next receipt from that payer applies itself. What is new is
audited (``cashapp.learn``).
"""

from __future__ import annotations

from typing import Any

from owed.domain.cash_application.learning import learn_from_correction
from owed.services.cash_rows import receipt_from_row
from owed.services.unit_of_work import UnitOfWork


def remember_correction(
    uow: UnitOfWork, rec: dict[str, Any], customer_id: int, document_ids: list[int]
) -> None:
    """Remember what this correction teaches (payer account, name, reference pattern)."""
    before = uow.cash.knowledge()
    items = uow.cash.items_for_documents(document_ids)
    after = learn_from_correction(before, receipt_from_row(rec), items, customer_id)
    now, user = uow.now(), uow.actor.username
    learned = []
    for key, cid in after.accounts.items():
        if before.accounts.get(key) != cid and uow.cash.learn(
            "payer_account", key, cid, {}, user, now
        ):
            learned.append(f"account {key[-4:]}")
    for key, cid in after.payer_names.items():
        if before.payer_names.get(key) != cid and uow.cash.learn(
            "payer_name", key, cid, {}, user, now
        ):
            learned.append(f"name {key}")
    for cid, patterns in after.patterns.items():
        for p in patterns:
            if p not in before.patterns.get(cid, ()) and uow.cash.learn(
                "pattern",
                f"{cid}:{p.prefix}:{p.suffix}",
                cid,
                {"prefix": p.prefix, "suffix": p.suffix},
                user,
                now,
            ):
                learned.append(f"pattern {p.prefix}…{p.suffix}")
    if learned:
        uow.audit(
            "cashapp.learn",
            "customer",
            customer_id,
            after={"from_receipt": rec["id"], "learned": learned},
        )
