"""The audit trail: an append-only, hash-chained log of every state change.

Each record's hash covers its content and the previous record's hash, so
altering, deleting or re-ordering any stored record breaks the chain from that
point on. ``verify_chain`` walks the records in sequence and returns the first
one that does not fit, with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    """What happened, before it is sealed into the chain."""

    actor: str
    action: str  # e.g. "invoice.issue"
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: str | None  # canonical JSON text, as stored
    after: str | None
    prev_hash: str
    hash: str


def canonical_json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def instant_text(at: datetime) -> str:
    """Canonical text of an instant: UTC, microseconds (naive values are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    # A JSON array is unambiguous: strings are quoted and escaped, a missing
    # value is ``null``, so no field's text can pass for another's or for None.
    payload = json.dumps(
        [seq, instant_text(at), actor, action, object_type, object_id, before, after, prev_hash],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def seal(
    events: Iterable[AuditEvent], at: datetime, last_seq: int, last_hash: str
) -> list[AuditRecord]:
    """Chain new events after the record (``last_seq``, ``last_hash``)."""
    records: list[AuditRecord] = []
    prev, seq = last_hash, last_seq
    for ev in events:
        seq += 1
        before, after = canonical_json(ev.before), canonical_json(ev.after)
        h = record_hash(
            seq, at, ev.actor, ev.action, ev.object_type, ev.object_id, before, after, prev
        )
        records.append(
            AuditRecord(
                seq, at, ev.actor, ev.action, ev.object_type, ev.object_id, before, after, prev, h
            )
        )
        prev = h
    return records


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(records: Iterable[AuditRecord]) -> tuple[int, ChainBreak | None]:
    """Check records in sequence order; returns (records checked, first break or None)."""
    prev, expected_seq, count = GENESIS, 1, 0
    for rec in records:
        count += 1
        if rec.seq != expected_seq:
            return count, ChainBreak(
                rec.seq,
                f"expected record {expected_seq}, found {rec.seq} "
                "(a record was removed or inserted)",
            )
        if rec.prev_hash != prev:
            return count, ChainBreak(
                rec.seq, "previous-hash link does not match the record before it"
            )
        h = record_hash(
            rec.seq,
            rec.at,
            rec.actor,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.before,
            rec.after,
            rec.prev_hash,
        )
        if h != rec.hash:
            return count, ChainBreak(rec.seq, "content does not match its hash (altered)")
        prev, expected_seq = rec.hash, expected_seq + 1
    return count, None
