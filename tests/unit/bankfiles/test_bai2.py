"""BAI2: every sample file, the tricky cases by hand, and garbage never crashes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owed.adapters.bankfiles import bai2
from owed.domain.errors import InvalidFile
from owed.domain.payments.statement import Direction, Method, ParsedFile, ParseOptions

STRICT = ParseOptions(strict=True)
LENIENT = ParseOptions(strict=False)

# file -> number of transaction lines; all control totals stated agree
VALID = {
    "moj_account_trailer_amount_blank_example.bai2": 0,
    "moj_citi_example.bai2": 1,
    "moj_svb_us_example.bai2": 2,
    "moov_sample2.txt": 4,
    "moov_sample3.txt": 26,
    "venturehacks_daily.bai2": 1,
    "venturehacks_daily_with_summary.bai2": 1,
    "venturehacks_eod.bai2": 1,
    "venturehacks_eod_without_as_of_time.bai2": 1,
}


def _read(samples_dir: Path, name: str) -> bytes:
    return (samples_dir / "bai2" / name).read_bytes()


def _file(*records: str) -> bytes:
    return "\n".join(records).encode()


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_samples_parse_and_their_totals_agree(samples_dir: Path, name: str) -> None:
    parsed = bai2.parse(_read(samples_dir, name), STRICT, name)
    assert parsed.format == "bai2"
    assert len(parsed.lines) == VALID[name]
    assert parsed.controls, "every sample states at least one control total"
    assert parsed.failed_controls == []


def test_every_sample_file_is_known(samples_dir: Path) -> None:
    negative = {
        "moov_errors_sample-parseError.txt",
        "venturehacks_invalid_checksum_eod.bai2",
        "moov_sample5-issue113.txt",
    }
    on_disk = {p.name for p in (samples_dir / "bai2").iterdir()}
    assert on_disk == set(VALID) | negative


def test_negative_sample_invalid_record_code(samples_dir: Path) -> None:
    with pytest.raises(InvalidFile) as info:
        bai2.parse(_read(samples_dir, "moov_errors_sample-parseError.txt"), LENIENT)
    assert info.value.problems[0].position == "line 1"
    assert "'00'" in info.value.problems[0].reason


def test_wrong_account_total_strict_raises_naming_the_49(samples_dir: Path) -> None:
    data = _read(samples_dir, "venturehacks_invalid_checksum_eod.bai2")
    with pytest.raises(InvalidFile) as info:
        bai2.parse(data, STRICT)
    positions = [p.position for p in info.value.problems]
    assert positions[0] == "line 15"  # the 49 record
    assert "83259.83" in info.value.problems[0].reason


def test_wrong_account_total_lenient_reports_a_warning(samples_dir: Path) -> None:
    parsed = bai2.parse(_read(samples_dir, "venturehacks_invalid_checksum_eod.bai2"), LENIENT)
    failed = parsed.failed_controls
    assert [c.position for c in failed] == ["line 15", "line 16", "line 17"]
    assert failed[0].stated == Decimal("83259.83") and failed[0].computed == Decimal("83259.82")
    assert any("line 15" in w and "lenient" in w for w in parsed.warnings)
    assert parsed.lines[0].amount == Decimal("83259.82")


def test_real_world_file_with_wrong_trailers_needs_lenient_mode(samples_dir: Path) -> None:
    data = _read(samples_dir, "moov_sample5-issue113.txt")
    with pytest.raises(InvalidFile) as info:
        bai2.parse(data, STRICT)
    assert info.value.problems[0].position == "line 22"
    parsed = bai2.parse(data, LENIENT)
    assert len(parsed.lines) == 20
    assert parsed.failed_controls


def test_blank_trailer_amounts_are_not_stated(samples_dir: Path) -> None:
    parsed = bai2.parse(_read(samples_dir, "moj_account_trailer_amount_blank_example.bai2"), STRICT)
    blank = [w for w in parsed.warnings if "blank (not stated)" in w]
    assert [w.split(":")[0] for w in blank] == ["line 4", "line 6"]
    assert "account 12345 control total" not in {c.what for c in parsed.controls}


def test_wire_sample_fields(samples_dir: Path) -> None:
    line = bai2.parse(_read(samples_dir, "venturehacks_eod.bai2"), STRICT).lines[0]
    assert line.method is Method.WIRE
    assert line.direction is Direction.CREDIT
    assert line.payer_name == "OPTIONS LINK WIRE CLEARING"
    assert "OBI:=INVOICE 123456" in line.remittance_text
    assert line.raw.count("\n") == 10  # the 16 and its ten 88s


def test_citi_88_lines_carry_the_text_after_a_short_16(samples_dir: Path) -> None:
    parsed = bai2.parse(_read(samples_dir, "moj_citi_example.bai2"), STRICT)
    line = parsed.lines[0]
    assert (line.amount, line.currency) == (Decimal("0.01"), "GBP")
    assert line.value_date == date(2015, 7, 15)  # funds type V
    assert (line.bank_reference, line.customer_reference) == ("1234567890", "RP12312312312312")
    assert line.remittance_text.startswith("FR:FP SIP INCOMING ENDT:20150715")


HEADER = ("01,SENDER,RECEIVER,240115,0800,FILE1,,,2/", "02,RECEIVER,BANK,1,240114,2359,USD,2/")
DETAILS = (
    "03,1234,,010,100000,,,015,250000,,/",
    "16,142,12345,S,10000,2345,0,BANKREF1,CUSTREF1,ORIG CO NAME:ACME, INC. ORIG ID:999 "
    "EREF: INV-1/2024",
    "88,REMI: INV 1001, INV/1002/",
    "16,195,50000,V,240116,1200,WIRE9,,BY ORDER OF: GLOBEX LTD OBI: INV 2001",
    "16,301,7000,D,2,0,5000,1,2000,DEP7,,",
    "16,475,1500,0,CHK1,1001,/",
)


def _tricky(account_total: str = "420845") -> bytes:
    return _file(
        *HEADER,
        *DETAILS,
        f"49,{account_total},7/",
        "98,420845,1,9/",
        "99,420845,1,11/",
    )


def test_hand_written_file_reads_every_tricky_field() -> None:
    parsed = bai2.parse(_tricky(), STRICT)
    assert parsed.failed_controls == [] and len(parsed.controls) == 8
    ach, wire, deposit, check = parsed.lines
    # 88 continuation: new field, text keeps its comma and slashes
    assert ach.remittance_text == (
        "ORIG CO NAME:ACME, INC. ORIG ID:999 EREF: INV-1/2024 REMI: INV 1001, INV/1002"
    )
    assert ach.payer_name == "ACME, INC."
    assert (ach.bank_reference, ach.customer_reference) == ("BANKREF1", "CUSTREF1")
    assert (ach.amount, ach.method, ach.value_date) == (
        Decimal("123.45"),
        Method.ACH,
        date(2024, 1, 14),
    )
    # funds type V moves the references and gives a value date
    assert (wire.bank_reference, wire.value_date) == ("WIRE9", date(2024, 1, 16))
    assert wire.payer_name == "GLOBEX LTD" and wire.method is Method.WIRE
    # funds type D: two distributions, then the references
    assert (deposit.bank_reference, deposit.method, deposit.remittance_text) == (
        "DEP7",
        Method.CHECK,
        "",
    )
    # debit from the type code
    assert (check.direction, check.customer_reference, check.method) == (
        Direction.DEBIT,
        "1001",
        Method.CHECK,
    )
    statement = parsed.statements[0]
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("1000.00"),
        Decimal("2500.00"),
    )


def test_wrong_trailer_total_strict_versus_lenient() -> None:
    with pytest.raises(InvalidFile) as info:
        bai2.parse(_tricky(account_total="420846"), STRICT, "wrong.bai")
    assert info.value.problems[0].position == "line 9"
    assert "account 1234 control total" in info.value.problems[0].reason
    parsed = bai2.parse(_tricky(account_total="420846"), LENIENT)
    assert [c.position for c in parsed.failed_controls] == ["line 9"]
    assert len(parsed.lines) == 4


def test_summary_split_across_88_starts_a_new_field() -> None:
    data = _file(
        *HEADER,
        "03,1234,,010,100,,,190/",
        "88,500,,,110,700,2,D,1,0,700/",
        "49,1300,3/",
        "98,1300,1,5/",
        "99,1300,1,7/",
    )
    parsed = bai2.parse(data, STRICT)
    assert parsed.failed_controls == []  # 100 + 500 + 700, never "190500"


def test_several_records_on_one_line_and_a_wrapped_line() -> None:
    data = _file(
        "01,S,R,240115,0800,F,,,2/   02,R,B,1,240114,2359,USD,2/",
        "03,1,,/ 16,142,100,Z,,,PAYMENT FROM",
        "SOMEONE/",
        "49,100,3/ 98,100,1,5/ 99,100,1,7/",
    )
    parsed = bai2.parse(data, STRICT)
    assert parsed.lines[0].remittance_text == "PAYMENT FROM SOMEONE"
    assert parsed.failed_controls == []


def test_structural_problems_are_all_reported_with_lines() -> None:
    data = _file(*HEADER, "03,1234,XXX/", "16,9A9,100,,,,/", "16,142,1O0,,,,/", "49,100,4/")
    with pytest.raises(InvalidFile) as info:
        bai2.parse(data, LENIENT)
    found = {(p.position, p.reason.split(" ")[0]) for p in info.value.problems}
    assert ("line 3", "unknown") in found
    assert ("line 4", "16") in found and ("line 5", "16") in found
    assert any(p.position == "end of file" for p in info.value.problems)  # no 98/99


def test_sniff() -> None:
    assert bai2.sniff(_tricky())
    assert not bai2.sniff(b"ISA*00*")
    assert not bai2.sniff(b"")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_invalid_file(data: bytes) -> None:
    for candidate in (data, b"01," + data):
        try:
            assert isinstance(bai2.parse(candidate, LENIENT), ParsedFile)
        except InvalidFile as exc:
            assert exc.problems


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*HEADER, *DETAILS, "49,1,2/", "98,,1/", "99,1/", "88,X/", ",,/"]),
        max_size=12,
    )
)
def test_shuffled_records_raise_only_invalid_file(records: list[str]) -> None:
    try:
        bai2.parse(_file(*records), STRICT)
    except InvalidFile as exc:
        assert exc.problems
