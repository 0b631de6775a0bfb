"""Write an ISO 20022 camt.053.001.08 bank-to-customer statement for one account.

One ``Stmt`` with the account (IBAN, currency), two balances (OPBD opening
booked, CLBD closing booked = opening + the credits), a ``TxsSummry``, and
one ``Ntry`` per receipt: ``Amt``, ``CdtDbtInd`` CRDT, ``Sts/Cd`` BOOK,
``BookgDt``, ``ValDt``, ``AcctSvcrRef``, ``BkTxCd`` (PMNT/RCDT/ESCT for SEPA
credit transfers, PMNT/RCDT/XBCT for cross-border wires, PMNT/RCHQ/CCHQ for
checks), then ``NtryDtls/TxDtls`` with ``Refs/EndToEndId``, the amount,
``RltdPties/Dbtr/Pty/Nm`` and ``DbtrAcct/Id/IBAN``, and ``RmtInf``: ``Ustrd``
(free text, cut at spaces into lines of at most 140 characters) or one
``Strd`` per invoice (``RfrdDocInf/Nb``, ``RfrdDocAmt`` with ``DuePyblAmt``,
``DscntApldAmt``, ``AdjstmntAmtAndRsn``, ``RmtdAmt``). Receipts that share a
``batch_id`` are booked as one entry with a ``Btch`` summary and one
``TxDtls`` each. Built with the standard library's ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency
from owed.domain.payments.statement import Method, RemittanceLine
from owed.simulation.demo_model import DemoReceipt

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
_CODES = {Method.WIRE: ("RCDT", "XBCT"), Method.CHECK: ("RCHQ", "CCHQ")}


def _sub(parent: ET.Element, path: str, text: str | None = None, **attrs: str) -> ET.Element:
    """Create (or walk) ``path`` under ``parent``; the last element gets ``text``."""
    node = parent
    steps = path.split("/")
    for step in steps[:-1]:
        found = node.find(f"{{{NAMESPACE}}}{step}")
        node = found if found is not None else ET.SubElement(node, f"{{{NAMESPACE}}}{step}")
    leaf = ET.SubElement(node, f"{{{NAMESPACE}}}{steps[-1]}", attrs)
    if text is not None:
        leaf.text = text
    return leaf


class _Writer:
    def __init__(self, currency: str) -> None:
        self.cur = Currency.of(currency)

    def amount(self, parent: ET.Element, path: str, value: Decimal) -> None:
        _sub(parent, path, str(self.cur.round(value)), Ccy=self.cur.code)

    def balance(self, stmt: ET.Element, code: str, value: Decimal, day: date) -> None:
        bal = _sub(stmt, "Bal")
        _sub(bal, "Tp/CdOrPrtry/Cd", code)
        self.amount(bal, "Amt", abs(value))
        _sub(bal, "CdtDbtInd", "CRDT" if value >= 0 else "DBIT")
        _sub(bal, "Dt/Dt", day.isoformat())

    def entry(self, stmt: ET.Element, group: list[DemoReceipt]) -> None:
        first = group[0]
        ntry = _sub(stmt, "Ntry")
        self.amount(ntry, "Amt", sum((r.amount for r in group), Decimal(0)))
        _sub(ntry, "CdtDbtInd", "CRDT")
        _sub(ntry, "Sts/Cd", "BOOK")
        _sub(ntry, "BookgDt/Dt", first.reported_on.isoformat())
        _sub(ntry, "ValDt/Dt", first.value_date.isoformat())
        _sub(ntry, "AcctSvcrRef", first.batch_id if len(group) > 1 else first.bank_reference)
        family, sub = _CODES.get(first.method, ("RCDT", "ESCT"))
        _sub(ntry, "BkTxCd/Domn/Cd", "PMNT")
        _sub(ntry, "BkTxCd/Domn/Fmly/Cd", family)
        _sub(ntry, "BkTxCd/Domn/Fmly/SubFmlyCd", sub)
        details = _sub(ntry, "NtryDtls")
        if len(group) > 1:
            _sub(details, "Btch/NbOfTxs", str(len(group)))
            self.amount(details, "Btch/TtlAmt", sum((r.amount for r in group), Decimal(0)))
            _sub(details, "Btch/CdtDbtInd", "CRDT")
        for receipt in group:
            self.transaction(details, receipt, batched=len(group) > 1)

    def transaction(self, details: ET.Element, r: DemoReceipt, batched: bool) -> None:
        tx = _sub(details, "TxDtls")
        if batched:
            _sub(tx, "Refs/AcctSvcrRef", r.bank_reference)
        _sub(tx, "Refs/EndToEndId", r.customer_reference or "NOTPROVIDED")
        self.amount(tx, "Amt", r.amount)
        _sub(tx, "CdtDbtInd", "CRDT")
        if r.payer_name or r.payer_account:
            parties = _sub(tx, "RltdPties")
            if r.payer_name:
                _sub(parties, "Dbtr/Pty/Nm", r.payer_name[:140])
            if r.payer_account:
                _sub(parties, "DbtrAcct/Id/IBAN", r.payer_account)
        if r.remittance_text or r.remittance:
            rmt = _sub(tx, "RmtInf")
            for line in _lines(r.remittance_text, 140):
                _sub(rmt, "Ustrd", line)
            for doc in r.remittance:
                self.structured(rmt, doc)

    def structured(self, rmt: ET.Element, doc: RemittanceLine) -> None:
        strd = _sub(rmt, "Strd")
        _sub(strd, "RfrdDocInf/Tp/CdOrPrtry/Cd", "CINV")
        _sub(strd, "RfrdDocInf/Nb", doc.reference)
        amounts = _sub(strd, "RfrdDocAmt")
        if doc.invoice_amount is not None:
            self.amount(amounts, "DuePyblAmt", doc.invoice_amount)
        if doc.discount:
            self.amount(amounts, "DscntApldAmt/Amt", doc.discount)
        if doc.adjustment:
            adj = _sub(amounts, "AdjstmntAmtAndRsn")
            self.amount(adj, "Amt", doc.adjustment)
            if doc.reason_code:
                _sub(adj, "Rsn", doc.reason_code[:4])
            if doc.reason_text:
                _sub(adj, "AddtlInf", doc.reason_text[:140])
        if doc.paid is not None:
            self.amount(amounts, "RmtdAmt", doc.paid)


def _lines(text: str, width: int) -> list[str]:
    """Free text cut at spaces into lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word[:width])
    return lines


