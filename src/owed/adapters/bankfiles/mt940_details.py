"""The MT940 ``:86:`` field: bank-specific layouts read into one dict.

``parse_details(text)`` takes the field's lines (joined with ``\\n``) and
recognises, in this order:

``german``
    ``GVC?00...?20...`` (``>`` instead of ``?`` for Triodos): GVC code before the
    first separator, ``?00`` posting text, ``?20``-``?29`` and ``?60``-``?63``
    purpose, ``?30`` bank code (BLZ/BIC), ``?31`` account, ``?32``/``?33`` name.
    The purpose is then read for SEPA keywords (below).
``swift_slash``
    Dutch/SEPA ``/EREF/.../CNTP/iban/bic/name/city/REMI/USTD//text/``,
    ``/ORDP//NAME/.../REMI/...``, ``/BENM//NAME/``, ``/IBAN/.../NAME/``.
``sepa_keywords``
    ``EREF+ KREF+ MREF+ CRED+ SVWZ+ ABWA+ ...`` in free text.
``free``
    anything else: the text with whitespace normalised.

Lines of a structured layout are joined without a separator (banks wrap at
65 characters in the middle of words); free text is joined with a space unless
the previous line was full (60+ characters). The result holds only the keys
found: ``layout``, ``gvc``, ``posting_text``, ``payer_name``, ``payer_account``,
``payer_bank``, ``remittance_text``, ``customer_reference`` (EREF, never
``NOTPROVIDED``), ``mandate_reference``, ``creditor_id``, ``ultimate_name``,
``structured_reference``, ``return_reason``.
"""

from __future__ import annotations

import re

_GERMAN = re.compile(r"^\s*(\d{3})?\s*([?>])\d{2}")
_SEPA = re.compile(
    r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|SQTP|PURP|BREF|RREF)\+"
)
_SLASH_KEYS = frozenset(
    {
        "EREF", "PREF", "MARF", "CSID", "CNTP", "REMI", "RTRN", "ORDP", "BENM", "NAME", "ADDR",
        "ISDT", "IBAN", "BIC", "TRCD", "TRTP", "PURP", "ULTC", "ULTD", "ULTB", "CDTRREF",
        "CDTRREFTP", "CREF", "COAM", "OAMT", "SVCL", "FX", "EXCH", "CHGS",
    }
)  # fmt: skip
_SLASH_START = re.compile(r"^\s*/(" + "|".join(sorted(_SLASH_KEYS)) + r")/")
_PLACEHOLDERS = frozenset({"NOTPROVIDED", "NONREF", "NONE"})
_FULL_LINE = 60


def _squash(value: str) -> str:
    return " ".join(value.split())


def _join_structured(text: str) -> str:
    return "".join(line.rstrip("\r") for line in text.split("\n"))


def _join_free(text: str) -> str:
    out = ""
    previous = ""
    for line in text.split("\n"):
        if out and len(previous) < _FULL_LINE:
            out += " "
        out += line
        previous = line
    return _squash(out)


