"""The neutral form of a bank or remittance file, whatever its format.

Every importer in ``owed.adapters.bankfiles`` turns its format (BAI2, CAMT,
MT940, X12 820, NACHA, lockbox, CSV/XLSX) into a ``ParsedFile``: statements
(one per account and file section) holding ``StatementLine``s. Cash
application works only on this form, so a new format never touches matching.

Amounts are exact ``Decimal`` in the line's currency, always positive;
``direction`` says whether money came in (``credit``) or went out (``debit``).
A return or reversal of an earlier credit is a ``debit`` with
``is_reversal=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class Method(StrEnum):
    ACH = "ach"
    WIRE = "wire"
    CHECK = "check"
    CARD = "card"
    LOCKBOX = "lockbox"
    OTHER = "other"


@dataclass(frozen=True)
class RemittanceLine:
    """One referenced document in structured remittance (820 RMR, CAMT Strd, lockbox)."""

    reference: str  # invoice number (or credit note number) as the payer quoted it
    paid: Decimal | None = None  # amount paid against this document
    invoice_amount: Decimal | None = None  # the document's amount as the payer sees it
    discount: Decimal | None = None  # early-payment discount taken
    adjustment: Decimal | None = None  # short-pay / deduction (positive = less paid)
    reason_code: str | None = None  # adjustment reason (X12 ADX/CARC, CAMT AdjstmntAmtAndRsn)
    reason_text: str | None = None
    kind: str = "invoice"  # invoice | credit_note | debit_note | po | rf_reference


@dataclass(frozen=True)
class StatementLine:
    """One bank transaction (or one remittance advice) as it arrived."""

    amount: Decimal
    currency: str
    direction: Direction
    value_date: date | None
    booking_date: date | None = None
    bank_reference: str | None = None  # the bank's own id (BAI2 16 ref, AcctSvcrRef, :61: ref, TRN)
    customer_reference: str | None = None  # EndToEndId, check number, payer's own reference
    type_code: str | None = None  # BAI2 type code, BkTxCd, MT940 transaction type, SEC code
    method: Method = Method.OTHER
    payer_name: str | None = None
    payer_account: str | None = None  # IBAN or account number; masked on display
    remittance_text: str = ""  # free text (Ustrd, :86:, OBI, addenda)
    remittance: tuple[RemittanceLine, ...] = ()
    is_reversal: bool = False
    source_position: str = ""  # e.g. "line 14" or "Ntry[3]/TxDtls[2]": where it came from
    raw: str = ""  # the original record(s), for audit and explanations

    def dedupe_key(self, account: str) -> str:
        """A key that identifies this transaction across files (intraday vs EOD).

        The bank's reference is authoritative when present; otherwise the key is
        made of the facts that identify a transaction on the account.
        """
        if self.bank_reference:
            return f"{account}|ref|{self.bank_reference}|{self.direction}|{self.amount}"
        parts = (
            account,
            str(self.value_date or self.booking_date),
            self.direction.value,
            str(self.amount),
            self.currency,
            self.customer_reference or "",
            self.type_code or "",
            (self.payer_name or "").upper(),
            " ".join(self.remittance_text.split()).upper(),
        )
        return "|".join(parts)


@dataclass(frozen=True)
class ControlCheck:
    """A control total the file states about itself, and what the lines add up to."""

    position: str
    what: str  # e.g. "account 123 credits", "file total"
    stated: Decimal
    computed: Decimal

    @property
    def ok(self) -> bool:
        return self.stated == self.computed


@dataclass(frozen=True)
class Statement:
    """The lines for one account in one section of a file."""

    account: str  # account number / IBAN as the file gives it
    currency: str
    lines: tuple[StatementLine, ...]
    statement_id: str | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    as_of: date | None = None


@dataclass(frozen=True)
class ParsedFile:
    """A whole file: its format, statements, self-checks, and warnings."""

    format: str  # bai2 | camt.052 | camt.053 | camt.054 | mt940 | x12-820 | nacha | lockbox | csv
    statements: tuple[Statement, ...]
    controls: tuple[ControlCheck, ...] = ()
    warnings: tuple[str, ...] = ()
    file_id: str | None = None  # the file's own id where it has one

    @property
    def lines(self) -> list[StatementLine]:
        return [line for st in self.statements for line in st.lines]

    @property
    def failed_controls(self) -> list[ControlCheck]:
        return [c for c in self.controls if not c.ok]


@dataclass
class ParseOptions:
    """How strict to be, and format-specific settings."""

    strict: bool = True  # a wrong control total is an error (False: reported as a warning)
    default_currency: str = "USD"
    layout: dict[str, object] = field(default_factory=dict)  # lockbox layout / CSV column map
