"""The audit trail: an append-only, hash-chained log of every state change.

Each record's hash covers its content and the previous record's hash, so
altering, deleting or re-ordering any stored record breaks the chain from that
point on. ``verify_chain`` walks the records in sequence and returns the first
one that does not fit, with the reason.

What is hashed is fixed (changing it would break every stored chain): the
compact JSON array ``[seq, at, actor, action, object_type, object_id, before,
after, prev_hash]`` as ``json.dumps`` writes it (ASCII, ``","`` and ``":"``),
UTF-8 encoded. ``seal`` writes that text directly, escaping each string with
the ``json`` module's own string encoder and the instant once per batch, so a
run sealing 10^5 records does not build a JSON encoder per record; anything
not a plain ``str``/``int``/``None`` takes the ``json`` encoder itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quoted
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


# One encoder each, built once: the same text as ``json.dumps`` with these options.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode
_ARRAY = json.JSONEncoder(separators=(",", ":")).encode


def canonical_json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return _CANONICAL(value)


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
    return _digest(
        hash_payload(
            seq, instant_text(at), actor, action, object_type, object_id, before, after, prev_hash
        )
    )


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def hash_payload(
    seq: int,
    at_text: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    """The text a record's hash covers: ``json.dumps([...], separators=(",", ":"))``.

    A JSON array is unambiguous: strings are quoted and escaped, a missing
    value is ``null``, so no field's text can pass for another's or for None.
    """
    if (
        type(seq) is int
        and type(at_text) is str
        and type(actor) is str
        and type(action) is str
        and type(object_type) is str
        and type(object_id) is str
        and (before is None or type(before) is str)
        and (after is None or type(after) is str)
        and type(prev_hash) is str
    ):
        b = "null" if before is None else _quoted(before)
        a = "null" if after is None else _quoted(after)
        return (
            f"[{seq},{_quoted(at_text)},{_quoted(actor)},{_quoted(action)},"
            f"{_quoted(object_type)},{_quoted(object_id)},{b},{a},{_quoted(prev_hash)}]"
        )
    return _ARRAY(  # anything else: the encoder itself
        [seq, at_text, actor, action, object_type, object_id, before, after, prev_hash]
    )


def seal(
    events: Iterable[AuditEvent], at: datetime, last_seq: int, last_hash: str
) -> list[AuditRecord]:
    """Chain new events after the record (``last_seq``, ``last_hash``)."""
    records: list[AuditRecord] = []
    prev, seq = last_hash, last_seq
    at_text = instant_text(at)  # the same instant for the whole batch
    for ev in events:
        seq += 1
        before, after = canonical_json(ev.before), canonical_json(ev.after)
        h = _digest(
            hash_payload(
                seq, at_text, ev.actor, ev.action, ev.object_type, ev.object_id, before, after, prev
            )
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