def _reference(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value if value and value.upper() not in _PLACEHOLDERS else None


def _sepa_fields(purpose: str) -> tuple[dict[str, str], str]:
    """Split ``EREF+... SVWZ+...`` text into keyword values and the leading text."""
    matches = list(_SEPA.finditer(purpose))
    if not matches:
        return {}, purpose
    fields: dict[str, str] = {}
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        end = nxt.start() if nxt is not None else len(purpose)
        fields.setdefault(m.group(1), _squash(purpose[m.end() : end]))
    return fields, purpose[: matches[0].start()]


def _apply_sepa(result: dict[str, str], purpose: str) -> None:
    fields, leading = _sepa_fields(purpose)
    if not fields:
        if purpose.strip():
            result["remittance_text"] = _squash(purpose)
        return
    result.setdefault("layout", "sepa_keywords")
    ref = _reference(fields.get("EREF"))
    if ref:
        result["customer_reference"] = ref
    for key, target in (
        ("MREF", "mandate_reference"),
        ("CRED", "creditor_id"),
        ("ABWA", "ultimate_name"),
    ):
        if fields.get(key):
            result[target] = fields[key]
    text = fields.get("SVWZ") or _squash(leading)
    if text:
        result["remittance_text"] = text
    if "payer_account" not in result and fields.get("IBAN"):
        result["payer_account"] = fields["IBAN"]


def _german(text: str, separator: str) -> dict[str, str]:
    joined = _join_structured(text).strip()
    parts = re.split(re.escape(separator) + r"(\d{2})", joined)
    result: dict[str, str] = {"layout": "german"}
    gvc = parts[0].strip()
    if gvc:
        result["gvc"] = gvc
    fields: dict[int, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(int(code), "")
        fields[int(code)] += value
    purpose = "".join(fields.get(n, "") for n in (*range(20, 30), *range(60, 64)))
    name = _squash(fields.get(32, "") + fields.get(33, ""))
    for key, value in (
        ("posting_text", fields.get(0)),
        ("payer_bank", fields.get(30)),
        ("payer_account", fields.get(31)),
        ("payer_name", name),
    ):
        if value and value.strip():
            result[key] = _squash(value)
    _apply_sepa(result, purpose)
    result["layout"] = "german"
    if "payer_name" not in result and result.get("ultimate_name"):
        result["payer_name"] = result["ultimate_name"]
    return result


def _swift_slash(text: str) -> dict[str, str]:
    tokens = _join_structured(text).strip().split("/")
    values: dict[str, list[str]] = {}
    order: list[str] = []
    current: str | None = None
    for token in tokens:
        key = token.strip().upper()
        if key in _SLASH_KEYS:
            current = key
            if key not in values:
                values[key] = []
                order.append(key)
            continue
        if current is not None:
            values[current].append(token)
    result: dict[str, str] = {"layout": "swift_slash"}

    def joined(key: str) -> str:
        return "/".join(values.get(key, [])).strip("/ ")

    ref = _reference(joined("EREF"))
    if ref:
        result["customer_reference"] = ref
    if "CNTP" in values:
        parts = [*values["CNTP"], "", "", ""]
        if parts[0].strip():
            result["payer_account"] = parts[0].strip()
        if parts[1].strip():
            result["payer_bank"] = parts[1].strip()
        if parts[2].strip():
            result["payer_name"] = _squash(parts[2])
    for key, target in (
        ("NAME", "payer_name"),
        ("IBAN", "payer_account"),
        ("BIC", "payer_bank"),
        ("MARF", "mandate_reference"),
        ("CSID", "creditor_id"),
        ("RTRN", "return_reason"),
    ):
        value = joined(key)
        if value and target not in result:
            result[target] = _squash(value)
    remi = list(values.get("REMI", []))
    kind = remi[0].strip().upper() if remi else ""
    if kind in ("USTD", "STRD"):
        remi = remi[1:]
    remittance = "/".join(remi).strip("/ ")
    if kind == "STRD":
        structured = remittance.split("/")[-1].strip()
        if structured:
            result["structured_reference"] = structured
    if remittance:
        result["remittance_text"] = _squash(remittance)
    return result


def parse_details(text: str) -> dict[str, str]:
    """Read an MT940 ``:86:`` value; see the module docstring for the layouts."""
    if not text or not text.strip():
        return {"layout": "free"}
    german = _GERMAN.match(text)
    if german:
        return _german(text, german.group(2))
    joined = _join_structured(text)
    if _SLASH_START.match(joined) or any(f"/{k}/" in joined for k in ("EREF", "REMI", "NAME")):
        return _swift_slash(text)
    free = _join_free(text)
    result: dict[str, str] = {}
    _apply_sepa(result, free)
    result.setdefault("layout", "free")
    return result
