"""Lockbox: the built-in layouts, configured layouts, controls, and garbage."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owed.adapters.bankfiles import lockbox
from owed.domain.errors import ConfigurationError, InvalidFile
from owed.domain.payments.statement import Method, ParsedFile, ParseOptions

REMITTER = {"base": "bai-remitter"}


def _sample(samples_dir: Path, name: str) -> bytes:
    return (samples_dir / "lockbox" / name).read_bytes()


def _rec(kind: str, fields: dict[int, str]) -> str:
    """An 80-column record with each value placed at its 1-based start column."""
    chars = [" "] * 80
    chars[0] = kind
    for start, value in fields.items():
        chars[start - 1 : start - 1 + len(value)] = value
    return "".join(chars)


def _standard_file(batch_total: str = "0000025000") -> bytes:
    records = [
        _rec("1", {2: "00", 4: "DEST000001", 14: "ORIGIN0001", 24: "240301", 30: "0900"}),
        _rec("2", {2: "DEST000001", 12: "ORIGIN0001", 32: "400", 35: "080"}),
        _rec("5", {2: "001", 5: "000", 8: "0012345", 15: "240301"}),
        _rec(
            "6",
            {
                2: "001",
                5: "001",
                8: "0000015000",
                18: "021000021",
                27: "0000123456",
                37: "0000004711",
                47: "INV-1001",
                57: "0000010000",
            },
        ),
        _rec("4", {2: "001", 5: "001", 8: "6", 9: "01", 11: "0", 12: "INV-1002", 22: "0000004000"}),
        _rec("4", {2: "001", 5: "001", 8: "6", 9: "02", 11: "9", 12: "CM-7", 22: "0000000500"}),
        _rec("6", {2: "001", 5: "002", 8: "0000010000", 37: "0000000099"}),
        _rec("7", {2: "001", 8: "0012345", 15: "240301", 21: "002", 24: batch_total}),
        _rec("8", {8: "0012345", 15: "240301", 21: "0002", 25: "0000025000"}),
        _rec("9", {2: "000010"}),
    ]
    return "\n".join(records).encode()


def test_samples_parse_with_the_remitter_layout(samples_dir: Path) -> None:
    parsed = lockbox.parse(
        _sample(samples_dir, "fundersclub_test_lockbox.bai"), ParseOptions(layout=REMITTER)
    )
    assert parsed.failed_controls == [] and len(parsed.controls) == 5
    (line,) = parsed.lines
    assert (line.amount, line.method, line.customer_reference) == (
        Decimal("7000.00"),
        Method.LOCKBOX,
        "180",
    )
    assert line.payer_name == "BOB E SMITH"
    assert line.payer_account == "055002707/0012345555"
    assert line.value_date == date(2016, 5, 23)
    assert [r.reference for r in line.remittance] == ["CE554"]  # from the type 4 overflow
    assert parsed.statements[0].account == "22222"


def test_empty_lockbox_sample_has_zero_totals(samples_dir: Path) -> None:
    data = _sample(samples_dir, "fundersclub_test_empty_lockbox.bai")
    for layout in ({}, REMITTER):
        parsed = lockbox.parse(data, ParseOptions(layout=layout))
        assert parsed.lines == [] and parsed.failed_controls == []
        assert {c.what for c in parsed.controls} >= {"file record count", "lockbox 22222 total"}


def test_sample_with_names_is_refused_by_the_standard_layout(samples_dir: Path) -> None:
    with pytest.raises(InvalidFile) as info:
        lockbox.parse(_sample(samples_dir, "fundersclub_test_lockbox.bai"), ParseOptions())
    assert info.value.problems[0].position == "line 4"


def test_standard_layout_reads_invoices_from_detail_and_overflow() -> None:
    parsed = lockbox.parse(_standard_file(), ParseOptions())
    assert parsed.failed_controls == []
    first, second = parsed.lines
    assert [(r.reference, r.paid) for r in first.remittance] == [
        ("INV-1001", Decimal("100.00")),
        ("INV-1002", Decimal("40.00")),
        ("CM-7", Decimal("5.00")),
    ]
    # check 150.00 against invoices 145.00: normal, not an error
    assert first.amount == Decimal("150.00") and not parsed.warnings
    assert first.bank_reference == "LBX12345-20240301-001-001"
    assert first.raw.count("\n") == 2
    assert (second.amount, second.remittance, second.customer_reference) == (
        Decimal("100.00"),
        (),
        "99",
    )


def test_wrong_batch_total_strict_versus_lenient() -> None:
    data = _standard_file(batch_total="0000025001")
    with pytest.raises(InvalidFile) as info:
        lockbox.parse(data, ParseOptions())
    assert info.value.problems[0].position == "line 8"
    parsed = lockbox.parse(data, ParseOptions(strict=False))
    assert [c.what for c in parsed.failed_controls] == ["batch 001 total"]
    assert len(parsed.lines) == 2


def test_overflow_without_its_check_is_a_problem() -> None:
    lines = _standard_file().decode().splitlines()
    lines[4] = lines[4][:4] + "9" + lines[4][5:]  # overflow for item 901
    with pytest.raises(InvalidFile) as info:
        lockbox.parse("\n".join(lines).encode(), ParseOptions(strict=False))
    assert info.value.problems[0].position == "line 5"


def test_layout_override_moves_a_field() -> None:
    lines = _standard_file().decode().splitlines()
    # this bank puts the check number at 67-76 instead of 37-46
    moved = lines[3][:36] + " " * 10 + lines[3][46:66] + "0000004711" + lines[3][76:]
    lines[3] = moved
    layout = {"6": {"check_number": [67, 76]}}
    parsed = lockbox.parse("\n".join(lines).encode(), ParseOptions(layout=layout))
    assert parsed.lines[0].customer_reference == "4711"


def test_load_layout_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "bank.toml"
    toml.write_text(
        'base = "bai-remitter"\ndate_format = "YYMMDD"\n[6]\nremitter_name = [53, 70]\n'
    )
    spec = lockbox.load_layout(toml)
    layout, date_format = lockbox.resolve_layout(spec)
    assert layout["6"]["remitter_name"] == (53, 70) and date_format == "YYMMDD"
    as_json = tmp_path / "bank.json"
    as_json.write_text(json.dumps({"4": {"invoice_1": [12, 21]}}))
    assert lockbox.resolve_layout(lockbox.load_layout(as_json))[0]["4"]["invoice_1"] == (12, 21)


@pytest.mark.parametrize(
    "spec",
    [
        {"base": "no-such-bank"},
        {"3": {"amount": [1, 2]}},
        {"6": {"amount": [17, 8]}},
        {"6": {"amount": "8-17"}},
        {"date_format": "DDMMYY"},
    ],
)
def test_bad_layouts_are_configuration_errors(spec: dict[str, object], tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        lockbox.parse(_standard_file(), ParseOptions(layout=spec))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec))
    with pytest.raises(ConfigurationError):
        lockbox.load_layout(path)


def test_sniff(samples_dir: Path) -> None:
    assert lockbox.sniff(_standard_file())
    assert lockbox.sniff(_sample(samples_dir, "fundersclub_test_lockbox.bai"))
    assert not lockbox.sniff((samples_dir / "nacha" / "moov_ccd-debit.ach").read_bytes())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([{}, REMITTER]))
def test_random_bytes_raise_only_invalid_file(data: bytes, layout: dict[str, object]) -> None:
    for candidate in (data, b"5" + data, b"6" + data):
        try:
            assert isinstance(lockbox.parse(candidate, ParseOptions(layout=layout)), ParsedFile)
        except InvalidFile as exc:
            assert exc.problems
