"""Reading invoice, PO and RF references out of what payers write.

Payers quote our invoice ``INV-012345`` as ``INV12345``, ``Invoice #12345``,
``Rechnung Nr. 012345``, ``12345``, ``INV 12344/12345 and 12350`` or with a
typo. Both sides are reduced to the same two parts:

* the **prefix**: the letters written before the number (``INV``), and
* the **core**: the number's digits without leading zeros (``12345``).

A quoted reference also records whether an invoice word introduced it
(``labelled``) or a purchase-order word (``po``). Amounts (``1,043.50``) and
dates (``2024-05-13``) are blanked out first so they are not read as numbers;
letters that OCR confuses with digits (O, I, L) inside a number are read as
digits. RF creditor references (ISO 11649) are found separately and kept only
when their check digits are valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stdnum import iso11649

INVOICE_WORDS: Final[frozenset[str]] = frozenset({
    "INV", "INVS", "INVOICE", "INVOICES", "INVNO", "RECHNUNG", "RECHNUNGEN", "RECHNR", "RE",
    "RG", "RGNR", "FACTURE", "FACTURES", "FACTURA", "FACTURAS", "FATTURA", "FAKTURA", "FACT",
    "FAKT", "BILL", "BILLS", "NR", "NO", "NOS", "NUM", "NUMBER", "DOC", "DOCUMENT", "BELEG",
    "REF",
})  # fmt: skip
PO_WORDS: Final[frozenset[str]] = frozenset({"PO", "PONO", "PURCHASE", "ORDER", "BESTELLUNG"})
_CONNECTORS: Final[frozenset[str]] = frozenset({"AND", "UND", "ET", "Y", "E", "PLUS"})

_PIECE = re.compile(r"[A-Z0-9]+")
_NUMBERISH = re.compile(r"([A-Z]*?)(\d[\dOIL]*\d|\d)([A-Z]*)")
_AMOUNT = re.compile(r"(?<![\dA-Z])\d{1,3}(?:[,.' ]\d{3})*[.,]\d{2}(?![\d])")
_DATE = re.compile(r"(?<!\d)(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2}))(?!\d)")
_RF = re.compile(r"RF\d{2}(?: ?[A-Z0-9]){1,21}")
_OCR_DIGITS = str.maketrans({"O": "0", "I": "1", "L": "1"})
MIN_BARE_DIGITS: Final = 3  # an unlabelled number needs at least this many digits


_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is exactly str.isalnum() plus the underscore
_LEADING_LETTERS = re.compile(r"[A-Z]*")
_NOT_DIGIT = re.compile(r"\D+")
_SIMPLE_NUMBER = re.compile(r"([A-Za-z]*)[-/ .#]?([0-9]+)")  # INV-012345, INV12345, 12345


def normalize_key(text: str) -> str:
    """Upper-case letters and digits only: ``"inv-0012/3"`` → ``"INV00123"``."""
    return _NOT_ALNUM.sub("", text.upper())


def core_of(digits: str) -> str:
    """The digits without leading zeros (``"0"`` for all zeros)."""
    return digits.lstrip("0") or "0"


def number_parts(number: str) -> tuple[str, str]:
    """The (prefix, core) of one of our document numbers: ``INV-012345`` → ``(INV, 12345)``."""
    simple = _SIMPLE_NUMBER.fullmatch(number)
    if simple is not None:  # the common shape, read in one step
        return simple.group(1).upper(), simple.group(2).lstrip("0") or "0"
    key = normalize_key(number)
    prefix = _LEADING_LETTERS.match(key).group(0)  # type: ignore[union-attr]  # always matches
    # str.isdigit() semantics kept for the rare non-ASCII number
    ascii_only = key.isascii()
    digits = _NOT_DIGIT.sub("", key) if ascii_only else "".join(c for c in key if c.isdigit())
    return prefix, core_of(digits) if digits else ""


@dataclass(frozen=True, slots=True)
class QuotedRef:
    """One number a payer quoted, reduced to comparable parts."""

    token: str  # the piece as written, letters and digits ("V10233012345")
    prefix: str  # letters written before the number ("INV"), or ""
    digits: str  # the number's digits as written, zeros kept
    labelled: bool  # an invoice word or our own prefix introduced it
    po: bool  # a purchase-order word introduced it

    @property
    def core(self) -> str:
        return core_of(self.digits)


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _rf_spans(upper: str) -> list[tuple[int, int, str]]:
    """(start, end, compact reference) of each valid RF reference in upper-case text."""
    spans: list[tuple[int, int, str]] = []
    position = 0
    while (match := _RF.search(upper, position)) is not None:
        compact = match.group(0).replace(" ", "")
        valid = next(
            (compact[:n] for n in range(len(compact), 4, -1) if iso11649.is_valid(compact[:n])),
            None,
        )
        if valid is None:
            position = match.start() + 1
            continue
        end, seen = match.start(), 0
        while seen < len(valid):
            seen += upper[end] != " "
            end += 1
        spans.append((match.start(), end, valid))
        position = end
    return spans


def extract_rf_references(text: str) -> tuple[str, ...]:
    """Valid ISO 11649 RF references in ``text``, compact form."""
    return tuple(compact for _, _, compact in _rf_spans(text.upper()))


class _Scan:
    """Left-to-right state while reading pieces: which label is in force."""

    def __init__(self) -> None:
        self.labelled = False
        self.po = False
        self.list_prefix = ""
        self.previous_word = ""
        self.previous_end = -10
        self.previous_digits = ""  # the number just read, for "2024-001043"

    def word(self, word: str) -> None:
        if word in INVOICE_WORDS:
            self.labelled, self.po = True, False
        elif word in PO_WORDS:
            self.po, self.labelled = True, False
        elif word not in _CONNECTORS:
            self.labelled = self.po = False
            self.list_prefix = ""


def _prefix_word(scan: _Scan, text: str, start: int) -> bool:
    """True when the word just before a number is its prefix (``INV-0123``, ``Invoice #12``)."""
    word = scan.previous_word
    if not word:
        return False
    gap = text[scan.previous_end : start]
    if len(gap) > 3 or any(ch not in " -#.:/_" for ch in gap):
        return False
    return word in INVOICE_WORDS or word in PO_WORDS or (" " not in gap and len(word) <= 5)


def extract_references(text: str) -> tuple[QuotedRef, ...]:
    """Every number in ``text`` that could be a document reference, in order."""
    upper = text.upper()
    for start, end, _ in _rf_spans(upper):
        upper = upper[:start] + " " * (end - start) + upper[end:]
    cleaned = _blank(_AMOUNT, _blank(_DATE, upper))
    scan = _Scan()
    found: list[QuotedRef] = []
    for piece in _PIECE.finditer(cleaned):
        word = piece.group(0)
        if word.isalpha():
            scan.word(word)
            scan.previous_word, scan.previous_end = word, piece.end()
            scan.previous_digits = ""
            continue
        match = _NUMBERISH.fullmatch(word)
        if match is None:
            scan.previous_word = scan.previous_digits = ""
            continue
        prefix = match.group(1)
        digits = match.group(2).translate(_OCR_DIGITS)
        if not prefix and _prefix_word(scan, cleaned, piece.start()):
            prefix = scan.previous_word
        if prefix in PO_WORDS:
            scan.po, scan.labelled = True, False
        elif prefix:
            scan.labelled = scan.labelled or prefix in INVOICE_WORDS
            scan.list_prefix = prefix
        if len(digits) >= MIN_BARE_DIGITS or (scan.labelled and prefix):
            found.append(
                QuotedRef(
                    token=word,
                    prefix=prefix or scan.list_prefix,
                    digits=digits,
                    labelled=scan.labelled,
                    po=scan.po,
                )
            )
            joined = _joined(scan, cleaned, piece.start(), digits)
            if joined is not None:
                found.append(joined)
        scan.previous_word, scan.previous_end = "", piece.end()
        scan.previous_digits = digits if not match.group(3) else ""
    return tuple(found)


def _joined(scan: _Scan, text: str, start: int, digits: str) -> QuotedRef | None:
    """``2024-001043`` read as one number too, when one separator joins two numbers."""
    if not scan.previous_digits or text[scan.previous_end : start] not in ("-", "/", "."):
        return None
    both = scan.previous_digits + digits
    return QuotedRef(both, scan.list_prefix, both, scan.labelled, scan.po)
