"""CAMT.052/.053/.054: every sample file, and hand-written worked cases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from owed.adapters.bankfiles import camt, parse_file
from owed.domain.errors import InvalidFile
from owed.domain.payments.statement import Direction, Method, ParseOptions

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"

# Every sample: (strict outcome, lenient outcome). "ok:<lines>:<failed controls>"
# or "invalid:<position of the first problem>". Where a sample parses leniently
# but not strictly, its own stated totals disagree with its entries (these are
# library test fixtures, cut down or made up); the reason is noted.
SAMPLES = {
    # Btch/NbOfTxs says 20 transactions, one TxDtls is given.
    "camt052/genkgo_camt052.v2.xml": ("invalid:Rpt[1]/Ntry[1]/NtryDtls/Btch[1]", "ok:1:1"),
    "camt052/genkgo_camt052.v8.xml": ("ok:1:0", "ok:1:0"),
    "camt052/hbci4java_test-camt-parse-05200108.xml": ("ok:1:0", "ok:1:0"),
    # NEGATIVE/lenient: balances 100.0000000000005 EUR: never rounded.
    "camt052/hbci4java_test-camt-parse-5200108-invalid-saldo.xml": (
        "invalid:Rpt[1]/Bal[1]/Amt",
        "ok:1:0",
    ),
    "camt052/kedder_camt052.xml": ("ok:5:0", "ok:5:0"),
    # OPBD 1.01 + 8.85 != CLBD 4.04 (balance-type fixture).
    "camt053/genkgo_camt053.v2.all-balance-types.xml": ("invalid:Stmt[1]", "ok:1:1"),
    # 18.15 + 8.85 = 27.00, CLBD says 27.05.
    "camt053/genkgo_camt053.v2.five.decimals.xml": ("invalid:Stmt[1]", "ok:1:1"),
    # CLBD in SEK on an EUR account.
    "camt053/genkgo_camt053.v2.minimal.xml": ("invalid:Stmt[1]/Bal[2]/Amt", "ok:1:0"),
    "camt053/genkgo_camt053.v2.multi.statement.xml": ("ok:2:0", "ok:2:0"),
    "camt053/genkgo_camt053.v2.wrong.xml": ("invalid:BkToCstmrStmt", "invalid:BkToCstmrStmt"),
    # CLBD in SEK; entry 8.85 but its only TxDtls says 105.750.
    "camt053/genkgo_camt053.v3.xml": ("invalid:Stmt[1]/Bal[2]/Amt", "ok:1:1"),
    "camt053/genkgo_camt053.v8.xml": ("invalid:Stmt[1]/Bal[2]/Amt", "ok:1:0"),
    "camt053/genkgo_camt53.only-Dt-with-DtTm.xml": ("ok:0:0", "ok:0:0"),
    "camt053/kedder_davider80.xml": ("ok:16:0", "ok:16:0"),
    # Anonymised with currency XXX ("no currency"): cannot be booked.
    "camt053/kedder_gcamp6.xml": ("invalid:Stmt[1]", "invalid:Stmt[1]"),
    "camt053/kedder_unsupported.xml": ("invalid:line 1", "invalid:line 1"),
    # Cut-down OCA fixtures: the entries left do not reach CLBD.
    "camt053/oca_test-camt053-bookgdt-dttm.xml": ("invalid:Stmt[1]", "ok:1:1"),
    "camt053/oca_test-camt053-txdtls.xml": ("ok:2:0", "ok:2:0"),
    "camt053/oca_test-camt053.xml": ("invalid:Stmt[1]", "ok:4:1"),
    "camt054/genkgo_camt054.v2.xml": ("ok:1:0", "ok:1:0"),
    # Btch/NbOfTxs 2 but three TxDtls (amounts in CHF on a SEK entry).
    "camt054/genkgo_camt054.v4.xml": ("invalid:Ntfctn[1]/Ntry[1]/NtryDtls/Btch[1]", "ok:3:1"),
    "camt054/genkgo_camt054.v8-with-financial-institution.xml": ("ok:1:0", "ok:1:0"),
    "camt054/genkgo_camt054.v8.xml": ("invalid:Ntfctn[1]/Ntry[1]/NtryDtls/Btch[1]", "ok:3:1"),
}


def _outcome(path: Path, strict: bool) -> str:
    try:
        parsed = parse_file(path, options=ParseOptions(strict=strict))
    except InvalidFile as exc:
        assert exc.problems, "InvalidFile without problems"
        return f"invalid:{exc.problems[0].position}"
    return f"ok:{len(parsed.lines)}:{len(parsed.failed_controls)}"


def test_every_camt_sample_is_listed(samples_dir: Path) -> None:
    found = {
        f"{p.parent.name}/{p.name}"
        for d in ("camt052", "camt053", "camt054")
        for p in (samples_dir / d).iterdir()
    }
    assert found == set(SAMPLES)


@pytest.mark.parametrize("relative", sorted(SAMPLES))
def test_camt_sample(samples_dir: Path, relative: str) -> None:
    strict, lenient = SAMPLES[relative]
    path = samples_dir / relative
    assert _outcome(path, strict=True) == strict
    assert _outcome(path, strict=False) == lenient
    if strict.startswith("ok"):
        parsed = parse_file(path)
        assert all(c.ok for c in parsed.controls)
        for line in parsed.lines:
            assert line.amount >= 0
            assert line.amount == line.amount.quantize(Decimal("0.01")) or line.currency == "JPY"


def test_negative_samples_are_marked_negative_in_provenance(samples_dir: Path) -> None:
    notes = {}
    for row in (samples_dir / "PROVENANCE.tsv").read_text().splitlines()[1:]:
        cols = row.split("\t")
        notes[cols[0]] = cols[5] if len(cols) > 5 else ""
    for relative, (strict, _lenient) in SAMPLES.items():
        if "NEGATIVE" in notes[relative]:
            assert strict.startswith("invalid"), relative


def test_multi_statement_sample_fields(samples_dir: Path) -> None:
    parsed = parse_file(samples_dir / "camt053/genkgo_camt053.v2.multi.statement.xml")
    assert parsed.format == "camt.053"
    assert len(parsed.statements) == 2
    assert all(st.currency == "EUR" for st in parsed.statements)


def test_batch_entry_sample_keeps_each_transaction(samples_dir: Path) -> None:
    parsed = parse_file(samples_dir / "camt053/oca_test-camt053.xml", options=ParseOptions(False))
    reversal = [ln for ln in parsed.lines if ln.source_position.startswith("Stmt[1]/Ntry[2]")]
    assert [ln.amount for ln in reversal] == [Decimal("564.05"), Decimal("100.00")]
    assert all(ln.is_reversal and ln.direction is Direction.DEBIT for ln in reversal)
    assert reversal[0].customer_reference == "TESTBANK/NL/20141229/01206408"


def _doc(entries: str, extra_stmt: str = "", balances: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2024-03-01T10:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT-1</Id>
   <Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
   {balances}
   {extra_stmt}
   {entries}
  </Stmt>
 </BkToCstmrStmt>
</Document>""".encode()


