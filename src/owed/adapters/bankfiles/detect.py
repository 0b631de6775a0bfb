"""Which bank-file format is this? Decided from the content, not the name.

Detection looks at the first bytes only and applies the rules in a fixed
order, most specific first, so the answer never depends on which parsers
happen to be installed:

1. empty (or only whitespace)        -> refused
2. ZIP magic ``PK\\x03\\x04``           -> ``xlsx``   (legacy OLE ``.xls`` is refused)
3. ``<`` (XML, after BOM/whitespace)  -> ``camt``   (the parser judges the namespace)
4. ``ISA``                            -> ``x12-820``
5. ``01,`` or a ``NN,`` record ending in ``/`` -> ``bai2``
6. ``101`` with the NACHA record size ``094`` near columns 35-37, or a 94-char
   first record                      -> ``nacha``
7. a line starting with an MT940 tag (``:20:``, ``:25:``, ``:60F:``, ``:61:``...)
                                      -> ``mt940``
8. digit-led records without commas, at most 132 characters (80 by the
   book; banks append names), the first a type ``1`` header, the rest of
   types 1/2/4-9                     -> ``lockbox``
9. text whose first line has a delimiter (``,`` ``;`` tab ``|``) -> ``csv``

The file name is used only to refuse early: a ``.xlsx`` name whose content is
not a ZIP archive gets a clear message instead of a CSV error.
"""

from __future__ import annotations

import re

from owed.domain.errors import InvalidFile, Problem

_HEAD = 8192
_BOMS = (b"\xef\xbb\xbf",)
_MT940_TAG = re.compile(rb"^:(?:20|21|25|28C?|60[FM]|61|62[FM]|64|65|86|13D|34F|90[CD]|NS):", re.M)
_LOCKBOX_MAX = 132  # 80 by the book; banks append payer names (a 101-char sample)
_LOCKBOX_TYPES = (b"1", b"2", b"4", b"5", b"6", b"7", b"8", b"9")
_BAI2_RECORD = re.compile(rb"^\d\d,[^\r\n]*/\s*$")


def _head(data: bytes) -> bytes:
    head = data[:_HEAD]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
    return head.lstrip(b" \t\r\n\x00\x01")


def _first_line(head: bytes) -> bytes:
    return head.split(b"\n", 1)[0].rstrip(b"\r")


def looks_like_xml(data: bytes) -> bool:
    return _head(data).startswith(b"<")


def looks_like_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def looks_like_mt940(data: bytes) -> bool:
    head = _head(data)
    return bool(_MT940_TAG.search(head)) and not head.startswith(b"<")


def looks_like_bai2(data: bytes) -> bool:
    head = _head(data)
    return head.startswith(b"01,") or bool(_BAI2_RECORD.match(_first_line(head)))


def looks_like_nacha(data: bytes) -> bool:
    head = _head(data)
    if not head.startswith(b"101"):
        return False
    # record size "094" sits at columns 35-37; tolerate a shifted header (93-char records)
    return b"094" in head[30:40] or len(_first_line(head)) == 94


def looks_like_lockbox(data: bytes) -> bool:
    lines = [line.rstrip(b"\r ") for line in _head(data).split(b"\n")]
    lines = [line for line in lines if line]
    if len(lines) < 2 or not lines[0].startswith(b"1"):
        return False
    if len(data) > _HEAD:
        lines = lines[:-1]  # the last line may be cut off by the head limit
    return all(
        len(line) <= _LOCKBOX_MAX and line[:1] in _LOCKBOX_TYPES and b"," not in line
        for line in lines
    )


def looks_like_csv(data: bytes) -> bool:
    first = _first_line(_head(data))
    if not first or b"\x00" in first:
        return False
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        text = first.decode("latin-1")
    if any(not ch.isprintable() and ch != "\t" for ch in text):
        return False
    return any(sep in text for sep in (",", ";", "\t", "|"))


def detect_format(data: bytes, filename: str = "<file>") -> str:
    """The format name (a key of ``owed.adapters.bankfiles.FORMATS``) for ``data``.

    Raises ``InvalidFile`` with the reason when no format fits.
    """

    def refuse(reason: str) -> InvalidFile:
        return InvalidFile(filename, [Problem(position="file", reason=reason)], "format detection")

    head = _head(data)
    if not head:
        raise refuse("the file is empty")
    if looks_like_zip(data):
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise refuse("legacy Excel .xls (OLE) files are not supported; save it as .xlsx or CSV")
    if filename.lower().endswith(".xlsx"):
        raise refuse("the name ends in .xlsx but the content is not an XLSX (ZIP) workbook")
    rules = (
        ("camt", looks_like_xml),
        ("x12-820", lambda d: _head(d).startswith(b"ISA")),
        ("bai2", looks_like_bai2),
        ("nacha", looks_like_nacha),
        ("mt940", looks_like_mt940),
        ("lockbox", looks_like_lockbox),
        ("csv", looks_like_csv),
    )
    for name, rule in rules:
        if rule(data):
            return name
    raise refuse(
        "not a recognised bank file: expected XML (CAMT), MT940 tags, BAI2 '01,' records, "
        "X12 'ISA', NACHA '101' records, lockbox records, XLSX, or delimited text with a header"
    )
