"""The collector's worklist: an explainable score per account, and a ranking.

The score is a weighted sum of seven factors, each first scaled to 0..1, so
the score runs from 0 to the sum of the weights (100 by default) and every
point can be traced to a factor. ``Score.reasons`` lists the factors that
contributed, largest first, as phrases a collector reads at a glance.

========================  ======  ==============================================
factor                    weight  scaled value (0..1)
========================  ======  ==============================================
amount past due               35  log10(1 + amount) / log10(1 + amount_cap)
days past due                 20  amount-weighted average days past due / 120
risk class                    10  low 0, medium 0.5, high 1 (unknown: medium)
broken promises               10  broken promises (recent, as given) / 2
open disputes                  5  open disputes / 3
days since last contact       10  days / 30 (never contacted: 1)
next action date due          10  1 when the next action date is today or past
========================  ======  ==============================================

Every scaled value is capped at 1. The amount is on a log scale so that one
huge account does not drown every other signal; the cap (100,000 by default)
is in the account's currency, so a service ranking several currencies passes
amounts converted to one. All arithmetic is ``Decimal``; the score is rounded
to one decimal only for display (``Score.display``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from owed.domain.errors import InvalidInput
from owed.domain.money import Money

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


@dataclass(frozen=True)
class PastDueItem:
    amount: Decimal
    days_past_due: int


@dataclass(frozen=True)
class AccountSnapshot:
    customer_id: str
    currency: str
    past_due_items: tuple[PastDueItem, ...] = ()
    risk_class: str | None = None  # "low" | "medium" | "high"
    broken_promises: int = 0
    last_broken_promise: date | None = None
    open_disputes: int = 0
    last_contact: date | None = None
    next_action: date | None = None

    @property
    def past_due(self) -> Money:
        return Money(sum((i.amount for i in self.past_due_items), Decimal(0)), self.currency)


@dataclass(frozen=True)
class ScoreWeights:
    amount: Decimal = Decimal(35)
    days: Decimal = Decimal(20)
    risk: Decimal = Decimal(10)
    broken_promises: Decimal = Decimal(10)
    disputes: Decimal = Decimal(5)
    contact: Decimal = Decimal(10)
    next_action: Decimal = Decimal(10)
    amount_cap: Decimal = Decimal(100_000)
    days_cap: int = 120
    promises_cap: int = 2
    disputes_cap: int = 3
    contact_cap_days: int = 30
    risk_values: Mapping[str, Decimal] = field(
        default_factory=lambda: {"low": Decimal(0), "medium": Decimal("0.5"), "high": Decimal(1)}
    )


@dataclass(frozen=True)
class Reason:
    factor: str
    points: Decimal
    phrase: str


@dataclass(frozen=True)
class Score:
    value: Decimal
    reasons: list[Reason]

    @property
    def display(self) -> Decimal:
        return self.value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def summary(self, top: int = 3) -> str:
        return "; ".join(r.phrase for r in self.reasons[:top])


@dataclass(frozen=True)
class RankedAccount:
    account: AccountSnapshot
    score: Score

    @property
    def summary(self) -> str:
        return self.score.summary()


def _ratio(numerator: Decimal, cap: Decimal) -> Decimal:
    if cap <= 0:
        raise InvalidInput(f"a worklist cap must be positive, got {cap}")
    return min(Decimal(1), max(Decimal(0), numerator / cap))


def _money_phrase(money: Money) -> str:
    whole = money.amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    symbol = _SYMBOLS.get(money.currency.code)
    return f"{symbol}{whole:,}" if symbol else f"{whole:,} {money.currency.code}"


def weighted_days_past_due(items: Iterable[PastDueItem]) -> Decimal:
    """Average days past due, weighted by amount (0 when nothing is past due)."""
    items = [i for i in items if i.amount > 0]
    amount = sum((i.amount for i in items), Decimal(0))
    if amount == 0:
        return Decimal(0)
    return sum((i.amount * i.days_past_due for i in items), Decimal(0)) / amount


def score_account(
    account: AccountSnapshot, today: date, weights: ScoreWeights | None = None
) -> Score:
    """Score one account; see the module docstring for the factors."""
    w = weights or ScoreWeights()
    parts = [
        *_past_due_parts(account, w),
        _risk_part(account, w),
        *_promise_and_dispute_parts(account, w),
        *_contact_parts(account, today, w),
    ]
    reasons = sorted((r for r in parts if r.points > 0), key=lambda r: r.points, reverse=True)
    return Score(sum((r.points for r in reasons), Decimal(0)), reasons)


def _past_due_parts(account: AccountSnapshot, w: ScoreWeights) -> list[Reason]:
    past_due = account.past_due
    if past_due.amount <= 0:
        return []
    log_amount = (Decimal(1) + past_due.amount).log10()
    scaled = min(Decimal(1), log_amount / (Decimal(1) + w.amount_cap).log10())
    oldest = max(i.days_past_due for i in account.past_due_items if i.amount > 0)
    average = weighted_days_past_due(account.past_due_items)
    shown = average.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return [
        Reason(
            "amount",
            w.amount * scaled,
            f"{_money_phrase(past_due)} past due, oldest {oldest} days",
        ),
        Reason(
            "days",
            w.days * _ratio(average, Decimal(w.days_cap)),
            f"{shown} days past due on average",
        ),
    ]


def _risk_part(account: AccountSnapshot, w: ScoreWeights) -> Reason:
    # An unknown or missing class scores as medium: one odd master-data value must
    # not stop a collector's whole worklist (the data-quality report flags it).
    key = (account.risk_class or "").lower()
    risk = w.risk_values.get(key)
    if risk is None:
        return Reason("risk", w.risk * w.risk_values["medium"], "unknown risk")
    return Reason("risk", w.risk * risk, f"{key} risk")


def _promise_and_dispute_parts(account: AccountSnapshot, w: ScoreWeights) -> list[Reason]:
    parts = []
    if account.broken_promises > 0:
        when = account.last_broken_promise
        if account.broken_promises == 1:
            phrase = f"promise broken {when.isoformat()}" if when else "promise broken"
        else:
            phrase = f"{account.broken_promises} promises broken"
            phrase += f", last {when.isoformat()}" if when else ""
        scaled = _ratio(Decimal(account.broken_promises), Decimal(w.promises_cap))
        parts.append(Reason("broken_promises", w.broken_promises * scaled, phrase))
    if account.open_disputes > 0:
        scaled = _ratio(Decimal(account.open_disputes), Decimal(w.disputes_cap))
        phrase = f"{account.open_disputes} open dispute(s)"
        parts.append(Reason("disputes", w.disputes * scaled, phrase))
    return parts


def _contact_parts(account: AccountSnapshot, today: date, w: ScoreWeights) -> list[Reason]:
    parts = []
    if account.last_contact is None:
        parts.append(Reason("contact", w.contact, "never contacted"))
    else:
        since = (today - account.last_contact).days
        scaled = _ratio(Decimal(since), Decimal(w.contact_cap_days))
        parts.append(Reason("contact", w.contact * scaled, f"last contact {since} days ago"))
    if account.next_action is not None and account.next_action <= today:
        phrase = f"next action due {account.next_action.isoformat()}"
        parts.append(Reason("next_action", w.next_action, phrase))
    return parts


def rank(
    accounts: Iterable[AccountSnapshot], today: date, weights: ScoreWeights | None = None
) -> list[RankedAccount]:
    """Highest score first; ties by larger amount past due, then customer id."""
    ranked = [RankedAccount(a, score_account(a, today, weights)) for a in accounts]
    ranked.sort(key=lambda r: (-r.score.value, -r.account.past_due.amount, r.account.customer_id))
    return ranked
