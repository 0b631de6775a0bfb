"""Dunning selection: which customers get which reminder today, and why the others do not.

A ``DunningPolicy`` is data: ordered ``DunningLevel``s, each with a threshold
in days relative to the due date (negative = a friendly reminder before due),
a minimum amount, a channel, a template and the actions it triggers (credit
hold, agency, legal). ``select`` is a pure function of the customers' states,
the policies and today's date. It returns the notices to send and, for
everything not sent, an ``Exclusion`` with its reason, so a preview can answer
"why did this customer not get a reminder?".

The rules, in the order they are applied:

1. **Once a day.** A customer whose last run is today (or later) gets nothing.
2. **Blocked** customers get nothing. A customer whose segment has no policy
   (and no default policy with ``segment=None`` exists) gets nothing.
3. Per item, never dunned:

   * nothing open (zero or negative open amount);
   * the **disputed** amount. An item disputed in full is excluded; of a partly
     disputed item only the undisputed rest is dunned (and the notice says so);
   * an item under a **pending promise to pay** or a **current payment plan**
     (a broken promise or plan no longer protects the item; a kept promise
     has been honoured, so what is still open is dunned normally).

4. **One level at a time.** An item's next level is the first level numbered
   above the last level sent for it; while the message of its last level is
   still queued or failed (``undelivered``), the item waits for that message
   to go out (it is retried, never replaced); a level is never repeated and never
   skipped, and after the last level the item is not dunned again. The one
   exception is deliberate: a pre-due level (negative threshold) is passed
   over once the item is past due, so an overdue item never receives a
   "your invoice falls due soon" text.
5. **Thresholds and spacing.** The next level is due when the item is at least
   ``days_after_due`` days past its due date. When the previous level was sent
   late, the gap between the two thresholds is kept: level N+1 is not sent
   earlier than ``last_sent_on + (days(N+1) - days(N))``.
6. **Covered by cash.** Per currency, when the customer's unapplied cash plus
   open credits cover the whole overdue dunnable amount (items past due,
   undisputed, not protected), the overdue items in that currency are not
   dunned: the money is there and needs applying, not chasing. What is left
   over covers pre-due reminders the same way. Partial cover excludes nothing
   (nobody can tell which invoice the cash was meant for); the notice carries
   the unapplied amounts so the letter can mention them.
7. **Minimum amount.** Per level and currency, the customer's total of the
   items that would move to that level must reach the level's ``min_amount``;
   otherwise those items wait (they are reconsidered at the next run).
8. **One consolidated notice** per customer lists every item that advances,
   each with its own new level; the notice takes the channel and template of
   the highest of those levels, and the union of their actions.

The policies and their levels are in ``dunning_policy``; the values ``select``
reads and returns (``CustomerDunningState``, ``DunningItem``, ``DunningRun``,
``DunningNotice``, ``Exclusion``) in ``dunning_run``. This module holds
``select`` and its rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from owed.domain.collections.dunning_policy import (
    DunningLevel,
    DunningPolicy,
    PolicyLevels,
    policies_by_segment,
)
from owed.domain.collections.dunning_run import (
    CustomerDunningState,
    DunningItem,
    DunningNotice,
    DunningRun,
    Exclusion,
    ExclusionReason,
    NoticeItem,
)
from owed.domain.collections.promises import PlanStatus, PromiseStatus
from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money, to_decimal


class _Candidate(NamedTuple):
    item: DunningItem
    currency: Currency
    level: DunningLevel
    dunnable: Decimal
    days_overdue: int


def select(
    customers: Iterable[CustomerDunningState],
    policies: Sequence[DunningPolicy],
    today: date,
) -> DunningRun:
    """Choose today's notices; every item not dunned comes back as an ``Exclusion``."""
    by_segment = {
        segment: PolicyLevels(policy) for segment, policy in policies_by_segment(policies).items()
    }
    notices: list[DunningNotice] = []
    exclusions: list[Exclusion] = []
    for customer in customers:
        notice, excluded = _select_customer(customer, by_segment, today)
        exclusions.extend(excluded)
        if notice is not None:
            notices.append(notice)
    return DunningRun(today, tuple(notices), tuple(exclusions))


_ZERO = Decimal(0)


def _amount(value: Decimal) -> Decimal:
    """``value`` checked as ``Money`` checks it; a finite ``Decimal`` takes the fast path."""
    if type(value) is Decimal and value.is_finite():
        return value
    return to_decimal(value)


