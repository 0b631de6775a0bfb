"""ISO 20022 CAMT.052 / .053 / .054 importer (lxml, any version .02 to .08).

Elements are matched by local name (``camt_xml``), so namespaces are never
hard-coded; the root namespace must only *look* like ISO 20022 camt.

Structure: each ``Rpt`` (052), ``Stmt`` (053) or ``Ntfctn`` (054) becomes a
``Statement``. Each booked ``Ntry`` becomes one ``StatementLine``, or, when it
carries several ``NtryDtls/TxDtls`` (a batch), one line per ``TxDtls`` with
the transaction's own amount; the transactions must add up to the entry
(a ``ControlCheck``; a problem in strict mode). Entries whose status is not
booked (``PDNG``, ``INFO``, ``FUTR``) are skipped with a warning.

Self-checks: batch sums (and ``Btch/NbOfTxs``/``TtlAmt``), ``TxsSummry``
counts and sums, and for 053 opening (OPBD/PRCD) + credits - debits =
closing (CLBD). Failed checks are errors in strict mode, warnings otherwise.

``bank_reference`` is the transaction's ``AcctSvcrRef``, else the entry's; a
batch transaction without its own gets ``<entry ref>#<TxId|EndToEndId|InstrId|n>``
so two equal amounts in one batch never share a dedupe key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from owed.adapters.bankfiles import camt_entries
from owed.adapters.bankfiles._common import ascii_digits
from owed.adapters.bankfiles._exact import Findings, currency_or_none, exact_amount
from owed.adapters.bankfiles.camt_xml import (
    Element,
    find,
    find_all,
    first_text,
    kids,
    local,
    read_date,
    text,
)
from owed.adapters.bankfiles.detect import looks_like_xml
from owed.domain.errors import InvalidFile, Problem
from owed.domain.payments.statement import (
    ControlCheck,
    Direction,
    ParsedFile,
    ParseOptions,
    Statement,
    StatementLine,
)

FORMAT = "camt"

_MESSAGES = {
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
}
_NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.05"
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD", "CLAV")


def sniff(data: bytes) -> bool:
    return looks_like_xml(data) and b"BkToCstmr" in data[:4096]


def _load(data: bytes, name: str) -> Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno is not None else 0
        raise InvalidFile(
            name, [Problem(f"line {line}", f"malformed XML: {exc.msg}", row=line)], "XML"
        ) from None
    if root is None:
        raise InvalidFile(name, [Problem("line 1", "empty XML document")], "XML")
    return root


def _message(root: Element, name: str) -> tuple[str, str, Element]:
    """(format, report element name, message element) or ``InvalidFile``."""
    namespace = etree.QName(root).namespace or ""
    if namespace and not namespace.startswith(_NAMESPACE_PREFIX):
        raise InvalidFile(
            name,
            [Problem("line 1", f"namespace {namespace!r} is not an ISO 20022 camt namespace")],
            "XML",
        )
    candidates = [root] if local(root) in _MESSAGES else list(root)
    for el in candidates:
        if local(el) in _MESSAGES:
            fmt, report = _MESSAGES[local(el)]
            return fmt, report, el
    raise InvalidFile(
        name,
        [
            Problem(
                f"line {root.sourceline or 1}",
                f"<{local(root)}> holds no BkToCstmrStmt, BkToCstmrAcctRpt or "
                "BkToCstmrDbtCdtNtfctn message",
            )
        ],
        "XML",
    )


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    """Parse a CAMT.052/.053/.054 document; ``InvalidFile`` lists every problem."""
    root = _load(data, name)
    fmt, report_name, message = _message(root, name)
    findings = Findings(name)
    reports = list(kids(message, report_name))
    if not reports:
        findings.problem(f"{local(message)}", f"no <{report_name}> element: nothing to import")
    if not etree.QName(root).namespace:
        findings.warn("line 1", "no XML namespace: read as camt by element names")
    statements: list[Statement] = []
    controls: list[ControlCheck] = []
    for i, report in enumerate(reports, start=1):
        reader = _ReportReader(report, f"{report_name}[{i}]", fmt, options, findings)
        statements.append(reader.read())
        controls.extend(reader.controls)
    for check in controls:
        if not check.ok:
            message_text = f"{check.what}: stated {check.stated}, computed {check.computed}"
            if options.strict:
                findings.problem(check.position, message_text)
            else:
                findings.warn(check.position, message_text)
    findings.raise_if_any("CAMT document")
    return ParsedFile(
        format=fmt,
        statements=tuple(statements),
        controls=tuple(controls),
        warnings=findings.final_warnings(),
        file_id=text(message, "GrpHdr/MsgId"),
    )


@dataclass
class _ReportReader:
    """Reads one Stmt / Rpt / Ntfctn element."""

    el: Element
    position: str
    fmt: str
    options: ParseOptions
    findings: Findings
    controls: list[ControlCheck] = field(default_factory=list)

    def read(self) -> Statement:
        account = first_text(self.el, "Acct/Id/IBAN", "Acct/Id/Othr/Id") or ""
        if not account:
            self.findings.warn(self.position, "no account (Acct/Id/IBAN or Othr/Id)")
        currency = self._currency()
        if currency_or_none(currency) is None:
            return Statement(
                account=account, currency=currency, lines=(), statement_id=text(self.el, "Id")
            )
        opening, opening_code = self._balance(_OPENING, currency)
        closing, closing_code = self._balance(_CLOSING, currency)
        lines: list[StatementLine] = []
        booked: list[tuple[Direction, Decimal]] = []
        skipped = 0
        for j, entry in enumerate(kids(self.el, "Ntry"), start=1):
            where = f"{self.position}/Ntry[{j}]"
            status = first_text(entry, "Sts/Cd", "Sts")
            if status is not None and status.upper() != "BOOK":
                skipped += 1
                continue
            reader = camt_entries.EntryReader(entry, where, currency, self.findings)
            entry_lines, entry_checks, amount = reader.read()
            lines.extend(entry_lines)
            self.controls.extend(entry_checks)
            if amount is not None:
                booked.append(amount)
        if skipped:
            self.findings.warn(self.position, f"{skipped} entry(ies) not booked (Sts) skipped")
        self._summary_checks(booked, currency)
        if self.fmt == "camt.053" and closing_code == "CLBD":
            self._balance_check(opening, opening_code, closing, booked)
        return Statement(
            account=account,
            currency=currency,
            lines=tuple(lines),
            statement_id=text(self.el, "Id"),
            opening_balance=opening,
            closing_balance=closing,
            as_of=self._as_of(),
        )

    def _balance_check(
        self,
        opening: Decimal | None,
        opening_code: str,
        closing: Decimal | None,
        booked: list[tuple[Direction, Decimal]],
    ) -> None:
        if opening is None or closing is None:
            return
        net = sum((a if d is Direction.CREDIT else -a for d, a in booked), Decimal(0))
        self.controls.append(
            ControlCheck(
                self.position,
                f"closing balance (CLBD) = opening ({opening_code}) + credits - debits",
                closing,
                opening + net,
            )
        )

    def _currency(self) -> str:
        candidates = [text(self.el, "Acct/Ccy")]
        candidates += [a.get("Ccy") for a in find_all(self.el, "Ntry/Amt")][:1]
        candidates += [a.get("Ccy") for a in find_all(self.el, "Bal/Amt")][:1]
        for code in candidates:
            if code:
                if currency_or_none(code) is None:
                    self.findings.problem(
                        self.position,
                        f"currency {code!r} is not an ISO 4217 currency Owed can book "
                        "(XXX means 'no currency' and appears in anonymised files)",
                    )
                return code.upper()
        self.findings.warn(
            self.position, f"no currency stated; assuming {self.options.default_currency}"
        )
        return self.options.default_currency

    def _balance(self, codes: tuple[str, ...], currency: str) -> tuple[Decimal | None, str]:
        found: dict[str, tuple[int, Element]] = {}
        for k, bal in enumerate(kids(self.el, "Bal"), start=1):
            code = (first_text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry") or "").upper()
            if code in codes and code not in found:
                found[code] = (k, bal)
        for code in codes:
            if code not in found:
                continue
            k, bal = found[code]
            where = f"{self.position}/Bal[{k}]/Amt"
            amt = find(bal, "Amt")
            ccy = (amt.get("Ccy") if amt is not None else None) or currency
            ccy = ccy.upper()
            if ccy != currency:
                reason = f"balance in {ccy} on an account in {currency}: balance ignored"
                if self.options.strict:
                    self.findings.problem(where, reason)
                else:
                    self.findings.warn(where, reason)
                return None, code
            value = exact_amount(
                amt.text if amt is not None else None,
                ccy,
                where,
                self.findings,
                strict_decimals=self.options.strict,
            )
            if value is None:
                return None, code
            return (-value if text(bal, "CdtDbtInd") == "DBIT" else value), code
        return None, ""

    def _as_of(self) -> date | None:
        for bal in kids(self.el, "Bal"):
            code = first_text(bal, "Tp/CdOrPrtry/Cd") or ""
            if code.upper() in _CLOSING:
                day = read_date(find(bal, "Dt"))
                if isinstance(day, date):
                    return day
        for path in ("FrToDt/ToDtTm", "CreDtTm"):
            raw = text(self.el, path)
            if raw and len(raw) >= 10:
                try:
                    return date.fromisoformat(raw[:10])
                except ValueError:
                    continue
        return None

    def _summary_checks(self, booked: list[tuple[Direction, Decimal]], currency: str) -> None:
        summary = find(self.el, "TxsSummry")
        if summary is None:
            return
        where = f"{self.position}/TxsSummry"
        groups = {
            "TtlNtries": [a for _, a in booked],
            "TtlCdtNtries": [a for d, a in booked if d is Direction.CREDIT],
            "TtlDbtNtries": [a for d, a in booked if d is Direction.DEBIT],
        }
        for element, amounts in groups.items():
            block = find(summary, element)
            if block is None:
                continue
            count = text(block, "NbOfNtries")
            if count is not None and ascii_digits(count):
                self.controls.append(
                    ControlCheck(
                        f"{where}/{element}/NbOfNtries",
                        f"{element} number of entries",
                        Decimal(count),
                        Decimal(len(amounts)),
                    )
                )
            stated = text(block, "Sum")
            if stated is not None:
                value = exact_amount(stated, currency, f"{where}/{element}/Sum", self.findings)
                if value is not None:
                    self.controls.append(
                        ControlCheck(
                            f"{where}/{element}/Sum",
                            f"{element} sum of entry amounts",
                            value,
                            sum(amounts, Decimal(0)),
                        )
                    )
