"""Write a BAI2 prior-day file for one account, as a US bank sends it.

Layout: ``01`` file header, ``02`` group (as-of date, currency), ``03``
account with summaries (010 opening ledger, 015 closing ledger, 100 total
credits with the item count), one ``16`` per receipt with ``88``
continuations for long text, ``49`` / ``98`` / ``99`` trailers. Control
totals are the sums of every 03 and 16 amount in minor units; record counts
include the 88s, as the standard says.

Type codes: ACH 142 (ACH credit received, with remittance) or 165
(preauthorized ACH credit, when the payer sent no text), wire 195, lockbox
115, check deposit 301. Funds type ``0`` for ACH and wires, ``S``
(immediate / one-day / two-day availability) for checks and lockbox; ``V``
with the value date when it differs from the as-of date (a transaction
reported again the next day).

The payer's name is written with ``ORIG CO NAME:`` (ACH) or ``B/O:``
(wires); remittance follows ``REMI:`` (ACH) or ``OBI:`` (wires). Text is
broken at spaces into 88 records of at most 80 characters; the name is never
split, so a reader finds it in one piece.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency
from owed.domain.payments.statement import Method
from owed.simulation.demo_model import DemoReceipt

WIDTH = 80
_TYPE_CODES = {Method.WIRE: "195", Method.LOCKBOX: "115", Method.CHECK: "301"}
_NEW_RECORD = re.compile(r"/\s+\d\d,")


def render(
    account: str, currency: str, receipts: Sequence[DemoReceipt], as_of: date, file_id: str
) -> str:
    cur = Currency.of(currency)
    details: list[list[str]] = []
    credits = 0
    for n, receipt in enumerate(receipts, start=1):
        if receipt.currency != cur.code:
            raise InvalidInput(
                f"receipt {receipt.id} (position {n}) is in {receipt.currency}, "
                f"the BAI2 account {account} in {cur.code}"
            )
        credits += cur.to_minor(receipt.amount)
        details.append(_detail(receipt, cur, as_of))
    opening = 0
    summary = [
        ("010", opening, ""),
        ("015", opening + credits, ""),
        ("100", credits, str(len(receipts))),
    ]
    account_total = sum(a for _, a, _ in summary) + credits
    header = f"03,{account},{cur.code}," + ",".join(f"{c},{a},{k}," for c, a, k in summary) + "/"
    body = [header] + [line for d in details for line in d]
    account_records = len(body) + 1
    body.append(f"49,{account_total},{account_records}/")
    group_records = len(body) + 2
    created = as_of + timedelta(days=1)
    lines = [
        f"01,OWEDBANK,OWEDDEMO,{created:%y%m%d},0615,{file_id},,,2/",
        f"02,OWEDDEMO,OWEDBANK,1,{as_of:%y%m%d},2400,{cur.code},2/",
        *body,
        f"98,{account_total},1,{group_records}/",
    ]
    lines.append(f"99,{account_total},1,{len(lines) + 1}/")
    return "\n".join(lines) + "\n"


def type_code(receipt: DemoReceipt) -> str:
    if receipt.method is Method.ACH:
        return "142" if receipt.remittance_text else "165"  # CCD+/CTX, else preauthorized
    return _TYPE_CODES.get(receipt.method, "399")


def _funds(receipt: DemoReceipt, cur: Currency, as_of: date) -> str:
    if receipt.value_date != as_of:
        return f"V,{receipt.value_date:%y%m%d},"
    if receipt.method in (Method.CHECK, Method.LOCKBOX):
        minor = cur.to_minor(receipt.amount)
        immediate = minor * 7 // 10
        return f"S,{immediate},{minor - immediate},0"
    return "0"


def _segments(receipt: DemoReceipt) -> list[str]:
    """The text as pieces never broken across records (a key with its value), then words."""
    fixed: list[str] = []
    if receipt.method is Method.WIRE:
        if receipt.payer_name:
            fixed.append(f"B/O: {receipt.payer_name}")
        fixed.append("OBI:")
    elif receipt.method in (Method.CHECK, Method.LOCKBOX):
        fixed.append(f"CHECK {receipt.customer_reference or ''}".strip())
    else:
        if receipt.payer_name:
            fixed.append(f"ORIG CO NAME:{receipt.payer_name}")
        fixed.append(f"ORIG ID:{receipt.bank_reference[-10:]}")
        fixed.append("ENTRY DESCR:PAYMENT")
        fixed.append("REMI:")
    return fixed + receipt.remittance_text.split()


def _detail(receipt: DemoReceipt, cur: Currency, as_of: date) -> list[str]:
    for value in (receipt.bank_reference, receipt.customer_reference or ""):
        if "," in value or "/" in value:
            raise InvalidInput(f"receipt {receipt.id}: reference {value!r} has a ',' or '/'")
    head = (
        f"16,{type_code(receipt)},{cur.to_minor(receipt.amount)},{_funds(receipt, cur, as_of)},"
        f"{receipt.bank_reference},{receipt.customer_reference or ''},"
    )
    words = _segments(receipt)
    text = " ".join(words)
    if (
        _NEW_RECORD.search(text)
        or " ".join(receipt.remittance_text.split()) != receipt.remittance_text
    ):
        raise InvalidInput(f"receipt {receipt.id}: text {text!r} cannot be written to BAI2 as is")
    records: list[str] = []
    current = head
    for word in words:
        joined = f"{current} {word}" if current not in (head, "88,") else current + word
        if len(joined) + 1 > WIDTH and current not in (head, "88,"):
            records.append(current + "/")
            current = "88," + word
        else:
            current = joined
    records.append(current + "/")
    return records