def render(
    iban: str,
    currency: str,
    receipts: Sequence[DemoReceipt],
    as_of: date,
    msg_id: str,
    opening_balance: Decimal,
) -> bytes:
    writer = _Writer(currency)
    for n, r in enumerate(receipts, start=1):
        if r.currency != writer.cur.code:
            raise InvalidInput(
                f"receipt {r.id} (position {n}) is in {r.currency}, the account {iban} in "
                f"{writer.cur.code}"
            )
    ET.register_namespace("", NAMESPACE)
    doc = ET.Element(f"{{{NAMESPACE}}}Document")
    message = _sub(doc, "BkToCstmrStmt")
    created = f"{as_of.isoformat()}T23:30:00+00:00"
    _sub(message, "GrpHdr/MsgId", msg_id)
    _sub(message, "GrpHdr/CreDtTm", created)
    stmt = _sub(message, "Stmt")
    _sub(stmt, "Id", f"{msg_id}-1")
    _sub(stmt, "ElctrncSeqNb", as_of.strftime("%Y%j"))
    _sub(stmt, "CreDtTm", created)
    _sub(stmt, "FrToDt/FrDtTm", f"{as_of.isoformat()}T00:00:00+00:00")
    _sub(stmt, "FrToDt/ToDtTm", f"{as_of.isoformat()}T23:59:59+00:00")
    _sub(stmt, "Acct/Id/IBAN", iban)
    _sub(stmt, "Acct/Ccy", writer.cur.code)
    total = sum((r.amount for r in receipts), Decimal(0))
    writer.balance(stmt, "OPBD", opening_balance, as_of)
    writer.balance(stmt, "CLBD", opening_balance + total, as_of)
    groups = _groups(receipts)
    _sub(stmt, "TxsSummry/TtlNtries/NbOfNtries", str(len(groups)))
    writer.amount(stmt, "TxsSummry/TtlNtries/Sum", total)
    _sub(stmt, "TxsSummry/TtlCdtNtries/NbOfNtries", str(len(groups)))
    writer.amount(stmt, "TxsSummry/TtlCdtNtries/Sum", total)
    for group in groups:
        writer.entry(stmt, group)
    ET.indent(doc, space="  ")
    body: bytes = ET.tostring(doc, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def _groups(receipts: Sequence[DemoReceipt]) -> list[list[DemoReceipt]]:
    """One entry per receipt, except receipts sharing a ``batch_id`` (one entry together)."""
    groups: list[list[DemoReceipt]] = []
    batches: dict[str, list[DemoReceipt]] = {}
    for r in receipts:
        if r.batch_id is None:
            groups.append([r])
        elif r.batch_id in batches:
            batches[r.batch_id].append(r)
        else:
            batches[r.batch_id] = [r]
            groups.append(batches[r.batch_id])
    return groups
