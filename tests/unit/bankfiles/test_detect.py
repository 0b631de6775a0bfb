"""Format detection over every sample, the registry, and garbage in."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from owed.adapters.bankfiles import FORMATS, detect_format, file_digest, parse_bytes, parse_file
from owed.domain.errors import InvalidFile

EXPECTED = {
    "bai2": "bai2",
    "lockbox": "lockbox",
    "nacha": "nacha",
    "x12_820": "x12-820",
    "camt052": "camt",
    "camt053": "camt",
    "camt054": "camt",
    "mt940": "mt940",
}


@pytest.mark.parametrize("directory", sorted(EXPECTED))
def test_every_sample_is_detected(samples_dir: Path, directory: str) -> None:
    files = sorted((samples_dir / directory).iterdir())
    assert files
    detected = {f.name: detect_format(f.read_bytes(), f.name) for f in files}
    assert detected == dict.fromkeys(detected, EXPECTED[directory])


def test_registry_names_and_lazy_modules() -> None:
    assert list(FORMATS) == ["bai2", "lockbox", "nacha", "x12-820", "camt", "mt940", "csv", "xlsx"]
    for name in ("camt", "mt940", "csv", "xlsx"):
        module = FORMATS[name]
        assert callable(module.parse) and callable(module.sniff)
    assert FORMATS["xlsx"].FORMAT == "xlsx"
    assert FORMATS["csv"].FORMAT == "csv"


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"\xef\xbb\xbf<?xml version='1.0'?><Document/>", "x", "camt"),
        (b"  \r\n:20:REF\r\n:25:123\r\n", "x", "mt940"),
        (b"PK\x03\x04rest", "x", "xlsx"),
        (b"date;amount\n2024-01-01;1,00\n", "x.csv", "csv"),
        (b"01,SENDER,RECEIVER,240101,0101,1,,,2/\n", "x", "bai2"),
    ],
)
def test_detection_rules(data: bytes, name: str, expected: str) -> None:
    assert detect_format(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "x", "empty"),
        (b" \n\t", "x", "empty"),
        (b"just some words", "x", "not a recognised bank file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "x.xls", "legacy Excel"),
        (b"date,amount\n", "x.xlsx", "not an XLSX"),
    ],
)
def test_nothing_fits(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(InvalidFile) as caught:
        detect_format(data, name)
    assert reason in caught.value.problems[0].reason
    assert caught.value.problems[0].position == "file"


def test_file_digest_is_sha256() -> None:
    assert file_digest(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidFile, match="unknown format"):
        parse_bytes(b"x", format="ofx")
    with pytest.raises(InvalidFile, match="cannot read"):
        parse_file(tmp_path / "missing.csv")


PREFIXES = [
    b"",
    b"<?xml version='1.0'?>",
    b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt><Stmt>",
    b":20:X\n:25:Y\n:60F:C240101EUR1,00\n:61:",
    b":61:",
    b"01,",
    b"ISA*",
    b"101 ",
    b"1",
    b"PK\x03\x04",
    b"date,amount\n",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_garbage_only_ever_raises_invalid_file(prefix: bytes, tail: bytes) -> None:
    data = prefix + tail
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.bin"
        path.write_bytes(data)
        try:
            parse_file(path)
        except InvalidFile as exc:
            assert exc.problems