def _tx(amount: str, e2e: str, rmt: str = "", ref: str = "") -> str:
    acct_ref = f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""
    return f"""<TxDtls>
      <Refs>{acct_ref}<EndToEndId>{e2e}</EndToEndId><TxId>TX-{e2e}</TxId></Refs>
      <Amt Ccy="EUR">{amount}</Amt>
      <RltdPties>
        <Dbtr><Pty><Nm>ACME GmbH</Nm></Pty></Dbtr>
        <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
        <UltmtDbtr><Pty><Nm>ACME Holding</Nm></Pty></UltmtDbtr>
      </RltdPties>
      <RmtInf>{rmt}</RmtInf>
    </TxDtls>"""


def _entry(amount: str, txs: str, ind: str = "CRDT", rvsl: str = "false") -> str:
    return f"""<Ntry>
    <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd><RvslInd>{rvsl}</RvslInd>
    <Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><DtTm>2024-03-02T00:00:00</DtTm></ValDt>
    <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>
    </BkTxCd>
    <NtryDtls>{txs}</NtryDtls>
   </Ntry>"""


STRD = """<Strd>
  <RfrdDocInf><Tp><CdOrPrtry><Cd>CINV</Cd></CdOrPrtry></Tp><Nb>INV-1001</Nb></RfrdDocInf>
  <RfrdDocAmt>
    <DuePyblAmt Ccy="EUR">500.00</DuePyblAmt>
    <DscntApldAmt><Tp><Cd>EARLY</Cd></Tp><Amt Ccy="EUR">10.00</Amt></DscntApldAmt>
    <AdjstmntAmtAndRsn><Amt Ccy="EUR">40.00</Amt><Rsn>DAMG</Rsn>
      <AddtlInf>two cartons damaged</AddtlInf></AdjstmntAmtAndRsn>
    <RmtdAmt Ccy="EUR">450.00</RmtdAmt>
  </RfrdDocAmt>
</Strd>"""


