"""End to end through the `owed` CLI: a payment, later its bank return, paired and undone.

The payment arrives in a CAMT.053 written by the simulation's writer; the
return is a small CAMT.053 written here (a reversed credit: ``DBIT`` with the
return sub-family ``RRTN``, ``RtrInf`` reason, the payment's ``EndToEndId``).
The sample MT940 (``mt940/oca_test-ing.940``, read in place) holds a returned
direct debit; its original is generated here so the sample's return pairs.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from owed.domain.payments.statement import Method
from owed.simulation.demo_model import DemoReceipt
from owed.simulation.files import write_camt053

RETURN_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>RET-1</MsgId><CreDtTm>2026-03-12T23:30:00+00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>RET-1-1</Id>
      <Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>USD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="USD">1250.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-03-12</Dt></BookgDt>
        <ValDt><Dt>2026-03-12</Dt></ValDt>
        <AcctSvcrRef>RTN-0001</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly>
        </Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-INV-PAY-1</EndToEndId></Refs>
          <Amt Ccy="USD">1250.00</Amt>
          <CdtDbtInd>DBIT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Acme Corporation</Nm></Pty></Dbtr></RltdPties>
          <RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


def _payment(**kw) -> DemoReceipt:
    values = dict(
        id="R000001",
        amount=Decimal("1250.00"),
        currency="USD",
        value_date=date(2026, 3, 5),
        reported_on=date(2026, 3, 5),
        method=Method.ACH,
        payer_name="Acme Corporation",
        payer_account="DE89370400440532013000",
        bank_reference="BNK-0001",
        customer_reference="E2E-INV-PAY-1",
        remittance_text="INV-000001",
    )
    values.update(kw)
    return DemoReceipt(**values)  # type: ignore[arg-type]


def test_a_payment_and_its_return_through_the_cli(owed, tmp_path: Path):
    assert owed("customer", "add", "C1", "--name", "Acme Corporation")[0] == 0
    assert owed("user", "add", "bill", "--role", "clerk")[0] == 0
    code, out = owed(
        "invoice", "create", "--customer", "C1", "--line", "Widgets;1;1250.00", "--issue",
        user="bill",
    )  # fmt: skip
    assert code == 0, out
    pay = write_camt053(
        tmp_path / "pay.xml", "DE02120300000000202051", "USD", [_payment()], date(2026, 3, 5),
        "PAY-1",
    )  # fmt: skip
    code, out = owed("import", "bank", str(pay))
    assert code == 0 and "1 receipts" in out, out
    code, out = owed("cashapp", "run")
    assert code == 0 and "1 applied automatically" in out, out
    code, out = owed("invoice", "show", "INV-000001")
    assert "INV-000001 (paid)" in out and re.search(r"open\W+0\.00 USD", out), out

    ret = tmp_path / "return.xml"
    ret.write_text(RETURN_XML, encoding="utf-8")
    code, out = owed("import", "bank", str(ret))
    assert code == 0, out
    paired = re.search(r"return (\d+) pairs with receipt (\d+)", out)
    assert "1 returns" in out and paired, out
    code, out = owed("invoice", "show", "INV-000001")
    assert "INV-000001 (issued)" in out, out  # re-opened: the cash bounced
    assert re.search(r"open\W+1,250\.00 USD", out), out
    code, out = owed("cashapp", "exceptions")
    assert code == 0 and "0 receipts open" in out, out  # both closed
    code, out = owed("status")
    assert code == 0, out
    # the pairing is undone neither twice nor by hand
    code, out = owed("cashapp", "pair-return", paired.group(1), paired.group(2))
    assert code != 0 and "already" in out, out


def test_the_sample_mt940_return_pairs_with_its_generated_original(owed, tmp_path, samples_dir):
    sample = samples_dir / "mt940" / "oca_test-ing.940"
    original = _payment(
        amount=Decimal("12.75"),
        currency="EUR",
        value_date=date(2014, 2, 12),
        reported_on=date(2014, 2, 12),
        payer_name="J.Janssen",
        payer_account="NL32INGB0000012345",
        bank_reference="ORIG-0001",
        customer_reference="20120501P0123478",
        remittance_text="CONTRIBUTIE FEB 2014",
    )
    pay = write_camt053(
        tmp_path / "orig.xml", "NL69INGB0123456789", "EUR", [original], date(2014, 2, 12), "O-1"
    )
    code, out = owed("import", "bank", str(pay))
    assert code == 0, out
    owed("cashapp", "exceptions", "--csv", str(tmp_path / "before.csv"))
    (row,) = list(csv.DictReader((tmp_path / "before.csv").open()))
    code, out = owed("import", "bank", "--lenient", str(sample))
    assert code == 0, out
    assert re.search(rf"return \d+ pairs with receipt {row['receipt_id']}\b", out), out
    code, out = owed("cashapp", "exceptions", "--csv", str(tmp_path / "q.csv"))
    assert code == 0, out
    assert "12.75" not in (tmp_path / "q.csv").read_text()  # neither is in the queue
