"""The audit chain: any change to a sealed record is found at that record."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.audit import (
    GENESIS,
    AuditEvent,
    AuditRecord,
    canonical_json,
    instant_text,
    record_hash,
    seal,
    verify_chain,
)

AT = datetime(2026, 3, 15, 12, 0, 0, 123456, tzinfo=UTC)


def events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            f"user{i % 3}",
            "journal.post",
            "journal_entry",
            str(i),
            before=None if i % 2 else {"status": "open"},
            after={"amount": f"{i}.00", "lines": [i, "x"]},
        )
        for i in range(1, n + 1)
    ]


def chain(n: int = 5) -> list[AuditRecord]:
    return seal(events(n), AT, 0, GENESIS)


def test_seal_then_verify() -> None:
    records = chain(5)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert verify_chain(records) == (5, None)
    assert verify_chain([]) == (0, None)


def test_sealing_in_batches_continues_the_chain() -> None:
    first = seal(events(3), AT, 0, GENESIS)
    second = seal(events(2), AT + timedelta(seconds=1), first[-1].seq, first[-1].hash)
    assert [r.seq for r in second] == [4, 5]
    assert verify_chain(first + second) == (5, None)


def test_record_content_is_canonical_json() -> None:
    (rec,) = seal([AuditEvent("a", "x.y", "t", "1", after={"b": 1, "a": [2]})], AT, 0, GENESIS)
    assert rec.after == '{"a":[2],"b":1}'
    assert rec.before is None
    assert canonical_json(None) is None


def test_instant_text_is_utc_with_microseconds() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert instant_text(datetime(2026, 3, 15, 14, 0, tzinfo=plus_two)) == (
        "2026-03-15T12:00:00.000000+00:00"
    )
    assert instant_text(datetime(2026, 3, 15, 12, 0)) == "2026-03-15T12:00:00.000000+00:00"


def test_none_and_empty_text_hash_differently() -> None:
    args = (1, AT, "a", "x", "t", "1")
    assert record_hash(*args, None, None, GENESIS) != record_hash(*args, "", None, GENESIS)
    assert record_hash(*args, None, None, GENESIS) != record_hash(*args, None, "", GENESIS)


ALTERATIONS: dict[str, object] = {
    "at": AT + timedelta(microseconds=1),
    "actor": "mallory",
    "action": "journal.reverse",
    "object_type": "invoice",
    "object_id": "999",
    "before": '{"status":"closed"}',
    "after": '{"amount":"1000000.00"}',
    "prev_hash": "f" * 64,
    "hash": "0" * 64,
}


@pytest.mark.parametrize("index", [0, 2, 4])
@pytest.mark.parametrize("field", sorted(ALTERATIONS))
def test_altering_any_field_of_any_record_is_detected_at_that_record(
    field: str, index: int
) -> None:
    records = chain(5)
    records[index] = dataclasses.replace(records[index], **{field: ALTERATIONS[field]})
    checked, problem = verify_chain(records)
    assert problem is not None
    assert problem.seq == index + 1
    assert checked == index + 1


@pytest.mark.parametrize("index", [0, 2, 4])
def test_altering_the_sequence_number_is_detected_at_that_record(index: int) -> None:
    records = chain(5)
    records[index] = dataclasses.replace(records[index], seq=records[index].seq + 10)
    checked, problem = verify_chain(records)
    assert problem is not None and checked == index + 1
    assert f"expected record {index + 1}" in problem.reason


def test_a_forger_who_rehashes_the_record_is_caught_at_the_next_one() -> None:
    records = chain(5)
    r = dataclasses.replace(records[1], after='{"amount":"0.00"}')
    records[1] = dataclasses.replace(
        r,
        hash=record_hash(
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.object_type,
            r.object_id,
            r.before,
            r.after,
            r.prev_hash,
        ),
    )
    _, problem = verify_chain(records)
    assert problem is not None and problem.seq == 3
    assert "previous-hash" in problem.reason


@pytest.mark.parametrize("index", [0, 1, 3])
def test_removing_a_record_is_detected(index: int) -> None:
    records = chain(5)
    del records[index]
    _, problem = verify_chain(records)
    assert problem is not None
    assert problem.seq == index + 2
    assert "removed" in problem.reason


def test_removing_the_last_record_needs_the_stored_head_to_notice() -> None:
    # The chain alone cannot see a truncated tail; services.audit compares with the head.
    assert verify_chain(chain(5)[:-1]) == (4, None)


@pytest.mark.parametrize("index", [0, 2, 3])
def test_reordering_records_is_detected(index: int) -> None:
    records = chain(5)
    records[index], records[index + 1] = records[index + 1], records[index]
    _, problem = verify_chain(records)
    assert problem is not None and problem.seq == index + 2


def test_inserting_a_record_is_detected() -> None:
    records = chain(3)
    forged = seal([AuditEvent("mallory", "x", "t", "1")], AT, 1, records[0].hash)[0]
    _, problem = verify_chain([records[0], forged, *records[1:]])
    assert problem is not None and problem.seq == 2  # the next genuine record is now wrong


text_fields = st.sampled_from(["actor", "action", "object_type", "object_id", "before", "after"])


@given(
    n=st.integers(min_value=1, max_value=30),
    index=st.integers(min_value=0),
    field=text_fields,
    suffix=st.text(min_size=1, max_size=5),
)
def test_any_text_change_anywhere_is_found_at_that_record(
    n: int, index: int, field: str, suffix: str
) -> None:
    records = chain(n)
    i = index % n
    old = getattr(records[i], field) or ""
    records[i] = dataclasses.replace(records[i], **{field: old + suffix})
    _, problem = verify_chain(records)
    assert problem is not None and problem.seq == i + 1


def test_a_missing_value_and_a_nul_text_are_told_apart() -> None:
    records = chain(3)
    assert records[0].before is None
    records[0] = dataclasses.replace(records[0], before="\x00")
    _, problem = verify_chain(records)
    assert problem is not None and problem.seq == 1


def test_moving_text_across_a_field_boundary_is_detected() -> None:
    (rec,) = seal([AuditEvent("a\x1fb", "c", "t", "1")], AT, 0, GENESIS)
    forged = dataclasses.replace(rec, actor="a", action="b\x1fc")
    _, problem = verify_chain([forged])
    assert problem is not None and problem.seq == 1


# -- the hashed text is exactly json.dumps' (the format of every stored chain) -------
def _reference_hash(rec: AuditRecord) -> str:
    """The record hash as first defined: sha256 of json.dumps of the field array."""
    import hashlib
    import json

    payload = json.dumps(
        [
            rec.seq,
            instant_text(rec.at),
            rec.actor,
            rec.action,
            rec.object_type,
            rec.object_id,
            rec.before,
            rec.after,
            rec.prev_hash,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@given(
    actor=st.text(max_size=8),
    object_id=st.text(max_size=8),
    before=st.none() | st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3),
    after=st.none() | st.dictionaries(st.text(max_size=4), st.integers() | st.text(), max_size=3),
    first=st.integers(min_value=0, max_value=10**12),
)
def test_sealed_hashes_are_the_reference_hashes(
    actor: str, object_id: str, before: dict[str, object] | None,
    after: dict[str, object] | None, first: int,
) -> None:  # fmt: skip
    # Any text (quotes, backslashes, control characters, non-ASCII)
    # must hash as json.dumps writes it, or stored chains would stop verifying.
    records = seal(
        [AuditEvent(actor, "a.b", "t\u00e9", object_id, before, after)] * 2, AT, first, GENESIS
    )
    assert [r.hash for r in records] == [_reference_hash(r) for r in records]
    assert record_hash(
        records[1].seq, AT, actor, "a.b", "t\u00e9", object_id,
        records[1].before, records[1].after, records[0].hash,
    ) == records[1].hash  # fmt: skip


def test_hash_payload_falls_back_to_the_json_encoder_for_other_types() -> None:
    from owed.domain.audit import hash_payload

    # Not a plain str: the json encoder writes it (an int stays a number).
    odd: object = 7
    text = hash_payload(1, "t", "a", "b", "c", odd, None, None, "h")  # type: ignore[arg-type]
    assert text == '[1,"t","a","b","c",7,null,null,"h"]'
    assert hash_payload(1, "t", "a", "b", "c", "7", None, '\u00e9"', "h") == (
        '[1,"t","a","b","c","7",null,"\\u00e9\\"","h"]'
    )


def test_a_chain_sealed_at_once_equals_one_sealed_record_by_record() -> None:
    evs = events(50)
    whole = seal(evs, AT, 0, GENESIS)
    one_by_one: list[AuditRecord] = []
    for ev in evs:
        last = one_by_one[-1] if one_by_one else None
        one_by_one += seal([ev], AT, last.seq if last else 0, last.hash if last else GENESIS)
    assert whole == one_by_one