def test_batch_of_three_with_structured_remittance() -> None:
    txs = (
        _tx("450.00", "E2E-1", STRD)
        + _tx("100.00", "NOTPROVIDED", "<Ustrd>INV-2002</Ustrd><Ustrd>thanks</Ustrd>")
        + _tx("100.00", "E2E-3", ref="TXREF-3")
    )
    parsed = camt.parse(_doc(_entry("650.00", txs)), ParseOptions())
    first, second, third = parsed.lines
    assert [ln.amount for ln in parsed.lines] == [Decimal("450.00"), Decimal("100.00")] * 1 + [
        Decimal("100.00")
    ]
    assert first.customer_reference == "E2E-1"
    assert second.customer_reference is None  # NOTPROVIDED
    assert first.bank_reference == "BANKREF-1#TX-E2E-1"
    assert third.bank_reference == "TXREF-3"
    # two equal amounts in one batch never share a dedupe key
    assert second.dedupe_key("A") != third.dedupe_key("A")
    assert first.payer_name == "ACME GmbH"
    assert first.payer_account == "DE89370400440532013000"
    assert "ultimate debtor: ACME Holding" in first.remittance_text
    assert second.remittance_text.startswith("INV-2002 thanks")
    (doc,) = first.remittance
    assert doc.reference == "INV-1001" and doc.kind == "invoice"
    assert doc.invoice_amount == Decimal("500.00")
    assert doc.discount == Decimal("10.00")
    assert doc.adjustment == Decimal("40.00")
    assert doc.reason_code == "DAMG"
    assert doc.reason_text == "two cartons damaged"
    assert doc.paid == Decimal("450.00")
    assert first.method is Method.ACH and first.type_code == "PMNT/RCDT/ESCT"
    assert first.source_position == "Stmt[1]/Ntry[1]/TxDtls[1]"
    (check,) = parsed.controls
    assert check.ok and check.stated == Decimal("650.00")


def test_batch_that_does_not_add_up_is_refused_strictly_and_reported_leniently() -> None:
    data = _doc(_entry("650.00", _tx("450.00", "A") + _tx("100.00", "B")))
    with pytest.raises(InvalidFile) as caught:
        camt.parse(data, ParseOptions(strict=True))
    assert caught.value.problems[0].position == "Stmt[1]/Ntry[1]"
    assert "stated 650.00, computed 550.00" in caught.value.problems[0].reason
    parsed = camt.parse(data, ParseOptions(strict=False))
    assert [c.computed for c in parsed.failed_controls] == [Decimal("550.00")]
    assert parsed.warnings


def test_reversal_is_a_debit_flagged_as_reversal() -> None:
    parsed = camt.parse(_doc(_entry("75.00", _tx("75.00", "R-1"), "DBIT", "true")), ParseOptions())
    (line,) = parsed.lines
    assert line.direction is Direction.DEBIT and line.is_reversal
    # the counterparty of a reversed credit is still the original debtor
    assert line.payer_name == "ACME GmbH"


def test_rf_creditor_reference() -> None:
    rmt = "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
    rmt += "<Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd>"
    rmt += "<Strd><CdtrRefInf><Ref>RF00 1234</Ref></CdtrRefInf></Strd>"
    parsed = camt.parse(_doc(_entry("10.00", _tx("10.00", "X", rmt))), ParseOptions())
    rf, other = parsed.lines[0].remittance
    assert (rf.kind, rf.reference) == ("rf_reference", "RF18539007547034")
    assert other.kind == "creditor_reference"
    assert any("ISO 11649" in w for w in parsed.warnings)