def _select_customer(
    customer: CustomerDunningState,
    by_segment: Mapping[str | None, PolicyLevels],
    today: date,
) -> tuple[DunningNotice | None, list[Exclusion]]:
    cid = customer.customer_id
    if customer.last_run is not None and customer.last_run >= today:
        detail = f"last run {customer.last_run.isoformat()}"
        return None, [Exclusion(cid, None, ExclusionReason.ALREADY_RUN_TODAY, detail)]
    if customer.blocked:
        return None, [Exclusion(cid, None, ExclusionReason.BLOCKED, "dunning blocked")]
    levels = by_segment.get(customer.segment) or by_segment.get(None)
    if levels is None:
        detail = f"no dunning policy for segment {customer.segment!r} and no default"
        return None, [Exclusion(cid, None, ExclusionReason.NO_POLICY, detail)]
    exclusions: list[Exclusion] = []
    candidates, overdue, one_currency = _consider_items(customer, levels, today, exclusions)
    candidates = _drop_covered(customer, candidates, overdue, one_currency, exclusions)
    if levels.has_minimum:  # without a minimum no sum (always positive) falls short
        candidates = _drop_below_minimum(cid, candidates, exclusions)
    if not candidates:
        return None, exclusions
    for c in candidates:
        if c.item.disputed_amount > 0:
            detail = f"disputed {c.item.disputed_amount} {c.item.currency} left out of the notice"
            exclusions.append(
                Exclusion(cid, c.item.document, ExclusionReason.PARTLY_DISPUTED, detail)
            )
    return _notice(customer, levels.policy, candidates), exclusions


def _consider_items(
    customer: CustomerDunningState, levels: PolicyLevels, today: date, exclusions: list[Exclusion]
) -> tuple[list[_Candidate], dict[str, Decimal], bool]:
    """Check every item, and either make it a candidate (its dunnable amount and next
    level) or exclude it with the reason.

    Returns the candidates, the overdue dunnable amount per currency code (which
    also counts the items that are dunnable but not due for a level yet: their
    amount is overdue when the cover by unapplied cash is judged), and whether
    all the items are in one currency. The items are checked as they come (a
    duplicate, a float or non-finite amount, an unknown currency, a negative
    disputed amount), then the unapplied cash and credits; one pass, because a
    large run sees a million items.
    """
    cid = customer.customer_id
    currencies: dict[str, Currency] = {}
    seen: set[str] = set()
    candidates: list[_Candidate] = []
    overdue: dict[str, Decimal] = {}
    next_level, by_number = levels.next_level, levels.by_number
    pending, current = PromiseStatus.PENDING, PlanStatus.CURRENT
    for item in customer.items:
        document = item.document
        if document in seen:
            raise InvalidInput(
                f"customer {cid}: item {document} is listed twice", document=document
            )
        seen.add(document)
        opened, disputed = item.open_amount, item.disputed_amount
        if type(opened) is not Decimal or not opened.is_finite():
            _amount(opened)  # refuses floats and non-finite amounts
        currency = currencies.get(item.currency)
        if currency is None:
            currency = currencies[item.currency] = Currency.of(item.currency)  # refuses unknowns
        checked = disputed
        if type(checked) is not Decimal or not checked.is_finite():
            checked = _amount(checked)
        if checked < 0:
            raise InvalidInput(
                f"customer {cid}: item {document} has a negative disputed amount {disputed}",
                document=document,
            )

        if opened <= 0:
            detail = f"open amount {opened}"
            exclusions.append(Exclusion(cid, document, ExclusionReason.NOTHING_OPEN, detail))
            continue
        dunnable = opened - min(disputed, opened)
        if dunnable <= 0:
            detail = f"disputed {disputed} in full"
            exclusions.append(Exclusion(cid, document, ExclusionReason.DISPUTED, detail))
            continue
        if item.promise is pending:
            detail = "a promise to pay is pending"
            exclusions.append(Exclusion(cid, document, ExclusionReason.PROMISE_TO_PAY, detail))
            continue
        if item.plan is current:
            detail = "under a payment plan kept so far"
            exclusions.append(Exclusion(cid, document, ExclusionReason.PAYMENT_PLAN, detail))
            continue
        days_overdue = (today - item.due_date).days
        if days_overdue > 0:
            code = currency.code
            overdue[code] = overdue.get(code, _ZERO) + dunnable
        why = _why_not_due(cid, item, days_overdue, today, next_level, by_number)
        if isinstance(why, Exclusion):
            exclusions.append(why)
        else:
            candidates.append(_Candidate(item, currency, why, dunnable, days_overdue))
    for money in (*customer.unapplied_cash, *customer.credits):
        if money.amount < 0:
            raise InvalidInput(
                f"customer {cid}: unapplied cash and credits are given as "
                f"positive amounts, got {money}"
            )
    return candidates, overdue, len(currencies) == 1


def _why_not_due(
    cid: str,
    item: DunningItem,
    days_overdue: int,
    today: date,
    next_level: Callable[[int, bool], DunningLevel | None],
    by_number: Mapping[int, DunningLevel],
) -> DunningLevel | Exclusion:
    """The level a dunnable item moves to today, or the exclusion saying why it does not."""
    document = item.document
    if item.undelivered:
        detail = f"level {item.last_level} is queued or failed: it is retried, not replaced"
        return Exclusion(cid, document, ExclusionReason.AWAITING_DELIVERY, detail)
    level = next_level(item.last_level, days_overdue > 0)
    if level is None:
        detail = f"level {item.last_level} was the last one to send"
        return Exclusion(cid, document, ExclusionReason.LAST_LEVEL_SENT, detail)
    if days_overdue < level.days_after_due:
        on = item.due_date + timedelta(days=level.days_after_due)
        detail = f"level {level.number} ({level.name}) from {on.isoformat()}"
        return Exclusion(cid, document, ExclusionReason.NOT_DUE_FOR_LEVEL, detail)
    previous = by_number.get(item.last_level) if item.last_level else None  # levels start at 1
    if previous is not None and item.last_sent_on is not None:
        gap = level.days_after_due - previous.days_after_due
        earliest = item.last_sent_on + timedelta(days=gap)
        if today < earliest:
            detail = (
                f"level {previous.number} sent {item.last_sent_on.isoformat()}; "
                f"level {level.number} not before {earliest.isoformat()}"
            )
            return Exclusion(cid, document, ExclusionReason.TOO_SOON, detail)
    return level


