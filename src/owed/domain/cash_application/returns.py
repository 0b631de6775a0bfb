"""Pairing a returned payment with the receipt it returns.

A bank return (an ACH return, a reversed SEPA credit, a returned check) is a
debit on the account that gives back an earlier credit. Until it is paired
with that credit the invoices the credit paid still look paid. The rule, in
order:

1. **Reference.** The return carries a reference of the original: the same
   ``customer_reference`` (CAMT ``EndToEndId``, MT940 customer reference), or
   one of the original's references (its bank reference or customer
   reference, 6 characters or more) quoted as a word of the return's text
   (NACHA "original trace ...", BAI2 "Return of Client Ref ID ...").
2. **Payer account, amount, window.** Else a receipt from the same payer
   account, for exactly the amount, valued no more than
   ``window_business_days`` business days before the return.

A rule pairs only when exactly one receipt fits it; several fits (or none)
leave the return for a person, with the candidates ranked and a
plain-language reason. Whatever the rule, a candidate is in the same
currency, valued on or before the return, not already returned, and the
return amount is the original's or more by at most ``fee_max`` (a returned
item fee the bank adds). A return smaller than the original (a partial
return) never pairs automatically.

Pure: values in, a ``Pairing`` out. ``check_pairing`` states the conservation
law of a pairing: original = returned; return = returned + fee.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from owed.domain.calendar import business_days_between
from owed.domain.errors import InvalidInput, RuleViolation

REFERENCE_SCORE = 0.98
ACCOUNT_SCORE = 0.95
ACCOUNT_FEE_SCORE = 0.8
NAME_SCORE = 0.7
AMOUNT_SCORE = 0.5
MIN_TEXT_REFERENCE = 6  # shorter references (check numbers, "115") are too common to quote
MAX_CANDIDATES = 5

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]*[A-Za-z0-9]|[A-Za-z0-9]")


@dataclass(frozen=True)
class BankPayment:
    """A receipt or a return as pairing sees it (amount positive, in ``currency``)."""

    id: int
    amount: Decimal
    currency: str
    value_date: date
    payer_account: str | None = None
    payer_name: str | None = None
    bank_reference: str | None = None
    customer_reference: str | None = None
    text: str = ""


@dataclass(frozen=True)
class ReturnSettings:
    window_business_days: int = 10
    fee_max: Decimal = Decimal("50.00")

    def __post_init__(self) -> None:
        if self.window_business_days < 0:
            raise InvalidInput(
                f"returns.window_business_days must be >= 0, got {self.window_business_days}"
            )
        if self.fee_max < 0:
            raise InvalidInput(f"returns.fee_max must be >= 0, got {self.fee_max}")


@dataclass(frozen=True)
class Candidate:
    receipt_id: int
    score: float
    rule: str  # reference | account_amount | account_fee | name_amount | amount
    fee: Decimal  # what the return adds to the original (0 when equal)
    explanation: str


@dataclass(frozen=True)
class Pairing:
    return_id: int
    receipt_id: int | None  # the original, when exactly one fits a rule
    fee: Decimal
    rule: str | None
    reason: str
    candidates: tuple[Candidate, ...] = ()

    @property
    def paired(self) -> bool:
        return self.receipt_id is not None


def _norm(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _words(text: str) -> set[str]:
    return {w.upper() for w in _WORD.findall(text)}


def _refers_to(ret: BankPayment, receipt: BankPayment, words: set[str]) -> str | None:
    """How the return names the receipt, or None."""
    own = _norm(ret.customer_reference)
    if own and own == _norm(receipt.customer_reference):
        return f"same payment reference {ret.customer_reference}"
    for ref in (receipt.bank_reference, receipt.customer_reference):
        key = _norm(ref)
        if len(key) >= MIN_TEXT_REFERENCE and key in words:
            return f"quotes the receipt's reference {ref}"
    return None


def _fee(ret: BankPayment, receipt: BankPayment, settings: ReturnSettings) -> Decimal | None:
    """The returned-item fee if the amounts fit (0 when equal), else None."""
    fee = ret.amount - receipt.amount
    return fee if Decimal(0) <= fee <= settings.fee_max else None


def pair_return(
    ret: BankPayment, receipts: Iterable[BankPayment], settings: ReturnSettings | None = None
) -> Pairing:
    """The receipt ``ret`` returns, or why none can be chosen (with ranked candidates).

    ``receipts`` are receipts not yet returned, in any order.
    """
    s = settings or ReturnSettings()
    words = _words(ret.text)
    account = _norm(ret.payer_account)
    name = _norm(ret.payer_name)
    by_reference: list[Candidate] = []
    odd_reference: list[Candidate] = []
    by_account: list[Candidate] = []
    by_account_fee: list[Candidate] = []
    by_amount: list[Candidate] = []
    for r in receipts:
        if r.currency != ret.currency or r.value_date > ret.value_date or r.id == ret.id:
            continue
        fee = _fee(ret, r, s)
        how = _refers_to(ret, r, words)
        if how is not None:
            if fee is None:
                odd_reference.append(
                    Candidate(
                        r.id,
                        0.6,
                        "reference",
                        Decimal(0),
                        f"receipt {r.id} ({r.amount} {r.currency}, {r.value_date}): {how}, "
                        f"but the return is {ret.amount}",
                    )
                )
            else:
                by_reference.append(
                    Candidate(
                        r.id,
                        REFERENCE_SCORE,
                        "reference",
                        fee,
                        f"receipt {r.id} ({r.amount} {r.currency}, {r.value_date}): {how}"
                        + _fee_text(fee, r.currency),
                    )
                )
            continue
        days = business_days_between(r.value_date, ret.value_date)
        if fee is None or days > s.window_business_days:
            continue
        where = (
            f"receipt {r.id} ({r.amount} {r.currency}, {r.value_date}, {days} business days before)"
        )
        if account and account == _norm(r.payer_account):
            if fee == 0:
                by_account.append(
                    Candidate(
                        r.id,
                        ACCOUNT_SCORE,
                        "account_amount",
                        fee,
                        f"{where}: same payer account and amount",
                    )
                )
            else:
                by_account_fee.append(
                    Candidate(
                        r.id,
                        ACCOUNT_FEE_SCORE,
                        "account_fee",
                        fee,
                        f"{where}: same payer account" + _fee_text(fee, r.currency),
                    )
                )
        elif fee == 0:
            same_name = bool(name) and name == _norm(r.payer_name)
            by_amount.append(
                Candidate(
                    r.id,
                    NAME_SCORE if same_name else AMOUNT_SCORE,
                    "name_amount" if same_name else "amount",
                    fee,
                    f"{where}: same amount" + (" and payer name" if same_name else ""),
                )
            )
    ranked = tuple(
        sorted(
            by_reference + by_account + by_account_fee + odd_reference + by_amount,
            key=lambda c: (-c.score, c.fee, -c.receipt_id),
        )[:MAX_CANDIDATES]
    )
    window = f"{s.window_business_days} business days"
    if len(by_reference) == 1:
        (c,) = by_reference
        return Pairing(ret.id, c.receipt_id, c.fee, "reference", c.explanation, ranked)
    if by_reference:
        return Pairing(
            ret.id,
            None,
            Decimal(0),
            None,
            f"returned payment: {len(by_reference)} receipts carry the reference it "
            "quotes; pair it by hand (owed cashapp pair-return)",
            ranked,
        )
    if len(by_account) == 1:
        (c,) = by_account
        return Pairing(ret.id, c.receipt_id, c.fee, "account_amount", c.explanation, ranked)
    if by_account:
        return Pairing(
            ret.id,
            None,
            Decimal(0),
            None,
            f"returned payment: {len(by_account)} receipts of {ret.amount} "
            f"{ret.currency} from the same account within {window}; pair it by hand",
            ranked,
        )
    if odd_reference:
        reason = "returned payment: the receipt it names has another amount; check and pair by hand"
    elif by_account_fee:
        reason = (
            "returned payment: a receipt from the same account is smaller (a returned-item "
            "fee?); check and pair by hand"
        )
    elif by_amount:
        reason = (
            "returned payment: receipts of the same amount but no payer account or reference "
            "confirms one; pair it by hand"
        )
    else:
        reason = (
            f"returned payment: no receipt found by reference, nor from the same account for "
            f"{ret.amount} {ret.currency} within {window}"
        )
    return Pairing(ret.id, None, Decimal(0), None, reason, ranked)


def _fee_text(fee: Decimal, currency: str) -> str:
    return f"; the return is {fee} {currency} more (returned-item fee)" if fee else ""


def check_pairing(original: BankPayment, ret: BankPayment, fee: Decimal) -> None:
    """Conservation of a pairing: original = returned, return = returned + fee, fee >= 0."""
    if original.currency != ret.currency:
        raise RuleViolation(
            f"return {ret.id} is in {ret.currency}, receipt {original.id} in {original.currency}"
        )
    if fee < 0 or original.amount + fee != ret.amount:
        raise RuleViolation(
            f"return {ret.id} of {ret.amount} does not equal receipt {original.id} of "
            f"{original.amount} plus a fee of {fee}",
            return_id=ret.id,
            receipt_id=original.id,
        )
