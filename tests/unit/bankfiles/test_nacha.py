"""NACHA: every sample, CTX reassembly, returns, controls, odd lengths, garbage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from owed.adapters.bankfiles import nacha
from owed.domain.errors import InvalidFile
from owed.domain.payments.statement import Direction, Method, ParsedFile, ParseOptions

STRICT = ParseOptions(strict=True)
LENIENT = ParseOptions(strict=False)

# file -> number of imported entries; every stated control total agrees
VALID = {
    "dfdl_ccd_valid_1.ach": 9,
    "dfdl_ctx_valid_1.ach": 3,
    "dfdl_ctx_valid_1_nolines.ach": 3,
    "dfdl_ppd_contested_dishonored_return.ach": 1,
    "dfdl_ppd_dishonored_return.ach": 1,
    "moov_FISERV-ZEROFILE-PIMRET825324_032720_110221.ach": 0,
    "moov_ccd-debit.ach": 2,
    "moov_ctx-debit.ach": 1,
    "moov_extended-ascii.ach": 6,
    "moov_iat-credit.ach": 1,
    "moov_long-line.ach": 1,
    "moov_ppd-debit-fixedLength.ach": 1,
    "moov_return-WEB.ach": 2,
    "moov_txp-credit.ach": 1,
}


def _read(samples_dir: Path, name: str) -> bytes:
    return (samples_dir / "nacha" / name).read_bytes()


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_samples_parse_and_totals_agree(samples_dir: Path, name: str) -> None:
    parsed = nacha.parse(_read(samples_dir, name), STRICT, name)
    assert len(parsed.lines) == VALID[name]
    assert len(parsed.controls) >= 6 and parsed.failed_controls == []
    assert all(line.method is Method.ACH and line.currency == "USD" for line in parsed.lines)


def test_every_sample_file_is_known(samples_dir: Path) -> None:
    others = {"dfdl_ccd_invalid_3.ach", "moov_20110729A-invalid.ach", "moov_20110805A.ach"}
    assert {p.name for p in (samples_dir / "nacha").iterdir()} == set(VALID) | others


def test_negative_sample_entry_where_a_batch_header_belongs(samples_dir: Path) -> None:
    with pytest.raises(InvalidFile) as info:
        nacha.parse(_read(samples_dir, "dfdl_ccd_invalid_3.ach"), LENIENT)
    assert info.value.problems[0].position == "line 2"
    assert "outside a batch" in info.value.problems[0].reason


def test_negative_sample_93_character_header(samples_dir: Path) -> None:
    with pytest.raises(InvalidFile) as info:
        nacha.parse(_read(samples_dir, "moov_20110729A-invalid.ach"), LENIENT)
    first = info.value.problems[0]
    assert first.position == "line 1" and "record size" in first.reason


def test_sample_with_a_wrong_batch_count_needs_lenient_mode(samples_dir: Path) -> None:
    data = _read(samples_dir, "moov_20110805A.ach")
    with pytest.raises(InvalidFile) as info:
        nacha.parse(data, STRICT)
    assert [p.position for p in info.value.problems] == ["line 93"]
    parsed = nacha.parse(data, LENIENT)
    assert [c.what for c in parsed.failed_controls] == ["file batch count"]


def test_ctx_sample_reassembles_the_820(samples_dir: Path) -> None:
    lines = nacha.parse(_read(samples_dir, "dfdl_ctx_valid_1.ach"), STRICT).lines
    third = lines[2]
    assert third.amount == Decimal("2785931.29") and third.direction is Direction.CREDIT
    (rmr,) = third.remittance
    assert (rmr.reference, rmr.paid) == ("MP42006Q22000407", Decimal("2785931.29"))
    assert [r.reference for r in lines[0].remittance] == ["0140611", "0140611", "0140845"]
    assert third.payer_name == "BEST CASH BANK N"  # batch company name: the originator pays


def test_file_without_line_breaks_reads_the_same(samples_dir: Path) -> None:
    with_lines = nacha.parse(_read(samples_dir, "dfdl_ctx_valid_1.ach"), STRICT)
    without = nacha.parse(_read(samples_dir, "dfdl_ctx_valid_1_nolines.ach"), STRICT)
    assert [(x.amount, x.remittance) for x in with_lines.lines] == [
        (x.amount, x.remittance) for x in without.lines
    ]
    assert any("no line breaks" in w for w in without.warnings)


def test_odd_lengths_are_tolerated_and_reported(samples_dir: Path) -> None:
    long = nacha.parse(_read(samples_dir, "moov_long-line.ach"), STRICT)
    assert any("longer than 94" in w for w in long.warnings)
    short = nacha.parse(
        _read(samples_dir, "moov_FISERV-ZEROFILE-PIMRET825324_032720_110221.ach"), STRICT
    )
    assert any("shorter than 94" in w for w in short.warnings)


def test_returns_are_reversals_with_their_reason(samples_dir: Path) -> None:
    debit_return, credit_return = nacha.parse(
        _read(samples_dir, "moov_return-WEB.ach"), STRICT
    ).lines
    assert debit_return.is_reversal and debit_return.direction is Direction.DEBIT
    assert debit_return.remittance_text.startswith("RETURN R01 original trace 091400600000001")
    assert credit_return.is_reversal and credit_return.direction is Direction.CREDIT
    assert "R03" in credit_return.remittance_text


def test_ccd_plus_rmr_addenda_become_remittance(samples_dir: Path) -> None:
    lines = nacha.parse(_read(samples_dir, "dfdl_ccd_valid_1.ach"), STRICT).lines
    with_rmr = [x for x in lines if x.remittance]
    assert [(r.reference, r.paid) for x in with_rmr for r in x.remittance] == [
        ("0140611", Decimal("-1170.49")),
        ("504058968", None),
    ]
    assert with_rmr[0].remittance_text.startswith("RMR*OI*0140611")


# -- hand-written files ------------------------------------------------------


def _rec(fields: dict[int, str]) -> str:
    """A 94-character record with each value placed at its 1-based start column."""
    chars = [" "] * 94
    for column, value in fields.items():
        chars[column - 1 : column - 1 + len(value)] = value
    return "".join(chars)


def _ctx_file(x12: str, *, reverse_addenda: bool = False, hash_offset: int = 0) -> bytes:
    chunks = [x12[i : i + 80] for i in range(0, len(x12), 80)]
    addenda = [
        _rec({1: "705", 4: chunk, 84: f"{n:04d}", 88: "0000001"})
        for n, chunk in enumerate(chunks, 1)
    ]
    if reverse_addenda:
        addenda.reverse()
    count = 1 + len(addenda)
    records = [
        _rec(
            {1: "101", 4: " 021000021", 14: "1234567890", 24: "240301", 30: "1200", 34: "A094101"}
        ),
        _rec(
            {
                1: "5220",
                5: "PAYER CO",
                41: "1234567890",
                51: "CTXPAYMENT",
                70: "240304",
                79: "101100001",
                88: "0000001",
            }
        ),
        _rec(
            {
                1: "62202100002",
                12: "1",
                13: "12345678",
                30: "0000100000",
                40: "INVOICES",
                55: f"{len(addenda):04d}",
                59: "OUR COMPANY",
                79: "1011000010000001",
            }
        ),
        *addenda,
        _rec(
            {
                1: "8220",
                5: f"{count:06d}{2100002 + hash_offset:010d}{0:012d}{100000:012d}1234567890",
                80: "011000010000001",
            }
        ),
        _rec({1: f"9000001000001{count:08d}{2100002:010d}{0:012d}{100000:012d}"}),
    ]
    return "\n".join(records).encode()


X12 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          "
    "*240301*1200*U*00401*000000001*0*P*>\\"
    "GS*RA*PAYER*PAYEE*20240301*1200*1*X*004010\\ST*820*0001\\BPR*C*1000*C*ACH*CTX\\TRN*1*T1\\"
    "N1*PR*PAYER CO\\ENT*1\\RMR*IV*INV-9*PI*980*1000\\ADX*-20*05\\SE*8*0001\\"
    "GE*1*1\\IEA*1*000000001\\"
)


@pytest.mark.parametrize("reverse", [False, True])
def test_ctx_addenda_are_joined_in_sequence_order(reverse: bool) -> None:
    parsed = nacha.parse(_ctx_file(X12, reverse_addenda=reverse), STRICT)
    assert parsed.failed_controls == []
    (line,) = parsed.lines
    assert (line.amount, line.payer_name, line.value_date) == (
        Decimal("1000.00"),
        "PAYER CO",
        date(2024, 3, 4),
    )
    (rmr,) = line.remittance
    assert (rmr.reference, rmr.paid, rmr.invoice_amount, rmr.adjustment, rmr.reason_code) == (
        "INV-9",
        Decimal("980.00"),
        Decimal("1000.00"),
        Decimal("20.00"),
        "05",
    )


def test_broken_embedded_820_strict_versus_lenient() -> None:
    broken = X12.replace("RMR*IV*INV-9*PI*980", "RMR*IV*INV-9*PI*9X0")
    with pytest.raises(InvalidFile) as info:
        nacha.parse(_ctx_file(broken), STRICT)
    assert info.value.problems[0].position == "line 4 CTX addenda segment 8 (RMR)"
    parsed = nacha.parse(_ctx_file(broken), LENIENT)
    assert parsed.lines[0].remittance == () and parsed.warnings


def test_wrong_entry_hash_strict_versus_lenient() -> None:
    data = _ctx_file(X12, hash_offset=1)
    with pytest.raises(InvalidFile) as info:
        nacha.parse(data, STRICT)
    assert "entry hash" in info.value.problems[0].reason
    assert [c.what for c in nacha.parse(data, LENIENT).failed_controls] == [
        "batch 0000001 entry hash"
    ]


def test_missing_final_newline_and_crlf() -> None:
    data = _ctx_file(X12).replace(b"\n", b"\r\n")
    assert nacha.parse(data.rstrip(b"\r\n"), STRICT).lines[0].amount == Decimal("1000.00")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_random_bytes_raise_only_invalid_file(data: bytes) -> None:
    for candidate in (data, _ctx_file(X12)[:95] + data):
        try:
            assert isinstance(nacha.parse(candidate, LENIENT), ParsedFile)
        except InvalidFile as exc:
            assert exc.problems


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2000), st.binary(min_size=1, max_size=5))
@example(at=604, junk=b"\xb9")  # a superscript one in the 820's IEA control number (found by CI)
def test_corrupted_valid_file_raises_only_invalid_file(at: int, junk: bytes) -> None:
    data = _ctx_file(X12)
    corrupted = data[:at] + junk + data[at + len(junk) :]
    try:
        nacha.parse(corrupted, STRICT)
    except InvalidFile as exc:
        assert exc.problems
