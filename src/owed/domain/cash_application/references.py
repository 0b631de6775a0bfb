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
from functools import lru_cache
from typing import Final, NamedTuple

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


class QuotedRef(NamedTuple):  # a tuple: made for every number read, so made cheaply
    """One number a payer quoted, reduced to comparable parts."""

    token: str  # the piece as written, letters and digits ("V10233012345")
    prefix: str  # letters written before the number ("INV"), or ""
    digits: str  # the number's digits as written, zeros kept
    labelled: bool  # an invoice word or our own prefix introduced it
    po: bool  # a purchase-order word introduced it

    @property
    def core(self) -> str:
        return core_of(self.digits)


# Several rules read the same text of one receipt: the last few readings are kept (the
# results are immutable, so sharing them is safe).
_READINGS_KEPT: Final = 256


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


@lru_cache(maxsize=_READINGS_KEPT)
def _rf_spans(upper: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, compact reference) of each valid RF reference in upper-case text."""
    if "RF" not in upper:  # the common case: no RF reference at all
        return ()
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
    return tuple(spans)


def extract_rf_references(text: str) -> tuple[str, ...]:
    """Valid ISO 11649 RF references in ``text``, compact form."""
    return tuple(compact for _, _, compact in _rf_spans(text.upper()))


_GAP_CHARACTERS: Final = frozenset(" -#.:/_")  # what may stand between a prefix and its number
_JOINERS: Final = ("-", "/", ".")  # one of them between two numbers makes one number too


@lru_cache(maxsize=_READINGS_KEPT)
def extract_references(text: str) -> tuple[QuotedRef, ...]:
    """Every number in ``text`` that could be a document reference, in order.

    Read left to right, remembering which label is in force: an invoice word
    (``labelled``) or a purchase-order word (``po``) holds until another word
    (a connector such as ``AND`` keeps it); a prefix written on a number
    (``INV12``, ``INV-12``) carries over to the bare numbers listed after it.
    """
    upper = text.upper()
    for start, end, _ in _rf_spans(upper):
        upper = upper[:start] + " " * (end - start) + upper[end:]
    cleaned = upper
    if "-" in cleaned or "." in cleaned or "/" in cleaned:  # a date needs one of them
        cleaned = _blank(_DATE, cleaned)
    if "." in cleaned or "," in cleaned:  # so does an amount
        cleaned = _blank(_AMOUNT, cleaned)
    labelled = po = False
    list_prefix = previous_word = previous_digits = ""  # previous_digits: "2024-001043"
    previous_end = -10
    found: list[QuotedRef] = []
    for piece in _PIECE.finditer(cleaned):
        word = piece.group(0)
        if word.isalpha():
            if word in INVOICE_WORDS:
                labelled, po = True, False
            elif word in PO_WORDS:
                po, labelled = True, False
            elif word not in _CONNECTORS:
                labelled = po = False
                list_prefix = ""
            previous_word, previous_end, previous_digits = word, piece.end(), ""
            continue
        match = _NUMBERISH.fullmatch(word)
        if match is None:
            previous_word = previous_digits = ""
            continue
        prefix, raw, suffix = match.groups()
        digits = raw.translate(_OCR_DIGITS)
        start = piece.start()
        gap = cleaned[previous_end:start]
        if not prefix and previous_word and _prefix_word(previous_word, gap):
            prefix = previous_word
        if prefix in PO_WORDS:
            po, labelled = True, False
        elif prefix:
            labelled = labelled or prefix in INVOICE_WORDS
            list_prefix = prefix
        if len(digits) >= MIN_BARE_DIGITS or (labelled and prefix):
            found.append(QuotedRef(word, prefix or list_prefix, digits, labelled, po))
            if previous_digits and gap in _JOINERS:
                both = previous_digits + digits
                found.append(QuotedRef(both, list_prefix, both, labelled, po))
        previous_word, previous_end = "", piece.end()
        previous_digits = digits if not suffix else ""
    return tuple(found)


def _prefix_word(word: str, gap: str) -> bool:
    """True when ``word``, followed by ``gap``, is the prefix of the number after the gap
    (``INV-0123``, ``Invoice #12``)."""
    if len(gap) > 3 or not _GAP_CHARACTERS.issuperset(gap):
        return False
    return word in INVOICE_WORDS or word in PO_WORDS or (" " not in gap and len(word) <= 5)
