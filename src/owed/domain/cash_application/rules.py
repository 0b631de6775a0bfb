"""The rule chain, after Tryton's statement rules: ``match()`` then ``apply()``.

Each rule looks at the ``MatchState`` of one receipt and, when it applies,
extends it. The chain (``RULES``) runs in this order:

1. ``RemittanceRule``: structured remittance lines (X12 820 RMR, CAMT Strd,
   lockbox) name invoices with paid amounts, discounts and adjustments.
2. ``ReferenceRule``: invoice, RF and PO references in the free text.
3. ``CustomerRule``: settles the customer: the owner of the chosen items,
   checked against the payer evidence, or the payer evidence alone.
4. ``AmountRule`` (``amount.py``): one open invoice of the customer equal to
   the amount, or a unique bounded combination.
5. ``DifferenceRule`` (``differences.py``): discount, write-off, deduction,
   bank fee, overpayment.

Payer evidence (account, name) is computed on demand by the state, so rules 1
and 2 can use it to choose among same-numbered items of different customers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Protocol

from rapidfuzz.distance import OSA

from owed.domain.cash_application.amount import AmountRule
from owed.domain.cash_application.combinations import find_combinations
from owed.domain.cash_application.differences import DifferenceRule
from owed.domain.cash_application.model import Allocation, Proposal, ReferencePattern
from owed.domain.cash_application.references import (
    QuotedRef,
    core_of,
    extract_references,
    extract_rf_references,
    normalize_key,
)
from owed.domain.cash_application.resolution import (
    RF,
    STRUCTURED_BONUS,
    TYPO_LABELLED,
    Hit,
    best_per_item,
    embedded_hits_for,
    pattern_hits_for,
    resolve_ref,
    resolve_text,
    typo_hits,
    typo_hits_for,
)
from owed.domain.cash_application.state import MatchState
from owed.domain.money import Currency
from owed.domain.payments.statement import Method, RemittanceLine

_TRAILING_DIGITS = re.compile(r"\d{5,}$")  # a number at the end of a garbled reference
UNCONFIRMED_TYPO = 0.03  # a typo read without payer evidence (the amount must fit exactly)
AGREEING_PAYER = 0.80  # payer evidence at least this sure counts as agreeing or conflicting
CONFLICT_CAP = 0.75


class Rule(Protocol):
    name: str

    def match(self, state: MatchState) -> bool: ...

    def apply(self, state: MatchState) -> None: ...


def _payer_root(state: MatchState) -> int | None:
    payer = state.payer()
    if payer is None or payer.confidence < AGREEING_PAYER:
        return None
    return state.context.root(payer.customer_id)


def _plus(left: Decimal | None, right: Decimal | None) -> Decimal | None:
    if left is None or right is None:
        return right if left is None else left
    return left + right


def _root_of(state: MatchState, item_id: int) -> int:
    return state.context.root(state.context.index.items[item_id].customer_id)


def _numbers(state: MatchState, item_ids: list[int]) -> str:
    return ", ".join(state.context.index.items[i].number for i in item_ids)


class RemittanceRule:
    name = "remittance"

    def match(self, state: MatchState) -> bool:
        return bool(state.receipt.remittance) and not state.lines

    def _resolve(self, line: RemittanceLine, state: MatchState) -> Hit | None:
        index, currency = state.context.index, state.receipt.currency
        if line.kind in ("credit_note", "debit_note"):
            return None
        if line.kind == "rf_reference":
            return next((Hit(i, 0.98, line.reference) for i in index.by_rf(line.reference)), None)
        text = f"PO {line.reference}" if line.kind == "po" else f"INV {line.reference}"
        hits = list(best_per_item(resolve_text(text, index, currency)).values())
        root = _payer_root(state)
        if root is not None and len(hits) > 1:
            hits = [
                h for h in hits if state.context.root(index.items[h.item_id].customer_id) == root
            ]
        if root is not None and hits and all(_root_of(state, h.item_id) != root for h in hits):
            ours = self._typo_of_payer(line, text, root, state)
            if ours is not None:
                return ours
        if not hits:  # the exact digits behind a garbled prefix beat a one-character reading
            hits = self._garbled_prefix(line, state, root)
        if not hits and root is not None:
            hits = self._garbled_whole(line, state, root)
        if not hits:
            expected = {a for a in (line.paid, line.invoice_amount) if a is not None}
            among = None
            if root is not None:
                among = set(state.context.family(root))
            hits = [
                h
                for h in typo_hits(text, index, among, currency)
                if among is not None or index.remaining[h.item_id] in expected
            ]
        hits.sort(key=lambda h: -h.confidence)
        if len(hits) > 1 and hits[0].confidence == hits[1].confidence:
            return None
        return hits[0] if hits else None

    def _garbled_prefix(
        self, line: RemittanceLine, state: MatchState, root: int | None
    ) -> list[Hit]:
        """The invoice whose number is the digits a garbled reference ends with
        (``INVV152142``, ``I3V132809``: a typo in the prefix), when its balance equals the
        line's paid or invoice amount and it belongs to the payer's group (if known)."""
        index, currency = state.context.index, state.receipt.currency
        match = _TRAILING_DIGITS.search(normalize_key(line.reference))
        if match is None:
            return []
        expected = {a for a in (line.paid, line.invoice_amount) if a is not None}
        found = [
            i
            for i in index.by_core(core_of(match.group(0)))
            if index.items[i].currency == currency
            and index.remaining[i] in expected
            and (root is None or _root_of(state, i) == root)
        ]
        if len(found) != 1:
            return []
        return [Hit(found[0], TYPO_LABELLED, line.reference, typo=True)]

    def _garbled_whole(self, line: RemittanceLine, state: MatchState, root: int) -> list[Hit]:
        """The payer group's invoice whose balance equals the line's paid or invoice
        amount and whose whole number is one character from the reference: a slip
        across prefix and digits (``IN1V10137`` for INV110137) or in a number too short
        to read alone (``INV-00300`` for INV-100300). Only a unique fit counts."""
        index, currency = state.context.index, state.receipt.currency
        quoted = normalize_key(line.reference)
        expected = {a for a in (line.paid, line.invoice_amount) if a is not None}
        found = {
            i
            for c in state.context.family(root)
            for amount in expected
            for i in index.with_amount(c, amount)
            if index.items[i].currency == currency
            and OSA.distance(quoted, normalize_key(index.items[i].number), score_cutoff=1) == 1
        }
        if len(found) != 1:
            return []
        return [Hit(found.pop(), TYPO_LABELLED, line.reference, typo=True)]

    def _typo_of_payer(
        self, line: RemittanceLine, text: str, root: int, state: MatchState
    ) -> Hit | None:
        """The payer's own invoice one character from a number that names another
        customer's invoice, when the line's amounts confirm it (paid or invoice amount
        equal to its balance): a typo that happens to be a valid number is still a typo."""
        index, currency = state.context.index, state.receipt.currency
        expected = {a for a in (line.paid, line.invoice_amount) if a is not None}
        among = set(state.context.family(root))
        found = [
            h
            for h in typo_hits(text, index, among, currency)
            if index.remaining[h.item_id] in expected
        ]
        if len(found) != 1:
            return None
        state.note(
            f"remittance '{line.reference}' names another customer's invoice, "
            "but the amount fits the payer's own one character away"
        )
        return found[0]

    def apply(self, state: MatchState) -> None:
        unresolved: list[str] = []
        for line in state.receipt.remittance:
            hit = self._resolve(line, state)
            if hit is None:
                unresolved.append(line.reference)
                continue
            item = state.context.index.items[hit.item_id]
            available = state.available(item.id)
            if available <= 0:
                state.settled_refs.append(item.number)
                continue
            claims = (line.discount or Decimal(0)) + (line.adjustment or Decimal(0))
            cash = line.paid if line.paid is not None else available - claims
            confidence = min(0.99, hit.confidence + STRUCTURED_BONUS)
            chosen = state.allocate(item, cash, confidence, hit.quoted)
            chosen.discount = _plus(chosen.discount, line.discount)
            chosen.adjustment = _plus(chosen.adjustment, line.adjustment)
            chosen.reason_code = chosen.reason_code or line.reason_code
            chosen.reason_text = chosen.reason_text or line.reason_text
            if hit.typo:
                state.note(
                    f"remittance '{hit.quoted}' read as {item.number} (one character differs)"
                )
        if state.lines:
            state.rule = self.name
            state.note(
                f"remittance lines name {_numbers(state, [ln.item.id for ln in state.lines])}"
            )
            paid = [ln.cash for ln in state.lines]
            state.amount_fits = sum(paid, Decimal(0)) == state.receipt.amount
        if unresolved:
            state.cap(0.75, f"remittance reference(s) {', '.join(unresolved)} match no open item")


class ReferenceRule:
    name = "reference"

    def match(self, state: MatchState) -> bool:
        return not state.lines and bool(state.receipt.remittance_text.strip())

    def _hits(self, state: MatchState) -> list[Hit]:
        ctx, text, currency = state.context, state.receipt.remittance_text, state.receipt.currency
        index = ctx.index
        root = _payer_root(state)
        hits = [Hit(i, RF, rf) for rf in extract_rf_references(text) for i in index.by_rf(rf)]
        if root is None:
            exact = hits + [
                h for r in extract_references(text) for h in resolve_ref(r, index, currency)
            ]
            self._settled(state, exact)
            if exact:
                return [h for h in exact if state.available(h.item_id) > 0]
            typos = [
                Hit(h.item_id, h.confidence - UNCONFIRMED_TYPO, h.quoted, typo=True)
                for h in typo_hits(text, index, None, currency)
                if index.remaining[h.item_id] == state.pending
            ]
            for hit in typos:
                number = index.items[hit.item_id].number
                state.note(f"'{hit.quoted}' read as {number} (one character differs)")
            return typos
        group = ctx.family(root)
        patterns = tuple(p for c in group for p in state.knowledge.patterns.get(c, ()))
        among = set(group)
        hits = [h for h in hits if _root_of(state, h.item_id) == root]
        for ref in extract_references(text):
            hits += self._for_ref(state, ref, root, patterns, among)
        if hits:
            state.payer_agrees = True
        return [h for h in hits if state.available(h.item_id) > 0]

    def _for_ref(
        self,
        state: MatchState,
        ref: QuotedRef,
        root: int,
        patterns: tuple[ReferencePattern, ...],
        among: set[int],
    ) -> list[Hit]:
        """The payer group's items one quoted number names: exactly, by pattern, or by typo."""
        index, currency = state.context.index, state.receipt.currency
        exact = resolve_ref(ref, index, currency)
        if patterns:
            exact += pattern_hits_for(ref, patterns, index, set(state.context.family(root)))
        ours = [h for h in exact if _root_of(state, h.item_id) == root]
        self._settled(state, ours)
        if ours:
            return ours
        typos = typo_hits_for(ref, index, among, currency)
        if not typos and not exact and ref.po is False:
            for hit in embedded_hits_for(ref, index, among, currency):
                number = index.items[hit.item_id].number
                state.note(f"'{hit.quoted}' ends with the number of {number}")
                return [hit]
        if len(typos) > 1:
            state.note(f"'{ref.token}' is one character from several invoices: not used")
            return []
        for hit in typos:
            number = index.items[hit.item_id].number
            state.note(f"'{hit.quoted}' read as {number} (one character differs)")
        if exact and not typos:
            numbers = ", ".join(index.items[h.item_id].number for h in exact[:3])
            state.note(f"'{ref.token}' names {numbers} of another customer: ignored")
        return typos

    def _settled(self, state: MatchState, hits: list[Hit]) -> None:
        index = state.context.index
        for hit in hits:
            number = index.items[hit.item_id].number
            if state.available(hit.item_id) <= 0 and number not in state.settled_refs:
                state.settled_refs.append(number)

    def apply(self, state: MatchState) -> None:
        hits = best_per_item(self._hits(state))
        if not hits:
            return
        index = state.context.index
        groups: dict[int, list[Hit]] = {}
        for hit in hits.values():
            groups.setdefault(state.context.root(index.items[hit.item_id].customer_id), []).append(
                hit
            )
        if len(groups) > 1:
            fitting = [g for g in groups.values() if self._total(state, g) == state.pending]
            if len(fitting) != 1:
                self._ambiguous(state, list(groups.values()))
                return
            chosen = fitting[0]
        else:
            chosen = next(iter(groups.values()))
        if any(h.typo for h in chosen) and not self._plausible(state, chosen):
            chosen = [h for h in chosen if not h.typo]
            state.note(
                "readings not quoted exactly (a typo, a number inside a longer token) dropped: "
                "the amount does not confirm them"
            )
        if chosen:
            self._allocate(state, chosen)

    def _plausible(self, state: MatchState, hits: list[Hit]) -> bool:
        """True when the amount fits the items, exactly or after discounts, a fee or a write-off."""
        settings, index = state.settings, state.context.index
        total = self._total(state, hits)
        gap = total - state.pending
        if gap == 0 or (len(hits) > 1 and self._fitting_subset(state, hits) is not None):
            return True
        discounts = sum((index.items[h.item_id].discount_amount or 0 for h in hits), Decimal(0))
        small = settings.write_off_tolerance(total)
        if state.receipt.method is Method.WIRE:
            small = max(small, settings.bank_fee_max)
        return 0 <= gap - discounts <= small or 0 < gap <= small

    def _total(self, state: MatchState, hits: list[Hit]) -> Decimal:
        return sum((state.available(h.item_id) for h in hits), Decimal(0))

    def _ambiguous(self, state: MatchState, groups: list[list[Hit]]) -> None:
        state.ambiguous = True
        state.note("the quoted numbers name invoices of several unrelated customers")
        for group in groups:
            left, placed = state.pending, []
            for hit in group:
                cash = min(left, state.available(hit.item_id))
                if cash > 0:
                    placed.append(Allocation(hit.item_id, cash))
                    left -= cash
            allocations = tuple(placed)
            state.alternatives.append(
                Proposal(
                    customer_id=state.context.index.items[group[0].item_id].customer_id,
                    allocations=allocations,
                    adjustments=(),
                    confidence=min(h.confidence for h in group) - 0.3,
                    rule=self.name,
                    explanation=f"quoted {_numbers(state, [h.item_id for h in group])}",
                )
            )

    def _allocate(self, state: MatchState, hits: list[Hit]) -> None:
        index = state.context.index
        hits.sort(key=lambda h: (index.items[h.item_id].due_date, h.item_id))
        total = self._total(state, hits)
        chosen = hits
        state.rule = self.name
        numbers = _numbers(state, [h.item_id for h in hits])
        if total == state.pending:
            state.amount_fits = True
            state.note(f"{numbers} quoted; amount equals their open balance")
        elif total > state.pending and len(hits) > 1:
            subset = self._fitting_subset(state, hits)
            if subset is not None:
                chosen, state.amount_fits = subset, True
                state.penalise(
                    0.02,
                    f"{numbers} quoted; only {_numbers(state, [h.item_id for h in subset])} "
                    "add up to the amount",
                )
            else:
                state.note(f"{numbers} quoted; amount is less than their open balance {total}")
        else:
            state.note(f"{numbers} quoted; open balance {total}, amount {state.receipt.amount}")
        for hit in chosen:
            item = index.items[hit.item_id]
            state.allocate(item, state.available(item.id), hit.confidence, hit.quoted)

    def _fitting_subset(self, state: MatchState, hits: list[Hit]) -> list[Hit] | None:
        currency = Currency.of(state.receipt.currency)
        amounts = [currency.to_minor(state.available(h.item_id)) for h in hits]
        search = find_combinations(amounts, currency.to_minor(state.pending), len(hits))
        if len(search.solutions) != 1 or not search.complete:
            return None
        return [hits[p] for p in search.solutions[0]]


