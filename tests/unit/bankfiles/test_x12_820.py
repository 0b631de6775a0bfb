"""X12 820: samples, delimiters, RMR/ADX, envelope checks, and garbage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owed.adapters.bankfiles import x12_820
from owed.domain.errors import InvalidFile
from owed.domain.payments.statement import Direction, Method, ParsedFile, ParseOptions

STRICT = ParseOptions(strict=True)
LENIENT = ParseOptions(strict=False)

# file -> (payment amount, number of remittance lines)
VALID = {
    "edifabric_PaymentOrderRemittanceAdvice_005010X306.txt": (Decimal("220.00"), 5),
    "edifabric_PaymentOrder_005010X218.txt": (Decimal("19000.00"), 2),
    "oopfactory_Example2_ScanaEnergy.txt": (Decimal("10000.00"), 1),
    "oopfactory_Example5_Wikipedia.txt": (Decimal("77.77"), 3),
    "oopfactory_Example6.txt": (Decimal("66.55"), 2),
}
NEGATIVE = {
    "x12_820/oopfactory_Example3_HomeDepot.txt": "segment 4 (BPR)",  # a template, no values
    "x12_misc/badx12_errors_error_validation.edi": "segment 29 (SE)",  # ST02/SE02 mismatch
    "x12_misc/badx12_errors_segment_terminator.edi": "end of interchange",
    "x12_misc/edifabric_MixedTransactions.txt": "file",  # 850/810, no 820
}

ISA = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PAYEE          "
    "*240301*1200*U*00401*000000007*0*P*>~"
)


def _interchange(*body: str, se_count: int | None = None) -> bytes:
    segments = ["ST*820*0001", *body]
    count = len(segments) + 1 if se_count is None else se_count
    return "~".join(
        [
            ISA[:-1],
            "GS*RA*PAYER*PAYEE*20240301*1200*7*X*004010",
            *segments,
            f"SE*{count}*0001",
            "GE*1*7",
            "IEA*1*000000007",
            "",
        ]
    ).encode()


PAYMENT = (
    "BPR*C*1000*C*ACH*CTX*01*011000015*DA*123456789*1234567890**01*021000021*DA*987654*20240305",
    "TRN*1*TRACE-77*1234567890",
    "CUR*PR*USD",
    "N1*PR*ACME CORP",
    "N1*PE*OUR COMPANY",
    "ENT*1",
    "ADX*-10*05**CLAIM-1",
    "RMR*IV*INV-1*PI*600*620*0",
    "ADX*-20*01",
    "RMR*IV*INV-2**400*400",
    "ADX*-5*CS",
    "ADX*-7*55",
    "NTE*ZZZ*THANK YOU",
)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_samples(samples_dir: Path, name: str) -> None:
    parsed = x12_820.parse((samples_dir / "x12_820" / name).read_bytes(), STRICT, name)
    assert parsed.failed_controls == [] and len(parsed.controls) == 3
    (line,) = parsed.lines
    assert (line.amount, len(line.remittance)) == VALID[name]


@pytest.mark.parametrize("path", sorted(NEGATIVE))
def test_negative_samples(samples_dir: Path, path: str) -> None:
    with pytest.raises(InvalidFile) as info:
        x12_820.parse((samples_dir / path).read_bytes(), LENIENT)
    assert info.value.problems[0].position == NEGATIVE[path]


def test_every_sample_file_is_known(samples_dir: Path) -> None:
    names = {f"x12_820/{p.name}" for p in (samples_dir / "x12_820").iterdir()}
    names |= {f"x12_misc/{p.name}" for p in (samples_dir / "x12_misc").iterdir()}
    assert names == {f"x12_820/{n}" for n in VALID} | set(NEGATIVE)


def test_negative_rmr_and_newline_terminator(samples_dir: Path) -> None:
    x306 = samples_dir / "x12_820" / "edifabric_PaymentOrderRemittanceAdvice_005010X306.txt"
    line = x12_820.parse(x306.read_bytes(), STRICT).lines[0]
    assert [r.paid for r in line.remittance] == [
        Decimal(v) for v in ("35.00", "35.00", "-350.00", "450.00", "50.00")
    ]
    scana = samples_dir / "x12_820" / "oopfactory_Example2_ScanaEnergy.txt"
    line = x12_820.parse(scana.read_bytes(), STRICT).lines[0]
    assert (line.payer_name, line.value_date, line.bank_reference) == (
        "CUSTOMER NAME",
        date(2003, 1, 1),
        "0001",
    )


def test_hand_written_payment_with_adjustments() -> None:
    parsed = x12_820.parse(_interchange(*PAYMENT), STRICT)
    (line,) = parsed.lines
    assert (line.amount, line.currency, line.direction, line.method) == (
        Decimal("1000.00"),
        "USD",
        Direction.CREDIT,
        Method.ACH,
    )
    assert (line.value_date, line.bank_reference, line.payer_name) == (
        date(2024, 3, 5),
        "TRACE-77",
        "ACME CORP",
    )
    assert line.type_code == "820:ACH/CTX" and line.remittance_text == "THANK YOU"
    assert parsed.statements[0].account == "987654"
    whole, inv1, inv2, extra = line.remittance
    # ADX before any RMR in the ENT applies to the whole payment
    assert (whole.kind, whole.reference, whole.adjustment, whole.reason_code) == (
        "adjustment",
        "CLAIM-1",
        Decimal("10.00"),
        "05",
    )
    # ADX after an RMR is that invoice's deduction; negative ADX01 = less paid
    assert (inv1.reference, inv1.paid, inv1.invoice_amount, inv1.discount) == (
        "INV-1",
        Decimal("600.00"),
        Decimal("620.00"),
        Decimal("0.00"),
    )
    assert (inv1.adjustment, inv1.reason_code) == (Decimal("20.00"), "01")
    assert (inv2.adjustment, inv2.reason_code) == (Decimal("5.00"), "CS")
    # a second ADX on the same RMR becomes its own line for that invoice
    assert (extra.kind, extra.reference, extra.adjustment, extra.reason_code) == (
        "adjustment",
        "INV-2",
        Decimal("7.00"),
        "55",
    )


def test_other_delimiters() -> None:
    text = _interchange(*PAYMENT).decode()
    swapped = text.replace("*", "|").replace("~", "\n").replace("|>\n", "|^\n", 1)
    parsed = x12_820.parse(swapped.encode(), STRICT)
    assert parsed.lines[0].amount == Decimal("1000.00")
    assert len(parsed.lines[0].remittance) == 4


def test_wrong_segment_count_strict_versus_lenient() -> None:
    data = _interchange(*PAYMENT, se_count=99)
    with pytest.raises(InvalidFile) as info:
        x12_820.parse(data, STRICT)
    assert info.value.problems[0].position == "segment 17 (SE)"
    parsed = x12_820.parse(data, LENIENT)
    assert [c.stated for c in parsed.failed_controls] == [Decimal(99)]


def test_malformed_segments_are_all_named() -> None:
    body = [p.replace("RMR*IV*INV-2**400", "RMR*IV*INV-2**4X0") for p in PAYMENT]
    body[0] = body[0].replace("*C*ACH", "*Q*ACH")
    with pytest.raises(InvalidFile) as info:
        x12_820.parse(_interchange(*body, "RMR*IV"), LENIENT)
    positions = [p.position for p in info.value.problems]
    assert positions == ["segment 4 (BPR)", "segment 13 (RMR)", "segment 17 (RMR)"]


def test_sniff(samples_dir: Path) -> None:
    assert x12_820.sniff(_interchange(*PAYMENT))
    assert not x12_820.sniff(
        (samples_dir / "x12_misc" / "edifabric_MixedTransactions.txt").read_bytes()
    )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_invalid_file(data: bytes) -> None:
    for candidate in (data, ISA.encode() + data):
        try:
            assert isinstance(x12_820.parse(candidate, LENIENT), ParsedFile)
        except InvalidFile as exc:
            assert exc.problems


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*PAYMENT, "ST*820*1", "SE*2*1", "GS*RA", "GE*1", "ADX", "RMR**X"]),
        max_size=15,
    )
)
def test_shuffled_segments_raise_only_invalid_file(body: list[str]) -> None:
    try:
        x12_820.parse(_interchange(*body), STRICT)
    except InvalidFile as exc:
        assert exc.problems
