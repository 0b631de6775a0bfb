"""The working state of one receipt as it passes along the rule chain.

Following Tryton's statement rules, every rule sees the receipt and what the
earlier rules decided: the lines chosen so far (item, cash, how it was found,
how sure), the adjustments, and the running ``pending`` amount (cash not yet
placed). A rule's ``match`` reads the state; its ``apply`` extends it. The
state belongs to one receipt and is discarded afterwards; the shared
``MatchContext`` is only read.

Confidence is kept as evidence: each line has the confidence of how its item
was found, ``penalties`` subtract for every difference explained (a discount,
a write-off), and ``caps`` set ceilings with the reason (a conflicting payer,
a possible duplicate). ``confidence()`` combines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from owed.domain.cash_application.identification import PayerGuess, identify_payer
from owed.domain.cash_application.index import MatchContext
from owed.domain.cash_application.model import (
    Adjustment,
    AdjustmentKind,
    Allocation,
    Knowledge,
    MatchSettings,
    OpenItem,
    Proposal,
    Receipt,
)


@dataclass(slots=True)
class Line:
    """One item chosen for the receipt, with what the remittance claimed for it."""

    item: OpenItem
    cash: Decimal
    confidence: float  # how surely the item was identified, 0–1
    quoted: str  # how the payer referred to it, for the explanation
    discount: Decimal | None = None
    adjustment: Decimal | None = None
    reason_code: str | None = None
    reason_text: str | None = None


_UNSET = PayerGuess(customer_id=-1, confidence=0.0, reason="")
_ZERO = Decimal(0)


@dataclass(slots=True)
class MatchState:
    receipt: Receipt
    context: MatchContext
    knowledge: Knowledge
    settings: MatchSettings
    pending: Decimal
    lines: list[Line] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    penalties: list[float] = field(default_factory=list)
    caps: list[float] = field(default_factory=list)
    alternatives: list[Proposal] = field(default_factory=list)
    customer_id: int | None = None
    customer_confidence: float = 0.0
    rule: str = "none"
    ambiguous: bool = False
    amount_fits: bool = False  # the amount confirms the chosen items (exactly, or by a policy)
    payer_agrees: bool = False  # the payer evidence points to the items' corporate group
    settled_refs: list[str] = field(default_factory=list)  # quoted items already closed
    _payer: PayerGuess | None = _UNSET

    @classmethod
    def start(
        cls, receipt: Receipt, context: MatchContext, knowledge: Knowledge, settings: MatchSettings
    ) -> MatchState:
        return cls(receipt, context, knowledge, settings, pending=receipt.amount)

    # -- evidence ---------------------------------------------------------
    def payer(self) -> PayerGuess | None:
        """Who the payer account or name points to (computed once, on demand)."""
        if self._payer is _UNSET:
            self._payer = identify_payer(self.receipt, self.context, self.knowledge, self.settings)
        return self._payer

    def note(self, text: str) -> None:
        self.notes.append(text)

    def cap(self, ceiling: float, why: str) -> None:
        self.caps.append(ceiling)
        self.notes.append(why)

    def penalise(self, amount: float, why: str) -> None:
        self.penalties.append(amount)
        self.notes.append(why)

    def confidence(self) -> float:
        lines = self.lines
        if not lines:
            if not self.adjustments:
                return 0.0
            base = self.customer_confidence
        else:
            base = lines[0].confidence
            for line in lines:
                if line.confidence < base:
                    base = line.confidence
        score = base - sum(self.penalties)
        for ceiling in self.caps:
            if ceiling < score:
                score = ceiling
        # rounded so that 0.95 - 0.05 is 0.90, not 0.8999999999999999 (below the threshold)
        return round(max(0.0, min(1.0, score)), 6)

    # -- balances ---------------------------------------------------------
    def available(self, item_id: int) -> Decimal:
        """The item's balance less what this receipt already closes on it."""
        used = _ZERO
        for ln in self.lines:
            if ln.item.id == item_id:
                used += ln.cash
        for adjustment in self.adjustments:
            if adjustment.item_id == item_id:
                used += adjustment.amount
        return self.context.index.remaining[item_id] - used

    def line_for(self, item_id: int) -> Line | None:
        for ln in self.lines:
            if ln.item.id == item_id:
                return ln
        return None

    def allocate(self, item: OpenItem, cash: Decimal, confidence: float, quoted: str) -> Line:
        """Place ``cash`` (at most the pending amount and the item's balance) on ``item``."""
        cash = max(Decimal(0), min(cash, self.pending, self.available(item.id)))
        self.pending -= cash
        line = self.line_for(item.id)
        if line is not None:  # quoted twice: one line, the lower confidence
            line.cash += cash
            line.confidence = min(line.confidence, confidence)
            return line
        line = Line(item, cash, confidence, quoted)
        self.lines.append(line)
        return line

    def adjust(
        self,
        kind: AdjustmentKind,
        amount: Decimal,
        item: OpenItem | None,
        note: str,
        reason_code: str | None = None,
    ) -> None:
        if amount <= 0:
            return
        if kind.is_cash:
            self.pending -= amount
        self.adjustments.append(
            Adjustment(kind, amount, item.id if item else None, reason_code, note)
        )

    # -- results ----------------------------------------------------------
    def allocations(self) -> tuple[Allocation, ...]:
        """The cash placed, one allocation per item, in the order the items were chosen."""
        merged: dict[int, Decimal] = {}
        for line in self.lines:
            if line.cash > 0:
                item_id = line.item.id
                merged[item_id] = merged.get(item_id, _ZERO) + line.cash
        return tuple([Allocation(i, a) for i, a in merged.items()])

    def proposal(self) -> Proposal:
        return Proposal(
            customer_id=self.customer_id,
            allocations=self.allocations(),
            adjustments=tuple(self.adjustments),
            confidence=self.confidence(),
            rule=self.rule,
            explanation="; ".join(self.notes),
        )
