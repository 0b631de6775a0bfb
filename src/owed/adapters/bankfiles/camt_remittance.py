"""CAMT ``RmtInf``: free text and structured remittance as ``RemittanceLine``s.

``Ustrd`` lines are joined with a space into the remittance text. Each
``Strd`` block becomes one ``RemittanceLine`` per referred document
(``RfrdDocInf/Nb``), carrying the block's ``RfrdDocAmt`` amounts:

=====================================  ==========================================
``RfrdDocInf/Tp/CdOrPrtry/Cd``         ``kind``: CINV invoice, CREN/CNFA credit_note,
                                       DEBN/DNFA debit_note, PUOR po, else invoice
``RfrdDocAmt/DuePyblAmt``              ``invoice_amount``
``RfrdDocAmt/DscntApldAmt``            ``discount`` (v2 ``Amt`` child or v4+ ``Amt``)
``RfrdDocAmt/CdtNoteAmt``              credit note: ``invoice_amount``; otherwise
                                       added to ``adjustment``
``RfrdDocAmt/AdjstmntAmtAndRsn``       ``adjustment`` (summed; DBIT counts negative),
                                       ``reason_code`` (``Rsn``), ``reason_text``
``RfrdDocAmt/RmtdAmt``                 ``paid``
``CdtrRefInf/Ref``                     ``kind="rf_reference"`` when it is a valid
                                       ISO 11649 reference, else
                                       ``kind="creditor_reference"``
=====================================  ==========================================

When a block has several documents and one set of amounts, the amounts go on
the first document and a warning says so. Amounts must be exact in the
entry's currency (see ``_exact``).
"""

from __future__ import annotations

from decimal import Decimal

from stdnum import iso11649

from owed.adapters.bankfiles._exact import Findings, exact_amount
from owed.adapters.bankfiles.camt_xml import Element, find, find_all, first_text, kids, text
from owed.domain.payments.statement import RemittanceLine

_DOC_KINDS = {
    "CINV": "invoice",
    "CREN": "credit_note",
    "CNFA": "credit_note",
    "DEBN": "debit_note",
    "DNFA": "debit_note",
    "PUOR": "po",
}


def read_remittance(
    rmt: Element | None, currency: str, position: str, findings: Findings
) -> tuple[str, tuple[RemittanceLine, ...]]:
    """Free text and structured lines of one ``RmtInf`` element."""
    if rmt is None:
        return "", ()
    texts = [t for t in (text(u) for u in kids(rmt, "Ustrd")) if t]
    lines: list[RemittanceLine] = []
    for n, strd in enumerate(kids(rmt, "Strd"), start=1):
        where = f"{position}/RmtInf/Strd[{n}]"
        lines.extend(_read_strd(strd, currency, where, findings))
        texts.extend(t for t in (text(a) for a in kids(strd, "AddtlRmtInf")) if t)
    return " ".join(texts), tuple(lines)


def _amount(el: Element | None, currency: str, where: str, findings: Findings) -> Decimal | None:
    """An ``ActiveOrHistoricCurrencyAndAmount`` element as an exact amount."""
    if el is None:
        return None
    ccy = el.get("Ccy") or currency
    if ccy != currency:
        findings.problem(where, f"amount in {ccy} but the transaction is in {currency}")
        return None
    return exact_amount(el.text, ccy, where, findings)


def _doc_amounts(strd: Element, currency: str, where: str, findings: Findings) -> dict[str, object]:
    amt = find(strd, "RfrdDocAmt")
    if amt is None:
        return {}
    base = f"{where}/RfrdDocAmt"
    out: dict[str, object] = {}

    def one(path: str) -> Decimal | None:
        el = find(amt, path)
        return _amount(el, currency, f"{base}/{path}", findings) if el is not None else None

    out["invoice_amount"] = one("DuePyblAmt")
    # v2 puts the amount directly in DscntApldAmt; v4+ wraps it in Amt (with a Tp).
    discount_el = find(amt, "DscntApldAmt")
    if discount_el is not None:
        inner = find(discount_el, "Amt")
        out["discount"] = _amount(
            inner if inner is not None else discount_el, currency, f"{base}/DscntApldAmt", findings
        )
    out["credit_note"] = one("CdtNoteAmt")
    out["paid"] = one("RmtdAmt")
    adjustment: Decimal | None = None
    codes: list[str] = []
    notes: list[str] = []
    for k, adj in enumerate(kids(amt, "AdjstmntAmtAndRsn"), start=1):
        value = _amount(find(adj, "Amt"), currency, f"{base}/AdjstmntAmtAndRsn[{k}]", findings)
        if value is None:
            continue
        if text(adj, "CdtDbtInd") == "DBIT":
            value = -value
        adjustment = (adjustment or Decimal(0)) + value
        code = text(adj, "Rsn")
        if code:
            codes.append(code)
        note = text(adj, "AddtlInf")
        if note:
            notes.append(note)
    out["adjustment"] = adjustment
    out["reason_code"] = ",".join(codes) or None
    out["reason_text"] = "; ".join(notes) or None
    return out


def _apply_amounts(kind: str, amounts: dict[str, object]) -> dict[str, object]:
    """Map a block's amounts onto ``RemittanceLine`` fields for a document kind."""
    fields = {k: v for k, v in amounts.items() if k != "credit_note" and v is not None}
    credit_note = amounts.get("credit_note")
    if isinstance(credit_note, Decimal):
        if kind == "credit_note" and "invoice_amount" not in fields:
            fields["invoice_amount"] = credit_note
        else:
            previous = fields.get("adjustment")
            fields["adjustment"] = credit_note + (
                previous if isinstance(previous, Decimal) else Decimal(0)
            )
            fields.setdefault("reason_text", "credit note applied")
    return fields


def _read_strd(
    strd: Element, currency: str, where: str, findings: Findings
) -> list[RemittanceLine]:
    amounts = _doc_amounts(strd, currency, where, findings)
    docs = find_all(strd, "RfrdDocInf")
    lines: list[RemittanceLine] = []
    for k, doc in enumerate(docs, start=1):
        number = first_text(doc, "Nb")
        if number is None:
            findings.warn(f"{where}/RfrdDocInf[{k}]", "referred document without a number (Nb)")
            continue
        code = first_text(doc, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        kind = _DOC_KINDS.get((code or "CINV").upper(), "invoice")
        fields = _apply_amounts(kind, amounts) if not lines else {}
        lines.append(RemittanceLine(reference=number, kind=kind, **fields))  # type: ignore[arg-type]
    if len(lines) > 1 and any(v is not None for v in amounts.values()):
        findings.warn(where, "one RfrdDocAmt for several documents: amounts kept on the first")
    for k, ref_info in enumerate(kids(strd, "CdtrRefInf"), start=1):
        ref = text(ref_info, "Ref")
        if ref is None:
            findings.warn(f"{where}/CdtrRefInf[{k}]", "creditor reference without Ref")
            continue
        kind = "rf_reference" if iso11649.is_valid(ref) else "creditor_reference"
        if ref.upper().startswith("RF") and kind != "rf_reference":
            findings.warn(f"{where}/CdtrRefInf[{k}]", f"{ref!r} is not a valid ISO 11649 reference")
        fields = _apply_amounts("invoice", amounts) if not lines else {}
        compact = iso11649.compact(ref) if kind == "rf_reference" else ref
        lines.append(RemittanceLine(reference=compact, kind=kind, **fields))  # type: ignore[arg-type]
    if not lines and any(v is not None for v in amounts.values()):
        findings.warn(where, "structured amounts without a document number or reference: ignored")
    return lines
