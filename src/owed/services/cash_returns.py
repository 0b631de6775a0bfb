"""Returned payments: pair each return with the receipt it returns, and undo that receipt.

A return (a ``receipts`` row of kind ``return``, posted Dr unapplied cash /
Cr bank at import) gives back the money of an earlier receipt. Pairing it
(``owed.domain.cash_application.returns.pair_return``) finds that receipt by
the return's reference to it, else by payer account + amount within a window
of business days. A unique pairing is applied at once, in one transaction:

1. the original receipt's active applications are unapplied
   (``cash_unapply.unapply_applications``: reversing entry dated today,
   invoices re-opened, deduction disputes cancelled, write-offs reversed);
2. the original's unapplied cash is consumed by the return: both are marked
   ``returned`` and linked in ``receipt_returns`` (net zero in unapplied cash:
   Cr at the receipt, Dr at the return);
3. a return larger than the original (a returned-item fee) posts the excess
   Dr bank fees / Cr unapplied cash, dated the return's value date (today if
   that period is closed);
4. promises and plans are re-evaluated from the payments that remain.

Several candidates, or none: the return stays in the exception queue with the
ranked candidates and the reason. ``pair_return`` does the same for a pair a
person names. Settings: company setting ``returns`` =
``{"window_business_days": 10, "fee_max": "50.00"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.cash_application.returns import (
    BankPayment,
    Pairing,
    ReturnSettings,
    check_pairing,
    pair_return,
)
from owed.domain.errors import ConfigurationError, NotFound, RuleViolation
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.services.cash_postings import posting_date
from owed.services.cash_unapply import check_unapply, unapply_applications
from owed.services.ledger import account, post_entries
from owed.services.promises import evaluate_commitments
from owed.services.unit_of_work import UnitOfWork


def return_settings(uow: UnitOfWork) -> ReturnSettings:
    raw = uow.company.settings.get("returns") or {}
    unknown = set(raw) - {"window_business_days", "fee_max"}
    if unknown:
        raise ConfigurationError(f"unknown returns setting(s): {', '.join(sorted(unknown))}")
    defaults = ReturnSettings()
    try:
        return ReturnSettings(
            int(raw.get("window_business_days", defaults.window_business_days)),
            Decimal(str(raw.get("fee_max", defaults.fee_max))),
        )
    except (ValueError, ArithmeticError) as exc:
        raise ConfigurationError(f"returns settings: {exc}") from None


def _payment(row: dict[str, Any]) -> BankPayment:
    cur = Currency.of(row["currency"])
    return BankPayment(
        id=row["id"],
        amount=cur.from_minor(row["amount_minor"]),
        currency=cur.code,
        value_date=row["value_date"],
        payer_account=row["payer_account"],
        payer_name=row["payer_name"],
        bank_reference=row["bank_reference"],
        customer_reference=row["customer_reference"],
        text=" ".join(filter(None, (row["remittance_text"], row["customer_reference"]))),
    )


def _pairing_json(p: Pairing) -> dict[str, Any]:
    return {
        "rule": p.rule or "return",
        "explanation": p.reason,
        "suggestions": [
            {
                "receipt_id": c.receipt_id,
                "confidence": c.score,
                "rule": c.rule,
                "fee": str(c.fee),
                "explanation": c.explanation,
            }
            for c in p.candidates
        ],
    }


# -- pairing every open return ----------------------------------------------------
@dataclass(frozen=True)
class PairReturns:
    return_ids: tuple[int, ...] | None = None  # None: every return not yet paired


@dataclass
class PairingRun:
    returns: int = 0
    paired: list[tuple[int, int]] = field(default_factory=list)  # (return, receipt)
    exceptions: list[tuple[int, str]] = field(default_factory=list)  # (return, reason)


def pair_returns(cmd: PairReturns, uow: UnitOfWork) -> PairingRun:
    """Pair each open return with its original where exactly one fits; queue the rest."""
    result = PairingRun()
    with uow:
        uow.require(Permission.APPLY_CASH)
        returns = uow.cash.open_returns(cmd.return_ids)
        if not returns:
            return result
        settings = return_settings(uow)
        latest = max(r["value_date"] for r in returns)
        pool = {
            r["id"]: r
            for r in uow.cash.returnable_receipts(sorted({r["currency"] for r in returns}), latest)
        }
        for ret in returns:
            result.returns += 1
            pairing = pair_return(_payment(ret), [_payment(r) for r in pool.values()], settings)
            if pairing.receipt_id is None:
                uow.cash.set_match(ret["id"], "exception", None, _pairing_json(pairing))
                result.exceptions.append((ret["id"], pairing.reason))
                continue
            original = pool[pairing.receipt_id]
            try:  # reads only: nothing is changed before the pairing is known to go through
                check_unapply(uow, uow.cash.active_applications(original["id"]))
            except RuleViolation as exc:  # e.g. its deduction dispute was already resolved
                reason = f"returned payment: receipt {original['id']} fits, but {exc}"
                uow.cash.set_match(
                    ret["id"], "exception", None, {**_pairing_json(pairing), "explanation": reason}
                )
                result.exceptions.append((ret["id"], reason))
                continue
            del pool[original["id"]]
            _apply_pairing(uow, ret, original, pairing, how="auto")
            result.paired.append((ret["id"], original["id"]))
        if result.paired:
            evaluate_commitments(uow, uow.today(), record=True)
        uow.audit(
            "cashapp.pair_returns",
            "receipts",
            f"{returns[0]['id']}-{returns[-1]['id']}",
            after={"returns": result.returns, "paired": result.paired},
        )
        uow.commit()
    return result


# -- pairing by hand ----------------------------------------------------------------
@dataclass(frozen=True)
class PairReturn:
    return_id: int
    receipt_id: int


@dataclass(frozen=True)
class PairedReturn:
    return_id: int
    receipt_id: int
    fee: Money
    unapply_entry_id: int | None
    fee_entry_id: int | None


def pair_return_by_hand(cmd: PairReturn, uow: UnitOfWork) -> PairedReturn:
    with uow:
        uow.require(Permission.APPLY_CASH)
        ret = uow.cash.receipt(cmd.return_id)
        if ret is None:
            raise NotFound("return", cmd.return_id)
        original = uow.cash.receipt(cmd.receipt_id)
        if original is None:
            raise NotFound("receipt", cmd.receipt_id)
        if ret["kind"] != "return":
            raise RuleViolation(f"receipt {cmd.return_id} is not a returned payment")
        if original["kind"] != "receipt":
            raise RuleViolation(f"{cmd.receipt_id} is a returned payment, not a receipt")
        r, o = _payment(ret), _payment(original)
        pairing = Pairing(
            ret["id"],
            original["id"],
            r.amount - o.amount,
            "manual",
            f"paired by {uow.actor.username}",
        )
        paired = _apply_pairing(uow, ret, original, pairing, how="manual")
        evaluate_commitments(uow, uow.today(), record=True)
        uow.commit()
        return paired


# -- applying one pairing -------------------------------------------------------------
def _apply_pairing(
    uow: UnitOfWork,
    ret: dict[str, Any],
    original: dict[str, Any],
    pairing: Pairing,
    *,
    how: str,
) -> PairedReturn:
    """Unapply the original, close both, post the fee, link them (caller commits)."""
    for row in (ret, original):
        if row["status"] == "returned" or uow.cash.return_pairing(row["id"]) is not None:
            raise RuleViolation(f"receipt {row['id']} is already paired with a return")
    cur = Currency.of(ret["currency"])
    r, o = _payment(ret), _payment(original)
    if r.currency != o.currency:
        raise RuleViolation(
            f"return {r.id} is in {r.currency}, receipt {o.id} in {o.currency}: not its original"
        )
    if r.amount < o.amount:
        raise RuleViolation(
            f"return {r.id} of {r.amount} {r.currency} is less than receipt {o.id} of "
            f"{o.amount}: partial returns are not supported; unapply the receipt by hand"
        )
    if o.value_date > r.value_date:
        raise RuleViolation(
            f"receipt {o.id} is valued {o.value_date}, after return {r.id} ({r.value_date})"
        )
    check_pairing(o, r, pairing.fee)
    unapply_entry = None
    apps = uow.cash.active_applications(original["id"])
    if apps:
        unapply_entry = unapply_applications(uow, original, apps, f"returned by return {ret['id']}")
    # all the original's cash is unapplied now; the return takes it back
    uow.cash.take_unapplied(original["id"], original["amount_minor"], cur.code)
    fee_minor = cur.to_minor(pairing.fee)
    fee_entry = None
    if fee_minor:
        fee = Money.from_minor(fee_minor, cur)
        (fee_entry,) = post_entries(
            uow,
            [
                JournalEntry(
                    posting_date(uow, ret["value_date"]),
                    f"Returned-item fee: return {ret['id']} of receipt {original['id']}",
                    (
                        JournalLine(
                            account(uow, SystemAccount.BANK_FEES),
                            fee,
                            customer_id=original["customer_id"],
                        ),
                        JournalLine(account(uow, SystemAccount.UNAPPLIED_CASH), -fee),
                    ),
                    source_type="receipt",
                    source_id=ret["id"],
                )
            ],
        )
    uow.cash.close_as_returned(original["id"])
    uow.cash.close_as_returned(ret["id"])
    proposal = {
        "rule": pairing.rule,
        "explanation": f"pairs with receipt {original['id']}: {pairing.reason}",
        "paired_with": original["id"],
        "suggestions": [],
    }
    uow.cash.set_match(
        ret["id"], how if how == "manual" else "auto", original["customer_id"], proposal
    )
    uow.cash.add_return_pairing(
        return_id=ret["id"],
        receipt_id=original["id"],
        currency=cur.code,
        returned_minor=original["amount_minor"],
        fee_minor=fee_minor,
        how=how,
        rule=(pairing.rule or how)[:20],
        explanation=pairing.reason,
        paired_on=uow.today(),
        paired_by=uow.actor.username,
        paired_at=uow.now(),
        unapply_entry_id=unapply_entry,
        fee_entry_id=fee_entry,
    )
    uow.audit(
        "receipt.return_paired",
        "receipt",
        original["id"],
        before={"status": original["status"], "applications": [a["id"] for a in apps]},
        after={
            "status": "returned",
            "return_id": ret["id"],
            "how": how,
            "rule": pairing.rule,
            "fee": str(Money.from_minor(fee_minor, cur)),
            "unapply_entry_id": unapply_entry,
            "fee_entry_id": fee_entry,
            "reason": pairing.reason,
        },
    )
    return PairedReturn(
        ret["id"], original["id"], Money.from_minor(fee_minor, cur), unapply_entry, fee_entry
    )


# -- reading ---------------------------------------------------------------------------
def list_return_pairings(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        uow.require(Permission.READ)
        return uow.cash.return_pairings()  # type: ignore[no-any-return]
