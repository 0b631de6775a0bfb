"""Recognising a payment received twice.

Payers (and their banks) sometimes send the same payment twice: same amount,
same payer, same remittance, a few days apart. Neither receipt quotes anything
already settled when the first one went to review, so the balances alone do
not reveal the second. ``DuplicateGuard`` remembers every receipt a run has
seen (and any receipts the caller says were applied before) under a
fingerprint: currency, amount, payer account, payer name, free text and
structured remittance, each upper-cased with spaces normalized. A receipt
with another id, the same fingerprint and a value date within a few days of
an earlier one (``MatchSettings.duplicate_window_days``) is a likely
duplicate: the engine caps it below the automatic threshold and says which
receipt it repeats. A receipt is never a duplicate of itself, so matching the
same receipt twice (a preview, then the run) is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from owed.domain.cash_application.model import Receipt
from owed.domain.cash_application.references import normalize_key

Fingerprint = tuple[object, ...]


def fingerprint(receipt: Receipt) -> Fingerprint:
    """What two copies of one payment share, whatever their ids, dates and bank references."""
    lines = tuple(
        (normalize_key(line.reference), line.kind, line.paid, line.discount, line.adjustment)
        for line in receipt.remittance
    )
    return (
        receipt.currency,
        receipt.amount,
        normalize_key(receipt.payer_account or ""),  # as identification.normalize_account
        " ".join((receipt.payer_name or "").upper().split()),
        " ".join(receipt.remittance_text.upper().split()),
        lines,
    )


class DuplicateGuard:
    """Receipts seen so far, by fingerprint, with their value dates."""

    def __init__(self, earlier: Iterable[Receipt] = ()) -> None:
        self._seen: dict[Fingerprint, list[tuple[int, date]]] = {}
        for receipt in earlier:
            self.remember(receipt)

    def remember(self, receipt: Receipt) -> None:
        """Record ``receipt`` (once per id) so later copies of it are recognised."""
        self.check_and_remember(receipt, 0)

    def original_of(self, receipt: Receipt, window_days: int) -> int | None:
        """The id of a receipt seen before that this one repeats within ``window_days``."""
        return self._original(self._seen.get(fingerprint(receipt), []), receipt, window_days)

    def check_and_remember(self, receipt: Receipt, window_days: int) -> int | None:
        """``original_of`` and ``remember`` in one step (one fingerprint)."""
        key = fingerprint(receipt)
        seen = self._seen.get(key)
        if seen is None:  # the common case: nothing like it seen before
            self._seen[key] = [(receipt.id, receipt.value_date)]
            return None
        original = self._original(seen, receipt, window_days)
        if all(receipt_id != receipt.id for receipt_id, _ in seen):
            seen.append((receipt.id, receipt.value_date))
        return original

    @staticmethod
    def _original(seen: list[tuple[int, date]], receipt: Receipt, window_days: int) -> int | None:
        for receipt_id, when in seen:
            if receipt_id != receipt.id and abs((receipt.value_date - when).days) <= window_days:
                return receipt_id
        return None