class CustomerRule:
    name = "customer"

    def match(self, state: MatchState) -> bool:
        return state.customer_id is None

    def apply(self, state: MatchState) -> None:
        ctx, payer = state.context, state.payer()
        if not state.lines:
            if payer is None:
                state.note("payer could not be identified (no known account, no matching name)")
                return
            state.customer_id, state.customer_confidence = payer.customer_id, payer.confidence
            state.note(payer.reason)
            return
        owners = sorted({ln.item.customer_id for ln in state.lines})
        roots = {ctx.root(o) for o in owners}
        if len(roots) > 1:
            state.cap(0.6, "the chosen invoices belong to unrelated customers")
        if len(owners) == 1:
            state.customer_id = owners[0]
        elif payer is not None and ctx.root(payer.customer_id) in roots:
            state.customer_id = payer.customer_id
        else:
            state.customer_id = ctx.root(owners[0])
        state.customer_confidence = state.confidence()
        if payer is None or payer.confidence < AGREEING_PAYER:
            return
        if ctx.root(payer.customer_id) in roots:
            state.payer_agrees = True
            state.note(payer.reason)
        else:
            owner = ctx.customer_name(state.customer_id)
            state.cap(CONFLICT_CAP, f"{payer.reason}, but the invoices belong to {owner}")


RULES: tuple[Rule, ...] = (
    RemittanceRule(),
    ReferenceRule(),
    CustomerRule(),
    AmountRule(),
    DifferenceRule(),
)