def _drop_covered(
    customer: CustomerDunningState,
    candidates: list[_Candidate],
    overdue: Mapping[str, Decimal],
    one_currency: bool,
    exclusions: list[Exclusion],
) -> list[_Candidate]:
    """Drop the items covered by unapplied cash and credits; the rest by currency code."""
    if not candidates:
        return candidates
    available: dict[str, Decimal] = {}
    for money in (*customer.unapplied_cash, *customer.credits):
        code = money.currency.code
        available[code] = available.get(code, Decimal(0)) + money.amount
    groups: list[tuple[str, list[_Candidate]]]
    if one_currency:
        groups = [(candidates[0].currency.code, candidates)]
    else:
        by_code: dict[str, list[_Candidate]] = {}
        for c in candidates:
            by_code.setdefault(c.currency.code, []).append(c)
        groups = sorted(by_code.items())
    kept: list[_Candidate] = []
    for code, mine in groups:
        cover = available.get(code, _ZERO)
        if not cover > 0:  # nothing to cover with: every item stays
            kept += mine
            continue
        owed_overdue = overdue.get(code, _ZERO)
        pre_due = sum((c.dunnable for c in mine if c.days_overdue <= 0), _ZERO)
        overdue_covered = cover >= owed_overdue
        left = cover - owed_overdue
        pre_due_covered = overdue_covered and pre_due > 0 and left >= pre_due
        for c in mine:
            covered = pre_due_covered if c.days_overdue <= 0 else overdue_covered
            if covered:
                detail = (
                    f"unapplied cash and credits {cover} {code} cover the overdue "
                    f"{owed_overdue} {code}"
                )
                exclusions.append(
                    Exclusion(
                        customer.customer_id,
                        c.item.document,
                        ExclusionReason.COVERED_BY_UNAPPLIED,
                        detail,
                    )
                )
            else:
                kept.append(c)
    return kept


def _drop_below_minimum(
    customer_id: str, candidates: list[_Candidate], exclusions: list[Exclusion]
) -> list[_Candidate]:
    sums: dict[tuple[int, str], Decimal] = {}
    for c in candidates:
        key = (c.level.number, c.currency.code)
        sums[key] = sums.get(key, _ZERO) + c.dunnable
    kept = []
    for c in candidates:
        key = (c.level.number, c.currency.code)
        if sums[key] < c.level.min_amount:
            detail = (
                f"items at level {c.level.number} total {sums[key]} {key[1]}, "
                f"below the minimum {c.level.min_amount}"
            )
            exclusions.append(
                Exclusion(customer_id, c.item.document, ExclusionReason.BELOW_MIN_AMOUNT, detail)
            )
        else:
            kept.append(c)
    return kept


def _by_due_date(c: _Candidate) -> tuple[date, str]:
    return c.item.due_date, c.item.document


def _notice(
    customer: CustomerDunningState, policy: DunningPolicy, candidates: list[_Candidate]
) -> DunningNotice:
    ordered = sorted(candidates, key=_by_due_date)
    # The amounts were checked by _consider_items: only a non-Decimal given (an int)
    # is converted. The items keep Decimals; their Money is built when read.
    sums: dict[str, tuple[Currency, Decimal]] = {}
    items = []
    for c in ordered:
        item, cur, dunned = c.item, c.currency, c.dunnable
        opened, disputed = item.open_amount, min(item.disputed_amount, item.open_amount)
        if type(dunned) is not Decimal:
            dunned = _amount(dunned)
        if type(opened) is not Decimal:
            opened = _amount(opened)
        if type(disputed) is not Decimal:
            disputed = _amount(disputed)
        items.append(
            NoticeItem(
                item.document,
                item.due_date,
                c.days_overdue,
                cur,
                opened,
                disputed,
                dunned,
                c.level.number,
                item.last_level,
            )
        )
        code = cur.code
        running = sums.get(code)
        sums[code] = (cur, (_ZERO if running is None else running[1]) + dunned)
    totals = {code: Money._trusted(sums[code][1], sums[code][0]) for code in sorted(sums)}
    top = max((c.level for c in candidates), key=lambda lv: lv.number)
    actions = frozenset(a for c in candidates for a in c.level.actions)
    return DunningNotice(
        customer_id=customer.customer_id,
        policy=policy.name,
        level=top,
        items=tuple(items),
        totals=totals,
        actions=actions,
        unapplied=(*customer.unapplied_cash, *customer.credits),
    )
