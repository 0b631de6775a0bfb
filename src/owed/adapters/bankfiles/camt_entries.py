"""One CAMT ``Ntry`` to ``StatementLine``s (see ``camt`` for the overall design).

Field mapping, entry level then transaction level (``NtryDtls/TxDtls``):

* amount: ``Ntry/Amt``; per transaction ``AmtDtls/TxAmt/Amt`` or ``TxDtls/Amt``,
  falling back to the entry amount only when the entry has a single transaction.
* direction: ``CdtDbtInd`` (``TxDtls/CdtDbtInd`` when a v8 transaction has one);
  ``RvslInd=true`` sets ``is_reversal`` and keeps the booked direction (a
  reversed credit is booked ``DBIT``), as do return sub-families (RRTN, UPDD...)
  on debits.
* ``type_code``: ``Domn/Cd`` + ``Fmly/Cd`` + ``SubFmlyCd`` joined by ``/``, else
  ``Prtry/Cd``; the transaction's own ``BkTxCd`` wins.
* references: ``EndToEndId`` (unless ``NOTPROVIDED``) is ``customer_reference``;
  ``Refs/AcctSvcrRef`` else ``Ntry/AcctSvcrRef`` is ``bank_reference``.
* counterparty: for credits and reversals the debtor (``Dbtr/Nm`` or v8
  ``Dbtr/Pty/Nm``, else ``UltmtDbtr``; ``DbtrAcct/Id/IBAN`` or ``Othr/Id``); for
  other debits the creditor. A different ultimate debtor is added to the text.
* text: ``Ustrd``, ``AddtlRmtInf``, ``AddtlTxInf``, return reason, else
  ``AddtlNtryInf``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from lxml import etree

from owed.adapters.bankfiles._common import ascii_digits
from owed.adapters.bankfiles._exact import Findings, currency_or_none, exact_amount, swift_method
from owed.adapters.bankfiles.camt_remittance import read_remittance
from owed.adapters.bankfiles.camt_xml import Element, find, find_all, first_text, read_date, text
from owed.domain.payments.statement import (
    ControlCheck,
    Direction,
    Method,
    RemittanceLine,
    StatementLine,
)

_FAMILY_METHODS = {
    "RCHQ": Method.CHECK,
    "ICHQ": Method.CHECK,
    "CCHQ": Method.CHECK,
    "DRFT": Method.CHECK,
    "CCRD": Method.CARD,
    "MCRD": Method.CARD,
    "LBOX": Method.LOCKBOX,
    "RDDT": Method.ACH,
    "IDDT": Method.ACH,
}
_ACH_SUBFAMILIES = frozenset({"ESCT", "ACDT", "ATXN", "ACON", "STDO", "SALA", "BOOK", "VCOM"})
_CREDIT_TRANSFER_FAMILIES = frozenset({"RCDT", "ICDT"})
_TX_AMOUNT_PATHS = ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/CntrValAmt/Amt", "AmtDtls/InstdAmt/Amt")
_RETURN_SUBFAMILIES = frozenset({"RRTN", "UPDD", "RPCR", "ARET", "PRDD", "PSTE"})


def method_of(family: str | None, subfamily: str | None, proprietary: str | None) -> Method:
    """Payment method from an ISO bank transaction code (or a SWIFT-style proprietary code)."""
    fam = (family or "").upper()
    sub = (subfamily or "").upper()
    if sub in {"CHRG", "CCHQ", "CQRV"} and fam in _FAMILY_METHODS:
        return _FAMILY_METHODS[fam]
    if fam in _FAMILY_METHODS:
        return _FAMILY_METHODS[fam]
    if fam in _CREDIT_TRANSFER_FAMILIES:
        return Method.ACH if sub in _ACH_SUBFAMILIES else Method.WIRE
    if proprietary:
        return swift_method(proprietary)
    return Method.OTHER


@dataclass(frozen=True)
class _Code:
    type_code: str | None
    method: Method
    is_return: bool


def _bank_code(el: Element | None) -> _Code | None:
    """``BkTxCd`` of an entry or transaction; ``None`` when absent or empty."""
    code = find(el, "BkTxCd")
    if code is None:
        return None
    domain = text(code, "Domn/Cd")
    family = text(code, "Domn/Fmly/Cd")
    sub = text(code, "Domn/Fmly/SubFmlyCd")
    proprietary = text(code, "Prtry/Cd")
    joined = "/".join(p for p in (domain, family, sub) if p)
    type_code = joined if domain or family else proprietary
    if type_code is None:
        return None
    return _Code(
        type_code,
        method_of(family, sub, proprietary),
        (sub or "").upper() in _RETURN_SUBFAMILIES,
    )


def _party(tx: Element, role: str) -> tuple[str | None, str | None]:
    """(name, account) of ``Dbtr``/``Cdtr`` in ``RltdPties`` (v2-v7 and v8 layouts)."""
    parties = find(tx, "RltdPties")
    name = first_text(parties, f"{role}/Nm", f"{role}/Pty/Nm")
    account = first_text(parties, f"{role}Acct/Id/IBAN", f"{role}Acct/Id/Othr/Id")
    return name, account


@dataclass
class EntryReader:
    entry: Element
    position: str
    currency: str
    findings: Findings

    def read(
        self,
    ) -> tuple[list[StatementLine], list[ControlCheck], tuple[Direction, Decimal] | None]:
        amount = self._amount(self.entry, f"{self.position}/Amt")
        direction = self._direction(self.entry, None)
        if amount is None or direction is None:
            return [], [], None
        booked = (direction, amount)
        txs = find_all(self.entry, "NtryDtls/TxDtls")
        checks = self._batch_checks(amount, txs)
        if not txs:
            return [self._line(self.entry, None, amount, direction, 0, 1)], checks, booked
        found = [
            self._tx_amount(tx, f"{self.position}/TxDtls[{k}]") for k, tx in enumerate(txs, start=1)
        ]
        if len(txs) == 1:
            own, foreign = found[0]
            line = self._line(txs[0], txs[0], amount, direction, 1, 1)
            if own is not None and own != amount:
                checks.append(
                    ControlCheck(self.position, "entry amount = TxDtls amount", amount, own)
                )
            elif own is None and foreign is not None:
                note = f"transaction amount {foreign[0]} {foreign[1]}"
                line = replace(line, remittance_text=f"{line.remittance_text} {note}".strip())
            return [line], checks, booked
        if all(own is not None for own, _ in found):
            return self._batch_lines(txs, found, amount, direction, checks), checks, booked
        if all(own is not None or foreign is not None for own, foreign in found):
            self.findings.warn(
                self.position,
                f"batch of {len(txs)} TxDtls with amounts in another currency than the entry "
                f"({self.currency}): lines keep their own currency, the sum is not checked",
            )
            return self._batch_lines(txs, found, amount, direction, None), checks, booked
        self.findings.warn(
            self.position,
            f"batch of {len(txs)} TxDtls without amounts: imported as one line for the entry, "
            "with every transaction's references and remittance",
        )
        return [self._merged_line(txs, amount, direction)], checks, booked

    def _tx_amount(
        self, tx: Element, where: str
    ) -> tuple[Decimal | None, tuple[Decimal, str] | None]:
        """(amount in the entry currency, else (amount, currency) in another one)."""
        foreign: tuple[Decimal, str] | None = None
        for path in _TX_AMOUNT_PATHS:
            el = find(tx, path)
            if el is None:
                continue
            ccy = (el.get("Ccy") or self.currency).upper()
            if ccy == self.currency:
                return exact_amount(el.text, ccy, f"{where}/{path}", self.findings), None
            if foreign is None and currency_or_none(ccy) is not None:
                value = exact_amount(el.text, ccy, f"{where}/{path}", self.findings)
                foreign = (value, ccy) if value is not None else None
        return None, foreign

    def _batch_lines(
        self,
        txs: list[Element],
        found: list[tuple[Decimal | None, tuple[Decimal, str] | None]],
        amount: Decimal,
        direction: Direction,
        checks: list[ControlCheck] | None,
    ) -> list[StatementLine]:
        lines: list[StatementLine] = []
        computed = Decimal(0)
        for k, (tx, (own, foreign)) in enumerate(zip(txs, found, strict=True), start=1):
            tx_direction = self._direction(tx, direction) or direction
            if own is not None:
                computed += own if tx_direction is direction else -own
                lines.append(self._line(tx, tx, own, tx_direction, k, len(txs)))
            elif foreign is not None:
                line = self._line(tx, tx, foreign[0], tx_direction, k, len(txs))
                lines.append(replace(line, currency=foreign[1]))
        if checks is not None:
            checks.append(
                ControlCheck(
                    self.position,
                    f"entry amount = sum of {len(txs)} TxDtls amounts",
                    amount,
                    computed,
                )
            )
        return lines

    def _merged_line(
        self, txs: list[Element], amount: Decimal, direction: Direction
    ) -> StatementLine:
        parts = [
            self._line(tx, tx, amount, direction, k, len(txs)) for k, tx in enumerate(txs, start=1)
        ]
        first = parts[0]
        refs = sorted({p.customer_reference for p in parts if p.customer_reference})
        return replace(
            first,
            bank_reference=text(self.entry, "AcctSvcrRef"),
            customer_reference=refs[0] if len(refs) == 1 else None,
            remittance_text=" | ".join(p.remittance_text for p in parts if p.remittance_text),
            remittance=tuple(r for p in parts for r in p.remittance),
            source_position=f"{self.position}/NtryDtls",
            raw=etree.tostring(self.entry, encoding="unicode"),
        )

    def _batch_checks(self, amount: Decimal, txs: list[Element]) -> list[ControlCheck]:
        checks: list[ControlCheck] = []
        for n, batch in enumerate(find_all(self.entry, "NtryDtls/Btch"), start=1):
            where = f"{self.position}/NtryDtls/Btch[{n}]"
            count = text(batch, "NbOfTxs")
            if count and ascii_digits(count) and txs:
                checks.append(
                    ControlCheck(
                        where, "Btch/NbOfTxs = number of TxDtls", Decimal(count), Decimal(len(txs))
                    )
                )
            total_el = find(batch, "TtlAmt")
            if total_el is not None and (total_el.get("Ccy") or self.currency) == self.currency:
                total = self._amount_el(total_el, f"{where}/TtlAmt")
                if total is not None:
                    checks.append(ControlCheck(where, "Btch/TtlAmt = entry amount", total, amount))
        return checks

    def _amount(self, el: Element, where: str) -> Decimal | None:
        amt = find(el, "Amt")
        if amt is None:
            self.findings.problem(where, "amount (Amt) is missing")
            return None
        return self._amount_el(amt, where)

    def _amount_el(self, amt: Element, where: str) -> Decimal | None:
        ccy = (amt.get("Ccy") or self.currency).upper()
        if ccy != self.currency:
            self.findings.problem(where, f"amount in {ccy} on a statement in {self.currency}")
            return None
        return exact_amount(amt.text, ccy, where, self.findings)

    def _direction(self, el: Element, default: Direction | None) -> Direction | None:
        raw = text(el, "CdtDbtInd")
        if raw is None and default is not None:
            return default
        if raw == "CRDT":
            return Direction.CREDIT
        if raw == "DBIT":
            return Direction.DEBIT
        self.findings.problem(f"{self.position}/CdtDbtInd", f"expected CRDT or DBIT, got {raw!r}")
        return None

    def _date(self, path: str) -> date | None:
        value = read_date(find(self.entry, path))
        if isinstance(value, str):
            self.findings.problem(f"{self.position}/{path}", f"{value!r} is not a date")
            return None
        return value

    def _line(
        self,
        source: Element,
        tx: Element | None,
        amount: Decimal,
        direction: Direction,
        k: int,
        count: int,
    ) -> StatementLine:
        entry = self.entry
        code = _bank_code(tx) or _bank_code(entry)
        reversal = text(entry, "RvslInd") in ("true", "1")
        is_return = code is not None and code.is_return and direction is Direction.DEBIT
        texts: list[str] = []
        remittance: tuple[RemittanceLine, ...] = ()
        customer_ref = bank_ref = payer_name = payer_account = None
        if tx is not None:
            end_to_end = text(tx, "Refs/EndToEndId")
            if end_to_end and end_to_end.upper() != "NOTPROVIDED":
                customer_ref = end_to_end
            bank_ref = self._bank_reference(tx, end_to_end, k, count)
            role = "Dbtr" if direction is Direction.CREDIT or reversal or is_return else "Cdtr"
            payer_name, payer_account = _party(tx, role)
            ultimate = first_text(find(tx, "RltdPties"), f"Ultmt{role}/Nm", f"Ultmt{role}/Pty/Nm")
            if payer_name is None:
                payer_name = ultimate
            elif ultimate and ultimate != payer_name:
                texts.append(f"ultimate {'debtor' if role == 'Dbtr' else 'creditor'}: {ultimate}")
            where = f"{self.position}/TxDtls[{k}]"
            free, remittance = read_remittance(
                find(tx, "RmtInf"), self.currency, where, self.findings
            )
            if free:
                texts.insert(0, free)
            reason = first_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry")
            if reason:
                texts.append(f"return reason {reason}")
            extra = text(tx, "AddtlTxInf")
            if extra:
                texts.append(extra)
        else:
            bank_ref = text(entry, "AcctSvcrRef")
        if not texts:
            extra = text(entry, "AddtlNtryInf")
            if extra:
                texts.append(extra)
        return StatementLine(
            amount=amount,
            currency=self.currency,
            direction=direction,
            value_date=self._date("ValDt"),
            booking_date=self._date("BookgDt"),
            bank_reference=bank_ref,
            customer_reference=customer_ref,
            type_code=code.type_code if code else None,
            method=code.method if code else Method.OTHER,
            payer_name=payer_name,
            payer_account=payer_account,
            remittance_text=" ".join(texts),
            remittance=remittance,
            is_reversal=reversal or is_return,
            source_position=self.position if tx is None else f"{self.position}/TxDtls[{k}]",
            raw=etree.tostring(source, encoding="unicode"),
        )

    def _bank_reference(
        self, tx: Element, end_to_end: str | None, k: int, count: int
    ) -> str | None:
        own = text(tx, "Refs/AcctSvcrRef")
        if own:
            return own
        entry_ref = text(self.entry, "AcctSvcrRef")
        if entry_ref is None or count == 1:
            return entry_ref
        usable_e2e = end_to_end if end_to_end and end_to_end.upper() != "NOTPROVIDED" else None
        discriminator = text(tx, "Refs/TxId") or usable_e2e or text(tx, "Refs/InstrId") or str(k)
        return f"{entry_ref}#{discriminator}"
