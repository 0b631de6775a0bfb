"""Messy bank activity for measuring cash application, with the answers.

``generate(profile, seed)`` builds customers (some with parents), open items
(``INV-`` numbers, some with PO numbers, RF references and 2 %/10 discount
terms) and receipts that pay some of them the way real payers do: structured
remittance, free text with noisy numbers (formats, OCR letters, one-character
typos, partial or wrong lists), or nothing; one payment for several invoices;
short pays with and without a reason; discounts taken in time and late; wire
fees; overpayments; parents paying for children; names abbreviated or cut to
the bank's field width; duplicate payments; payments that belong to no one.
The same seed gives the same scenario.

``truth`` says, per receipt, which customer and which allocations a careful
clerk would post (``None``: the receipt belongs to no one). Conventions the
truth follows where a payer's intent cannot be known: without structured
remittance, a shortfall over several invoices sits on the newest one, and a
wire fee is taken from the newest invoice. A customer billed the same amount
every time (``recurring_share``) pays those invoices in the order they fall
due, never dating a payment before its previous one (``recurring_in_order``;
False: in any order, as the generator did before 2026-12-03). A duplicate payment expects no
allocation. ``knowledge`` holds the payer accounts the firm already knows
(``Profile.known_account_share`` of customers), as a running system would.

``evaluate(scenario, decisions)`` measures what matters (see ``Metrics``).
Probabilities in ``Profile`` are floats: shares, not money.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from owed.domain.cash_application.model import (
    CustomerInfo,
    Decision,
    Knowledge,
    OpenItem,
    Receipt,
)
from owed.simulation._generation import Builder


@dataclass(frozen=True)
class Profile:
    """Sizes and the shares of each kind of mess (probabilities 0–1)."""

    customers: int = 2_000
    open_items: int = 10_000
    receipts: int = 2_000
    currency: str = "USD"
    start: date = date(2024, 1, 1)
    child_share: float = 0.10  # customers that have a parent
    recurring_share: float = 0.10  # customers billed the same amount every time
    recurring_in_order: bool = True  # they pay those invoices oldest first (False: any order)
    pattern_share: float = 0.02  # customers quoting "V<vendor no><digits>"
    known_account_share: float = 0.70  # payer accounts the firm already knows
    discount_terms_share: float = 0.25  # items with 2 %/10 days terms
    po_share: float = 0.40
    rf_share: float = 0.10
    structured_share: float = 0.35  # receipts with structured remittance
    text_share: float = 0.50  # receipts with free-text references (rest: nothing)
    partial_share: float = 0.10  # multi-invoice texts that omit one invoice
    wrong_share: float = 0.03  # texts quoting a wrong number
    typo_share: float = 0.05  # quoted numbers with a one-character typo
    multi_share: float = 0.22  # receipts paying 2–5 invoices
    short_share: float = 0.05
    short_reason_share: float = 0.5  # of short pays: reason given
    discount_share: float = 0.5  # of receipts for discount-term items: discount taken
    late_discount_share: float = 0.15  # of discounts taken: too late
    wire_share: float = 0.15
    wire_fee_share: float = 0.4  # of wires: a fee deducted
    overpay_share: float = 0.01
    parent_pays_share: float = 0.5  # of children's receipts: paid by the parent
    name_abbreviated_share: float = 0.30
    name_truncated_share: float = 0.30
    name_missing_share: float = 0.03
    duplicate_share: float = 0.01
    unowned_share: float = 0.015


@dataclass(frozen=True)
class Expected:
    """What a careful clerk would post for one receipt."""

    customer_id: int
    allocations: Mapping[int, Decimal]
    kind: str  # the generator's story for this receipt ("text", "duplicate", ...)


@dataclass(frozen=True)
class Scenario:
    customers: tuple[CustomerInfo, ...]
    open_items: tuple[OpenItem, ...]
    receipts: tuple[Receipt, ...]
    truth: Mapping[int, Expected | None]
    knowledge: Knowledge = field(default_factory=Knowledge)


def generate(profile: Profile | None = None, seed: int = 0) -> Scenario:
    """A deterministic scenario for ``profile`` (default: realistic mess)."""
    builder = Builder(profile or Profile(), random.Random(seed))
    builder.customers_and_items()
    builder.receipts()
    return Scenario(
        customers=tuple(builder.customer_list),
        open_items=tuple(builder.items.values()),
        receipts=tuple(builder.receipt_list),
        truth=MappingProxyType(
            {
                rid: None if t is None else Expected(t[0], MappingProxyType(t[1]), t[2])
                for rid, t in builder.truth.items()
            }
        ),
        knowledge=builder.knowledge(),
    )


@dataclass(frozen=True)
class Metrics:
    """Cash application quality on a scenario; every share states its denominator."""

    receipts: int
    auto_applied: int
    auto_share: float  # auto-applied ÷ all receipts
    auto_value_share: float  # auto-applied amount ÷ all receipt amounts
    applicable: int  # receipts a clerk would apply (not unowned, not duplicates)
    auto_share_applicable: float  # auto-applied applicable ÷ applicable
    precision: float  # auto-applied with allocations exactly as truth ÷ auto-applied
    account_precision: float  # auto-applied to the right customer ÷ auto-applied
    invoice_hit_rate: float  # truth (receipt, item) pairs found by auto decisions ÷ all pairs
    unowned: int
    unowned_auto_applied: int  # must be 0
    duplicates: int
    duplicates_auto_applied: int
    suggestion_top_hit: float  # not auto, applicable: first suggestion equals truth ÷ those
    wrong: tuple[int, ...] = ()  # receipt ids auto-applied differently from the truth

    def lines(self) -> list[str]:
        return [
            f"receipts                 {self.receipts}",
            f"auto-applied (count)     {self.auto_applied} = {self.auto_share:.2%} of all receipts",
            f"auto-applied (value)     {self.auto_value_share:.2%} of all receipt value",
            f"auto-applied applicable  {self.auto_share_applicable:.2%} of {self.applicable}"
            " receipts a clerk would apply",
            f"precision (invoice lvl)  {self.precision:.3%} of auto-applied",
            f"precision (account lvl)  {self.account_precision:.3%} of auto-applied",
            f"invoice-level hit rate   {self.invoice_hit_rate:.2%} of true (receipt, item) pairs",
            f"unowned auto-applied     {self.unowned_auto_applied} of {self.unowned}",
            f"duplicates auto-applied  {self.duplicates_auto_applied} of {self.duplicates}",
            f"first suggestion right   {self.suggestion_top_hit:.2%} of applicable not auto",
        ]


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _allocations(decision: Decision) -> dict[int, Decimal]:
    result: dict[int, Decimal] = {}
    for allocation in decision.allocations:
        result[allocation.item_id] = result.get(allocation.item_id, Decimal(0)) + allocation.amount
    return result


def evaluate(scenario: Scenario, decisions: Sequence[Decision]) -> Metrics:
    """Compare decisions with the scenario's truth."""
    amounts = {r.id: r.amount for r in scenario.receipts}
    auto = [d for d in decisions if d.auto]
    wrong = []
    right_customer = pairs = pairs_hit = top_hits = manual_applicable = 0
    for decision in decisions:
        expected = scenario.truth.get(decision.receipt_id)
        if expected is not None and expected.kind != "duplicate":
            pairs += len(expected.allocations)
            if decision.auto:
                got = _allocations(decision)
                pairs_hit += sum(1 for i, a in expected.allocations.items() if got.get(i) == a)
            else:
                manual_applicable += 1
                first = decision.suggestions[0] if decision.suggestions else None
                if first is not None:
                    got = {a.item_id: a.amount for a in first.allocations}
                    top_hits += got == dict(expected.allocations)
        if not decision.auto:
            continue
        if expected is None or _allocations(decision) != dict(expected.allocations):
            wrong.append(decision.receipt_id)
        if expected is not None and expected.customer_id == decision.customer_id:
            right_customer += 1
    unowned = [rid for rid, t in scenario.truth.items() if t is None]
    duplicates = {
        rid for rid, t in scenario.truth.items() if t is not None and t.kind == "duplicate"
    }
    applicable = len(scenario.receipts) - len(unowned) - len(duplicates)
    auto_ids = {d.receipt_id for d in auto}
    auto_value = sum((amounts[d.receipt_id] for d in auto), Decimal(0))
    total_value = sum(amounts.values(), Decimal(0))
    value_share_ratio = float(auto_value / total_value) if total_value else 0.0
    auto_applicable = len(auto_ids - set(unowned) - duplicates)
    return Metrics(
        receipts=len(scenario.receipts),
        auto_applied=len(auto),
        auto_share=_ratio(len(auto), len(scenario.receipts)),
        auto_value_share=value_share_ratio,
        applicable=applicable,
        auto_share_applicable=_ratio(auto_applicable, applicable),
        precision=_ratio(len(auto) - len(wrong), len(auto)),
        account_precision=_ratio(right_customer, len(auto)),
        invoice_hit_rate=_ratio(pairs_hit, pairs),
        unowned=len(unowned),
        unowned_auto_applied=len(auto_ids.intersection(unowned)),
        duplicates=len(duplicates),
        duplicates_auto_applied=len(auto_ids & duplicates),
        suggestion_top_hit=_ratio(top_hits, manual_applicable),
        wrong=tuple(wrong),
    )


def breakdown(scenario: Scenario, decisions: Sequence[Decision]) -> dict[str, tuple[int, int, int]]:
    """Per story tag ("no reference", "multi", "duplicate", "unowned", ...): how many
    receipts carry it, how many were applied automatically, how many of those wrongly.

    A receipt counts under every tag of its story, so the rows overlap.
    """
    rows: dict[str, list[int]] = {}
    for decision in decisions:
        expected = scenario.truth.get(decision.receipt_id)
        tags = {"unowned"} if expected is None else set(expected.kind.split(","))
        wrong = decision.auto and (
            expected is None or _allocations(decision) != dict(expected.allocations)
        )
        for tag in tags:
            row = rows.setdefault(tag, [0, 0, 0])
            row[0] += 1
            row[1] += decision.auto
            row[2] += wrong
    return {tag: (row[0], row[1], row[2]) for tag, row in sorted(rows.items())}


__all__ = ["Expected", "Metrics", "Profile", "Scenario", "breakdown", "evaluate", "generate"]