def test_entry_without_details_is_one_line() -> None:
    entry = """<Ntry><Amt Ccy="EUR">12.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <BookgDt><Dt>2024-03-01</Dt></BookgDt><AcctSvcrRef>R9</AcctSvcrRef>
      <BkTxCd><Prtry><Cd>NCHK</Cd></Prtry></BkTxCd>
      <AddtlNtryInf>CHEQUE 100234</AddtlNtryInf></Ntry>"""
    (line,) = camt.parse(_doc(entry), ParseOptions()).lines
    assert (line.amount, line.bank_reference, line.method) == (Decimal("12.50"), "R9", Method.CHECK)
    assert line.remittance_text == "CHEQUE 100234"
    assert line.source_position == "Stmt[1]/Ntry[1]"


def _bal(code: str, amount: str, ind: str = "CRDT") -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='EUR'>{amount}</Amt>"
        f"<CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>"
    )


def test_balances_and_transaction_summary() -> None:
    summary = """<TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries><Sum>60.00</Sum></TtlNtries>
      <TtlCdtNtries><NbOfNtries>1</NbOfNtries><Sum>50.00</Sum></TtlCdtNtries>
      <TtlDbtNtries><NbOfNtries>1</NbOfNtries><Sum>10.00</Sum></TtlDbtNtries></TxsSummry>"""
    entries = _entry("50.00", "") + _entry("10.00", "", "DBIT")
    balances = _bal("PRCD", "5.00", "DBIT") + _bal("CLBD", "35.00")
    parsed = camt.parse(_doc(entries, summary, balances), ParseOptions())
    st = parsed.statements[0]
    assert (st.opening_balance, st.closing_balance) == (Decimal("-5.00"), Decimal("35.00"))
    assert len(parsed.controls) == 7 and all(c.ok for c in parsed.controls)
    wrong = camt.parse(
        _doc(entries, summary, _bal("OPBD", "0.00") + _bal("CLBD", "35.00")), ParseOptions(False)
    )
    (bad,) = wrong.failed_controls
    assert (bad.stated, bad.computed) == (Decimal("35.00"), Decimal("40.00"))


def test_more_decimals_than_the_currency_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidFile) as caught:
        camt.parse(_doc(_entry("10.005", "")), ParseOptions(strict=False))
    assert caught.value.problems[0].position == "Stmt[1]/Ntry[1]/Amt"
    assert "refusing to round" in caught.value.problems[0].reason
    padded = camt.parse(_doc(_entry("10.50000", "")), ParseOptions())
    assert padded.lines[0].amount == Decimal("10.50")
    assert any("trailing zeros" in w for w in padded.warnings)


def test_malformed_xml_reports_the_line() -> None:
    data = b'<?xml version="1.0"?>\n<Document>\n<BkToCstmrStmt>\n</Document>\n'
    with pytest.raises(InvalidFile) as caught:
        camt.parse(data, ParseOptions())
    assert caught.value.problems[0].position == "line 4"


def test_bad_indicator_and_date_name_their_position() -> None:
    entry = (
        _entry("1.00", "")
        .replace("<CdtDbtInd>CRDT", "<CdtDbtInd>XX")
        .replace("2024-03-01", "2024-13-01")
    )
    entry2 = _entry("1.00", "").replace("2024-03-01", "someday")
    with pytest.raises(InvalidFile) as caught:
        camt.parse(_doc(entry + entry2), ParseOptions())
    positions = [p.position for p in caught.value.problems]
    assert positions == ["Stmt[1]/Ntry[1]/CdtDbtInd", "Stmt[1]/Ntry[2]/BookgDt"]


def test_pending_entries_are_skipped() -> None:
    pending = _entry("9.00", "").replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>")
    parsed = camt.parse(_doc(pending + _entry("1.00", "")), ParseOptions())
    assert [ln.amount for ln in parsed.lines] == [Decimal("1.00")]
    assert any("not booked" in w for w in parsed.warnings)
